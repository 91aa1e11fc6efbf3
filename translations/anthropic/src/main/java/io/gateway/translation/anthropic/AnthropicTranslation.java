package io.gateway.translation.anthropic;

import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.Response;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.openai.OpenAiRequests;
import io.gateway.toolkit.upstream.Answer;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.time.Clock;

/**
 * OpenAI's chat completions and Responses on a Claude model, for every provider that serves Claude in
 * Anthropic's Messages format (Anthropic's own {@code anthropic} and Vertex AI's {@code vertex}): each
 * entry point translates the call's OpenAI body into a Messages request, sends it through the provider's
 * {@link MessagesTransport}, and translates the answer back; streams are translated event by event as
 * they arrive. Stateless and thread-safe.
 *
 * <p>What is translated how, and what answers 400, is documented on the provider pages
 * (docs/providers.md): system and developer messages, turns, images and PDFs, tools and tool calls,
 * reasoning effort as extended thinking (with signatures for the Responses API's encrypted reasoning),
 * stop sequences, sampling, prompt-cache markers and the cache token counts.
 */
public final class AnthropicTranslation {

    private AnthropicTranslation() {
    }

    /**
     * {@code chat/completions} as one Messages request.
     *
     * @param transport        where the call goes
     * @param call             the attempt
     * @param defaultMaxTokens {@code max_tokens} for a request that sets no limit (Anthropic requires one)
     * @return a complete {@code chat.completion}, or a stream of {@code chat.completion.chunk}s
     * @throws GatewayException 400 naming a field that cannot be translated, or the upstream's error
     */
    public static Response chat(MessagesTransport transport, ProviderCall call, int defaultMaxTokens) {
        JsonObject request = ChatRequests.toMessages(call.body(), call.model(), defaultMaxTokens, call.stream());
        if (call.stream()) {
            Answer<EventStream> events = transport.stream(call, request);
            return new Response.Streaming(200, events.headers(), new ChatStream(events.body(), events.headers(),
                    call.model(), transport.now(), OpenAiRequests.includeUsage(call.body())));
        }
        Answer<JsonObject> message = message(transport, call, request);
        return Response.Complete.of(200, message.headers(),
                ChatResponses.completion(message.body(), call.model(), transport.now()));
    }

    /**
     * {@code responses} as one Messages request. The gateway keeps no conversation state here:
     * {@code previous_response_id}, {@code conversation} and {@code prompt} answer 400.
     *
     * @param transport        where the call goes
     * @param call             the attempt
     * @param defaultMaxTokens {@code max_tokens} for a request that sets no limit
     * @return a Response object, or the Responses API's named events
     * @throws GatewayException 400 naming a field that cannot be translated, or the upstream's error
     */
    public static Response responses(MessagesTransport transport, ProviderCall call, int defaultMaxTokens) {
        JsonObject request = ResponsesRequests.toMessages(call.body(), call.model(), defaultMaxTokens,
                call.stream());
        boolean signatures = includes(call.body(), "reasoning.encrypted_content");
        if (call.stream()) {
            Answer<EventStream> events = transport.stream(call, request);
            return new Response.Streaming(200, events.headers(), new ResponsesStream(events.body(), events.headers(),
                    call.body(), call.model(), transport.now(), signatures));
        }
        Answer<JsonObject> message = message(transport, call, request);
        return Response.Complete.of(200, message.headers(),
                ResponsesTranslation.ofMessage(message.body(), call.body(), call.model(), transport.now(), signatures));
    }

    /**
     * Anthropic's error answer ({@code {"type":"error","error":{"type","message"}}}) as the exception the
     * client sees: the upstream status, and Anthropic's error type as both {@code error.type} and
     * {@code error.code} (529 {@code overloaded_error} stays 529). Usable as the toolkit's
     * {@link io.gateway.toolkit.upstream.ErrorParser}.
     *
     * @param status  the upstream status
     * @param body    the body, possibly empty or not JSON
     * @param relayed headers for the client
     * @return the exception to throw
     */
    public static GatewayException error(int status, byte[] body, Headers relayed) {
        return AnthropicErrors.fromResponse(status, body, relayed);
    }

    /**
     * Anthropic's {@code error} event (sent inside a stream, or unusually as a 200 body) as the exception
     * the client sees, with the status its error type stands for ({@code overloaded_error} 529,
     * {@code rate_limit_error} 429, …). A pass-through provider uses it on a stream's first event, so the
     * router can retry or fall back before anything reached the client.
     *
     * @param event   the {@code {"type":"error","error":{…}}} object
     * @param relayed headers for the client
     * @return the exception to throw
     */
    public static GatewayException errorEvent(JsonObject event, Headers relayed) {
        return AnthropicErrors.fromEvent(event, relayed);
    }

    /**
     * Whether a JSON answer is Anthropic's error object ({@code "type": "error"}), which a provider that
     * shares an endpoint with other error formats (Vertex AI) reads with {@link #error}.
     *
     * @param answer a parsed answer body, may be {@code null}
     * @return {@code true} for {@code {"type":"error",…}}
     */
    public static boolean isError(JsonObject answer) {
        return "error".equals(Json.text(answer, "type"));
    }

    /**
     * The upstream headers that reach the client: {@code retry-after}, {@code anthropic-ratelimit-*} as
     * they are, any {@code x-ratelimit-*}, and OpenAI's {@code x-ratelimit-*} derived from Anthropic's.
     *
     * @param upstream the answer's headers
     * @param clock    the plugin's clock, to turn reset times into durations
     * @return the relayed headers
     */
    public static Headers rateLimitHeaders(Headers upstream, Clock clock) {
        return RateLimitHeaders.relayed(upstream, clock);
    }

    /** A complete Messages answer; a 200 that holds an error object still fails. */
    private static Answer<JsonObject> message(MessagesTransport transport, ProviderCall call, JsonObject request) {
        Answer<JsonObject> answer = transport.message(call, request);
        if (isError(answer.body())) {
            throw AnthropicErrors.fromEvent(answer.body(), answer.headers());
        }
        return answer;
    }

    private static boolean includes(JsonObject body, String value) {
        JsonArray include = Json.arrayField(body, "include");
        if (include == null) {
            return false;
        }
        for (JsonValue item : include) {
            if (item instanceof JsonString string && string.getString().equals(value)) {
                return true;
            }
        }
        return false;
    }
}
