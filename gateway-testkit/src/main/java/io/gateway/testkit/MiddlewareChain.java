package io.gateway.testkit;

import io.gateway.spi.middleware.Chain;
import io.gateway.spi.middleware.Exchange;
import io.gateway.spi.middleware.Middleware;
import io.gateway.spi.Response;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Several middleware composed as the server composes {@code gateway.middleware}: the first entry
 * outermost, each seeing the request on its way in and the response on its way out, the last one
 * handing on to a terminal (usually a {@link RouterStandIn}). Like the server's chain, each link may be
 * proceeded at most once per request: a middleware that calls {@code proceed} twice fails the test with
 * an {@link AssertionError}, and one that answers {@code null} too.
 *
 * <pre>{@code
 * Chain chain = MiddlewareChain.of(List.of(auth, governance), RouterStandIn.completing(answer));
 * Response response = chain.proceed(TestExchange.chat("openai/gpt-4o").header("x-bf-vk", key).build());
 * }</pre>
 *
 * <p>Thread-safe when the middleware and the terminal are.
 */
public final class MiddlewareChain implements Chain {

    private final List<Middleware> middleware;
    private final Chain terminal;

    private MiddlewareChain(List<Middleware> middleware, Chain terminal) {
        this.middleware = List.copyOf(middleware);
        this.terminal = Objects.requireNonNull(terminal, "terminal");
    }

    /**
     * The middleware in configuration order, ending in a terminal.
     *
     * @param middleware the middleware, first outermost
     * @param terminal   what answers after the last one
     * @return the chain
     */
    public static MiddlewareChain of(List<? extends Middleware> middleware, Chain terminal) {
        return new MiddlewareChain(List.copyOf(middleware), terminal);
    }

    /**
     * One middleware in front of a terminal.
     *
     * @param middleware the middleware
     * @param terminal   what answers after it
     * @return the chain
     */
    public static MiddlewareChain of(Middleware middleware, Chain terminal) {
        return of(List.of(middleware), terminal);
    }

    @Override
    public Response proceed(Exchange exchange) {
        return link(0).proceed(exchange);
    }

    private Chain link(int index) {
        if (index == middleware.size()) {
            return once(terminal, "the terminal");
        }
        Middleware current = middleware.get(index);
        return once(exchange -> {
            Response response = current.handle(exchange, link(index + 1));
            if (response == null) {
                throw new AssertionError("middleware " + index + " (" + current.getClass().getName()
                        + ") answered null; the server turns that into a 500");
            }
            return response;
        }, index == 0 ? "the chain" : "middleware " + index);
    }

    private static Chain once(Chain next, String what) {
        AtomicBoolean used = new AtomicBoolean();
        return exchange -> {
            if (!used.compareAndSet(false, true)) {
                throw new AssertionError("chain.proceed was called twice towards " + what
                        + "; a middleware may proceed at most once per request");
            }
            return next.proceed(exchange);
        };
    }
}
