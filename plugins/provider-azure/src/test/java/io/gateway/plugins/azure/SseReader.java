package io.gateway.plugins.azure;

import io.gateway.spi.StreamEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Reads server-sent events from a byte stream as they arrive, following the HTML living standard's
 * parsing rules: LF, CRLF or CR line ends, comment lines, {@code event:} and multi-line
 * {@code data:} fields, frames without data skipped, an unterminated last frame discarded.
 */
final class SseReader implements AutoCloseable {

    private final BufferedReader reader;

    SseReader(InputStream in) {
        this.reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1024);
    }

    /**
     * Blocks for the next event.
     *
     * @return the event, or {@code null} at the end of the stream
     * @throws IOException if reading fails
     */
    StreamEvent next() throws IOException {
        String event = null;
        StringBuilder data = null;
        while (true) {
            String line = reader.readLine();
            if (line == null) {
                return null;
            }
            if (line.isEmpty()) {
                if (data != null) {
                    return new StreamEvent(event, data.toString());
                }
                event = null;
                continue;
            }
            if (line.startsWith(":")) {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            if (field.equals("event")) {
                event = value;
            } else if (field.equals("data")) {
                if (data == null) {
                    data = new StringBuilder(value);
                } else {
                    data.append('\n').append(value);
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
