package io.gateway.spi.middleware;

import java.util.Objects;

/**
 * One upstream attempt the router made for a request: which provider, model and key, and how it ended.
 *
 * @param provider the provider name
 * @param model    the model sent upstream
 * @param keyName  the key's name ({@code none} for keyless providers)
 * @param status   the HTTP status the attempt ended with (200 for success, the error's status otherwise)
 * @param millis   how long the attempt took until the answer or its first stream event
 * @param fallback the index in the fallback list (0 = the requested model, 1 = first fallback, …)
 */
public record RoutingAttempt(String provider, String model, String keyName, int status, long millis, int fallback) {

    /**
     * Validates the names.
     *
     * @throws NullPointerException for missing names
     */
    public RoutingAttempt {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(keyName, "keyName");
    }

    /**
     * Compact form for logs: {@code openai/gpt-4o key=a status=429 12ms}.
     *
     * @return the text
     */
    @Override
    public String toString() {
        return provider + "/" + model + " key=" + keyName + " status=" + status + " " + millis + "ms"
                + (fallback > 0 ? " fallback=" + fallback : "");
    }
}
