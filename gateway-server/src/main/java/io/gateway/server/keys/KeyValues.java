package io.gateway.server.keys;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * New virtual-key values and their digests. A value is {@code sk-bf-} and 43 characters of URL-safe
 * base64 over 32 random bytes (256 bits) from {@link SecureRandom}; only its SHA-256 is ever stored.
 * A fast hash is right here, unlike for passwords: a value this random cannot be guessed from its
 * digest, and the digest is computed on every request that presents a managed key. Thread-safe.
 */
final class KeyValues {

    /** What every managed value starts with: the prefix governance takes for virtual keys by default. */
    static final String PREFIX = "sk-bf-";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private KeyValues() {
    }

    /**
     * A new random value.
     *
     * @return {@code sk-bf-} and 43 random characters
     */
    static String generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * The digest stored for a value.
     *
     * @param value a value
     * @return the SHA-256 of its UTF-8 bytes, 64 lower-case hex digits
     */
    static String hash(String value) {
        return HEX.formatHex(digest(value));
    }

    /**
     * The raw digest of a value.
     *
     * @param value a value
     * @return 32 bytes
     */
    static byte[] digest(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /**
     * The digest of stored hex.
     *
     * @param hex 64 hex digits
     * @return 32 bytes
     */
    static byte[] fromHex(String hex) {
        return HEX.parseHex(hex);
    }
}
