package io.gateway.plugins.gemini;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.upstream.UpstreamClient;
import io.gateway.spi.upstream.UpstreamRequest;
import io.gateway.spi.upstream.UpstreamResponse;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A fake Gemini API behind the {@link UpstreamClient} the server lends to providers. Before a test's
 * handler sees a request, the fake checks it as the real API does and answers Gemini-format errors
 * otherwise: the API key, the path and method, {@code alt=sse} for streams, field names (Gemini
 * rejects unknown ones), roles {@code user}/{@code model} only, non-empty contents and parts, one data
 * field per part, valid base64, function calls and responses naming declared functions, the schema
 * subset of {@code parameters} and {@code responseSchema}, and embedding batches naming the URL's model.
 */
final class FakeGemini implements UpstreamClient {

    static final String KEY = "AIza-test-key";
    static final String VERSION = "v1beta";

    private static final Set<String> REQUEST_FIELDS = Set.of("contents", "tools", "toolConfig", "safetySettings",
            "systemInstruction", "generationConfig", "cachedContent");
    private static final Set<String> PART_DATA = Set.of("text", "inlineData", "fileData", "functionCall",
            "functionResponse", "executableCode", "codeExecutionResult");
    private static final Set<String> PART_FIELDS = Set.of("text", "inlineData", "fileData", "functionCall",
            "functionResponse", "executableCode", "codeExecutionResult", "thought", "thoughtSignature",
            "videoMetadata");
    private static final Set<String> GENERATION_FIELDS = Set.of("stopSequences", "responseMimeType",
            "responseSchema", "responseJsonSchema", "responseModalities", "candidateCount", "maxOutputTokens",
            "temperature", "topP", "topK", "seed", "presencePenalty", "frequencyPenalty", "responseLogprobs",
            "logprobs", "enableEnhancedCivicAnswers", "speechConfig", "thinkingConfig", "imageConfig",
            "mediaResolution");
    private static final Set<String> SCHEMA_FIELDS = Set.of("type", "format", "title", "description", "nullable",
            "enum", "maxItems", "minItems", "properties", "required", "minProperties", "maxProperties",
            "minLength", "maxLength", "pattern", "example", "anyOf", "propertyOrdering", "default", "items",
            "minimum", "maximum");
    private static final Set<String> SCHEMA_TYPES = Set.of("TYPE_UNSPECIFIED", "STRING", "NUMBER", "INTEGER",
            "BOOLEAN", "ARRAY", "OBJECT", "NULL");
    private static final Set<String> DECLARATION_FIELDS = Set.of("name", "description", "parameters",
            "parametersJsonSchema", "response", "responseJsonSchema", "behavior");
    private static final Set<String> EMBED_FIELDS = Set.of("model", "content", "taskType", "title",
            "outputDimensionality");

    /** What the fake received. */
    record Recorded(String method, URI uri, Headers headers, JsonObject body, boolean stream, Instant deadline) {

        String path() {
            return uri.getPath();
        }
    }

    /** What the fake answers: a JSON body, or SSE frames from a list or from a queue the test feeds. */
    record Reply(int status, Headers headers, String body, List<String> frames, BlockingQueue<String> live) {

        static Reply json(String body) {
            return new Reply(200, Headers.of("content-type", "application/json"), body, null, null);
        }

        static Reply json(JsonObject body) {
            return json(body.toString());
        }

        static Reply status(int status, String body, Headers headers) {
            return new Reply(status, headers.with("content-type", "application/json"), body, null, null);
        }

        static Reply sse(List<String> frames) {
            return new Reply(200, Headers.of("content-type", "text/event-stream"), null, List.copyOf(frames), null);
        }

        /** Frames taken from the queue as the consumer asks; {@link #END} ends the stream. */
        static Reply live(BlockingQueue<String> queue) {
            return new Reply(200, Headers.of("content-type", "text/event-stream"), null, null, queue);
        }
    }

    /** Put in a live queue to end the stream. */
    static final String END = "\u0000end";

    final List<Recorded> requests = new CopyOnWriteArrayList<>();
    /** How many frames the consumer has pulled from streams. */
    final AtomicInteger framesPulled = new AtomicInteger();
    final AtomicBoolean streamClosed = new AtomicBoolean();
    private volatile Function<Recorded, Reply> handler = request -> Reply.json(Answers.text("Hello!"));

    void handle(Function<Recorded, Reply> newHandler) {
        this.handler = newHandler;
    }

    void answer(String json) {
        handle(request -> Reply.json(json));
    }

    Recorded last() {
        return requests.get(requests.size() - 1);
    }

    @Override
    public UpstreamResponse send(UpstreamRequest request) {
        JsonObject body = null;
        if (request.body() != null) {
            try {
                body = JsonBodies.parse(request.body());
            } catch (GatewayException e) {
                return respond(error(400, "INVALID_ARGUMENT", "Invalid JSON payload received."));
            }
        }
        Recorded recorded = new Recorded(request.method(), request.uri(), request.headers(), body, request.stream(),
                request.deadline());
        requests.add(recorded);
        Reply invalid = validate(recorded);
        return respond(invalid != null ? invalid : handler.apply(recorded));
    }

    // ------------------------------------------------------------------ validation

    private Reply validate(Recorded request) {
        String key = request.headers().first("x-goog-api-key").orElse(null);
        if (key == null) {
            return error(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers (callers without"
                    + " established identity). Please use API Key or other form of API consumer identity to call"
                    + " this API.");
        }
        if (!key.equals(KEY)) {
            return Reply.status(400, """
                    {"error":{"code":400,"message":"API key not valid. Please pass a valid API key.",
                    "status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo",
                    "reason":"API_KEY_INVALID","domain":"googleapis.com"}]}}""", Headers.empty());
        }
        String path = request.path();
        String prefix = "/" + VERSION + "/";
        int version = path.indexOf(prefix);
        if (version < 0) {
            return error(404, "NOT_FOUND", "unknown API version in " + path);
        }
        String rest = path.substring(version + prefix.length());
        if (request.method().equals("GET")) {
            return rest.equals("models") ? null : error(404, "NOT_FOUND", "no such resource " + rest);
        }
        if (!request.method().equals("POST")) {
            return error(404, "NOT_FOUND", "method not allowed");
        }
        if (!request.headers().first("content-type").orElse("").startsWith("application/json")) {
            return error(400, "INVALID_ARGUMENT", "Invalid JSON payload received: content-type must be JSON.");
        }
        int colon = rest.lastIndexOf(':');
        if (!rest.startsWith("models/") || colon < 0) {
            return error(404, "NOT_FOUND", "no such resource " + rest);
        }
        String model = rest.substring(0, colon);
        String method = rest.substring(colon + 1);
        if (request.body() == null) {
            return error(400, "INVALID_ARGUMENT", "the request needs a body");
        }
        try {
            switch (method) {
                case "generateContent" -> {
                    require(request.uri().getQuery() == null, "generateContent takes no alt parameter here");
                    validateGenerate(request.body());
                }
                case "streamGenerateContent" -> {
                    require("alt=sse".equals(request.uri().getQuery()),
                            "the fake expects streams as server-sent events (alt=sse)");
                    require(request.stream(), "a stream must be requested as one");
                    validateGenerate(request.body());
                }
                case "embedContent" -> validateEmbed(request.body(), model);
                case "batchEmbedContents" -> {
                    Set<String> fields = request.body().keySet();
                    unknown(fields, Set.of("requests"), "");
                    JsonArray requests = arrayOf(request.body(), "requests");
                    require(!requests.isEmpty(), "* BatchEmbedContentsRequest.requests: contents is not specified");
                    for (JsonValue value : requests) {
                        JsonObject embed = value.asJsonObject();
                        require(model.equals(JsonBodies.string(embed, "model")),
                                "* BatchEmbedContentsRequest.requests[].model: the model must match " + model);
                        validateEmbed(embed, model);
                    }
                }
                default -> {
                    return error(404, "NOT_FOUND", "unknown method " + method);
                }
            }
        } catch (Invalid e) {
            return error(400, "INVALID_ARGUMENT", e.getMessage());
        }
        return null;
    }

    private static void validateEmbed(JsonObject body, String model) {
        unknown(body.keySet(), EMBED_FIELDS, "");
        JsonObject content = objectOf(body, "content");
        JsonArray parts = arrayOf(content, "parts");
        require(!parts.isEmpty(), "* EmbedContentRequest.content: contents.parts must not be empty");
        for (JsonValue part : parts) {
            require(part.asJsonObject().get("text") instanceof JsonString, "embedding parts must be text");
        }
        if (body.containsKey("outputDimensionality")) {
            require(body.get("outputDimensionality") instanceof JsonNumber number && number.intValue() > 0,
                    "outputDimensionality must be positive");
        }
    }

    private static void validateGenerate(JsonObject body) {
        unknown(body.keySet(), REQUEST_FIELDS, "");
        Set<String> declared = new HashSet<>();
        if (body.containsKey("tools")) {
            for (JsonValue tool : arrayOf(body, "tools")) {
                JsonObject object = tool.asJsonObject();
                unknown(object.keySet(), Set.of("functionDeclarations", "googleSearch", "codeExecution",
                        "urlContext"), "tools[].");
                if (object.containsKey("functionDeclarations")) {
                    for (JsonValue value : arrayOf(object, "functionDeclarations")) {
                        JsonObject declaration = value.asJsonObject();
                        unknown(declaration.keySet(), DECLARATION_FIELDS, "function_declarations[].");
                        String name = JsonBodies.string(declaration, "name");
                        require(name != null && !name.isEmpty(), "function_declarations[].name is required");
                        declared.add(name);
                        if (declaration.containsKey("parameters")) {
                            JsonObject parameters = objectOf(declaration, "parameters");
                            validateSchema(parameters, "parameters");
                            if ("OBJECT".equalsIgnoreCase(JsonBodies.string(parameters, "type"))) {
                                JsonObject properties = parameters.getJsonObject("properties");
                                require(properties != null && !properties.isEmpty(),
                                        "* GenerateContentRequest.tools[0].function_declarations[0].parameters"
                                                + ".properties: should be non-empty for OBJECT type");
                            }
                        }
                    }
                }
            }
        }
        if (body.containsKey("toolConfig")) {
            JsonObject toolConfig = objectOf(body, "toolConfig");
            unknown(toolConfig.keySet(), Set.of("functionCallingConfig", "retrievalConfig"), "toolConfig.");
            JsonObject calling = objectOf(toolConfig, "functionCallingConfig");
            unknown(calling.keySet(), Set.of("mode", "allowedFunctionNames"), "functionCallingConfig.");
            String mode = JsonBodies.string(calling, "mode");
            require(Set.of("AUTO", "ANY", "NONE", "VALIDATED").contains(mode),
                    "Invalid value at 'tool_config.function_calling_config.mode' (" + mode + ")");
            if (calling.containsKey("allowedFunctionNames")) {
                require("ANY".equals(mode), "allowed_function_names may only be set with mode ANY");
                for (JsonValue name : arrayOf(calling, "allowedFunctionNames")) {
                    require(declared.contains(((JsonString) name).getString()),
                            "allowed function " + name + " is not declared");
                }
            }
        }
        if (body.containsKey("systemInstruction")) {
            JsonObject system = objectOf(body, "systemInstruction");
            unknown(system.keySet(), Set.of("parts", "role"), "systemInstruction.");
            JsonArray parts = arrayOf(system, "parts");
            require(!parts.isEmpty(), "systemInstruction.parts must not be empty");
            for (JsonValue part : parts) {
                unknown(part.asJsonObject().keySet(), Set.of("text"), "systemInstruction.parts[].");
            }
        }
        require(body.containsKey("contents"), "* GenerateContentRequest.contents: contents is not specified");
        JsonArray contents = arrayOf(body, "contents");
        require(!contents.isEmpty(), "* GenerateContentRequest.contents: contents is not specified");
        for (JsonValue value : contents) {
            JsonObject content = value.asJsonObject();
            unknown(content.keySet(), Set.of("role", "parts"), "contents[].");
            String role = JsonBodies.string(content, "role");
            require("user".equals(role) || "model".equals(role),
                    "Please use a valid role: user, model.");
            JsonArray parts = arrayOf(content, "parts");
            require(!parts.isEmpty(), "* GenerateContentRequest.contents.parts: contents.parts must not be empty.");
            for (JsonValue partValue : parts) {
                JsonObject part = partValue.asJsonObject();
                unknown(part.keySet(), PART_FIELDS, "contents[].parts[].");
                long data = part.keySet().stream().filter(PART_DATA::contains).count();
                require(data == 1, "* GenerateContentRequest.contents.parts.data: required oneof field 'data' must"
                        + " have one initialized field");
                if (part.containsKey("thoughtSignature")) {
                    base64(JsonBodies.string(part, "thoughtSignature"), "thought_signature");
                }
                if (part.containsKey("inlineData")) {
                    JsonObject inline = objectOf(part, "inlineData");
                    unknown(inline.keySet(), Set.of("mimeType", "data"), "inlineData.");
                    require(JsonBodies.string(inline, "mimeType") != null, "inlineData.mimeType is required");
                    base64(JsonBodies.string(inline, "data"), "inline_data.data");
                }
                if (part.containsKey("fileData")) {
                    JsonObject file = objectOf(part, "fileData");
                    unknown(file.keySet(), Set.of("mimeType", "fileUri"), "fileData.");
                    require(JsonBodies.string(file, "fileUri") != null, "fileData.fileUri is required");
                }
                if (part.containsKey("functionCall")) {
                    require("model".equals(role), "function calls belong in model turns");
                    JsonObject call = objectOf(part, "functionCall");
                    unknown(call.keySet(), Set.of("id", "name", "args"), "functionCall.");
                    require(declared.contains(JsonBodies.string(call, "name")),
                            "function call " + JsonBodies.string(call, "name") + " names no declared function");
                    if (call.containsKey("args")) {
                        objectOf(call, "args");
                    }
                }
                if (part.containsKey("functionResponse")) {
                    require("user".equals(role), "function responses belong in user turns");
                    JsonObject response = objectOf(part, "functionResponse");
                    unknown(response.keySet(), Set.of("id", "name", "response", "willContinue", "scheduling"),
                            "functionResponse.");
                    require(declared.contains(JsonBodies.string(response, "name")),
                            "* GenerateContentRequest.contents[].parts[].function_response.name: function response "
                                    + JsonBodies.string(response, "name") + " names no declared function");
                    objectOf(response, "response");
                }
            }
        }
        if (body.containsKey("generationConfig")) {
            JsonObject config = objectOf(body, "generationConfig");
            unknown(config.keySet(), GENERATION_FIELDS, "generation_config.");
            if (config.containsKey("responseSchema")) {
                validateSchema(objectOf(config, "responseSchema"), "response_schema");
                require("application/json".equals(JsonBodies.string(config, "responseMimeType")),
                        "response_schema needs response_mime_type application/json");
            }
            if (config.containsKey("stopSequences")) {
                for (JsonValue stop : arrayOf(config, "stopSequences")) {
                    require(stop instanceof JsonString, "stop sequences must be strings");
                }
            }
            if (config.containsKey("responseModalities")) {
                for (JsonValue modality : arrayOf(config, "responseModalities")) {
                    require(Set.of("TEXT", "IMAGE", "AUDIO").contains(((JsonString) modality).getString()),
                            "unknown response modality " + modality);
                }
            }
            if (config.containsKey("imageConfig")) {
                unknown(objectOf(config, "imageConfig").keySet(), Set.of("aspectRatio", "imageSize"),
                        "image_config.");
            }
        }
    }

    private static void validateSchema(JsonObject schema, String where) {
        unknown(schema.keySet(), SCHEMA_FIELDS, where + ".");
        if (schema.containsKey("type")) {
            require(schema.get("type") instanceof JsonString type
                            && SCHEMA_TYPES.contains(type.getString().toUpperCase(Locale.ROOT)),
                    "Invalid value at '" + where + ".type'");
        }
        if (schema.containsKey("format")) {
            String type = JsonBodies.string(schema, "type");
            String format = JsonBodies.string(schema, "format");
            if ("STRING".equalsIgnoreCase(type)) {
                require("enum".equals(format) || "date-time".equals(format),
                        "* " + where + ".format: only 'enum' and 'date-time' are supported for STRING type");
            }
        }
        if (schema.containsKey("properties")) {
            for (Map.Entry<String, JsonValue> property : objectOf(schema, "properties").entrySet()) {
                validateSchema(property.getValue().asJsonObject(), where + ".properties[" + property.getKey() + "]");
            }
        }
        if (schema.containsKey("items")) {
            validateSchema(objectOf(schema, "items"), where + ".items");
        }
        if (schema.containsKey("anyOf")) {
            for (JsonValue variant : arrayOf(schema, "anyOf")) {
                validateSchema(variant.asJsonObject(), where + ".anyOf");
            }
        }
        if (schema.containsKey("enum")) {
            for (JsonValue value : arrayOf(schema, "enum")) {
                require(value instanceof JsonString, where + ".enum values must be strings");
            }
        }
    }

    private static void base64(String value, String field) {
        require(value != null && !value.isEmpty(), field + " must not be empty");
        try {
            if (value.indexOf('-') >= 0 || value.indexOf('_') >= 0) {
                Base64.getUrlDecoder().decode(value);
            } else {
                Base64.getDecoder().decode(value);
            }
        } catch (IllegalArgumentException e) {
            throw new Invalid("Invalid value at '" + field + "' (TYPE_BYTES), Base64 decoding failed");
        }
    }

    private static void unknown(Set<String> fields, Set<String> known, String where) {
        for (String field : fields) {
            require(known.contains(field), "Invalid JSON payload received. Unknown name \"" + field + "\" at '"
                    + where + "': Cannot find field.");
        }
    }

    private static JsonObject objectOf(JsonObject parent, String name) {
        require(parent != null && parent.get(name) instanceof JsonObject, "'" + name + "' must be an object");
        return parent.getJsonObject(name);
    }

    private static JsonArray arrayOf(JsonObject parent, String name) {
        require(parent != null && parent.get(name) instanceof JsonArray, "'" + name + "' must be a list");
        return parent.getJsonArray(name);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new Invalid(message);
        }
    }

    private static final class Invalid extends RuntimeException {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    /** A Gemini error body. */
    static Reply error(int status, String canonical, String message) {
        return Reply.status(status, JsonBodies.provider().createObjectBuilder()
                .add("error", JsonBodies.provider().createObjectBuilder()
                        .add("code", status)
                        .add("message", message)
                        .add("status", canonical))
                .build().toString(), Headers.empty());
    }

    // ------------------------------------------------------------------ responses

    private UpstreamResponse respond(Reply reply) {
        return new FakeResponse(reply);
    }

    private final class FakeResponse implements UpstreamResponse {
        private final Reply reply;
        private boolean read;

        FakeResponse(Reply reply) {
            this.reply = reply;
        }

        @Override
        public int status() {
            return reply.status();
        }

        @Override
        public Headers headers() {
            return reply.headers();
        }

        @Override
        public byte[] body() {
            once();
            if (reply.body() != null) {
                return reply.body().getBytes(StandardCharsets.UTF_8);
            }
            StringBuilder text = new StringBuilder();
            for (String frame : reply.frames() == null ? List.<String>of() : reply.frames()) {
                text.append("data: ").append(frame).append("\n\n");
            }
            return text.toString().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public EventStream events() {
            once();
            if (reply.live() != null) {
                return new LiveEvents(reply.live());
            }
            List<String> frames = reply.frames() == null ? List.of() : reply.frames();
            Iterator<String> iterator = frames.iterator();
            return EventStream.fromIterator(new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return iterator.hasNext();
                }

                @Override
                public StreamEvent next() {
                    framesPulled.incrementAndGet();
                    return new StreamEvent(null, iterator.next());
                }
            }, () -> streamClosed.set(true));
        }

        @Override
        public InputStream stream() {
            return new ByteArrayInputStream(body());
        }

        @Override
        public void close() {
            streamClosed.set(true);
        }

        private void once() {
            if (read) {
                throw new IllegalStateException("the body was already read");
            }
            read = true;
        }
    }

    /** Frames from a queue the test feeds; waits at most a few seconds, then fails as a timeout would. */
    private final class LiveEvents implements EventStream {
        private final BlockingQueue<String> queue;
        private volatile boolean closed;

        LiveEvents(BlockingQueue<String> queue) {
            this.queue = queue;
        }

        @Override
        public StreamEvent next() {
            if (closed) {
                return null;
            }
            String frame;
            try {
                frame = queue.poll(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw GatewayException.of(ErrorCode.TIMEOUT, "interrupted");
            }
            if (frame == null) {
                throw GatewayException.of(ErrorCode.TIMEOUT, "no frame from the fake within 5 s");
            }
            if (frame.equals(END)) {
                return null;
            }
            framesPulled.incrementAndGet();
            return new StreamEvent(null, frame);
        }

        @Override
        public void close() {
            closed = true;
            streamClosed.set(true);
        }
    }

    /** All requests to one path suffix, e.g. {@code :generateContent}. */
    List<Recorded> requestsTo(String suffix) {
        List<Recorded> matching = new ArrayList<>();
        for (Recorded request : requests) {
            if (request.path().endsWith(suffix)) {
                matching.add(request);
            }
        }
        return matching;
    }
}
