package io.gateway.testkit.fakes;

import static io.gateway.testkit.fakes.FakeJson.array;
import static io.gateway.testkit.fakes.FakeJson.arrayField;
import static io.gateway.testkit.fakes.FakeJson.object;
import static io.gateway.testkit.fakes.FakeJson.objectField;
import static io.gateway.testkit.fakes.FakeJson.text;

import io.gateway.spi.Operation;
import io.gateway.testkit.fakes.FakeJson.Rejection;
import io.gateway.testkit.http.RecordedRequest;
import io.gateway.testkit.http.Reply;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/**
 * A fake of AWS Bedrock's runtime API (Converse, ConverseStream, InvokeModel) and of the two control
 * plane listings, on a free loopback port, built on a {@link io.gateway.testkit.http.FakeUpstream}. It
 * authenticates as AWS does and checks request bodies as the API reference describes, so a client the
 * real service would refuse is refused here too.
 *
 * <pre>{@code
 * try (FakeBedrock bedrock = FakeBedrock.start()) {
 *     // provider config: type bedrock, base-url bedrock.baseUrl(), region FakeBedrock.REGION, a key with
 *     // access-key-id FakeBedrock.ACCESS_KEY_ID and value FakeBedrock.SECRET_ACCESS_KEY
 *     bedrock.answerNext(FakeBedrock.error(429, "ThrottlingException", "Too many requests"));
 * }
 * }</pre>
 *
 * <p><b>Routes.</b> {@code POST /model/{modelId}/converse}, {@code POST /model/{modelId}/converse-stream}
 * (answered in the binary event-stream framing, {@link EventStreamFrames}, one message per chunk),
 * {@code POST /model/{modelId}/invoke} (Titan Text Embeddings v1/v2, Cohere Embed v3/v4, Titan Image
 * Generator and Nova Canvas bodies), {@code GET /foundation-models} and {@code GET /inference-profiles}
 * (paged with {@code maxResults} and {@code nextToken}). Model ids in the path are percent-decoded and
 * may be ARNs of foundation models or inference profiles.
 *
 * <p><b>Authentication.</b> Every request must carry a SigV4 signature for service {@code bedrock} in
 * one of the fake's {@link #regions} made with credentials it knows ({@link #ACCESS_KEY_ID} /
 * {@link #SECRET_ACCESS_KEY}, the temporary {@link #SESSION_ACCESS_KEY_ID} /
 * {@link #SESSION_SECRET_ACCESS_KEY} / {@link #SESSION_TOKEN}, or ones added with
 * {@link #addCredentials}); the signature is recomputed by {@link SigV4} and the request time checked
 * against the fake's clock ({@link #withClock}). A Bedrock API key ({@link #API_KEY}) as
 * {@code Authorization: Bearer} is accepted too. Failures answer 403 as AWS does
 * ({@code InvalidSignatureException}, {@code UnrecognizedClientException}, ...).
 *
 * <p><b>Checks</b> (each failure 400 {@code ValidationException} unless said): unknown model ids
 * ({@code The provided model identifier is invalid.}); a model that needs an inference profile called
 * directly; Converse on an embedding or image model; Converse bodies with unknown fields, no messages,
 * a first turn that is not the user's, roles that do not alternate, empty content, blank text, blocks
 * that are not exactly one known kind, images not png/jpeg/gif/webp or with invalid base64, documents
 * with a bad format or name, tool uses outside assistant turns, tool results that do not answer the tool
 * uses of the turn before (and tool uses left unanswered), tool blocks without a {@code toolConfig},
 * {@code inferenceConfig} values out of range, tools with invalid or duplicate names or without an
 * object schema, a {@code toolChoice} that is not one of {@code auto}/{@code any}/{@code tool} or names
 * an undeclared tool; InvokeModel bodies with extraneous keys or values the model refuses.
 *
 * <p><b>Answers.</b> A request that passes gets the next reply queued with {@link #answerNext}, else the
 * fake's own: {@code "Hello! You said: "} and the last user text (after tool results
 * {@code "Thanks, the tool said: "} and the first result's text); a forced tool choice answers one
 * {@code toolUse} with a placeholder input from the tool's schema and {@code stopReason: tool_use}; a
 * stop sequence cuts the text ({@code stop_sequence}); a text longer than {@code maxTokens} words is cut
 * ({@code max_tokens}). Usage counts words: the prompt's text words (at least 1); with a
 * {@code cachePoint}, the words before the last one are {@code cacheWriteInputTokens} the first time the
 * fake sees that prefix and {@code cacheReadInputTokens} after, and are not counted in
 * {@code inputTokens}. Streams send {@code messageStart}, per block its {@code contentBlockStart} (tool
 * uses), {@code contentBlockDelta}s (a word each, tool input in three fragments) and
 * {@code contentBlockStop}, then {@code messageStop} and {@code metadata}, each payload padded with a
 * {@code "p"} field as Bedrock pads them. Embeddings are deterministic vectors of the text; images the
 * kit's 1×1 PNG. Every answer carries {@code x-amzn-RequestId}; InvokeModel answers the
 * {@code X-Amzn-Bedrock-Input-Token-Count} and {@code -Output-Token-Count} headers.
 *
 * <p>Thread-safe.
 */
public final class FakeBedrock extends ProviderFake<FakeBedrock> {

    /** The access key id of the fake's long-term credentials. */
    public static final String ACCESS_KEY_ID = "AKIAFAKEBEDROCK00001";
    /** Their secret access key: what the provider's key {@code value} holds. */
    public static final String SECRET_ACCESS_KEY = "fAkE/bedrock+secretKEY0123456789abcdefghij";
    /** The access key id of the fake's temporary credentials. */
    public static final String SESSION_ACCESS_KEY_ID = "ASIAFAKEBEDROCK00002";
    /** Their secret access key. */
    public static final String SESSION_SECRET_ACCESS_KEY = "fAkE/session+secretKEY0123456789abcdefgh";
    /** Their session token, which requests must send signed in {@code X-Amz-Security-Token}. */
    public static final String SESSION_TOKEN = "IQoJb3JpZ2luX2VjEFAKE//session+token/for=the+fake";
    /** A Bedrock API key, accepted as {@code Authorization: Bearer}. */
    public static final String API_KEY = "ABSKQmVkcm9ja0FQSUtleS1mYWtl";
    /** The region the fake serves unless told otherwise. */
    public static final String REGION = "us-east-1";
    /** The chat model the conformance checks use: a cross-region inference profile id. */
    public static final String CHAT_MODEL = "us.anthropic.claude-sonnet-4-20250514-v1:0";
    /** The embedding model the conformance checks use. */
    public static final String EMBEDDING_MODEL = "amazon.titan-embed-text-v2:0";
    /** The image model the conformance checks use. */
    public static final String IMAGE_MODEL = "amazon.nova-canvas-v1:0";
    /** The media type of response streams. */
    public static final String EVENT_STREAM = "application/vnd.amazon.eventstream";

    /** What a model is for. */
    public enum Kind {
        /** Converse and ConverseStream. */
        CHAT,
        /** InvokeModel with an embedding body. */
        EMBEDDING,
        /** InvokeModel with an image generation body. */
        IMAGE
    }

    private record Model(Kind kind, String provider, boolean onDemand, boolean profile) {
    }

    private static final Set<String> CONVERSE_FIELDS = Set.of("messages", "system", "inferenceConfig", "toolConfig",
            "guardrailConfig", "additionalModelRequestFields", "promptVariables", "additionalModelResponseFieldPaths",
            "requestMetadata", "performanceConfig");
    private static final Set<String> BLOCK_KINDS = Set.of("text", "image", "document", "video", "toolUse",
            "toolResult", "guardContent", "cachePoint", "reasoningContent");
    private static final Set<String> IMAGE_FORMATS = Set.of("png", "jpeg", "gif", "webp");
    private static final Set<String> DOCUMENT_FORMATS = Set.of("pdf", "csv", "doc", "docx", "xls", "xlsx", "html",
            "txt", "md");
    private static final Pattern TOOL_NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");
    private static final Pattern TOOL_USE_ID = Pattern.compile("[a-zA-Z0-9_-]{1,64}");
    private static final Pattern DOCUMENT_NAME = Pattern.compile("[a-zA-Z0-9\\-()\\[\\]]+( [a-zA-Z0-9\\-()\\[\\]]+)*");
    private static final Pattern PROFILE_PREFIX = Pattern.compile("(us|eu|apac|us-gov|jp|au|ca|global)\\..+");
    private static final String PADDING = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ";

    private final SigV4 verifier;
    private final Map<String, SigV4.Credentials> credentials = new ConcurrentHashMap<>();
    private final Set<String> apiKeys = ConcurrentHashMap.newKeySet();
    private final Map<String, Model> models = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Set<String> cachedPrefixes = ConcurrentHashMap.newKeySet();
    private final List<SigV4.Signed> signed = new CopyOnWriteArrayList<>();
    private volatile Set<String> regions = Set.of(REGION);
    private volatile Clock clock = Clock.systemUTC();

    private FakeBedrock() {
        super(SECRET_ACCESS_KEY);
        credentials.put(ACCESS_KEY_ID, new SigV4.Credentials(ACCESS_KEY_ID, SECRET_ACCESS_KEY, null));
        credentials.put(SESSION_ACCESS_KEY_ID, new SigV4.Credentials(SESSION_ACCESS_KEY_ID,
                SESSION_SECRET_ACCESS_KEY, SESSION_TOKEN));
        apiKeys.add(API_KEY);
        verifier = new SigV4("bedrock", credentials::get);
        models.put("anthropic.claude-3-5-haiku-20241022-v1:0", new Model(Kind.CHAT, "Anthropic", true, false));
        models.put("anthropic.claude-sonnet-4-20250514-v1:0", new Model(Kind.CHAT, "Anthropic", false, false));
        models.put(CHAT_MODEL, new Model(Kind.CHAT, "Anthropic", true, true));
        models.put("amazon.nova-lite-v1:0", new Model(Kind.CHAT, "Amazon", true, false));
        models.put(EMBEDDING_MODEL, new Model(Kind.EMBEDDING, "Amazon", true, false));
        models.put("amazon.titan-embed-text-v1", new Model(Kind.EMBEDDING, "Amazon", true, false));
        models.put("cohere.embed-english-v3", new Model(Kind.EMBEDDING, "Cohere", true, false));
        models.put("cohere.embed-v4:0", new Model(Kind.EMBEDDING, "Cohere", true, false));
        models.put(IMAGE_MODEL, new Model(Kind.IMAGE, "Amazon", true, false));
        models.put("amazon.titan-image-generator-v2:0", new Model(Kind.IMAGE, "Amazon", true, false));
        serve();
    }

    /**
     * Starts the fake on {@code 127.0.0.1} and a free port, serving {@link #REGION}.
     *
     * @return the running fake; close it to release the port
     */
    public static FakeBedrock start() {
        return new FakeBedrock();
    }

    /**
     * The regions whose signatures the fake accepts (an endpoint serves one region; a fake standing in
     * for several lets a test see which region each key signed for, {@link #signedRequests()}).
     *
     * @param names the regions
     * @return this fake
     */
    public FakeBedrock regions(String... names) {
        regions = Set.of(names);
        return this;
    }

    /**
     * The clock request times are checked against (15 minutes either way), for tests whose provider
     * signs with a test clock.
     *
     * @param value the clock
     * @return this fake
     */
    public FakeBedrock withClock(Clock value) {
        clock = Objects.requireNonNull(value, "value");
        return this;
    }

    /**
     * Adds credentials the fake accepts.
     *
     * @param accessKeyId     the access key id
     * @param secretAccessKey the secret access key
     * @param sessionToken    the session token of temporary credentials, or {@code null}
     * @return this fake
     */
    public FakeBedrock addCredentials(String accessKeyId, String secretAccessKey, String sessionToken) {
        credentials.put(accessKeyId, new SigV4.Credentials(accessKeyId, secretAccessKey, sessionToken));
        return this;
    }

    /**
     * Adds a model (invocable on demand).
     *
     * @param id   the model id or inference profile id
     * @param kind what it serves
     * @return this fake
     */
    public FakeBedrock addModel(String id, Kind kind) {
        models.put(Objects.requireNonNull(id, "id"), new Model(kind, "Fake", true,
                PROFILE_PREFIX.matcher(id).matches()));
        return this;
    }

    /**
     * The signatures of the requests the fake accepted with SigV4, in arrival order.
     *
     * @return a snapshot
     */
    public List<SigV4.Signed> signedRequests() {
        return List.copyOf(signed);
    }

    /**
     * The bodies of the Converse and ConverseStream requests received, accepted or not.
     *
     * @return the bodies in arrival order
     */
    public List<JsonObject> converseBodies() {
        return requests().stream().filter(r -> r.path().endsWith("/converse") || r.path().endsWith("/converse-stream"))
                .map(r -> FakeJson.parseOrNull(r)).filter(Objects::nonNull).toList();
    }

    /**
     * The model id a request named in its path, percent-decoded.
     *
     * @param request a runtime request
     * @return the id, or {@code null} for other paths
     */
    public static String modelOf(RecordedRequest request) {
        String[] segments = request.path().split("/");
        if (segments.length != 4 || !segments[1].equals("model")) {
            return null;
        }
        return URLDecoder.decode(segments[2].replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    @Override
    public FakeBedrock reset() {
        cachedPrefixes.clear();
        signed.clear();
        return super.reset();
    }

    @Override
    public String toString() {
        return "FakeBedrock[" + baseUrl() + " " + regions + "]";
    }

    // ------------------------------------------------------------------ conformance

    /**
     * Bedrock's error for a status with the exception AWS names for it: {@code ValidationException}
     * (400), {@code UnrecognizedClientException} (401), {@code AccessDeniedException} (403),
     * {@code ResourceNotFoundException} (404), {@code ModelTimeoutException} (408),
     * {@code ModelErrorException} (424), {@code ThrottlingException} (429), {@code InternalServerException}
     * (500), {@code ServiceUnavailableException} (503), none otherwise.
     *
     * @param status  the HTTP status
     * @param message the message
     * @return the reply
     */
    @Override
    public Reply errorReply(int status, String message) {
        String exception = switch (status) {
            case 400 -> "ValidationException";
            case 401 -> "UnrecognizedClientException";
            case 403 -> "AccessDeniedException";
            case 404 -> "ResourceNotFoundException";
            case 408 -> "ModelTimeoutException";
            case 424 -> "ModelErrorException";
            case 429 -> "ThrottlingException";
            case 500 -> "InternalServerException";
            case 503 -> "ServiceUnavailableException";
            default -> null;
        };
        return error(status, exception, message);
    }

    /**
     * {@link #CHAT_MODEL} for chat, Responses and the model list, {@link #EMBEDDING_MODEL} for
     * embeddings, {@link #IMAGE_MODEL} for images; none for text completions.
     *
     * @param operation the operation
     * @return the model, or empty
     */
    @Override
    public Optional<String> modelFor(Operation operation) {
        return switch (operation) {
            case CHAT_COMPLETION, RESPONSES, LIST_MODELS -> Optional.of(CHAT_MODEL);
            case EMBEDDING -> Optional.of(EMBEDDING_MODEL);
            case IMAGE_GENERATION -> Optional.of(IMAGE_MODEL);
            default -> Optional.empty();
        };
    }

    // ------------------------------------------------------------------ builders

    /**
     * An error reply as Bedrock answers it: {@code {"message": ...}} with the exception named in
     * {@code x-amzn-ErrorType}.
     *
     * @param status    the HTTP status
     * @param exception e.g. {@code ThrottlingException}, or {@code null} for none
     * @param message   the message
     * @return the reply
     */
    public static Reply error(int status, String exception, String message) {
        Reply reply = Reply.json(status, object().add("message", message).build())
                .header("x-amzn-RequestId", "fake-error-" + status);
        return exception == null ? reply
                : reply.header("x-amzn-ErrorType", exception + ":http://internal.amazon.com/coral/com.amazon.bedrock/");
    }

    /**
     * A text content block.
     *
     * @param text the text
     * @return {@code {"text": ...}}
     */
    public static JsonObject textBlock(String text) {
        return object().add("text", text).build();
    }

    /**
     * A tool use content block.
     *
     * @param id    the tool use id
     * @param name  the tool
     * @param input its input
     * @return {@code {"toolUse": {"toolUseId", "name", "input"}}}
     */
    public static JsonObject toolUseBlock(String id, String name, JsonObject input) {
        return object().add("toolUse", object().add("toolUseId", id).add("name", name).add("input", input)).build();
    }

    /**
     * A usage object.
     *
     * @param input      {@code inputTokens} (without the cache)
     * @param output     {@code outputTokens}
     * @param cacheRead  {@code cacheReadInputTokens}
     * @param cacheWrite {@code cacheWriteInputTokens}
     * @return the usage, {@code totalTokens} the sum of all four
     */
    public static JsonObject usage(long input, long output, long cacheRead, long cacheWrite) {
        return object().add("inputTokens", input).add("outputTokens", output)
                .add("totalTokens", input + output + cacheRead + cacheWrite)
                .add("cacheReadInputTokens", cacheRead).add("cacheWriteInputTokens", cacheWrite).build();
    }

    /**
     * A Converse answer.
     *
     * @param content    the assistant's content blocks
     * @param stopReason e.g. {@code end_turn}, {@code tool_use}, {@code max_tokens}
     * @param usage      the usage ({@link #usage})
     * @return {@code {"output": {"message": {...}}, "stopReason", "usage", "metrics"}}
     */
    public static JsonObject converseAnswer(List<JsonObject> content, String stopReason, JsonObject usage) {
        return object()
                .add("output", object().add("message", object().add("role", "assistant")
                        .add("content", FakeJson.arrayOf(content))))
                .add("stopReason", stopReason)
                .add("usage", usage)
                .add("metrics", object().add("latencyMs", 42))
                .build();
    }

    /**
     * The event-stream messages ConverseStream sends for an answer: {@code messageStart}; per block its
     * {@code contentBlockStart} (tool uses), {@code contentBlockDelta}s (a word of text each, tool input in
     * three fragments) and {@code contentBlockStop}; {@code messageStop}; {@code metadata} with the usage.
     * Each payload carries Bedrock's {@code "p"} padding field.
     *
     * @param answer a Converse answer ({@link #converseAnswer})
     * @return the encoded messages, one per array
     */
    public static List<byte[]> events(JsonObject answer) {
        List<byte[]> events = new ArrayList<>();
        events.add(event("messageStart", object().add("role", "assistant")));
        JsonArray content = arrayField(objectField(objectField(answer, "output"), "message"), "content");
        List<JsonValue> blocks = content == null ? List.of() : content;
        for (int i = 0; i < blocks.size(); i++) {
            JsonObject block = blocks.get(i).asJsonObject();
            JsonObject toolUse = objectField(block, "toolUse");
            if (toolUse != null) {
                events.add(event("contentBlockStart", object().add("contentBlockIndex", i).add("start", object()
                        .add("toolUse", object().add("toolUseId", text(toolUse, "toolUseId"))
                                .add("name", text(toolUse, "name"))))));
                JsonObject input = objectField(toolUse, "input");
                for (String fragment : FakeJson.fragments(input == null ? "{}" : input.toString())) {
                    events.add(event("contentBlockDelta", object().add("contentBlockIndex", i)
                            .add("delta", object().add("toolUse", object().add("input", fragment)))));
                }
            } else if (text(block, "text") != null) {
                for (String piece : FakeJson.pieces(text(block, "text"))) {
                    events.add(event("contentBlockDelta", object().add("contentBlockIndex", i)
                            .add("delta", object().add("text", piece))));
                }
            } else if (objectField(block, "reasoningContent") != null) {
                JsonObject reasoning = objectField(objectField(block, "reasoningContent"), "reasoningText");
                events.add(event("contentBlockDelta", object().add("contentBlockIndex", i).add("delta", object()
                        .add("reasoningContent", object().add("text", String.valueOf(text(reasoning, "text")))))));
            }
            events.add(event("contentBlockStop", object().add("contentBlockIndex", i)));
        }
        events.add(event("messageStop", object().add("stopReason", answer.getOrDefault("stopReason",
                FakeJson.JSON.createValue("end_turn")))));
        events.add(event("metadata", object().add("usage", answer.getOrDefault("usage", usage(1, 1, 0, 0)))
                .add("metrics", object().add("latencyMs", 42))));
        return events;
    }

    private static byte[] event(String type, JsonObjectBuilder payload) {
        return EventStreamFrames.event(type, payload.add("p", PADDING.substring(0, 1 + type.length() % 30)).build()
                .toString());
    }

    /**
     * An {@code exception} message that ends a stream, as Bedrock sends failures after the 200.
     *
     * @param exceptionType e.g. {@code throttlingException} (Bedrock's lower-camel-case name)
     * @param message       the message
     * @return the encoded message
     */
    public static byte[] exceptionEvent(String exceptionType, String message) {
        return EventStreamFrames.exception(exceptionType, object().add("message", message).build().toString());
    }

    /**
     * A ConverseStream reply: the messages as an event stream, each message its own chunk.
     *
     * @param messages the encoded messages ({@link #events}, {@link #exceptionEvent})
     * @return the reply
     */
    public static Reply stream(List<byte[]> messages) {
        List<Reply.Chunk> chunks = new ArrayList<>(messages.size());
        for (byte[] message : messages) {
            chunks.add(Reply.Chunk.of(message));
        }
        return Reply.chunked(200, EVENT_STREAM, chunks).header("x-amzn-RequestId", "fake-stream");
    }

    // ------------------------------------------------------------------ handling

    @Override
    protected Reply handle(RecordedRequest request) {
        try {
            return route(request);
        } catch (Rejection rejection) {
            return error(rejection.status(), rejection.kind(), rejection.getMessage());
        } catch (SigV4.Refused refused) {
            return error(refused.failure().status(), refused.failure().exception(), refused.failure().message());
        }
    }

    private Reply route(RecordedRequest request) {
        String path = request.path();
        if (path.equals("/foundation-models") || path.equals("/inference-profiles")) {
            if (!request.method().equals("GET")) {
                throw new Rejection(405, "UnknownOperationException", "Method Not Allowed");
            }
            authenticate(request);
            Reply scripted = scripted(request);
            if (scripted != null) {
                return scripted;
            }
            return ok(path.equals("/foundation-models") ? foundationModels(request) : inferenceProfiles(request));
        }
        String id = modelOf(request);
        String[] segments = path.split("/");
        String action = segments.length == 4 ? segments[3] : "";
        if (id == null || !Set.of("converse", "converse-stream", "invoke").contains(action)) {
            throw new Rejection(404, "UnknownOperationException", "Not Found");
        }
        if (!request.method().equals("POST")) {
            throw new Rejection(405, "UnknownOperationException", "Method Not Allowed");
        }
        authenticate(request);
        if (!FakeJson.jsonContentType(request)) {
            throw new Rejection(400, "ValidationException", "Content-Type must be application/json");
        }
        JsonObject body = FakeJson.parseOrNull(request);
        if (body == null) {
            throw new Rejection(400, "ValidationException", "Malformed input request, please reformat your input "
                    + "and try again.");
        }
        Model model = model(id);
        if (action.equals("invoke")) {
            Kind kind = model.kind();
            if (kind == Kind.CHAT) {
                throw new Rejection(400, "ValidationException", "Malformed input request: the fake serves "
                        + "InvokeModel for embedding and image models only");
            }
            String family = id.toLowerCase(java.util.Locale.ROOT);
            if (kind == Kind.EMBEDDING) {
                validateEmbedding(family, body);
            } else {
                validateImage(body);
            }
            Reply scripted = scripted(request);
            if (scripted != null) {
                return scripted;
            }
            return ok(kind == Kind.EMBEDDING ? embed(family, body) : images(body));
        }
        if (model.kind() != Kind.CHAT) {
            throw new Rejection(400, "ValidationException", "This action doesn't support the model that you provided."
                    + " Try again with a supported text or chat model.");
        }
        validateConverse(body);
        Reply scripted = scripted(request);
        if (scripted != null) {
            return scripted;
        }
        JsonObject answer = answer(body);
        if (action.equals("converse-stream")) {
            return ok(stream(events(answer)));
        }
        return ok(Reply.json(200, answer));
    }

    private void authenticate(RecordedRequest request) {
        String authorization = request.header("authorization");
        if (authorization != null && authorization.startsWith("Bearer ")) {
            if (!apiKeys.contains(authorization.substring("Bearer ".length()))) {
                throw new Rejection(403, "AccessDeniedException", "Invalid API Key format: Must start with pre-defined"
                        + " prefix");
            }
            return;
        }
        signed.add(verifier.verify(request, regions, clock.instant()));
    }

    private Model model(String id) {
        String bare = id;
        int slash = id.lastIndexOf('/');
        if (id.startsWith("arn:") && slash > 0) {
            bare = id.substring(slash + 1);
        }
        Model model = models.get(bare);
        if (model == null) {
            throw new Rejection(400, "ValidationException", "The provided model identifier is invalid.");
        }
        if (!model.onDemand()) {
            throw new Rejection(400, "ValidationException", "Invocation of model ID " + bare + " with on-demand "
                    + "throughput isn't supported. Retry your request with the ID or ARN of an inference profile "
                    + "that contains this model.");
        }
        return model;
    }

    private Reply ok(Reply reply) {
        return reply.header("x-amzn-RequestId", "fake-" + ids.incrementAndGet());
    }

    // ------------------------------------------------------------------ converse

    private static Rejection invalid(String message) {
        return new Rejection(400, "ValidationException", message);
    }

    private static void validateConverse(JsonObject body) {
        List<String> unknown = FakeJson.unknownKeys(body, CONVERSE_FIELDS);
        if (!unknown.isEmpty()) {
            throw invalid("Malformed input request: extraneous key [" + unknown.get(0) + "] is not permitted, please "
                    + "reformat your input and try again.");
        }
        JsonArray messages = arrayField(body, "messages");
        if (messages == null || messages.isEmpty()) {
            throw invalid("A conversation must start with a user message. Try again with a conversation that starts "
                    + "with a user message.");
        }
        JsonValue system = body.get("system");
        if (system != null) {
            if (!(system instanceof JsonArray blocks)) {
                throw invalid("system must be an array of system content blocks");
            }
            for (int i = 0; i < blocks.size(); i++) {
                JsonObject block = blocks.get(i) instanceof JsonObject o ? o : null;
                String kind = block == null || block.size() != 1 ? null : block.keySet().iterator().next();
                if (!"text".equals(kind) && !"cachePoint".equals(kind) && !"guardContent".equals(kind)) {
                    throw invalid("system." + i + " must hold exactly one of text, guardContent, cachePoint");
                }
                if ("text".equals(kind)) {
                    requireText(block, "system." + i);
                } else if ("cachePoint".equals(kind)) {
                    requireCachePoint(block, "system." + i);
                }
            }
        }
        boolean toolBlocks = false;
        Set<String> pendingToolUses = new HashSet<>();
        String previousRole = null;
        for (int i = 0; i < messages.size(); i++) {
            String where = "messages." + i;
            JsonObject message = messages.get(i) instanceof JsonObject o ? o : null;
            String role = text(message, "role");
            if (!"user".equals(role) && !"assistant".equals(role)) {
                throw invalid(where + ".role must be user or assistant");
            }
            if (i == 0 && !role.equals("user")) {
                throw invalid("A conversation must start with a user message. Try again with a conversation that "
                        + "starts with a user message.");
            }
            if (role.equals(previousRole)) {
                throw invalid("A conversation must alternate between user and assistant roles. Make sure the "
                        + "conversation alternates between user and assistant roles and try again.");
            }
            previousRole = role;
            JsonArray content = arrayField(message, "content");
            if (content == null || content.isEmpty()) {
                throw invalid("The content field in the Message object at " + where + " is empty. Add a ContentBlock "
                        + "object to the content field and try again.");
            }
            Set<String> answered = new HashSet<>();
            Set<String> uses = new HashSet<>();
            for (int j = 0; j < content.size(); j++) {
                String at = where + ".content." + j;
                JsonObject block = content.get(j) instanceof JsonObject o ? o : null;
                if (block == null || block.size() != 1 || !BLOCK_KINDS.contains(block.keySet().iterator().next())) {
                    throw invalid(at + " must hold exactly one of " + BLOCK_KINDS);
                }
                String kind = block.keySet().iterator().next();
                switch (kind) {
                    case "text" -> requireText(block, at);
                    case "cachePoint" -> requireCachePoint(block, at);
                    case "image" -> validateImageBlock(objectField(block, "image"), at);
                    case "document" -> validateDocument(objectField(block, "document"), at);
                    case "toolUse" -> {
                        toolBlocks = true;
                        if (!role.equals("assistant")) {
                            throw invalid(at + ": toolUse blocks are only allowed in assistant messages");
                        }
                        JsonObject use = objectField(block, "toolUse");
                        String id = text(use, "toolUseId");
                        if (id == null || !TOOL_USE_ID.matcher(id).matches() || text(use, "name") == null
                                || !(use.get("input") instanceof JsonObject)) {
                            throw invalid(at + ".toolUse needs a toolUseId matching [a-zA-Z0-9_-]+, a name and an "
                                    + "input object");
                        }
                        uses.add(id);
                    }
                    case "toolResult" -> {
                        toolBlocks = true;
                        if (!role.equals("user")) {
                            throw invalid(at + ": toolResult blocks are only allowed in user messages");
                        }
                        JsonObject result = objectField(block, "toolResult");
                        String id = text(result, "toolUseId");
                        if (id == null || !pendingToolUses.contains(id)) {
                            throw invalid(at + ": the toolUseId " + id + " does not match a toolUse block of the "
                                    + "previous turn.");
                        }
                        JsonArray parts = arrayField(result, "content");
                        if (parts == null) {
                            throw invalid(at + ".toolResult.content must be an array");
                        }
                        for (JsonValue part : parts) {
                            if (!(part instanceof JsonObject p) || p.size() != 1 || !Set.of("text", "json", "image",
                                    "document", "video").contains(p.keySet().iterator().next())) {
                                throw invalid(at + ".toolResult.content holds a block that is not one of text, json, "
                                        + "image, document, video");
                            }
                        }
                        String status = text(result, "status");
                        if (status != null && !status.equals("success") && !status.equals("error")) {
                            throw invalid(at + ".toolResult.status must be success or error");
                        }
                        answered.add(id);
                    }
                    case "reasoningContent" -> {
                        if (!role.equals("assistant")) {
                            throw invalid(at + ": reasoningContent is only allowed in assistant messages");
                        }
                    }
                    default -> {
                        // guardContent, video: passed as they are
                    }
                }
            }
            if (role.equals("user")) {
                if (!pendingToolUses.isEmpty() && !answered.containsAll(pendingToolUses)) {
                    Set<String> missing = new HashSet<>(pendingToolUses);
                    missing.removeAll(answered);
                    throw invalid("Expected toolResult blocks at " + where + ".content for the following Ids: "
                            + String.join(", ", missing));
                }
                pendingToolUses.clear();
            } else {
                pendingToolUses = uses;
            }
        }
        if (!pendingToolUses.isEmpty() && !"assistant".equals(previousRole)) {
            throw invalid("Expected toolResult blocks for the following Ids: " + String.join(", ", pendingToolUses));
        }
        validateInference(objectField(body, "inferenceConfig"), body.get("inferenceConfig"));
        JsonValue toolConfig = body.get("toolConfig");
        if (toolConfig == null) {
            if (toolBlocks) {
                throw invalid("The toolConfig field must be defined when using toolUse and toolResult content blocks.");
            }
        } else {
            validateTools(toolConfig);
        }
    }

    private static void requireText(JsonObject block, String at) {
        if (!(block.get("text") instanceof JsonString text) || text.getString().isBlank()) {
            throw invalid("The text field in the ContentBlock object at " + at + " is blank. Add text to the text "
                    + "field, and try again.");
        }
    }

    private static void requireCachePoint(JsonObject block, String at) {
        if (!"default".equals(text(objectField(block, "cachePoint"), "type"))) {
            throw invalid(at + ".cachePoint.type must be default");
        }
    }

    private static void validateImageBlock(JsonObject image, String at) {
        if (image == null || !oneOf(IMAGE_FORMATS, text(image, "format"))) {
            throw invalid(at + ".image.format must be one of png, jpeg, gif, webp");
        }
        validateSource(objectField(image, "source"), at + ".image");
    }

    private static void validateDocument(JsonObject document, String at) {
        if (document == null || !oneOf(DOCUMENT_FORMATS, text(document, "format"))) {
            throw invalid(at + ".document.format must be one of " + DOCUMENT_FORMATS);
        }
        String name = text(document, "name");
        if (name == null || !DOCUMENT_NAME.matcher(name).matches()) {
            throw invalid("The document file name can only contain alphanumeric characters, whitespace characters, "
                    + "hyphens, parentheses, and square brackets. The name can't contain more than one consecutive "
                    + "whitespace character.");
        }
        validateSource(objectField(document, "source"), at + ".document");
    }

    private static void validateSource(JsonObject source, String at) {
        if (source == null || source.size() != 1) {
            throw invalid(at + ".source must hold exactly one of bytes, s3Location");
        }
        if (source.containsKey("bytes")) {
            if (!FakeJson.isBase64(text(source, "bytes"))) {
                throw invalid(at + ".source.bytes is not valid base64");
            }
        } else if (!(text(objectField(source, "s3Location"), "uri") instanceof String uri) || !uri.startsWith("s3://")) {
            throw invalid(at + ".source.s3Location.uri must be an s3:// URI");
        }
    }

    private static void validateInference(JsonObject config, JsonValue raw) {
        if (raw == null) {
            return;
        }
        if (config == null) {
            throw invalid("inferenceConfig must be an object");
        }
        List<String> unknown = FakeJson.unknownKeys(config, Set.of("maxTokens", "temperature", "topP",
                "stopSequences"));
        if (!unknown.isEmpty()) {
            throw invalid("Malformed input request: extraneous key [" + unknown.get(0) + "] is not permitted");
        }
        if (config.containsKey("maxTokens") && !FakeJson.isInteger(config.get("maxTokens"), 1)) {
            throw invalid("inferenceConfig.maxTokens must be an integer of at least 1");
        }
        if (config.containsKey("temperature") && !FakeJson.inRange(config.get("temperature"), 0, 1)) {
            throw invalid("inferenceConfig.temperature must be between 0 and 1");
        }
        if (config.containsKey("topP") && !FakeJson.inRange(config.get("topP"), 0, 1)) {
            throw invalid("inferenceConfig.topP must be between 0 and 1");
        }
        if (config.containsKey("stopSequences")) {
            JsonArray stops = arrayField(config, "stopSequences");
            if (stops == null || stops.stream().anyMatch(s -> !(s instanceof JsonString))) {
                throw invalid("inferenceConfig.stopSequences must be an array of strings");
            }
        }
    }

    private static void validateTools(JsonValue value) {
        JsonObject config = value instanceof JsonObject o ? o : null;
        JsonArray tools = arrayField(config, "tools");
        if (tools == null || tools.isEmpty()) {
            throw invalid("toolConfig.tools must hold at least one tool");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < tools.size(); i++) {
            JsonObject tool = tools.get(i) instanceof JsonObject o ? o : null;
            if (tool != null && tool.size() == 1 && tool.containsKey("cachePoint")) {
                requireCachePoint(tool, "toolConfig.tools." + i);
                continue;
            }
            JsonObject spec = objectField(tool, "toolSpec");
            String name = text(spec, "name");
            if (spec == null || name == null || !TOOL_NAME.matcher(name).matches()) {
                throw invalid("toolConfig.tools." + i + ".toolSpec.name must match [a-zA-Z0-9_-]{1,64}");
            }
            if (!names.add(name)) {
                throw invalid("The tool name " + name + " is used more than once in toolConfig.tools");
            }
            if (!(objectField(objectField(spec, "inputSchema"), "json") instanceof JsonObject schema)
                    || !"object".equals(text(schema, "type"))) {
                throw invalid("toolConfig.tools." + i + ".toolSpec.inputSchema.json must be a JSON schema of type "
                        + "object");
            }
        }
        JsonValue choice = config.get("toolChoice");
        if (choice != null) {
            JsonObject object = choice instanceof JsonObject o ? o : null;
            String kind = object == null || object.size() != 1 ? null : object.keySet().iterator().next();
            if (!"auto".equals(kind) && !"any".equals(kind) && !"tool".equals(kind)) {
                throw invalid("toolConfig.toolChoice must hold exactly one of auto, any, tool");
            }
            if (kind.equals("tool") && !names.contains(text(objectField(object, "tool"), "name"))) {
                throw invalid("toolConfig.toolChoice.tool.name must name a tool of toolConfig.tools");
            }
        }
    }

    private JsonObject answer(JsonObject body) {
        JsonArray messages = arrayField(body, "messages");
        JsonObject last = messages.get(messages.size() - 1).asJsonObject();
        JsonObject toolConfig = objectField(body, "toolConfig");
        JsonObject choice = objectField(toolConfig, "toolChoice");
        List<JsonObject> content = new ArrayList<>();
        String stopReason = "end_turn";
        int outputWords;
        if (choice != null && (choice.containsKey("any") || choice.containsKey("tool"))) {
            String name = choice.containsKey("tool") ? text(objectField(choice, "tool"), "name") : null;
            JsonObject spec = null;
            for (JsonValue tool : arrayField(toolConfig, "tools")) {
                JsonObject candidate = objectField(tool.asJsonObject(), "toolSpec");
                if (candidate != null && (name == null || name.equals(text(candidate, "name")))) {
                    spec = candidate;
                    break;
                }
            }
            JsonValue input = FakeJson.sample(objectField(objectField(spec, "inputSchema"), "json"));
            content.add(toolUseBlock("tooluse_fake" + ids.incrementAndGet(), text(spec, "name"),
                    input.asJsonObject()));
            stopReason = "tool_use";
            outputWords = 10;
        } else {
            String reply = replyText(last);
            JsonObject inference = objectField(body, "inferenceConfig");
            JsonArray stops = arrayField(inference, "stopSequences");
            if (stops != null) {
                for (JsonValue stop : stops) {
                    String sequence = ((JsonString) stop).getString();
                    int at = sequence.isEmpty() ? -1 : reply.indexOf(sequence);
                    if (at >= 0) {
                        reply = reply.substring(0, at);
                        stopReason = "stop_sequence";
                    }
                }
            }
            int max = inference != null && inference.get("maxTokens") instanceof JsonNumber n ? n.intValue()
                    : Integer.MAX_VALUE;
            if (FakeJson.words(reply) > max) {
                reply = FakeJson.firstWords(reply, max);
                stopReason = "max_tokens";
            }
            if (!reply.isBlank()) {
                content.add(textBlock(reply));
            }
            outputWords = FakeJson.words(reply);
        }
        int[] counts = promptWords(body);
        int prefix = counts[1];
        long cacheRead = 0;
        long cacheWrite = 0;
        if (prefix > 0) {
            if (cachedPrefixes.add(prefixKey(body))) {
                cacheWrite = prefix;
            } else {
                cacheRead = prefix;
            }
        }
        long input = Math.max(1, counts[0] - prefix);
        return converseAnswer(content, stopReason, usage(input, outputWords, cacheRead, cacheWrite));
    }

    private static String replyText(JsonObject lastUser) {
        StringBuilder text = new StringBuilder();
        String toolSaid = null;
        for (JsonValue value : arrayField(lastUser, "content")) {
            JsonObject block = value.asJsonObject();
            if (text(block, "text") != null) {
                text.append(text.isEmpty() ? "" : " ").append(text(block, "text"));
            }
            JsonObject result = objectField(block, "toolResult");
            if (result != null && toolSaid == null) {
                toolSaid = FakeJson.allText(arrayField(result, "content"));
            }
        }
        if (toolSaid != null) {
            return "Thanks, the tool said: " + toolSaid;
        }
        return "Hello! You said: " + text;
    }

    /** The prompt's words, and those before its last cache point (system first, then the messages). */
    private static int[] promptWords(JsonObject body) {
        int total = 0;
        int beforeLastCachePoint = 0;
        List<JsonValue> blocks = new ArrayList<>();
        JsonArray system = arrayField(body, "system");
        if (system != null) {
            blocks.addAll(system);
        }
        for (JsonValue message : arrayField(body, "messages")) {
            blocks.addAll(arrayField(message.asJsonObject(), "content"));
        }
        for (JsonValue value : blocks) {
            JsonObject block = value.asJsonObject();
            if (block.containsKey("cachePoint")) {
                beforeLastCachePoint = total;
            } else {
                total += FakeJson.words(FakeJson.allText(block));
            }
        }
        return new int[] {Math.max(1, total), beforeLastCachePoint};
    }

    /** What identifies a cached prefix: the blocks before the last cache point. */
    private static String prefixKey(JsonObject body) {
        StringBuilder key = new StringBuilder();
        StringBuilder sinceLast = new StringBuilder();
        List<JsonValue> blocks = new ArrayList<>();
        JsonArray system = arrayField(body, "system");
        if (system != null) {
            blocks.addAll(system);
        }
        for (JsonValue message : arrayField(body, "messages")) {
            blocks.addAll(arrayField(message.asJsonObject(), "content"));
        }
        for (JsonValue block : blocks) {
            if (block.asJsonObject().containsKey("cachePoint")) {
                key.append(sinceLast);
                sinceLast.setLength(0);
            } else {
                sinceLast.append(block);
            }
        }
        return key.toString();
    }

    // ------------------------------------------------------------------ invoke

    private static void validateEmbedding(String model, JsonObject body) {
        if (model.contains("cohere.embed")) {
            boolean v4 = model.contains("embed-v4");
            Set<String> known = v4 ? Set.of("texts", "images", "inputs", "input_type", "truncate", "embedding_types",
                    "output_dimension", "max_tokens") : Set.of("texts", "images", "input_type", "truncate",
                    "embedding_types");
            extraneous(body, known);
            JsonArray texts = arrayField(body, "texts");
            if (texts == null || texts.isEmpty() || texts.size() > 96
                    || texts.stream().anyMatch(t -> !(t instanceof JsonString))) {
                throw invalid("Malformed input request: #/texts: expected an array of 1 to 96 strings");
            }
            if (!oneOf(Set.of("search_document", "search_query", "classification", "clustering"),
                    text(body, "input_type"))) {
                throw invalid("Malformed input request: #/input_type: " + body.get("input_type")
                        + " is not a valid enum value");
            }
            if (body.containsKey("truncate") && !oneOf(Set.of("NONE", "START", "END"), text(body, "truncate"))) {
                throw invalid("Malformed input request: #/truncate: " + body.get("truncate")
                        + " is not a valid enum value");
            }
            JsonArray types = arrayField(body, "embedding_types");
            if (body.containsKey("embedding_types") && (types == null || types.stream().anyMatch(t ->
                    !Set.of("float", "int8", "uint8", "binary", "ubinary").contains(t instanceof JsonString s
                            ? s.getString() : "")))) {
                throw invalid("Malformed input request: #/embedding_types: expected float, int8, uint8, binary or "
                        + "ubinary");
            }
            if (body.containsKey("output_dimension") && !Set.of(256, 512, 1024, 1536).contains(
                    body.get("output_dimension") instanceof JsonNumber n && n.isIntegral() ? n.intValue() : -1)) {
                throw invalid("Malformed input request: #/output_dimension: must be 256, 512, 1024 or 1536");
            }
            return;
        }
        boolean v2 = model.contains("titan-embed-text-v2");
        extraneous(body, v2 ? Set.of("inputText", "dimensions", "normalize", "embeddingTypes") : Set.of("inputText"));
        if (!(body.get("inputText") instanceof JsonString input) || input.getString().isEmpty()) {
            throw invalid("Malformed input request: #/inputText: expected minLength: 1, actual: 0, please reformat "
                    + "your input and try again.");
        }
        if (body.containsKey("dimensions") && !Set.of(256, 512, 1024).contains(
                body.get("dimensions") instanceof JsonNumber n && n.isIntegral() ? n.intValue() : -1)) {
            throw invalid("Malformed input request: #/dimensions: " + body.get("dimensions")
                    + " is not a valid enum value, please reformat your input and try again.");
        }
        if (body.containsKey("normalize") && !(body.get("normalize") == JsonValue.TRUE
                || body.get("normalize") == JsonValue.FALSE)) {
            throw invalid("Malformed input request: #/normalize: expected type: Boolean");
        }
    }

    private static void extraneous(JsonObject body, Set<String> known) {
        List<String> unknown = FakeJson.unknownKeys(body, known);
        if (!unknown.isEmpty()) {
            throw invalid("Malformed input request: extraneous key [" + unknown.get(0) + "] is not permitted, please "
                    + "reformat your input and try again.");
        }
    }

    private static Reply embed(String model, JsonObject body) {
        if (model.contains("cohere.embed")) {
            int dimensions = body.get("output_dimension") instanceof JsonNumber n ? n.intValue()
                    : model.contains("embed-v4") ? 1536 : 1024;
            JsonArrayBuilder vectors = array();
            int words = 0;
            for (JsonValue text : arrayField(body, "texts")) {
                String value = ((JsonString) text).getString();
                vectors.add(FakeJson.vector(value, dimensions));
                words += Math.max(1, FakeJson.words(value));
            }
            boolean byType = body.containsKey("embedding_types");
            JsonObjectBuilder answer = object().add("id", "fake-cohere-embed")
                    .add("response_type", byType ? "embeddings_by_type" : "embeddings_floats")
                    .add("embeddings", byType ? object().add("float", vectors).build() : vectors.build())
                    .add("texts", body.get("texts"));
            return Reply.json(200, answer.build())
                    .header("X-Amzn-Bedrock-Input-Token-Count", String.valueOf(words))
                    .header("X-Amzn-Bedrock-Output-Token-Count", "0");
        }
        String text = text(body, "inputText");
        int dimensions = body.get("dimensions") instanceof JsonNumber n ? n.intValue()
                : model.contains("titan-embed-text-v2") ? 1024 : 1536;
        JsonArray vector = FakeJson.vector(text, dimensions);
        int words = Math.max(1, FakeJson.words(text));
        JsonObjectBuilder answer = object().add("embedding", vector).add("inputTextTokenCount", words);
        if (model.contains("titan-embed-text-v2")) {
            answer.add("embeddingsByType", object().add("float", vector));
        }
        return Reply.json(200, answer.build())
                .header("X-Amzn-Bedrock-Input-Token-Count", String.valueOf(words))
                .header("X-Amzn-Bedrock-Output-Token-Count", "0");
    }

    private static void validateImage(JsonObject body) {
        extraneous(body, Set.of("taskType", "textToImageParams", "imageGenerationConfig"));
        if (!"TEXT_IMAGE".equals(text(body, "taskType"))) {
            throw invalid("Malformed input request: #/taskType: the fake serves TEXT_IMAGE tasks");
        }
        JsonObject params = objectField(body, "textToImageParams");
        if (params == null) {
            throw invalid("Malformed input request: #: required key [textToImageParams] not found");
        }
        extraneous(params, Set.of("text", "negativeText", "style"));
        if (!(params.get("text") instanceof JsonString text) || text.getString().isEmpty()
                || text.getString().length() > 1024) {
            throw invalid("Malformed input request: #/textToImageParams/text: expected a string of 1 to 1024 "
                    + "characters");
        }
        JsonObject config = objectField(body, "imageGenerationConfig");
        if (config == null) {
            return;
        }
        extraneous(config, Set.of("numberOfImages", "width", "height", "quality", "cfgScale", "seed"));
        if (config.containsKey("numberOfImages") && !(FakeJson.isInteger(config.get("numberOfImages"), 1)
                && config.getInt("numberOfImages") <= 5)) {
            throw invalid("Malformed input request: #/imageGenerationConfig/numberOfImages: must be 1 to 5");
        }
        for (String side : List.of("width", "height")) {
            if (config.containsKey(side) && !(FakeJson.isInteger(config.get(side), 320)
                    && config.getInt(side) <= 4096 && config.getInt(side) % 16 == 0)) {
                throw invalid("Malformed input request: #/imageGenerationConfig/" + side + ": must be a multiple of "
                        + "16 from 320 to 4096");
            }
        }
        if (config.containsKey("quality") && !oneOf(Set.of("standard", "premium"), text(config, "quality"))) {
            throw invalid("Malformed input request: #/imageGenerationConfig/quality: " + config.get("quality")
                    + " is not a valid enum value");
        }
        if (config.containsKey("cfgScale") && !FakeJson.inRange(config.get("cfgScale"), 1.1, 10)) {
            throw invalid("Malformed input request: #/imageGenerationConfig/cfgScale: must be 1.1 to 10");
        }
        if (config.containsKey("seed") && !(FakeJson.isInteger(config.get("seed"), 0)
                && config.getJsonNumber("seed").longValue() <= 2147483646L)) {
            throw invalid("Malformed input request: #/imageGenerationConfig/seed: must be 0 to 2147483646");
        }
    }

    private static Reply images(JsonObject body) {
        JsonObject config = objectField(body, "imageGenerationConfig");
        int count = config != null && config.get("numberOfImages") instanceof JsonNumber n ? n.intValue() : 1;
        JsonArrayBuilder images = array();
        for (int i = 0; i < count; i++) {
            images.add(FakeJson.PNG_BASE64);
        }
        return Reply.json(200, object().add("images", images).build())
                .header("X-Amzn-Bedrock-Input-Token-Count", "0")
                .header("X-Amzn-Bedrock-Output-Token-Count", "0");
    }

    // ------------------------------------------------------------------ control plane

    private Reply foundationModels(RecordedRequest request) {
        String byType = request.queryParameter("byInferenceType");
        JsonArrayBuilder summaries = array();
        synchronized (models) {
            for (Map.Entry<String, Model> entry : models.entrySet()) {
                Model model = entry.getValue();
                if (model.profile()) {
                    continue;
                }
                String type = model.onDemand() ? "ON_DEMAND" : "INFERENCE_PROFILE";
                if (byType != null && !byType.equals(type)) {
                    continue;
                }
                String output = switch (model.kind()) {
                    case CHAT -> "TEXT";
                    case EMBEDDING -> "EMBEDDING";
                    case IMAGE -> "IMAGE";
                };
                summaries.add(object()
                        .add("modelArn", "arn:aws:bedrock:" + REGION + "::foundation-model/" + entry.getKey())
                        .add("modelId", entry.getKey())
                        .add("modelName", entry.getKey())
                        .add("providerName", model.provider())
                        .add("inputModalities", array().add("TEXT"))
                        .add("outputModalities", array().add(output))
                        .add("responseStreamingSupported", model.kind() == Kind.CHAT)
                        .add("inferenceTypesSupported", array().add(type))
                        .add("modelLifecycle", object().add("status", "ACTIVE")));
            }
        }
        return Reply.json(200, object().add("modelSummaries", summaries).build());
    }

    private Reply inferenceProfiles(RecordedRequest request) {
        List<String> profiles;
        synchronized (models) {
            profiles = models.entrySet().stream().filter(e -> e.getValue().profile()).map(Map.Entry::getKey).toList();
        }
        int size = parsePositive(request.queryParameter("maxResults"), 1000);
        int from = request.queryParameter("nextToken") == null ? 0 : parsePositive(request.queryParameter("nextToken")
                .replace("page-", ""), 0);
        JsonArrayBuilder summaries = array();
        for (int i = from; i < Math.min(profiles.size(), from + size); i++) {
            String id = profiles.get(i);
            summaries.add(object()
                    .add("inferenceProfileId", id)
                    .add("inferenceProfileName", id)
                    .add("inferenceProfileArn", "arn:aws:bedrock:" + REGION + ":123456789012:inference-profile/" + id)
                    .add("status", "ACTIVE")
                    .add("type", "SYSTEM_DEFINED"));
        }
        JsonObjectBuilder answer = object().add("inferenceProfileSummaries", summaries);
        if (from + size < profiles.size()) {
            answer.add("nextToken", "page-" + (from + size));
        }
        return Reply.json(200, answer.build());
    }

    /** Whether a value is one of a set; {@code null} (absent, not a string) is not. */
    private static boolean oneOf(Set<String> values, String value) {
        return value != null && values.contains(value);
    }

    private static int parsePositive(String text, int fallback) {
        if (text == null) {
            return fallback;
        }
        try {
            return Math.max(0, Integer.parseInt(text));
        } catch (NumberFormatException e) {
            throw invalid("'" + text + "' is not a number");
        }
    }
}
