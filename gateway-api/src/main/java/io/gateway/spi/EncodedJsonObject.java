package io.gateway.spi;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.AbstractMap;
import java.util.Collection;
import java.util.Set;

/**
 * A JSON object together with the exact bytes that encode it, so that {@link JsonBodies#toBytes}
 * returns those bytes instead of serializing the object again. Created only through
 * {@link JsonBodies#withEncoding(JsonObject, byte[])}; behaves in every other way as the object it
 * wraps. Immutable as long as nobody modifies the array handed to it (the factory's contract).
 */
final class EncodedJsonObject extends AbstractMap<String, JsonValue> implements JsonObject {

    private final JsonObject object;
    private final byte[] bytes;

    EncodedJsonObject(JsonObject object, byte[] bytes) {
        this.object = object;
        this.bytes = bytes;
    }

    byte[] bytes() {
        return bytes;
    }

    @Override
    public Set<Entry<String, JsonValue>> entrySet() {
        return object.entrySet();
    }

    @Override
    public JsonValue get(Object key) {
        return object.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return object.containsKey(key);
    }

    @Override
    public int size() {
        return object.size();
    }

    @Override
    public Set<String> keySet() {
        return object.keySet();
    }

    @Override
    public Collection<JsonValue> values() {
        return object.values();
    }

    @Override
    public JsonArray getJsonArray(String name) {
        return object.getJsonArray(name);
    }

    @Override
    public JsonObject getJsonObject(String name) {
        return object.getJsonObject(name);
    }

    @Override
    public JsonNumber getJsonNumber(String name) {
        return object.getJsonNumber(name);
    }

    @Override
    public JsonString getJsonString(String name) {
        return object.getJsonString(name);
    }

    @Override
    public String getString(String name) {
        return object.getString(name);
    }

    @Override
    public String getString(String name, String defaultValue) {
        return object.getString(name, defaultValue);
    }

    @Override
    public int getInt(String name) {
        return object.getInt(name);
    }

    @Override
    public int getInt(String name, int defaultValue) {
        return object.getInt(name, defaultValue);
    }

    @Override
    public boolean getBoolean(String name) {
        return object.getBoolean(name);
    }

    @Override
    public boolean getBoolean(String name, boolean defaultValue) {
        return object.getBoolean(name, defaultValue);
    }

    @Override
    public boolean isNull(String name) {
        return object.isNull(name);
    }

    @Override
    public ValueType getValueType() {
        return ValueType.OBJECT;
    }

    @Override
    public boolean equals(Object other) {
        return object.equals(other);
    }

    @Override
    public int hashCode() {
        return object.hashCode();
    }

    @Override
    public String toString() {
        return object.toString();
    }

    /** Unwraps nested wrapping, so the object inside is never itself encoded. */
    static JsonObject plain(JsonObject object) {
        return object instanceof EncodedJsonObject encoded ? encoded.object : object;
    }
}
