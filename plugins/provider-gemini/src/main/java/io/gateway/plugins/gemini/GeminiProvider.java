package io.gateway.plugins.gemini;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.toolkit.settings.BaseUrl;
import io.gateway.toolkit.upstream.Answer;
import io.gateway.toolkit.upstream.UpstreamCalls;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Translates OpenAI-format calls to the Gemini API and back. Each call is translated, sent through the
 * server's upstream client with the call's deadline, and its answer (or stream) translated to OpenAI's
 * shape. Stateless and thread-safe.
 */
final class GeminiProvider implements Provider {

    private static final Set<Operation> OPERATIONS = Set.copyOf(EnumSet.of(Operation.CHAT_COMPLETION,
            Operation.RESPONSES, Operation.EMBEDDING, Operation.IMAGE_GENERATION, Operation.LIST_MODELS));

    /** A bare model id ({@code gemini-2.5-flash}); resource names ({@code models/…}) are accepted too. */
    private static final Pattern MODEL_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private final String name;
    private final String versionBase;
    private final UpstreamCalls upstream;
    private final Clock clock;

    /**
     * @param name        the provider name, for messages
     * @param base        the base URL
     * @param apiVersion  the API version path segment, e.g. {@code v1beta}
     * @param upstream    the call skeleton: extra headers, {@code x-goog-api-key}, Gemini's errors
     * @param clock       for {@code created} times
     */
    GeminiProvider(String name, BaseUrl base, String apiVersion, UpstreamCalls upstream, Clock clock) {
        this.name = name;
        this.versionBase = base + "/" + apiVersion + "/";
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

    /** POSTs a JSON body for a stream and returns its events once it answered 2xx with server-sent events. */
    Answer<EventStream> events(ProviderCall call, URI uri, JsonObject body) {
        return upstream.events(upstream.post(call, uri, body));
    }

    /** GETs a JSON document. */
    Answer<JsonObject> get(ProviderCall call, URI uri) {
        return upstream.json(upstream.get(call, uri));
    }

    /** POSTs a JSON body and reads the whole JSON answer. */
    Answer<JsonObject> postForJson(ProviderCall call, URI uri, JsonObject body) {
        return upstream.json(upstream.post(call, uri, body));
    }

    @Override
    public String toString() {
        return "GeminiProvider[" + name + " " + versionBase + "]";
    }
}
