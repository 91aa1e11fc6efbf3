package io.gateway.toolkit.upstream;

import io.gateway.spi.Headers;
import io.gateway.spi.provider.ApiKey;
import java.util.Locale;
import java.util.Objects;

/**
 * How an upstream takes the key: {@code Authorization: Bearer KEY} ({@link #bearer()}) or the bare key
 * in a header of the vendor's ({@link #named(String)}, e.g. {@code x-api-key}). A keyless provider's key
 * (empty {@link io.gateway.spi.Secret}) sends no header at all. Immutable and thread-safe.
 */
public final class KeyHeader {

    private static final KeyHeader BEARER = new KeyHeader("authorization", "Bearer ");

    private final String name;
    private final String prefix;

    private KeyHeader(String name, String prefix) {
        this.name = name;
        this.prefix = prefix;
    }

    /**
     * {@code Authorization: Bearer KEY}, as OpenAI and compatible servers take it.
     *
     * @return the header
     */
    public static KeyHeader bearer() {
        return BEARER;
    }

    /**
     * The key as the whole value of a header.
     *
     * @param name the header, e.g. {@code api-key}
     * @return the header
     */
    public static KeyHeader named(String name) {
        Objects.requireNonNull(name, "name");
        return new KeyHeader(name.toLowerCase(Locale.ROOT), "");
    }

    /**
     * The header's name, lower case.
     *
     * @return e.g. {@code authorization}
     */
    public String name() {
        return name;
    }

    /**
     * Sets the header for a key, unless the key is empty.
     *
     * @param headers the request headers being built
     * @param key     the key of the attempt
     */
    public void apply(Headers.Builder headers, ApiKey key) {
        if (!key.value().isEmpty()) {
            headers.set(name, prefix + key.value().reveal());
        }
    }

    /**
     * Never shows a key.
     *
     * @return the header name
     */
    @Override
    public String toString() {
        return "KeyHeader[" + name + "]";
    }
}
