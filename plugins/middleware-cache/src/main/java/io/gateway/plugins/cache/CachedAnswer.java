package io.gateway.plugins.cache;

import io.gateway.spi.StreamEvent;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One stored answer in both of the forms a client may ask for: the complete JSON body (as the upstream
 * sent it, or assembled from its stream) and the stream's events (as the upstream sent them, or derived
 * from the body), so that a hit replays either without work on the request's path. A form that cannot
 * be made from the other (an image answered as a URL cannot stream) is {@code null}. Immutable; the
 * arrays are not copied and must not be changed.
 *
 * <p>Stored as bytes: a version byte, a flags byte, then the body ({@code int} length and bytes) and the
 * events ({@code int} count, each an optional name and its data, strings as {@code int} length and
 * UTF-8, -1 for none).
 *
 * @param json   the complete body, or {@code null}
 * @param events the stream's events, {@code [DONE]} included where the operation has it, or {@code null}
 */
record CachedAnswer(byte[] json, List<StreamEvent> events) {

    private static final byte VERSION = 1;

    /**
     * The stored form.
     *
     * @return the bytes
     */
    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(size() + 64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeByte((json != null ? 1 : 0) | (events != null ? 2 : 0));
            if (json != null) {
                out.writeInt(json.length);
                out.write(json);
            }
            if (events != null) {
                out.writeInt(events.size());
                for (StreamEvent event : events) {
                    write(out, event.event());
                    write(out, event.data());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Roughly the bytes both forms take. */
    int size() {
        int size = json == null ? 0 : json.length;
        if (events != null) {
            for (StreamEvent event : events) {
                size += event.data().length() + (event.event() == null ? 0 : event.event().length()) + 8;
            }
        }
        return size;
    }

    /**
     * Reads a stored answer.
     *
     * @param stored the bytes
     * @return the answer, or {@code null} when the bytes are not one this version wrote (the entry is
     *         then treated as absent)
     */
    static CachedAnswer decode(byte[] stored) {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(stored))) {
            if (in.readByte() != VERSION) {
                return null;
            }
            int flags = in.readByte();
            byte[] json = null;
            if ((flags & 1) != 0) {
                json = new byte[in.readInt()];
                in.readFully(json);
            }
            List<StreamEvent> events = null;
            if ((flags & 2) != 0) {
                int count = in.readInt();
                if (count < 0 || count > stored.length) {
                    return null;
                }
                events = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    String name = read(in);
                    String data = read(in);
                    if (data == null) {
                        return null;
                    }
                    events.add(new StreamEvent(name, data));
                }
            }
            return new CachedAnswer(json, events);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static void write(DataOutputStream out, String text) throws IOException {
        if (text == null) {
            out.writeInt(-1);
            return;
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String read(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            return null;
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
