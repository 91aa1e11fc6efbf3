package io.gateway.plugins.bedrock;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.spi.upstream.UpstreamRequest;
import io.gateway.spi.upstream.UpstreamResponse;
import io.gateway.toolkit.upstream.Answer;
import io.gateway.toolkit.upstream.UpstreamCalls;
import jakarta.json.JsonObject;
import java.net.URI;
import java.time.Clock;
import java.util.Locale;
import java.util.UUID;

/**
 * The upstream calls of one Bedrock provider: a request for a model or the control plane, in the
 * region of the attempt's key, authenticated ({@link AwsAuth}) and sent through the toolkit's
 * {@link UpstreamCalls} over the server's upstream client, so the router's deadline, the stream idle
 * timeout, the proxy and TLS settings and the upstream metrics apply; errors are read by
 * {@link BedrockErrors}. Immutable and thread-safe.
 */
final class BedrockCalls {

    /** The media type of Bedrock's response streams. */
    static final String EVENT_STREAM = "application/vnd.amazon.eventstream";
    private static final String JSON = "application/json";
    /** Bedrock's request id header, relayed to the client. */
    static final String REQUEST_ID = "x-amzn-requestid";

    private final String name;
    private final Endpoints endpoints;
    private final AwsAuth auth;
    private final UpstreamCalls upstream;
    private final Headers extraHeaders;
    private final Clock clock;

    /**
     * @param name         the provider name, for messages
     * @param endpoints    where calls go
     * @param auth         how they authenticate
     * @param upstream     the call skeleton with Bedrock's error parser and header relay
     * @param extraHeaders the configured {@code extra-headers}, sent (and signed) with every call
     * @param clock        for {@code created} times
     */
    BedrockCalls(String name, Endpoints endpoints, AwsAuth auth, UpstreamCalls upstream, Headers extraHeaders,
                 Clock clock) {
        this.name = name;
        this.endpoints = endpoints;
        this.auth = auth;
        this.upstream = upstream;
        this.extraHeaders = extraHeaders;
        this.clock = clock;
    }

    /** The provider name. */
    String name() {
        return name;
    }

    /** Seconds since the epoch, for {@code created} fields. */
    long now() {
        return clock.instant().getEpochSecond();
    }

    /**
     * The runtime URI of a model action in the call's region.
     *
     * @param call   the attempt
     * @param action {@code converse}, {@code converse-stream} or {@code invoke}
     * @return the URI
     */
    URI model(ProviderCall call, String action) {
        return endpoints.model(auth.region(call.key()), call.model(), action);
    }

    /**
     * A control plane URI in the call's region.
     *
     * @param call         the attempt
     * @param pathAndQuery e.g. {@code foundation-models}
     * @return the URI
     */
    URI control(ProviderCall call, String pathAndQuery) {
        return endpoints.control(auth.region(call.key()), pathAndQuery);
    }

    /**
     * POSTs JSON and reads the whole JSON answer.
     *
     * @param call the attempt
     * @param uri  where to
     * @param body the body
     * @return the answer, its headers relayed ({@code x-amzn-RequestId}, token counts, retry hints)
     */
    Answer<JsonObject> post(ProviderCall call, URI uri, JsonObject body) {
        return upstream.json(request(call, "POST", uri, JSON, JsonBodies.toBytes(body)));
    }

    /**
     * GETs a JSON document.
     *
     * @param call the attempt
     * @param uri  where from
     * @return the answer
     */
    Answer<JsonObject> get(ProviderCall call, URI uri) {
        return upstream.json(request(call, "GET", uri, JSON, null));
    }

    /**
     * POSTs JSON for a response stream and returns its decoded events once Bedrock answered 2xx with
     * {@value #EVENT_STREAM}.
     *
     * @param call the attempt (streaming)
     * @param uri  where to
     * @param body the body
     * @return the answer: relayed headers and the events, which the caller reads to their end or closes
     * @throws GatewayException the parsed upstream error, or 502 for an answer that is not an event
     *                          stream
     */
    Answer<EventStream> stream(ProviderCall call, URI uri, JsonObject body) {
        UpstreamResponse response = upstream.send(request(call, "POST", uri, EVENT_STREAM, JsonBodies.toBytes(body)));
        String type = response.headers().first("content-type").orElse("").toLowerCase(Locale.ROOT);
        if (!type.startsWith(EVENT_STREAM)) {
            response.close();
            throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "provider " + name + " answered a stream "
                    + "request with '" + type + "' instead of " + EVENT_STREAM);
        }
        Headers relayed = upstream.relayed(response.headers());
        return new Answer<>(response.status(), relayed,
                new EventStreamReader(response, relayed, call.streamIdleTimeout()));
    }

    private UpstreamRequest request(ProviderCall call, String method, URI uri, String accept, byte[] body) {
        Headers.Builder headers = extraHeaders.toBuilder().set("accept", accept);
        if (body != null) {
            headers.set("content-type", JSON);
        }
        Headers signed = auth.authorize(call.key(), auth.region(call.key()), method, uri, headers.build(), body);
        return call.request(method, uri, signed, body);
    }

    /**
     * An id for an answer: {@code prefix} and Bedrock's request id, or a random one when it sent none.
     *
     * @param prefix  e.g. {@code chatcmpl-}
     * @param relayed the answer's relayed headers
     * @return the id
     */
    static String id(String prefix, Headers relayed) {
        String requestId = relayed.first(REQUEST_ID).orElse(null);
        return prefix + (requestId == null || requestId.isBlank() ? UUID.randomUUID().toString() : requestId);
    }

    @Override
    public String toString() {
        return "BedrockCalls[" + name + ", " + auth + "]";
    }
}
