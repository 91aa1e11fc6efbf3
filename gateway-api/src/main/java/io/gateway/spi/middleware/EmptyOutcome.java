package io.gateway.spi.middleware;

import io.gateway.spi.TokenUsage;
import java.util.List;
import java.util.Optional;

/** The outcome of an exchange no router saw. */
enum EmptyOutcome implements RequestOutcome {
    INSTANCE;

    @Override
    public List<RoutingAttempt> attempts() {
        return List.of();
    }

    @Override
    public Optional<String> provider() {
        return Optional.empty();
    }

    @Override
    public Optional<String> model() {
        return Optional.empty();
    }

    @Override
    public int fallbackIndex() {
        return 0;
    }

    @Override
    public Optional<TokenUsage> usage() {
        return Optional.empty();
    }

    @Override
    public AsyncDelivery asyncDelivery() {
        return AsyncDelivery.NONE;
    }
}
