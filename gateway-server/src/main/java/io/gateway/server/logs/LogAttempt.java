package io.gateway.server.logs;

import jakarta.json.bind.annotation.JsonbPropertyOrder;

/**
 * One upstream attempt of a logged request, as {@code GET /admin/logs/{id}} shows it. Immutable.
 *
 * @param provider the configured provider's name
 * @param model    the bare model name
 * @param key      the name of the provider key used (never its value)
 * @param status   the HTTP status the attempt ended with
 * @param ms       how long the attempt took, in milliseconds
 * @param fallback the index of its target in the fallback list (0 for the requested model)
 */
@JsonbPropertyOrder({"provider", "model", "key", "status", "ms", "fallback"})
public record LogAttempt(String provider, String model, String key, int status, long ms, int fallback) {
}
