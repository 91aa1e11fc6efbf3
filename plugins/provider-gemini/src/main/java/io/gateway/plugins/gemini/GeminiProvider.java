package io.gateway.plugins.gemini;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.spi.Response;
import io.gateway.spi.upstream.UpstreamClient;
import io.gateway.spi.upstream.UpstreamResponse;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Translates OpenAI-format calls to the Gemini API and back. Each call is translated, sent through the
 * server's {@link UpstreamClient} with the call's deadline, and its answer (or stream) translated to
 * OpenAI's shape. Stateless and thread-safe.
 */
final class GeminiProvider implements Provider {

    private static final Set<Operation> OPERATIONS = Set.copyOf(EnumSet.of(Operation.CHAT_COMPLETION,
            Operation.RESPONSES, Operation.EMBEDDING, Operation.IMAGE_GENERATION, Operation.LIST_MODELS));

    /** A bare model id ({@code gemini-2.5-flash}); resource names ({@code models/…}) are accepted too. */
    private static final Pattern MODEL_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private final String name;
    private final String versionBase;
    private final Headers fixedHeaders;
    private final UpstreamClient upstream;
    private final Clock clock;

    GeminiProvider(String name, String baseUrl, String apiVersion, Map<String, String> extraHeaders,
                   UpstreamClient upstream, Clock clock) {
        this.name = name;
        this.versionBase = baseUrl + "/" + apiVersion + "/";
        Headers.Builder headers = Headers.builder();
        extraHeaders.forEach(headers::set);
        this.fixedHeaders = headers.build();
        this.upstream = upstream;
        this.clock = clock;
    }

    @Override
    public Set<Operation> operations() {
        return OPERATIONS;
    }

    @Override
    public Response call(ProviderCall call) {
        return switch (call.operation()) {
            case CHAT_COMPLETION -> ChatCompletions.call(this, call);
            case RESPONSES -> Responses.call(this, call);
            case EMBEDDING -> Embeddings.call(this, call);
            case IMAGE_GENERATION -> Images.call(this, call);
            case LIST_MODELS -> Models.call(this, call);
            default -> throw GatewayException.of(ErrorCode.UNSUPPORTED_OPERATION,
                    "provider " + name + " (gemini) does not offer " + call.operation().wireName());
        };
    }

    /** Seconds since the epoch, for {@code created} fields. */
    long now() {
        return clock.instant().getEpochSecond();
    }

    /**
     * The resource name of a model: {@code models/gemini-2.5-flash}. Ids that would change the
     * request path answer 400 instead of reaching another endpoint.
     */
    static String resource(String model) {
        if (model == null || model.isBlank()) {
            throw GatewayException.invalidRequest("'model' is required", "model");
        }
        String id = model;
        String collection = "models/";
        if (model.startsWith("models/")) {
            id = model.substring("models/".length());
        } else if (model.startsWith("tunedModels/")) {
            id = model.substring("tunedModels/".length());
            collection = "tunedModels/";
        }
        if (!MODEL_ID.matcher(id).matches()) {
            throw GatewayException.invalidRequest("'" + model + "' is not a Gemini model name", "model");
        }
        return collection + id;
    }

    /** {@code {base}/{version}/models/{model}:{method}}, with {@code ?alt=sse} for streams. */
    URI endpoint(String model, String method, boolean sse) {
        return URI.create(versionBase + resource(model) + ":" + method + (sse ? "?alt=sse" : ""));
    }

    /** {@code {base}/{version}/models} with a page size and optional page token. */
    URI modelsEndpoint(int pageSize, String pageToken) {
        String query = "?pageSize=" + pageSize;
        if (pageToken != null && !pageToken.isEmpty()) {
            query += "&pageToken=" + URLEncoder.encode(pageToken, StandardCharsets.UTF_8).replace("+", "%20");
        }
        return URI.create(versionBase + "models" + query);
    }

    private Headers headers(ProviderCall call, boolean json) {
        Headers.Builder headers = fixedHeaders.toBuilder();
        if (!call.key().value().isEmpty()) {
            headers.set("x-goog-api-key", call.key().value().reveal());
        }
        if (json) {
            headers.set("content-type", "application/json");
        }
        return headers.build();
    }

    /**
     * POSTs a JSON body and returns the open response once it answered 2xx; any other status is
     * read and thrown as the translated Gemini error.
     */
    UpstreamResponse post(ProviderCall call, URI uri, JsonObject body) {
        UpstreamResponse response = upstream.send(call.request("POST", uri, headers(call, true),
                JsonBodies.toBytes(body)));
        return checked(response);
    }

    /** GETs a JSON document and returns it with the relayed headers. */
    Answer get(ProviderCall call, URI uri) {
        UpstreamResponse response = checked(upstream.send(call.request("GET", uri, headers(call, false), null)));
        return read(response);
    }

    /** POSTs a JSON body and reads the whole JSON answer. */
    Answer postForJson(ProviderCall call, URI uri, JsonObject body) {
        return read(post(call, uri, body));
    }

    private Answer read(UpstreamResponse response) {
        try (response) {
            Headers relayed = GeminiErrors.relayed(response.headers());
            byte[] bytes = response.body();
            if (bytes.length == 0) {
                throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "provider " + name
                        + " (gemini) answered HTTP " + response.status() + " with an empty body");
            }
            return new Answer(JsonBodies.parse(bytes), relayed);
        }
    }

    private static UpstreamResponse checked(UpstreamResponse response) {
        int status = response.status();
        if (status >= 200 && status <= 299) {
            return response;
        }
        Headers relayed = GeminiErrors.relayed(response.headers());
        byte[] errorBody;
        try (response) {
            errorBody = response.body();
        } catch (GatewayException e) {
            errorBody = new byte[0];
        }
        throw GeminiErrors.toException(status, errorBody, relayed);
    }

    @Override
    public String toString() {
        return "GeminiProvider[" + name + " " + versionBase + "]";
    }

    /**
     * A parsed upstream answer.
     *
     * @param body    the JSON document
     * @param headers the upstream headers worth passing to the client
     */
    record Answer(JsonObject body, Headers headers) {
    }
}
