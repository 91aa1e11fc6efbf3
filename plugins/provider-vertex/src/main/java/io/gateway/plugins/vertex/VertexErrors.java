package io.gateway.plugins.vertex;

import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.toolkit.upstream.ErrorFields;
import io.gateway.translation.anthropic.AnthropicTranslation;
import io.gateway.translation.gemini.GeminiTranslation;

/**
 * Vertex AI's error answers, which come in two shapes on the same host: Google's
 * {@code {"error":{"code","message","status"}}} from Vertex itself (authentication, permissions, quotas,
 * unknown models, and every Gemini error), and Anthropic's {@code {"type":"error","error":{…}}} from a
 * Claude model behind {@code rawPredict}. Each is read by its vendor's parser. Stateless.
 */
final class VertexErrors {

    private VertexErrors() {
    }

    /**
     * An error answer; the provider's {@link io.gateway.toolkit.upstream.ErrorParser}.
     *
     * @param status  the upstream status
     * @param body    the body, possibly empty or not JSON
     * @param headers the relayed headers
     * @return the exception to throw
     */
    static GatewayException parse(int status, byte[] body, Headers headers) {
        if (AnthropicTranslation.isError(ErrorFields.jsonOf(body))) {
            return AnthropicTranslation.error(status, body, headers);
        }
        return GeminiTranslation.error(status, body, headers);
    }
}
