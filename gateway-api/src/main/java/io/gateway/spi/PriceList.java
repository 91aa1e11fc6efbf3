package io.gateway.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The gateway's price list ({@code gateway.pricing} over the shipped table), lent to plugins through
 * {@link PluginContext#prices()}: the same entries the gateway prices every answer with, so that a
 * middleware that must know what a request can cost before it is sent (a budget reserves its worst
 * case) uses the one price list there is.
 *
 * <p>Owned by the server; implementations are immutable and thread-safe. A price list that knows no
 * model ({@link #none()}) is what a context without the server offers: every model is then unpriced,
 * as an answer from an unpriced model costs 0.
 */
@FunctionalInterface
public interface PriceList {

    /**
     * The price of a model, as the gateway prices its answers: its own entry, or the entry of the model
     * a dated snapshot stands for ({@code gpt-4o-2024-08-06} → {@code gpt-4o}).
     *
     * @param provider the configured provider name
     * @param model    the bare model
     * @return the price, or empty for a model the list does not know (its answers cost 0)
     */
    Optional<ModelPrice> price(String provider, String model);

    /**
     * The models a request may be served, and so charged, at, in the order the router tries them: the
     * requested model, then the request's own {@code fallbacks} or, when it names none, the fallbacks
     * configured for the requested provider. A worst-case estimate takes the most expensive of them.
     *
     * <p>The default, for price lists that know no configuration, is the requested model followed by
     * the request's fallbacks.
     *
     * @param requested the requested model
     * @param fallbacks the request's own fallbacks, empty when it names none
     * @return the models, the requested one first; never empty
     */
    default List<ModelRef> targets(ModelRef requested, List<ModelRef> fallbacks) {
        Objects.requireNonNull(requested, "requested");
        if (fallbacks.isEmpty()) {
            return List.of(requested);
        }
        List<ModelRef> targets = new ArrayList<>(fallbacks.size() + 1);
        targets.add(requested);
        targets.addAll(fallbacks);
        return List.copyOf(targets);
    }

    /**
     * A price list without entries: every model is unpriced.
     *
     * @return the empty list
     */
    static PriceList none() {
        return (provider, model) -> Optional.empty();
    }
}
