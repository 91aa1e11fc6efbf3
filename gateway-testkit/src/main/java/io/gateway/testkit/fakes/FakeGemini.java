package io.gateway.testkit.fakes;

import static io.gateway.testkit.fakes.FakeJson.array;
import static io.gateway.testkit.fakes.FakeJson.arrayField;
import static io.gateway.testkit.fakes.FakeJson.object;
import static io.gateway.testkit.fakes.FakeJson.objectField;
import static io.gateway.testkit.fakes.FakeJson.text;

import io.gateway.testkit.http.FakeUpstream;
import io.gateway.testkit.http.RecordedRequest;
import io.gateway.testkit.http.Reply;
import io.gateway.testkit.fakes.FakeJson.Rejection;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A fake of Google's Gemini API (the Generative Language API) on a free loopback port, built on a
 * {@link FakeUpstream}. It speaks Gemini's wire format and checks requests the way the API reference
 * describes, answering Gemini's {@code {"error":{"code","message","status"}}} otherwise.
 *
 * <pre>{@code
 * try (FakeGemini gemini = FakeGemini.start()) {
 *     // provider config: type gemini, base-url gemini.baseUrl(), key FakeGemini.API_KEY
 *     gemini.answerNext(FakeGemini.rateLimited("Resource has been exhausted", "17s"));
 *     ...
 *     JsonObject sent = gemini.lastBody("generateContent");
 * }
 * }</pre>
 *
 * <p><b>Routes</b> (under {@code /v1beta/} and {@code /v1/}): {@code POST models/{model}:generateContent},
 * {@code :streamGenerateContent} (server-sent events with {@code ?alt=sse}, frames ended by
 * {@code \r\n\r\n} as Google sends them; a JSON array without it), {@code :countTokens},
 * {@code :embedContent}, {@code :batchEmbedContents}; {@code GET models} (paged with {@code pageSize}
 * and {@code pageToken}) and {@code GET models/{model}}.
 *
 * <p><b>Checks, in order:</b>
 * <ol>
 *   <li>a key in {@code x-goog-api-key} (or {@code ?key=}): missing → 403 {@code PERMISSION_DENIED};
 *       wrong → 400 {@code INVALID_ARGUMENT} with reason {@code API_KEY_INVALID};</li>
 *   <li>a known route and version, else 404 {@code NOT_FOUND};</li>
 *   <li>for POSTs a JSON object body with {@code content-type: application/json}, else 400;</li>
 *   <li>the body, field by field: unknown fields are refused ({@code Unknown name "x"}); {@code contents}
 *       non-empty, roles {@code user} and {@code model} only, non-empty {@code parts} with exactly one
 *       data field each, valid base64 in {@code inlineData} and thought signatures,
 *       {@code functionCall} only in model turns right after a user turn, {@code functionResponse}
 *       only in the user turn right after the function-call turn with as many responses as calls,
 *       both naming declared functions; {@code systemInstruction} text parts only; function
 *       declarations with valid unique names and parameters in Gemini's OpenAPI schema subset (upper
 *       or lower case types, no {@code additionalProperties}/{@code $schema}/…, non-empty
 *       {@code properties} for objects, {@code required} naming properties); {@code toolConfig} modes
 *       {@code AUTO}/{@code ANY}/{@code NONE}/{@code VALIDATED} with {@code allowedFunctionNames} only
 *       for {@code ANY}/{@code VALIDATED}; {@code generationConfig} fields and ranges, a
 *       {@code responseSchema} only with a JSON MIME type, image output only for image models;
 *       embedding requests with text parts, a {@code title} only for {@code RETRIEVAL_DOCUMENT},
 *       {@code outputDimensionality} 1–3072, batches of at most 100 naming the URL's model — each
 *       failure 400 {@code INVALID_ARGUMENT};</li>
 *   <li>a known model that supports the method, else 404 {@code NOT_FOUND} ("… is not found for API
 *       version v1beta, or is not supported for generateContent").</li>
 * </ol>
 *
 * <p><b>Answers.</b> A request that passes gets the next reply queued with {@link #answerNext} or
 * {@link #failNext}, else a deterministic answer: {@code candidateCount} candidates whose text is
 * {@code "Hello! You said: "} and the last user text (after function responses, {@code "Thanks, the
 * tool said: "} and the response); with {@code functionCallingConfig.mode: ANY}, a
 * {@code functionCall} of the first allowed (or declared) function whose {@code args} hold a
 * placeholder per required parameter; with {@code responseModalities} containing {@code IMAGE} (image
 * models only), a text part and an {@code inlineData} PNG ({@link #IMAGE_BASE64}). Stop sequences cut
 * the text; more words than {@code maxOutputTokens} end it with {@code MAX_TOKENS}. A prompt containing
 * {@link #SAFETY_TRIGGER} gets a candidate stopped with {@code SAFETY}; one containing
 * {@link #BLOCK_TRIGGER} gets {@code promptFeedback.blockReason: SAFETY} and no candidates.
 * {@code usageMetadata} counts words: {@code promptTokenCount} is the words of every text in
 * {@code systemInstruction} and {@code contents} (at least 1), {@code candidatesTokenCount} the words
 * answered plus 10 per function call and 1290 per image. Embeddings have {@link #EMBEDDING_DIMENSIONS}
 * values (or {@code outputDimensionality}), the same text always giving the same vector.
 *
 * <p>The underlying {@link #upstream()} records every request. Stubs added to it take precedence
 * over the fake's routes and skip its checks; use {@link #reset()} rather than
 * {@code upstream().reset()}, which would remove the fake's routes.
 */
public final class FakeGemini extends ProviderFake<FakeGemini> {

    /** The key the fake accepts unless started with another one. */
    public static final String API_KEY = "AIza-fake-gemini-key";

    /** The API versions the fake serves. */
    public static final Set<String> API_VERSIONS = Set.of("v1beta", "v1");

    /** Values per embedding when the request sets no {@code outputDimensionality}. */
    public static final int EMBEDDING_DIMENSIONS = 768;

    /** A prompt containing this text gets a candidate stopped by the safety filter ({@code SAFETY}). */
    public static final String SAFETY_TRIGGER = "[unsafe]";

    /** A prompt containing this text is blocked ({@code promptFeedback.blockReason: SAFETY}). */
    public static final String BLOCK_TRIGGER = "[blocked]";

    /** The PNG (base64) every generated image is. */
    public static final String IMAGE_BASE64 = FakeJson.PNG_BASE64;

    /** What a model of the fake can do. */
    public enum Capability {
        /** {@code generateContent}, {@code streamGenerateContent}, {@code countTokens}. */
        GENERATE,
        /** {@code embedContent}, {@code batchEmbedContents}. */
        EMBED,
        /** Image output ({@code responseModalities: ["TEXT", "IMAGE"]}); implies {@link #GENERATE}. */
        IMAGE_OUTPUT
    }

    private static final Set<String> GENERATE_FIELDS = Set.of("model", "contents", "tools", "toolConfig",
            "safetySettings", "systemInstruction", "generationConfig", "cachedContent");
    private static final Set<String> PART_DATA = Set.of("text", "inlineData", "fileData", "functionCall",
            "functionResponse", "executableCode", "codeExecutionResult");
    private static final Set<String> PART_FIELDS = Set.of("text", "inlineData", "fileData", "functionCall",
            "functionResponse", "executableCode", "codeExecutionResult", "thought", "thoughtSignature",
            "videoMetadata", "partMetadata");
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
    private static final Set<String> TASK_TYPES = Set.of("TASK_TYPE_UNSPECIFIED", "RETRIEVAL_QUERY",
            "RETRIEVAL_DOCUMENT", "SEMANTIC_SIMILARITY", "CLASSIFICATION", "CLUSTERING", "QUESTION_ANSWERING",
            "FACT_VERIFICATION", "CODE_RETRIEVAL_QUERY");
    private static final Set<String> ASPECT_RATIOS = Set.of("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4",
            "9:16", "16:9", "21:9");
    private static final Pattern FUNCTION_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}");
    private static final int IMAGE_TOKENS = 1290;

    private final Map<String, Set<Capability>> models = new LinkedHashMap<>();

    private FakeGemini(String apiKey) {
        super(apiKey);
        models.put("gemini-2.5-flash", EnumSet.of(Capability.GENERATE));
        models.put("gemini-2.5-pro", EnumSet.of(Capability.GENERATE));
        models.put("gemini-2.5-flash-lite", EnumSet.of(Capability.GENERATE));
        models.put("gemini-2.5-flash-image", EnumSet.of(Capability.GENERATE, Capability.IMAGE_OUTPUT));
        models.put("gemini-embedding-001", EnumSet.of(Capability.EMBED));
        models.put("text-embedding-004", EnumSet.of(Capability.EMBED));
        serve();
    }

    /**
     * Starts the fake on {@code 127.0.0.1} and a free port, accepting {@link #API_KEY}, with the models
     * {@code gemini-2.5-flash}, {@code gemini-2.5-pro}, {@code gemini-2.5-flash-lite} (generation),
     * {@code gemini-2.5-flash-image} (generation with image output), {@code gemini-embedding-001} and
     * {@code text-embedding-004} (embeddings).
     *
     * @return the running fake; close it to release the port
     */
    public static FakeGemini start() {
        return new FakeGemini(API_KEY);
    }

    /**
     * Starts the fake accepting another key.
     *
     * @param apiKey the only key the fake accepts
     * @return the running fake
     */
    public static FakeGemini start(String apiKey) {
        return new FakeGemini(apiKey);
    }

    /**
     * Adds (or redefines) a model.
     *
     * @param id           the model id without {@code models/}, e.g. {@code gemini-3-pro-preview}
     * @param capabilities what it can do; {@link Capability#IMAGE_OUTPUT} implies {@link Capability#GENERATE}
     * @return this fake
     */
    public FakeGemini addModel(String id, Capability... capabilities) {
        EnumSet<Capability> set = EnumSet.noneOf(Capability.class);
        set.addAll(List.of(capabilities));
        if (set.contains(Capability.IMAGE_OUTPUT)) {
            set.add(Capability.GENERATE);
        }
        synchronized (models) {
            models.put(Objects.requireNonNull(id, "id"), set);
        }
        return this;
    }

    /**
     * The model ids the fake serves, in listing order.
     *
     * @return a snapshot
     */
    public List<String> models() {
        synchronized (models) {
            return List.copyOf(models.keySet());
        }
    }

    /**
     * Makes the next request that passes the fake's checks fail with a Gemini error.
     *
     * @param code    the HTTP status, e.g. 429
     * @param status  the canonical status, e.g. {@code RESOURCE_EXHAUSTED}
     * @param message the message
     * @return this fake
     */
    public FakeGemini failNext(int code, String status, String message) {
        return answerNext(error(code, status, message));
    }

    /**
     * The POST requests received for one method, accepted or not.
     *
     * @param method e.g. {@code generateContent}, {@code streamGenerateContent}, {@code embedContent}
     * @return the requests in arrival order
     */
    public List<RecordedRequest> requests(String method) {
        return upstream.requests().stream().filter(r -> r.method().equals("POST")
                && URLDecoder.decode(r.path(), StandardCharsets.UTF_8).endsWith(":" + method)).toList();
    }

    /**
     * The body of the latest POST for one method.
     *
     * @param method e.g. {@code generateContent}
     * @return the JSON body
     * @throws IllegalStateException if there was none
     */
    public JsonObject lastBody(String method) {
        List<RecordedRequest> requests = requests(method);
        if (requests.isEmpty()) {
            throw new IllegalStateException("the fake Gemini API received no :" + method + " request");
        }
        return requests.get(requests.size() - 1).bodyJson();
    }

    @Override
    public String toString() {
        return "FakeGemini[" + baseUrl() + "]";
    }

    /**
     * Gemini's error for a status, with its canonical status: {@code INVALID_ARGUMENT} (400),
     * {@code UNAUTHENTICATED} (401), {@code PERMISSION_DENIED} (403), {@code NOT_FOUND} (404),
     * {@code RESOURCE_EXHAUSTED} (429), {@code INTERNAL} (500), {@code UNAVAILABLE} (503),
     * {@code DEADLINE_EXCEEDED} (504), {@code UNKNOWN} otherwise.
     *
     * @param status  the HTTP status
     * @param message the message
     * @return the reply
     */
    @Override
    public Reply errorReply(int status, String message) {
        String canonical = switch (status) {
            case 400 -> "INVALID_ARGUMENT";
            case 401 -> "UNAUTHENTICATED";
            case 403 -> "PERMISSION_DENIED";
            case 404 -> "NOT_FOUND";
            case 409 -> "ABORTED";
            case 429 -> "RESOURCE_EXHAUSTED";
            case 500 -> "INTERNAL";
            case 503 -> "UNAVAILABLE";
            case 504 -> "DEADLINE_EXCEEDED";
            default -> "UNKNOWN";
        };
        return error(status, canonical, message);
    }

    /**
     * A model that can do the operation: a generating model for chat and Responses, an embedding model
     * for embeddings, an image-output model for images; none for text completions.
     *
     * @param operation the operation
     * @return the model id, or empty
     */
    @Override
    public java.util.Optional<String> modelFor(io.gateway.spi.Operation operation) {
        Capability needed = switch (operation) {
            case CHAT_COMPLETION, RESPONSES, LIST_MODELS -> Capability.GENERATE;
            case EMBEDDING -> Capability.EMBED;
            case IMAGE_GENERATION -> Capability.IMAGE_OUTPUT;
            default -> null;
        };
        if (needed == null) {
            return java.util.Optional.empty();
        }
        synchronized (models) {
            return models.entrySet().stream().filter(e -> e.getValue().contains(needed)).map(Map.Entry::getKey)
                    .findFirst();
        }
    }

    // ------------------------------------------------------------------ builders

    /**
     * A text part.
     *
     * @param text the text
     * @return {@code {"text":…}}
     */
    public static JsonObject textPart(String text) {
        return object().add("text", text).build();
    }

    /**
     * A function call part.
     *
     * @param name the function name
     * @param args the arguments
     * @return {@code {"functionCall":{"name","args"}}}
     */
    public static JsonObject functionCallPart(String name, JsonObject args) {
        return object().add("functionCall", object().add("name", name).add("args", args)).build();
    }

    /**
     * An inline data part.
     *
     * @param mimeType e.g. {@code image/png}
     * @param base64   the data
     * @return {@code {"inlineData":{"mimeType","data"}}}
     */
    public static JsonObject inlineDataPart(String mimeType, String base64) {
        return object().add("inlineData", object().add("mimeType", mimeType).add("data", base64)).build();
    }

    /**
     * A candidate.
     *
     * @param index        its index
     * @param parts        the content parts (empty for a candidate without content)
     * @param finishReason e.g. {@code STOP}, {@code MAX_TOKENS}, {@code SAFETY}; {@code null} mid-stream
     * @return the candidate
     */
    public static JsonObject candidate(int index, List<JsonObject> parts, String finishReason) {
        JsonObjectBuilder candidate = object();
        if (!parts.isEmpty()) {
            candidate.add("content", object().add("parts", FakeJson.arrayOf(parts)).add("role", "model"));
        }
        if (finishReason != null) {
            candidate.add("finishReason", finishReason);
        }
        return candidate.add("index", index).build();
    }

    /**
     * Usage metadata.
     *
     * @param prompt     {@code promptTokenCount}
     * @param candidates {@code candidatesTokenCount}
     * @param thoughts   {@code thoughtsTokenCount} (left out when 0)
     * @param cached     {@code cachedContentTokenCount} (left out when 0)
     * @return the metadata with {@code totalTokenCount} = prompt + candidates + thoughts
     */
    public static JsonObject usageMetadata(long prompt, long candidates, long thoughts, long cached) {
        JsonObjectBuilder usage = object().add("promptTokenCount", prompt).add("candidatesTokenCount", candidates)
                .add("totalTokenCount", prompt + candidates + thoughts)
                .add("promptTokensDetails", array().add(object().add("modality", "TEXT").add("tokenCount", prompt)));
        if (thoughts > 0) {
            usage.add("thoughtsTokenCount", thoughts);
        }
        if (cached > 0) {
            usage.add("cachedContentTokenCount", cached);
        }
        return usage.build();
    }

    /**
     * A {@code generateContent} answer.
     *
     * @param model      the model version to report
     * @param responseId the response id
     * @param candidates the candidates
     * @param usage      the usage metadata
     * @return {@code {"candidates","usageMetadata","modelVersion","responseId"}}
     */
    public static JsonObject response(String model, String responseId, List<JsonObject> candidates,
                                      JsonObject usage) {
        return object().add("candidates", FakeJson.arrayOf(candidates)).add("usageMetadata", usage)
                .add("modelVersion", model).add("responseId", responseId).build();
    }

    /**
     * The chunks Gemini streams for an answer: text parts word by word, other parts whole, every
     * candidate's pieces side by side; {@code finishReason} and the full {@code usageMetadata} come in
     * the last chunk (earlier chunks report only the prompt count).
     *
     * @param response a complete answer
     * @return the chunks, each a {@code GenerateContentResponse}
     */
    public static List<JsonObject> streamChunks(JsonObject response) {
        JsonArray candidates = arrayField(response, "candidates");
        JsonObject usage = objectField(response, "usageMetadata");
        JsonObjectBuilder partialUsage = object();
        if (usage != null && usage.get("promptTokenCount") instanceof JsonNumber prompt) {
            partialUsage.add("promptTokenCount", prompt).add("totalTokenCount", prompt);
        }
        JsonObject early = partialUsage.build();
        List<JsonObject> chunks = new ArrayList<>();
        if (candidates == null || candidates.isEmpty()) {
            chunks.add(response);
            return chunks;
        }
        List<List<JsonObject>> pieces = new ArrayList<>();
        int count = 1;
        for (JsonValue value : candidates) {
            List<JsonObject> own = new ArrayList<>();
            JsonArray parts = arrayField(objectField(value.asJsonObject(), "content"), "parts");
            if (parts != null) {
                for (JsonValue part : parts) {
                    String text = text(part.asJsonObject(), "text");
                    if (text != null && part.asJsonObject().size() == 1) {
                        FakeJson.pieces(text).forEach(piece -> own.add(textPart(piece)));
                    } else {
                        own.add(part.asJsonObject());
                    }
                }
            }
            pieces.add(own);
            count = Math.max(count, own.size());
        }
        for (int j = 0; j < count; j++) {
            boolean last = j == count - 1;
            JsonArrayBuilder chunkCandidates = array();
            for (int c = 0; c < candidates.size(); c++) {
                JsonObject candidate = candidates.getJsonObject(c);
                List<JsonObject> own = pieces.get(c);
                if (j >= own.size() && !last) {
                    continue;
                }
                JsonObjectBuilder piece = object(candidate).remove("content");
                if (j < own.size()) {
                    piece.add("content", object().add("parts", array().add(own.get(j))).add("role", "model"));
                }
                if (!last) {
                    piece.remove("finishReason");
                    piece.remove("safetyRatings");
                }
                chunkCandidates.add(piece);
            }
            JsonObjectBuilder chunk = object(response).add("candidates", chunkCandidates);
            if (!last && usage != null) {
                chunk.add("usageMetadata", early);
            }
            chunks.add(chunk.build());
        }
        return chunks;
    }

    /**
     * Chunks as Gemini's server-sent events ({@code data: …} frames ended by {@code \r\n\r\n}).
     *
     * @param chunks the chunks, e.g. from {@link #streamChunks(JsonObject)}
     * @return the reply
     */
    public static Reply sse(List<JsonObject> chunks) {
        List<Reply.Chunk> frames = new ArrayList<>();
        for (JsonObject chunk : chunks) {
            frames.add(Reply.Chunk.of("data: " + chunk + "\r\n\r\n"));
        }
        return Reply.chunked(200, "text/event-stream", frames);
    }

    /**
     * Gemini's error body.
     *
     * @param code    the HTTP status
     * @param status  the canonical status, e.g. {@code INVALID_ARGUMENT}
     * @param message the message
     * @return {@code {"error":{"code","message","status"}}}
     */
    public static JsonObject errorBody(int code, String status, String message) {
        return object().add("error", object().add("code", code).add("message", message).add("status", status))
                .build();
    }

    /**
     * A Gemini error reply, for {@link #answerNext}.
     *
     * @param code    the HTTP status
     * @param status  the canonical status
     * @param message the message
     * @return the reply
     */
    public static Reply error(int code, String status, String message) {
        return Reply.json(code, errorBody(code, status, message));
    }

    /**
     * A 429 {@code RESOURCE_EXHAUSTED} with a {@code google.rpc.RetryInfo} detail, as Gemini answers when
     * a quota is used up.
     *
     * @param message    the message
     * @param retryDelay the delay, e.g. {@code 17s}
     * @return the reply
     */
    public static Reply rateLimited(String message, String retryDelay) {
        JsonObject body = object().add("error", object().add("code", 429).add("message", message)
                .add("status", "RESOURCE_EXHAUSTED")
                .add("details", array()
                        .add(object().add("@type", "type.googleapis.com/google.rpc.QuotaFailure")
                                .add("violations", array().add(object()
                                        .add("quotaMetric",
                                                "generativelanguage.googleapis.com/generate_content_free_tier_requests")
                                        .add("quotaId", "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"))))
                        .add(object().add("@type", "type.googleapis.com/google.rpc.RetryInfo")
                                .add("retryDelay", retryDelay)))).build();
        return Reply.json(429, body);
    }

    // ------------------------------------------------------------------ handling

    @Override
    protected Reply handle(RecordedRequest request) {
        try {
            return route(request);
        } catch (KeyRejection rejection) {
            return Reply.json(400, object().add("error", object().add("code", 400)
                    .add("message", rejection.getMessage()).add("status", "INVALID_ARGUMENT")
                    .add("details", array().add(object().add("@type", "type.googleapis.com/google.rpc.ErrorInfo")
                            .add("reason", "API_KEY_INVALID").add("domain", "googleapis.com")
                            .add("metadata", object().add("service", "generativelanguage.googleapis.com")))))
                    .build());
        } catch (Rejection rejection) {
            return error(rejection.status(), rejection.kind(), rejection.getMessage());
        }
    }

    private static Rejection invalid(String message) {
        return new Rejection(400, "INVALID_ARGUMENT", message);
    }

    private static Rejection notFound(String message) {
        return new Rejection(404, "NOT_FOUND", message);
    }

    private Reply route(RecordedRequest request) {
        String path = URLDecoder.decode(request.path(), StandardCharsets.UTF_8);
        String[] segments = path.split("/", 3);
        if (segments.length < 3 || !API_VERSIONS.contains(segments[1])) {
            throw notFound("The requested URL " + path + " was not found on this server.");
        }
        authenticate(request);
        String version = segments[1];
        String rest = segments[2];
        if (request.method().equals("GET")) {
            if (rest.equals("models")) {
                return scriptedOr(request, () -> modelPage(request));
            }
            if (rest.startsWith("models/") && rest.indexOf(':') < 0) {
                String id = rest.substring("models/".length());
                return scriptedOr(request, () -> Reply.json(200, modelObject(id, capabilities(id, version, "get"))));
            }
            throw notFound("The requested URL " + path + " was not found on this server.");
        }
        int colon = rest.lastIndexOf(':');
        if (!request.method().equals("POST") || !rest.startsWith("models/") || colon < 0) {
            throw notFound("The requested URL " + path + " was not found on this server.");
        }
        String model = rest.substring("models/".length(), colon);
        String method = rest.substring(colon + 1);
        if (!Set.of("generateContent", "streamGenerateContent", "countTokens", "embedContent",
                "batchEmbedContents").contains(method)) {
            throw notFound("The requested URL " + path + " was not found on this server.");
        }
        if (!FakeJson.jsonContentType(request)) {
            throw invalid("Invalid JSON payload received. Unexpected content type: " + request.header("content-type"));
        }
        JsonObject body = FakeJson.parseOrNull(request);
        if (body == null) {
            throw invalid("Invalid JSON payload received. Expected a JSON object.");
        }
        switch (method) {
            case "embedContent" -> {
                validateEmbed(body, model, "EmbedContentRequest", false);
                requireCapability(model, version, method, Capability.EMBED);
                return scriptedOr(request, () -> Reply.json(200, object().add("embedding", embedding(body)).build()));
            }
            case "batchEmbedContents" -> {
                JsonArray requests = validateBatch(body, model);
                requireCapability(model, version, method, Capability.EMBED);
                return scriptedOr(request, () -> {
                    JsonArrayBuilder embeddings = array();
                    requests.forEach(value -> embeddings.add(embedding(value.asJsonObject())));
                    return Reply.json(200, object().add("embeddings", embeddings).build());
                });
            }
            case "countTokens" -> {
                JsonObject counted = body;
                if (body.containsKey("generateContentRequest")) {
                    unknown(body, Set.of("generateContentRequest"), "");
                    counted = objectAt(body, "generateContentRequest", "");
                } else {
                    unknown(body, Set.of("contents"), "");
                }
                validateGenerate(counted);
                requireCapability(model, version, method, Capability.GENERATE);
                long tokens = promptTokens(counted);
                return scriptedOr(request, () -> Reply.json(200, object().add("totalTokens", tokens).build()));
            }
            default -> {
                validateGenerate(body);
                Set<Capability> capabilities = requireCapability(model, version, method, Capability.GENERATE);
                if (wantsImages(body) && !capabilities.contains(Capability.IMAGE_OUTPUT)) {
                    throw invalid("The requested combination of response modalities (" + modalities(body)
                            + ") is not supported by the model.");
                }
                boolean stream = method.equals("streamGenerateContent");
                if (stream && request.queryParameter("alt") != null && !"sse".equals(request.queryParameter("alt"))
                        && !"json".equals(request.queryParameter("alt"))) {
                    throw invalid("Invalid value at 'alt' (" + request.queryParameter("alt") + ")");
                }
                return scriptedOr(request, () -> {
                    JsonObject answer = answer(body, model, capabilities, ids);
                    if (!stream) {
                        return Reply.json(200, answer);
                    }
                    List<JsonObject> chunks = streamChunks(answer);
                    if ("sse".equals(request.queryParameter("alt"))) {
                        return sse(chunks);
                    }
                    return Reply.json(200, FakeJson.arrayOf(chunks));
                });
            }
        }
    }

    private Reply scriptedOr(RecordedRequest request, java.util.function.Supplier<Reply> answer) {
        Reply scripted = scripted(request);
        return scripted != null ? scripted : answer.get();
    }

    private void authenticate(RecordedRequest request) {
        String key = request.header("x-goog-api-key");
        if (key == null) {
            key = request.queryParameter("key");
        }
        if (key == null || key.isEmpty()) {
            throw new Rejection(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers (callers"
                    + " without established identity). Please use API Key or other form of API consumer identity to"
                    + " call this API.");
        }
        if (!key.equals(apiKey())) {
            throw new KeyRejection();
        }
    }

    /** A wrong key: Gemini's 400 with an {@code ErrorInfo} detail naming {@code API_KEY_INVALID}. */
    private static final class KeyRejection extends Rejection {
        KeyRejection() {
            super(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.");
        }
    }

    private Set<Capability> capabilities(String model, String version, String method) {
        synchronized (models) {
            Set<Capability> capabilities = models.get(model);
            if (capabilities == null) {
                throw notFound("models/" + model + " is not found for API version " + version + ", or is not"
                        + " supported for " + method + ". Call ListModels to see the list of available models and"
                        + " their supported methods.");
            }
            return EnumSet.copyOf(capabilities.isEmpty() ? EnumSet.of(Capability.GENERATE) : capabilities);
        }
    }

    private Set<Capability> requireCapability(String model, String version, String method, Capability needed) {
        Set<Capability> capabilities = capabilities(model, version, method);
        if (!capabilities.contains(needed)) {
            throw notFound("models/" + model + " is not found for API version " + version + ", or is not"
                    + " supported for " + method + ". Call ListModels to see the list of available models and"
                    + " their supported methods.");
        }
        return capabilities;
    }

    private Reply modelPage(RecordedRequest request) {
        int size = 50;
        String sizeText = request.queryParameter("pageSize");
        if (sizeText != null) {
            try {
                size = Integer.parseInt(sizeText);
            } catch (NumberFormatException e) {
                throw invalid("Invalid value at 'page_size' (TYPE_INT32), \"" + sizeText + "\"");
            }
            size = size <= 0 ? 50 : Math.min(size, 1000);
        }
        int offset = 0;
        String token = request.queryParameter("pageToken");
        if (token != null && !token.isEmpty()) {
            try {
                offset = Integer.parseInt(new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8)
                        .substring("offset:".length()));
            } catch (RuntimeException e) {
                throw invalid("Invalid page token.");
            }
        }
        List<String> ids = models();
        JsonArrayBuilder page = array();
        int end = Math.min(ids.size(), offset + size);
        for (int i = offset; i < end; i++) {
            page.add(modelObject(ids.get(i), capabilities(ids.get(i), "v1beta", "get")));
        }
        JsonObjectBuilder answer = object().add("models", page);
        if (end < ids.size()) {
            answer.add("nextPageToken", Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(("offset:" + end).getBytes(StandardCharsets.UTF_8)));
        }
        return Reply.json(200, answer.build());
    }

    private static JsonObject modelObject(String id, Set<Capability> capabilities) {
        JsonArrayBuilder methods = array();
        if (capabilities.contains(Capability.GENERATE)) {
            methods.add("generateContent").add("countTokens");
        }
        if (capabilities.contains(Capability.EMBED)) {
            methods.add("embedContent").add("batchEmbedContents");
        }
        boolean embedding = capabilities.contains(Capability.EMBED) && !capabilities.contains(Capability.GENERATE);
        return object().add("name", "models/" + id).add("version", "001").add("displayName", id)
                .add("description", "Fake " + id)
                .add("inputTokenLimit", embedding ? 2048 : 1_048_576)
                .add("outputTokenLimit", embedding ? 1 : 65_536)
                .add("supportedGenerationMethods", methods).build();
    }

    // ------------------------------------------------------------------ validation

    private static void unknown(JsonObject object, Set<String> known, String where) {
        for (String field : FakeJson.unknownKeys(object, known)) {
            throw invalid("Invalid JSON payload received. Unknown name \"" + field + "\" at '" + where
                    + "': Cannot find field.");
        }
    }

    private static JsonObject objectAt(JsonObject parent, String name, String where) {
        if (!(parent.get(name) instanceof JsonObject object)) {
            throw invalid("Invalid JSON payload received. '" + where + name + "' must be an object.");
        }
        return object;
    }

    private static JsonArray arrayAt(JsonObject parent, String name, String where) {
        if (!(parent.get(name) instanceof JsonArray array)) {
            throw invalid("Invalid JSON payload received. '" + where + name + "' must be a list.");
        }
        return array;
    }

    private static void base64(JsonObject object, String field, String where) {
        String value = text(object, field);
        boolean valid = value != null && !value.isEmpty();
        if (valid) {
            try {
                if (value.indexOf('-') >= 0 || value.indexOf('_') >= 0) {
                    Base64.getUrlDecoder().decode(value);
                } else {
                    Base64.getDecoder().decode(value);
                }
            } catch (IllegalArgumentException e) {
                valid = false;
            }
        }
        if (!valid) {
            throw invalid("Invalid value at '" + where + field + "' (TYPE_BYTES), Base64 decoding failed for \""
                    + (value == null ? "" : value.length() > 20 ? value.substring(0, 20) + "…" : value) + "\"");
        }
    }

    /** Checks a {@code generateContent} body as Gemini does; {@link FakeVertex} checks its Gemini models' with it. */
    static void validateGenerate(JsonObject body) {
        unknown(body, GENERATE_FIELDS, "");
        Set<String> declared = validateTools(body);
        if (body.containsKey("systemInstruction")) {
            JsonObject system = objectAt(body, "systemInstruction", "");
            unknown(system, Set.of("parts", "role"), "system_instruction");
            JsonArray parts = arrayAt(system, "parts", "system_instruction.");
            if (parts.isEmpty()) {
                throw invalid("* GenerateContentRequest.system_instruction.parts: contents.parts must not be empty.");
            }
            for (JsonValue part : parts) {
                if (!(part instanceof JsonObject object) || !(object.get("text") instanceof JsonString)) {
                    throw invalid("* GenerateContentRequest.system_instruction.parts: only text parts are allowed"
                            + " in a system instruction");
                }
                unknown(object, Set.of("text"), "system_instruction.parts[0]");
            }
        }
        if (body.containsKey("safetySettings")) {
            for (JsonValue setting : arrayAt(body, "safetySettings", "")) {
                if (!(setting instanceof JsonObject object)) {
                    throw invalid("safety_settings entries must be objects");
                }
                unknown(object, Set.of("category", "threshold", "method"), "safety_settings[0]");
            }
        }
        JsonArray contents = body.get("contents") instanceof JsonArray array ? array : null;
        if (contents == null || contents.isEmpty()) {
            throw invalid("* GenerateContentRequest.contents: contents is not specified");
        }
        int previousCalls = -1;
        String previousRole = null;
        for (int i = 0; i < contents.size(); i++) {
            String where = "contents[" + i + "]";
            if (!(contents.get(i) instanceof JsonObject content)) {
                throw invalid("* GenerateContentRequest." + where + ": must be an object");
            }
            unknown(content, Set.of("role", "parts"), where);
            String role = content.containsKey("role") ? text(content, "role") : "user";
            if (!"user".equals(role) && !"model".equals(role)) {
                throw invalid("Please use a valid role: user, model.");
            }
            JsonArray parts = content.get("parts") instanceof JsonArray array ? array : null;
            if (parts == null || parts.isEmpty()) {
                throw invalid("* GenerateContentRequest." + where + ".parts: contents.parts must not be empty.");
            }
            int calls = 0;
            int responses = 0;
            for (int j = 0; j < parts.size(); j++) {
                String at = where + ".parts[" + j + "]";
                if (!(parts.get(j) instanceof JsonObject part)) {
                    throw invalid("* GenerateContentRequest." + at + ": must be an object");
                }
                unknown(part, PART_FIELDS, at);
                long data = part.keySet().stream().filter(PART_DATA::contains).count();
                if (data != 1) {
                    throw invalid("* GenerateContentRequest." + at + ".data: required oneof field 'data' must have"
                            + " one initialized field");
                }
                if (part.containsKey("text") && !(part.get("text") instanceof JsonString)) {
                    throw invalid("Invalid value at '" + at + ".text' (TYPE_STRING)");
                }
                if (part.containsKey("thought") && part.get("thought") != JsonValue.TRUE
                        && part.get("thought") != JsonValue.FALSE) {
                    throw invalid("Invalid value at '" + at + ".thought' (TYPE_BOOL)");
                }
                if (part.containsKey("thoughtSignature")) {
                    base64(part, "thoughtSignature", at + ".");
                }
                if (part.containsKey("inlineData")) {
                    JsonObject inline = objectAt(part, "inlineData", at + ".");
                    unknown(inline, Set.of("mimeType", "data", "displayName"), at + ".inline_data");
                    if (text(inline, "mimeType") == null || text(inline, "mimeType").isEmpty()) {
                        throw invalid("* GenerateContentRequest." + at + ".inline_data.mime_type: mime_type is"
                                + " required");
                    }
                    base64(inline, "data", at + ".inline_data.");
                }
                if (part.containsKey("fileData")) {
                    JsonObject file = objectAt(part, "fileData", at + ".");
                    unknown(file, Set.of("mimeType", "fileUri", "displayName"), at + ".file_data");
                    if (text(file, "fileUri") == null) {
                        throw invalid("* GenerateContentRequest." + at + ".file_data.file_uri: file_uri is required");
                    }
                }
                if (part.containsKey("functionCall")) {
                    if (!role.equals("model")) {
                        throw invalid("* GenerateContentRequest." + at + ".function_call: function calls are only"
                                + " allowed in model turns");
                    }
                    JsonObject call = objectAt(part, "functionCall", at + ".");
                    unknown(call, Set.of("id", "name", "args"), at + ".function_call");
                    String name = text(call, "name");
                    if (name == null || !declared.contains(name)) {
                        throw invalid("* GenerateContentRequest." + at + ".function_call.name: function " + name
                                + " is not declared in tools");
                    }
                    if (call.containsKey("args") && !(call.get("args") instanceof JsonObject)) {
                        throw invalid("Invalid value at '" + at + ".function_call.args' (type.googleapis.com/"
                                + "google.protobuf.Struct)");
                    }
                    calls++;
                }
                if (part.containsKey("functionResponse")) {
                    if (!role.equals("user")) {
                        throw invalid("* GenerateContentRequest." + at + ".function_response: function responses"
                                + " are only allowed in user turns");
                    }
                    JsonObject response = objectAt(part, "functionResponse", at + ".");
                    unknown(response, Set.of("id", "name", "response", "willContinue", "scheduling", "parts"),
                            at + ".function_response");
                    String name = text(response, "name");
                    if (name == null || !declared.contains(name)) {
                        throw invalid("* GenerateContentRequest." + at + ".function_response.name: function "
                                + name + " is not declared in tools");
                    }
                    if (!(response.get("response") instanceof JsonObject)) {
                        throw invalid("* GenerateContentRequest." + at + ".function_response.response: must be an"
                                + " object");
                    }
                    responses++;
                }
            }
            if (calls > 0 && !"user".equals(previousRole)) {
                throw invalid("Please ensure that function call turn comes immediately after a user turn or after a"
                        + " function response turn.");
            }
            if (responses > 0 && previousCalls <= 0) {
                throw invalid("Please ensure that function response turn comes immediately after a function call"
                        + " turn.");
            }
            if (previousCalls > 0 && responses != previousCalls) {
                throw invalid("Please ensure that the number of function response parts is equal to the number of"
                        + " function call parts of the function call turn.");
            }
            previousCalls = calls;
            previousRole = role;
        }
        if (body.containsKey("generationConfig")) {
            validateGenerationConfig(objectAt(body, "generationConfig", ""));
        }
    }

    private static Set<String> validateTools(JsonObject body) {
        Set<String> declared = new HashSet<>();
        if (body.containsKey("tools")) {
            JsonArray tools = arrayAt(body, "tools", "");
            for (int i = 0; i < tools.size(); i++) {
                if (!(tools.get(i) instanceof JsonObject tool)) {
                    throw invalid("tools[" + i + "] must be an object");
                }
                unknown(tool, Set.of("functionDeclarations", "googleSearch", "googleSearchRetrieval",
                        "codeExecution", "urlContext", "computerUse", "fileSearch", "googleMaps"), "tools[" + i + "]");
                if (!tool.containsKey("functionDeclarations")) {
                    continue;
                }
                JsonArray declarations = arrayAt(tool, "functionDeclarations", "tools[" + i + "].");
                for (int j = 0; j < declarations.size(); j++) {
                    String where = "tools[" + i + "].function_declarations[" + j + "]";
                    if (!(declarations.get(j) instanceof JsonObject declaration)) {
                        throw invalid("* GenerateContentRequest." + where + ": must be an object");
                    }
                    unknown(declaration, DECLARATION_FIELDS, where);
                    String name = text(declaration, "name");
                    if (name == null || !FUNCTION_NAME.matcher(name).matches()) {
                        throw invalid("* GenerateContentRequest." + where + ".name: Invalid function name. Must start"
                                + " with a letter or an underscore. Must be alphameric (a-z, A-Z, 0-9), underscores"
                                + " (_), dots (.), colons (:), or dashes (-), with a maximum length of 64.");
                    }
                    if (!declared.add(name)) {
                        throw invalid("* GenerateContentRequest." + where + ".name: Duplicate function declaration"
                                + " found: " + name);
                    }
                    if (declaration.containsKey("parameters") && declaration.containsKey("parametersJsonSchema")) {
                        throw invalid("* GenerateContentRequest." + where + ": parameters and"
                                + " parameters_json_schema cannot both be set");
                    }
                    if (declaration.containsKey("parameters")) {
                        JsonObject parameters = objectAt(declaration, "parameters", where + ".");
                        validateSchema(parameters, "GenerateContentRequest." + where + ".parameters");
                    }
                }
            }
        }
        if (body.containsKey("toolConfig")) {
            JsonObject config = objectAt(body, "toolConfig", "");
            unknown(config, Set.of("functionCallingConfig", "retrievalConfig"), "tool_config");
            if (config.containsKey("functionCallingConfig")) {
                JsonObject calling = objectAt(config, "functionCallingConfig", "tool_config.");
                unknown(calling, Set.of("mode", "allowedFunctionNames"), "tool_config.function_calling_config");
                String mode = calling.containsKey("mode") ? text(calling, "mode") : "AUTO";
                if (!Set.of("MODE_UNSPECIFIED", "AUTO", "ANY", "NONE", "VALIDATED").contains(mode)) {
                    throw invalid("Invalid value at 'tool_config.function_calling_config.mode'"
                            + " (type.googleapis.com/google.ai.generativelanguage.v1beta.FunctionCallingConfig.Mode),"
                            + " \"" + mode + "\"");
                }
                if (calling.containsKey("allowedFunctionNames")) {
                    if (!"ANY".equals(mode) && !"VALIDATED".equals(mode)) {
                        throw invalid("* GenerateContentRequest.tool_config.function_calling_config"
                                + ".allowed_function_names: allowed_function_names may only be set when mode is ANY"
                                + " or VALIDATED");
                    }
                    for (JsonValue name : arrayAt(calling, "allowedFunctionNames", "")) {
                        if (!(name instanceof JsonString string) || !declared.contains(string.getString())) {
                            throw invalid("* GenerateContentRequest.tool_config.function_calling_config"
                                    + ".allowed_function_names: function " + name + " is not declared");
                        }
                    }
                }
                if (("ANY".equals(mode) || "VALIDATED".equals(mode)) && declared.isEmpty()) {
                    throw invalid("* GenerateContentRequest.tool_config.function_calling_config.mode: function"
                            + " calling mode " + mode + " requires function declarations");
                }
            }
        }
        return declared;
    }

    private static void validateSchema(JsonObject schema, String where) {
        for (String field : FakeJson.unknownKeys(schema, SCHEMA_FIELDS)) {
            throw invalid("Invalid JSON payload received. Unknown name \"" + field + "\" at '" + where
                    + "': Cannot find field.");
        }
        String type = null;
        if (schema.containsKey("type")) {
            if (!(schema.get("type") instanceof JsonString string)
                    || !SCHEMA_TYPES.contains(string.getString().toUpperCase(Locale.ROOT))) {
                throw invalid("Invalid value at '" + where + ".type' (type.googleapis.com/"
                        + "google.ai.generativelanguage.v1beta.Type), " + schema.get("type"));
            }
            type = string.getString().toUpperCase(Locale.ROOT);
        }
        if (schema.containsKey("format") && "STRING".equals(type)) {
            String format = text(schema, "format");
            if (!"enum".equals(format) && !"date-time".equals(format)) {
                throw invalid("* " + where + ".format: only 'enum' and 'date-time' are supported for STRING type");
            }
        }
        if (schema.containsKey("enum")) {
            for (JsonValue value : arrayAt(schema, "enum", where + ".")) {
                if (!(value instanceof JsonString)) {
                    throw invalid("Invalid value at '" + where + ".enum' (TYPE_STRING), " + value);
                }
            }
        }
        JsonObject properties = schema.containsKey("properties") ? objectAt(schema, "properties", where + ".")
                : null;
        if ("OBJECT".equals(type) && (properties == null || properties.isEmpty())
                && where.endsWith(".parameters")) {
            throw invalid("* " + where + ".properties: should be non-empty for OBJECT type");
        }
        if (properties != null) {
            for (Map.Entry<String, JsonValue> property : properties.entrySet()) {
                if (!(property.getValue() instanceof JsonObject child)) {
                    throw invalid("* " + where + ".properties[" + property.getKey() + "]: must be a schema object");
                }
                validateSchema(child, where + ".properties[" + property.getKey() + "].value");
            }
        }
        if (schema.containsKey("required")) {
            for (JsonValue name : arrayAt(schema, "required", where + ".")) {
                if (!(name instanceof JsonString string) || properties == null
                        || !properties.containsKey(string.getString())) {
                    throw invalid("* " + where + ".required: property " + name + " is not defined");
                }
            }
        }
        if (schema.containsKey("items")) {
            validateSchema(objectAt(schema, "items", where + "."), where + ".items");
        }
        if (schema.containsKey("anyOf")) {
            for (JsonValue variant : arrayAt(schema, "anyOf", where + ".")) {
                if (!(variant instanceof JsonObject object)) {
                    throw invalid("* " + where + ".any_of: must hold schema objects");
                }
                validateSchema(object, where + ".any_of");
            }
        }
    }

    private static void validateGenerationConfig(JsonObject config) {
        unknown(config, GENERATION_FIELDS, "generation_config");
        checkRange(config, "temperature", 0, 2);
        checkRange(config, "topP", 0, 1);
        if (config.containsKey("topK") && !FakeJson.isInteger(config.get("topK"), 1)) {
            throw invalid("* GenerateContentRequest.generation_config.top_k: must be a positive integer");
        }
        if (config.containsKey("candidateCount") && !(FakeJson.isInteger(config.get("candidateCount"), 1)
                && config.getJsonNumber("candidateCount").intValue() <= 8)) {
            throw invalid("* GenerateContentRequest.generation_config.candidate_count: must be between 1 and 8");
        }
        if (config.containsKey("maxOutputTokens") && !FakeJson.isInteger(config.get("maxOutputTokens"), 1)) {
            throw invalid("* GenerateContentRequest.generation_config.max_output_tokens: must be positive");
        }
        if (config.containsKey("seed") && !(config.get("seed") instanceof JsonNumber seed && seed.isIntegral())) {
            throw invalid("Invalid value at 'generation_config.seed' (TYPE_INT32)");
        }
        checkRange(config, "presencePenalty", -2, 2);
        checkRange(config, "frequencyPenalty", -2, 2);
        if (config.containsKey("stopSequences")) {
            JsonArray stops = arrayAt(config, "stopSequences", "generation_config.");
            if (stops.size() > 5) {
                throw invalid("* GenerateContentRequest.generation_config.stop_sequences: at most 5 stop sequences"
                        + " are allowed");
            }
            for (JsonValue stop : stops) {
                if (!(stop instanceof JsonString)) {
                    throw invalid("Invalid value at 'generation_config.stop_sequences' (TYPE_STRING), " + stop);
                }
            }
        }
        String mime = text(config, "responseMimeType");
        if (mime != null && !Set.of("text/plain", "application/json", "text/x.enum").contains(mime)) {
            throw invalid("* GenerateContentRequest.generation_config.response_mime_type: allowed mimetypes are"
                    + " `text/plain`, `application/json`, `text/x.enum`.");
        }
        if (config.containsKey("responseSchema")) {
            if (!"application/json".equals(mime) && !"text/x.enum".equals(mime)) {
                throw invalid("* GenerateContentRequest.generation_config.response_schema: response_mime_type must"
                        + " be application/json or text/x.enum when response_schema is set");
            }
            validateSchema(objectAt(config, "responseSchema", "generation_config."),
                    "GenerateContentRequest.generation_config.response_schema");
        }
        if (config.containsKey("responseSchema") && config.containsKey("responseJsonSchema")) {
            throw invalid("* GenerateContentRequest.generation_config: response_schema and response_json_schema"
                    + " cannot both be set");
        }
        if (config.containsKey("responseModalities")) {
            for (JsonValue modality : arrayAt(config, "responseModalities", "generation_config.")) {
                if (!(modality instanceof JsonString string)
                        || !Set.of("TEXT", "IMAGE", "AUDIO").contains(string.getString())) {
                    throw invalid("Invalid value at 'generation_config.response_modalities[0]'"
                            + " (type.googleapis.com/google.ai.generativelanguage.v1beta.GenerationConfig.Modality),"
                            + " " + modality);
                }
            }
        }
        if (config.containsKey("imageConfig")) {
            JsonObject image = objectAt(config, "imageConfig", "generation_config.");
            unknown(image, Set.of("aspectRatio", "imageSize"), "generation_config.image_config");
            String ratio = text(image, "aspectRatio");
            if (image.containsKey("aspectRatio") && !ASPECT_RATIOS.contains(ratio)) {
                throw invalid("* GenerateContentRequest.generation_config.image_config.aspect_ratio: unsupported"
                        + " aspect ratio " + image.get("aspectRatio"));
            }
        }
        if (config.containsKey("thinkingConfig")) {
            unknown(objectAt(config, "thinkingConfig", "generation_config."),
                    Set.of("thinkingBudget", "includeThoughts", "thinkingLevel"), "generation_config.thinking_config");
        }
    }

    private static void checkRange(JsonObject config, String field, double min, double max) {
        if (config.containsKey(field) && !FakeJson.inRange(config.get(field), min, max)) {
            throw invalid("* GenerateContentRequest.generation_config." + field + ": must be between " + min
                    + " and " + max + ", was " + config.get(field));
        }
    }

    private static void validateEmbed(JsonObject body, String model, String request, boolean inBatch) {
        unknown(body, EMBED_FIELDS, inBatch ? "requests[0]" : "");
        if (inBatch) {
            String named = text(body, "model");
            if (named == null) {
                throw invalid("* BatchEmbedContentsRequest.requests[0].model: model is required");
            }
            if (!named.equals("models/" + model)) {
                throw invalid("* BatchEmbedContentsRequest.requests[0].model: the model " + named
                        + " does not match the model of the request, models/" + model);
            }
        }
        if (!(body.get("content") instanceof JsonObject content)) {
            throw invalid("* " + request + ".content: content is not specified");
        }
        unknown(content, Set.of("parts", "role"), "content");
        JsonArray parts = content.get("parts") instanceof JsonArray array ? array : null;
        if (parts == null || parts.isEmpty()) {
            throw invalid("* " + request + ".content.parts: contents.parts must not be empty.");
        }
        for (JsonValue part : parts) {
            if (!(part instanceof JsonObject object) || !(object.get("text") instanceof JsonString)
                    || object.size() != 1) {
                throw invalid("* " + request + ".content.parts: only text parts can be embedded");
            }
        }
        String task = text(body, "taskType");
        if (body.containsKey("taskType") && !TASK_TYPES.contains(task)) {
            throw invalid("Invalid value at 'task_type' (type.googleapis.com/google.ai.generativelanguage.v1beta"
                    + ".TaskType), " + body.get("taskType"));
        }
        if (body.containsKey("title") && !"RETRIEVAL_DOCUMENT".equals(task)) {
            throw invalid("* " + request + ".title: title is only applicable when task_type is RETRIEVAL_DOCUMENT");
        }
        if (body.containsKey("outputDimensionality") && !(FakeJson.isInteger(body.get("outputDimensionality"), 1)
                && body.getJsonNumber("outputDimensionality").intValue() <= 3072)) {
            throw invalid("* " + request + ".output_dimensionality: must be between 1 and 3072");
        }
    }

    private static JsonArray validateBatch(JsonObject body, String model) {
        unknown(body, Set.of("requests"), "");
        JsonArray requests = body.get("requests") instanceof JsonArray array ? array : null;
        if (requests == null || requests.isEmpty()) {
            throw invalid("* BatchEmbedContentsRequest.requests: requests is not specified");
        }
        if (requests.size() > 100) {
            throw invalid("* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch");
        }
        for (JsonValue value : requests) {
            if (!(value instanceof JsonObject request)) {
                throw invalid("* BatchEmbedContentsRequest.requests: each request must be an object");
            }
            validateEmbed(request, model, "BatchEmbedContentsRequest.requests", true);
        }
        return requests;
    }

    // ------------------------------------------------------------------ default answers

    private static JsonObject embedding(JsonObject request) {
        String content = FakeJson.allText(request.getJsonObject("content").get("parts"));
        int dimensions = request.get("outputDimensionality") instanceof JsonNumber number ? number.intValue()
                : EMBEDDING_DIMENSIONS;
        return object().add("values", FakeJson.vector(content, dimensions)).build();
    }

    private static boolean wantsImages(JsonObject body) {
        return modalities(body).contains("IMAGE");
    }

    private static String modalities(JsonObject body) {
        JsonArray modalities = arrayField(objectField(body, "generationConfig"), "responseModalities");
        if (modalities == null) {
            return "TEXT";
        }
        return String.join(", ", modalities.stream().map(v -> ((JsonString) v).getString()).toList());
    }

    /** Words of every text in the system instruction and the contents, at least 1. */
    static long promptTokens(JsonObject body) {
        long words = 0;
        JsonObject system = objectField(body, "systemInstruction");
        if (system != null) {
            words += FakeJson.words(FakeJson.allText(system.get("parts")));
        }
        JsonArray contents = arrayField(body, "contents");
        if (contents != null) {
            for (JsonValue content : contents) {
                JsonArray parts = arrayField(content.asJsonObject(), "parts");
                if (parts == null) {
                    continue;
                }
                for (JsonValue part : parts) {
                    JsonObject object = part.asJsonObject();
                    if (object.get("text") instanceof JsonString string) {
                        words += FakeJson.words(string.getString());
                    } else if (object.get("functionResponse") instanceof JsonObject response) {
                        words += FakeJson.words(FakeJson.allText(response.getOrDefault("response", JsonValue.NULL)));
                    }
                }
            }
        }
        return Math.max(1, words);
    }

    /** The default answer to a valid {@code generateContent} body; {@link FakeVertex} answers with it too. */
    static JsonObject answer(JsonObject body, String model, Set<Capability> capabilities,
                             java.util.concurrent.atomic.AtomicLong ids) {
        String responseId = "fake-" + ids.incrementAndGet();
        long prompt = promptTokens(body);
        String promptText = FakeJson.allText(body.get("contents"));
        if (promptText.contains(BLOCK_TRIGGER)) {
            return object().add("promptFeedback", object().add("blockReason", "SAFETY")
                            .add("safetyRatings", array().add(rating(true))))
                    .add("usageMetadata", object().add("promptTokenCount", prompt).add("totalTokenCount", prompt))
                    .add("modelVersion", model).add("responseId", responseId).build();
        }
        JsonObject config = objectField(body, "generationConfig");
        int count = config != null && config.get("candidateCount") instanceof JsonNumber n ? n.intValue() : 1;
        List<JsonObject> candidates = new ArrayList<>();
        long output = 0;
        for (int i = 0; i < count; i++) {
            if (promptText.contains(SAFETY_TRIGGER)) {
                candidates.add(object(candidate(i, List.of(), "SAFETY"))
                        .add("safetyRatings", array().add(rating(true))).build());
                continue;
            }
            JsonObject call = forcedCall(body);
            if (call != null) {
                candidates.add(candidate(i, List.of(call), "STOP"));
                output += 10;
                continue;
            }
            String reply = replyText(body);
            String finish = "STOP";
            JsonArray stops = arrayField(config, "stopSequences");
            if (stops != null) {
                for (JsonValue stop : stops) {
                    int at = reply.indexOf(((JsonString) stop).getString());
                    if (at >= 0) {
                        reply = reply.substring(0, at).stripTrailing();
                    }
                }
            }
            long max = config != null && config.get("maxOutputTokens") instanceof JsonNumber m ? m.longValue()
                    : Long.MAX_VALUE;
            if (FakeJson.words(reply) > max) {
                reply = FakeJson.firstWords(reply, (int) max);
                finish = "MAX_TOKENS";
            }
            List<JsonObject> parts = new ArrayList<>();
            if (wantsImages(body) && capabilities.contains(Capability.IMAGE_OUTPUT)) {
                parts.add(textPart("Here is the image you asked for."));
                parts.add(inlineDataPart("image/png", IMAGE_BASE64));
                output += 7 + IMAGE_TOKENS;
            } else if (!reply.isEmpty()) {
                parts.add(textPart(reply));
                output += FakeJson.words(reply);
            }
            candidates.add(candidate(i, parts, finish));
        }
        return response(model, responseId, candidates, usageMetadata(prompt, output, 0, 0));
    }

    private static JsonObject rating(boolean blocked) {
        JsonObjectBuilder rating = object().add("category", "HARM_CATEGORY_DANGEROUS_CONTENT")
                .add("probability", blocked ? "HIGH" : "NEGLIGIBLE");
        if (blocked) {
            rating.add("blocked", true);
        }
        return rating.build();
    }

    /** The function call a request forces ({@code mode: ANY}), or {@code null}. */
    private static JsonObject forcedCall(JsonObject body) {
        JsonObject calling = objectField(objectField(body, "toolConfig"), "functionCallingConfig");
        if (calling == null || !"ANY".equals(text(calling, "mode"))) {
            return null;
        }
        JsonArray allowed = arrayField(calling, "allowedFunctionNames");
        String wanted = allowed == null || allowed.isEmpty() ? null : allowed.getString(0);
        for (JsonValue tool : body.getJsonArray("tools")) {
            JsonArray declarations = arrayField(tool.asJsonObject(), "functionDeclarations");
            if (declarations == null) {
                continue;
            }
            for (JsonValue value : declarations) {
                JsonObject declaration = value.asJsonObject();
                if (wanted == null || wanted.equals(text(declaration, "name"))) {
                    JsonValue args = FakeJson.sample(objectField(declaration, "parameters"));
                    return functionCallPart(text(declaration, "name"), args.asJsonObject());
                }
            }
        }
        return null;
    }

    private static String replyText(JsonObject body) {
        JsonArray contents = body.getJsonArray("contents");
        JsonObject last = null;
        for (JsonValue value : contents) {
            String role = text(value.asJsonObject(), "role");
            if (role == null || role.equals("user")) {
                last = value.asJsonObject();
            }
        }
        StringBuilder said = new StringBuilder();
        String toolSaid = null;
        if (last != null) {
            for (JsonValue value : last.getJsonArray("parts")) {
                JsonObject part = value.asJsonObject();
                if (part.get("text") instanceof JsonString string) {
                    said.append(said.isEmpty() ? "" : " ").append(string.getString());
                } else if (part.get("functionResponse") instanceof JsonObject response && toolSaid == null) {
                    toolSaid = FakeJson.allText(response.getOrDefault("response", JsonValue.NULL));
                }
            }
        }
        if (toolSaid != null) {
            return "Thanks, the tool said: " + toolSaid;
        }
        return "Hello! You said: " + said;
    }
}
