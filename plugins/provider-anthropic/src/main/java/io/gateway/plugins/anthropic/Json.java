package io.gateway.plugins.anthropic;

import io.gateway.spi.JsonBodies;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;

/**
 * Small JSON-P helpers over the server's shared provider ({@link JsonBodies#provider()}): the plugin's
 * class loader cannot look a provider up itself.
 */
final class Json {

    private Json() {
    }

    static JsonObjectBuilder object() {
        return JsonBodies.provider().createObjectBuilder();
    }

    static JsonObjectBuilder object(JsonObject copy) {
        return JsonBodies.provider().createObjectBuilder(copy);
    }

    static JsonArrayBuilder array() {
        return JsonBodies.provider().createArrayBuilder();
    }

    static JsonString string(String value) {
        return JsonBodies.provider().createValue(value);
    }

    static JsonValue stringOrNull(String value) {
        return value == null ? JsonValue.NULL : string(value);
    }

    static JsonNumber number(long value) {
        return JsonBodies.provider().createValue(value);
    }

    static JsonNumber number(double value) {
        return JsonBodies.provider().createValue(value);
    }

    /** Whether a field is absent or JSON {@code null}. */
    static boolean absent(JsonValue value) {
        return value == null || value == JsonValue.NULL;
    }

    /** A field that must be a string, or {@code null} when absent, JSON null or of another type. */
    static String text(JsonObject object, String name) {
        if (object == null) {
            return null;
        }
        return object.get(name) instanceof JsonString string ? string.getString() : null;
    }

    static JsonObject objectField(JsonObject object, String name) {
        if (object == null) {
            return null;
        }
        return object.get(name) instanceof JsonObject value ? value : null;
    }

    static JsonArray arrayField(JsonObject object, String name) {
        if (object == null) {
            return null;
        }
        return object.get(name) instanceof JsonArray value ? value : null;
    }

    /** An integral number field, or {@code fallback} when absent or not a number. */
    static long longField(JsonObject object, String name, long fallback) {
        if (object == null) {
            return fallback;
        }
        return object.get(name) instanceof JsonNumber number ? number.longValue() : fallback;
    }

    /**
     * Parses any JSON document (object, array, string, number…).
     *
     * @param text the document
     * @return the value, or {@code null} if it is not valid JSON
     */
    static JsonValue parseValue(String text) {
        try (JsonReader reader = JsonBodies.provider().createReader(new StringReader(text))) {
            return reader.readValue();
        } catch (JsonException e) {
            return null;
        }
    }
}
