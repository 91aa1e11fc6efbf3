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
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fake Azure OpenAI resource on a free loopback port, built on a {@link FakeUpstream}: the OpenAI
 * wire format with Azure's URLs, authentication, errors and additions ({@code prompt_filter_results},
 * {@code content_filter_results}, and the prompt-filter chunk with empty {@code choices} that opens
 * chat and text-completion streams).
 *
 * <pre>{@code
 * try (FakeAzure azure = FakeAzure.start(FakeAzure.API_KEY, Map.of("prod-4o", "gpt-4o-2024-08-06"))) {
 *     // provider config: type azure, base-url azure.baseUrl(), key FakeAzure.API_KEY,
 *     //                  deployments {gpt-4o: prod-4o}
 *     ...
 *     RecordedRequest sent = azure.upstream().lastRequest();
 * }
 * }</pre>
 *
 * <p><b>Routes.</b> The classic form {@code /openai/deployments/{deployment}/{chat/completions|
 * completions|embeddings|images/generations}?api-version=V} (V one of {@link #API_VERSIONS}, else 404
 * {@code Resource not found}; an unknown deployment 404 {@code DeploymentNotFound});
 * {@code POST /openai/responses?api-version=R} (R one of {@link #RESPONSES_API_VERSIONS}) with the
 * deployment as the body's {@code model}; {@code GET /openai/models?api-version=V}; and the v1 form
 * {@code /openai/v1/{chat/completions|completions|embeddings|images/generations|responses|models}}
 * (no {@code api-version} other than {@code preview}/{@code latest}, the deployment as {@code model}).
 * A deployment added with {@link Capability capabilities} serves only those operations (others answer
 * 400 {@code OperationNotSupported}); one added without serves every operation.
 *
 * <p><b>Checks.</b> {@code api-key} must be one of the resource's keys ({@link #start()} accepts
 * {@link #API_KEY} and {@link #SECOND_KEY}, {@link #acceptKey} adds more; else 401 "Access denied due to
 * invalid subscription key…"); POST bodies must be JSON objects; unknown top-level fields are refused
 * ({@code Unrecognized request argument supplied}); required fields per operation ({@code messages},
 * {@code prompt}, {@code input}); chat roles, {@code tool} messages answering the preceding
 * {@code tool_calls} and every tool call answered; {@code tool_choice} only with {@code tools},
 * naming a declared function; {@code stream_options} only when streaming; value ranges
 * ({@code temperature}, {@code top_p}, {@code n}, {@code max_tokens}, {@code dimensions}, image
 * {@code size}, {@code response_format}). Failures are 400 {@code invalid_request_error} with a
 * {@code param} and {@code code}, in OpenAI's error shape.
 *
 * <p><b>Answers.</b> A request that passes gets the next reply queued with {@link #answerNext} or
 * {@link #failNext}, else a deterministic answer naming the deployment's model. A prompt containing
 * {@link #CONTENT_FILTER_TRIGGER} is refused by the content filter as Azure refuses it: 400 with
 * {@code code: content_filter} and {@code innererror.code: ResponsibleAIPolicyViolation} (images:
 * {@code content_policy_violation}). Chat answers {@code "Hello from Azure! You said: "} and the last
 * user text (after tool results, {@code "Thanks, the tool said: "} and the result); a forced tool
 * ({@code tool_choice} {@code required} or a named function) gets a tool call with a placeholder per
 * required parameter and {@code finish_reason: tool_calls}; {@code max_tokens} /
 * {@code max_completion_tokens} shorter than the answer ends it with {@code length}. Usage counts
 * words of the prompt texts and of the answer. Streams: chat and completions open with the
 * prompt-filter chunk ({@link #promptFilterChunk()}), then a role chunk, one chunk per word, the
 * finish chunk, a usage chunk with {@code stream_options.include_usage}, and {@code [DONE]};
 * responses stream {@code response.created} … {@code response.completed}; images
 * {@code image_generation.partial_image} and {@code image_generation.completed}. Answers carry
 * {@code apim-request-id}, {@code x-ms-region} and {@code x-ratelimit-*} headers.
 *
 * <p>The underlying {@link #upstream()} records every request. Stubs added to it take precedence
 * over the fake's routes; use {@link #reset()} rather than {@code upstream().reset()}.
 */
public final class FakeAzure extends ProviderFake<FakeAzure> {

    /** The key the fake accepts unless started with another one. */
    public static final String API_KEY = "fake-azure-key";

    /** The resource's second key, also accepted by {@link #start()}, as an Azure resource has two. */
    public static final String SECOND_KEY = "fake-azure-key-2";

    /** The top-level fields Azure accepts besides OpenAI's. */
    static final Set<String> AZURE_FIELDS = Set.of("data_sources", "user_security_context", "input_type");

    /** What a deployment's model can do, for deployments added with capabilities. */
    public enum Capability {
        /** {@code chat/completions} and {@code responses}. */
        CHAT,
        /** {@code completions} (instruct models). */
        COMPLETION,
        /** {@code embeddings}. */
        EMBEDDING,
        /** {@code images/generations}. */
        IMAGE
    }

    /** One deployment: the model it runs and what it can do (every operation when unrestricted). */
    private record Deployment(String model, Set<Capability> capabilities) {
    }

    /** The dated {@code api-version}s the classic routes accept. */
    public static final Set<String> API_VERSIONS = Set.of("2024-02-01", "2024-06-01", "2024-10-21",
            "2024-08-01-preview", "2024-10-01-preview", "2024-12-01-preview", "2025-01-01-preview",
            "2025-03-01-preview", "2025-04-01-preview");

    /** The {@code api-version}s {@code /openai/responses} accepts. */
    public static final Set<String> RESPONSES_API_VERSIONS = Set.of("2025-03-01-preview", "2025-04-01-preview");

    /** A prompt containing this text is refused by the content filter. */
    public static final String CONTENT_FILTER_TRIGGER = "[content-filter]";

    /** The PNG (base64) every generated image is. */
    public static final String IMAGE_BASE64 = FakeJson.PNG_BASE64;

    /** Values per embedding without {@code dimensions}. */
    public static final int EMBEDDING_DIMENSIONS = 1536;

    /** The message of Azure's 404 for a deployment that does not exist (code {@code DeploymentNotFound}). */
    public static final String DEPLOYMENT_NOT_FOUND = "The API deployment for this resource does not exist. If you"
            + " created the deployment within the last 5 minutes, please wait a moment and try again.";

    /** The message of Azure's 401. */
    public static final String ACCESS_DENIED = "Access denied due to invalid subscription key or wrong API endpoint."
            + " Make sure to provide a valid key for an active subscription and use a correct regional API endpoint"
            + " for your resource.";

    private static final Pattern DEPLOYMENT_PATH = Pattern.compile("/openai/deployments/([^/]+)/(.+)");
    private static final Set<String> DEPLOYMENT_OPERATIONS = Set.of("chat/completions", "completions",
            "embeddings", "images/generations");
    private static final Set<String> V1_OPERATIONS = Set.of("chat/completions", "completions", "embeddings",
            "images/generations", "responses");
    private static final String FILTERS = "{\"hate\":{\"filtered\":false,\"severity\":\"safe\"},\"jailbreak\":"
            + "{\"filtered\":false,\"detected\":false},\"self_harm\":{\"filtered\":false,\"severity\":\"safe\"},"
            + "\"sexual\":{\"filtered\":false,\"severity\":\"safe\"},\"violence\":{\"filtered\":false,"
            + "\"severity\":\"safe\"}}";
    private static final String OUTPUT_FILTERS = "{\"hate\":{\"filtered\":false,\"severity\":\"safe\"},"
            + "\"self_harm\":{\"filtered\":false,\"severity\":\"safe\"},\"sexual\":{\"filtered\":false,"
            + "\"severity\":\"safe\"},\"violence\":{\"filtered\":false,\"severity\":\"safe\"}}";

    private final Map<String, Deployment> deployments = new LinkedHashMap<>();
    private final Set<String> keys = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private FakeAzure(String apiKey, Map<String, String> deployments) {
        super(apiKey);
        keys.add(apiKey);
        deployments.forEach((name, model) -> this.deployments.put(name,
                new Deployment(model, java.util.EnumSet.allOf(Capability.class))));
        serve();
    }

    /**
     * Starts a resource accepting {@link #API_KEY} and {@link #SECOND_KEY} with the deployments {@code gpt-4o}
     * ({@code gpt-4o-2024-08-06}), {@code text-embedding-3-small} and {@code gpt-image-1}.
     *
     * @return the running fake; close it to release the port
     */
    public static FakeAzure start() {
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("gpt-4o", "gpt-4o-2024-08-06");
        defaults.put("text-embedding-3-small", "text-embedding-3-small");
        defaults.put("gpt-image-1", "gpt-image-1");
        return new FakeAzure(API_KEY, defaults).acceptKey(SECOND_KEY);
    }

    /**
     * Starts a resource with its own key and deployments.
     *
     * @param apiKey      the only {@code api-key} the resource accepts
     * @param deployments deployment name → the model it runs (reported as {@code model} in answers)
     * @return the running fake
     */
    public static FakeAzure start(String apiKey, Map<String, String> deployments) {
        return new FakeAzure(apiKey, deployments);
    }

    /**
     * Adds (or redefines) a deployment.
     *
     * @param name  the deployment name
     * @param model the model it runs
     * @return this fake
     */
    public FakeAzure addDeployment(String name, String model) {
        return addDeployment(name, model, Capability.values());
    }

    /**
     * Adds (or redefines) a deployment whose model can do only some operations; the others answer 400
     * {@code OperationNotSupported}, as Azure answers an embeddings call to a chat deployment.
     *
     * @param name         the deployment name
     * @param model        the model it runs
     * @param capabilities what the model can do
     * @return this fake
     */
    public FakeAzure addDeployment(String name, String model, Capability... capabilities) {
        Set<Capability> can = java.util.EnumSet.noneOf(Capability.class);
        can.addAll(List.of(capabilities));
        synchronized (deployments) {
            deployments.put(Objects.requireNonNull(name, "name"), new Deployment(Objects.requireNonNull(model,
                    "model"), can));
        }
        return this;
    }

    /**
     * Removes every deployment, for a test that sets up its own.
     *
     * @return this fake
     */
    public FakeAzure clearDeployments() {
        synchronized (deployments) {
            deployments.clear();
        }
        return this;
    }

    /**
     * Accepts another key too (a resource has two; rotating keys is the point).
     *
     * @param key the key
     * @return this fake
     */
    public FakeAzure acceptKey(String key) {
        keys.add(Objects.requireNonNull(key, "key"));
        return this;
    }

    /**
     * The deployments, name → model.
     *
     * @return a snapshot
     */
    public Map<String, String> deployments() {
        Map<String, String> result = new LinkedHashMap<>();
        synchronized (deployments) {
            deployments.forEach((name, deployment) -> result.put(name, deployment.model()));
        }
        return result;
    }

    /**
     * Makes the next request that passes the fake's checks fail with an Azure error
     * {@code {"error":{"code","message"}}}.
     *
     * @param status  the HTTP status
     * @param code    Azure's code, e.g. {@code 429}, {@code DeploymentNotFound}, {@code InternalServerError}
     * @param message the message
     * @return this fake
     */
    public FakeAzure failNext(int status, String code, String message) {
        return answerNext(error(status, code, message));
    }

    @Override
    public String toString() {
        return "FakeAzure[" + baseUrl() + ", deployments " + deployments() + "]";
    }

    /**
     * Azure's error for a status: code {@code InternalServerError} for 500, {@code ServiceUnavailable}
     * for 503, the status itself otherwise (as Azure sends {@code "429"}).
     *
     * @param status  the HTTP status
     * @param message the message
     * @return the reply
     */
    @Override
    public Reply errorReply(int status, String message) {
        String code = switch (status) {
            case 500 -> "InternalServerError";
            case 503 -> "ServiceUnavailable";
            default -> Integer.toString(status);
        };
        return error(status, code, message);
    }

    /**
     * A deployment that serves the operation: the provider sends it as the model when its key maps no
     * deployment for it.
     *
     * @param operation the operation
     * @return the deployment name, or empty when none serves it
     */
    @Override
    public java.util.Optional<String> modelFor(io.gateway.spi.Operation operation) {
        Capability needed = switch (operation) {
            case TEXT_COMPLETION -> Capability.COMPLETION;
            case EMBEDDING -> Capability.EMBEDDING;
            case IMAGE_GENERATION -> Capability.IMAGE;
            default -> Capability.CHAT;
        };
        synchronized (deployments) {
            return deployments.entrySet().stream().filter(e -> e.getValue().capabilities().contains(needed))
                    .map(Map.Entry::getKey).findFirst();
        }
    }

    // ------------------------------------------------------------------ builders

    /**
     * Azure's error body, as its data plane answers most errors.
     *
     * @param code    the code, e.g. {@code 429} or {@code DeploymentNotFound}
     * @param message the message
     * @return {@code {"error":{"code","message"}}}
     */
    public static JsonObject errorBody(String code, String message) {
        return object().add("error", object().add("code", code).add("message", message)).build();
    }

    /**
     * An Azure error reply, for {@link #answerNext}; add headers such as {@code retry-after} with
     * {@link Reply#header}.
     *
     * @param status  the HTTP status
     * @param code    the code
     * @param message the message
     * @return the reply
     */
    public static Reply error(int status, String code, String message) {
        return Reply.json(status, errorBody(code, message)).header("apim-request-id", "fake-apim-error");
    }

    /**
     * The content-filter rejection of chat, completions and responses: 400, {@code code:
     * content_filter}, {@code param: prompt}, {@code innererror.code: ResponsibleAIPolicyViolation}
     * with the category that fired.
     *
     * @return the reply
     */
    public static Reply contentFilterError() {
        return Reply.json(400, contentFilterBody());
    }

    /**
     * The body of {@link #contentFilterError()}, for tests of an error mapping on its own.
     *
     * @return the body
     */
    public static String contentFilterBody() {
        return "{\"error\":{\"message\":\"The response was filtered due to the prompt triggering"
                + " Azure OpenAI's content management policy. Please modify your prompt and retry. To learn more"
                + " about our content filtering policies please read our documentation:"
                + " https://go.microsoft.com/fwlink/?linkid=2198766\",\"type\":null,\"param\":\"prompt\","
                + "\"code\":\"content_filter\",\"status\":400,\"innererror\":{\"code\":\"ResponsibleAIPolicyViolation\","
                + "\"content_filter_result\":{\"hate\":{\"filtered\":false,\"severity\":\"safe\"},\"jailbreak\":"
                + "{\"filtered\":false,\"detected\":false},\"self_harm\":{\"filtered\":false,\"severity\":\"safe\"},"
                + "\"sexual\":{\"filtered\":false,\"severity\":\"safe\"},\"violence\":{\"filtered\":true,"
                + "\"severity\":\"medium\"}}}}}";
    }

    /**
     * The content-filter rejection of image generation: 400, {@code code: content_policy_violation}
     * with {@code inner_error}.
     *
     * @return the reply
     */
    public static Reply imageContentFilterError() {
        return Reply.json(400, imageContentFilterBody());
    }

    /**
     * The body of {@link #imageContentFilterError()}.
     *
     * @return the body
     */
    public static String imageContentFilterBody() {
        return "{\"error\":{\"code\":\"content_policy_violation\",\"inner_error\":{\"code\":"
                + "\"ResponsibleAIPolicyViolation\",\"content_filter_results\":{\"jailbreak\":{\"detected\":false,"
                + "\"filtered\":false},\"violence\":{\"filtered\":true,\"severity\":\"high\"}}},\"message\":\"Your"
                + " request was rejected as a result of our safety system. Your prompt may contain text that is not"
                + " allowed by our safety system.\",\"type\":\"invalid_request_error\"}}";
    }

    /**
     * The chunk Azure opens chat and text-completion streams with: empty {@code choices}, empty
     * {@code id}, {@code model} and {@code object}, {@code created} 0, and the prompt's filter results.
     *
     * @return the chunk
     */
    public static JsonObject promptFilterChunk() {
        return FakeJson.JSON.createReader(new java.io.StringReader("{\"choices\":[],\"created\":0,\"id\":\"\","
                + "\"model\":\"\",\"object\":\"\",\"prompt_filter_results\":[{\"prompt_index\":0,"
                + "\"content_filter_results\":" + FILTERS + "}]}")).readObject();
    }

    // ------------------------------------------------------------------ handling

    @Override
    protected Reply handle(RecordedRequest request) {
        try {
            return route(request);
        } catch (OpenAiRequests.Invalid invalid) {
            return Reply.json(invalid.status(), invalid.body())
                    .header("apim-request-id", "fake-apim-" + ids.incrementAndGet());
        } catch (Rejection rejection) {
            return error(rejection.status(), rejection.kind(), rejection.getMessage());
        }
    }

    private Reply route(RecordedRequest request) {
        String key = request.header("api-key");
        if (key == null || !keys.contains(key)) {
            throw new Rejection(401, "401", ACCESS_DENIED);
        }
        String path = URLDecoder.decode(request.path().replace("+", "%2B"), StandardCharsets.UTF_8);
        String version = request.queryParameter("api-version");
        if (path.startsWith("/openai/v1/")) {
            if (version != null && !version.equals("preview") && !version.equals("latest")) {
                throw new Rejection(400, "BadRequest", "api-version query parameter is not allowed when using /v1"
                        + " path");
            }
            String operation = path.substring("/openai/v1/".length());
            if (operation.equals("models")) {
                return models(request);
            }
            if (V1_OPERATIONS.contains(operation)) {
                JsonObject body = body(request);
                return inference(request, operation, deploymentNamed(text(body, "model")), body);
            }
            throw resourceNotFound();
        }
        if (path.equals("/openai/models")) {
            requireVersion(API_VERSIONS, version);
            return models(request);
        }
        if (path.equals("/openai/responses")) {
            requireVersion(RESPONSES_API_VERSIONS, version);
            JsonObject body = body(request);
            return inference(request, "responses", deploymentNamed(text(body, "model")), body);
        }
        Matcher matcher = DEPLOYMENT_PATH.matcher(path);
        if (matcher.matches() && DEPLOYMENT_OPERATIONS.contains(matcher.group(2))) {
            requireVersion(API_VERSIONS, version);
            Deployment deployment;
            synchronized (deployments) {
                deployment = deployments.get(matcher.group(1));
            }
            if (deployment == null) {
                throw deploymentNotFound();
            }
            JsonObject body = body(request);
            return inference(request, matcher.group(2), deployment, body);
        }
        throw resourceNotFound();
    }

    private static Rejection resourceNotFound() {
        return new Rejection(404, "404", "Resource not found");
    }

    private static Rejection deploymentNotFound() {
        return new Rejection(404, "DeploymentNotFound", DEPLOYMENT_NOT_FOUND);
    }

    private static void requireVersion(Set<String> versions, String version) {
        if (version == null || !versions.contains(version)) {
            throw resourceNotFound();
        }
    }

    private Deployment deploymentNamed(String name) {
        if (name == null) {
            throw OpenAiRequests.invalid("model", "missing_required_parameter",
                    "Missing required parameter: 'model'.");
        }
        synchronized (deployments) {
            Deployment deployment = deployments.get(name);
            if (deployment == null) {
                throw deploymentNotFound();
            }
            return deployment;
        }
    }

    private static JsonObject body(RecordedRequest request) {
        if (!request.method().equals("POST")) {
            throw new Rejection(405, "405", "Method not allowed");
        }
        if (!FakeJson.jsonContentType(request)) {
            throw new Rejection(415, "UnsupportedMediaType", "Content-Type must be application/json");
        }
        JsonObject body = FakeJson.parseOrNull(request);
        if (body == null) {
            throw OpenAiRequests.invalid(null, null, "We could not parse the JSON body of your request. (HINT: This likely means"
                    + " you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what"
                    + " was sent was not valid JSON.");
        }
        return body;
    }

    private Reply ok(Reply reply) {
        return reply.header("apim-request-id", "fake-apim-" + ids.incrementAndGet())
                .header("x-request-id", "fake-request-" + ids.get())
                .header("x-ms-region", "Sweden Central")
                .header("x-ratelimit-limit-requests", "100")
                .header("x-ratelimit-remaining-requests", "99")
                .header("x-ratelimit-remaining-tokens", "89000");
    }

    private Reply models(RecordedRequest request) {
        if (!request.method().equals("GET")) {
            throw new Rejection(405, "405", "Method not allowed");
        }
        Reply scripted = scripted(request);
        if (scripted != null) {
            return scripted;
        }
        Set<String> models = new LinkedHashSet<>(deployments().values());
        JsonArrayBuilder data = array();
        for (String model : models) {
            boolean embeddings = model.contains("embedding");
            data.add(object().add("status", "succeeded")
                    .add("capabilities", object().add("fine_tune", false).add("inference", true)
                            .add("completion", false).add("chat_completion", !embeddings)
                            .add("embeddings", embeddings))
                    .add("lifecycle_status", "generally-available").add("id", model)
                    .add("created_at", 1_723_075_200).add("object", "model"));
        }
        return ok(Reply.json(200, object().add("data", data).add("object", "list").build()));
    }

    // ------------------------------------------------------------------ validation and answers

    private Reply inference(RecordedRequest request, String operation, Deployment deployment, JsonObject body) {
        Capability needed = switch (operation) {
            case "completions" -> Capability.COMPLETION;
            case "embeddings" -> Capability.EMBEDDING;
            case "images/generations" -> Capability.IMAGE;
            default -> Capability.CHAT;
        };
        String model = deployment.model();
        if (!deployment.capabilities().contains(needed)) {
            throw new Rejection(400, "OperationNotSupported", "The " + operation + " operation does not work with"
                    + " the specified model, " + model + ". Please choose different model and try again.");
        }
        OpenAiRequests.validate(operation, body, AZURE_FIELDS);
        String prompt = operation.equals("chat/completions") ? messageText(body.getJsonArray("messages"))
                : FakeJson.allText(switch (operation) {
            case "completions", "images/generations" -> body.get("prompt");
            default -> body.get("input");
                });
        if (prompt.contains(CONTENT_FILTER_TRIGGER) && !operation.equals("embeddings")) {
            return operation.equals("images/generations") ? imageContentFilterError() : contentFilterError();
        }
        Reply scripted = scripted(request);
        if (scripted != null) {
            return scripted;
        }
        boolean stream = body.get("stream") == JsonValue.TRUE;
        return ok(switch (operation) {
            case "chat/completions" -> stream ? Reply.sse(chatStream(body, model)) : Reply.json(200, chat(body, model));
            case "completions" -> stream ? Reply.sse(completionStream(body, model))
                    : Reply.json(200, completion(body, model));
            case "embeddings" -> Reply.json(200, embeddings(body, model));
            case "images/generations" -> stream ? Reply.sse(imageStream(body)) : Reply.json(200, image(body));
            default -> stream ? Reply.sse(responsesStream(body, model)) : Reply.json(200, response(body, model,
                    "completed"));
        });
    }

    // ------------------------------------------------------------------ answer bodies

    private static JsonObject filters(String json) {
        return FakeJson.JSON.createReader(new java.io.StringReader(json)).readObject();
    }

    private static JsonArray promptFilterResults() {
        return array().add(object().add("prompt_index", 0).add("content_filter_results", filters(FILTERS))).build();
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }

    /** The function a chat request forces, or {@code null}. */
    private static JsonObject forcedFunction(JsonObject body) {
        JsonArray tools = arrayField(body, "tools");
        JsonValue choice = body.get("tool_choice");
        if (tools == null || tools.isEmpty() || choice == null) {
            return null;
        }
        String wanted;
        if (choice instanceof JsonString string && string.getString().equals("required")) {
            wanted = null;
        } else if (choice instanceof JsonObject object && "function".equals(text(object, "type"))) {
            wanted = text(objectField(object, "function"), "name");
        } else {
            return null;
        }
        for (JsonValue tool : tools) {
            JsonObject function = objectField(tool.asJsonObject(), "function");
            if (function != null && (wanted == null || wanted.equals(text(function, "name")))) {
                return function;
            }
        }
        return null;
    }

    private static String chatReply(JsonObject body) {
        JsonArray messages = body.getJsonArray("messages");
        JsonObject last = messages.getJsonObject(messages.size() - 1);
        if ("tool".equals(text(last, "role"))) {
            return "Thanks, the tool said: " + FakeJson.allText(last.get("content"));
        }
        String said = "";
        for (JsonValue value : messages) {
            JsonObject message = value.asJsonObject();
            if ("user".equals(text(message, "role"))) {
                JsonValue content = message.get("content");
                if (content instanceof JsonString string) {
                    said = string.getString();
                } else if (content instanceof JsonArray parts) {
                    StringBuilder texts = new StringBuilder();
                    for (JsonValue part : parts) {
                        String text = text(part.asJsonObject(), "text");
                        if (text != null) {
                            texts.append(texts.isEmpty() ? "" : " ").append(text);
                        }
                    }
                    said = texts.toString();
                }
            }
        }
        return "Hello from Azure! You said: " + said;
    }

    /** The texts of the messages' contents (strings and text parts), joined with spaces. */
    private static String messageText(JsonArray messages) {
        StringBuilder out = new StringBuilder();
        for (JsonValue value : messages) {
            JsonValue content = value.asJsonObject().get("content");
            if (content instanceof JsonString string) {
                out.append(string.getString()).append(' ');
            } else if (content instanceof JsonArray parts) {
                for (JsonValue part : parts) {
                    String text = part instanceof JsonObject object ? text(object, "text") : null;
                    if (text != null) {
                        out.append(text).append(' ');
                    }
                }
            }
        }
        return out.toString();
    }

    private static long limit(JsonObject body, String... fields) {
        for (String field : fields) {
            if (body.get(field) instanceof JsonNumber number) {
                return number.longValue();
            }
        }
        return Long.MAX_VALUE;
    }

    /** The answer text and its finish reason after max tokens and stop sequences. */
    private record Text(String text, String finishReason) {
    }

    private static Text shaped(String reply, JsonObject body, long max) {
        JsonValue stop = body.get("stop");
        List<String> stops = new ArrayList<>();
        if (stop instanceof JsonString string) {
            stops.add(string.getString());
        } else if (stop instanceof JsonArray array) {
            array.forEach(value -> stops.add(((JsonString) value).getString()));
        }
        for (String sequence : stops) {
            int at = reply.indexOf(sequence);
            if (at >= 0) {
                reply = reply.substring(0, at);
            }
        }
        if (FakeJson.words(reply) > max) {
            return new Text(FakeJson.firstWords(reply, (int) max), "length");
        }
        return new Text(reply, "stop");
    }

    private JsonObject chat(JsonObject body, String model) {
        int n = body.get("n") instanceof JsonNumber number ? number.intValue() : 1;
        long prompt = Math.max(1, FakeJson.words(messageText(body.getJsonArray("messages"))));
        long completion = 0;
        JsonArrayBuilder choices = array();
        JsonObject function = forcedFunction(body);
        String id = "chatcmpl-fake" + ids.incrementAndGet();
        for (int i = 0; i < n; i++) {
            JsonObjectBuilder message = object().add("annotations", JsonValue.EMPTY_JSON_ARRAY)
                    .add("refusal", JsonValue.NULL).add("role", "assistant");
            String finish;
            if (function != null) {
                message.add("content", JsonValue.NULL).add("tool_calls", array().add(object()
                        .add("id", "call_fake" + ids.get() + "_" + i).add("type", "function")
                        .add("function", object().add("name", text(function, "name"))
                                .add("arguments", FakeJson.sample(objectField(function, "parameters")).toString()))));
                finish = "tool_calls";
                completion += 10;
            } else {
                Text text = shaped(chatReply(body), body, limit(body, "max_completion_tokens", "max_tokens"));
                message.add("content", text.text());
                finish = text.finishReason();
                completion += FakeJson.words(text.text());
            }
            choices.add(object().add("content_filter_results", filters(OUTPUT_FILTERS)).add("finish_reason", finish)
                    .add("index", i).add("logprobs", JsonValue.NULL).add("message", message));
        }
        return object().add("choices", choices).add("created", now()).add("id", id).add("model", model)
                .add("object", "chat.completion").add("prompt_filter_results", promptFilterResults())
                .add("system_fingerprint", "fp_fakeazure")
                .add("usage", object().add("completion_tokens", completion)
                        .add("completion_tokens_details", object().add("reasoning_tokens", 0))
                        .add("prompt_tokens", prompt)
                        .add("prompt_tokens_details", object().add("cached_tokens", 0))
                        .add("total_tokens", prompt + completion)).build();
    }

    private List<SseFrame> chatStream(JsonObject body, String model) {
        JsonObject whole = chat(body, model);
        boolean includeUsage = objectField(body, "stream_options") != null
                && objectField(body, "stream_options").get("include_usage") == JsonValue.TRUE;
        List<SseFrame> frames = new ArrayList<>();
        frames.add(SseFrame.data(promptFilterChunk()));
        JsonObjectBuilder head = object().add("created", whole.getJsonNumber("created")).add("id", whole.getString("id"))
                .add("model", model).add("object", "chat.completion.chunk").add("system_fingerprint", "fp_fakeazure");
        if (includeUsage) {
            head.add("usage", JsonValue.NULL);
        }
        JsonObject header = head.build();
        for (JsonValue value : whole.getJsonArray("choices")) {
            JsonObject choice = value.asJsonObject();
            int index = choice.getInt("index");
            JsonObject message = choice.getJsonObject("message");
            frames.add(chunk(header, index, object().add("content", "").add("refusal", JsonValue.NULL)
                    .add("role", "assistant").build(), JsonValue.NULL, JsonValue.EMPTY_JSON_OBJECT));
            if (message.get("content") instanceof JsonString content) {
                for (String piece : FakeJson.pieces(content.getString())) {
                    frames.add(chunk(header, index, object().add("content", piece).build(), JsonValue.NULL,
                            filters(OUTPUT_FILTERS)));
                }
            }
            JsonArray calls = arrayField(message, "tool_calls");
            if (calls != null) {
                for (int c = 0; c < calls.size(); c++) {
                    JsonObject call = calls.getJsonObject(c);
                    JsonObject function = call.getJsonObject("function");
                    frames.add(chunk(header, index, object().add("tool_calls", array().add(object().add("index", c)
                            .add("id", call.getString("id")).add("type", "function")
                            .add("function", object().add("name", function.getString("name"))
                                    .add("arguments", "")))).build(), JsonValue.NULL, JsonValue.EMPTY_JSON_OBJECT));
                    for (String fragment : FakeJson.fragments(function.getString("arguments"))) {
                        frames.add(chunk(header, index, object().add("tool_calls", array().add(object()
                                .add("index", c).add("function", object().add("arguments", fragment)))).build(),
                                JsonValue.NULL, JsonValue.EMPTY_JSON_OBJECT));
                    }
                }
            }
            frames.add(chunk(header, index, JsonValue.EMPTY_JSON_OBJECT, choice.get("finish_reason"),
                    JsonValue.EMPTY_JSON_OBJECT));
        }
        if (includeUsage) {
            frames.add(SseFrame.data(object(header).add("choices", JsonValue.EMPTY_JSON_ARRAY)
                    .add("usage", whole.getJsonObject("usage")).build()));
        }
        frames.add(SseFrame.done());
        return frames;
    }

    private static SseFrame chunk(JsonObject header, int index, JsonObject delta, JsonValue finishReason,
                                  JsonObject filters) {
        return SseFrame.data(object(header).add("choices", array().add(object()
                .add("content_filter_results", filters).add("delta", delta).add("finish_reason", finishReason)
                .add("index", index).add("logprobs", JsonValue.NULL))).build());
    }

    private JsonObject completion(JsonObject body, String model) {
        Text text = shaped("Hello from Azure! " + FakeJson.allText(body.get("prompt")), body,
                limit(body, "max_tokens"));
        long prompt = Math.max(1, FakeJson.words(FakeJson.allText(body.get("prompt"))));
        long completion = FakeJson.words(text.text());
        return object().add("choices", array().add(object().add("content_filter_results", filters(OUTPUT_FILTERS))
                        .add("finish_reason", text.finishReason()).add("index", 0).add("logprobs", JsonValue.NULL)
                        .add("text", text.text())))
                .add("created", now()).add("id", "cmpl-fake" + ids.incrementAndGet()).add("model", model)
                .add("object", "text_completion").add("prompt_filter_results", promptFilterResults())
                .add("usage", object().add("completion_tokens", completion).add("prompt_tokens", prompt)
                        .add("total_tokens", prompt + completion)).build();
    }

    private List<SseFrame> completionStream(JsonObject body, String model) {
        JsonObject whole = completion(body, model);
        List<SseFrame> frames = new ArrayList<>();
        frames.add(SseFrame.data(promptFilterChunk()));
        JsonObject choice = whole.getJsonArray("choices").getJsonObject(0);
        JsonObject header = object().add("created", whole.getJsonNumber("created")).add("id", whole.getString("id"))
                .add("model", model).add("object", "text_completion").build();
        for (String piece : FakeJson.pieces(choice.getString("text"))) {
            frames.add(SseFrame.data(object(header).add("choices", array().add(object()
                    .add("content_filter_results", filters(OUTPUT_FILTERS)).add("finish_reason", JsonValue.NULL)
                    .add("index", 0).add("logprobs", JsonValue.NULL).add("text", piece))).build()));
        }
        frames.add(SseFrame.data(object(header).add("choices", array().add(object()
                .add("content_filter_results", JsonValue.EMPTY_JSON_OBJECT)
                .add("finish_reason", choice.get("finish_reason")).add("index", 0).add("logprobs", JsonValue.NULL)
                .add("text", ""))).build()));
        JsonObject options = objectField(body, "stream_options");
        if (options != null && options.get("include_usage") == JsonValue.TRUE) {
            frames.add(SseFrame.data(object(header).add("choices", JsonValue.EMPTY_JSON_ARRAY)
                    .add("usage", whole.getJsonObject("usage")).build()));
        }
        frames.add(SseFrame.done());
        return frames;
    }

    private static JsonObject embeddings(JsonObject body, String model) {
        JsonValue input = body.get("input");
        List<String> texts = new ArrayList<>();
        if (input instanceof JsonString string) {
            texts.add(string.getString());
        } else if (input instanceof JsonArray array && array.get(0) instanceof JsonString) {
            array.forEach(value -> texts.add(((JsonString) value).getString()));
        } else if (input instanceof JsonArray array && array.get(0) instanceof JsonArray) {
            array.forEach(value -> texts.add(value.toString()));
        } else {
            texts.add(input.toString());
        }
        int dimensions = body.get("dimensions") instanceof JsonNumber number ? number.intValue() : EMBEDDING_DIMENSIONS;
        boolean base64 = "base64".equals(text(body, "encoding_format"));
        JsonArrayBuilder data = array();
        long tokens = 0;
        for (int i = 0; i < texts.size(); i++) {
            JsonArray vector = FakeJson.vector(texts.get(i), dimensions);
            JsonValue embedding = vector;
            if (base64) {
                ByteBuffer buffer = ByteBuffer.allocate(4 * dimensions).order(ByteOrder.LITTLE_ENDIAN);
                vector.forEach(value -> buffer.putFloat((float) ((JsonNumber) value).doubleValue()));
                embedding = FakeJson.JSON.createValue(Base64.getEncoder().encodeToString(buffer.array()));
            }
            data.add(object().add("object", "embedding").add("index", i).add("embedding", embedding));
            tokens += Math.max(1, FakeJson.words(texts.get(i)));
        }
        return object().add("object", "list").add("data", data).add("model", model)
                .add("usage", object().add("prompt_tokens", tokens).add("total_tokens", tokens)).build();
    }

    private static JsonObject image(JsonObject body) {
        int n = body.get("n") instanceof JsonNumber number ? number.intValue() : 1;
        JsonArrayBuilder data = array();
        for (int i = 0; i < n; i++) {
            data.add(object().add("b64_json", IMAGE_BASE64).add("content_filter_results", filters(OUTPUT_FILTERS))
                    .add("prompt_filter_results", filters(FILTERS)));
        }
        long prompt = Math.max(1, FakeJson.words(text(body, "prompt")));
        return object().add("created", now()).add("data", data)
                .add("usage", object().add("input_tokens", prompt)
                        .add("input_tokens_details", object().add("image_tokens", 0).add("text_tokens", prompt))
                        .add("output_tokens", 272L * n).add("total_tokens", prompt + 272L * n)).build();
    }

    private static List<SseFrame> imageStream(JsonObject body) {
        JsonObject whole = image(body);
        int partials = body.get("partial_images") instanceof JsonNumber number ? number.intValue() : 1;
        List<SseFrame> frames = new ArrayList<>();
        for (int i = 0; i < partials; i++) {
            frames.add(SseFrame.typed(object().add("type", "image_generation.partial_image")
                    .add("b64_json", IMAGE_BASE64).add("created_at", whole.getJsonNumber("created"))
                    .add("size", "1024x1024").add("quality", "low").add("background", "opaque")
                    .add("output_format", "png").add("partial_image_index", i).build()));
        }
        frames.add(SseFrame.typed(object().add("type", "image_generation.completed").add("b64_json", IMAGE_BASE64)
                .add("created_at", whole.getJsonNumber("created")).add("size", "1024x1024").add("quality", "low")
                .add("background", "opaque").add("output_format", "png").add("usage", whole.getJsonObject("usage"))
                .build()));
        return frames;
    }

    private JsonObject response(JsonObject body, String model, String status) {
        long input = Math.max(1, FakeJson.words(FakeJson.allText(body.get("input")))
                + FakeJson.words(text(body, "instructions")));
        JsonArray tools = arrayField(body, "tools");
        JsonValue choice = body.get("tool_choice");
        JsonArrayBuilder output = array();
        long outputTokens;
        String id = "resp_fake" + ids.incrementAndGet();
        boolean forced = tools != null && !tools.isEmpty() && (choice instanceof JsonString string
                && string.getString().equals("required") || choice instanceof JsonObject);
        if (forced) {
            JsonObject tool = tools.getJsonObject(0);
            if (choice instanceof JsonObject object && text(object, "name") != null) {
                for (JsonValue candidate : tools) {
                    if (text(object, "name").equals(text(candidate.asJsonObject(), "name"))) {
                        tool = candidate.asJsonObject();
                    }
                }
            }
            output.add(object().add("type", "function_call").add("id", "fc_fake" + ids.get())
                    .add("call_id", "call_fake" + ids.get()).add("name", text(tool, "name"))
                    .add("arguments", FakeJson.sample(objectField(tool, "parameters")).toString())
                    .add("status", "completed"));
            outputTokens = 10;
        } else {
            String said = body.get("input") instanceof JsonString string ? string.getString()
                    : FakeJson.allText(body.get("input"));
            Text text = shaped("Hello from Azure! You said: " + said, JsonValue.EMPTY_JSON_OBJECT,
                    limit(body, "max_output_tokens"));
            output.add(object().add("type", "message").add("id", "msg_fake" + ids.get()).add("status", "completed")
                    .add("role", "assistant").add("content", array().add(object().add("type", "output_text")
                            .add("text", text.text()).add("annotations", JsonValue.EMPTY_JSON_ARRAY))));
            outputTokens = FakeJson.words(text.text());
        }
        JsonObjectBuilder response = object().add("id", id).add("object", "response").add("created_at", now())
                .add("status", status).add("content_filters", JsonValue.NULL).add("error", JsonValue.NULL)
                .add("incomplete_details", JsonValue.NULL).add("model", model)
                .add("output", status.equals("completed") ? output.build() : JsonValue.EMPTY_JSON_ARRAY)
                .add("parallel_tool_calls", true);
        if (status.equals("completed")) {
            response.add("usage", object().add("input_tokens", input)
                    .add("input_tokens_details", object().add("cached_tokens", 0)).add("output_tokens", outputTokens)
                    .add("output_tokens_details", object().add("reasoning_tokens", 0))
                    .add("total_tokens", input + outputTokens));
        } else {
            response.add("usage", JsonValue.NULL);
        }
        return response.build();
    }

    private List<SseFrame> responsesStream(JsonObject body, String model) {
        JsonObject done = response(body, model, "completed");
        JsonObject pending = object(done).add("status", "in_progress").add("output", JsonValue.EMPTY_JSON_ARRAY)
                .add("usage", JsonValue.NULL).build();
        List<SseFrame> frames = new ArrayList<>();
        int[] sequence = {0};
        java.util.function.Function<JsonObjectBuilder, SseFrame> event = builder ->
                SseFrame.typed(builder.add("sequence_number", sequence[0]++).build());
        frames.add(event.apply(object().add("type", "response.created").add("response", pending)));
        frames.add(event.apply(object().add("type", "response.in_progress").add("response", pending)));
        JsonArray output = done.getJsonArray("output");
        for (int i = 0; i < output.size(); i++) {
            JsonObject item = output.getJsonObject(i);
            String itemId = item.getString("id");
            if ("message".equals(text(item, "type"))) {
                String text = item.getJsonArray("content").getJsonObject(0).getString("text");
                frames.add(event.apply(object().add("type", "response.output_item.added").add("output_index", i)
                        .add("item", object(item).add("status", "in_progress")
                                .add("content", JsonValue.EMPTY_JSON_ARRAY))));
                JsonObject emptyPart = object().add("type", "output_text").add("text", "")
                        .add("annotations", JsonValue.EMPTY_JSON_ARRAY).build();
                frames.add(event.apply(object().add("type", "response.content_part.added").add("item_id", itemId)
                        .add("output_index", i).add("content_index", 0).add("part", emptyPart)));
                for (String piece : FakeJson.pieces(text)) {
                    frames.add(event.apply(object().add("type", "response.output_text.delta").add("item_id", itemId)
                            .add("output_index", i).add("content_index", 0).add("delta", piece)));
                }
                frames.add(event.apply(object().add("type", "response.output_text.done").add("item_id", itemId)
                        .add("output_index", i).add("content_index", 0).add("text", text)));
                frames.add(event.apply(object().add("type", "response.content_part.done").add("item_id", itemId)
                        .add("output_index", i).add("content_index", 0)
                        .add("part", item.getJsonArray("content").getJsonObject(0))));
            } else {
                frames.add(event.apply(object().add("type", "response.output_item.added").add("output_index", i)
                        .add("item", object(item).add("status", "in_progress").add("arguments", ""))));
                String arguments = item.getString("arguments");
                for (String fragment : FakeJson.fragments(arguments)) {
                    frames.add(event.apply(object().add("type", "response.function_call_arguments.delta")
                            .add("item_id", itemId).add("output_index", i).add("delta", fragment)));
                }
                frames.add(event.apply(object().add("type", "response.function_call_arguments.done")
                        .add("item_id", itemId).add("output_index", i).add("arguments", arguments)));
            }
            frames.add(event.apply(object().add("type", "response.output_item.done").add("output_index", i)
                    .add("item", item)));
        }
        frames.add(event.apply(object().add("type", "response.completed").add("response", done)));
        return frames;
    }
}
