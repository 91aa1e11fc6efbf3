package io.gateway.plugins.governance;

import io.gateway.spi.Secret;
import io.gateway.spi.middleware.ToolAccess;
import java.util.List;

/**
 * One configured virtual key.
 *
 * @param name          the key's name: the client identity, and what logs, errors and reports show
 * @param value         the secret clients send; empty when its variable was unset (never matches)
 * @param allowedModels globs over {@code provider/model}; {@link ModelGlob#ANY} when unrestricted
 * @param requests      the request rate limit, or {@code null}
 * @param tokens        the token rate limit, or {@code null}
 * @param budget        the spending cap, or {@code null}
 * @param allowedTools  the MCP tools the key may list and call ({@code allowed-tools})
 */
record VirtualKey(String name, Secret value, List<ModelGlob> allowedModels, RateLimit requests, RateLimit tokens,
                  Budget budget, ToolAccess allowedTools) {

    /** Copies the list. */
    VirtualKey {
        allowedModels = List.copyOf(allowedModels);
        java.util.Objects.requireNonNull(allowedTools, "allowedTools");
    }

    /**
     * A key without {@code allowed-tools}: the default rule ({@link #defaultTools}).
     *
     * @param name          the key's name
     * @param value         the secret clients send
     * @param allowedModels globs over {@code provider/model}
     * @param requests      the request rate limit, or {@code null}
     * @param tokens        the token rate limit, or {@code null}
     * @param budget        the spending cap, or {@code null}
     */
    VirtualKey(String name, Secret value, List<ModelGlob> allowedModels, RateLimit requests, RateLimit tokens,
               Budget budget) {
        this(name, value, allowedModels, requests, tokens, budget, defaultTools(allowedModels));
    }

    /**
     * The tools of a key that does not list {@code allowed-tools}: every tool when it may use every
     * model too, none when it lists models (a key scoped to some models is not silently given tools).
     *
     * @param allowedModels the key's model globs
     * @return the access
     */
    static ToolAccess defaultTools(List<ModelGlob> allowedModels) {
        return allowedModels.contains(ModelGlob.ANY) ? ToolAccess.all() : ToolAccess.none();
    }

    /**
     * Whether any model is allowed, so model lists need no filtering.
     *
     * @return {@code true} if unrestricted
     */
    boolean allowsEveryModel() {
        return allowedModels.contains(ModelGlob.ANY);
    }

    /**
     * Whether a model may be used with this key.
     *
     * @param qualifiedModel {@code provider/model}
     * @return {@code true} if a glob matches
     */
    boolean allows(String qualifiedModel) {
        for (ModelGlob glob : allowedModels) {
            if (glob.matches(qualifiedModel)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Never the value.
     *
     * @return the name
     */
    @Override
    public String toString() {
        return "VirtualKey[" + name + "]";
    }
}
