package io.gateway.testkit.fakes;

import static io.gateway.testkit.fakes.FakeJson.array;
import static io.gateway.testkit.fakes.FakeJson.arrayField;
import static io.gateway.testkit.fakes.FakeJson.object;
import static io.gateway.testkit.fakes.FakeJson.objectField;
import static io.gateway.testkit.fakes.FakeJson.text;

import io.gateway.spi.Operation;
import io.gateway.testkit.fakes.FakeJson.Rejection;
import io.gateway.testkit.http.FakeUpstream;
import io.gateway.testkit.http.RecordedRequest;
import io.gateway.testkit.http.Reply;
import io.gateway.testkit.http.SseFrame;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A fake of Cohere's v2 API on a free loopback port, built on a {@link FakeUpstream}. It speaks Cohere's
 * wire format and checks requests as Cohere's API reference describes, answering Cohere's
 * {@code {"id","message"}} errors otherwise.
 *
 * <pre>{@code
 * try (FakeCohere cohere = FakeCohere.start()) {
 *     // provider config: type cohere, base-url cohere.baseUrl(), key FakeCohere.API_KEY
 *     JsonObject sent = cohere.lastBody("/v2/rerank");
 * }
 * }</pre>
 *
 * <p><b>Routes.</b> {@code POST /v2/chat} (JSON, or server-sent events with {@code "stream": true}),
 * {@code POST /v2/embed}, {@code POST /v2/rerank}, {@code GET /v1/models}. Anything else answers 404.
 *
 * <p><b>Checks, in order:</b> {@code Authorization: Bearer} with the fake's key (else 401
 * {@code invalid api token}); a JSON object body with {@code content-type: application/json}; no unknown
 * fields ({@code invalid request: unknown field}); a known model that serves the endpoint (else 404, or 400
 * for a model of another endpoint). Chat: {@code messages} non-empty with roles {@code system},
 * {@code user}, {@code assistant}, {@code tool}; user content a string or {@code text}/{@code image_url}
 * parts; assistant messages with content or {@code tool_calls} ({@code id}, {@code type: function},
 * {@code function.name}, {@code function.arguments} a JSON object's text); each {@code tool} message's
 * {@code tool_call_id} answering a call of the assistant turn before; tools of type {@code function} with
 * valid unique names and object parameters; {@code tool_choice} {@code REQUIRED} or {@code NONE} and only
 * with tools; {@code max_tokens} at least 1, {@code temperature} 0–1, {@code p} 0.01–0.99, {@code k}
 * 0–500, penalties 0–1, at most 5 {@code stop_sequences}, {@code response_format} {@code text} or
 * {@code json_object}. Embed: {@code input_type} required for v3+ models and one of Cohere's, 1–96
 * {@code texts}, {@code embedding_types} from {@code float}, {@code int8}, {@code uint8}, {@code binary},
 * {@code ubinary}, {@code base64}, {@code output_dimension} 256/512/1024/1536 on {@code embed-v4.0} only,
 * {@code truncate} {@code NONE}/{@code START}/{@code END}. Rerank: a non-empty {@code query}, 1–1000
 * {@code documents} strings, {@code top_n} and {@code max_tokens_per_doc} at least 1.
 *
 * <p><b>Answers.</b> A request that passes gets the next reply queued with {@link #answerNext}, else:
 * chat answers {@code "Hello! You said: "} and the last user text (after tool results,
 * {@code "Thanks, the tool said: "} and the result); with {@code tool_choice: REQUIRED}, a
 * {@code tool_plan} and a call of the first tool with a placeholder per required parameter. Streams send
 * {@code message-start}, {@code content-start}, one {@code content-delta} per word, {@code content-end} (or
 * {@code tool-plan-delta}, {@code tool-call-start}, three {@code tool-call-delta}s, {@code tool-call-end}),
 * and {@code message-end} with the finish reason and usage. Embeddings are unit vectors seeded by the text
 * ({@link #EMBEDDING_DIMENSIONS} values or {@code output_dimension}) in every asked type; rerank scores each
 * document by the share of the query's words it holds. Usage counts words.
 */
public final class FakeCohere extends ProviderFake<FakeCohere> {

    /** The key the fake accepts unless started with another one. */
    public static final String API_KEY = "co-fake-cohere-key";

    /** Values per embedding without {@code output_dimension}. */
    public static final int EMBEDDING_DIMENSIONS = 1024;

    /** What a model serves. */
    public enum Endpoint {
        /** {@code /v2/chat}. */
        CHAT,
        /** {@code /v2/embed}. */
        EMBED,
        /** {@code /v2/rerank}. */
        RERANK
    }

    private static final Set<String> CHAT_FIELDS = Set.of("model", "messages", "tools", "documents",
            "citation_options", "response_format", "safety_mode", "max_tokens", "stop_sequences", "temperature",
            "seed", "frequency_penalty", "presence_penalty", "k", "p", "logprobs", "tool_choice", "strict_tools",
            "stream", "thinking", "priority");
    private static final Set<String> EMBED_FIELDS = Set.of("model", "input_type", "texts", "images", "inputs",
            "embedding_types", "output_dimension", "max_tokens", "truncate", "priority");
    private static final Set<String> RERANK_FIELDS = Set.of("model", "query", "documents", "top_n",
            "max_tokens_per_doc", "priority");
    private static final Set<String> INPUT_TYPES = Set.of("search_document", "search_query", "classification",
            "clustering", "image");
    private static final Set<String> EMBEDDING_TYPES = Set.of("float", "int8", "uint8", "binary", "ubinary",
            "base64");
    private static final Pattern TOOL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_-]{0,63}");

    private final Map<String, Set<Endpoint>> models = new LinkedHashMap<>();

    private FakeCohere(String apiKey) {
        super(apiKey);
        models.put("command-a-03-2025", Set.of(Endpoint.CHAT));
        models.put("command-r-plus-08-2024", Set.of(Endpoint.CHAT));
        models.put("command-r7b-12-2024", Set.of(Endpoint.CHAT));
        models.put("embed-v4.0", Set.of(Endpoint.EMBED));
        models.put("embed-english-v3.0", Set.of(Endpoint.EMBED));
        models.put("rerank-v3.5", Set.of(Endpoint.RERANK));
        models.put("rerank-english-v3.0", Set.of(Endpoint.RERANK));
        serve();
    }

    /**
     * Starts the fake on {@code 127.0.0.1} and a free port, accepting {@link #API_KEY}, with the chat models
     * {@code command-a-03-2025}, {@code command-r-plus-08-2024}, {@code command-r7b-12-2024}, the embedding
     * models {@code embed-v4.0} and {@code embed-english-v3.0}, and the rerank models {@code rerank-v3.5} and
     * {@code rerank-english-v3.0}.
     *
     * @return the running fake; close it to release the port
     */
    public static FakeCohere start() {
        return new FakeCohere(API_KEY);
    }

    /**
     * Adds (or redefines) a model.
     *
     * @param id        the model id
     * @param endpoints what it serves (a test model may serve several)
     * @return this fake
     */
    public FakeCohere addModel(String id, Endpoint... endpoints) {
        synchronized (models) {
            models.put(Objects.requireNonNull(id, "id"), Set.of(endpoints));
        }
        return this;
    }

    /**
     * The body of the latest POST to a path.
     *
     * @param path e.g. {@code /v2/chat}
     * @return the JSON body
     * @throws IllegalStateException if there was none
     */
    public JsonObject lastBody(String path) {
        List<RecordedRequest> requests = upstream.requests(path);
        if (requests.isEmpty()) {
            throw new IllegalStateException("the fake Cohere API received no POST " + path);
        }
        return requests.get(requests.size() - 1).bodyJson();
    }

    @Override
    public String toString() {
        return "FakeCohere[" + baseUrl() + "]";
    }

    /**
     * Cohere's error for a status: {@code {"id","message"}}.
     *
     * @param status  the HTTP status
     * @param message the message
     * @return the reply
     */
    @Override
    public Reply errorReply(int status, String message) {
        return error(status, message);
    }

    /**
     * A Cohere error reply.
     *
     * @param status  the HTTP status
     * @param message the message
     * @return the reply
     */
    public static Reply error(int status, String message) {
        return Reply.json(status, object().add("id", "err-fake").add("message", message).build());
    }

    /**
     * {@code command-a-03-2025} for chat and the model list, {@code embed-v4.0} for embeddings,
     * {@code rerank-v3.5} for rerank; none for the others.
     *
     * @param operation the operation
     * @return the model
     */
    @Override
    public Optional<String> modelFor(Operation operation) {
        return switch (operation) {
            case CHAT_COMPLETION, LIST_MODELS -> Optional.of("command-a-03-2025");
            case EMBEDDING -> Optional.of("embed-v4.0");
            case RERANK -> Optional.of("rerank-v3.5");
            default -> Optional.empty();
        };
    }

    // ------------------------------------------------------------------ handling

    @Override
    protected Reply handle(RecordedRequest request) {
        try {
            return route(request);
        } catch (Rejection rejection) {
            return error(rejection.status(), rejection.getMessage());
        }
    }

    private static Rejection invalid(String message) {
        return new Rejection(400, "invalid", "invalid request: " + message);
    }

    private Reply route(RecordedRequest request) {
        String path = request.path();
        boolean post = request.method().equals("POST");
        if (!Set.of("/v2/chat", "/v2/embed", "/v2/rerank", "/v1/models").contains(path)) {
            throw new Rejection(404, "not_found", "404 page not found");
        }
        String authorization = request.header("authorization");
        if (authorization == null || !authorization.equals("Bearer " + apiKey())) {
            throw new Rejection(401, "unauthorized", "invalid api token");
        }
        if (path.equals("/v1/models")) {
            if (post) {
                throw new Rejection(405, "method", "method not allowed");
            }
            Reply scripted = scripted(request);
            return scripted != null ? scripted : modelList();
        }
        if (!post) {
            throw new Rejection(405, "method", "method not allowed");
        }
        if (!FakeJson.jsonContentType(request)) {
            throw invalid("content-type must be application/json");
        }
        JsonObject body = FakeJson.parseOrNull(request);
        if (body == null) {
            throw invalid("the body must be a JSON object");
        }
        Endpoint endpoint = switch (path) {
            case "/v2/chat" -> Endpoint.CHAT;
            case "/v2/embed" -> Endpoint.EMBED;
            default -> Endpoint.RERANK;
        };
        unknown(body, switch (endpoint) {
            case CHAT -> CHAT_FIELDS;
            case EMBED -> EMBED_FIELDS;
            case RERANK -> RERANK_FIELDS;
        });
        String model = text(body, "model");
        if (model == null || model.isBlank()) {
            throw invalid("model is required");
        }
        Set<Endpoint> serves;
        synchronized (models) {
            serves = models.get(model);
        }
        if (serves == null) {
            throw new Rejection(404, "not_found", "model '" + model + "' not found, make sure the correct model ID"
                    + " was used and that you have access to the model.");
        }
        if (!serves.contains(endpoint)) {
            throw invalid("model '" + model + "' does not support the " + endpoint.name().toLowerCase(Locale.ROOT)
                    + " endpoint");
        }
        return switch (endpoint) {
            case CHAT -> {
                validateChat(body);
                Reply scripted = scripted(request);
                if (scripted != null) {
                    yield scripted;
                }
                JsonObject answer = chatAnswer(body);
                yield body.get("stream") == JsonValue.TRUE ? Reply.sse(events(answer)) : Reply.json(200, answer);
            }
            case EMBED -> {
                validateEmbed(body, model);
                Reply scripted = scripted(request);
                yield scripted != null ? scripted : Reply.json(200, embedAnswer(body));
            }
            case RERANK -> {
                validateRerank(body);
                Reply scripted = scripted(request);
                yield scripted != null ? scripted : Reply.json(200, rerankAnswer(body));
            }
        };
    }

    private static void unknown(JsonObject body, Set<String> known) {
        for (String field : FakeJson.unknownKeys(body, known)) {
            throw invalid("json: unknown field \"" + field + "\"");
        }
    }

    private Reply modelList() {
        JsonArrayBuilder list = array();
        synchronized (models) {
            models.forEach((id, endpoints) -> list.add(object().add("name", id)
                    .add("endpoints", FakeJson.arrayOf(endpoints.stream().sorted()
                            .map(e -> FakeJson.JSON.createValue(e.name().toLowerCase(Locale.ROOT))).toList()))
                    .add("finetuned", false).add("context_length", 128_000)));
        }
        return Reply.json(200, object().add("models", list).build());
    }

    // ------------------------------------------------------------------ chat

    private static void validateChat(JsonObject body) {
        JsonArray messages = body.get("messages") instanceof JsonArray array ? array : null;
        if (messages == null || messages.isEmpty()) {
            throw invalid("messages must be a non-empty list");
        }
        Set<String> declared = new HashSet<>();
        JsonValue toolsValue = body.get("tools");
        if (toolsValue != null) {
            if (!(toolsValue instanceof JsonArray tools)) {
                throw invalid("tools must be a list");
            }
            for (JsonValue value : tools) {
                JsonObject tool = value instanceof JsonObject object ? object : null;
                if (!"function".equals(text(tool, "type"))) {
                    throw invalid("tools[].type must be \"function\"");
                }
                JsonObject function = objectField(tool, "function");
                String name = text(function, "name");
                if (name == null || !TOOL_NAME.matcher(name).matches() || !declared.add(name)) {
                    throw invalid("tool names must be unique and match " + TOOL_NAME + ", got " + name);
                }
                if (function.containsKey("parameters") && !(function.get("parameters") instanceof JsonObject)) {
                    throw invalid("tools[].function.parameters must be an object");
                }
            }
        }
        JsonValue choice = body.get("tool_choice");
        if (choice != null) {
            if (!(choice instanceof JsonString string) || !Set.of("REQUIRED", "NONE").contains(string.getString())) {
                throw invalid("tool_choice must be REQUIRED or NONE");
            }
            if (declared.isEmpty()) {
                throw invalid("tool_choice can only be set together with tools");
            }
        }
        Set<String> open = new HashSet<>();
        for (int i = 0; i < messages.size(); i++) {
            String where = "messages[" + i + "]";
            if (!(messages.get(i) instanceof JsonObject message)) {
                throw invalid(where + " must be an object");
            }
            String role = text(message, "role");
            JsonValue content = message.get("content");
            switch (role == null ? "" : role) {
                case "system" -> {
                    requireFields(message, Set.of("role", "content"), where);
                    requireText(content, where, false);
                }
                case "user" -> {
                    requireFields(message, Set.of("role", "content"), where);
                    userContent(content, where);
                    open.clear();
                }
                case "assistant" -> {
                    requireFields(message, Set.of("role", "content", "tool_calls", "tool_plan", "citations"), where);
                    JsonArray calls = message.get("tool_calls") instanceof JsonArray array ? array : null;
                    if (content != null) {
                        requireText(content, where, true);
                    }
                    if ((calls == null || calls.isEmpty()) && content == null) {
                        throw invalid(where + ": an assistant message needs content or tool_calls");
                    }
                    open.clear();
                    if (calls != null) {
                        for (JsonValue value : calls) {
                            JsonObject call = value instanceof JsonObject object ? object : null;
                            JsonObject function = objectField(call, "function");
                            String id = text(call, "id");
                            if (id == null || !"function".equals(text(call, "type")) || text(function, "name") == null) {
                                throw invalid(where + ".tool_calls[] needs an id, type function and a function name");
                            }
                            if (!declared.contains(text(function, "name"))) {
                                throw invalid(where + ": tool call to undeclared tool " + text(function, "name"));
                            }
                            String arguments = text(function, "arguments");
                            if (arguments == null || FakeJson.parseValueOrNull(arguments) == null) {
                                throw invalid(where + ".tool_calls[].function.arguments must be a JSON object's text");
                            }
                            open.add(id);
                        }
                    }
                }
                case "tool" -> {
                    requireFields(message, Set.of("role", "content", "tool_call_id"), where);
                    String id = text(message, "tool_call_id");
                    if (id == null || !open.contains(id)) {
                        throw invalid(where + ".tool_call_id " + id + " does not answer a tool call of the assistant"
                                + " message before it");
                    }
                    if (!(content instanceof JsonString) && !(content instanceof JsonArray)) {
                        throw invalid(where + ".content must be a string or a list of text or document content");
                    }
                }
                default -> throw invalid(where + ".role must be one of system, user, assistant, tool");
            }
        }
        checkRange(body, "temperature", 0, 1);
        checkRange(body, "p", 0.01, 0.99);
        checkRange(body, "frequency_penalty", 0, 1);
        checkRange(body, "presence_penalty", 0, 1);
        if (body.containsKey("k") && !(FakeJson.isInteger(body.get("k"), 0) && body.getInt("k") <= 500)) {
            throw invalid("k must be an integer between 0 and 500");
        }
        if (body.containsKey("max_tokens") && !FakeJson.isInteger(body.get("max_tokens"), 1)) {
            throw invalid("max_tokens must be a positive integer");
        }
        if (body.containsKey("seed") && !FakeJson.isInteger(body.get("seed"), Long.MIN_VALUE)) {
            throw invalid("seed must be an integer");
        }
        if (body.containsKey("stop_sequences")) {
            JsonArray stops = body.get("stop_sequences") instanceof JsonArray array ? array : null;
            if (stops == null || stops.size() > 5 || stops.stream().anyMatch(v -> !(v instanceof JsonString))) {
                throw invalid("stop_sequences must be a list of at most 5 strings");
            }
        }
        JsonValue stream = body.get("stream");
        if (stream != null && stream != JsonValue.TRUE && stream != JsonValue.FALSE) {
            throw invalid("stream must be a boolean");
        }
        if (body.containsKey("response_format")) {
            JsonObject format = body.get("response_format") instanceof JsonObject object ? object : null;
            String type = text(format, "type");
            if (!"text".equals(type) && !"json_object".equals(type)) {
                throw invalid("response_format.type must be text or json_object");
            }
            if (format.containsKey("json_schema") && (!"json_object".equals(type)
                    || !(format.get("json_schema") instanceof JsonObject))) {
                throw invalid("response_format.json_schema must be an object, with type json_object");
            }
        }
    }

    private static void requireFields(JsonObject message, Set<String> known, String where) {
        for (String field : FakeJson.unknownKeys(message, known)) {
            throw invalid("json: unknown field \"" + field + "\" in " + where);
        }
    }

    private static void requireText(JsonValue content, String where, boolean allowEmpty) {
        if (content instanceof JsonString string) {
            if (!allowEmpty && string.getString().isEmpty()) {
                throw invalid(where + ".content must not be empty");
            }
            return;
        }
        if (content instanceof JsonArray parts && !parts.isEmpty()) {
            for (JsonValue part : parts) {
                if (!(part instanceof JsonObject object) || !"text".equals(text(object, "type"))
                        || text(object, "text") == null) {
                    throw invalid(where + ".content may hold text content only");
                }
            }
            return;
        }
        throw invalid(where + ".content must be a string or a list of text content");
    }

    private static void userContent(JsonValue content, String where) {
        if (content instanceof JsonString string && !string.getString().isEmpty()) {
            return;
        }
        if (!(content instanceof JsonArray parts) || parts.isEmpty()) {
            throw invalid(where + ".content must be a non-empty string or list");
        }
        for (JsonValue value : parts) {
            JsonObject part = value instanceof JsonObject object ? object : null;
            String type = text(part, "type");
            if ("text".equals(type) && text(part, "text") != null) {
                continue;
            }
            if ("image_url".equals(type) && text(objectField(part, "image_url"), "url") != null) {
                continue;
            }
            throw invalid(where + ".content[] must be text or image_url content, got " + type);
        }
    }

    private static void checkRange(JsonObject body, String field, double min, double max) {
        if (body.containsKey(field) && !FakeJson.inRange(body.get(field), min, max)) {
            throw invalid(field + " must be between " + min + " and " + max);
        }
    }

    private JsonObject chatAnswer(JsonObject body) {
        String id = "fake-chat-" + ids.incrementAndGet();
        JsonArray messages = body.getJsonArray("messages");
        long input = Math.max(1, FakeJson.words(FakeJson.allText(messages)));
        JsonArray tools = arrayField(body, "tools");
        if ("REQUIRED".equals(text(body, "tool_choice")) && tools != null && !tools.isEmpty()) {
            JsonObject function = tools.getJsonObject(0).getJsonObject("function");
            JsonValue arguments = FakeJson.sample(objectField(function, "parameters"));
            String name = text(function, "name");
            JsonObject message = object().add("role", "assistant")
                    .add("tool_plan", "I will call " + name + ".")
                    .add("tool_calls", array().add(object().add("id", name + "_fake" + ids.get())
                            .add("type", "function").add("function", object().add("name", name)
                                    .add("arguments", arguments.toString())))).build();
            return answer(id, message, "TOOL_CALL", input, 10);
        }
        String reply = replyText(messages);
        String finish = "COMPLETE";
        JsonArray stops = arrayField(body, "stop_sequences");
        if (stops != null) {
            for (JsonValue stop : stops) {
                int at = reply.indexOf(((JsonString) stop).getString());
                if (at >= 0) {
                    reply = reply.substring(0, at).stripTrailing();
                    finish = "STOP_SEQUENCE";
                }
            }
        }
        if (body.get("max_tokens") instanceof JsonNumber max && FakeJson.words(reply) > max.longValue()) {
            reply = FakeJson.firstWords(reply, max.intValue());
            finish = "MAX_TOKENS";
        }
        JsonObject message = object().add("role", "assistant")
                .add("content", array().add(object().add("type", "text").add("text", reply))).build();
        return answer(id, message, finish, input, FakeJson.words(reply));
    }

    private static JsonObject answer(String id, JsonObject message, String finish, long input, long output) {
        JsonObject units = object().add("input_tokens", input).add("output_tokens", output).build();
        return object().add("id", id).add("message", message).add("finish_reason", finish)
                .add("usage", object().add("billed_units", units).add("tokens", object()
                        .add("input_tokens", input + 200).add("output_tokens", output + 2))).build();
    }

    private static String replyText(JsonArray messages) {
        JsonObject last = messages.getJsonObject(messages.size() - 1);
        if ("tool".equals(text(last, "role"))) {
            return "Thanks, the tool said: " + FakeJson.allText(last.get("content"));
        }
        for (int i = messages.size() - 1; i >= 0; i--) {
            JsonObject message = messages.getJsonObject(i);
            if ("user".equals(text(message, "role"))) {
                JsonValue content = message.get("content");
                StringBuilder said = new StringBuilder();
                if (content instanceof JsonString string) {
                    said.append(string.getString());
                } else {
                    for (JsonValue part : (JsonArray) content) {
                        String partText = text(part.asJsonObject(), "text");
                        if (partText != null) {
                            said.append(said.isEmpty() ? "" : " ").append(partText);
                        }
                    }
                }
                return "Hello! You said: " + said;
            }
        }
        return "Hello!";
    }

    /**
     * The server-sent events Cohere streams for a chat answer.
     *
     * @param answer a complete chat answer as the fake builds it
     * @return the frames, each named after its {@code type}
     */
    public static List<SseFrame> events(JsonObject answer) {
        List<SseFrame> frames = new ArrayList<>();
        JsonObject message = answer.getJsonObject("message");
        frames.add(typed(object().add("id", answer.getString("id")).add("type", "message-start")
                .add("delta", object().add("message", object().add("role", "assistant")
                        .add("content", array()).add("tool_plan", "").add("tool_calls", array())
                        .add("citations", array())))));
        JsonArray content = arrayField(message, "content");
        if (content != null && !content.isEmpty()) {
            frames.add(typed(object().add("type", "content-start").add("index", 0).add("delta", object()
                    .add("message", object().add("content", object().add("type", "text").add("text", ""))))));
            for (String piece : FakeJson.pieces(content.getJsonObject(0).getString("text"))) {
                frames.add(typed(object().add("type", "content-delta").add("index", 0).add("delta", object()
                        .add("message", object().add("content", object().add("text", piece))))));
            }
            frames.add(typed(object().add("type", "content-end").add("index", 0)));
        }
        JsonArray calls = arrayField(message, "tool_calls");
        if (calls != null && !calls.isEmpty()) {
            frames.add(typed(object().add("type", "tool-plan-delta").add("delta", object().add("message",
                    object().add("tool_plan", message.getString("tool_plan", ""))))));
            for (int i = 0; i < calls.size(); i++) {
                JsonObject call = calls.getJsonObject(i);
                JsonObject function = call.getJsonObject("function");
                frames.add(typed(object().add("type", "tool-call-start").add("index", i).add("delta", object()
                        .add("message", object().add("tool_calls", object().add("id", call.getString("id"))
                                .add("type", "function").add("function", object()
                                        .add("name", function.getString("name")).add("arguments", "")))))));
                for (String fragment : FakeJson.fragments(function.getString("arguments"))) {
                    frames.add(typed(object().add("type", "tool-call-delta").add("index", i).add("delta", object()
                            .add("message", object().add("tool_calls", object().add("function", object()
                                    .add("arguments", fragment)))))));
                }
                frames.add(typed(object().add("type", "tool-call-end").add("index", i)));
            }
        }
        frames.add(typed(object().add("type", "message-end").add("delta", object()
                .add("finish_reason", answer.getString("finish_reason")).add("usage", answer.getJsonObject("usage")))));
        return frames;
    }

    private static SseFrame typed(JsonObjectBuilder event) {
        return SseFrame.typed(event.build());
    }

    // ------------------------------------------------------------------ embed

    private static void validateEmbed(JsonObject body, String model) {
        String inputType = text(body, "input_type");
        boolean v3 = !model.contains("v2");
        if (body.containsKey("input_type") ? !INPUT_TYPES.contains(inputType) : v3) {
            throw invalid("input_type must be one of " + INPUT_TYPES + " for " + model);
        }
        JsonArray texts = body.get("texts") instanceof JsonArray array ? array : null;
        if (texts == null || texts.isEmpty() || texts.size() > 96
                || texts.stream().anyMatch(v -> !(v instanceof JsonString))) {
            throw invalid("texts must be a list of 1 to 96 strings");
        }
        if (body.containsKey("embedding_types")) {
            JsonArray types = body.get("embedding_types") instanceof JsonArray array ? array : null;
            if (types == null || types.isEmpty() || types.stream().anyMatch(v -> !(v instanceof JsonString s)
                    || !EMBEDDING_TYPES.contains(s.getString()))) {
                throw invalid("embedding_types must hold some of " + EMBEDDING_TYPES);
            }
        }
        if (body.containsKey("output_dimension")) {
            if (model.startsWith("embed-") && !model.equals("embed-v4.0")) {
                throw invalid("output_dimension is only supported by embed-v4.0 and newer models");
            }
            if (!(body.get("output_dimension") instanceof JsonNumber number)
                    || !Set.of(256, 512, 1024, 1536).contains(number.intValue()) || !number.isIntegral()) {
                throw invalid("output_dimension must be one of 256, 512, 1024, 1536");
            }
        }
        if (body.containsKey("truncate") && !Set.of("NONE", "START", "END").contains(text(body, "truncate"))) {
            throw invalid("truncate must be NONE, START or END");
        }
    }

    private JsonObject embedAnswer(JsonObject body) {
        int dimensions = body.get("output_dimension") instanceof JsonNumber number ? number.intValue()
                : EMBEDDING_DIMENSIONS;
        List<String> types = body.get("embedding_types") instanceof JsonArray array
                ? array.stream().map(v -> ((JsonString) v).getString()).toList() : List.of("float");
        JsonArray texts = body.getJsonArray("texts");
        JsonObjectBuilder embeddings = object();
        long tokens = 0;
        for (String type : types) {
            JsonArrayBuilder list = array();
            for (JsonValue value : texts) {
                String content = ((JsonString) value).getString();
                list.add(encode(FakeJson.vector(content, dimensions), type));
            }
            embeddings.add(type, list);
        }
        for (JsonValue value : texts) {
            tokens += Math.max(1, FakeJson.words(((JsonString) value).getString()));
        }
        return object().add("id", "fake-embed-" + ids.incrementAndGet()).add("embeddings", embeddings)
                .add("texts", texts).add("meta", object().add("api_version", object().add("version", "2"))
                        .add("billed_units", object().add("input_tokens", tokens)))
                .add("response_type", "embeddings_by_type").build();
    }

    private static JsonValue encode(JsonArray vector, String type) {
        return switch (type) {
            case "int8", "uint8" -> {
                JsonArrayBuilder out = array();
                for (JsonValue value : vector) {
                    long q = Math.round(((JsonNumber) value).doubleValue() * 127);
                    out.add(type.equals("uint8") ? q + 128 : q);
                }
                yield out.build();
            }
            case "binary", "ubinary" -> {
                JsonArrayBuilder out = array();
                for (int i = 0; i < vector.size(); i += 8) {
                    int bits = 0;
                    for (int j = 0; j < 8; j++) {
                        bits <<= 1;
                        if (i + j < vector.size() && ((JsonNumber) vector.get(i + j)).doubleValue() > 0) {
                            bits |= 1;
                        }
                    }
                    out.add(type.equals("binary") ? bits - 128 : bits);
                }
                yield out.build();
            }
            case "base64" -> {
                ByteBuffer bytes = ByteBuffer.allocate(vector.size() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                for (JsonValue value : vector) {
                    bytes.putFloat((float) ((JsonNumber) value).doubleValue());
                }
                yield FakeJson.JSON.createValue(Base64.getEncoder().encodeToString(bytes.array()));
            }
            default -> vector;
        };
    }

    // ------------------------------------------------------------------ rerank

    private static void validateRerank(JsonObject body) {
        if (!(body.get("query") instanceof JsonString query) || query.getString().isBlank()) {
            throw invalid("query must be a non-empty string");
        }
        JsonArray documents = body.get("documents") instanceof JsonArray array ? array : null;
        if (documents == null || documents.isEmpty() || documents.size() > 1000) {
            throw invalid("documents must be a list of 1 to 1000 strings");
        }
        for (JsonValue document : documents) {
            if (!(document instanceof JsonString)) {
                throw invalid("documents must be strings; send structured data as YAML text");
            }
        }
        if (body.containsKey("top_n") && !FakeJson.isInteger(body.get("top_n"), 1)) {
            throw invalid("top_n must be a positive integer");
        }
        if (body.containsKey("max_tokens_per_doc") && !FakeJson.isInteger(body.get("max_tokens_per_doc"), 1)) {
            throw invalid("max_tokens_per_doc must be a positive integer");
        }
    }

    private JsonObject rerankAnswer(JsonObject body) {
        Set<String> wanted = words(body.getString("query"));
        JsonArray documents = body.getJsonArray("documents");
        List<double[]> scored = new ArrayList<>();
        long tokens = FakeJson.words(body.getString("query"));
        for (int i = 0; i < documents.size(); i++) {
            String text = documents.getString(i);
            tokens += FakeJson.words(text);
            Set<String> present = words(text);
            long hits = wanted.stream().filter(present::contains).count();
            scored.add(new double[] {i, wanted.isEmpty() ? 0 : (double) hits / wanted.size()});
        }
        scored.sort((a, b) -> a[1] != b[1] ? Double.compare(b[1], a[1]) : Double.compare(a[0], b[0]));
        int count = body.get("top_n") instanceof JsonNumber n ? Math.min(n.intValue(), scored.size()) : scored.size();
        JsonArrayBuilder results = array();
        for (double[] result : scored.subList(0, count)) {
            results.add(object().add("index", (int) result[0]).add("relevance_score", result[1]));
        }
        return object().add("id", "fake-rerank-" + ids.incrementAndGet()).add("results", results)
                .add("meta", object().add("api_version", object().add("version", "2"))
                        .add("billed_units", object().add("search_units", 1))
                        .add("tokens", object().add("input_tokens", tokens).add("output_tokens", 0))).build();
    }

    private static Set<String> words(String text) {
        Set<String> words = new HashSet<>();
        for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (!word.isEmpty()) {
                words.add(word);
            }
        }
        return words;
    }
}
