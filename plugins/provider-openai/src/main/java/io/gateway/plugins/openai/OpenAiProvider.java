package io.gateway.plugins.openai;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.toolkit.openai.OpenAiPaths;
import io.gateway.toolkit.openai.OpenAiRoutes;
import io.gateway.toolkit.settings.BaseUrl;
import io.gateway.toolkit.upstream.HeaderRelay;
import io.gateway.toolkit.upstream.UpstreamCalls;
import java.net.URI;
import java.util.Set;

/**
 * Pass-through to an OpenAI-compatible API: the body goes upstream as the router prepared it (only
 * {@code model} rewritten, gateway fields removed; a multipart form re-encoded with its files streamed),
 * and the answer comes back byte for byte — JSON unparsed, streams event by event, audio and file
 * contents as their bytes arrive ({@link OpenAiRoutes}). Errors are read as OpenAI-compatible servers
 * write them.
 */
final class OpenAiProvider implements Provider {

    /** Rate limits, retry hints, and OpenAI's processing time and API version. */
    static final HeaderRelay RELAY = HeaderRelay.rateLimits("openai-processing-ms", "openai-version");

    private final String name;
    private final BaseUrl base;
    private final Set<Operation> operations;
    private final UpstreamCalls upstream;
    private final URI[] endpoints = new URI[Operation.values().length];
    private final boolean cacheControl;

    OpenAiProvider(String name, BaseUrl base, Set<Operation> operations, UpstreamCalls upstream,
                   boolean cacheControl) {
        this.cacheControl = cacheControl;
        this.name = name;
        this.base = base;
        // every OpenAI-type service has endpoints the gateway does not model: all of them pass through
        java.util.EnumSet<Operation> offered = java.util.EnumSet.of(Operation.PASSTHROUGH);
        offered.addAll(operations);
        this.operations = Set.copyOf(offered);
        this.upstream = upstream;
        for (Operation operation : Operation.values()) {
            String path = OpenAiPaths.of(operation);
            endpoints[operation.ordinal()] = path == null ? null : base.resolve(path);
        }
    }

    @Override
    public Set<Operation> operations() {
        return operations;
    }

    /**
     * Whether chat requests may carry {@code cache_control} markers: the {@code cache-control} key, by
     * default {@code true} for OpenRouter, which passes them to the models that cache.
     */
    @Override
    public boolean chatCacheControl() {
        return cacheControl;
    }

    @Override
    public Response call(ProviderCall call) {
        Operation operation = call.operation();
        if (operation == Operation.PASSTHROUGH) {
            return upstream.passThrough(call, URI.create(base.toString()));
        }
        if (!operations.contains(operation) || endpoints[operation.ordinal()] == null) {
            // the server never asks; a direct caller gets a refusal, not a call to a path the service lacks
            throw GatewayException.of(ErrorCode.UNSUPPORTED_OPERATION, "provider " + name + " does not offer "
                    + operation.wireName());
        }
        switch (operation) {
            case CHAT_COMPLETION, TEXT_COMPLETION, RESPONSES, EMBEDDING, IMAGE_GENERATION, RERANK ->
                    // the hot path: one URI per operation, made once
                    {
                        return upstream.relay(upstream.post(call, endpoints[operation.ordinal()], call.bodyBytes()));
                    }
            case LIST_MODELS -> {
                return upstream.relay(upstream.get(call, endpoints[operation.ordinal()]));
            }
            default -> {
                URI uri = OpenAiPaths.of(operation).equals(OpenAiPaths.of(call)) ? endpoints[operation.ordinal()]
                        : base.resolve(OpenAiPaths.of(call));
                return OpenAiRoutes.relay(call, upstream, uri, call.bodyBytes(), call.form().orElse(null));
            }
        }
    }

    @Override
    public String toString() {
        return "OpenAiProvider[" + name + " " + base + "]";
    }
}
