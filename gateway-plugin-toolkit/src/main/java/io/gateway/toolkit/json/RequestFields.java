package io.gateway.toolkit.json;

import io.gateway.spi.GatewayException;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.math.BigDecimal;

/**
 * Strict reads of a client request's fields: a field of the wrong type answers 400
 * ({@link GatewayException#invalidRequest(String, String)}) naming it, the way the upstream would, so a
 * client learns what to fix before any upstream call. An optional field that is absent or JSON
 * {@code null} reads as {@code null} (or the given default). Stateless and thread-safe.
 *
 * <p>{@code param} arguments name the field in the error ({@code error.param}); pass the path a client
 * recognises, e.g. {@code messages[2].content}.
 */
public final class RequestFields {

    private RequestFields() {
    }

    /**
     * A string field that must be present.
     *
     * @param body  the object holding the field
     * @param name  the field
     * @param param the field's path for the error
     * @return the string
     * @throws GatewayException 400 when absent or not a string
     */
    public static String string(JsonObject body, String name, String param) {
        if (!(body.get(name) instanceof JsonString string)) {
            throw GatewayException.invalidRequest("'" + name + "' must be a string", param);
        }
        return string.getString();
    }

    /**
     * An optional string field.
     *
     * @param body  the object holding the field
     * @param name  the field
     * @param param the field's path for the error
     * @return the string, or {@code null} when absent or JSON null
     * @throws GatewayException 400 when of another type
     */
    public static String optionalString(JsonObject body, String name, String param) {
        JsonString string = optional(body, name, param, JsonString.class, "a string");
        return string == null ? null : string.getString();
    }

    /**
     * An optional number field.
     *
     * @param body the object holding the field
     * @param name the field, also its path for the error
     * @return the number, or {@code null} when absent or JSON null
     * @throws GatewayException 400 when of another type
     */
    public static JsonNumber optionalNumber(JsonObject body, String name) {
        return optional(body, name, name, JsonNumber.class, "a number");
    }

    /**
     * An optional integer field within bounds: a number without a fraction part in its text
     * ({@link JsonNumber#isIntegral()}, so {@code 2.0} is not one) and within the bounds however large it
     * is ({@code 1e30} is out of range, not wrapped).
     *
     * @param body the object holding the field
     * @param name the field, also its path for the error
     * @param min  the smallest value allowed
     * @param max  the largest value allowed
     * @return the value, or {@code null} when absent or JSON null
     * @throws GatewayException 400 when not an integer from {@code min} to {@code max}
     */
    public static Integer optionalInteger(JsonObject body, String name, int min, int max) {
        JsonValue value = body.get(name);
        if (Json.absent(value)) {
            return null;
        }
        if (value instanceof JsonNumber number && number.isIntegral()) {
            BigDecimal exact = number.bigDecimalValue();
            if (exact.compareTo(BigDecimal.valueOf(min)) >= 0 && exact.compareTo(BigDecimal.valueOf(max)) <= 0) {
                return exact.intValueExact();
            }
        }
        String range = max == Integer.MAX_VALUE
                ? (min == 1 ? "a positive integer" : "an integer of at least " + min)
                : "an integer from " + min + " to " + max;
        throw GatewayException.invalidRequest("'" + name + "' must be " + range, name);
    }

    /**
     * An integer field within bounds, with a default.
     *
     * @param body         the object holding the field
     * @param name         the field, also its path for the error
     * @param min          the smallest value allowed
     * @param max          the largest value allowed
     * @param defaultValue the value when absent or JSON null
     * @return the value
     * @throws GatewayException 400 when not an integer from {@code min} to {@code max}
     */
    public static int integer(JsonObject body, String name, int min, int max, int defaultValue) {
        Integer value = optionalInteger(body, name, min, max);
        return value == null ? defaultValue : value;
    }

    /**
     * An optional object field.
     *
     * @param body  the object holding the field
     * @param name  the field
     * @param param the field's path for the error
     * @return the object, or {@code null} when absent or JSON null
     * @throws GatewayException 400 when of another type
     */
    public static JsonObject optionalObject(JsonObject body, String name, String param) {
        return optional(body, name, param, JsonObject.class, "an object");
    }

    /**
     * An optional array field.
     *
     * @param body  the object holding the field
     * @param name  the field
     * @param param the field's path for the error
     * @return the array, or {@code null} when absent or JSON null
     * @throws GatewayException 400 when of another type
     */
    public static JsonArray optionalArray(JsonObject body, String name, String param) {
        return optional(body, name, param, JsonArray.class, "an array");
    }

    private static <T extends JsonValue> T optional(JsonObject body, String name, String param, Class<T> type,
                                                    String kind) {
        JsonValue value = body.get(name);
        if (Json.absent(value)) {
            return null;
        }
        if (!type.isInstance(value)) {
            throw GatewayException.invalidRequest("'" + name + "' must be " + kind, param);
        }
        return type.cast(value);
    }

    /**
     * A string field that must be one of a few values.
     *
     * @param body         the object holding the field
     * @param name         the field, also its path for the error
     * @param defaultValue the value when absent or JSON null
     * @param allowed      the values allowed
     * @return the value (one of {@code allowed}, or the default)
     * @throws GatewayException 400 naming the allowed values otherwise
     */
    public static String choice(JsonObject body, String name, String defaultValue, String... allowed) {
        JsonValue value = body.get(name);
        if (Json.absent(value)) {
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
}
