package io.gateway.testkit.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@code multipart/form-data} body (RFC 7578) parsed whole, for fakes that check uploads as the real
 * APIs do and for tests that look at what a gateway sent: the parts in order, each with its name, file
 * name, media type and bytes. Strict where servers are strict: the boundary must be declared, every
 * delimiter line must be CRLF-terminated, the body must end with the closing delimiter, and every part
 * needs {@code Content-Disposition: form-data; name="..."}. JDK only; immutable and thread-safe.
 */
public final class MultipartParts {

    /**
     * One part.
     *
     * @param name        the {@code name} of its {@code Content-Disposition}
     * @param filename    the {@code filename}, or {@code null} for a text field
     * @param contentType its {@code Content-Type}, or {@code null} when it has none
     * @param data        its bytes (not copied)
     */
    public record Part(String name, String filename, String contentType, byte[] data) {

        /** Checks the name. */
        public Part {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(data, "data");
        }

        /**
         * Whether the part is a file (it has a file name).
         *
         * @return {@code true} for files
         */
        public boolean isFile() {
            return filename != null;
        }

        /**
         * The bytes as UTF-8 text.
         *
         * @return the text
         */
        public String text() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    /** A body that is not a well-formed multipart form; the message says what is wrong. */
    public static final class Malformed extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message);
        }
    }

    private final List<Part> parts;

    private MultipartParts(List<Part> parts) {
        this.parts = List.copyOf(parts);
    }

    /**
     * Parses a body.
     *
     * @param contentType the request's {@code Content-Type}
     * @param body        the body
     * @return the parts
     * @throws Malformed when the type is not multipart/form-data with a boundary, or the body is not a
     *                   well-formed form with that boundary
     */
    public static MultipartParts parse(String contentType, byte[] body) {
        String boundary = boundary(contentType);
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        byte[] inner = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        int at = indexOf(body, delimiter, 0);
        if (at < 0) {
            throw new Malformed("the body does not contain its boundary '" + boundary + "'");
        }
        if (at > 0 && (at < 2 || body[at - 2] != '\r' || body[at - 1] != '\n')) {
            throw new Malformed("the first boundary does not start a line");
        }
        int position = at + delimiter.length;
        List<Part> parts = new ArrayList<>();
        while (true) {
            if (startsWith(body, position, "--")) {
                return new MultipartParts(parts);
            }
            if (!startsWith(body, position, "\r\n")) {
                throw new Malformed("a boundary line does not end with CRLF");
            }
            position += 2;
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), position);
            if (headersEnd < 0) {
                throw new Malformed("the body ends inside the headers of part " + (parts.size() + 1));
            }
            String headers = new String(body, position, headersEnd - position, StandardCharsets.UTF_8);
            int dataStart = headersEnd + 4;
            int dataEnd = indexOf(body, inner, dataStart);
            if (dataEnd < 0) {
                throw new Malformed("the body is truncated: part " + (parts.size() + 1)
                        + " has no closing boundary");
            }
            parts.add(part(headers, java.util.Arrays.copyOfRange(body, dataStart, dataEnd), parts.size() + 1));
            position = dataEnd + inner.length;
        }
    }

    private static Part part(String headers, byte[] data, int index) {
        String name = null;
        String filename = null;
        String type = null;
        for (String line : headers.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new Malformed("part " + index + " has a header line without a name: " + line);
            }
            String header = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            if (header.equals("content-disposition")) {
                if (!value.toLowerCase(Locale.ROOT).startsWith("form-data")) {
                    throw new Malformed("part " + index + " is not form-data: " + value);
                }
                name = parameter(value, "name");
                filename = parameter(value, "filename");
            } else if (header.equals("content-type")) {
                type = value;
            }
        }
        if (name == null) {
            throw new Malformed("part " + index + " has no Content-Disposition name");
        }
        return new Part(name, filename, type, data);
    }

    /** A parameter of a header value, quoted ({@code name="a"}, with {@code %22} for quotes) or not. */
    private static String parameter(String value, String name) {
        int i = 0;
        while (i < value.length()) {
            int semicolon = value.indexOf(';', i);
            if (semicolon < 0) {
                return null;
            }
            int start = semicolon + 1;
            while (start < value.length() && value.charAt(start) == ' ') {
                start++;
            }
            int equals = value.indexOf('=', start);
            if (equals < 0) {
                return null;
            }
            String key = value.substring(start, equals).trim();
            int end;
            String found;
            if (equals + 1 < value.length() && value.charAt(equals + 1) == '"') {
                end = value.indexOf('"', equals + 2);
                if (end < 0) {
                    throw new Malformed("an unterminated quoted parameter: " + value);
                }
                found = value.substring(equals + 2, end).replace("%22", "\"").replace("%0D", "\r")
                        .replace("%0A", "\n");
                end++;
            } else {
                end = value.indexOf(';', equals);
                end = end < 0 ? value.length() : end;
                found = value.substring(equals + 1, end).trim();
            }
            if (key.equalsIgnoreCase(name)) {
                return found;
            }
            i = end;
        }
        return null;
    }

    private static String boundary(String contentType) {
        if (contentType == null || !contentType.trim().toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            throw new Malformed("the Content-Type is not multipart/form-data: " + contentType);
        }
        String boundary = parameter(contentType, "boundary");
        if (boundary == null || boundary.isEmpty()) {
            throw new Malformed("the multipart/form-data Content-Type has no boundary");
        }
        return boundary;
    }

    private static boolean startsWith(byte[] body, int at, String text) {
        if (at + text.length() > body.length) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (body[at + i] != text.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] body, byte[] pattern, int from) {
        outer:
        for (int i = Math.max(0, from); i <= body.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (body[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * The parts, in order.
     *
     * @return the parts
     */
    public List<Part> parts() {
        return parts;
    }

    /**
     * The first part of a name.
     *
     * @param name the name
     * @return the part, or empty
     */
    public Optional<Part> part(String name) {
        return parts.stream().filter(part -> part.name().equals(name)).findFirst();
    }

    /**
     * Every part of a name.
     *
     * @param name the name
     * @return the parts
     */
    public List<Part> all(String name) {
        return parts.stream().filter(part -> part.name().equals(name)).toList();
    }

    /**
     * The text of the first part of a name.
     *
     * @param name the name
     * @return the text, or {@code null}
     */
    public String text(String name) {
        return part(name).map(Part::text).orElse(null);
    }
}
