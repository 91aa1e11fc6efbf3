package io.gateway.spi.middleware;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A virtual key the gateway manages at run time (created, changed, rotated and deleted through its
 * admin API and kept in its database), as a {@link VirtualKeyDirectory} hands it to authentication
 * middleware. It carries the key's rules, never its value: the directory matches values itself.
 *
 * <p>Immutable and thread-safe, with value equality; built by the server with {@link #builder(String)}.
 * A change to a key is a new instance (with the same name), so middleware may cache what it derives
 * from an instance by identity. {@link #toString()} shows the name only. Since SPI 2.1.
 */
public final class ManagedVirtualKey {

    /**
     * A limit per fixed window: at most {@code count} units (requests or tokens) per {@code per}.
     *
     * @param count the most units per window, greater than 0
     * @param per   the window, a whole number of seconds, at least one second
     */
    public record Limit(long count, Duration per) {

        /**
         * Checks the values.
         *
         * @throws IllegalArgumentException when the count is not positive or the window not a whole
         *                                  number of seconds of at least one
         */
        public Limit {
            Objects.requireNonNull(per, "per");
            if (count <= 0) {
                throw new IllegalArgumentException("a limit's count must be greater than 0, was " + count);
            }
            if (per.toMillis() < 1000 || per.toMillis() % 1000 != 0) {
                throw new IllegalArgumentException("a limit's window must be a whole number of seconds, at least 1s");
            }
        }
    }

    /**
     * A spending cap per calendar period (UTC).
     *
     * @param usd    the cap in US dollars, greater than 0
     * @param period {@code 1h}, {@code 1d}, {@code 1w} or {@code 1M} (hour, day, ISO week, month)
     */
    public record Budget(BigDecimal usd, String period) {

        /**
         * Checks the values.
         *
         * @throws IllegalArgumentException when the cap is not positive or the period is none of the four
         */
        public Budget {
            Objects.requireNonNull(usd, "usd");
            Objects.requireNonNull(period, "period");
            if (usd.signum() <= 0) {
                throw new IllegalArgumentException("a budget must be greater than 0");
            }
            if (!List.of("1h", "1d", "1w", "1M").contains(period)) {
                throw new IllegalArgumentException("a budget's period is 1h, 1d, 1w or 1M, not '" + period + "'");
            }
        }
    }

    private final String name;
    private final List<String> allowedModels;
    private final Limit requestLimit;
    private final Limit tokenLimit;
    private final Budget budget;
    private final boolean disabled;
    private final Instant expiresAt;
    private final Instant createdAt;

    private ManagedVirtualKey(Builder builder) {
        this.name = builder.name;
        this.allowedModels = List.copyOf(builder.allowedModels);
        this.requestLimit = builder.requestLimit;
        this.tokenLimit = builder.tokenLimit;
        this.budget = builder.budget;
        this.disabled = builder.disabled;
        this.expiresAt = builder.expiresAt;
        this.createdAt = builder.createdAt;
    }

    /**
     * A builder for a key.
     *
     * @param name the key's name: the client identity, what logs, errors and reports show
     * @return the builder
     * @throws IllegalArgumentException when the name is blank
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * The key's name, unique among the gateway's virtual keys.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Globs over {@code provider/model} ({@code openai/*}, {@code *}); empty allows every model.
     *
     * @return the patterns, unmodifiable
     */
    public List<String> allowedModels() {
        return allowedModels;
    }

    /**
     * The request rate limit.
     *
     * @return the limit, or empty for none
     */
    public Optional<Limit> requestLimit() {
        return Optional.ofNullable(requestLimit);
    }

    /**
     * The token rate limit.
     *
     * @return the limit, or empty for none
     */
    public Optional<Limit> tokenLimit() {
        return Optional.ofNullable(tokenLimit);
    }

    /**
     * The spending cap.
     *
     * @return the budget, or empty for none
     */
    public Optional<Budget> budget() {
        return Optional.ofNullable(budget);
    }

    /**
     * Whether an admin disabled the key: requests with it are refused until it is enabled again.
     *
     * @return {@code true} when disabled
     */
    public boolean disabled() {
        return disabled;
    }

    /**
     * When the key stops working.
     *
     * @return the instant, or empty when it does not expire
     */
    public Optional<Instant> expiresAt() {
        return Optional.ofNullable(expiresAt);
    }

    /**
     * Whether the key is expired at an instant.
     *
     * @param now the instant
     * @return {@code true} when it has an expiry at or before {@code now}
     */
    public boolean expiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    /**
     * When the key was created.
     *
     * @return the instant
     */
    public Instant createdAt() {
        return createdAt;
    }

    /**
     * Equal when every rule and the name are.
     *
     * @param other another object
     * @return {@code true} for a key with the same name and rules
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof ManagedVirtualKey key && name.equals(key.name)
                && allowedModels.equals(key.allowedModels) && Objects.equals(requestLimit, key.requestLimit)
                && Objects.equals(tokenLimit, key.tokenLimit) && Objects.equals(budget, key.budget)
                && disabled == key.disabled && Objects.equals(expiresAt, key.expiresAt)
                && createdAt.equals(key.createdAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, allowedModels, requestLimit, tokenLimit, budget, disabled, expiresAt, createdAt);
    }

    /**
     * Never a value (a managed key holds none).
     *
     * @return {@code ManagedVirtualKey[name]}
     */
    @Override
    public String toString() {
        return "ManagedVirtualKey[" + name + "]";
    }

    /** Builds a {@link ManagedVirtualKey}. Not thread-safe; use one builder per key. */
    public static final class Builder {
        private final String name;
        private List<String> allowedModels = List.of();
        private Limit requestLimit;
        private Limit tokenLimit;
        private Budget budget;
        private boolean disabled;
        private Instant expiresAt;
        private Instant createdAt = Instant.EPOCH;

        private Builder(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("a virtual key needs a name");
            }
            this.name = name;
        }

        /**
         * The allowed models.
         *
         * @param patterns globs over {@code provider/model}; empty for every model
         * @return this builder
         */
        public Builder allowedModels(List<String> patterns) {
            this.allowedModels = List.copyOf(patterns);
            return this;
        }

        /**
         * The request rate limit.
         *
         * @param limit the limit, or {@code null} for none
         * @return this builder
         */
        public Builder requestLimit(Limit limit) {
            this.requestLimit = limit;
            return this;
        }

        /**
         * The token rate limit.
         *
         * @param limit the limit, or {@code null} for none
         * @return this builder
         */
        public Builder tokenLimit(Limit limit) {
            this.tokenLimit = limit;
            return this;
        }

        /**
         * The spending cap.
         *
         * @param value the budget, or {@code null} for none
         * @return this builder
         */
        public Builder budget(Budget value) {
            this.budget = value;
            return this;
        }

        /**
         * Whether the key is disabled.
         *
         * @param value {@code true} to refuse its requests
         * @return this builder
         */
        public Builder disabled(boolean value) {
            this.disabled = value;
            return this;
        }

        /**
         * When the key stops working.
         *
         * @param value the instant, or {@code null} for never
         * @return this builder
         */
        public Builder expiresAt(Instant value) {
            this.expiresAt = value;
            return this;
        }

        /**
         * When the key was created.
         *
         * @param value the instant
         * @return this builder
         */
        public Builder createdAt(Instant value) {
            this.createdAt = Objects.requireNonNull(value, "createdAt");
            return this;
        }

        /**
         * The key.
         *
         * @return a new immutable key
         */
        public ManagedVirtualKey build() {
            return new ManagedVirtualKey(this);
        }
    }
}
