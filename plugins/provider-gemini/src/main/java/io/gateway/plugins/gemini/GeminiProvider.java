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
import io.gateway.translation.gemini.GeminiTranslation;
import io.gateway.translation.gemini.GeminiTransport;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Set;

/**
 * Translates OpenAI-format calls to the Gemini API and back. Each call is translated (by the shared
 * Gemini translation, {@link GeminiTranslation}), sent through the server's upstream client with the
 * call's deadline and the key in {@code x-goog-api-key}, and its answer (or stream) translated to
 * OpenAI's shape. Stateless and thread-safe.
 */
final class GeminiProvider implements Provider, GeminiTransport {

    private static final Set<Operation> OPERATIONS = Set.copyOf(EnumSet.of(Operation.CHAT_COMPLETION,
            Operation.RESPONSES, Operation.EMBEDDING, Operation.IMAGE_GENERATION, Operation.LIST_MODELS,
            Operation.PASSTHROUGH));

    private final String name;
    private final String versionBase;
    private final URI base;
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
        this.base = URI.create(base.toString());
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
            case CHAT_COMPLETION -> GeminiTranslation.chat(this, call);
            case RESPONSES -> GeminiTranslation.responses(this, call);
            case EMBEDDING -> GeminiTranslation.embeddings(this, call);
            case IMAGE_GENERATION -> GeminiTranslation.images(this, call);
            case LIST_MODELS -> Models.call(this, call);
            // below the API's root: the client names the version (v1beta/cachedContents, …)
            case PASSTHROUGH -> upstream.passThrough(call, base);
            default -> throw GatewayException.of(ErrorCode.UNSUPPORTED_OPERATION,
                    "provider " + name + " (gemini) does not offer " + call.operation().wireName());
        };
    }

    @Override
    public long now() {
        return clock.instant().getEpochSecond();
    }

    /** {@code {base}/{version}/models/{model}:{method}}, with {@code ?alt=sse} for streams. */
    @Override
    public URI endpoint(String model, String method, boolean sse) {
        return URI.create(versionBase + GeminiTranslation.resource(model) + ":" + method + (sse ? "?alt=sse" : ""));
    }

    /** {@code {base}/{version}/models} with a page size and optional page token. */
    URI modelsEndpoint(int pageSize, String pageToken) {
        String query = "?pageSize=" + pageSize;
        if (pageToken != null && !pageToken.isEmpty()) {
            query += "&pageToken=" + URLEncoder.encode(pageToken, StandardCharsets.UTF_8).replace("+", "%20");
        }
        return URI.create(versionBase + "models" + query);
    }

    @Override
    public Answer<EventStream> events(ProviderCall call, URI uri, JsonObject body) {
        return upstream.events(upstream.post(call, uri, body));
    }

    /** GETs a JSON document. */
    Answer<JsonObject> get(ProviderCall call, URI uri) {
        return upstream.json(upstream.get(call, uri));
    }

    @Override
    public Answer<JsonObject> postForJson(ProviderCall call, URI uri, JsonObject body) {
        return upstream.json(upstream.post(call, uri, body));
    }

    @Override
    public String toString() {
        return "GeminiProvider[" + name + " " + versionBase + "]";
    }
}
