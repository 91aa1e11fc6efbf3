package io.gateway.spi;

import java.util.Set;

/**
 * One configured provider (an entry of {@code gateway.providers}): translates one call into the
 * provider's wire format, performs it through the {@link UpstreamClient}, and translates the answer.
 *
 * <p>A provider does not choose keys, retry, fall back or enforce deadlines of its own: the
 * server's router does that around {@link #call}. Instances serve concurrent calls and must be
 * thread-safe.
 */
public interface Provider extends AutoCloseable {

    /**
     * The operations this provider offers; the server answers 400 for the others without calling it.
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
     * qualifies them with the provider name.
     *
     * @param call the call: operation, bare model, body, key, deadline
     * @return the response
     * @throws GatewayException for upstream errors (with the upstream status and error fields),
     *                          connection failures and timeouts
     */
    Response call(ProviderCall call);

    /**
     * For providers reached through deployment-style routes ({@code /openai/deployments/NAME/...}, as
     * Azure OpenAI clients send them): the model name a deployment stands for. The default treats the
     * deployment name as the model name.
     *
     * @param deployment the deployment name from the path
     * @return the model name to route with
     */
    default String modelForDeployment(String deployment) {
        return deployment;
    }

    /** Releases resources at shutdown. The default does nothing. */
    @Override
    default void close() {
    }
}
