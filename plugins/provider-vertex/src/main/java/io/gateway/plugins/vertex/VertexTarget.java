package io.gateway.plugins.vertex;

import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.spi.upstream.UpstreamRequest;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.upstream.Answer;
import io.gateway.toolkit.upstream.UpstreamCalls;
import io.gateway.translation.anthropic.MessagesTransport;
import io.gateway.translation.gemini.GeminiTranslation;
import io.gateway.translation.gemini.GeminiTransport;
import jakarta.json.JsonObject;
import java.net.URI;
import java.time.Clock;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * One place a Vertex provider sends calls to: a project, a location and the credential whose tokens
 * authorize them (the provider's, or one key's). It is the transport of both shared translations:
 * Gemini models under {@code publishers/google/models/{model}:{method}}, Claude models under
 * {@code publishers/anthropic/models/{model}:rawPredict} (or {@code :streamRawPredict}) with the Messages
 * request's {@code model} moved into the path and {@code anthropic_version} added. Every request carries
 * {@code Authorization: Bearer} with a token of {@link AccessTokens}; a 401 drops that token. Immutable
 * and thread-safe.
 */
final class VertexTarget implements GeminiTransport, MessagesTransport {

    /** A Claude model id on Vertex, with its optional version: {@code claude-sonnet-4-5@20250929}. */
    private static final Pattern CLAUDE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(@[A-Za-z0-9._-]+)?");
    private static final String JSON = "application/json";

    private final String project;
    private final String location;
    private final String publishers;
    private final AccessTokens tokens;
    private final UpstreamCalls upstream;
    private final Headers fixedHeaders;
    private final String anthropicVersion;
    private final Clock clock;

    /**
     * @param project          the Google Cloud project
     * @param location         the region, or {@code global}
     * @param base             the service's base URL without a trailing slash (the region's host, or the
     *                         configured endpoint)
     * @param apiVersion       the API version path segment, e.g. {@code v1}
     * @param tokens           the credential's tokens
     * @param upstream         reads answers and maps errors (its own request building is not used: it would
     *                         send the key)
     * @param fixedHeaders     {@code extra-headers}
     * @param anthropicVersion the {@code anthropic_version} of Claude requests
     * @param clock            for {@code created} times
     */
    VertexTarget(String project, String location, String base, String apiVersion, AccessTokens tokens,
                 UpstreamCalls upstream, Headers fixedHeaders, String anthropicVersion, Clock clock) {
        this.project = project;
        this.location = location;
        this.publishers = base + "/" + apiVersion + "/projects/" + project + "/locations/" + location + "/publishers/";
        this.tokens = tokens;
        this.upstream = upstream;
        this.fixedHeaders = fixedHeaders;
        this.anthropicVersion = anthropicVersion;
        this.clock = clock;
    }

    String project() {
        return project;
    }

    String location() {
        return location;
    }

    AccessTokens tokens() {
        return tokens;
    }

    // ---------------------------------------------------------------- Gemini models

    @Override
    public URI endpoint(String model, String method, boolean sse) {
        return URI.create(publishers + "google/models/" + GeminiTranslation.modelId(model) + ":" + method
                + (sse ? "?alt=sse" : ""));
    }

    @Override
    public Answer<JsonObject> postForJson(ProviderCall call, URI uri, JsonObject body) {
        return send(call, uri, JsonBodies.toBytes(body), upstream::json);
    }

    @Override
    public Answer<EventStream> events(ProviderCall call, URI uri, JsonObject body) {
        return send(call, uri, JsonBodies.toBytes(body), upstream::events);
    }

    // ---------------------------------------------------------------- Claude models

    @Override
    public Answer<JsonObject> message(ProviderCall call, JsonObject request) {
        return send(call, claude(call.model(), "rawPredict"), vertexBody(request), upstream::json);
    }

    @Override
    public Answer<EventStream> stream(ProviderCall call, JsonObject request) {
        return send(call, claude(call.model(), "streamRawPredict"), vertexBody(request), upstream::events);
    }

    /** Vertex names the model in the path and wants the Messages API version in the body. */
    private byte[] vertexBody(JsonObject request) {
        return JsonBodies.toBytes(Json.object(request).remove("model").add("anthropic_version", anthropicVersion)
                .build());
    }

    private URI claude(String model, String method) {
        if (model == null || !CLAUDE_ID.matcher(model).matches()) {
            throw GatewayException.invalidRequest("'" + model + "' is not a Claude model id on Vertex AI, such as "
                    + "claude-sonnet-4-5@20250929", "model");
        }
        return URI.create(publishers + "anthropic/models/" + model + ":" + method);
    }

    @Override
    public long now() {
        return clock.instant().getEpochSecond();
    }

    // ---------------------------------------------------------------- sending

    private <T> T send(ProviderCall call, URI uri, byte[] body, Function<UpstreamRequest, T> read) {
        String token = tokens.token(call);
        Headers headers = fixedHeaders.toBuilder()
                .set("authorization", "Bearer " + token)
                .set("content-type", JSON)
                .set("accept", call.stream() ? "text/event-stream" : JSON)
                .build();
        try {
            return read.apply(call.request("POST", uri, headers, body));
        } catch (GatewayException e) {
            if (e.status() == 401) {
                tokens.invalidate(token);
            }
            throw e;
        }
    }

    @Override
    public String toString() {
        return "VertexTarget[" + project + " " + location + " " + tokens + "]";
    }
}
