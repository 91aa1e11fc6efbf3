package io.gateway.plugins.mock;

import io.gateway.spi.provider.ProviderCall;
import jakarta.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One call plus what every answer shares: the creation time and a digest of the request body.
 *
 * <p>Ids are derived from the body so that the same request gets the same ids, which lets tests
 * compare whole answers and lets a cache in front of the mock be checked for hits.
 */
final class MockCall {

    private final ProviderCall call;
    private final long created;
    private final String digest;

    MockCall(ProviderCall call, long created) {
        this.call = call;
        this.created = created;
        this.digest = digest(call.body().toString());
    }

    ProviderCall call() {
        return call;
    }

    JsonObject body() {
        return call.body();
    }

    /** The bare model name, echoed back as real providers do. */
    String model() {
        return call.model() == null ? "" : call.model();
    }

    /** Unix seconds from the context clock, so tests with a fixed clock see fixed timestamps. */
    long created() {
        return created;
    }

    /** 24 hex digits of the body's SHA-256: short enough for ids, long enough not to collide. */
    String digest() {
        return digest;
    }

    static String digest(String text) {
        return HexFormat.of().formatHex(sha256(text), 0, 12);
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            // Every Java runtime must provide SHA-256.
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
