package io.gateway.plugins.openai;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.spi.Response;
import io.gateway.spi.upstream.UpstreamClient;
import io.gateway.spi.upstream.UpstreamResponse;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Pass-through to an OpenAI-compatible API: the body goes upstream as the router prepared it (only
 * {@code model} rewritten, gateway fields removed), and the answer comes back byte for byte — JSON
 * unparsed, streams event by event.
 */
final class OpenAiProvider implements Provider {

    private final String name;
    private final URI base;
    private final Set<Operation> operations;
    private final Headers fixedHeaders;
    private final UpstreamClient upstream;
    private final URI[] endpoints = new URI[Operation.values().length];

    OpenAiProvider(String name, URI base, Set<Operation> operations, Map<String, String> extraHeaders,
                   String organization, String project, UpstreamClient upstream) {
        this.name = name;
        this.base = base;
        this.operations = Set.copyOf(operations);
        this.upstream = upstream;
        Headers.Builder headers = Headers.builder();
        extraHeaders.forEach(headers::set);
        if (organization != null) {
            headers.set("openai-organization", organization);
        }
        if (project != null) {
            headers.set("openai-project", project);
        }
        this.fixedHeaders = headers.build();
        for (Operation operation : Operation.values()) {
            endpoints[operation.ordinal()] = base.resolve(OpenAiPaths.of(operation));
        }
    }

    @Override
    public Set<Operation> operations() {
        return operations;
    }

    @Override
    public Response call(ProviderCall call) {
        Operation operation = call.operation();
        Headers.Builder headers = fixedHeaders.toBuilder();
        if (!call.key().value().isEmpty()) {
            headers.set("authorization", "Bearer " + call.key().value().reveal());
        }
        URI endpoint = endpoints[operation.ordinal()];
        UpstreamResponse response;
        if (operation == Operation.LIST_MODELS) {
            headers.set("accept", "application/json");
            response = upstream.send(call.request("GET", endpoint, headers.build(), null));
        } else {
            headers.set("content-type", "application/json");
            headers.set("accept", call.stream() ? "text/event-stream" : "application/json");
            byte[] body = call.bodyBytes();
            response = upstream.send(call.request("POST", endpoint, headers.build(), body));
        }
        int status = response.status();
        Headers relayed = UpstreamHeaders.relayed(response.headers());
        if (status < 200 || status > 299) {
            byte[] errorBody;
            try {
                errorBody = response.body();
            } catch (GatewayException e) {
                errorBody = new byte[0];
            }
            throw UpstreamErrors.toException(status, errorBody, relayed);
        }
        String contentType = response.headers().first("content-type").orElse("").toLowerCase(Locale.ROOT);
        if (call.stream() && contentType.startsWith("text/event-stream")) {
            return new Response.Streaming(status, relayed, response.events());
        }
        byte[] bytes = response.body();
        if (bytes.length == 0) {
            throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "provider " + name
                    + " answered HTTP " + status + " with an empty body");
        }
        return Response.Complete.ofBytes(status, relayed, bytes);
    }

    @Override
    public String toString() {
        return "OpenAiProvider[" + name + " " + base + "]";
    }
}
