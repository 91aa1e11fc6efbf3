package io.gateway.plugins.governance;

import io.gateway.spi.Secret;
import io.gateway.spi.middleware.ManagedVirtualKey;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a key the gateway manages through its admin API into the {@link VirtualKey} governance
 * enforces, with the same meaning as the configuration's {@code virtual-keys}: no allowed models means
 * every model, limits per fixed window, a budget per calendar period. The server has validated the key
 * by the same rules. Stateless.
 */
final class ManagedKeys {

    private ManagedKeys() {
    }

    /**
     * The governed form of a managed key. It holds no value: the directory matched the client's.
     *
     * @param key the managed key
     * @return the virtual key
     */
    static VirtualKey toVirtualKey(ManagedVirtualKey key) {
        List<ModelGlob> allowed = new ArrayList<>();
        for (String pattern : key.allowedModels()) {
            allowed.add(pattern.trim().equals("*") ? ModelGlob.ANY : new ModelGlob(pattern.trim()));
        }
        if (allowed.isEmpty()) {
            allowed.add(ModelGlob.ANY);
        }
        RateLimit requests = key.requestLimit().map(l -> new RateLimit(l.count(), l.per())).orElse(null);
        RateLimit tokens = key.tokenLimit().map(l -> new RateLimit(l.count(), l.per())).orElse(null);
        Budget budget = key.budget().map(ManagedKeys::budget).orElse(null);
        return new VirtualKey(key.name(), Secret.empty(), allowed, requests, tokens, budget);
    }

    private static Budget budget(ManagedVirtualKey.Budget budget) {
        BudgetPeriod period = BudgetPeriod.parse(budget.period());
        if (period == null) {
            // the SPI admits only the four periods governance knows
            throw new IllegalStateException("budget period " + budget.period());
        }
        BigDecimal usd = budget.usd();
        long micros = usd.movePointRight(6).setScale(0, RoundingMode.HALF_UP).longValue();
        return new Budget(usd, micros, period);
    }
}
