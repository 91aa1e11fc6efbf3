package io.gateway.server.http;

import io.gateway.spi.middleware.Chain;

/**
 * Where a request gets its chain: the chain of the configuration in use when the request began, held
 * until the request ended (its stream included), so a configuration swapped in meanwhile serves only
 * later requests and the old one is closed once no request holds it. Implementations are thread-safe.
 */
@FunctionalInterface
public interface Chains {

    /**
     * Holds the chain in use for one request.
     *
     * @return the hold; close it when the request ended
     */
    Held acquire();

    /** One request's hold on a chain; {@link #close()} exactly once. */
    interface Held extends AutoCloseable {

        /**
         * The chain.
         *
         * @return the middleware chain ending in the router
         */
        Chain chain();

        /** Releases the hold. */
        @Override
        void close();
    }

    /**
     * A chain that never changes (tests, and tools that start no reloads).
     *
     * @param chain the chain
     * @return chains that always hold it
     */
    static Chains fixed(Chain chain) {
        Held held = new Held() {
            @Override
            public Chain chain() {
                return chain;
            }

            @Override
            public void close() {
            }
        };
        return () -> held;
    }
}
