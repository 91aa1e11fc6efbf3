package io.gateway.testkit.fakes;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32;

/**
 * AWS's binary event-stream framing ({@code application/vnd.amazon.eventstream}), written from its
 * published layout with the JDK's CRC32 only: each message is a prelude (total length, headers length,
 * the prelude's CRC32, all big-endian 32-bit), the headers (name length byte, name, type byte, value),
 * the payload, and the CRC32 of everything before it. Headers are written as strings (type 7), which is
 * what Bedrock sends. The AWS SDK's own encoder writes the same bytes (the test kit's tests compare
 * them). Stateless.
 */
public final class EventStreamFrames {

    /** Header type 7: a UTF-8 string with a 16-bit length. */
    private static final byte STRING = 7;

    /**
     * One decoded message.
     *
     * @param headers the headers, in order, string values
     * @param payload the payload bytes
     */
    public record Frame(Map<String, String> headers, byte[] payload) {
        /** Copies the fields. */
        public Frame {
            headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
            payload = payload.clone();
        }

        /**
         * The payload as UTF-8 text.
         *
         * @return the text
         */
        public String payloadText() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "Frame" + headers + " " + payloadText();
        }
    }

    private EventStreamFrames() {
    }

    /**
     * An {@code event} message as Bedrock sends it: {@code :event-type}, {@code :content-type:
     * application/json}, {@code :message-type: event}.
     *
     * @param eventType e.g. {@code contentBlockDelta}
     * @param json      the payload
     * @return the encoded message
     */
    public static byte[] event(String eventType, String json) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(":event-type", eventType);
        headers.put(":content-type", "application/json");
        headers.put(":message-type", "event");
        return encode(headers, json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * An {@code exception} message: a modelled failure after the stream started.
     *
     * @param exceptionType e.g. {@code throttlingException}
     * @param json          the payload, e.g. {@code {"message":"..."}}
     * @return the encoded message
     */
    public static byte[] exception(String exceptionType, String json) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(":exception-type", exceptionType);
        headers.put(":content-type", "application/json");
        headers.put(":message-type", "exception");
        return encode(headers, json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Encodes one message.
     *
     * @param headers string headers, in order
     * @param payload the payload
     * @return the message's bytes
     */
    public static byte[] encode(Map<String, String> headers, byte[] payload) {
        Objects.requireNonNull(payload, "payload");
        ByteArrayOutputStream headerBytes = new ByteArrayOutputStream();
        for (Map.Entry<String, String> header : headers.entrySet()) {
            byte[] name = header.getKey().getBytes(StandardCharsets.UTF_8);
            byte[] value = header.getValue().getBytes(StandardCharsets.UTF_8);
            if (name.length > 255 || value.length > 65535) {
                throw new IllegalArgumentException("header " + header.getKey() + " is too long");
            }
            headerBytes.write(name.length);
            headerBytes.writeBytes(name);
            headerBytes.write(STRING);
            headerBytes.write(value.length >> 8);
            headerBytes.write(value.length & 0xff);
            headerBytes.writeBytes(value);
        }
        byte[] encodedHeaders = headerBytes.toByteArray();
        int total = 12 + encodedHeaders.length + payload.length + 4;
        ByteBuffer buffer = ByteBuffer.allocate(total);
        buffer.putInt(total).putInt(encodedHeaders.length);
        buffer.putInt((int) crc(buffer.array(), 0, 8));
        buffer.put(encodedHeaders).put(payload);
        buffer.putInt((int) crc(buffer.array(), 0, total - 4));
        return buffer.array();
    }

    /**
     * Decodes a whole stream, checking both CRCs of every message.
     *
     * @param bytes the stream
     * @return the messages
     * @throws IllegalArgumentException for a truncated or corrupt stream, or non-string headers
     */
    public static List<Frame> decodeAll(byte[] bytes) {
        List<Frame> frames = new ArrayList<>();
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            int start = buffer.position();
            if (buffer.remaining() < 16) {
                throw new IllegalArgumentException("a message is cut short at byte " + start);
            }
            int total = buffer.getInt();
            int headersLength = buffer.getInt();
            int preludeCrc = buffer.getInt();
            if ((int) crc(bytes, start, 8) != preludeCrc) {
                throw new IllegalArgumentException("prelude checksum failure at byte " + start);
            }
            if (total < 16 || headersLength < 0 || headersLength > total - 16 || start + total > bytes.length) {
                throw new IllegalArgumentException("a message's lengths are wrong at byte " + start);
            }
            if ((int) crc(bytes, start, total - 4) != ByteBuffer.wrap(bytes, start + total - 4, 4).getInt()) {
                throw new IllegalArgumentException("message checksum failure at byte " + start);
            }
            Map<String, String> headers = new LinkedHashMap<>();
            int headersEnd = buffer.position() + headersLength;
            while (buffer.position() < headersEnd) {
                byte[] name = new byte[buffer.get() & 0xff];
                buffer.get(name);
                if (buffer.get() != STRING) {
                    throw new IllegalArgumentException("only string headers are supported");
                }
                byte[] value = new byte[buffer.getShort() & 0xffff];
                buffer.get(value);
                headers.put(new String(name, StandardCharsets.UTF_8), new String(value, StandardCharsets.UTF_8));
            }
            byte[] payload = new byte[total - 16 - headersLength];
            buffer.get(payload);
            buffer.getInt();
            frames.add(new Frame(headers, payload));
        }
        return frames;
    }

    private static long crc(byte[] bytes, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, offset, length);
        return crc.getValue();
    }
}
