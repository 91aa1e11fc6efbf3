package io.gateway.plugins.governance;

import io.gateway.spi.middleware.Chain;
import io.gateway.spi.middleware.Exchange;
import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Response;
import io.gateway.testkit.RouterStandIn;
import java.util.List;
import java.util.function.Supplier;

/**
 * The rest of the chain: answers with a canned response (or failure), records what it received, and
 * fills the exchange's outcome as the server's router would (the test kit's {@link RouterStandIn}).
 */
final class FakeChain implements Chain {

    private final RouterStandIn router;

    private FakeChain(Supplier<Response> answer) {
        this(RouterStandIn.answering(exchange -> answer.get()));
    }

    private FakeChain(RouterStandIn router) {
        this.router = router;
    }

    /** The same answers, recorded as served by another provider and model (after a fallback). */
    FakeChain servedBy(String provider, String model) {
        return new FakeChain(router.servedBy(provider, model, 1));
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
        return router.proceed(exchange);
    }

    List<Exchange> received() {
        return router.received();
    }

    Exchange last() {
        return router.last();
    }

    int calls() {
        return router.calls();
    }
}
