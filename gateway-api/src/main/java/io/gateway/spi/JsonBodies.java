package io.gateway.spi;

import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import jakarta.json.JsonWriter;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonParsingException;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;

/**
 * JSON-P helpers for bodies, backed by one shared {@link JsonProvider}.
 *
 * <p>{@code jakarta.json.Json.createXxx()} looks the provider up on every call, which is slow and,
 * inside a plugin's class loader, may not find the server's implementation. Use
 * {@link #provider()} (or these helpers) instead. Thread-safe.
 */
public final class JsonBodies {

    private static final JsonProvider PROVIDER = JsonProvider.provider();

    private JsonBodies() {
    }

    /**
     * The shared JSON-P provider: builders, readers, writers, generators.
     *
     * @return the provider
     */
    public static JsonProvider provider() {
        return PROVIDER;
    }

    /**
     * Parses UTF-8 bytes holding one JSON object.
     *
     * @param bytes the document
     * @return the object
     * @throws GatewayException 502 {@link ErrorCode#BAD_UPSTREAM_RESPONSE} if it is not a JSON object
     */
    public static JsonObject parse(byte[] bytes) {
        // UTF-8 (RFC 8259); a String reader avoids the 8 KB decoder buffer of an InputStreamReader
        try (JsonReader reader = PROVIDER.createReader(new StringReader(new String(bytes,
                java.nio.charset.StandardCharsets.UTF_8)))) {
            JsonValue value = reader.readValue();
            if (value.getValueType() != JsonValue.ValueType.OBJECT) {
                throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "expected a JSON object");
            }
            return value.asJsonObject();
        } catch (JsonParsingException e) {
            throw new GatewayException(ErrorCode.BAD_UPSTREAM_RESPONSE, "the body is not valid JSON", null, null, e);
        } catch (JsonException e) {
            throw new GatewayException(ErrorCode.BAD_UPSTREAM_RESPONSE, "the body is not valid JSON", null, null, e);
        }
    }

    /**
     * Parses a string holding one JSON object.
     *
     * @param text the document
     * @return the object
     * @throws GatewayException 502 if it is not a JSON object
     */
    public static JsonObject parse(String text) {
        try (JsonReader reader = PROVIDER.createReader(new StringReader(text))) {
            JsonValue value = reader.readValue();
            if (value.getValueType() != JsonValue.ValueType.OBJECT) {
                throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "expected a JSON object");
            }
            return value.asJsonObject();
        } catch (JsonException e) {
            throw new GatewayException(ErrorCode.BAD_UPSTREAM_RESPONSE, "the data is not valid JSON", null, null, e);
        }
    }

    /**
     * Serializes a JSON value as compact UTF-8.
     *
     * @param value the value
     * @return the bytes
     */
    public static byte[] toBytes(JsonValue value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonWriter writer = PROVIDER.createWriter(out)) {
            writer.write(value);
        }
        return out.toByteArray();
    }

    /**
     * A string field of an object, or {@code null} when absent or not a string.
     *
     * @param object the object, may be {@code null}
     * @param name   the field
     * @return the string, or {@code null}
     */
    public static String string(JsonObject object, String name) {
        if (object == null) {
            return null;
        }
        JsonValue value = object.get(name);
        if (value == null) {
            return null;
        }
        return switch (value.getValueType()) {
            case STRING -> ((jakarta.json.JsonString) value).getString();
            case NUMBER -> value.toString();
            default -> null;
        };
    }
}
