package io.gateway.server.http;

import io.gateway.spi.StreamEvent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Encodes server-sent event frames: an optional {@code event:} line, one {@code data:} line per line
 * of data, and the blank line that ends the frame.
 */
public final class SseFrames {

    private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);

    private SseFrames() {
    }

    /**
     * Encodes one event.
     *
     * @param event the event
     * @return the frame's bytes
     */
    public static byte[] encode(StreamEvent event) {
        String data = event.data();
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length() + 32);
        if (event.event() != null) {
            out.writeBytes(EVENT);
            out.writeBytes(event.event().getBytes(StandardCharsets.UTF_8));
            out.write('\n');
        }
        int start = 0;
        while (true) {
            int newline = data.indexOf('\n', start);
            out.writeBytes(DATA);
            if (newline < 0) {
                out.writeBytes(data.substring(start).getBytes(StandardCharsets.UTF_8));
                out.write('\n');
                break;
            }
            int end = newline > start && data.charAt(newline - 1) == '\r' ? newline - 1 : newline;
            out.writeBytes(data.substring(start, end).getBytes(StandardCharsets.UTF_8));
            out.write('\n');
            start = newline + 1;
        }
        out.write('\n');
        return out.toByteArray();
    }
}
