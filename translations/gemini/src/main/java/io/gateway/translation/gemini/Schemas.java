package io.gateway.translation.gemini;

import io.gateway.spi.GatewayException;
import io.gateway.toolkit.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Converts the JSON Schema of OpenAI tools and structured outputs to Gemini's {@code Schema}, the
 * subset of OpenAPI 3.0 that {@code parameters} and {@code responseSchema} accept.
 *
 * <p>Gemini rejects fields it does not know ({@code additionalProperties}, {@code $schema},
 * {@code strict}, …) with 400, so only its fields are kept. Type unions become {@code nullable} or
 * {@code anyOf}, {@code $ref}s into {@code $defs}/{@code definitions} are inlined (recursive schemas
 * cannot be expressed and answer 400), {@code const} becomes a one-value {@code enum}, and formats
 * Gemini does not support are dropped.
 */
final class Schemas {

    private static final int MAX_DEPTH = 40;
    private static final Set<String> TYPES = Set.of("string", "number", "integer", "boolean", "array", "object",
            "null");

    private Schemas() {
    }

    /**
     * Converts a schema.
     *
     * @param schema the JSON Schema
     * @param param  the request field to name in errors
     * @return Gemini's schema
     */
    static JsonObject toGemini(JsonValue schema, String param) {
        if (!(schema instanceof JsonObject root)) {
            throw GatewayException.invalidRequest("a JSON schema must be an object", param);
        }
        return new Schemas.Converter(root, param).convert(root, 0, new ArrayList<>());
    }

    /** Whether a converted object schema declares no properties (Gemini rejects such parameters). */
    static boolean isEmptyObject(JsonObject schema) {
        JsonObject properties = Json.objectField(schema, "properties");
        return "OBJECT".equals(Json.text(schema, "type")) && (properties == null || properties.isEmpty())
                && !schema.containsKey("anyOf");
    }

    private record Converter(JsonObject root, String param) {

        JsonObject convert(JsonObject schema, int depth, List<String> refs) {
            if (depth > MAX_DEPTH) {
                throw GatewayException.invalidRequest("the JSON schema is nested too deeply for gemini", param);
            }
            String ref = Json.text(schema, "$ref");
            if (ref != null) {
                if (refs.contains(ref)) {
                    throw GatewayException.invalidRequest("gemini schemas cannot be recursive ('" + ref
                            + "' refers to itself)", param);
                }
                List<String> inner = new ArrayList<>(refs);
                inner.add(ref);
                JsonObject target = resolve(ref);
                JsonObjectBuilder merged = Json.object();
                target.forEach(merged::add);
                // keywords beside $ref (a description, say) refine the target
                schema.forEach((key, value) -> {
                    if (!key.equals("$ref")) {
                        merged.add(key, value);
                    }
                });
                return convert(merged.build(), depth + 1, inner);
            }
            JsonArray allOf = Json.arrayField(schema, "allOf");
            if (allOf != null && allOf.size() == 1 && allOf.get(0) instanceof JsonObject only) {
                JsonObjectBuilder merged = Json.object();
                only.forEach(merged::add);
                schema.forEach((key, value) -> {
                    if (!key.equals("allOf")) {
                        merged.add(key, value);
                    }
                });
                return convert(merged.build(), depth + 1, refs);
            }
            if (allOf != null) {
                throw GatewayException.invalidRequest("gemini schemas do not support 'allOf'", param);
            }

            JsonObjectBuilder out = Json.object();
            boolean nullable = schema.get("nullable") == JsonValue.TRUE;
            String type = null;
            List<String> unionTypes = new ArrayList<>();
            JsonValue typeValue = schema.get("type");
            if (typeValue instanceof JsonString string) {
                type = normalizeType(string.getString());
            } else if (typeValue instanceof JsonArray types) {
                for (JsonValue value : types) {
                    if (!(value instanceof JsonString string)) {
                        throw GatewayException.invalidRequest("schema 'type' entries must be strings", param);
                    }
                    String normalized = normalizeType(string.getString());
                    if (normalized.equals("NULL")) {
                        nullable = true;
                    } else {
                        unionTypes.add(normalized);
                    }
                }
                if (unionTypes.size() == 1) {
                    type = unionTypes.get(0);
                    unionTypes.clear();
                }
            }

            JsonArray anyOf = Json.arrayField(schema, "anyOf");
            if (anyOf == null) {
                anyOf = Json.arrayField(schema, "oneOf");
            }
            List<JsonObject> variants = new ArrayList<>();
            if (anyOf != null) {
                for (JsonValue value : anyOf) {
                    if (!(value instanceof JsonObject variant)) {
                        throw GatewayException.invalidRequest("'anyOf' entries must be schemas", param);
                    }
                    if (isNullSchema(variant)) {
                        nullable = true;
                    } else {
                        variants.add(variant);
                    }
                }
            }

            if (variants.size() == 1 && type == null && unionTypes.isEmpty()) {
                // {anyOf: [X, {type: null}]} is "X or null": X itself, nullable
                JsonObject single = convert(variants.get(0), depth + 1, refs);
                JsonObjectBuilder copy = Json.object();
                single.forEach(copy::add);
                copyAnnotations(schema, copy);
                if (nullable) {
                    copy.add("nullable", true);
                }
                return copy.build();
            }
            if (!variants.isEmpty()) {
                JsonArrayBuilder converted = Json.array();
                for (JsonObject variant : variants) {
                    converted.add(convert(variant, depth + 1, refs));
                }
                out.add("anyOf", converted);
            } else if (!unionTypes.isEmpty()) {
                JsonArrayBuilder converted = Json.array();
                for (String union : unionTypes) {
                    JsonObjectBuilder variant = Json.object();
                    variant.add("type", union);
                    converted.add(variant);
                }
                out.add("anyOf", converted);
            }

            JsonArray enumValues = Json.arrayField(schema, "enum");
            JsonValue constValue = schema.get("const");
            if (enumValues == null && constValue != null && !Json.absent(constValue)) {
                enumValues = Json.array().add(constValue).build();
            }
            if (enumValues != null) {
                JsonArrayBuilder strings = Json.array();
                for (JsonValue value : enumValues) {
                    if (Json.absent(value)) {
                        nullable = true;
                    } else if (value instanceof JsonString string) {
                        strings.add(string.getString());
                    } else {
                        strings.add(value.toString());
                    }
                }
                out.add("enum", strings);
                if (type == null) {
                    type = "STRING";
                }
                if (type.equals("STRING")) {
                    out.add("format", "enum");
                }
            }

            if (type == null && (schema.containsKey("properties"))) {
                type = "OBJECT";
            } else if (type == null && schema.containsKey("items")) {
                type = "ARRAY";
            }
            if (type != null) {
                out.add("type", type);
            }
            if (nullable) {
                out.add("nullable", true);
            }
            copyAnnotations(schema, out);

            String format = Json.text(schema, "format");
            if (format != null && enumValues == null && type != null && supportedFormat(type, format)) {
                out.add("format", format);
            }

            JsonObject properties = Json.objectField(schema, "properties");
            Set<String> names = new LinkedHashSet<>();
            if (properties != null) {
                JsonObjectBuilder converted = Json.object();
                for (var entry : properties.entrySet()) {
                    if (!(entry.getValue() instanceof JsonObject property)) {
                        throw GatewayException.invalidRequest("property '" + entry.getKey()
                                + "' must have a schema object", param);
                    }
                    converted.add(entry.getKey(), convert(property, depth + 1, refs));
                    names.add(entry.getKey());
                }
                out.add("properties", converted);
            }
            JsonArray required = Json.arrayField(schema, "required");
            if (required != null) {
                JsonArrayBuilder kept = Json.array();
                for (JsonValue value : required) {
                    if (value instanceof JsonString string && names.contains(string.getString())) {
                        kept.add(string.getString());
                    }
                }
                out.add("required", kept);
            }
            JsonArray ordering = Json.arrayField(schema, "propertyOrdering");
            if (ordering != null) {
                out.add("propertyOrdering", ordering);
            }
            JsonValue items = schema.get("items");
            if (items instanceof JsonObject itemSchema) {
                out.add("items", convert(itemSchema, depth + 1, refs));
            } else if (items instanceof JsonArray tuple && !tuple.isEmpty() && tuple.get(0) instanceof JsonObject first) {
                out.add("items", convert(first, depth + 1, refs));
            }
            copyNumber(schema, out, "minimum");
            copyNumber(schema, out, "maximum");
            copyNumber(schema, out, "minItems");
            copyNumber(schema, out, "maxItems");
            copyNumber(schema, out, "minLength");
            copyNumber(schema, out, "maxLength");
            copyNumber(schema, out, "minProperties");
            copyNumber(schema, out, "maxProperties");
            String pattern = Json.text(schema, "pattern");
            if (pattern != null) {
                out.add("pattern", pattern);
            }
            return out.build();
        }

        private JsonObject resolve(String ref) {
            String[] prefixes = {"#/$defs/", "#/definitions/"};
            for (String prefix : prefixes) {
                if (ref.startsWith(prefix)) {
                    String container = prefix.substring(2, prefix.length() - 1);
                    JsonObject defs = Json.objectField(root, container);
                    JsonObject target = defs == null ? null : Json.objectField(defs, ref.substring(prefix.length()));
                    if (target != null) {
                        return target;
                    }
                }
            }
            if (ref.equals("#")) {
                return root;
            }
            throw GatewayException.invalidRequest("cannot resolve schema reference '" + ref
                    + "'; gemini needs every $ref to point into $defs", param);
        }

        private String normalizeType(String type) {
            String lower = type.toLowerCase(Locale.ROOT);
            if (!TYPES.contains(lower)) {
                throw GatewayException.invalidRequest("unknown schema type '" + type + "'", param);
            }
            return lower.toUpperCase(Locale.ROOT);
        }
    }

    private static boolean isNullSchema(JsonObject schema) {
        return schema.get("type") instanceof JsonString string && "null".equalsIgnoreCase(string.getString());
    }

    private static void copyAnnotations(JsonObject schema, JsonObjectBuilder out) {
        String title = Json.text(schema, "title");
        if (title != null) {
            out.add("title", title);
        }
        String description = Json.text(schema, "description");
        if (description != null) {
            out.add("description", description);
        }
        JsonValue defaultValue = schema.get("default");
        if (defaultValue != null) {
            out.add("default", defaultValue);
        }
        JsonValue example = schema.get("example");
        if (example != null) {
            out.add("example", example);
        }
    }

    private static void copyNumber(JsonObject schema, JsonObjectBuilder out, String name) {
        if (schema.get(name) instanceof JsonNumber number) {
            out.add(name, number);
        }
    }

    /** Gemini accepts {@code enum} and {@code date-time} for strings, float/double and int32/int64. */
    private static boolean supportedFormat(String type, String format) {
        return switch (type) {
            case "STRING" -> format.equals("date-time") || format.equals("enum");
            case "NUMBER" -> format.equals("float") || format.equals("double");
            case "INTEGER" -> format.equals("int32") || format.equals("int64");
            default -> false;
        };
    }
}
