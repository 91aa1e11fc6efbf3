package io.gateway.server.routing;

import io.gateway.server.core.Pricing;
import io.gateway.spi.Content;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.MultipartForm;
import io.gateway.spi.middleware.Exchange;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * What a request brings for pricing by units, read before it goes upstream: the characters of a
 * speech request's {@code input}, the length of a transcription's upload when it is a WAV file (read
 * from its header: the answer's own {@code duration} or {@code usage.seconds} wins when it reports
 * one), and the {@code size} of an image request. Stateless.
 */
final class MediaUnits {

    private MediaUnits() {
    }

    /**
     * The request's units.
     *
     * @param exchange the request
     * @return the units, {@link Pricing.Units#NONE} for operations not billed by them
     */
    static Pricing.Units of(Exchange exchange) {
        return switch (exchange.operation()) {
            case SPEECH -> {
                String input = JsonBodies.string(exchange.body(), "input");
                yield new Pricing.Units(input == null ? 0 : input.codePointCount(0, input.length()), -1, 0, null);
            }
            case TRANSCRIPTION, TRANSLATION -> new Pricing.Units(0, exchange.form()
                    .flatMap(form -> form.file("file")).map(MediaUnits::wavSeconds).orElse(-1.0), 0, null);
            case IMAGE_GENERATION, IMAGE_EDIT, IMAGE_VARIATION -> new Pricing.Units(0, -1, 0,
                    exchange.form().flatMap(form -> form.field("size"))
                            .orElseGet(() -> JsonBodies.string(exchange.body(), "size")));
            default -> Pricing.Units.NONE;
        };
    }

    /**
     * The length of a WAV upload from its RIFF header: the {@code data} chunk's size over the
     * {@code fmt} chunk's byte rate.
     *
     * @param part the uploaded file
     * @return seconds, or -1 when it is not a WAV file the header describes
     */
    static double wavSeconds(MultipartForm.Part part) {
        Content content = part.content();
        if (!content.repeatable()) {
            return -1; // reading it here would use it up
        }
        try (InputStream in = content.open()) {
            byte[] head = in.readNBytes(12);
            if (head.length < 12 || !ascii(head, 0, "RIFF") || !ascii(head, 8, "WAVE")) {
                return -1;
            }
            long byteRate = -1;
            for (int chunks = 0; chunks < 64; chunks++) {
                byte[] chunk = in.readNBytes(8);
                if (chunk.length < 8) {
                    return -1;
                }
                long size = ByteBuffer.wrap(chunk, 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
                if (ascii(chunk, 0, "fmt ")) {
                    byte[] format = in.readNBytes((int) Math.min(size, 64));
                    if (format.length < 12) {
                        return -1;
                    }
                    byteRate = ByteBuffer.wrap(format, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
                    in.skipNBytes(size - format.length + (size & 1));
                } else if (ascii(chunk, 0, "data")) {
                    if (byteRate <= 0) {
                        return -1;
                    }
                    // a streamed WAV may announce 0 or 0xFFFFFFFF; the file's real size then bounds it
                    long available = content.length() < 0 ? size : content.length() - 12;
                    long bytes = size == 0 || size == 0xffffffffL ? Math.max(0, available) : size;
                    return (double) bytes / byteRate;
                } else {
                    in.skipNBytes(size + (size & 1));
                }
            }
            return -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static boolean ascii(byte[] bytes, int offset, String text) {
        for (int i = 0; i < text.length(); i++) {
            if (bytes[offset + i] != text.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
