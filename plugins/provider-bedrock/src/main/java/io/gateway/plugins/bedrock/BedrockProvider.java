package io.gateway.plugins.bedrock;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.toolkit.openai.OpenAiRequests;
import io.gateway.toolkit.upstream.Answer;
import jakarta.json.JsonObject;
import java.util.EnumSet;
import java.util.Set;

/**
 * Serves OpenAI calls from AWS Bedrock: chat completions and Responses through Converse (or
 * ConverseStream, whose binary event stream is translated event by event as it arrives), embeddings and
 * image generations through InvokeModel with the model family's own body, and the model list from the
 * control plane. Each call is one signed request through the server's upstream client (several for
 * Titan embeddings of several inputs, which embed one text per call). Stateless and thread-safe.
 */
final class BedrockProvider implements Provider {

    private static final Set<Operation> OPERATIONS = Set.copyOf(EnumSet.of(Operation.CHAT_COMPLETION,
            Operation.RESPONSES, Operation.EMBEDDING, Operation.IMAGE_GENERATION, Operation.LIST_MODELS));

    private final BedrockCalls calls;
    private final AutoCloseable credentials;

    /**
     * @param calls       the provider's upstream calls
     * @param credentials the default chain's credential provider to close with the provider, or
     *                    {@code null}
     */
    BedrockProvider(BedrockCalls calls, AutoCloseable credentials) {
        this.calls = calls;
        this.credentials = credentials;
    }

    @Override
    public Set<Operation> operations() {
        return OPERATIONS;
    }

    /** Converse has cache points: a chat part, system part or tool with {@code cache_control} gets one after it. */
    @Override
    public boolean chatCacheControl() {
        return true;
    }

    @Override
    public Response call(ProviderCall call) {
        return switch (call.operation()) {
            case CHAT_COMPLETION -> chat(call);
            case RESPONSES -> Responses.call(calls, call);
            case EMBEDDING -> Embeddings.call(calls, call);
            case IMAGE_GENERATION -> Images.call(calls, call);
            case LIST_MODELS -> Models.call(calls, call);
            default -> throw GatewayException.of(ErrorCode.UNSUPPORTED_OPERATION, "provider " + calls.name()
                    + " (bedrock) does not offer " + call.operation().wireName());
        };
    }

    private Response chat(ProviderCall call) {
        JsonObject request = ChatRequests.toConverse(call.body());
        if (call.stream()) {
            Answer<EventStream> events = calls.stream(call, calls.model(call, "converse-stream"), request);
            return new Response.Streaming(200, events.headers(), new ChatStream(events.body(),
                    BedrockCalls.id("chatcmpl-", events.headers()), call.model(), calls.now(),
                    OpenAiRequests.includeUsage(call.body())));
        }
        Answer<JsonObject> answer = calls.post(call, calls.model(call, "converse"), request);
        return Response.Complete.of(200, answer.headers(), ChatAnswers.completion(answer.body(),
                BedrockCalls.id("chatcmpl-", answer.headers()), call.model(), calls.now()));
    }

    /** Closes the default chain's providers (their refresh threads and HTTP clients), if any. */
    @Override
    public void close() {
        if (credentials != null) {
            try {
                credentials.close();
            } catch (Exception ignored) {
                // shutting down; nothing is left to release
            }
        }
    }

    @Override
    public String toString() {
        return "BedrockProvider[" + calls + "]";
    }
}
