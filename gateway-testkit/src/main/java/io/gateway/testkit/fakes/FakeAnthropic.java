package io.gateway.testkit.fakes;

import static io.gateway.testkit.fakes.FakeJson.array;
import static io.gateway.testkit.fakes.FakeJson.arrayField;
import static io.gateway.testkit.fakes.FakeJson.object;
import static io.gateway.testkit.fakes.FakeJson.objectField;
import static io.gateway.testkit.fakes.FakeJson.text;

import io.gateway.testkit.http.FakeUpstream;
import io.gateway.testkit.http.RecordedRequest;
import io.gateway.testkit.http.Reply;
import io.gateway.testkit.http.SseFrame;
import io.gateway.testkit.fakes.FakeJson.Rejection;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A fake of Anthropic's Messages API on a free loopback port, built on a {@link FakeUpstream}. It
 * speaks Anthropic's wire format and checks requests the way the public API reference describes, so
 * a translation the real API would refuse is refused here too.
 *
 * <pre>{@code
 * try (FakeAnthropic anthropic = FakeAnthropic.start()) {
 *     // provider config: type anthropic, base-url anthropic.baseUrl(), key FakeAnthropic.API_KEY
 *     anthropic.failNext(529, "overloaded_error", "Overloaded");
 *     ...
 *     JsonObject sent = anthropic.lastMessagesBody();
 * }
 * }</pre>
 *
 * <p><b>Routes.</b> {@code POST /v1/messages} (JSON, or server-sent events with {@code "stream": true}),
 * {@code POST /v1/messages/count_tokens}, {@code GET /v1/models} (paged with {@code limit},
 * {@code after_id}, {@code before_id}) and {@code GET /v1/models/{id}}. Anything else answers 404
 * {@code not_found_error}.
 *
 * <p><b>Checks, in order</b> (each failure is Anthropic's {@code {"type":"error","error":{"type",
 * "message"}}}):
 * <ol>
 *   <li>{@code x-api-key} present and equal to the fake's key, else 401 {@code authentication_error};</li>
 *   <li>{@code anthropic-version} present and a known version ({@link #VERSIONS}), else 400
 *       {@code invalid_request_error};</li>
 *   <li>for POSTs: {@code content-type: application/json} and a JSON object body, else 400;</li>
 *   <li>the Messages body: no unknown top-level fields; {@code model} and {@code max_tokens} (an integer
 *       of at least 1) present; {@code system} only top-level (a string or text blocks), never a role in
 *       {@code messages}; {@code messages} non-empty, roles {@code user}/{@code assistant} alternating
 *       and starting with {@code user}; non-empty content; known block types with valid sources
 *       (base64 images of type jpeg/png/gif/webp with valid data, {@code url} sources); {@code tool_use}
 *       only in assistant turns; each {@code tool_result} in the user turn right after the
 *       {@code tool_use} it answers, ahead of other blocks, and every {@code tool_use} answered there;
 *       {@code temperature} and {@code top_p} within 0–1; tools with unique valid names and an object
 *       {@code input_schema}; {@code tool_choice} only with tools, naming a declared tool; extended
 *       {@code thinking} with a budget of at least 1024 below {@code max_tokens}, no forced tool use and
 *       no {@code temperature} other than 1 — else 400 {@code invalid_request_error};</li>
 *   <li>a known model ({@link #models()}, or one of the aliases such as {@code claude-sonnet-4-5}),
 *       else 404 {@code not_found_error}.</li>
 * </ol>
 *
 * <p><b>Answers.</b> A request that passes gets the next reply queued with {@link #answerNext} or
 * {@link #failNext}, else the default answer: a message whose text is {@code "Hello! You said: "}
 * followed by the last user text (or, after tool results, {@code "Thanks, the tool said: "} and the
 * first tool result's text). When {@code tool_choice} forces a tool ({@code any} or {@code tool}), the
 * answer is one {@code tool_use} block for that tool (the first one for {@code any}) with an input
 * holding a placeholder for each required property, and {@code stop_reason: tool_use}. A stop
 * sequence that occurs in the text cuts it ({@code stop_reason: stop_sequence}); a text longer than
 * {@code max_tokens} words is cut to that many ({@code stop_reason: max_tokens}); with thinking
 * enabled, a signed {@code thinking} block comes first. Usage counts words: {@code input_tokens} is
 * the number of whitespace-separated words of every text in {@code system} and {@code messages} (at
 * least 1), {@code output_tokens} the words of the answer's text plus 10 per tool call. Streams send
 * {@code message_start}, {@code content_block_start}, {@code ping}, {@code content_block_delta}s
 * (one word each; tool input in three {@code input_json_delta} fragments), {@code content_block_stop},
 * {@code message_delta} and {@code message_stop} ({@link #events(JsonObject)}). Every answer carries a
 * {@code request-id} and {@code anthropic-ratelimit-requests-*} / {@code anthropic-ratelimit-tokens-*}
 * headers.
 *
 * <p>The underlying {@link #upstream()} records every request (rejected ones included). Stubs added
 * to it with {@code on}/{@code onPrefix} take precedence over the fake's own routes and skip its
 * checks; {@code upstream().reset()} would remove the fake's routes, so use {@link #reset()}.
 */
public final class FakeAnthropic extends ProviderFake<FakeAnthropic> {

    /** The key the fake accepts unless started with another one. */
    public static final String API_KEY = "sk-ant-fake-key";

    /**
     * The {@code anthropic-version} values the fake accepts: the API's dated versions, and the one the
     * official Java SDK (3.16) sends.
     */
    public static final Set<String> VERSIONS = Set.of("2023-06-01", "2023-01-01", "2026-10-21");

    /** The models the fake lists, newest first, unless more are added with {@link #addModel}. */
    public static final List<String> DEFAULT_MODELS = List.of("claude-haiku-4-5-20251001",
            "claude-sonnet-4-5-20250929", "claude-opus-4-1-20250805", "claude-3-5-haiku-20241022");

    /** Aliases the Messages API accepts besides the listed ids. */
    public static final Map<String, String> ALIASES = Map.of(
            "claude-haiku-4-5", "claude-haiku-4-5-20251001",
            "claude-sonnet-4-5", "claude-sonnet-4-5-20250929",
            "claude-opus-4-1", "claude-opus-4-1-20250805",
            "claude-3-5-haiku-latest", "claude-3-5-haiku-20241022");

    private static final Set<String> MESSAGE_FIELDS = Set.of("model", "messages", "max_tokens", "system",
            "stop_sequences", "stream", "temperature", "top_p", "top_k", "tools", "tool_choice", "thinking",
            "metadata", "service_tier", "container", "mcp_servers", "context_management");
    private static final Set<String> COUNT_FIELDS = Set.of("model", "messages", "system", "tools", "tool_choice",
            "thinking", "mcp_servers", "context_management");
    private static final Set<String> IMAGE_TYPES = Set.of("image/jpeg", "image/png", "image/gif", "image/webp");
    private static final Pattern TOOL_NAME = Pattern.compile("[a-zA-Z0-9_-]{1,128}");
    private static final Pattern TOOL_ID = Pattern.compile("[a-zA-Z0-9_-]+");
    private static final Pattern SERVER_TOOL_TYPE = Pattern.compile("[a-z_]+_\\d{8}");
    private static final String CREATED_AT = "2025-01-01T00:00:00Z";

    private final Map<String, String> models = new LinkedHashMap<>();

    private FakeAnthropic(String apiKey) {
        super(apiKey);
        models.put("claude-haiku-4-5-20251001", "2025-10-01T00:00:00Z");
        models.put("claude-sonnet-4-5-20250929", "2025-09-29T00:00:00Z");
        models.put("claude-opus-4-1-20250805", "2025-08-05T00:00:00Z");
        models.put("claude-3-5-haiku-20241022", "2024-10-22T00:00:00Z");
        serve();
    }

    /**
     * Starts the fake on {@code 127.0.0.1} and a free port, accepting {@link #API_KEY}.
     *
     * @return the running fake; close it to release the port
     */
    public static FakeAnthropic start() {
        return new FakeAnthropic(API_KEY);
    }

    /**
     * Starts the fake accepting another key.
     *
     * @param apiKey the only {@code x-api-key} value the fake accepts
     * @return the running fake
     */
    public static FakeAnthropic start(String apiKey) {
        return new FakeAnthropic(apiKey);
    }

    /**
     * Adds a model to the list and to the models the Messages API accepts. It is listed first, as the
     * newest.
     *
     * @param id the model id
     * @return this fake
     */
    public FakeAnthropic addModel(String id) {
        synchronized (models) {
            Map<String, String> copy = new LinkedHashMap<>(models);
            models.clear();
            models.put(Objects.requireNonNull(id, "id"), CREATED_AT);
            copy.forEach(models::putIfAbsent);
        }
        return this;
    }

    /**
     * The model ids the fake lists, newest first.
     *
     * @return a snapshot
     */
    public List<String> models() {
        synchronized (models) {
            return List.copyOf(models.keySet());
        }
    }

    /**
     * Makes the next request that passes the fake's checks fail with an Anthropic error.
     *
     * @param status  the HTTP status, e.g. 529
     * @param type    Anthropic's error type, e.g. {@code overloaded_error}
     * @param message the message
     * @return this fake
     */
    public FakeAnthropic failNext(int status, String type, String message) {
        return answerNext(error(status, type, message));
    }

    /**
     * The {@code POST /v1/messages} requests received, accepted or not.
     *
     * @return the requests in arrival order
     */
    public List<RecordedRequest> messagesRequests() {
        return upstream.requests("/v1/messages");
    }

    /**
     * The body of the latest {@code POST /v1/messages} request.
     *
     * @return the JSON body
     * @throws IllegalStateException if none was received
     */
    public JsonObject lastMessagesBody() {
        List<RecordedRequest> requests = messagesRequests();
        if (requests.isEmpty()) {
            throw new IllegalStateException("the fake Anthropic API received no POST /v1/messages");
        }
        return requests.get(requests.size() - 1).bodyJson();
    }

    @Override
    public String toString() {
        return "FakeAnthropic[" + baseUrl() + "]";
    }

    /**
     * Anthropic's error for a status, with its error type: {@code invalid_request_error} (400),
     * {@code authentication_error} (401), {@code billing_error} (402), {@code permission_error} (403),
     * {@code not_found_error} (404), {@code request_too_large} (413), {@code rate_limit_error} (429),
     * {@code timeout_error} (504), {@code overloaded_error} (529), {@code api_error} otherwise.
     *
     * @param status  the HTTP status
     * @param message the message
     * @return the reply
     */
    @Override
    public Reply errorReply(int status, String message) {
        String type = switch (status) {
            case 400 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 402 -> "billing_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 504 -> "timeout_error";
            case 529 -> "overloaded_error";
            default -> "api_error";
        };
        return error(status, type, message);
    }

    /**
     * The newest model for the Messages API's operations (chat, Responses, the model list, and the
     * Messages API itself with its token count); none for the others.
     *
     * @param operation the operation
     * @return the model id, or empty
     */
    @Override
    public java.util.Optional<String> modelFor(io.gateway.spi.Operation operation) {
        return switch (operation) {
            case CHAT_COMPLETION, RESPONSES, LIST_MODELS, MESSAGES, COUNT_TOKENS -> models().stream().findFirst();
            default -> java.util.Optional.empty();
        };
    }

    // ------------------------------------------------------------------ builders

    /**
     * A text content block.
     *
     * @param text the text
     * @return {@code {"type":"text","text":…}}
     */
    public static JsonObject textBlock(String text) {
        return object().add("type", "text").add("text", text).build();
    }

    /**
     * A {@code tool_use} content block.
     *
     * @param id    the tool use id, e.g. {@code toolu_01}
     * @param name  the tool name
     * @param input the input object
     * @return the block
     */
    public static JsonObject toolUse(String id, String name, JsonObject input) {
        return object().add("type", "tool_use").add("id", id).add("name", name).add("input", input).build();
    }

    /**
     * A {@code thinking} content block.
     *
     * @param thinking  the thinking text
     * @param signature its signature
     * @return the block
     */
    public static JsonObject thinking(String thinking, String signature) {
        return object().add("type", "thinking").add("thinking", thinking).add("signature", signature).build();
    }

    /**
     * A usage object without cache activity.
     *
     * @param input  {@code input_tokens}
     * @param output {@code output_tokens}
     * @return the usage
     */
    public static JsonObject usage(long input, long output) {
        return usage(input, output, 0, 0);
    }

    /**
     * A usage object.
     *
     * @param input         {@code input_tokens} (not counting cache reads and writes)
     * @param output        {@code output_tokens}
     * @param cacheRead     {@code cache_read_input_tokens}
     * @param cacheCreation {@code cache_creation_input_tokens}
     * @return the usage
     */
    public static JsonObject usage(long input, long output, long cacheRead, long cacheCreation) {
        return object().add("input_tokens", input).add("cache_creation_input_tokens", cacheCreation)
                .add("cache_read_input_tokens", cacheRead).add("output_tokens", output)
                .add("service_tier", "standard").build();
    }

    /**
     * A complete Messages answer.
     *
     * @param id         the message id, e.g. {@code msg_01}
     * @param model      the model
     * @param content    the content blocks
     * @param stopReason {@code end_turn}, {@code max_tokens}, {@code stop_sequence}, {@code tool_use},
     *                   {@code pause_turn} or {@code refusal}
     * @param usage      the usage ({@link #usage})
     * @return {@code {"id","type":"message","role":"assistant","model","content","stop_reason",
     *         "stop_sequence":null,"usage"}}
     */
    public static JsonObject message(String id, String model, List<JsonObject> content, String stopReason,
                                     JsonObject usage) {
        return message(id, model, content, stopReason, null, usage);
    }

    private static JsonObject message(String id, String model, List<JsonObject> content, String stopReason,
                                      String stopSequence, JsonObject usage) {
        return object().add("id", id).add("type", "message").add("role", "assistant").add("model", model)
                .add("content", FakeJson.arrayOf(content))
                .add("stop_reason", stopReason == null ? JsonValue.NULL : FakeJson.JSON.createValue(stopReason))
                .add("stop_sequence", stopSequence == null ? JsonValue.NULL
                        : FakeJson.JSON.createValue(stopSequence))
                .add("usage", usage).build();
    }

    /**
     * The server-sent events Anthropic streams for a message: {@code message_start} (content empty,
     * {@code output_tokens} 1), then per block {@code content_block_start}, deltas ({@code text_delta}
     * per word, {@code input_json_delta} in three fragments, {@code thinking_delta} and
     * {@code signature_delta}) and {@code content_block_stop}, a {@code ping} after the first block
     * start, then {@code message_delta} (stop reason, final {@code output_tokens}) and
     * {@code message_stop}. Use {@link SseFrame#after} on single frames to space them out.
     *
     * @param message a complete message as {@link #message} builds it
     * @return the frames, each named after its {@code type}
     */
    public static List<SseFrame> events(JsonObject message) {
        List<SseFrame> frames = new ArrayList<>();
        JsonObject usage = objectField(message, "usage");
        JsonObjectBuilder startUsage = object(usage == null ? JsonValue.EMPTY_JSON_OBJECT : usage)
                .add("output_tokens", 1);
        JsonObject start = object(message).add("content", JsonValue.EMPTY_JSON_ARRAY)
                .add("stop_reason", JsonValue.NULL).add("stop_sequence", JsonValue.NULL)
                .add("usage", startUsage).build();
        frames.add(SseFrame.typed(object().add("type", "message_start").add("message", start).build()));
        JsonArray content = arrayField(message, "content");
        List<JsonValue> blocks = content == null ? List.of() : content;
        if (blocks.isEmpty()) {
            frames.add(SseFrame.typed(object().add("type", "ping").build()));
        }
        for (int i = 0; i < blocks.size(); i++) {
            JsonObject block = blocks.get(i).asJsonObject();
            String type = text(block, "type");
            JsonObjectBuilder opening = object(block);
            List<JsonObject> deltas = new ArrayList<>();
            switch (type == null ? "" : type) {
                case "text" -> {
                    opening.add("text", "");
                    for (String piece : FakeJson.pieces(text(block, "text"))) {
                        deltas.add(object().add("type", "text_delta").add("text", piece).build());
                    }
                }
                case "tool_use" -> {
                    opening.add("input", JsonValue.EMPTY_JSON_OBJECT);
                    JsonObject input = objectField(block, "input");
                    for (String fragment : FakeJson.fragments(input == null ? "{}" : input.toString())) {
                        deltas.add(object().add("type", "input_json_delta").add("partial_json", fragment).build());
                    }
                }
                case "thinking" -> {
                    opening.add("thinking", "");
                    opening.remove("signature");
                    deltas.add(object().add("type", "thinking_delta").add("thinking", text(block, "thinking"))
                            .build());
                    deltas.add(object().add("type", "signature_delta").add("signature", text(block, "signature"))
                            .build());
                }
                default -> {
                }
            }
            frames.add(SseFrame.typed(object().add("type", "content_block_start").add("index", i)
                    .add("content_block", opening).build()));
            if (i == 0) {
                frames.add(SseFrame.typed(object().add("type", "ping").build()));
            }
            for (JsonObject delta : deltas) {
                frames.add(SseFrame.typed(object().add("type", "content_block_delta").add("index", i)
                        .add("delta", delta).build()));
            }
            frames.add(SseFrame.typed(object().add("type", "content_block_stop").add("index", i).build()));
        }
        long output = usage != null && usage.get("output_tokens") instanceof jakarta.json.JsonNumber number
                ? number.longValue() : 0;
        frames.add(SseFrame.typed(object().add("type", "message_delta")
                .add("delta", object().add("stop_reason", message.getOrDefault("stop_reason", JsonValue.NULL))
                        .add("stop_sequence", message.getOrDefault("stop_sequence", JsonValue.NULL)))
                .add("usage", object().add("output_tokens", output)).build()));
        frames.add(SseFrame.typed(object().add("type", "message_stop").build()));
        return frames;
    }

    /**
     * Anthropic's error body.
     *
     * @param type    the error type, e.g. {@code rate_limit_error}
     * @param message the message
     * @return {@code {"type":"error","error":{"type","message"}}}
     */
    public static JsonObject errorBody(String type, String message) {
        return object().add("type", "error").add("error", object().add("type", type).add("message", message))
                .build();
    }

    /**
     * An Anthropic error reply, for {@link #answerNext}; add headers such as {@code retry-after} with
     * {@link Reply#header}.
     *
     * @param status  the HTTP status
     * @param type    the error type
     * @param message the message
     * @return the reply
     */
    public static Reply error(int status, String type, String message) {
        return Reply.json(status, errorBody(type, message)).header("request-id", "req_fake_error");
    }

    /**
     * The {@code error} event Anthropic sends when a stream fails after it started.
     *
     * @param type    the error type, e.g. {@code overloaded_error}
     * @param message the message
     * @return the frame, named {@code error}
     */
    public static SseFrame errorEvent(String type, String message) {
        return SseFrame.typed(errorBody(type, message));
    }

    // ------------------------------------------------------------------ handling

    @Override
    protected Reply handle(RecordedRequest request) {
        try {
            return route(request);
        } catch (Rejection rejection) {
            return error(rejection.status(), rejection.kind(), rejection.getMessage());
        }
    }

    private Reply route(RecordedRequest request) {
        String path = request.path();
        String method = request.method();
        boolean messages = path.equals("/v1/messages");
        boolean count = path.equals("/v1/messages/count_tokens");
        boolean list = path.equals("/v1/models");
        boolean one = path.startsWith("/v1/models/") && path.length() > "/v1/models/".length();
        if (!messages && !count && !list && !one) {
            throw new Rejection(404, "not_found_error", "Not Found");
        }
        authenticate(request);
        if (messages || count) {
            if (!method.equals("POST")) {
                throw new Rejection(405, "invalid_request_error", "Method Not Allowed");
            }
            JsonObject body = jsonBody(request);
            if (messages) {
                validateMessages(body);
            } else {
                validateCount(body);
            }
            requireModel(text(body, "model"));
            Reply scripted = scripted(request);
            if (scripted != null) {
                return scripted;
            }
            if (count) {
                return ok(Reply.json(200, object().add("input_tokens", inputTokens(body)).build()));
            }
            JsonObject answer = answer(body, ids);
            if (body.get("stream") == JsonValue.TRUE) {
                return ok(Reply.sse(events(answer)));
            }
            return ok(Reply.json(200, answer));
        }
        if (!method.equals("GET")) {
            throw new Rejection(405, "invalid_request_error", "Method Not Allowed");
        }
        Reply scripted = scripted(request);
        if (scripted != null) {
            return scripted;
        }
        return ok(list ? modelPage(request) : oneModel(path.substring("/v1/models/".length())));
    }

    private void authenticate(RecordedRequest request) {
        String key = request.header("x-api-key");
        if (key == null || key.isEmpty()) {
            throw new Rejection(401, "authentication_error", "x-api-key header is required");
        }
        if (!key.equals(apiKey())) {
            throw new Rejection(401, "authentication_error", "invalid x-api-key");
        }
        String version = request.header("anthropic-version");
        if (version == null || version.isEmpty()) {
            throw new Rejection(400, "invalid_request_error", "anthropic-version: header is required");
        }
        if (!VERSIONS.contains(version)) {
            throw new Rejection(400, "invalid_request_error", "anthropic-version: invalid version '" + version
                    + "'");
        }
    }

    private static JsonObject jsonBody(RecordedRequest request) {
        if (!FakeJson.jsonContentType(request)) {
            throw new Rejection(400, "invalid_request_error",
                    "Content-Type must be application/json, was " + request.header("content-type"));
        }
        JsonObject body = FakeJson.parseOrNull(request);
        if (body == null) {
            throw new Rejection(400, "invalid_request_error",
                    "There was an issue with your request body: it is not a JSON object");
        }
        return body;
    }

    private void requireModel(String model) {
        boolean known;
        synchronized (models) {
            known = models.containsKey(model);
        }
        if (!known && !ALIASES.containsKey(model)) {
            throw new Rejection(404, "not_found_error", "model: " + model);
        }
    }

    private Reply ok(Reply reply) {
        return reply.header("request-id", "req_fake_" + ids.incrementAndGet())
                .header("anthropic-ratelimit-requests-limit", "50")
                .header("anthropic-ratelimit-requests-remaining", "49")
                .header("anthropic-ratelimit-tokens-limit", "40000")
                .header("anthropic-ratelimit-tokens-remaining", "39000");
    }

    private Reply modelPage(RecordedRequest request) {
        int limit = 20;
        String limitText = request.queryParameter("limit");
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText);
            } catch (NumberFormatException e) {
                throw new Rejection(400, "invalid_request_error", "limit: Input should be a valid integer");
            }
            if (limit < 1 || limit > 1000) {
                throw new Rejection(400, "invalid_request_error",
                        "limit: Input should be greater than or equal to 1 and less than or equal to 1000");
            }
        }
        List<String> ids = models();
        String after = request.queryParameter("after_id");
        String before = request.queryParameter("before_id");
        int from = 0;
        int to = ids.size();
        if (after != null) {
            from = ids.indexOf(after) + 1;
            if (from == 0) {
                throw new Rejection(400, "invalid_request_error", "after_id: unknown model id " + after);
            }
        }
        if (before != null) {
            to = ids.indexOf(before);
            if (to < 0) {
                throw new Rejection(400, "invalid_request_error", "before_id: unknown model id " + before);
            }
            from = Math.max(from, to - limit);
        }
        List<String> page = ids.subList(Math.min(from, to), Math.min(to, from + limit));
        JsonArrayBuilder data = array();
        page.forEach(id -> data.add(modelObject(id)));
        JsonObjectBuilder answer = object().add("data", data)
                .add("has_more", from + page.size() < to);
        answer.add("first_id", page.isEmpty() ? JsonValue.NULL : FakeJson.JSON.createValue(page.get(0)));
        answer.add("last_id", page.isEmpty() ? JsonValue.NULL
                : FakeJson.JSON.createValue(page.get(page.size() - 1)));
        return Reply.json(200, answer.build());
    }

    private Reply oneModel(String id) {
        String resolved = ALIASES.getOrDefault(id, id);
        if (!models().contains(resolved)) {
            throw new Rejection(404, "not_found_error", "model: " + id);
        }
        return Reply.json(200, modelObject(resolved));
    }

    private JsonObject modelObject(String id) {
        String created;
        synchronized (models) {
            created = models.getOrDefault(id, CREATED_AT);
        }
        return object().add("type", "model").add("id", id).add("display_name", displayName(id))
                .add("created_at", created).build();
    }

    private static String displayName(String id) {
        String[] parts = id.split("-");
        StringBuilder name = new StringBuilder();
        for (String part : parts) {
            if (part.matches("\\d{8}")) {
                continue;
            }
            if (!name.isEmpty()) {
                name.append(' ');
            }
            name.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        return name.toString();
    }

    // ------------------------------------------------------------------ validation

    private static Rejection invalid(String message) {
        return new Rejection(400, "invalid_request_error", message);
    }

    private static void validateCount(JsonObject body) {
        for (String field : FakeJson.unknownKeys(body, COUNT_FIELDS)) {
            throw invalid(field + ": Extra inputs are not permitted");
        }
        if (!(body.get("model") instanceof JsonString model) || model.getString().isBlank()) {
            throw invalid("model: Field required");
        }
        validateSystem(body.get("system"));
        validateConversation(body.get("messages"));
        validateTools(body);
    }

    /** Checks a Messages body as Anthropic does; {@link FakeVertex} checks its Claude models' with it. */
    static void validateMessages(JsonObject body) {
        for (String field : FakeJson.unknownKeys(body, MESSAGE_FIELDS)) {
            throw invalid(field + ": Extra inputs are not permitted");
        }
        if (!(body.get("model") instanceof JsonString model) || model.getString().isBlank()) {
            throw invalid("model: Field required");
        }
        JsonValue maxTokens = body.get("max_tokens");
        if (maxTokens == null) {
            throw invalid("max_tokens: Field required");
        }
        if (!FakeJson.isInteger(maxTokens, 1)) {
            throw invalid("max_tokens: Input should be an integer greater than or equal to 1");
        }
        validateSystem(body.get("system"));
        validateConversation(body.get("messages"));
        for (String field : List.of("temperature", "top_p")) {
            JsonValue value = body.get(field);
            if (value != null && !FakeJson.inRange(value, 0, 1)) {
                throw invalid(field + ": Input should be a number between 0 and 1");
            }
        }
        JsonValue topK = body.get("top_k");
        if (topK != null && !FakeJson.isInteger(topK, 0)) {
            throw invalid("top_k: Input should be a non-negative integer");
        }
        JsonValue stream = body.get("stream");
        if (stream != null && stream != JsonValue.TRUE && stream != JsonValue.FALSE) {
            throw invalid("stream: Input should be a valid boolean");
        }
        JsonValue stops = body.get("stop_sequences");
        if (stops != null) {
            if (!(stops instanceof JsonArray array)) {
                throw invalid("stop_sequences: Input should be a valid list");
            }
            for (JsonValue stop : array) {
                if (!(stop instanceof JsonString string) || string.getString().isBlank()) {
                    throw invalid("stop_sequences: each stop sequence must be a string containing non-whitespace");
                }
            }
        }
        JsonValue metadata = body.get("metadata");
        if (metadata != null) {
            if (!(metadata instanceof JsonObject object)) {
                throw invalid("metadata: Input should be a valid dictionary");
            }
            for (String field : FakeJson.unknownKeys(object, Set.of("user_id"))) {
                throw invalid("metadata." + field + ": Extra inputs are not permitted");
            }
            if (object.containsKey("user_id") && !(object.get("user_id") instanceof JsonString)
                    && object.get("user_id") != JsonValue.NULL) {
                throw invalid("metadata.user_id: Input should be a valid string");
            }
        }
        validateTools(body);
        validateThinking(body, ((jakarta.json.JsonNumber) maxTokens).longValue());
    }

    private static void validateSystem(JsonValue system) {
        if (system == null || system == JsonValue.NULL) {
            return;
        }
        if (system instanceof JsonString string) {
            if (string.getString().isEmpty()) {
                throw invalid("system: text content blocks must be non-empty");
            }
            return;
        }
        if (!(system instanceof JsonArray blocks)) {
            throw invalid("system: Input should be a valid string or a list of text blocks");
        }
        for (int i = 0; i < blocks.size(); i++) {
            if (!(blocks.get(i) instanceof JsonObject block) || !"text".equals(text(block, "type"))) {
                throw invalid("system." + i + ": only text blocks are allowed in system");
            }
            String value = text(block, "text");
            if (value == null || value.isEmpty()) {
                throw invalid("system." + i + ": text content blocks must be non-empty");
            }
            for (String field : FakeJson.unknownKeys(block, Set.of("type", "text", "cache_control", "citations"))) {
                throw invalid("system." + i + "." + field + ": Extra inputs are not permitted");
            }
        }
    }

    private static void validateConversation(JsonValue value) {
        if (value == null) {
            throw invalid("messages: Field required");
        }
        if (!(value instanceof JsonArray messages)) {
            throw invalid("messages: Input should be a valid list");
        }
        if (messages.isEmpty()) {
            throw invalid("messages: at least one message is required");
        }
        Set<String> unanswered = new HashSet<>();
        String previousRole = null;
        for (int i = 0; i < messages.size(); i++) {
            String where = "messages." + i;
            if (!(messages.get(i) instanceof JsonObject message)) {
                throw invalid(where + ": Input should be a valid dictionary");
            }
            for (String field : FakeJson.unknownKeys(message, Set.of("role", "content"))) {
                throw invalid(where + "." + field + ": Extra inputs are not permitted");
            }
            String role = text(message, "role");
            if ("system".equals(role)) {
                throw invalid(where + ": Unexpected role \"system\". The Messages API accepts a top-level `system`"
                        + " parameter, not \"system\" as an input message role.");
            }
            if (!"user".equals(role) && !"assistant".equals(role)) {
                throw invalid(where + ".role: Input should be 'user' or 'assistant'");
            }
            if (i == 0 && !role.equals("user")) {
                throw invalid("messages: first message must use the \"user\" role");
            }
            if (role.equals(previousRole)) {
                throw invalid("messages: roles must alternate between \"user\" and \"assistant\", but found multiple \""
                        + role + "\" roles in a row");
            }
            previousRole = role;
            List<JsonObject> blocks = blocks(message.get("content"), where, i == messages.size() - 1
                    && role.equals("assistant"));
            if (role.equals("user")) {
                userTurn(blocks, where, unanswered);
            } else {
                if (!unanswered.isEmpty()) {
                    throw invalid(where + ": `tool_use` ids were found without `tool_result` blocks immediately"
                            + " after: " + String.join(", ", unanswered) + ". Each `tool_use` block must have a"
                            + " corresponding `tool_result` block in the next message.");
                }
                assistantTurn(blocks, where, unanswered);
            }
        }
    }

    /** The content as blocks; a string becomes one text block. Only a final assistant turn may be empty. */
    private static List<JsonObject> blocks(JsonValue content, String where, boolean prefill) {
        if (content instanceof JsonString string) {
            if (string.getString().isEmpty() && !prefill) {
                throw invalid(where + ": all messages must have non-empty content except for the optional final"
                        + " assistant message");
            }
            return string.getString().isEmpty() ? List.of() : List.of(textBlock(string.getString()));
        }
        if (!(content instanceof JsonArray array)) {
            throw invalid(where + ".content: Input should be a valid string or list of content blocks");
        }
        if (array.isEmpty() && !prefill) {
            throw invalid(where + ": all messages must have non-empty content except for the optional final"
                    + " assistant message");
        }
        List<JsonObject> blocks = new ArrayList<>(array.size());
        for (int j = 0; j < array.size(); j++) {
            if (!(array.get(j) instanceof JsonObject block)) {
                throw invalid(where + ".content." + j + ": Input should be a valid dictionary");
            }
            blocks.add(block);
        }
        return blocks;
    }

    private static void userTurn(List<JsonObject> blocks, String where, Set<String> unanswered) {
        Set<String> answered = new HashSet<>();
        boolean otherSeen = false;
        for (int j = 0; j < blocks.size(); j++) {
            JsonObject block = blocks.get(j);
            String at = where + ".content." + j;
            String type = text(block, "type");
            if ("tool_result".equals(type)) {
                if (otherSeen) {
                    throw invalid(where + ": tool_result blocks must come before any other content in the user"
                            + " message");
                }
                for (String field : FakeJson.unknownKeys(block, Set.of("type", "tool_use_id", "content", "is_error",
                        "cache_control"))) {
                    throw invalid(at + "." + field + ": Extra inputs are not permitted");
                }
                String id = text(block, "tool_use_id");
                if (id == null || !unanswered.contains(id)) {
                    throw invalid(where + ": unexpected `tool_use_id` found in `tool_result` blocks: " + id
                            + ". Each `tool_result` block must have a corresponding `tool_use` block in the previous"
                            + " message.");
                }
                if (!answered.add(id)) {
                    throw invalid(where + ": each `tool_use` must have a single result. Found multiple"
                            + " `tool_result` blocks with id: " + id);
                }
                JsonValue content = block.get("content");
                if (content instanceof JsonArray parts) {
                    for (int k = 0; k < parts.size(); k++) {
                        if (!(parts.get(k) instanceof JsonObject part)
                                || !Set.of("text", "image", "document", "search_result").contains(text(part, "type"))) {
                            throw invalid(at + ".content." + k + ": tool results hold text, image or document"
                                    + " blocks");
                        }
                        ordinaryBlock(part, at + ".content." + k);
                    }
                } else if (content != null && !(content instanceof JsonString)) {
                    throw invalid(at + ".content: Input should be a valid string or list");
                }
                JsonValue isError = block.get("is_error");
                if (isError != null && isError != JsonValue.TRUE && isError != JsonValue.FALSE) {
                    throw invalid(at + ".is_error: Input should be a valid boolean");
                }
                continue;
            }
            otherSeen = true;
            if ("tool_use".equals(type) || "thinking".equals(type) || "redacted_thinking".equals(type)) {
                throw invalid(at + ": `" + type + "` blocks are only allowed in assistant messages");
            }
            ordinaryBlock(block, at);
        }
        if (!answered.containsAll(unanswered)) {
            Set<String> missing = new HashSet<>(unanswered);
            missing.removeAll(answered);
            throw invalid(where + ": `tool_use` ids were found without `tool_result` blocks immediately after: "
                    + String.join(", ", missing) + ". Each `tool_use` block must have a corresponding"
                    + " `tool_result` block in the next message.");
        }
        unanswered.clear();
    }

    private static void assistantTurn(List<JsonObject> blocks, String where, Set<String> unanswered) {
        boolean otherSeen = false;
        for (int j = 0; j < blocks.size(); j++) {
            JsonObject block = blocks.get(j);
            String at = where + ".content." + j;
            String type = text(block, "type");
            switch (type == null ? "" : type) {
                case "tool_result" -> throw invalid(at + ": `tool_result` blocks are only allowed in user messages");
                case "thinking", "redacted_thinking" -> {
                    if (otherSeen) {
                        throw invalid(at + ": thinking blocks must come first in an assistant message");
                    }
                    boolean complete = type.equals("thinking")
                            ? text(block, "thinking") != null && text(block, "signature") != null
                            : text(block, "data") != null;
                    if (!complete) {
                        throw invalid(at + ": " + type + " blocks need " + (type.equals("thinking")
                                ? "`thinking` and `signature`" : "`data`"));
                    }
                }
                case "tool_use" -> {
                    otherSeen = true;
                    for (String field : FakeJson.unknownKeys(block, Set.of("type", "id", "name", "input",
                            "cache_control"))) {
                        throw invalid(at + "." + field + ": Extra inputs are not permitted");
                    }
                    String id = text(block, "id");
                    if (id == null || !TOOL_ID.matcher(id).matches()) {
                        throw invalid(at + ".id: String should match pattern '^[a-zA-Z0-9_-]+$'");
                    }
                    if (text(block, "name") == null) {
                        throw invalid(at + ".name: Field required");
                    }
                    if (!(block.get("input") instanceof JsonObject)) {
                        throw invalid(at + ".input: Input should be a valid dictionary");
                    }
                    if (!unanswered.add(id)) {
                        throw invalid(where + ": `tool_use` ids must be unique, found " + id + " twice");
                    }
                }
                default -> {
                    otherSeen = true;
                    ordinaryBlock(block, at);
                }
            }
        }
    }

    /** Text, image and document blocks, valid in either role. */
    private static void ordinaryBlock(JsonObject block, String at) {
        String type = text(block, "type");
        switch (type == null ? "" : type) {
            case "text" -> {
                for (String field : FakeJson.unknownKeys(block, Set.of("type", "text", "cache_control",
                        "citations"))) {
                    throw invalid(at + "." + field + ": Extra inputs are not permitted");
                }
                String value = text(block, "text");
                if (value == null || value.isEmpty()) {
                    throw invalid(at + ": text content blocks must be non-empty");
                }
            }
            case "image" -> {
                for (String field : FakeJson.unknownKeys(block, Set.of("type", "source", "cache_control"))) {
                    throw invalid(at + "." + field + ": Extra inputs are not permitted");
                }
                JsonObject source = objectField(block, "source");
                String sourceType = text(source, "type");
                if ("base64".equals(sourceType)) {
                    if (!IMAGE_TYPES.contains(text(source, "media_type"))) {
                        throw invalid(at + ".source.base64.media_type: Input should be 'image/jpeg', 'image/png',"
                                + " 'image/gif' or 'image/webp'");
                    }
                    if (!FakeJson.isBase64(text(source, "data"))) {
                        throw invalid(at + ".source.base64.data: The image data is not valid base64");
                    }
                } else if ("url".equals(sourceType)) {
                    String url = text(source, "url");
                    if (url == null || !(url.startsWith("https://") || url.startsWith("http://"))) {
                        throw invalid(at + ".source.url.url: an http(s) URL is required");
                    }
                } else if ("file".equals(sourceType)) {
                    if (text(source, "file_id") == null) {
                        throw invalid(at + ".source.file.file_id: Field required");
                    }
                } else {
                    throw invalid(at + ".source: Input tag '" + sourceType + "' found using 'type' does not match"
                            + " any of the expected tags: 'base64', 'url', 'file'");
                }
            }
            case "document" -> {
                JsonObject source = objectField(block, "source");
                String sourceType = text(source, "type");
                boolean valid = switch (sourceType == null ? "" : sourceType) {
                    case "base64" -> "application/pdf".equals(text(source, "media_type"))
                            && FakeJson.isBase64(text(source, "data"));
                    case "text" -> "text/plain".equals(text(source, "media_type")) && text(source, "data") != null;
                    case "url" -> text(source, "url") != null;
                    case "content" -> source.get("content") != null;
                    case "file" -> text(source, "file_id") != null;
                    default -> false;
                };
                if (!valid) {
                    throw invalid(at + ".source: not a valid document source");
                }
            }
            case "search_result" -> {
                if (text(block, "source") == null || text(block, "title") == null) {
                    throw invalid(at + ": search_result blocks need source and title");
                }
            }
            default -> throw invalid(at + ".type: Input tag '" + type + "' found using 'type' does not match any"
                    + " of the expected tags");
        }
    }

    private static void validateTools(JsonObject body) {
        JsonValue toolsValue = body.get("tools");
        Set<String> names = new HashSet<>();
        if (toolsValue != null) {
            if (!(toolsValue instanceof JsonArray tools)) {
                throw invalid("tools: Input should be a valid list");
            }
            for (int i = 0; i < tools.size(); i++) {
                if (!(tools.get(i) instanceof JsonObject tool)) {
                    throw invalid("tools." + i + ": Input should be a valid dictionary");
                }
                String type = text(tool, "type");
                String name = text(tool, "name");
                if (type == null || type.equals("custom")) {
                    for (String field : FakeJson.unknownKeys(tool, Set.of("type", "name", "description",
                            "input_schema", "cache_control"))) {
                        throw invalid("tools." + i + ".custom." + field + ": Extra inputs are not permitted");
                    }
                    if (name == null || !TOOL_NAME.matcher(name).matches()) {
                        throw invalid("tools." + i + ".custom.name: String should match pattern"
                                + " '^[a-zA-Z0-9_-]{1,128}$'");
                    }
                    JsonObject schema = objectField(tool, "input_schema");
                    if (schema == null) {
                        throw invalid("tools." + i + ".custom.input_schema: Field required");
                    }
                    if (!"object".equals(text(schema, "type"))) {
                        throw invalid("tools." + i + ".custom.input_schema.type: Input should be 'object'");
                    }
                } else if (!SERVER_TOOL_TYPE.matcher(type).matches() || name == null) {
                    throw invalid("tools." + i + ".type: unknown tool type '" + type + "'");
                }
                if (!names.add(name)) {
                    throw invalid("tools: Tool names must be unique.");
                }
            }
        }
        JsonValue choiceValue = body.get("tool_choice");
        if (choiceValue == null) {
            return;
        }
        if (!(choiceValue instanceof JsonObject choice)) {
            throw invalid("tool_choice: Input should be a valid dictionary");
        }
        if (toolsValue == null) {
            throw invalid("tool_choice: tool_choice may only be specified while providing tools.");
        }
        String type = text(choice, "type");
        if (!Set.of("auto", "any", "tool", "none").contains(type)) {
            throw invalid("tool_choice: Input tag '" + type + "' found using 'type' does not match any of the"
                    + " expected tags: 'auto', 'any', 'tool', 'none'");
        }
        Set<String> allowed = type.equals("tool") ? Set.of("type", "name", "disable_parallel_tool_use")
                : type.equals("none") ? Set.of("type") : Set.of("type", "disable_parallel_tool_use");
        for (String field : FakeJson.unknownKeys(choice, allowed)) {
            throw invalid("tool_choice." + type + "." + field + ": Extra inputs are not permitted");
        }
        JsonValue parallel = choice.get("disable_parallel_tool_use");
        if (parallel != null && parallel != JsonValue.TRUE && parallel != JsonValue.FALSE) {
            throw invalid("tool_choice." + type + ".disable_parallel_tool_use: Input should be a valid boolean");
        }
        if (type.equals("tool")) {
            String name = text(choice, "name");
            if (name == null) {
                throw invalid("tool_choice.tool.name: Field required");
            }
            if (!names.contains(name)) {
                throw invalid("Tool '" + name + "' not found in provided tools");
            }
        }
    }

    private static void validateThinking(JsonObject body, long maxTokens) {
        JsonValue value = body.get("thinking");
        if (value == null) {
            return;
        }
        if (!(value instanceof JsonObject thinking)) {
            throw invalid("thinking: Input should be a valid dictionary");
        }
        String type = text(thinking, "type");
        if ("disabled".equals(type)) {
            return;
        }
        if (!"enabled".equals(type)) {
            throw invalid("thinking: Input tag '" + type + "' found using 'type' does not match any of the"
                    + " expected tags: 'enabled', 'disabled'");
        }
        JsonValue budget = thinking.get("budget_tokens");
        if (!FakeJson.isInteger(budget, 1024)) {
            throw invalid("thinking.enabled.budget_tokens: Input should be greater than or equal to 1024");
        }
        if (((jakarta.json.JsonNumber) budget).longValue() >= maxTokens) {
            throw invalid("`max_tokens` must be greater than `thinking.budget_tokens`");
        }
        JsonValue temperature = body.get("temperature");
        if (temperature instanceof jakarta.json.JsonNumber number && number.doubleValue() != 1.0) {
            throw invalid("`temperature` may only be set to 1 when thinking is enabled");
        }
        String choice = text(objectField(body, "tool_choice"), "type");
        if ("any".equals(choice) || "tool".equals(choice)) {
            throw invalid("Thinking may not be enabled when tool_choice forces tool use.");
        }
    }

    // ------------------------------------------------------------------ default answers

    private static long inputTokens(JsonObject body) {
        int words = FakeJson.words(FakeJson.allText(body.get("system") == null ? JsonValue.NULL : body.get("system")))
                + FakeJson.words(conversationText(body));
        return Math.max(1, words);
    }

    /** The texts of the messages (text blocks and string contents, tool results included). */
    private static String conversationText(JsonObject body) {
        StringBuilder out = new StringBuilder();
        JsonArray messages = arrayField(body, "messages");
        if (messages != null) {
            for (JsonValue value : messages) {
                JsonValue content = value.asJsonObject().get("content");
                if (content instanceof JsonString string) {
                    out.append(string.getString()).append(' ');
                } else if (content instanceof JsonArray blocks) {
                    for (JsonValue block : blocks) {
                        JsonObject object = block.asJsonObject();
                        String type = text(object, "type");
                        if ("text".equals(type)) {
                            out.append(text(object, "text")).append(' ');
                        } else if ("tool_result".equals(type)) {
                            out.append(FakeJson.allText(object.getOrDefault("content", JsonValue.NULL))).append(' ');
                        }
                    }
                }
            }
        }
        return out.toString();
    }

    /** The default answer to a valid Messages body; {@link FakeVertex} answers with it too. */
    static JsonObject answer(JsonObject body, java.util.concurrent.atomic.AtomicLong ids) {
        String model = text(body, "model");
        String id = "msg_fake" + String.format("%06d", ids.incrementAndGet());
        long input = inputTokens(body);
        long maxTokens = body.getJsonNumber("max_tokens").longValue();
        List<JsonObject> content = new ArrayList<>();
        JsonObject thinking = objectField(body, "thinking");
        if (thinking != null && "enabled".equals(text(thinking, "type"))) {
            content.add(thinking("Let me think about that.", "sig_fake_" + id));
        }
        JsonObject choice = objectField(body, "tool_choice");
        String choiceType = text(choice, "type");
        JsonArray tools = arrayField(body, "tools");
        if (tools != null && !tools.isEmpty() && ("any".equals(choiceType) || "tool".equals(choiceType))) {
            JsonObject tool = tools.getJsonObject(0);
            if ("tool".equals(choiceType)) {
                for (JsonValue candidate : tools) {
                    if (text(choice, "name").equals(text(candidate.asJsonObject(), "name"))) {
                        tool = candidate.asJsonObject();
                    }
                }
            }
            JsonValue sample = FakeJson.sample(objectField(tool, "input_schema"));
            content.add(toolUse("toolu_fake" + String.format("%06d", ids.get()), text(tool, "name"),
                    sample.asJsonObject()));
            return message(id, model, content, "tool_use", null, usage(input, 10));
        }
        String reply = replyText(body);
        String stopReason = "end_turn";
        String stopSequence = null;
        JsonArray stops = arrayField(body, "stop_sequences");
        if (stops != null) {
            int cut = -1;
            for (JsonValue stop : stops) {
                String sequence = ((JsonString) stop).getString();
                int at = reply.indexOf(sequence);
                if (at >= 0 && (cut < 0 || at < cut)) {
                    cut = at;
                    stopSequence = sequence;
                }
            }
            if (cut >= 0) {
                reply = reply.substring(0, cut).stripTrailing();
                stopReason = "stop_sequence";
            }
        }
        if (FakeJson.words(reply) > maxTokens) {
            reply = FakeJson.firstWords(reply, (int) maxTokens);
            stopReason = "max_tokens";
            stopSequence = null;
        }
        if (!reply.isEmpty()) {
            content.add(textBlock(reply));
        }
        return message(id, model, content, stopReason, stopSequence, usage(input, FakeJson.words(reply)));
    }

    private static String replyText(JsonObject body) {
        JsonArray messages = body.getJsonArray("messages");
        JsonObject last = null;
        for (JsonValue value : messages) {
            if ("user".equals(text(value.asJsonObject(), "role"))) {
                last = value.asJsonObject();
            }
        }
        JsonValue content = last == null ? JsonValue.NULL : last.get("content");
        if (content instanceof JsonString string) {
            return "Hello! You said: " + string.getString();
        }
        StringBuilder said = new StringBuilder();
        String toolSaid = null;
        if (content instanceof JsonArray blocks) {
            for (JsonValue block : blocks) {
                JsonObject object = block.asJsonObject();
                if ("text".equals(text(object, "type"))) {
                    said.append(said.isEmpty() ? "" : " ").append(text(object, "text"));
                } else if ("tool_result".equals(text(object, "type")) && toolSaid == null) {
                    toolSaid = FakeJson.allText(object.getOrDefault("content", JsonValue.NULL));
                }
            }
        }
        if (toolSaid != null) {
            return "Thanks, the tool said: " + toolSaid;
        }
        return "Hello! You said: " + said;
    }
}
