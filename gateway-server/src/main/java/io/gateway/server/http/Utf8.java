package io.gateway.server.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8 decoding of request bodies. {@code new String(bytes, UTF_8)} silently replaces
 * malformed sequences with U+FFFD, which would forward a body the client never wrote; this refuses it.
 */
final class Utf8 {

    private Utf8() {
    }

    /**
     * Decodes strictly.
     *
     * @param bytes the bytes
     * @return the text, or {@code null} when the bytes are not well-formed UTF-8
     */
    static String decode(byte[] bytes) {
        if (isAscii(bytes)) {
            // the common case: the JDK's decoder for ASCII input is a copy into a compact string
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The offset of the first byte that is not part of a well-formed UTF-8 sequence, for messages.
     *
     * @param bytes the bytes
     * @return the offset, or -1 when all are well-formed
     */
    static int firstInvalid(byte[] bytes) {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        var out = java.nio.CharBuffer.allocate(Math.max(16, bytes.length));
        var result = decoder.decode(in, out, true);
        return result.isError() ? in.position() : -1;
    }
}
