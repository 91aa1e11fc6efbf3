package io.gateway.translation.gemini;

import io.gateway.spi.EventStream;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.toolkit.upstream.Answer;
import jakarta.json.JsonObject;
import java.net.URI;

/**
 * Where and how a provider sends Gemini requests: the one part of a Gemini call that differs between the
 * Gemini API (an API key, {@code /v1beta/models/{model}:{method}}) and Vertex AI (an OAuth token,
 * {@code /v1/projects/{project}/locations/{location}/publishers/google/models/{model}:{method}}). The
 * translation in {@link GeminiTranslation} builds the request body and reads the answer; the transport
 * names the URI and performs the call with its credentials and error parser. Implementations are
 * provider instances: thread-safe, owned by the plugin.
 */
public interface GeminiTransport {

    /**
     * The URI of a model's method.
     *
     * @param model  the bare model as the client named it, e.g. {@code gemini-2.5-flash}
     * @param method e.g. {@code generateContent}, {@code streamGenerateContent}, {@code embedContent}
     * @param sse    whether to ask for server-sent events ({@code ?alt=sse})
     * @return the absolute URI
     * @throws io.gateway.spi.GatewayException 400 for a model name that would change the path
     */
    URI endpoint(String model, String method, boolean sse);

    /**
     * POSTs a JSON body and reads the whole JSON answer.
     *
     * @param call the attempt (key, deadline)
     * @param uri  from {@link #endpoint}
     * @param body the Gemini request
     * @return the 2xx answer with its relayed headers
     * @throws io.gateway.spi.GatewayException the upstream's error, a connection failure or a timeout
     */
    Answer<JsonObject> postForJson(ProviderCall call, URI uri, JsonObject body);

    /**
     * POSTs a JSON body for a stream and returns its events once it answered 2xx with server-sent events.
     *
     * @param call the attempt (key, stream idle timeout)
     * @param uri  from {@link #endpoint} with {@code sse}
     * @param body the Gemini request
     * @return the events, which the caller reads to their end or closes
     * @throws io.gateway.spi.GatewayException the upstream's error, a connection failure or a timeout
     */
    Answer<EventStream> events(ProviderCall call, URI uri, JsonObject body);

    /**
     * Seconds since the epoch on the plugin's clock, for {@code created} fields.
     *
     * @return the time
     */
    long now();
}
