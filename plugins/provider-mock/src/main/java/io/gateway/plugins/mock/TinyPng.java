package io.gateway.plugins.mock;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * The one image the mock ever returns: a valid 2x2 RGB PNG.
 *
 * <p>It is encoded here, once, rather than pasted as an opaque base64 literal, so anyone can see that
 * it is a real PNG (signature, IHDR, zlib-compressed IDAT, IEND, each with its CRC) that image
 * decoders and clients that render previews accept.
 */
final class TinyPng {

    static final int SIZE = 2;

    /** Red, green / blue, white: four distinct pixels, so a decoder's output can be checked. */
    static final int[][] PIXELS = {
            {0xFF0000, 0x00FF00},
            {0x0000FF, 0xFFFFFF},
    };

    static final String BASE64 = Base64.getEncoder().encodeToString(encode());

    /** A {@code data:} URL, for {@code response_format: "url"}, which needs no file server. */
    static final String DATA_URL = "data:image/png;base64," + BASE64;

    private TinyPng() {
    }

    private static byte[] encode() {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteBuffer header = ByteBuffer.allocate(13)
                .putInt(SIZE)
                .putInt(SIZE)
                .put((byte) 8)  // bits per channel
                .put((byte) 2)  // colour type: truecolour RGB
                .put((byte) 0)  // compression: deflate
                .put((byte) 0)  // filter method: adaptive
                .put((byte) 0); // no interlace
        chunk(png, "IHDR", header.array());
        ByteArrayOutputStream scanlines = new ByteArrayOutputStream();
        for (int[] row : PIXELS) {
            scanlines.write(0); // filter type "None" for this row
            for (int rgb : row) {
                scanlines.write(rgb >>> 16);
                scanlines.write(rgb >>> 8 & 0xFF);
                scanlines.write(rgb & 0xFF);
            }
        }
        chunk(png, "IDAT", deflate(scanlines.toByteArray()));
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream png, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        png.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        png.writeBytes(typeBytes);
        png.writeBytes(data);
        png.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** PNG wants a zlib stream (header and Adler-32 included), which is Deflater's default format. */
    private static byte[] deflate(byte[] raw) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        try {
            deflater.setInput(raw);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[64];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }
}
