package io.gateway.spi;

import java.util.Objects;

/**
 * A requested model: the provider name configured in the gateway and the model name that
 * provider knows.
 *
 * <p>{@code "openai/gpt-4o-mini"} is provider {@code openai}, model {@code gpt-4o-mini}. The string is
 * split on the first {@code /} only, so {@code "openrouter/meta-llama/llama-3-70b"} is provider
 * {@code openrouter}, model {@code meta-llama/llama-3-70b}. A bare model name belongs to the
 * default provider.
 *
 * @param provider the configured provider name, never blank
 * @param model    the model name as the provider knows it, never blank
 */
public record ModelRef(String provider, String model) {

    /** The provider that serves bare model names. */
    public static final String DEFAULT_PROVIDER = "openai";

    /**
     * Validates both parts.
     *
     * @throws IllegalArgumentException if either part is null or blank
     */
    public ModelRef {
        if (provider == null || provider.isBlank()) {
            throw new IllegalArgumentException("provider must not be blank");
        }
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("model must not be blank");
        }
    }

    /**
     * Parses {@code provider/model}, or a bare {@code model} for the {@link #DEFAULT_PROVIDER}.
     *
     * @param value the {@code model} field of a request
     * @return the parsed reference
     * @throws IllegalArgumentException if the value is blank or either part is empty
     */
    public static ModelRef parse(String value) {
        Objects.requireNonNull(value, "value");
        int slash = value.indexOf('/');
        if (slash < 0) {
            return new ModelRef(DEFAULT_PROVIDER, value);
        }
        return new ModelRef(value.substring(0, slash), value.substring(slash + 1));
    }

    /**
     * The qualified form {@code provider/model}.
     *
     * @return the qualified name
     */
    @Override
    public String toString() {
        return provider + "/" + model;
    }
}
