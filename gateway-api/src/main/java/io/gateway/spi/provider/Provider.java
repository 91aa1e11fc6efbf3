package io.gateway.spi.provider;

import io.gateway.spi.GatewayException;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import java.util.Map;
import java.util.Set;

/**
 * One configured provider (an entry of {@code gateway.providers}): translates one call into the
 * provider's wire format, performs it through the {@link io.gateway.spi.upstream.UpstreamClient}, and
 * translates the answer.
 *
 * <p>A provider does not choose keys, retry, fall back or enforce deadlines of its own: the
 * server's router does that around {@link #call}. Instances serve concurrent calls and must be
 * thread-safe.
 */
public interface Provider extends AutoCloseable {

    /**
     * The operations this provider offers; the server answers 400 for the others without calling it.
     * Read once at start-up.
     *
     * @return the operations
     */
    Set<Operation> operations();

    /**
     * Performs one upstream call.
     *
     * <p>Successful answers return a {@link Response.Complete} with an OpenAI-shaped body, or, when
     * {@link ProviderCall#stream()} is set, a {@link Response.Streaming} whose events are
     * OpenAI-shaped and arrive as the upstream sends them. For {@link Operation#LIST_MODELS} the
     * body is OpenAI's {@code {"object":"list","data":[{"id":...}]}} with bare model ids; the server
     * qualifies them with the provider name. A pass-through provider answers with
     * {@link Response.Complete#ofBytes} and the upstream's events unchanged: the server checks them.
     *
     * @param call the call: operation, bare model, body, key, deadline
     * @return the response
     * @throws GatewayException for upstream errors (with the upstream status and error fields),
     *                          connection failures and timeouts
     */
    Response call(ProviderCall call);

    /**
     * Other names clients use for this provider's models, mapped to the model names: Azure OpenAI
     * deployment names, for example, which clients put in the path of deployment-style routes
     * ({@code /openai/deployments/NAME/...}). The server reads them once at start-up and resolves
     * such routes with them before any plugin code runs. The default has none.
     *
     * @return alias to model name
     */
    default Map<String, String> modelAliases() {
        return Map.of();
    }

    /**
     * Whether this provider's chat completions take Anthropic-style prompt-cache markers:
     * {@code "cache_control": {"type": "ephemeral"}} on content parts, system parts and tools (the form
     * OpenRouter and LiteLLM accept) and honour them. When the server translates an Anthropic Messages
     * request into a chat completion for this provider, it keeps the client's markers only if this is
     * {@code true}, and removes them otherwise, since an API that does not know them may refuse the
     * request. Read once at start-up. The default is {@code false}. Since SPI 2.1.
     *
     * @return {@code true} when chat requests may carry {@code cache_control}
     */
    default boolean chatCacheControl() {
        return false;
    }

    /** Releases resources at shutdown. The default does nothing. */
    @Override
    default void close() {
    }
}
