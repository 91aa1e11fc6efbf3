package io.gateway.plugins.governance;

import io.gateway.spi.Chain;
import io.gateway.spi.Exchange;
import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Response;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/** The rest of the chain: answers with a canned response (or failure) and records what it received. */
final class FakeChain implements Chain {

    private final Supplier<Response> answer;
    private final List<Exchange> received = new CopyOnWriteArrayList<>();

    private FakeChain(Supplier<Response> answer) {
        this.answer = answer;
    }

    /** Answers with a fresh response each time (streams can be consumed only once). */
    static FakeChain answering(Supplier<Response> answer) {
        return new FakeChain(answer);
    }

    static FakeChain completing(String json) {
        return new FakeChain(() -> Response.Complete.ok(JsonBodies.parse(json)));
    }

    /** A chat completion answer with this usage. */
    static FakeChain chatUsage(long prompt, long completion) {
        return completing("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,"
                + "\"message\":{\"role\":\"assistant\",\"content\":\"hi\"}}],\"usage\":{\"prompt_tokens\":" + prompt
                + ",\"completion_tokens\":" + completion + ",\"total_tokens\":" + (prompt + completion) + "}}");
    }

    static FakeChain failing(GatewayException error) {
        return new FakeChain(() -> {
            throw error;
        });
    }

    @Override
    public Response proceed(Exchange exchange) {
        received.add(exchange);
        return answer.get();
    }

    List<Exchange> received() {
        return List.copyOf(received);
    }

    Exchange last() {
        return received.getLast();
    }

    int calls() {
        return received.size();
    }
}
