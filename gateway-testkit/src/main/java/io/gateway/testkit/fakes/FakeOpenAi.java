package io.gateway.testkit.fakes;

import io.gateway.spi.Operation;
import io.gateway.testkit.fakes.FakeJson.Rejection;
import io.gateway.testkit.http.FakeUpstream;
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
 * {@code /v1/embeddings}, {@code /v1/images/generations}; {@code GET /v1/models}. Anything else answers
 * 404 {@code not_found}.
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

    private final Set<String> models = new LinkedHashSet<>(OpenAiPreset.MODELS);

    private FakeOpenAi(String apiKey) {
        super(apiKey);
        serve();
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
