package io.gateway.plugins.cohere;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.toolkit.openai.OpenAiRequests;
import io.gateway.toolkit.settings.BaseUrl;
import io.gateway.toolkit.upstream.Answer;
import io.gateway.toolkit.upstream.UpstreamCalls;
import jakarta.json.JsonObject;
import java.net.URI;
import java.time.Clock;
import java.util.Set;

/**
 * Serves OpenAI chat completions, embeddings, rerank and the model list from Cohere's API: each call is
 * translated into one request to {@code /v2/chat}, {@code /v2/embed} (one per 96 inputs) or
 * {@code /v2/rerank} (or {@code GET /v1/models}) through the server's upstream client with the key as a
 * bearer token, and the answer (or stream, event by event) translated back. Stateless and thread-safe.
 */
final class CohereProvider implements Provider {

    private final String name;
    private final URI chat;
    private final URI embed;
    private final URI rerank;
    private final URI models;
    private final URI base;
    private final String defaultInputType;
    private final UpstreamCalls upstream;
    private final Clock clock;

    CohereProvider(String name, BaseUrl base, String defaultInputType, UpstreamCalls upstream, Clock clock) {
        this.name = name;
        this.chat = base.resolve("v2/chat");
        this.embed = base.resolve("v2/embed");
        this.rerank = base.resolve("v2/rerank");
        this.models = base.resolve("v1/models");
        this.base = URI.create(base.toString());
        this.defaultInputType = defaultInputType;
        this.upstream = upstream;
        this.clock = clock;
    }

    @Override
    public Set<Operation> operations() {
        return CohereProviderFactory.OPERATIONS;
    }

    @Override
    public Response call(ProviderCall call) {
        return switch (call.operation()) {
            case CHAT_COMPLETION -> chat(call);
            case EMBEDDING -> Embeddings.call(this, call, defaultInputType);
            case RERANK -> Rerank.call(this, call);
            case LIST_MODELS -> Models.call(this, call);
            case PASSTHROUGH -> upstream.passThrough(call, base);
            default -> throw GatewayException.of(ErrorCode.UNSUPPORTED_OPERATION, "provider " + name
                    + " (cohere) does not offer " + call.operation().wireName());
        };
    }

    private Response chat(ProviderCall call) {
        JsonObject request = ChatRequests.toCohere(call.body(), call.model(), call.stream());
        long created = clock.instant().getEpochSecond();
        if (call.stream()) {
            Answer<EventStream> events = upstream.events(upstream.post(call, chat, request));
            return new Response.Streaming(200, events.headers(), new ChatStream(events.body(), call.model(), created,
                    OpenAiRequests.includeUsage(call.body())));
        }
        Answer<JsonObject> answer = post(call, chat, request);
        return Response.Complete.of(200, answer.headers(), ChatResponses.completion(answer.body(), call.model(), created));
    }

    /** POSTs to {@code /v2/embed}. */
    Answer<JsonObject> embed(ProviderCall call, JsonObject request) {
        return post(call, embed, request);
    }

    /** POSTs to {@code /v2/rerank}. */
    Answer<JsonObject> rerank(ProviderCall call, JsonObject request) {
        return post(call, rerank, request);
    }

    /** GETs one page of {@code /v1/models}. */
    Answer<JsonObject> models(ProviderCall call, String query) {
        return upstream.json(upstream.get(call, URI.create(models + query)));
    }

    private Answer<JsonObject> post(ProviderCall call, URI uri, JsonObject request) {
        return upstream.json(upstream.post(call, uri, request));
    }

    @Override
    public String toString() {
        return "CohereProvider[" + name + " " + chat + "]";
    }
}
