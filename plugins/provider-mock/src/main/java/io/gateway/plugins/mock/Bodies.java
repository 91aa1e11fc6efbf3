package io.gateway.plugins.mock;

import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import java.math.BigDecimal;

/**
 * JSON building and request-field reading shared by the operations.
 *
 * <p>Builders come from the SPI's shared provider: {@code Json.createXxx} would look a provider up on
 * every call and, inside this plugin's class loader, might not find the server's one.
 */
final class Bodies {

    private static final JsonProvider JSON = JsonBodies.provider();

    private Bodies() {
    }

    static JsonObjectBuilder object() {
        return JSON.createObjectBuilder();
    }

    static JsonArrayBuilder array() {
        return JSON.createArrayBuilder();
    }

    /**
     * An optional integer field, validated like the upstream would so that clients see the same 400.
     *
     * @return the value, or {@code defaultValue} when absent or {@code null}
     */
    static int integer(JsonObject body, String name, int min, int max, int defaultValue) {
        Integer value = optionalInteger(body, name, min, max);
        return value == null ? defaultValue : value;
    }

    /** Like {@link #integer} but tells absence apart, for limits such as {@code max_tokens}. */
    static Integer optionalInteger(JsonObject body, String name, int min, int max) {
        JsonValue value = body.get(name);
        if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
            return null;
        }
        if (value instanceof JsonNumber number && number.isIntegral()) {
            long n = number.longValue();
            if (n >= min && n <= max && number.bigDecimalValue().compareTo(BigDecimal.valueOf(n)) == 0) {
                return (int) n;
            }
        }
        throw GatewayException.invalidRequest("'" + name + "' must be an integer from " + min + " to " + max, name);
    }

    /** A string field that must be one of a few values when present; absent or null gives the default. */
    static String choice(JsonObject body, String name, String defaultValue, String... allowed) {
        JsonValue value = body.get(name);
        if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
            return defaultValue;
        }
        if (value instanceof JsonString string) {
            for (String candidate : allowed) {
                if (candidate.equals(string.getString())) {
                    return candidate;
                }
            }
        }
        throw GatewayException.invalidRequest("'" + name + "' must be one of " + String.join(", ", allowed), name);
    }

    /** {@code stream_options.include_usage}, which chat and text completion streams honour. */
    static boolean includeUsage(JsonObject body) {
        JsonValue options = body.get("stream_options");
        return options instanceof JsonObject object && object.get("include_usage") == JsonValue.TRUE;
    }

    /** The request's value for a field the answer echoes, or the default the upstream reports. */
    static JsonValue echo(JsonObject body, String name, JsonValue defaultValue) {
        JsonValue value = body.get(name);
        return value == null || value.getValueType() == JsonValue.ValueType.NULL ? defaultValue : value;
    }

    static JsonValue string(String value) {
        return JSON.createValue(value);
    }

    static JsonValue number(double value) {
        return JSON.createValue(value);
    }
}
