package io.gateway.spi;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A {@code multipart/form-data} request body (RFC 7578) as a list of parts in the client's order:
 * text fields ({@code model}, {@code language}, {@code purpose}…) held as strings, and files
 * ({@code file}, {@code image}, {@code mask}) held as {@link Content} that is read as a stream.
 *
 * <p>The server reads a client's form once, keeps its fields in memory and its files spooled outside
 * the heap, and hands the form to middleware ({@link io.gateway.spi.middleware.Exchange#form()}) and
 * providers ({@link io.gateway.spi.provider.ProviderCall#form()}). A provider that passes the form on
 * sends {@link #encode()}: a new body with a fresh boundary that streams each file from its source.
 *
 * <p>Immutable and thread-safe; {@code with*} methods return changed copies sharing the parts.
 */
public final class MultipartForm {

    private static final String BOUNDARY_CHARS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

    private final List<Part> parts;

    private MultipartForm(List<Part> parts) {
        this.parts = List.copyOf(parts);
    }

    /**
     * A builder of a form.
     *
     * @return an empty builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The parts, in order.
     *
     * @return an immutable list
     */
    public List<Part> parts() {
        return parts;
    }

    /**
     * The first text field of a name.
     *
     * @param name the field name, e.g. {@code model}
     * @return its value, or empty
     */
    public Optional<String> field(String name) {
        for (Part part : parts) {
            if (!part.isFile() && part.name.equals(name)) {
                return Optional.of(part.value);
            }
        }
        return Optional.empty();
    }

    /**
     * Every text field of a name, in order (for repeated fields such as
     * {@code timestamp_granularities[]}).
     *
     * @param name the field name
     * @return the values, possibly empty
     */
    public List<String> fields(String name) {
        List<String> values = new ArrayList<>(1);
        for (Part part : parts) {
            if (!part.isFile() && part.name.equals(name)) {
                values.add(part.value);
            }
        }
        return Collections.unmodifiableList(values);
    }

    /**
     * The first file of a name.
     *
     * @param name the part name, e.g. {@code file}
     * @return the part, or empty
     */
    public Optional<Part> file(String name) {
        for (Part part : parts) {
            if (part.isFile() && part.name.equals(name)) {
                return Optional.of(part);
            }
        }
        return Optional.empty();
    }

    /**
     * Every file of a name, in order (for example {@code image[]} when several images are sent).
     *
     * @param name the part name
     * @return the parts, possibly empty
     */
    public List<Part> files(String name) {
        List<Part> found = new ArrayList<>(1);
        for (Part part : parts) {
            if (part.isFile() && part.name.equals(name)) {
                found.add(part);
            }
        }
        return Collections.unmodifiableList(found);
    }

    /**
     * The text fields as a JSON object of strings, for code that reads requests as JSON (the model
     * from {@code model}, say): a name sent once maps to its value, a name sent several times to an
     * array of its values. Files are not in it.
     *
     * @return the fields
     */
    public JsonObject fieldsAsJson() {
        Map<String, List<String>> byName = new LinkedHashMap<>();
        for (Part part : parts) {
            if (!part.isFile()) {
                byName.computeIfAbsent(part.name, n -> new ArrayList<>(1)).add(part.value);
            }
        }
        JsonObjectBuilder object = JsonBodies.provider().createObjectBuilder();
        byName.forEach((name, values) -> {
            if (values.size() == 1) {
                object.add(name, values.get(0));
            } else {
                JsonArrayBuilder array = JsonBodies.provider().createArrayBuilder();
                values.forEach(array::add);
                object.add(name, array);
            }
        });
        return object.build();
    }

    /**
     * A copy with one text field set: the first field of that name takes the value and later ones
     * of the name are dropped; without one, the field is added at the end.
     *
     * @param name  the field name
     * @param value the value
     * @return the changed form
     */
    public MultipartForm withField(String name, String value) {
        Part replacement = Part.field(name, value);
        List<Part> changed = new ArrayList<>(parts.size() + 1);
        boolean set = false;
        for (Part part : parts) {
            if (!part.isFile() && part.name.equals(name)) {
                if (!set) {
                    changed.add(replacement);
                    set = true;
                }
            } else {
                changed.add(part);
            }
        }
        if (!set) {
            changed.add(replacement);
        }
        return new MultipartForm(changed);
    }

    /**
     * A copy without the text fields of a name.
     *
     * @param name the field name
     * @return the changed form (this one when it has no such field)
     */
    public MultipartForm withoutField(String name) {
        List<Part> kept = new ArrayList<>(parts.size());
        for (Part part : parts) {
            if (part.isFile() || !part.name.equals(name)) {
                kept.add(part);
            }
        }
        return kept.size() == parts.size() ? this : new MultipartForm(kept);
    }

    /**
     * Whether every file can be read more than once, so that the encoded form can be sent again
     * (a retry, a fallback).
     *
     * @return {@code true} when every file's content is repeatable
     */
    public boolean repeatable() {
        for (Part part : parts) {
            if (!part.content.repeatable()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The form encoded as a {@code multipart/form-data} body with a fresh random boundary. Opening
     * the body streams each file from its content as it is read; nothing is copied whole. The length
     * is known when every part's is.
     *
     * @return the body, repeatable when {@link #repeatable()}
     */
    public Content encode() {
        String boundary = boundary();
        List<byte[]> heads = new ArrayList<>(parts.size());
        long length = 0;
        for (int i = 0; i < parts.size(); i++) {
            byte[] head = head(parts.get(i), boundary, i == 0);
            heads.add(head);
            long partLength = parts.get(i).content.length();
            length = length < 0 || partLength < 0 ? -1 : length + head.length + partLength;
        }
        byte[] tail = ((parts.isEmpty() ? "" : "\r\n") + "--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        long total = length < 0 ? -1 : length + tail.length;
        String contentType = "multipart/form-data; boundary=" + boundary;
        boolean repeatable = repeatable();
        return new Content() {
            private final java.util.concurrent.atomic.AtomicBoolean opened =
                    new java.util.concurrent.atomic.AtomicBoolean();

            @Override
            public String contentType() {
                return contentType;
            }

            @Override
            public long length() {
                return total;
            }

            @Override
            public boolean repeatable() {
                return repeatable;
            }

            @Override
            public InputStream open() {
                if (!repeatable && !opened.compareAndSet(false, true)) {
                    throw new IllegalStateException("this form streams a file through once and was read already");
                }
                return new SequenceInputStream(new Enumeration<InputStream>() {
                    private int index;

                    @Override
                    public boolean hasMoreElements() {
                        return index <= parts.size() * 2;
                    }

                    @Override
                    public InputStream nextElement() {
                        if (!hasMoreElements()) {
                            throw new NoSuchElementException();
                        }
                        int at = index++;
                        if (at == parts.size() * 2) {
                            return new ByteArrayInputStream(tail);
                        }
                        // even: the part's head; odd: its content, opened only when reached
                        return at % 2 == 0 ? new ByteArrayInputStream(heads.get(at / 2))
                                : parts.get(at / 2).content.open();
                    }
                });
            }

            @Override
            public String toString() {
                return "Content[" + contentType + ", " + (total < 0 ? "length unknown" : total + " bytes") + "]";
            }
        };
    }

    private static String boundary() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        StringBuilder text = new StringBuilder("----gateway-form-");
        for (int i = 0; i < 24; i++) {
            text.append(BOUNDARY_CHARS.charAt(random.nextInt(BOUNDARY_CHARS.length())));
        }
        return text.toString();
    }

    private static byte[] head(Part part, String boundary, boolean first) {
        StringBuilder text = new StringBuilder(128);
        if (!first) {
            text.append("\r\n");
        }
        text.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"")
                .append(escape(part.name)).append('"');
        if (part.filename != null) {
            text.append("; filename=\"").append(escape(part.filename)).append('"');
        }
        text.append("\r\n");
        if (part.isFile()) {
            text.append("Content-Type: ").append(part.content.contentType()).append("\r\n");
        }
        text.append("\r\n");
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Names and file names as browsers write them: quotes and line breaks percent-encoded, UTF-8 as it is. */
    private static String escape(String value) {
        return value.replace("\"", "%22").replace("\r", "%0D").replace("\n", "%0A");
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("MultipartForm[");
        for (int i = 0; i < parts.size(); i++) {
            text.append(i == 0 ? "" : ", ").append(parts.get(i));
        }
        return text.append(']').toString();
    }

    /**
     * One part of a form: a text field or a file. Immutable.
     */
    public static final class Part {
        private final String name;
        private final String filename;
        private final String value;
        private final Content content;

        private Part(String name, String filename, String value, Content content) {
            this.name = Objects.requireNonNull(name, "name");
            this.filename = filename;
            this.value = value;
            this.content = Objects.requireNonNull(content, "content");
        }

        /**
         * A text field.
         *
         * @param name  the field name
         * @param value the value
         * @return the part
         */
        public static Part field(String name, String value) {
            Objects.requireNonNull(value, "value");
            return new Part(name, null, value, Content.of(value.getBytes(StandardCharsets.UTF_8),
                    "text/plain; charset=utf-8"));
        }

        /**
         * A file.
         *
         * @param name     the part name, e.g. {@code file}
         * @param filename the file name the client gave, e.g. {@code meeting.wav}, or {@code null} when it
         *                 gave none (a binary part without a file name is still a file)
         * @param content  the bytes with their media type
         * @return the part
         */
        public static Part file(String name, String filename, Content content) {
            return new Part(name, filename, null, content);
        }

        /**
         * The part's name ({@code name} in its {@code Content-Disposition}).
         *
         * @return the name
         */
        public String name() {
            return name;
        }

        /**
         * Whether the part is a file rather than a text field.
         *
         * @return {@code true} for files
         */
        public boolean isFile() {
            return value == null;
        }

        /**
         * The file name the client gave.
         *
         * @return the name, or empty for text fields and files sent without one
         */
        public Optional<String> filename() {
            return Optional.ofNullable(filename);
        }

        /**
         * A text field's value.
         *
         * @return the value, or {@code null} for files
         */
        public String value() {
            return value;
        }

        /**
         * The part's bytes: a file's content, or a field's value as UTF-8 {@code text/plain}.
         *
         * @return the content
         */
        public Content content() {
            return content;
        }

        /**
         * The part's media type.
         *
         * @return e.g. {@code audio/wav}
         */
        public String contentType() {
            return content.contentType();
        }

        /**
         * Never shows a field's value or a file's bytes.
         *
         * @return the name, and for files the file name, type and size
         */
        @Override
        public String toString() {
            return isFile() ? name + "=file(" + filename + ", " + content.contentType() + ", "
                    + (content.length() < 0 ? "?" : content.length()) + " bytes)" : name + "=field";
        }
    }

    /** Builds a {@link MultipartForm}. Not thread-safe. */
    public static final class Builder {
        private final List<Part> parts = new ArrayList<>();

        private Builder() {
        }

        /**
         * Adds a text field.
         *
         * @param name  the field name
         * @param value the value
         * @return this builder
         */
        public Builder field(String name, String value) {
            parts.add(Part.field(name, value));
            return this;
        }

        /**
         * Adds a file.
         *
         * @param name     the part name
         * @param filename the file name
         * @param content  the content
         * @return this builder
         */
        public Builder file(String name, String filename, Content content) {
            parts.add(Part.file(name, filename, content));
            return this;
        }

        /**
         * Adds a part.
         *
         * @param part the part
         * @return this builder
         */
        public Builder part(Part part) {
            parts.add(Objects.requireNonNull(part, "part"));
            return this;
        }

        /**
         * The form.
         *
         * @return a new form
         */
        public MultipartForm build() {
            return new MultipartForm(parts);
        }
    }
}
