package io.gateway.plugins.gemini;

import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParser;
import java.io.StringReader;

/**
 * Small JSON-P helpers over the server's shared provider: builders, lenient readers for upstream
 * answers, and strict readers for client fields that answer 400 naming the field at fault.
 */
final class Json {

    private Json() {
    }

    static JsonObjectBuilder object() {
        return JsonBodies.provider().createObjectBuilder();
    }

    static JsonArrayBuilder array() {
        return JsonBodies.provider().createArrayBuilder();
    }

    static JsonValue string(String value) {
        return JsonBodies.provider().createValue(value);
    }

    static JsonValue number(long value) {
        return JsonBodies.provider().createValue(value);
    }

    static boolean isNull(JsonValue value) {
        return value == null || value.getValueType() == JsonValue.ValueType.NULL;
    }

    /** An object field, or {@code null} when absent or of another type. */
    static JsonObject object(JsonObject parent, String name) {
        if (parent == null) {
            return null;
        }
        return parent.get(name) instanceof JsonObject object ? object : null;
    }

    /** An array field, or {@code null} when absent or of another type. */
    static JsonArray array(JsonObject parent, String name) {
        if (parent == null) {
            return null;
        }
        return parent.get(name) instanceof JsonArray array ? array : null;
    }

    /** A string field, or {@code null} when absent or of another type. */
    static String text(JsonObject parent, String name) {
        if (parent == null) {
            return null;
        }
        return parent.get(name) instanceof JsonString string ? string.getString() : null;
    }

    /** A whole-number field, or {@code 0} when absent or of another type. */
    static long count(JsonObject parent, String name) {
        if (parent == null) {
            return 0;
        }
        return parent.get(name) instanceof JsonNumber number ? number.longValue() : 0;
    }

    /** An integer field, or {@code fallback} when absent or of another type. */
    static int integer(JsonObject parent, String name, int fallback) {
        if (parent == null) {
            return fallback;
        }
        return parent.get(name) instanceof JsonNumber number ? number.intValue() : fallback;
    }

    /** Parses any JSON value, or answers {@code null} when the text is not JSON. */
    static JsonValue parseValue(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        // a reader stops after the first value ("14:00" would read as 14): the whole text must be one value
        try (JsonParser parser = JsonBodies.provider().createParser(new StringReader(text))) {
            if (!parser.hasNext()) {
                return null;
            }
            parser.next();
            JsonValue value = parser.getValue();
            return parser.hasNext() ? null : value;
        } catch (JsonException | IllegalStateException e) {
            return null;
        }
    }

    // ---- strict readers for client requests: wrong types answer 400 naming the field ----

    static String requiredString(JsonObject body, String name, String param) {
        JsonValue value = body.get(name);
        if (!(value instanceof JsonString string)) {
            throw GatewayException.invalidRequest("'" + name + "' must be a string", param);
        }
        return string.getString();
    }

    static String optionalString(JsonObject body, String name, String param) {
        JsonValue value = body.get(name);
        if (isNull(value)) {
            return null;
        }
        if (!(value instanceof JsonString string)) {
            throw GatewayException.invalidRequest("'" + name + "' must be a string", param);
        }
        return string.getString();
    }

    static JsonNumber optionalNumber(JsonObject body, String name) {
        JsonValue value = body.get(name);
        if (isNull(value)) {
            return null;
        }
        if (!(value instanceof JsonNumber number)) {
            throw GatewayException.invalidRequest("'" + name + "' must be a number", name);
        }
        return number;
    }

    static Integer optionalInteger(JsonObject body, String name, int min) {
        JsonNumber number = optionalNumber(body, name);
        if (number == null) {
            return null;
        }
        if (!number.isIntegral() || number.longValue() < min || number.longValue() > Integer.MAX_VALUE) {
            throw GatewayException.invalidRequest("'" + name + "' must be an integer of at least " + min, name);
        }
        return number.intValue();
    }

    static JsonObject optionalObject(JsonObject body, String name, String param) {
        JsonValue value = body.get(name);
        if (isNull(value)) {
            return null;
        }
        if (!(value instanceof JsonObject object)) {
            throw GatewayException.invalidRequest("'" + name + "' must be an object", param);
        }
        return object;
    }

    static JsonArray optionalArray(JsonObject body, String name, String param) {
        JsonValue value = body.get(name);
        if (isNull(value)) {
            return null;
        }
        if (!(value instanceof JsonArray array)) {
            throw GatewayException.invalidRequest("'" + name + "' must be an array", param);
        }
        return array;
    }

    static boolean flag(JsonObject body, String name) {
        return body != null && body.get(name) == JsonValue.TRUE;
    }

    /** The request's value of a field when present and not null, else {@code fallback}, for echoing. */
    static JsonValue echo(JsonObject body, String name, JsonValue fallback) {
        JsonValue value = body.get(name);
        return isNull(value) ? fallback : value;
    }
}
