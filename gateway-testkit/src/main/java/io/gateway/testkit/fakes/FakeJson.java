package io.gateway.testkit.fakes;

import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.testkit.http.RecordedRequest;
import io.gateway.testkit.http.Reply;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/** JSON helpers and the small pieces the provider fakes share. Not part of the public kit. */
final class FakeJson {

    static final JsonProvider JSON = JsonBodies.provider();

    /** A 1×1 PNG, base64: the image every fake generates. */
    static final String PNG_BASE64 =
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

    private FakeJson() {
    }

    static JsonObjectBuilder object() {
        return JSON.createObjectBuilder();
    }

    static JsonObjectBuilder object(JsonObject from) {
        return JSON.createObjectBuilder(from);
    }

    static JsonArrayBuilder array() {
        return JSON.createArrayBuilder();
    }

    static JsonArray arrayOf(List<? extends JsonValue> values) {
        JsonArrayBuilder builder = array();
        values.forEach(builder::add);
        return builder.build();
    }

    /** The string field, or {@code null} when absent or not a string. */
    static String text(JsonObject object, String name) {
        return object != null && object.get(name) instanceof JsonString string ? string.getString() : null;
    }

    /** The object field, or {@code null} when absent or not an object. */
    static JsonObject objectField(JsonObject object, String name) {
        return object != null && object.get(name) instanceof JsonObject value ? value : null;
    }

    /** The array field, or {@code null} when absent or not an array. */
    static JsonArray arrayField(JsonObject object, String name) {
        return object != null && object.get(name) instanceof JsonArray value ? value : null;
    }

    /** Whitespace-separated words of a text: the fakes' token count. */
    static int words(String text) {
        if (text == null || text.isBlank()) {
            return 0;
        }
        return text.strip().split("\\s+").length;
    }

    /** Every string anywhere inside a JSON value, joined with spaces. */
    static String allText(JsonValue value) {
        StringBuilder out = new StringBuilder();
        collect(value, out);
        return out.toString().strip();
    }

    private static void collect(JsonValue value, StringBuilder out) {
        if (value instanceof JsonString string) {
            out.append(string.getString()).append(' ');
        } else if (value instanceof JsonArray array) {
            array.forEach(item -> collect(item, out));
        } else if (value instanceof JsonObject object) {
            object.values().forEach(item -> collect(item, out));
        }
    }

    /** The first {@code count} words of a text. */
    static String firstWords(String text, int count) {
        String[] words = text.strip().split("\\s+");
        return String.join(" ", java.util.Arrays.copyOf(words, Math.min(count, words.length)));
    }

    /** The text split into stream pieces: the first word, then each further word with its leading space. */
    static List<String> pieces(String text) {
        List<String> pieces = new ArrayList<>();
        String[] words = text.split(" ", -1);
        for (int i = 0; i < words.length; i++) {
            pieces.add(i == 0 ? words[i] : " " + words[i]);
        }
        pieces.removeIf(String::isEmpty);
        return pieces;
    }

    /** The JSON text split into up to three fragments, as streamed tool arguments arrive. */
    static List<String> fragments(String json) {
        if (json.length() < 6) {
            return List.of(json);
        }
        int third = json.length() / 3;
        return List.of(json.substring(0, third), json.substring(third, 2 * third), json.substring(2 * third));
    }

    /** A deterministic unit-length-ish vector for a text: the same text always gives the same numbers. */
    static JsonArray vector(String text, int dimensions) {
        JsonArrayBuilder values = array();
        int seed = text.hashCode();
        for (int i = 0; i < dimensions; i++) {
            seed = seed * 1_103_515_245 + 12_345;
            int bucket = (seed >>> 8) % 2001;
            values.add(JSON.createValue((bucket - 1000) / 1000.0 / Math.sqrt(dimensions)));
        }
        return values.build();
    }

    /**
     * A sample value for a JSON schema, used when a fake is forced to call a tool: required properties
     * get a placeholder of their type ({@code "example"}, {@code 1}, {@code true}, {@code []}, an object
     * of its own required properties, the first enum value).
     */
    static JsonValue sample(JsonObject schema) {
        if (schema == null) {
            return JsonValue.EMPTY_JSON_OBJECT;
        }
        JsonArray values = arrayField(schema, "enum");
        if (values != null && !values.isEmpty()) {
            return values.get(0);
        }
        String type = text(schema, "type");
        type = type == null ? "object" : type.toLowerCase(Locale.ROOT);
        return switch (type) {
            case "string" -> JSON.createValue("example");
            case "integer", "number" -> JSON.createValue(1);
            case "boolean" -> JsonValue.TRUE;
            case "array" -> JsonValue.EMPTY_JSON_ARRAY;
            default -> {
                JsonObjectBuilder object = object();
                JsonObject properties = objectField(schema, "properties");
                JsonArray required = arrayField(schema, "required");
                if (properties != null && required != null) {
                    for (JsonValue name : required) {
                        if (name instanceof JsonString string && properties.get(string.getString())
                                instanceof JsonObject property) {
                            object.add(string.getString(), sample(property));
                        }
                    }
                }
                yield object.build();
            }
        };
    }

    /** Whether a value is a JSON integer at least {@code min}. */
    static boolean isInteger(JsonValue value, long min) {
        return value instanceof JsonNumber number && number.isIntegral() && number.longValue() >= min;
    }

    /** Whether a value is a number within the range. */
    static boolean inRange(JsonValue value, double min, double max) {
        return value instanceof JsonNumber number && number.doubleValue() >= min && number.doubleValue() <= max;
    }

    /** Whether the text is valid standard base64. */
    static boolean isBase64(String text) {
        if (text == null || text.isEmpty()) {
            return false;
        }
        try {
            Base64.getDecoder().decode(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The body as a JSON object, or {@code null} when it is not one. */
    static JsonObject parseOrNull(RecordedRequest request) {
        if (request.body().length == 0) {
            return null;
        }
        try {
            return JsonBodies.parse(request.body());
        } catch (GatewayException | IllegalStateException e) {
            return null;
        }
    }

    /** A JSON object parsed from text, or {@code null} when the text is not one. */
    static JsonObject parseValueOrNull(String text) {
        try {
            return JsonBodies.parse(text.getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Whether the request says its body is JSON. */
    static boolean jsonContentType(RecordedRequest request) {
        String type = request.header("content-type");
        return type != null && type.toLowerCase(Locale.ROOT).startsWith("application/json");
    }

    /** A body to text. */
    static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Unknown keys of an object, in order. */
    static List<String> unknownKeys(JsonObject object, Set<String> known) {
        return object.keySet().stream().filter(key -> !known.contains(key)).toList();
    }

    /** A request the fake rejects: status, the provider's error type or status string, and the message. */
    static class Rejection extends RuntimeException {
        private final int status;
        private final String kind;

        Rejection(int status, String kind, String message) {
            super(message, null, false, false);
            this.status = status;
            this.kind = kind;
        }

        int status() {
            return status;
        }

        String kind() {
            return kind;
        }
    }

    /** Replies queued by a test for the next requests a fake accepts. */
    static final class Script {
        private final Queue<Reply> next = new ConcurrentLinkedQueue<>();

        void add(Reply reply) {
            next.add(java.util.Objects.requireNonNull(reply, "reply"));
        }

        /** The next queued reply, or {@code null} when none is queued. */
        Reply poll() {
            return next.poll();
        }

        void clear() {
            next.clear();
        }

        int size() {
            return next.size();
        }
    }
}
