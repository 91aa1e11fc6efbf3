package io.gateway.testkit.fakes;

import static io.gateway.testkit.fakes.FakeJson.array;
import static io.gateway.testkit.fakes.FakeJson.object;
import static io.gateway.testkit.fakes.FakeJson.text;

import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.testkit.fakes.FakeJson.Rejection;
import io.gateway.testkit.http.FakeUpstream;
import io.gateway.testkit.http.RecordedRequest;
import io.gateway.testkit.http.Reply;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fake of Google Vertex AI on a free loopback port, with its own OAuth token endpoint, built on a
 * {@link FakeUpstream}. It checks the signed JWT a service account exchanges for an access token, the
 * access token of every call, and each call's body the way Vertex AI and the model behind it do.
 *
 * <pre>{@code
 * try (FakeVertex vertex = FakeVertex.start()) {
 *     // provider config: type vertex, base-url vertex.baseUrl(), project FakeVertex.PROJECT,
 *     // credentials-json vertex.apiKey() (a service account whose token_uri is vertex.tokenUri())
 *     ...
 *     assertEquals(1, vertex.tokensIssued());
 * }
 * }</pre>
 *
 * <p><b>Credentials.</b> {@link #serviceAccount(String)} makes a service account: an RSA key pair generated
 * now, whose public key the fake keeps, and the key file Google would hand out ({@code type},
 * {@code project_id}, {@code private_key_id}, {@code private_key} as PKCS#8 PEM, {@code client_email},
 * {@code token_uri} pointing at this fake). The fake starts with one, whose file is {@link #apiKey()}.
 * {@code POST /token} takes {@code grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer} with the
 * {@code assertion}: a JWT whose header is {@code RS256} with the key's {@code kid}, whose claims name the
 * service account as {@code iss}, Google's token URI (or this endpoint) as {@code aud} and the
 * {@code cloud-platform} scope, issued
 * no later than now (a minute of skew allowed) and expiring after now but at most an hour after issue, and
 * whose signature verifies with that key — else 400 {@code invalid_grant} as Google answers. It answers
 * {@code {"access_token","expires_in","token_type":"Bearer"}} with a new token each time, valid for
 * {@link #tokenLifetime(Duration)} (default 3599 s) on the fake's clock.
 *
 * <p><b>Routes</b> (under {@code /v1/} and {@code /v1beta1/}):
 * {@code POST projects/{project}/locations/{location}/publishers/google/models/{model}:{method}} with
 * {@code generateContent}, {@code streamGenerateContent} (server-sent events with {@code ?alt=sse}),
 * {@code countTokens} and, for embedding models, {@code predict}; and
 * {@code …/publishers/anthropic/models/{model}:rawPredict} / {@code :streamRawPredict}.
 *
 * <p><b>Checks, in order:</b> a known route (else 404); {@code Authorization: Bearer} with a token this
 * fake issued and that has not expired or been revoked (else 401 {@code UNAUTHENTICATED}); the fake's
 * project (else 403 {@code PERMISSION_DENIED}); a known location (else 400); a model of that publisher
 * that offers the method (else 404 {@code NOT_FOUND}); a JSON object body. Gemini bodies are checked as
 * {@link FakeGemini} checks them; {@code predict} bodies take {@code instances} ({@code content}, optional
 * {@code task_type} and {@code title}) and {@code parameters} ({@code autoTruncate},
 * {@code outputDimensionality}), at most 250 instances and only one for {@code gemini-embedding-*}; Claude
 * bodies must carry {@code anthropic_version: vertex-2023-10-16} and no {@code model} (the path names it),
 * {@code stream: true} exactly on {@code streamRawPredict}, and are otherwise checked as
 * {@link FakeAnthropic} checks them, answering Anthropic's errors. Google's errors are
 * {@code {"error":{"code","message","status"}}}.
 *
 * <p><b>Answers.</b> A call that passes gets the next reply queued with {@link #answerNext}, else the
 * answers of {@link FakeGemini} and {@link FakeAnthropic} to the same body; {@code predict} answers
 * {@code predictions[].embeddings.values} ({@link FakeGemini#EMBEDDING_DIMENSIONS} values, or
 * {@code outputDimensionality}) with {@code statistics.token_count} (the content's words).
 */
public final class FakeVertex extends ProviderFake<FakeVertex> {

    /** The project the fake serves. */
    public static final String PROJECT = "fake-project";

    /** The locations the fake serves. */
    public static final Set<String> LOCATIONS = Set.of("global", "us-central1", "us-east5", "europe-west1",
            "europe-west4", "asia-southeast1");

    /** The {@code anthropic_version} Claude on Vertex AI takes. */
    public static final String ANTHROPIC_VERSION = "vertex-2023-10-16";

    /** The OAuth scope a token must have been asked for. */
    public static final String SCOPE = "https://www.googleapis.com/auth/cloud-platform";

    private static final String JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    /** The audience Google documents for service-account assertions, whatever the token URI. */
    private static final String GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token";
    private static final Pattern ROUTE = Pattern.compile("/(v1|v1beta1)/projects/([^/]+)/locations/([^/]+)"
            + "/publishers/([^/]+)/models/([^/:]+):([A-Za-z]+)");
    private static final Set<String> GOOGLE_METHODS = Set.of("generateContent", "streamGenerateContent",
            "countTokens", "predict");
    private static final Set<String> TASK_TYPES = Set.of("RETRIEVAL_QUERY", "RETRIEVAL_DOCUMENT",
            "SEMANTIC_SIMILARITY", "CLASSIFICATION", "CLUSTERING", "QUESTION_ANSWERING", "FACT_VERIFICATION",
            "CODE_RETRIEVAL_QUERY");
    private static final int MAX_INSTANCES = 250;

    /** A service account the fake knows: its file and its public key. */
    private record Account(String email, String keyId, PublicKey publicKey) {
    }

    /** A token the fake issued. */
    private record Issued(String email, Instant expiresAt) {
    }

    /**
     * A service account made by {@link #serviceAccount(String)}.
     *
     * @param email the account's {@code client_email}
     * @param keyId the key's {@code private_key_id}
     * @param json  the key file, as Google hands it out
     */
    public record ServiceAccount(String email, String keyId, String json) {
        @Override
        public String toString() {
            return "ServiceAccount[" + email + " " + keyId + "]"; // never the private key
        }
    }

    private final String project;
    private final Map<String, Account> accounts = new ConcurrentHashMap<>();
    private final Map<String, Issued> tokens = new ConcurrentHashMap<>();
    private final Map<String, Set<FakeGemini.Capability>> googleModels = new LinkedHashMap<>();
    private final Set<String> claudeModels = ConcurrentHashMap.newKeySet();
    private final AtomicInteger tokenRequests = new AtomicInteger();
    private volatile Duration tokenLifetime = Duration.ofSeconds(3599);
    private volatile boolean claudeFirst;
    private volatile java.time.Clock clock = java.time.Clock.systemUTC();
    private final ServiceAccount defaultAccount;

    private FakeVertex(String project) {
        super("unused");
        this.project = project;
        googleModels.put("gemini-2.5-flash", EnumSet.of(FakeGemini.Capability.GENERATE));
        googleModels.put("gemini-2.5-pro", EnumSet.of(FakeGemini.Capability.GENERATE));
        googleModels.put("gemini-2.5-flash-image", EnumSet.of(FakeGemini.Capability.GENERATE,
                FakeGemini.Capability.IMAGE_OUTPUT));
        googleModels.put("text-embedding-005", EnumSet.of(FakeGemini.Capability.EMBED));
        googleModels.put("gemini-embedding-001", EnumSet.of(FakeGemini.Capability.EMBED));
        claudeModels.addAll(List.of("claude-sonnet-4-5@20250929", "claude-haiku-4-5@20251001",
                "claude-opus-4-1@20250805"));
        serve();
        this.defaultAccount = serviceAccount("gateway-test");
    }

    /**
     * Starts the fake on {@code 127.0.0.1} and a free port, serving {@link #PROJECT} with one service
     * account, the Gemini models {@code gemini-2.5-flash}, {@code gemini-2.5-pro},
     * {@code gemini-2.5-flash-image} (image output), the embedding models {@code text-embedding-005} and
     * {@code gemini-embedding-001}, and the Claude models {@code claude-sonnet-4-5@20250929},
     * {@code claude-haiku-4-5@20251001} and {@code claude-opus-4-1@20250805}.
     *
     * @return the running fake; close it to release the port
     */
    public static FakeVertex start() {
        return new FakeVertex(PROJECT);
    }

    /**
     * The key file of the fake's first service account: what a provider's {@code credentials-json} (or a
     * key's {@code value}) holds.
     *
     * @return the JSON text
     */
    @Override
    public String apiKey() {
        return defaultAccount.json();
    }

    /**
     * The fake's first service account.
     *
     * @return the account
     */
    public ServiceAccount defaultServiceAccount() {
        return defaultAccount;
    }

    /**
     * The token endpoint every service account of this fake names as {@code token_uri}.
     *
     * @return e.g. {@code http://127.0.0.1:54321/token}
     */
    public String tokenUri() {
        return baseUrl() + "/token";
    }

    /**
     * Makes a service account: a new 2048-bit RSA key pair, the public half kept by the fake.
     *
     * @param name the account's name, e.g. {@code gateway}; its email is {@code name@PROJECT.iam.gserviceaccount.com}
     * @return the account and its key file
     */
    public ServiceAccount serviceAccount(String name) {
        KeyPair pair;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            pair = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot generate RSA keys", e);
        }
        String email = Objects.requireNonNull(name, "name") + "@" + project + ".iam.gserviceaccount.com";
        String keyId = Long.toHexString(Double.doubleToLongBits(Math.random())) + accounts.size();
        accounts.put(email, new Account(email, keyId, pair.getPublic()));
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        String json = object().add("type", "service_account").add("project_id", project)
                .add("private_key_id", keyId).add("private_key", pem).add("client_email", email)
                .add("client_id", "1000" + accounts.size()).add("auth_uri", baseUrl() + "/auth")
                .add("token_uri", tokenUri()).build().toString();
        return new ServiceAccount(email, keyId, json);
    }

    /**
     * How long the tokens issued from now on are valid.
     *
     * @param lifetime the lifetime, as {@code expires_in}
     * @return this fake
     */
    public FakeVertex tokenLifetime(Duration lifetime) {
        this.tokenLifetime = Objects.requireNonNull(lifetime, "lifetime");
        return this;
    }

    /**
     * The clock tokens expire on (the system's by default).
     *
     * @param newClock the clock
     * @return this fake
     */
    public FakeVertex clock(java.time.Clock newClock) {
        this.clock = Objects.requireNonNull(newClock, "newClock");
        return this;
    }

    /**
     * How many token requests arrived, accepted or not.
     *
     * @return the count
     */
    public int tokenRequests() {
        return tokenRequests.get();
    }

    /**
     * How many access tokens the fake issued.
     *
     * @return the count
     */
    public int tokensIssued() {
        return tokens.size();
    }

    /**
     * Revokes every token issued so far: calls with them answer 401 from now on.
     *
     * @return this fake
     */
    public FakeVertex revokeTokens() {
        tokens.clear();
        return this;
    }

    /**
     * Makes {@link #modelFor} name a Claude model for chat and Responses, and {@link #errorReply} answer
     * Anthropic's errors, so that {@code ProviderConformance} checks the Claude path.
     *
     * @return this fake
     */
    public FakeVertex claudeForChat() {
        this.claudeFirst = true;
        return this;
    }

    /**
     * Adds (or redefines) a Google model.
     *
     * @param id           the model id, e.g. {@code gemini-3-pro-preview}
     * @param capabilities what it can do ({@link FakeGemini.Capability#EMBED} serves {@code predict});
     *                     {@link FakeGemini.Capability#IMAGE_OUTPUT} implies {@link FakeGemini.Capability#GENERATE}
     * @return this fake
     */
    public FakeVertex addModel(String id, FakeGemini.Capability... capabilities) {
        EnumSet<FakeGemini.Capability> set = EnumSet.noneOf(FakeGemini.Capability.class);
        set.addAll(List.of(capabilities));
        if (set.contains(FakeGemini.Capability.IMAGE_OUTPUT)) {
            set.add(FakeGemini.Capability.GENERATE);
        }
        synchronized (googleModels) {
            googleModels.put(Objects.requireNonNull(id, "id"), set);
        }
        return this;
    }

    /**
     * Adds a Claude model, e.g. {@code claude-3-7-sonnet@20250219}.
     *
     * @param id the model id as Vertex names it
     * @return this fake
     */
    public FakeVertex addClaudeModel(String id) {
        claudeModels.add(Objects.requireNonNull(id, "id"));
        return this;
    }

    /**
     * The calls received for one model method, accepted or not.
     *
     * @param method e.g. {@code generateContent}, {@code rawPredict}, {@code predict}
     * @return the requests in arrival order
     */
    public List<RecordedRequest> requests(String method) {
        return upstream.requests().stream().filter(r -> r.method().equals("POST")
                && URLDecoder.decode(r.path(), StandardCharsets.UTF_8).endsWith(":" + method)).toList();
    }

    /**
     * The body of the latest call of one method.
     *
     * @param method e.g. {@code rawPredict}
     * @return the JSON body
     * @throws IllegalStateException if there was none
     */
    public JsonObject lastBody(String method) {
        List<RecordedRequest> requests = requests(method);
        if (requests.isEmpty()) {
            throw new IllegalStateException("the fake Vertex AI received no :" + method + " call");
        }
        return requests.get(requests.size() - 1).bodyJson();
    }

    @Override
    public String toString() {
        return "FakeVertex[" + baseUrl() + " " + project + "]";
    }

    /**
     * Google's error for a status ({@link FakeGemini#errorReply}), or Anthropic's after
     * {@link #claudeForChat()}.
     *
     * @param status  the HTTP status
     * @param message the message
     * @return the reply
     */
    @Override
    public Reply errorReply(int status, String message) {
        if (claudeFirst) {
            return FakeAnthropic.error(status, status == 429 ? "rate_limit_error" : status >= 500
                    ? (status == 529 ? "overloaded_error" : "api_error") : status == 401 ? "authentication_error"
                    : "invalid_request_error", message);
        }
        String canonical = switch (status) {
            case 400 -> "INVALID_ARGUMENT";
            case 401 -> "UNAUTHENTICATED";
            case 403 -> "PERMISSION_DENIED";
            case 404 -> "NOT_FOUND";
            case 429 -> "RESOURCE_EXHAUSTED";
            case 500 -> "INTERNAL";
            case 503 -> "UNAVAILABLE";
            case 504 -> "DEADLINE_EXCEEDED";
            default -> "UNKNOWN";
        };
        return FakeGemini.error(status, canonical, message);
    }

    /**
     * {@code gemini-2.5-flash} (or, after {@link #claudeForChat()}, {@code claude-sonnet-4-5@20250929}) for
     * chat and Responses, {@code text-embedding-005} for embeddings, {@code gemini-2.5-flash-image} for
     * images, {@code gemini-2.5-flash} for the model list; none for the others.
     *
     * @param operation the operation
     * @return the model
     */
    @Override
    public Optional<String> modelFor(Operation operation) {
        return switch (operation) {
            case CHAT_COMPLETION, RESPONSES -> Optional.of(claudeFirst ? "claude-sonnet-4-5@20250929"
                    : "gemini-2.5-flash");
            case EMBEDDING -> Optional.of("text-embedding-005");
            case IMAGE_GENERATION -> Optional.of("gemini-2.5-flash-image");
            case LIST_MODELS -> Optional.of("gemini-2.5-flash");
            default -> Optional.empty();
        };
    }

    // ------------------------------------------------------------------ handling

    @Override
    protected Reply handle(RecordedRequest request) {
        String path = URLDecoder.decode(request.path(), StandardCharsets.UTF_8);
        if (path.equals("/token")) {
            return token(request);
        }
        Matcher route = ROUTE.matcher(path);
        if (!route.matches() || !request.method().equals("POST")) {
            return FakeGemini.error(404, "NOT_FOUND", "The requested URL " + path + " was not found on this server.");
        }
        try {
            authenticate(request);
            String resource = "projects/" + route.group(2) + "/locations/" + route.group(3) + "/publishers/"
                    + route.group(4) + "/models/" + route.group(5);
            if (!route.group(2).equals(project)) {
                throw new Rejection(403, "PERMISSION_DENIED", "Permission 'aiplatform.endpoints.predict' denied on"
                        + " resource '//aiplatform.googleapis.com/" + resource + "' (or it may not exist).");
            }
            if (!LOCATIONS.contains(route.group(3))) {
                throw new Rejection(400, "INVALID_ARGUMENT", "Unsupported region for Vertex AI, select from "
                        + new java.util.TreeSet<>(LOCATIONS));
            }
            return switch (route.group(4)) {
                case "google" -> google(request, route.group(5), route.group(6), resource);
                case "anthropic" -> anthropic(request, route.group(5), route.group(6), resource);
                default -> throw new Rejection(404, "NOT_FOUND", "Publisher Model `" + resource + "` not found.");
            };
        } catch (Rejection rejection) {
            return FakeGemini.error(rejection.status(), rejection.kind(), rejection.getMessage());
        }
    }

    private void authenticate(RecordedRequest request) {
        String authorization = request.header("authorization");
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            throw new Rejection(401, "UNAUTHENTICATED", "Request is missing required authentication credential."
                    + " Expected OAuth 2 access token, login cookie or other valid authentication credential.");
        }
        Issued issued = tokens.get(authorization.substring("Bearer ".length()));
        if (issued == null || !clock.instant().isBefore(issued.expiresAt())) {
            throw new Rejection(401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected"
                    + " OAuth 2 access token, login cookie or other valid authentication credential.");
        }
    }

    private static JsonObject body(RecordedRequest request) {
        if (!FakeJson.jsonContentType(request)) {
            throw new Rejection(400, "INVALID_ARGUMENT", "Invalid JSON payload received. Unexpected content type: "
                    + request.header("content-type"));
        }
        JsonObject body = FakeJson.parseOrNull(request);
        if (body == null) {
            throw new Rejection(400, "INVALID_ARGUMENT", "Invalid JSON payload received. Expected a JSON object.");
        }
        return body;
    }

    // ------------------------------------------------------------------ Gemini models

    private Reply google(RecordedRequest request, String model, String method, String resource) {
        Set<FakeGemini.Capability> capabilities;
        synchronized (googleModels) {
            capabilities = googleModels.get(model);
        }
        boolean served = capabilities != null && GOOGLE_METHODS.contains(method) && capabilities.contains(
                method.equals("predict") ? FakeGemini.Capability.EMBED : FakeGemini.Capability.GENERATE);
        if (!served) {
            throw new Rejection(404, "NOT_FOUND", "Publisher Model `" + resource + "` was not found or your project"
                    + " does not have access to it" + (capabilities == null ? "" : " for " + method) + ".");
        }
        JsonObject body = body(request);
        if (method.equals("predict")) {
            JsonArray instances = validatePredict(body, model);
            return scriptedOr(request, () -> predictions(body, instances));
        }
        if (method.equals("countTokens")) {
            FakeGemini.validateGenerate(body);
            return scriptedOr(request, () -> Reply.json(200, object().add("totalTokens",
                    FakeGemini.promptTokens(body)).build()));
        }
        FakeGemini.validateGenerate(body);
        if (body.get("generationConfig") instanceof JsonObject config
                && config.get("responseModalities") instanceof JsonArray modalities
                && modalities.contains(FakeJson.JSON.createValue("IMAGE"))
                && !capabilities.contains(FakeGemini.Capability.IMAGE_OUTPUT)) {
            throw new Rejection(400, "INVALID_ARGUMENT", "Model " + model + " does not support the requested"
                    + " response modalities: IMAGE");
        }
        boolean stream = method.equals("streamGenerateContent");
        return scriptedOr(request, () -> {
            JsonObject answer = FakeGemini.answer(body, model, capabilities, ids);
            if (!stream) {
                return Reply.json(200, answer);
            }
            List<JsonObject> chunks = FakeGemini.streamChunks(answer);
            return "sse".equals(request.queryParameter("alt")) ? FakeGemini.sse(chunks)
                    : Reply.json(200, FakeJson.arrayOf(chunks));
        });
    }

    private static JsonArray validatePredict(JsonObject body, String model) {
        for (String field : FakeJson.unknownKeys(body, Set.of("instances", "parameters"))) {
            throw invalid("Invalid JSON payload received. Unknown name \"" + field + "\": Cannot find field.");
        }
        if (!(body.get("instances") instanceof JsonArray instances) || instances.isEmpty()) {
            throw invalid("instances must be a non-empty list");
        }
        int limit = model.startsWith("gemini-embedding") ? 1 : MAX_INSTANCES;
        if (instances.size() > limit) {
            throw invalid("The model " + model + " takes at most " + limit + " instance" + (limit == 1 ? "" : "s")
                    + " per request, got " + instances.size() + ".");
        }
        for (JsonValue value : instances) {
            if (!(value instanceof JsonObject instance)) {
                throw invalid("each instance must be an object");
            }
            for (String field : FakeJson.unknownKeys(instance, Set.of("content", "task_type", "title"))) {
                throw invalid("Invalid JSON payload received. Unknown name \"" + field + "\" at 'instances[0]'.");
            }
            if (!(instance.get("content") instanceof JsonString content) || content.getString().isBlank()) {
                throw invalid("instances[].content must be a non-empty string");
            }
            String task = text(instance, "task_type");
            if (instance.containsKey("task_type") && !TASK_TYPES.contains(task)) {
                throw invalid("Invalid task_type " + instance.get("task_type"));
            }
            if (instance.containsKey("title") && !"RETRIEVAL_DOCUMENT".equals(task)) {
                throw invalid("title is only supported with task_type RETRIEVAL_DOCUMENT");
            }
        }
        if (body.containsKey("parameters")) {
            if (!(body.get("parameters") instanceof JsonObject parameters)) {
                throw invalid("parameters must be an object");
            }
            for (String field : FakeJson.unknownKeys(parameters, Set.of("autoTruncate", "outputDimensionality"))) {
                throw invalid("Invalid JSON payload received. Unknown name \"" + field + "\" at 'parameters'.");
            }
            JsonValue autoTruncate = parameters.get("autoTruncate");
            if (autoTruncate != null && autoTruncate != JsonValue.TRUE && autoTruncate != JsonValue.FALSE) {
                throw invalid("parameters.autoTruncate must be a boolean");
            }
            int most = model.startsWith("gemini-embedding") ? 3072 : 768;
            if (parameters.containsKey("outputDimensionality") && !(FakeJson.isInteger(
                    parameters.get("outputDimensionality"), 1) && parameters.getJsonNumber("outputDimensionality")
                    .intValue() <= most)) {
                throw invalid("parameters.outputDimensionality must be between 1 and " + most);
            }
        }
        return instances;
    }

    private static Rejection invalid(String message) {
        return new Rejection(400, "INVALID_ARGUMENT", message);
    }

    private static Reply predictions(JsonObject body, JsonArray instances) {
        JsonObject parameters = body.get("parameters") instanceof JsonObject p ? p : JsonValue.EMPTY_JSON_OBJECT;
        int dimensions = parameters.get("outputDimensionality") instanceof JsonNumber number ? number.intValue()
                : FakeGemini.EMBEDDING_DIMENSIONS;
        JsonArrayBuilder predictions = array();
        long characters = 0;
        for (JsonValue value : instances) {
            String content = value.asJsonObject().getString("content");
            characters += content.replace(" ", "").length();
            predictions.add(object().add("embeddings", object()
                    .add("statistics", object().add("truncated", false).add("token_count", FakeJson.words(content)))
                    .add("values", FakeJson.vector(content, dimensions))));
        }
        return Reply.json(200, object().add("predictions", predictions)
                .add("metadata", object().add("billableCharacterCount", characters)).build());
    }

    // ------------------------------------------------------------------ Claude models

    private Reply anthropic(RecordedRequest request, String model, String method, String resource) {
        if (!claudeModels.contains(model) || !method.equals("rawPredict") && !method.equals("streamRawPredict")) {
            throw new Rejection(404, "NOT_FOUND", "Publisher Model `" + resource + "` was not found or your project"
                    + " does not have access to it.");
        }
        JsonObject body = body(request);
        JsonObject messages;
        try {
            String version = text(body, "anthropic_version");
            if (!body.containsKey("anthropic_version")) {
                throw new Rejection(400, "invalid_request_error", "anthropic_version: Field required");
            }
            if (!ANTHROPIC_VERSION.equals(version)) {
                throw new Rejection(400, "invalid_request_error", "anthropic_version: Input should be '"
                        + ANTHROPIC_VERSION + "'");
            }
            if (body.containsKey("model")) {
                throw new Rejection(400, "invalid_request_error", "model: Extra inputs are not permitted; Vertex AI"
                        + " names the model in the URL");
            }
            boolean stream = body.get("stream") == JsonValue.TRUE;
            if (stream != method.equals("streamRawPredict")) {
                throw new Rejection(400, "invalid_request_error", method.equals("rawPredict")
                        ? "stream: rawPredict answers one message; use streamRawPredict to stream"
                        : "stream: streamRawPredict needs \"stream\": true");
            }
            messages = object(body).remove("anthropic_version").add("model", model).build();
            FakeAnthropic.validateMessages(messages);
        } catch (Rejection rejection) {
            return FakeAnthropic.error(rejection.status(), rejection.kind(), rejection.getMessage());
        }
        Reply scripted = scripted(request);
        if (scripted != null) {
            return scripted;
        }
        JsonObject answer = FakeAnthropic.answer(messages, ids);
        return messages.get("stream") == JsonValue.TRUE ? Reply.sse(FakeAnthropic.events(answer))
                : Reply.json(200, answer);
    }

    private Reply scriptedOr(RecordedRequest request, java.util.function.Supplier<Reply> answer) {
        Reply scripted = scripted(request);
        return scripted != null ? scripted : answer.get();
    }

    // ------------------------------------------------------------------ the token endpoint

    private Reply token(RecordedRequest request) {
        tokenRequests.incrementAndGet();
        if (!request.method().equals("POST")) {
            return tokenError(405, "invalid_request", "POST the token request");
        }
        String type = request.header("content-type");
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            return tokenError(400, "invalid_request", "Invalid Content-Type: " + type);
        }
        Map<String, String> form = form(request.bodyString());
        if (!JWT_GRANT.equals(form.get("grant_type"))) {
            return tokenError(400, "unsupported_grant_type", "Invalid grant_type: " + form.get("grant_type"));
        }
        String assertion = form.get("assertion");
        String[] parts = assertion == null ? new String[0] : assertion.split("\\.", -1);
        if (parts.length != 3) {
            return tokenError(400, "invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes)"
                    + " and in a reasonable timeframe.");
        }
        JsonObject header;
        JsonObject claims;
        try {
            header = JsonBodies.parse(Base64.getUrlDecoder().decode(parts[0]));
            claims = JsonBodies.parse(Base64.getUrlDecoder().decode(parts[1]));
        } catch (RuntimeException e) {
            return tokenError(400, "invalid_grant", "Invalid JWT: the header or claims are not base64url JSON.");
        }
        Account account = accounts.get(String.valueOf(text(claims, "iss")));
        if (account == null) {
            return tokenError(400, "invalid_grant", "Invalid grant: account not found");
        }
        if (!"RS256".equals(text(header, "alg")) || header.containsKey("kid")
                && !account.keyId().equals(text(header, "kid"))) {
            return tokenError(400, "invalid_grant", "Invalid JWT Signature.");
        }
        if (!verifies(account.publicKey(), parts)) {
            return tokenError(400, "invalid_grant", "Invalid JWT Signature.");
        }
        String audience = text(claims, "aud");
        if (!GOOGLE_TOKEN_URI.equals(audience) && !tokenUri().equals(audience)) {
            return tokenError(400, "invalid_grant", "Invalid JWT: audience " + claims.get("aud") + " is neither "
                    + GOOGLE_TOKEN_URI + " nor " + tokenUri());
        }
        String scope = text(claims, "scope");
        if (scope == null || !List.of(scope.split(" ")).contains(SCOPE)) {
            return tokenError(400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.");
        }
        long now = Instant.now().getEpochSecond();
        long iat = claims.get("iat") instanceof JsonNumber n ? n.longValue() : -1;
        long exp = claims.get("exp") instanceof JsonNumber n ? n.longValue() : -1;
        if (iat < 0 || exp <= iat || iat > now + 60 || exp <= now - 60 || exp - iat > 3600) {
            return tokenError(400, "invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes)"
                    + " and in a reasonable timeframe. Check your iat and exp values in the JWT claim.");
        }
        String token = "ya29.fake-" + ids.incrementAndGet() + "-" + Long.toHexString(Double.doubleToLongBits(
                Math.random()));
        Duration lifetime = tokenLifetime;
        tokens.put(token, new Issued(account.email(), clock.instant().plus(lifetime)));
        return Reply.json(200, object().add("access_token", token).add("expires_in", lifetime.toSeconds())
                .add("token_type", "Bearer").build());
    }

    private static boolean verifies(PublicKey key, String[] parts) {
        try {
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initVerify(key);
            signature.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            return signature.verify(Base64.getUrlDecoder().decode(parts[2]));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                form.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    private static Reply tokenError(int status, String error, String description) {
        return Reply.json(status, object().add("error", error).add("error_description", description).build());
    }
}
