package io.gateway.plugins.azure;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fake Azure OpenAI resource on a loopback port, strict the way the real service is.
 *
 * <p>Requests must carry {@code api-key} with one of the resource's two keys (else 401 with Azure's
 * "Access denied" body). The classic form needs a known {@code api-version} (else 404 "Resource not
 * found", as Azure answers) and an existing deployment (else 404 {@code DeploymentNotFound}); the
 * Responses endpoint needs a preview version and takes the deployment from the body's
 * {@code model}. The {@code /openai/v1/} form refuses an {@code api-version} and takes the deployment
 * from {@code model}. A deployment serves only its model's operations (else 400
 * {@code OperationNotSupported}), and each operation's required fields are checked.
 *
 * <p>Answers are Azure-shaped: OpenAI bodies with {@code prompt_filter_results} and
 * {@code content_filter_results}; chat and text-completion streams open with a chunk whose
 * {@code choices} is empty and which carries only {@code prompt_filter_results}. Markers in the
 * prompt provoke failures: {@code [filter]} a content-filter rejection, {@code [ratelimit]} a 429
 * with {@code retry-after}, {@code [boom]} a 500; {@code [gate]} holds a stream after its first
 * event until {@link #releaseGate()} (or five seconds).
 */
final class FakeAzure implements AutoCloseable {

    /** The resource's first key. */
    static final String KEY1 = "fake-azure-key-1";
    /** The resource's second key. */
    static final String KEY2 = "fake-azure-key-2";
    /** The dated versions the classic form accepts. */
    static final Set<String> API_VERSIONS = Set.of("2024-06-01", "2024-10-21", "2025-03-01-preview",
            "2025-04-01-preview");
    /** The versions the classic Responses endpoint accepts. */
    static final Set<String> RESPONSES_API_VERSIONS = Set.of("2025-03-01-preview", "2025-04-01-preview");

    static final String ACCESS_DENIED = "{\"error\":{\"code\":\"401\",\"message\":\"Access denied due to invalid "
            + "subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription "
            + "and use a correct regional API endpoint for your resource.\"}}";
    static final String RESOURCE_NOT_FOUND = "{\"error\":{\"code\":\"404\",\"message\":\"Resource not found\"}}";
    static final String DEPLOYMENT_NOT_FOUND = "{\"error\":{\"code\":\"DeploymentNotFound\",\"message\":\"The API "
            + "deployment for this resource does not exist. If you created the deployment within the last 5 "
            + "minutes, please wait a moment and try again.\"}}";

    private static final String FILTERS = "{\"hate\":{\"filtered\":false,\"severity\":\"safe\"},\"jailbreak\":"
            + "{\"filtered\":false,\"detected\":false},\"self_harm\":{\"filtered\":false,\"severity\":\"safe\"},"
            + "\"sexual\":{\"filtered\":false,\"severity\":\"safe\"},\"violence\":{\"filtered\":false,"
            + "\"severity\":\"safe\"}}";
    private static final String OUTPUT_FILTERS = "{\"hate\":{\"filtered\":false,\"severity\":\"safe\"},"
            + "\"self_harm\":{\"filtered\":false,\"severity\":\"safe\"},\"sexual\":{\"filtered\":false,"
            + "\"severity\":\"safe\"},\"violence\":{\"filtered\":false,\"severity\":\"safe\"}}";
    private static final String PROMPT_FILTER_RESULTS = "[{\"prompt_index\":0,\"content_filter_results\":"
            + FILTERS + "}]";
    private static final String TINY_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGA"
            + "hKmMIQAAAABJRU5ErkJggg==";
    private static final Pattern DEPLOYMENT_PATH = Pattern.compile("/openai/deployments/([^/]+)/(.+)");
    private static final Set<String> DEPLOYMENT_OPERATIONS = Set.of("chat/completions", "completions",
            "embeddings", "images/generations");
    private static final Set<String> V1_OPERATIONS = Set.of("chat/completions", "completions", "embeddings",
            "images/generations", "responses");

    /** What a deployment's model can do. */
    enum Kind { CHAT, INSTRUCT, EMBEDDING, IMAGE }

    /**
     * A deployment of the resource.
     *
     * @param name  the deployment name
     * @param model the model it runs, as Azure reports it in answers
     * @param kind  what the model can do
     */
    record Deployment(String name, String model, Kind kind) {
    }

    /**
     * One request as received.
     *
     * @param method  HTTP method
     * @param path    the decoded path
     * @param rawPath the path as sent
     * @param query   decoded query parameters
     * @param headers the request headers
     * @param body    the body bytes
     */
    record Recorded(String method, String path, String rawPath, Map<String, String> query, Headers headers,
                    byte[] body) {
        JsonObject json() {
            return JsonBodies.parse(body);
        }
    }

    private final Map<String, Deployment> deployments = new LinkedHashMap<>();
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final CountDownLatch gate = new CountDownLatch(1);
    private final AtomicBoolean gateTimedOut = new AtomicBoolean();
    private volatile byte[] lastAnswer = new byte[0];

    FakeAzure() throws IOException {
        for (Deployment deployment : List.of(
                new Deployment("chat-prod", "gpt-4o-2024-08-06", Kind.CHAT),
                new Deployment("chat-eu", "gpt-4o-2024-08-06", Kind.CHAT),
                new Deployment("gpt-4o", "gpt-4o-2024-08-06", Kind.CHAT),
                new Deployment("gpt41-prod", "gpt-4.1-2025-04-14", Kind.CHAT),
                new Deployment("instruct-prod", "gpt-35-turbo-instruct", Kind.INSTRUCT),
                new Deployment("embed-prod", "text-embedding-3-small", Kind.EMBEDDING),
                new Deployment("image-prod", "gpt-image-1", Kind.IMAGE))) {
            deployments.put(deployment.name(), deployment);
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * The resource endpoint, as {@code base-url} takes it.
     *
     * @return {@code http://127.0.0.1:PORT}
     */
    String baseUrl() {
        return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort();
    }

    /**
     * The requests received so far.
     *
     * @return the requests in order
     */
    List<Recorded> requests() {
        return List.copyOf(requests);
    }

    /**
     * The latest request.
     *
     * @return the request
     */
    Recorded last() {
        if (requests.isEmpty()) {
            throw new AssertionError("the fake received no request");
        }
        return requests.get(requests.size() - 1);
    }

    /**
     * The body of the latest complete (non-streamed) answer, exactly as sent.
     *
     * @return the bytes
     */
    byte[] lastAnswer() {
        return lastAnswer.clone();
    }

    /** Lets a {@code [gate]} stream send the rest of its events. */
    void releaseGate() {
        gate.countDown();
    }

    /**
     * Whether a {@code [gate]} stream gave up waiting for {@link #releaseGate()}.
     *
     * @return {@code true} if it timed out
     */
    boolean gateTimedOut() {
        return gateTimedOut.get();
    }

    @Override
    public void close() {
        gate.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) {
        try {
            dispatch(exchange);
        } catch (IOException clientGone) {
            // the client closed the connection mid-answer (a test that cancels a stream)
        } catch (RuntimeException e) {
            try {
                sendJson(exchange, 500, "{\"error\":{\"code\":\"InternalServerError\",\"message\":\"fake "
                        + "failure: " + e.getClass().getSimpleName() + "\"}}", Map.of());
            } catch (IOException | RuntimeException alreadyAnswered) {
                // headers were sent before the failure; the connection just ends
            }
        } finally {
            exchange.close();
        }
    }

    private void dispatch(HttpExchange exchange) throws IOException {
        URI uri = exchange.getRequestURI();
        String rawPath = uri.getRawPath();
        String path = decode(rawPath);
        Map<String, String> query = query(uri.getRawQuery());
        byte[] body = exchange.getRequestBody().readAllBytes();
        Headers headers = Headers.of(exchange.getRequestHeaders());
        requests.add(new Recorded(exchange.getRequestMethod(), path, rawPath, query, headers, body));
        exchange.getResponseHeaders().set("apim-request-id", UUID.randomUUID().toString());
        exchange.getResponseHeaders().set("x-request-id", UUID.randomUUID().toString());
        exchange.getResponseHeaders().set("x-ms-region", "Sweden Central");

        String key = headers.first("api-key").orElse(null);
        if (!KEY1.equals(key) && !KEY2.equals(key)) {
            sendJson(exchange, 401, ACCESS_DENIED, Map.of());
            return;
        }
        if (path.startsWith("/openai/v1/")) {
            if (query.containsKey("api-version")) {
                sendJson(exchange, 400, "{\"error\":{\"code\":\"BadRequest\",\"message\":\"api-version query "
                        + "parameter is not allowed when using /v1 path\"}}", Map.of());
                return;
            }
            String operation = path.substring("/openai/v1/".length());
            if (operation.equals("models")) {
                models(exchange);
            } else if (V1_OPERATIONS.contains(operation)) {
                inferenceWithModelInBody(exchange, operation, body);
            } else {
                sendJson(exchange, 404, RESOURCE_NOT_FOUND, Map.of());
            }
            return;
        }
        if (path.equals("/openai/models")) {
            if (!known(API_VERSIONS, query.get("api-version"))) {
                sendJson(exchange, 404, RESOURCE_NOT_FOUND, Map.of());
                return;
            }
            models(exchange);
            return;
        }
        if (path.equals("/openai/responses")) {
            if (!known(RESPONSES_API_VERSIONS, query.get("api-version"))) {
                sendJson(exchange, 404, RESOURCE_NOT_FOUND, Map.of());
                return;
            }
            inferenceWithModelInBody(exchange, "responses", body);
            return;
        }
        Matcher matcher = DEPLOYMENT_PATH.matcher(rawPath);
        if (matcher.matches() && DEPLOYMENT_OPERATIONS.contains(matcher.group(2))) {
            if (!known(API_VERSIONS, query.get("api-version"))) {
                sendJson(exchange, 404, RESOURCE_NOT_FOUND, Map.of());
                return;
            }
            Deployment deployment = deployments.get(decode(matcher.group(1)));
            if (deployment == null) {
                sendJson(exchange, 404, DEPLOYMENT_NOT_FOUND, Map.of());
                return;
            }
            JsonObject json = jsonBody(exchange, body);
            if (json != null) {
                inference(exchange, matcher.group(2), deployment, json);
            }
            return;
        }
        sendJson(exchange, 404, RESOURCE_NOT_FOUND, Map.of());
    }

    private void inferenceWithModelInBody(HttpExchange exchange, String operation, byte[] body) throws IOException {
        JsonObject json = jsonBody(exchange, body);
        if (json == null) {
            return;
        }
        String model = JsonBodies.string(json, "model");
        if (model == null) {
            sendJson(exchange, 400, missing("model"), Map.of());
            return;
        }
        Deployment deployment = deployments.get(model);
        if (deployment == null) {
            sendJson(exchange, 404, DEPLOYMENT_NOT_FOUND, Map.of());
            return;
        }
        inference(exchange, operation, deployment, json);
    }

    private JsonObject jsonBody(HttpExchange exchange, byte[] body) throws IOException {
        if (!exchange.getRequestMethod().equals("POST")) {
            sendJson(exchange, 405, "{\"error\":{\"code\":\"405\",\"message\":\"Method not allowed\"}}", Map.of());
            return null;
        }
        String contentType = exchange.getRequestHeaders().getFirst("content-type");
        if (contentType == null || !contentType.startsWith("application/json")) {
            sendJson(exchange, 415, "{\"error\":{\"code\":\"UnsupportedMediaType\",\"message\":\"Content-Type "
                    + "must be application/json\"}}", Map.of());
            return null;
        }
        try {
            return JsonBodies.parse(body);
        } catch (GatewayException notJson) {
            sendJson(exchange, 400, "{\"error\":{\"message\":\"We could not parse the JSON body of your request.\","
                    + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}", Map.of());
            return null;
        }
    }

    private void inference(HttpExchange exchange, String operation, Deployment deployment, JsonObject json)
            throws IOException {
        Kind needed = switch (operation) {
            case "chat/completions", "responses" -> Kind.CHAT;
            case "completions" -> Kind.INSTRUCT;
            case "embeddings" -> Kind.EMBEDDING;
            default -> Kind.IMAGE;
        };
        if (deployment.kind() != needed) {
            sendJson(exchange, 400, "{\"error\":{\"code\":\"OperationNotSupported\",\"message\":\"The " + operation
                    + " operation does not work with the specified model, " + deployment.model() + ". Please choose "
                    + "different model and try again.\"}}", Map.of());
            return;
        }
        String required = switch (operation) {
            case "chat/completions" -> "messages";
            case "completions", "images/generations" -> "prompt";
            default -> "input";
        };
        JsonValue requiredValue = json.get(required);
        if (requiredValue == null || requiredValue == JsonValue.NULL
                || requiredValue instanceof JsonArray array && array.isEmpty()) {
            sendJson(exchange, 400, missing(required), Map.of());
            return;
        }
        String text = promptText(requiredValue);
        if (text.contains("[filter]")) {
            sendJson(exchange, 400, operation.equals("images/generations") ? imageFilterError() : filterError(),
                    Map.of());
            return;
        }
        if (text.contains("[ratelimit]")) {
            sendJson(exchange, 429, "{\"error\":{\"code\":\"429\",\"message\":\"Requests to the " + operation
                    + " Operation under Azure OpenAI API version 2024-10-21 have exceeded token rate limit of your "
                    + "current OpenAI S0 pricing tier. Please retry after 7 seconds.\"}}",
                    Map.of("retry-after", "7", "retry-after-ms", "7000", "x-ratelimit-remaining-requests", "0",
                            "x-ratelimit-remaining-tokens", "0"));
            return;
        }
        if (text.contains("[boom]")) {
            sendJson(exchange, 500, "{\"error\":{\"code\":\"InternalServerError\",\"message\":\"The service is "
                    + "temporarily unable to process your request. Please try again later.\"}}", Map.of());
            return;
        }
        boolean stream = json.get("stream") == JsonValue.TRUE;
        boolean gated = text.contains("[gate]");
        String model = deployment.model();
        switch (operation) {
            case "chat/completions" -> {
                if (stream) {
                    chatStream(exchange, model, includeUsage(json), gated);
                } else {
                    sendJson(exchange, 200, chat(model), okHeaders());
                }
            }
            case "completions" -> {
                if (stream) {
                    completionStream(exchange, model, gated);
                } else {
                    sendJson(exchange, 200, completion(model), okHeaders());
                }
            }
            case "embeddings" -> sendJson(exchange, 200, embeddings(model, requiredValue,
                    "base64".equals(JsonBodies.string(json, "encoding_format"))), okHeaders());
            case "images/generations" -> {
                if (stream) {
                    imageStream(exchange, gated);
                } else {
                    sendJson(exchange, 200, image(), okHeaders());
                }
            }
            default -> {
                if (stream) {
                    responsesStream(exchange, model, gated);
                } else {
                    sendJson(exchange, 200, response(model), okHeaders());
                }
            }
        }
    }

    private static boolean includeUsage(JsonObject json) {
        return json.get("stream_options") instanceof JsonObject options && options.get("include_usage") == JsonValue.TRUE;
    }

    private static String promptText(JsonValue value) {
        StringBuilder text = new StringBuilder();
        collectText(value, text);
        return text.toString();
    }

    private static void collectText(JsonValue value, StringBuilder text) {
        if (value instanceof JsonString string) {
            text.append(string.getString()).append(' ');
        } else if (value instanceof JsonArray array) {
            array.forEach(item -> collectText(item, text));
        } else if (value instanceof JsonObject object) {
            object.values().forEach(item -> collectText(item, text));
        }
    }

    private static String missing(String field) {
        return "{\"error\":{\"message\":\"Missing required parameter: '" + field + "'.\",\"type\":"
                + "\"invalid_request_error\",\"param\":\"" + field + "\",\"code\":\"missing_required_parameter\"}}";
    }

    static String filterError() {
        return "{\"error\":{\"message\":\"The response was filtered due to the prompt triggering Azure OpenAI's "
                + "content management policy. Please modify your prompt and retry. To learn more about our content "
                + "filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766\","
                + "\"type\":null,\"param\":\"prompt\",\"code\":\"content_filter\",\"status\":400,\"innererror\":"
                + "{\"code\":\"ResponsibleAIPolicyViolation\",\"content_filter_result\":{\"hate\":{\"filtered\":false,"
                + "\"severity\":\"safe\"},\"jailbreak\":{\"filtered\":false,\"detected\":false},\"self_harm\":"
                + "{\"filtered\":false,\"severity\":\"safe\"},\"sexual\":{\"filtered\":false,\"severity\":\"safe\"},"
                + "\"violence\":{\"filtered\":true,\"severity\":\"medium\"}}}}}";
    }

    static String imageFilterError() {
        return "{\"error\":{\"code\":\"content_policy_violation\",\"inner_error\":{\"code\":"
                + "\"ResponsibleAIPolicyViolation\",\"content_filter_results\":{\"jailbreak\":{\"detected\":false,"
                + "\"filtered\":false},\"violence\":{\"filtered\":true,\"severity\":\"high\"}}},\"message\":\"Your "
                + "request was rejected as a result of our safety system. Your prompt may contain text that is not "
                + "allowed by our safety system.\",\"type\":\"invalid_request_error\"}}";
    }

    private static Map<String, String> okHeaders() {
        return Map.of("x-ratelimit-remaining-requests", "99", "x-ratelimit-remaining-tokens", "89000",
                "x-ratelimit-limit-requests", "100");
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }

    private static String chat(String model) {
        return "{\"choices\":[{\"content_filter_results\":" + OUTPUT_FILTERS + ",\"finish_reason\":\"stop\",\"index\":0,"
                + "\"logprobs\":null,\"message\":{\"annotations\":[],\"content\":\"Hello from Azure\",\"refusal\":null,"
                + "\"role\":\"assistant\"}}],\"created\":" + now() + ",\"id\":\"chatcmpl-AZ1\",\"model\":\"" + model
                + "\",\"object\":\"chat.completion\",\"prompt_filter_results\":" + PROMPT_FILTER_RESULTS
                + ",\"system_fingerprint\":\"fp_azure\",\"usage\":{\"completion_tokens\":3,\"completion_tokens_details\":"
                + "{\"reasoning_tokens\":0},\"prompt_tokens\":9,\"prompt_tokens_details\":{\"cached_tokens\":0},"
                + "\"total_tokens\":12}}";
    }

    private static String completion(String model) {
        return "{\"choices\":[{\"content_filter_results\":" + OUTPUT_FILTERS + ",\"finish_reason\":\"stop\",\"index\":0,"
                + "\"logprobs\":null,\"text\":\"Hello from Azure\"}],\"created\":" + now() + ",\"id\":\"cmpl-AZ2\","
                + "\"model\":\"" + model + "\",\"object\":\"text_completion\",\"prompt_filter_results\":"
                + PROMPT_FILTER_RESULTS + ",\"usage\":{\"completion_tokens\":3,\"prompt_tokens\":4,\"total_tokens\":7}}";
    }

    private static String embeddings(String model, JsonValue input, boolean base64) {
        int count = input instanceof JsonArray array && !array.isEmpty() && !(array.get(0) instanceof jakarta.json.JsonNumber)
                ? array.size() : 1;
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                data.append(',');
            }
            String vector;
            if (base64) {
                ByteBuffer buffer = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
                buffer.putFloat(0.1f).putFloat(-0.2f).putFloat(0.3f + i);
                vector = "\"" + Base64.getEncoder().encodeToString(buffer.array()) + "\"";
            } else {
                vector = "[0.1,-0.2," + (0.3 + i) + "]";
            }
            data.append("{\"object\":\"embedding\",\"index\":").append(i).append(",\"embedding\":").append(vector)
                    .append('}');
        }
        return "{\"object\":\"list\",\"data\":[" + data + "],\"model\":\"" + model + "\",\"usage\":"
                + "{\"prompt_tokens\":" + (3 * count) + ",\"total_tokens\":" + (3 * count) + "}}";
    }

    private static String image() {
        return "{\"created\":" + now() + ",\"data\":[{\"b64_json\":\"" + TINY_PNG + "\",\"content_filter_results\":"
                + OUTPUT_FILTERS + ",\"prompt_filter_results\":" + FILTERS + "}],\"usage\":{\"input_tokens\":12,"
                + "\"input_tokens_details\":{\"image_tokens\":0,\"text_tokens\":12},\"output_tokens\":272,"
                + "\"total_tokens\":284}}";
    }

    private static String responseObject(String model, String status, boolean withOutput) {
        String output = withOutput ? "[{\"type\":\"message\",\"id\":\"msg_AZ4\",\"status\":\"completed\",\"role\":"
                + "\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"Hello from Azure\",\"annotations\":"
                + "[]}]}]" : "[]";
        String usage = withOutput ? "{\"input_tokens\":9,\"input_tokens_details\":{\"cached_tokens\":0},"
                + "\"output_tokens\":3,\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":12}" : "null";
        return "{\"id\":\"resp_AZ3\",\"object\":\"response\",\"created_at\":" + now() + ",\"status\":\"" + status
                + "\",\"content_filters\":null,\"error\":null,\"incomplete_details\":null,\"model\":\"" + model
                + "\",\"output\":" + output + ",\"parallel_tool_calls\":true,\"usage\":" + usage + "}";
    }

    private static String response(String model) {
        return responseObject(model, "completed", true);
    }

    private static final class Sse {
        private final OutputStream out;

        Sse(HttpExchange exchange) throws IOException {
            exchange.getResponseHeaders().set("content-type", "text/event-stream; charset=utf-8");
            exchange.getResponseHeaders().set("cache-control", "no-cache");
            okHeaders().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
            exchange.sendResponseHeaders(200, 0);
            this.out = exchange.getResponseBody();
        }

        void data(String json) throws IOException {
            write("data: " + json + "\n\n");
        }

        void event(String type, String json) throws IOException {
            write("event: " + type + "\ndata: " + json + "\n\n");
        }

        private void write(String frame) throws IOException {
            out.write(frame.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    private void holdIf(boolean gated) {
        if (gated) {
            try {
                gateTimedOut.set(!gate.await(5, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void chatStream(HttpExchange exchange, String model, boolean includeUsage, boolean gated)
            throws IOException {
        Sse sse = new Sse(exchange);
        sse.data("{\"choices\":[],\"created\":0,\"id\":\"\",\"model\":\"\",\"object\":\"\",\"prompt_filter_results\":"
                + PROMPT_FILTER_RESULTS + "}");
        holdIf(gated);
        String head = "{\"choices\":[{\"content_filter_results\":";
        String tail = ",\"created\":" + now() + ",\"id\":\"chatcmpl-AZ1\",\"model\":\"" + model
                + "\",\"object\":\"chat.completion.chunk\",\"system_fingerprint\":\"fp_azure\"}";
        sse.data(head + "{},\"delta\":{\"content\":\"\",\"refusal\":null,\"role\":\"assistant\"},\"finish_reason\":null,"
                + "\"index\":0,\"logprobs\":null}]" + tail);
        for (String piece : List.of("Hello", " from", " Azure")) {
            sse.data(head + OUTPUT_FILTERS + ",\"delta\":{\"content\":\"" + piece + "\"},\"finish_reason\":null,"
                    + "\"index\":0,\"logprobs\":null}]" + tail);
        }
        sse.data(head + "{},\"delta\":{},\"finish_reason\":\"stop\",\"index\":0,\"logprobs\":null}]" + tail);
        if (includeUsage) {
            sse.data("{\"choices\":[]" + tail.substring(0, tail.length() - 1) + ",\"usage\":{\"completion_tokens\":3,"
                    + "\"prompt_tokens\":9,\"total_tokens\":12}}");
        }
        sse.data("[DONE]");
    }

    private void completionStream(HttpExchange exchange, String model, boolean gated) throws IOException {
        Sse sse = new Sse(exchange);
        sse.data("{\"choices\":[],\"created\":0,\"id\":\"\",\"model\":\"\",\"object\":\"\",\"prompt_filter_results\":"
                + PROMPT_FILTER_RESULTS + "}");
        holdIf(gated);
        String tail = ",\"created\":" + now() + ",\"id\":\"cmpl-AZ2\",\"model\":\"" + model
                + "\",\"object\":\"text_completion\"}";
        for (String piece : List.of("Hello", " from", " Azure")) {
            sse.data("{\"choices\":[{\"content_filter_results\":" + OUTPUT_FILTERS + ",\"finish_reason\":null,"
                    + "\"index\":0,\"logprobs\":null,\"text\":\"" + piece + "\"}]" + tail);
        }
        sse.data("{\"choices\":[{\"content_filter_results\":{},\"finish_reason\":\"stop\",\"index\":0,\"logprobs\":null,"
                + "\"text\":\"\"}]" + tail);
        sse.data("[DONE]");
    }

    private void responsesStream(HttpExchange exchange, String model, boolean gated) throws IOException {
        Sse sse = new Sse(exchange);
        int sequence = 0;
        sse.event("response.created", "{\"type\":\"response.created\",\"sequence_number\":" + sequence++
                + ",\"response\":" + responseObject(model, "in_progress", false) + "}");
        holdIf(gated);
        sse.event("response.in_progress", "{\"type\":\"response.in_progress\",\"sequence_number\":" + sequence++
                + ",\"response\":" + responseObject(model, "in_progress", false) + "}");
        sse.event("response.output_item.added", "{\"type\":\"response.output_item.added\",\"sequence_number\":"
                + sequence++ + ",\"output_index\":0,\"item\":{\"type\":\"message\",\"id\":\"msg_AZ4\",\"status\":"
                + "\"in_progress\",\"role\":\"assistant\",\"content\":[]}}");
        sse.event("response.content_part.added", "{\"type\":\"response.content_part.added\",\"sequence_number\":"
                + sequence++ + ",\"item_id\":\"msg_AZ4\",\"output_index\":0,\"content_index\":0,\"part\":{\"type\":"
                + "\"output_text\",\"text\":\"\",\"annotations\":[]}}");
        for (String piece : List.of("Hello", " from", " Azure")) {
            sse.event("response.output_text.delta", "{\"type\":\"response.output_text.delta\",\"sequence_number\":"
                    + sequence++ + ",\"item_id\":\"msg_AZ4\",\"output_index\":0,\"content_index\":0,\"delta\":\""
                    + piece + "\"}");
        }
        sse.event("response.output_text.done", "{\"type\":\"response.output_text.done\",\"sequence_number\":"
                + sequence++ + ",\"item_id\":\"msg_AZ4\",\"output_index\":0,\"content_index\":0,\"text\":"
                + "\"Hello from Azure\"}");
        sse.event("response.content_part.done", "{\"type\":\"response.content_part.done\",\"sequence_number\":"
                + sequence++ + ",\"item_id\":\"msg_AZ4\",\"output_index\":0,\"content_index\":0,\"part\":{\"type\":"
                + "\"output_text\",\"text\":\"Hello from Azure\",\"annotations\":[]}}");
        sse.event("response.output_item.done", "{\"type\":\"response.output_item.done\",\"sequence_number\":"
                + sequence++ + ",\"output_index\":0,\"item\":{\"type\":\"message\",\"id\":\"msg_AZ4\",\"status\":"
                + "\"completed\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":"
                + "\"Hello from Azure\",\"annotations\":[]}]}}");
        sse.event("response.completed", "{\"type\":\"response.completed\",\"sequence_number\":" + sequence
                + ",\"response\":" + responseObject(model, "completed", true) + "}");
    }

    private void imageStream(HttpExchange exchange, boolean gated) throws IOException {
        Sse sse = new Sse(exchange);
        sse.event("image_generation.partial_image", "{\"type\":\"image_generation.partial_image\",\"b64_json\":\""
                + TINY_PNG + "\",\"created_at\":" + now() + ",\"size\":\"1024x1024\",\"quality\":\"low\","
                + "\"background\":\"opaque\",\"output_format\":\"png\",\"partial_image_index\":0}");
        holdIf(gated);
        sse.event("image_generation.completed", "{\"type\":\"image_generation.completed\",\"b64_json\":\"" + TINY_PNG
                + "\",\"created_at\":" + now() + ",\"size\":\"1024x1024\",\"quality\":\"low\",\"background\":"
                + "\"opaque\",\"output_format\":\"png\",\"usage\":{\"input_tokens\":12,\"input_tokens_details\":"
                + "{\"image_tokens\":0,\"text_tokens\":12},\"output_tokens\":272,\"total_tokens\":284}}");
    }

    private void models(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals("GET")) {
            sendJson(exchange, 405, "{\"error\":{\"code\":\"405\",\"message\":\"Method not allowed\"}}", Map.of());
            return;
        }
        sendJson(exchange, 200, "{\"data\":[{\"status\":\"succeeded\",\"capabilities\":{\"fine_tune\":false,"
                + "\"inference\":true,\"completion\":false,\"chat_completion\":true,\"embeddings\":false},"
                + "\"lifecycle_status\":\"generally-available\",\"id\":\"gpt-4o-2024-08-06\",\"created_at\":1723075200,"
                + "\"object\":\"model\"},{\"status\":\"succeeded\",\"capabilities\":{\"fine_tune\":false,\"inference\":"
                + "true,\"completion\":false,\"chat_completion\":false,\"embeddings\":true},\"lifecycle_status\":"
                + "\"generally-available\",\"id\":\"text-embedding-3-small\",\"created_at\":1705968000,\"object\":"
                + "\"model\"}],\"object\":\"list\"}", okHeaders());
    }

    private void sendJson(HttpExchange exchange, int status, String json, Map<String, String> headers)
            throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        lastAnswer = bytes;
        exchange.getResponseHeaders().set("content-type", "application/json");
        headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static boolean known(Set<String> versions, String version) {
        return version != null && versions.contains(version);
    }

    private static String decode(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> result = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return result;
        }
        for (String pair : raw.split("&")) {
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            result.put(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return result;
    }
}
