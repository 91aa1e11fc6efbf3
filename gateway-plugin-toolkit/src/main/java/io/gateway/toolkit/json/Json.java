package io.gateway.toolkit.json;

import io.gateway.spi.JsonBodies;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonParser;
import java.io.StringReader;

/**
 * JSON builders over the server's shared provider, and lenient typed reads of fields.
 *
 * <p>Builders come from {@link JsonBodies#provider()}: {@code jakarta.json.Json.createXxx()} looks a
 * provider up on every call, which is slow and may fail inside a plugin's class loader.
 *
 * <p>The readers are lenient, for answers of upstreams and for optional parts of requests: a field that
 * is absent, JSON {@code null} or of another type reads as {@code null} (or the given fallback), and a
 * {@code null} object reads as an empty one, so reads can be chained
 * ({@code text(objectField(body, "error"), "message")}). For client fields whose wrong type must answer
 * 400, use {@link RequestFields}. Stateless and thread-safe.
 */
public final class Json {

    private static final JsonProvider PROVIDER = JsonBodies.provider();

    private Json() {
    }

    /**
     * A new object builder.
     *
     * @return the builder
     */
    public static JsonObjectBuilder object() {
        return PROVIDER.createObjectBuilder();
    }

    /**
     * A new object builder holding a copy of an object's fields.
     *
     * @param copy the object to start from
     * @return the builder
     */
    public static JsonObjectBuilder object(JsonObject copy) {
        return PROVIDER.createObjectBuilder(copy);
    }

    /**
     * A new array builder.
     *
     * @return the builder
     */
    public static JsonArrayBuilder array() {
        return PROVIDER.createArrayBuilder();
    }

    /**
     * A JSON string.
     *
     * @param value the text, not {@code null}
     * @return the value
     */
    public static JsonString string(String value) {
        return PROVIDER.createValue(value);
    }

    /**
     * A JSON string, or JSON {@code null} for {@code null}.
     *
     * @param value the text, may be {@code null}
     * @return the value
     */
    public static JsonValue stringOrNull(String value) {
        return value == null ? JsonValue.NULL : string(value);
    }

    /**
     * A JSON number.
     *
     * @param value the number
     * @return the value
     */
    public static JsonNumber number(long value) {
        return PROVIDER.createValue(value);
    }

    /**
     * A JSON number.
     *
     * @param value the number, finite
     * @return the value
     */
    public static JsonNumber number(double value) {
        return PROVIDER.createValue(value);
    }

    /**
     * Whether a value is missing: absent ({@code null}) or JSON {@code null}.
     *
     * @param value a field's value, may be {@code null}
     * @return {@code true} if absent or JSON null
     */
    public static boolean absent(JsonValue value) {
        return value == null || value.getValueType() == JsonValue.ValueType.NULL;
    }

    /**
     * A string field.
     *
     * @param object the object, may be {@code null}
     * @param name   the field
     * @return the string, or {@code null} when absent or not a string
     */
    public static String text(JsonObject object, String name) {
        if (object == null) {
            return null;
        }
        return object.get(name) instanceof JsonString string ? string.getString() : null;
    }

    /**
     * An object field.
     *
     * @param object the object, may be {@code null}
     * @param name   the field
     * @return the object, or {@code null} when absent or not an object
     */
    public static JsonObject objectField(JsonObject object, String name) {
        if (object == null) {
            return null;
        }
        return object.get(name) instanceof JsonObject value ? value : null;
    }

    /**
     * An array field.
     *
     * @param object the object, may be {@code null}
     * @param name   the field
     * @return the array, or {@code null} when absent or not an array
     */
    public static JsonArray arrayField(JsonObject object, String name) {
        if (object == null) {
            return null;
        }
        return object.get(name) instanceof JsonArray value ? value : null;
    }

    /**
     * A number field as a {@code long} (fractions cut off).
     *
     * @param object   the object, may be {@code null}
     * @param name     the field
     * @param fallback the value when absent or not a number
     * @return the number
     */
    public static long longField(JsonObject object, String name, long fallback) {
        if (object == null) {
            return fallback;
        }
        return object.get(name) instanceof JsonNumber number ? number.longValue() : fallback;
    }

    /**
     * A number field as an {@code int} (fractions cut off).
     *
     * @param object   the object, may be {@code null}
     * @param name     the field
     * @param fallback the value when absent or not a number
     * @return the number
     */
    public static int intField(JsonObject object, String name, int fallback) {
        if (object == null) {
            return fallback;
        }
        return object.get(name) instanceof JsonNumber number ? number.intValue() : fallback;
    }

    /**
     * Whether a field is JSON {@code true}.
     *
     * @param object the object, may be {@code null}
     * @param name   the field
     * @return {@code true} only for {@code true}
     */
    public static boolean flag(JsonObject object, String name) {
        return object != null && object.get(name) == JsonValue.TRUE;
    }

    /**
     * A field's value when present and not JSON {@code null}, else a fallback: for answers that echo
     * what the request set, or report the upstream's default.
     *
     * @param object   the object
     * @param name     the field
     * @param fallback the value otherwise, may be {@code null}
     * @return the value
     */
    public static JsonValue valueOr(JsonObject object, String name, JsonValue fallback) {
        JsonValue value = object.get(name);
        return absent(value) ? fallback : value;
    }

    /**
     * Parses a text that must be exactly one JSON value of any kind (object, array, string, number,
     * literal). Unlike a {@code JsonReader}, which stops after the first value, trailing content makes
     * the text invalid: {@code "14:00"} is not the number 14.
     *
     * @param text the text, may be {@code null}
     * @return the value, or {@code null} when the text is {@code null}, blank or not one JSON value
     */
    public static JsonValue parseValue(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try (JsonParser parser = PROVIDER.createParser(new StringReader(text))) {
            if (!parser.hasNext()) {
                return null;
            }
            parser.next();
            JsonValue value = parser.getValue();
            return parser.hasNext() ? null : value;
        } catch (JsonException | IllegalStateException | java.util.NoSuchElementException e) {
            return null;
        }
    }
}
