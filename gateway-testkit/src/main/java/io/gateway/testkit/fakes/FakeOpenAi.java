package io.gateway.testkit.fakes;

import io.gateway.spi.Operation;
import io.gateway.testkit.fakes.FakeJson.Rejection;
import io.gateway.testkit.http.FakeUpstream;
import io.gateway.testkit.http.OpenAiMediaPreset;
import io.gateway.testkit.http.OpenAiPreset;
import io.gateway.testkit.http.RecordedRequest;
import io.gateway.testkit.http.Reply;
import jakarta.json.JsonObject;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A fake of OpenAI's API on a free loopback port, built on a {@link FakeUpstream}: the routes under
 * {@code /v1/} answered as {@link OpenAiPreset} documents (fixed, OpenAI-shaped answers echoing the
 * model, streamed with {@code "stream": true}), behind the checks the real API makes. Use it for a
 * provider that speaks OpenAI's API (a pass-through, an OpenAI-compatible preset); for a bare,
 * unauthenticated stand-in use {@link FakeUpstream#openAi()}, which answers the same.
 *
 * <pre>{@code
 * try (FakeOpenAi openai = FakeOpenAi.start()) {
 *     // provider config: type openai, base-url openai.apiBase(), key FakeOpenAi.API_KEY
 *     openai.answerNext(openai.errorReply(429, "Rate limit reached").header("retry-after", "2"));
 *     ...
 *     JsonObject sent = openai.lastRequest().bodyJson();
 * }
 * }</pre>
 *
 * <p><b>Routes.</b> {@code POST /v1/chat/completions}, {@code /v1/completions}, {@code /v1/responses},
 * {@code /v1/embeddings}, {@code /v1/images/generations}; {@code GET /v1/models}. The rest of the
 * surface: {@code POST /v1/audio/speech}, {@code /v1/audio/transcriptions}, {@code /v1/audio/translations},
 * {@code /v1/images/edits}, {@code /v1/images/variations}, {@code /v1/moderations} (answers of
 * {@link OpenAiMediaPreset}, multipart forms checked as OpenAI checks them); files
 * ({@code POST/GET /v1/files}, {@code GET/DELETE /v1/files/{id}}, {@code GET /v1/files/{id}/content})
 * and batches ({@code POST/GET /v1/batches}, {@code GET /v1/batches/{id}},
 * {@code POST /v1/batches/{id}/cancel}), kept by the fake: a batch moves one step per poll and completes
 * with an output file. Anything else answers 404 {@code not_found}.
 *
 * <p><b>Checks, in order</b> (each failure in OpenAI's {@code {"error":{"message","type","param",
 * "code"}}}):
 * <ol>
 *   <li>{@code Authorization: Bearer KEY} with the fake's key, else 401 {@code invalid_api_key};</li>
 *   <li>for POSTs a JSON object body with {@code content-type: application/json}, else 400;</li>
 *   <li>the body as OpenAI checks it: unknown fields, required fields, roles and tool messages,
 *       {@code tool_choice}, {@code stream_options}, value ranges (400 {@code invalid_request_error}
 *       with {@code param} and {@code code});</li>
 *   <li>{@code model} present (images default to {@code dall-e-2}) and one the fake knows
 *       ({@link OpenAiPreset#MODELS} and {@link #addModel}), else 404 {@code model_not_found}.</li>
 * </ol>
 *
 * <p>A request that passes gets the next reply queued with {@link #answerNext}, else the standing
 * responder's ({@link #answerWith}), else the preset's answer. Thread-safe.
 */
public final class FakeOpenAi extends ProviderFake<FakeOpenAi> {

    /** The key the fake accepts unless started with another one. */
    public static final String API_KEY = "sk-fake-openai-key";

    private static final Set<String> POST_ROUTES = Set.of("chat/completions", "completions", "responses",
            "embeddings", "images/generations");

    /** The audio, image-edit and moderation models the fake accepts besides {@link OpenAiPreset#MODELS}. */
    public static final List<String> MEDIA_MODELS = List.of("whisper-1", "gpt-4o-transcribe", "tts-1", "tts-1-hd",
            "gpt-4o-mini-tts", "dall-e-2", "omni-moderation-latest");

    private static final Set<String> MEDIA_ROUTES = Set.of("audio/speech", "audio/transcriptions",
            "audio/translations", "images/edits", "images/variations", "moderations");

    private final Set<String> models = new LinkedHashSet<>(OpenAiPreset.MODELS);
    private final OpenAiFileStore store = new OpenAiFileStore();

    private FakeOpenAi(String apiKey) {
        super(apiKey);
        models.addAll(MEDIA_MODELS);
        serve();
    }

    /**
     * Stores a file whose content is made as it is read, never held: for downloads larger than memory.
     * It is listed, fetched and deleted like an uploaded one.
     *
     * @param filename the file name
     * @param purpose  its purpose, e.g. {@code batch}
     * @param bytes    the exact number of bytes {@code content} gives
     * @param content  makes the content, once per download
     * @return the file's id
     */
    public String addFile(String filename, String purpose, long bytes,
                          java.util.function.Supplier<java.io.InputStream> content) {
        return store.add(filename, purpose, bytes, content);
    }

    /**
     * Starts the fake on {@code 127.0.0.1} and a free port, accepting {@link #API_KEY}.
     *
     * @return the running fake; close it to release the port
     */
    public static FakeOpenAi start() {
        return new FakeOpenAi(API_KEY);
    }

    /**
     * Starts the fake accepting another key.
     *
     * @param apiKey the only bearer token the fake accepts
     * @return the running fake
     */
    public static FakeOpenAi start(String apiKey) {
        return new FakeOpenAi(apiKey);
    }

    /**
     * The URL to configure as an OpenAI provider's {@code base-url}: the base URL with {@code /v1}.
     *
     * @return e.g. {@code http://127.0.0.1:54321/v1}
     */
    public String apiBase() {
        return baseUrl() + "/v1";
    }

    /**
     * Makes a model known (listed and accepted).
     *
     * @param id the model id
     * @return this fake
     */
    public FakeOpenAi addModel(String id) {
        synchronized (models) {
            models.add(Objects.requireNonNull(id, "id"));
        }
        return this;
    }

    /**
     * The models the fake accepts.
     *
     * @return a snapshot
     */
    public List<String> models() {
        synchronized (models) {
            return List.copyOf(models);
        }
    }

    /**
     * OpenAI's error for a status: the type OpenAI uses for it ({@code rate_limit_error} for 429,
     * {@code api_error} for 5xx…) and no code.
     *
     * @param status  the HTTP status
     * @param message the message
     * @return the reply
     */
    @Override
    public Reply errorReply(int status, String message) {
        return Reply.error(status, message);
    }

    /**
     * A model of the preset for the operation: {@code gpt-4o-mini} for chat and the model list,
     * {@code gpt-3.5-turbo-instruct} for text completions, {@code gpt-4.1} for Responses,
     * {@code text-embedding-3-small} for embeddings, {@code gpt-image-1} for images; none for rerank, which
     * OpenAI does not offer.
     *
     * @param operation the operation
     * @return the model
     */
    @Override
    public Optional<String> modelFor(Operation operation) {
        if (operation == Operation.RERANK) {
            return Optional.empty(); // OpenAI's API has no rerank
        }
        return Optional.of(switch (operation) {
            case TEXT_COMPLETION -> "gpt-3.5-turbo-instruct";
            case RESPONSES -> "gpt-4.1";
            case EMBEDDING -> "text-embedding-3-small";
            case IMAGE_GENERATION -> "gpt-image-1";
            default -> "gpt-4o-mini";
        });
    }

    @Override
    public String toString() {
        return "FakeOpenAi[" + baseUrl() + "]";
    }

    @Override
    protected Reply handle(RecordedRequest request) {
        try {
            return route(request);
        } catch (OpenAiRequests.Invalid invalid) {
            return Reply.json(invalid.status(), invalid.body());
        } catch (Rejection rejection) {
            return Reply.error(rejection.status(), "invalid_request_error", rejection.kind(), rejection.getMessage());
        }
    }

    private Reply route(RecordedRequest request) {
        String path = request.path();
        if (!path.startsWith("/v1/")) {
            throw new Rejection(404, "not_found", "Invalid URL (" + request.method() + " " + path + ")");
        }
        String route = path.substring("/v1/".length());
        if (route.equals("files") || route.startsWith("files/") || route.equals("batches")
                || route.startsWith("batches/")) {
            authenticate(request);
            Reply scripted = scripted(request);
            return scripted != null ? scripted : resources(request, route);
        }
        if (MEDIA_ROUTES.contains(route)) {
            authenticate(request);
            if (!request.method().equals("POST")) {
                throw new Rejection(405, "method_not_allowed", "Invalid method for URL (" + request.method() + " "
                        + path + ")");
            }
            return media(request, route);
        }
        boolean models = route.equals("models");
        if (!models && !POST_ROUTES.contains(route)) {
            throw new Rejection(404, "not_found", "Invalid URL (" + request.method() + " " + path + ")");
        }
        authenticate(request);
        if (models) {
            if (!request.method().equals("GET")) {
                throw new Rejection(405, "method_not_allowed", "Invalid method for URL (" + request.method() + " "
                        + path + ")");
            }
            Reply scripted = scripted(request);
            return scripted != null ? scripted : modelList();
        }
        if (!request.method().equals("POST")) {
            throw new Rejection(405, "method_not_allowed", "Invalid method for URL (" + request.method() + " " + path
                    + ")");
        }
        JsonObject body = FakeJson.jsonContentType(request) ? FakeJson.parseOrNull(request) : null;
        if (body == null) {
            throw OpenAiRequests.invalid(null, null, "We could not parse the JSON body of your request. (HINT: This"
                    + " likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON"
                    + " payload, but what was sent was not valid JSON.)");
        }
        OpenAiRequests.validate(route, body, Set.of());
        String model = FakeJson.text(body, "model");
        if (model == null && !route.equals("images/generations")) {
            throw OpenAiRequests.invalid("model", "missing_required_parameter", "you must provide a model parameter");
        }
        if (model != null && !models().contains(model)) {
            throw new Rejection(404, "model_not_found", "The model `" + model + "` does not exist or you do not"
                    + " have access to it.");
        }
        Reply scripted = scripted(request);
        if (scripted != null) {
            return scripted;
        }
        return switch (route) {
            case "chat/completions" -> OpenAiPreset.chatCompletions(request);
            case "completions" -> OpenAiPreset.completions(request);
            case "responses" -> OpenAiPreset.responses(request);
            case "embeddings" -> OpenAiPreset.embeddings(request);
            default -> OpenAiPreset.imageGenerations(request);
        };
    }

    /** The audio, image-edit and moderation routes: a known model, then the preset's checks and answer. */
    private Reply media(RecordedRequest request, String route) {
        boolean form = !route.equals("audio/speech") && !route.equals("moderations");
        String model;
        if (form) {
            String type = request.header("content-type");
            if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/form-data")) {
                throw OpenAiRequests.invalid(null, null, "Invalid Content-Type header (" + type + "), expected "
                        + "multipart/form-data. (HINT: If you're using curl, you can pass -F 'key=value' to send "
                        + "form data)");
            }
            try {
                model = io.gateway.testkit.http.MultipartParts.parse(type, request.body()).text("model");
            } catch (io.gateway.testkit.http.MultipartParts.Malformed e) {
                throw OpenAiRequests.invalid(null, null, e.getMessage());
            }
        } else {
            JsonObject body = FakeJson.jsonContentType(request) ? FakeJson.parseOrNull(request) : null;
            if (body == null) {
                throw OpenAiRequests.invalid(null, null, "We could not parse the JSON body of your request.");
            }
            model = FakeJson.text(body, "model");
        }
        if (model != null && !models().contains(model)) {
            throw new Rejection(404, "model_not_found", "The model `" + model + "` does not exist or you do not"
                    + " have access to it.");
        }
        Reply scripted = scripted(request);
        if (scripted != null) {
            return scripted;
        }
        return switch (route) {
            case "audio/speech" -> OpenAiMediaPreset.speech(request);
            case "audio/transcriptions" -> OpenAiMediaPreset.transcriptions(request);
            case "audio/translations" -> OpenAiMediaPreset.translations(request);
            case "images/edits" -> OpenAiMediaPreset.imageEdits(request);
            case "images/variations" -> OpenAiMediaPreset.imageVariations(request);
            default -> OpenAiMediaPreset.moderations(request);
        };
    }

    /** Files and batches, kept by the fake. */
    private Reply resources(RecordedRequest request, String route) {
        String[] segments = route.split("/", -1);
        String method = request.method();
        boolean files = segments[0].equals("files");
        if (segments.length == 1) {
            if (method.equals("GET")) {
                return files ? store.list(request) : store.listBatches(request);
            }
            if (method.equals("POST")) {
                if (files) {
                    return store.upload(request);
                }
                JsonObject body = FakeJson.jsonContentType(request) ? FakeJson.parseOrNull(request) : null;
                if (body == null) {
                    throw OpenAiRequests.invalid(null, null, "We could not parse the JSON body of your request.");
                }
                return store.createBatch(body);
            }
        } else if (segments.length == 2 && !segments[1].isEmpty()) {
            String id = java.net.URLDecoder.decode(segments[1], java.nio.charset.StandardCharsets.UTF_8);
            if (method.equals("GET")) {
                return files ? store.retrieve(id) : store.retrieveBatch(id);
            }
            if (method.equals("DELETE") && files) {
                return store.delete(id);
            }
        } else if (segments.length == 3) {
            String id = java.net.URLDecoder.decode(segments[1], java.nio.charset.StandardCharsets.UTF_8);
            if (files && segments[2].equals("content") && method.equals("GET")) {
                return store.content(id);
            }
            if (!files && segments[2].equals("cancel") && method.equals("POST")) {
                return store.cancelBatch(id);
            }
        }
        throw new Rejection(404, "not_found", "Invalid URL (" + method + " /v1/" + route + ")");
    }

    private void authenticate(RecordedRequest request) {
        String authorization = request.header("authorization");
        if (authorization == null || authorization.isBlank()) {
            throw new Rejection(401, "invalid_api_key", "You didn't provide an API key. You need to provide your API"
                    + " key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).");
        }
        if (!authorization.equals("Bearer " + apiKey())) {
            throw new Rejection(401, "invalid_api_key", "Incorrect API key provided. You can find your API key at"
                    + " https://platform.openai.com/account/api-keys.");
        }
    }

    private Reply modelList() {
        var data = FakeJson.array();
        for (String model : models()) {
            data.add(FakeJson.object().add("id", model).add("object", "model").add("created", 1_686_935_002L)
                    .add("owned_by", model.startsWith("gpt-") ? "openai" : "system"));
        }
        return Reply.json(200, FakeJson.object().add("object", "list").add("data", data).build());
    }
}
