package io.gateway.server.format;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import jakarta.json.JsonObject;
import java.util.Set;

/**
 * How a request of one API format reaches a provider that offers only another: today an Anthropic
 * Messages request ({@link Operation#MESSAGES}) for a provider that offers chat completions. The router
 * asks {@link #between} for each target; {@code null} means the provider takes the request as it is.
 * Immutable and thread-safe.
 */
public final class Translation {

    private final Operation target;
    private final boolean cacheControl;

    private Translation(Operation target, boolean cacheControl) {
        this.target = target;
        this.cacheControl = cacheControl;
    }

    /**
     * The translation a provider needs for an operation.
     *
     * @param requested    the request's operation
     * @param offered      what the provider offers
     * @param cacheControl whether the provider's chat completions take {@code cache_control} markers
     * @return the translation, or {@code null} when the provider offers the operation itself or no
     *         translation reaches it
     */
    public static Translation between(Operation requested, Set<Operation> offered, boolean cacheControl) {
        if (offered.contains(requested)) {
            return null;
        }
        if (requested == Operation.MESSAGES && offered.contains(Operation.CHAT_COMPLETION)) {
            return new Translation(Operation.CHAT_COMPLETION, cacheControl);
        }
        return null;
    }

    /**
     * The operation the provider is called with.
     *
     * @return e.g. {@link Operation#CHAT_COMPLETION}
     */
    public Operation target() {
        return target;
    }

    /**
     * The request in the provider's format.
     *
     * @param body     the client's request
     * @param provider the provider's name and type, for messages ({@code "openai (type openai)"})
     * @return the translated request
     * @throws GatewayException 400 for what cannot be translated
     */
    public JsonObject request(JsonObject body, String provider) {
        return MessagesToChat.request(body, "provider " + provider, cacheControl);
    }

    /**
     * The answer in the client's format: a complete answer translated at once, a stream event by event.
     *
     * @param response the provider's answer
     * @param model    the model the answer came from, when it names none
     * @return the answer for the client
     */
    public Response answer(Response response, String model) {
        return switch (response) {
            case Response.Streaming streaming -> new Response.Streaming(streaming.status(), streaming.headers(),
                    new ChatStreamToMessages(streaming.events(), model));
            case Response.Complete complete -> {
                JsonObject body;
                try {
                    body = complete.body();
                } catch (GatewayException notJson) {
                    throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "the provider's answer is not JSON");
                }
                yield Response.Complete.of(complete.status(), complete.headers(), ChatToMessage.message(body, model));
            }
            case Response.Binary binary -> {
                binary.body().close();
                throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "the provider answered a chat completion "
                        + "with " + binary.contentType() + " bytes, not JSON");
            }
        };
    }

    /**
     * The answer to a token count for a provider that cannot count: an estimate.
     *
     * @param body the count_tokens request
     * @return {@code {"input_tokens": n}}, marked {@code x-bf-token-count: estimate}
     */
    public static Response estimateTokens(JsonObject body) {
        return Response.Complete.of(200, io.gateway.spi.Headers.of("x-bf-token-count", "estimate"),
                JsonBodies.provider().createObjectBuilder().add("input_tokens", TokenEstimate.inputTokens(body))
                        .build());
    }
}
