package io.gateway.server.http;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.stream.JsonParser;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParsingException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads and checks request bodies: size limit, JSON syntax, and the fields each operation needs,
 * with messages that name the field. Everything else in the body is left as the client wrote it.
 */
public final class RequestBodies {

    private RequestBodies() {
    }

    /**
     * Reads the whole body, refusing more than {@code limit} bytes, and closes {@code in} once a
     * body of the declared length has been read.
     *
     * @param in            the body
     * @param contentLength the declared length, or -1
     * @param limit         the most bytes accepted
     * @return the bytes
     * @throws GatewayException 413 when too large
     */
    static byte[] read(InputStream in, long contentLength, long limit) throws IOException {
        if (contentLength > limit || contentLength > Integer.MAX_VALUE - 16) {
            throw tooLarge(limit);
        }
        if (contentLength >= 0) {
            // the server delimits the body by its Content-Length: read straight into an array of that size
            byte[] body = new byte[(int) contentLength];
            int filled = 0;
            while (filled < body.length) {
                int read = in.read(body, filled, body.length - filled);
                if (read < 0) {
                    return java.util.Arrays.copyOf(body, filled);
                }
                filled += read;
            }
            // Closing the server's entity stream at its end marks the entity consumed; otherwise the
            // server drains it again after the handler, with a 2 KB buffer per request.
            in.close();
            return body;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        byte[] chunk = new byte[8192];
        long total = 0;
        int read;
        while ((read = in.read(chunk)) > 0) {
            total += read;
            if (total > limit) {
                throw tooLarge(limit);
            }
            out.write(chunk, 0, read);
        }
        return out.toByteArray();
    }

    private static GatewayException tooLarge(long limit) {
        return GatewayException.of(ErrorCode.PAYLOAD_TOO_LARGE, "the request body is larger than "
                + limit + " bytes (gateway.max-request-body); send a smaller body or raise the limit");
    }

    /** Deepest nesting of arrays and objects a request body may have. */
    public static final int MAX_DEPTH = 128;
    /** Longest {@code model} (and fallback model) a request may name, in characters. */
    public static final int MAX_MODEL_LENGTH = 256;

    // Parsson refuses input nested as deep as its limit; the body object itself is the first level
    private static final jakarta.json.stream.JsonParserFactory PARSERS = JsonBodies.provider().createParserFactory(
            java.util.Map.of("org.eclipse.parsson.maxDepth", MAX_DEPTH + 1));

    /**
     * Parses a request body: strict UTF-8, one JSON object, nested at most {@link #MAX_DEPTH} deep.
     *
     * @param bytes the body
     * @return the object
     * @throws GatewayException 400 when the bytes are not UTF-8, not JSON, too deep, or not an object
     */
    public static JsonObject parse(byte[] bytes) {
        if (bytes.length == 0) {
            throw GatewayException.invalidRequest("the request body is empty; send a JSON object", null);
        }
        // JSON between systems is UTF-8 (RFC 8259). Decoding here rather than handing Parsson a byte
        // stream saves the 8 KB decoder buffer an InputStreamReader allocates for every request.
        String text = Utf8.decode(bytes);
        if (text == null) {
            throw GatewayException.invalidRequest("the request body is not valid UTF-8 (byte "
                    + Utf8.firstInvalid(bytes) + "); JSON must be encoded as UTF-8", null);
        }
        try (JsonParser parser = PARSERS.createParser(new java.io.StringReader(text))) {
            if (!parser.hasNext()) {
                throw GatewayException.invalidRequest("the request body is empty; send a JSON object", null);
            }
            JsonParser.Event first = parser.next();
            if (first != JsonParser.Event.START_OBJECT) {
                throw GatewayException.invalidRequest("the request body must be a JSON object, not "
                        + kind(first), null);
            }
            JsonObject body = parser.getObject();
            if (parser.hasNext()) {
                throw GatewayException.invalidRequest("the request body has more after its JSON object; send "
                        + "exactly one JSON object", null);
            }
            return body;
        } catch (JsonParsingException e) {
            var location = e.getLocation();
            throw GatewayException.invalidRequest("the request body is not valid JSON"
                    + (location == null ? "" : " (line " + location.getLineNumber() + ", column "
                    + location.getColumnNumber() + ")") + "; send a JSON object", null);
        } catch (JsonException e) {
            throw GatewayException.invalidRequest("the request body is not valid JSON; send a JSON object", null);
        } catch (GatewayException e) {
            throw e;
        } catch (RuntimeException e) {
            // Parsson reports its own limits (nesting depth, number sizes) as plain RuntimeExceptions
            String reason = String.valueOf(e.getMessage());
            if (reason.contains("nested")) {
                throw GatewayException.invalidRequest("the request body nests arrays and objects more than "
                        + MAX_DEPTH + " levels deep; flatten it", null);
            }
            throw GatewayException.invalidRequest("the request body is not valid JSON; send a JSON object", null);
        }
    }

    private static String kind(JsonParser.Event event) {
        return switch (event) {
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> "a fragment";
        };
    }

    /**
     * Checks the fields an operation needs and the types of the fields the gateway reads.
     *
     * @param operation the operation
     * @param body      the body
     * @throws GatewayException 400 naming the field
     */
    static void validate(Operation operation, JsonObject body) {
        String model = requireString(body, "model", "name it as provider/model, e.g. openai/gpt-4o-mini");
        checkModelName(model, "model");
        int slash = model.indexOf('/');
        if (model.isBlank() || slash == 0 || slash == model.length() - 1) {
            throw GatewayException.invalidRequest("'model' must be provider/model (e.g. openai/gpt-4o-mini) or a bare "
                    + "model name, not '" + model + "'", "model");
        }
        JsonValue stream = body.get("stream");
        if (stream != null && stream != JsonValue.TRUE && stream != JsonValue.FALSE && stream != JsonValue.NULL) {
            throw GatewayException.invalidRequest("'stream' must be true or false", "stream");
        }
        if (stream == JsonValue.TRUE && !operation.streamable()) {
            throw GatewayException.invalidRequest(InferenceRoutes.path(operation) + " cannot stream; remove 'stream'", "stream");
        }
        JsonValue fallbacks = body.get("fallbacks");
        if (fallbacks != null && fallbacks != JsonValue.NULL) {
            if (!(fallbacks instanceof JsonArray array)
                    || array.stream().anyMatch(v -> v.getValueType() != JsonValue.ValueType.STRING)) {
                throw GatewayException.invalidRequest("'fallbacks' must be an array of \"provider/model\" strings",
                        "fallbacks");
            }
            for (JsonValue fallback : array) {
                checkModelName(((jakarta.json.JsonString) fallback).getString(), "fallbacks");
            }
        }
        switch (operation) {
            case CHAT_COMPLETION -> {
                JsonValue messages = body.get("messages");
                if (messages == null || messages == JsonValue.NULL) {
                    throw GatewayException.invalidRequest("'messages' is required: an array of {role, content} "
                            + "objects", "messages");
                }
                if (!(messages instanceof JsonArray array)) {
                    throw GatewayException.invalidRequest("'messages' must be an array of {role, content} objects",
                            "messages");
                }
                if (array.isEmpty()) {
                    throw GatewayException.invalidRequest("'messages' must not be empty", "messages");
                }
                for (int i = 0; i < array.size(); i++) {
                    JsonValue item = array.get(i);
                    if (!(item instanceof JsonObject message)) {
                        throw GatewayException.invalidRequest("'messages[" + i + "]' must be an object with role "
                                + "and content", "messages");
                    }
                    JsonValue role = message.get("role");
                    if (role == null || role.getValueType() != JsonValue.ValueType.STRING) {
                        throw GatewayException.invalidRequest("'messages[" + i + "].role' is required and must be a "
                                + "string such as \"user\"", "messages");
                    }
                }
            }
            case TEXT_COMPLETION -> {
                JsonValue prompt = body.get("prompt");
                if (prompt == null || prompt == JsonValue.NULL) {
                    throw GatewayException.invalidRequest("'prompt' is required: a string or an array of strings "
                            + "or tokens", "prompt");
                }
                if (prompt.getValueType() != JsonValue.ValueType.STRING
                        && prompt.getValueType() != JsonValue.ValueType.ARRAY) {
                    throw GatewayException.invalidRequest("'prompt' must be a string or an array", "prompt");
                }
            }
            case RESPONSES -> {
                JsonValue input = body.get("input");
                boolean hasContext = body.containsKey("previous_response_id") || body.containsKey("prompt")
                        || body.containsKey("conversation");
                if ((input == null || input == JsonValue.NULL) && !hasContext) {
                    throw GatewayException.invalidRequest("'input' is required: a string or an array of input items",
                            "input");
                }
                if (input != null && input != JsonValue.NULL && input.getValueType() != JsonValue.ValueType.STRING
                        && input.getValueType() != JsonValue.ValueType.ARRAY) {
                    throw GatewayException.invalidRequest("'input' must be a string or an array of input items",
                            "input");
                }
            }
            case EMBEDDING -> {
                JsonValue input = body.get("input");
                if (input == null || input == JsonValue.NULL) {
                    throw GatewayException.invalidRequest("'input' is required: a string, an array of strings, or "
                            + "an array of token arrays", "input");
                }
                if (input.getValueType() != JsonValue.ValueType.STRING
                        && input.getValueType() != JsonValue.ValueType.ARRAY) {
                    throw GatewayException.invalidRequest("'input' must be a string or an array", "input");
                }
                if (input instanceof JsonArray array && array.isEmpty()) {
                    throw GatewayException.invalidRequest("'input' must not be empty", "input");
                }
                JsonValue format = body.get("encoding_format");
                if (format != null && format != JsonValue.NULL && format.getValueType() != JsonValue.ValueType.STRING) {
                    throw GatewayException.invalidRequest("'encoding_format' must be \"float\" or \"base64\"",
                            "encoding_format");
                }
            }
            case IMAGE_GENERATION -> requireString(body, "prompt", "describe the image to generate");
            case MESSAGES, COUNT_TOKENS -> anthropicMessages(operation, body);
            case RERANK -> rerank(body);
            case LIST_MODELS -> {
            }
            default -> {
            }
        }
    }

    /**
     * {@code rerank}: a non-empty {@code query}, a non-empty {@code documents} array of strings or of
     * objects with a string {@code text}, and, when present, {@code top_n} a whole number of at least 1
     * and {@code return_documents} a boolean.
     */
    private static void rerank(JsonObject body) {
        if (requireString(body, "query", "the text to rank the documents against").isBlank()) {
            throw GatewayException.invalidRequest("'query' must not be blank", "query");
        }
        JsonValue documents = body.get("documents");
        if (documents == null || documents == JsonValue.NULL) {
            throw GatewayException.invalidRequest("'documents' is required: an array of texts (or of "
                    + "{\"text\": ...} objects) to rank", "documents");
        }
        if (!(documents instanceof JsonArray array) || array.isEmpty()) {
            throw GatewayException.invalidRequest("'documents' must be a non-empty array of texts (or of "
                    + "{\"text\": ...} objects)", "documents");
        }
        for (int i = 0; i < array.size(); i++) {
            JsonValue document = array.get(i);
            boolean text = document.getValueType() == JsonValue.ValueType.STRING
                    || document instanceof JsonObject object && object.get("text") != null
                    && object.get("text").getValueType() == JsonValue.ValueType.STRING;
            if (!text) {
                throw GatewayException.invalidRequest("'documents[" + i + "]' must be a string or an object with "
                        + "a string 'text'", "documents");
            }
        }
        JsonValue topN = body.get("top_n");
        if (topN != null && topN != JsonValue.NULL && !(topN instanceof jakarta.json.JsonNumber number
                && number.isIntegral() && number.bigIntegerValue().signum() > 0)) {
            throw GatewayException.invalidRequest("'top_n' must be a whole number of at least 1", "top_n");
        }
        JsonValue returnDocuments = body.get("return_documents");
        if (returnDocuments != null && returnDocuments != JsonValue.NULL && returnDocuments != JsonValue.TRUE
                && returnDocuments != JsonValue.FALSE) {
            throw GatewayException.invalidRequest("'return_documents' must be true or false", "return_documents");
        }
    }

    /**
     * The fields of an Anthropic Messages (or count_tokens) request the gateway relies on: a non-empty
     * {@code messages} array of objects whose {@code role} is {@code user} or {@code assistant} and whose
     * {@code content} is a string or an array; {@code system} a string or an array; {@code max_tokens} a
     * positive integer when present. Everything else is the provider's to judge.
     */
    private static void anthropicMessages(Operation operation, JsonObject body) {
        JsonValue messages = body.get("messages");
        if (!(messages instanceof JsonArray array)) {
            throw GatewayException.invalidRequest("messages: Field required: an array of {role, content} objects",
                    "messages");
        }
        if (array.isEmpty() && operation == Operation.MESSAGES) {
            throw GatewayException.invalidRequest("messages: at least one message is required", "messages");
        }
        for (int i = 0; i < array.size(); i++) {
            if (!(array.get(i) instanceof JsonObject message)) {
                throw GatewayException.invalidRequest("messages." + i + ": must be an object with role and content",
                        "messages");
            }
            JsonValue role = message.get("role");
            if (!(role instanceof JsonString name) || !(name.getString().equals("user")
                    || name.getString().equals("assistant"))) {
                throw GatewayException.invalidRequest("messages." + i + ".role: must be \"user\" or \"assistant\" "
                        + "(the system prompt goes in the top-level 'system' field)", "messages");
            }
            JsonValue content = message.get("content");
            if (content == null || content.getValueType() != JsonValue.ValueType.STRING
                    && content.getValueType() != JsonValue.ValueType.ARRAY) {
                throw GatewayException.invalidRequest("messages." + i + ".content: must be a string or an array of "
                        + "content blocks", "messages");
            }
        }
        JsonValue system = body.get("system");
        if (system != null && system != JsonValue.NULL && system.getValueType() != JsonValue.ValueType.STRING
                && system.getValueType() != JsonValue.ValueType.ARRAY) {
            throw GatewayException.invalidRequest("system: must be a string or an array of text blocks", "system");
        }
        JsonValue maxTokens = body.get("max_tokens");
        if (maxTokens != null && maxTokens != JsonValue.NULL && (!(maxTokens instanceof jakarta.json.JsonNumber n)
                || !n.isIntegral() || n.longValue() < 1)) {
            throw GatewayException.invalidRequest("max_tokens: must be a positive integer", "max_tokens");
        }
    }

    /**
     * A model name the gateway can route and echo in a header: at most {@link #MAX_MODEL_LENGTH}
     * characters and no control characters.
     */
    static void checkModelName(String model, String param) {
        if (model.length() > MAX_MODEL_LENGTH) {
            throw GatewayException.invalidRequest("'" + param + "' names a model of " + model.length()
                    + " characters; model names are at most " + MAX_MODEL_LENGTH + " characters", param);
        }
        for (int i = 0; i < model.length(); i++) {
            char c = model.charAt(i);
            if (c < ' ' || c == 0x7f) {
                throw GatewayException.invalidRequest("'" + param + "' contains a control character; name the "
                        + "model as provider/model, e.g. openai/gpt-4o-mini", param);
            }
        }
    }

    private static String requireString(JsonObject body, String field, String hint) {
        JsonValue value = body.get(field);
        if (value == null || value == JsonValue.NULL) {
            throw GatewayException.invalidRequest("'" + field + "' is required: " + hint, field);
        }
        if (value.getValueType() != JsonValue.ValueType.STRING) {
            throw GatewayException.invalidRequest("'" + field + "' must be a string", field);
        }
        return ((jakarta.json.JsonString) value).getString();
    }
}
