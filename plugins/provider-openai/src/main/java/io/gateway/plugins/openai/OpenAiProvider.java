package io.gateway.plugins.openai;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.toolkit.openai.OpenAiPaths;
import io.gateway.toolkit.settings.BaseUrl;
import io.gateway.toolkit.upstream.HeaderRelay;
import io.gateway.toolkit.upstream.UpstreamCalls;
import java.net.URI;
import java.util.Set;

/**
 * Pass-through to an OpenAI-compatible API: the body goes upstream as the router prepared it (only
 * {@code model} rewritten, gateway fields removed), and the answer comes back byte for byte — JSON
 * unparsed, streams event by event. Errors are read as OpenAI-compatible servers write them.
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
        this.operations = Set.copyOf(operations);
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
        if (!operations.contains(call.operation())) {
            // the server never asks; a direct caller gets a refusal, not a call to a path the service lacks
            throw GatewayException.of(ErrorCode.UNSUPPORTED_OPERATION, "provider " + name + " does not offer "
                    + call.operation().wireName());
        }
        URI endpoint = endpoints[call.operation().ordinal()];
        if (endpoint == null) {
            throw GatewayException.of(ErrorCode.UNSUPPORTED_OPERATION, "provider " + name + " does not offer "
                    + call.operation().wireName());
        }
        return upstream.relay(call.operation() == Operation.LIST_MODELS
                ? upstream.get(call, endpoint)
                : upstream.post(call, endpoint, call.bodyBytes()));
    }

    @Override
    public String toString() {
        return "OpenAiProvider[" + name + " " + base + "]";
    }
}
