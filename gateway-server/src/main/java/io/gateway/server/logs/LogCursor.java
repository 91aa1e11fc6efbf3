package io.gateway.server.logs;

import io.gateway.spi.GatewayException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Where a page of {@code GET /admin/logs} ended: the arrival time and the store's sequence number of
 * its last entry (entries are ordered newest first by both). Handed to clients as an opaque token
 * (base64url of {@code v1:<time>:<sequence>}). Immutable.
 *
 * @param timestamp the last entry's arrival, epoch milliseconds
 * @param sequence  the last entry's sequence number in the store
 */
public record LogCursor(long timestamp, long sequence) {

    private static final String VERSION = "v1:";

    /**
     * The token for clients.
     *
     * @return the opaque cursor
     */
    public String encode() {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((VERSION + timestamp + ":" + sequence).getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Reads a token a client sent back.
     *
     * @param token the cursor
     * @return the cursor
     * @throws GatewayException 400 when it is not one this gateway gave out
     */
    public static LogCursor decode(String token) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(token.trim()), StandardCharsets.US_ASCII);
            if (text.startsWith(VERSION)) {
                String[] parts = text.substring(VERSION.length()).split(":", -1);
                if (parts.length == 2) {
                    return new LogCursor(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
                }
            }
        } catch (IllegalArgumentException e) {
            // reported below (NumberFormatException is one too)
        }
        throw GatewayException.invalidRequest("cursor is not a cursor this API gave out; pass next_cursor from the "
                + "previous page as it was", "cursor");
    }
}
