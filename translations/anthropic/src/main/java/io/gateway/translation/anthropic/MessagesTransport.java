package io.gateway.translation.anthropic;

import io.gateway.spi.EventStream;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.toolkit.upstream.Answer;
import jakarta.json.JsonObject;

/**
 * Where and how a provider sends a Messages request: the one part of a call to a Claude model that
 * differs between Anthropic's API ({@code POST /v1/messages}, {@code x-api-key}, the version in a header)
 * and Vertex AI ({@code :rawPredict} / {@code :streamRawPredict} with the model in the path, an OAuth
 * token, {@code anthropic_version} in the body). The translation in {@link AnthropicTranslation} builds
 * the request and reads the answer; the transport adapts the request to its endpoint and performs the
 * call with its credentials and error parser. Implementations are provider instances: thread-safe, owned
 * by the plugin.
 */
public interface MessagesTransport {

    /**
     * Sends a Messages request and reads the whole answer.
     *
     * @param call    the attempt (key, deadline, model)
     * @param request the Messages request as Anthropic's API takes it ({@code model} included)
     * @return the 2xx answer with its relayed headers
     * @throws io.gateway.spi.GatewayException the upstream's error, a connection failure or a timeout
     */
    Answer<JsonObject> message(ProviderCall call, JsonObject request);

    /**
     * Sends a Messages request with {@code "stream": true} and returns its events once it answered 2xx
     * with server-sent events.
     *
     * @param call    the attempt (key, stream idle timeout, model)
     * @param request the Messages request as Anthropic's API takes it ({@code model} and {@code stream}
     *                included)
     * @return the events, which the caller reads to their end or closes
     * @throws io.gateway.spi.GatewayException the upstream's error, a connection failure or a timeout
     */
    Answer<EventStream> stream(ProviderCall call, JsonObject request);

    /**
     * Seconds since the epoch on the plugin's clock, for {@code created} fields.
     *
     * @return the time
     */
    long now();
}
