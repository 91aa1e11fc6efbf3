package io.gateway.toolkit.upstream;

import io.gateway.spi.ByteStream;
import io.gateway.spi.ErrorCode;
import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.MultipartForm;
import io.gateway.spi.Response;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.spi.upstream.UpstreamClient;
import io.gateway.spi.upstream.UpstreamRequest;
import io.gateway.spi.upstream.UpstreamResponse;
import jakarta.json.JsonObject;
import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * The upstream-call skeleton of one provider: builds its requests (fixed headers, the key, content
 * type and accept), sends them through the server's {@link UpstreamClient}, and reads the answer in the
 * form the provider needs, so that a provider's call path is translate, send, translate back.
 *
 * <p>Every read method sends the request and then:
 * <ul>
 *   <li>maps an answer that is not 2xx to a {@link GatewayException} through the provider's
 *       {@link ErrorParser} (the error body read to its end, or treated as empty when it cannot be
 *       read), with the headers the {@link HeaderRelay} lets through;</li>
 *   <li>for bodies: answers 502 {@link ErrorCode#BAD_UPSTREAM_RESPONSE} naming the provider for an
 *       empty body, or for a body that is not a JSON object where one is expected;</li>
 *   <li>for streams: answers 502 naming the provider when the content type is not
 *       {@code text/event-stream}, else returns the events;</li>
 *   <li>closes the response on every failure path, so no connection is leaked.</li>
 * </ul>
 * Connection failures and timeouts come from the client as they are (502
 * {@link ErrorCode#PROVIDER_CONNECTION_FAILED}, 504 {@link ErrorCode#TIMEOUT}).
 *
 * <p>Create one per provider instance in the factory's {@code create}; it is immutable and thread-safe.
 */
public final class UpstreamCalls {

    private static final String JSON = "application/json";
    private static final String EVENT_STREAM = "text/event-stream";

    private final String provider;
    private final UpstreamClient client;
    private final Headers fixedHeaders;
    private final KeyHeader keyHeader;
    private final ErrorParser errors;
    private final HeaderRelay relay;

    private UpstreamCalls(Builder builder) {
        this.provider = builder.provider;
        this.client = builder.client;
        this.fixedHeaders = builder.fixedHeaders;
        this.keyHeader = builder.keyHeader;
        this.errors = builder.errors;
        this.relay = builder.relay;
    }

    /**
     * A builder. Defaults: no fixed headers, {@link KeyHeader#bearer()} and {@link HeaderRelay#rateLimits}.
     *
     * @param provider the provider's configured name, for messages
     * @param client   the server's client ({@code context.upstream()})
     * @param errors   how the vendor's error answers are read, e.g.
     *                 {@link io.gateway.toolkit.openai.OpenAiErrors#parse} for OpenAI-compatible upstreams
     * @return the builder
     */
    public static Builder builder(String provider, UpstreamClient client, ErrorParser errors) {
        return new Builder(provider, client, errors);
    }

    /**
     * The request headers of an attempt: the fixed headers and the attempt's key.
     *
     * @param call the attempt
     * @return a builder holding them, for the caller to add to
     */
    public Headers.Builder headers(ProviderCall call) {
        Headers.Builder headers = fixedHeaders.toBuilder();
        keyHeader.apply(headers, call.key());
        return headers;
    }

    /**
     * A {@code GET} expecting JSON, with the call's deadline.
     *
     * @param call the attempt
     * @param uri  the absolute URI
     * @return the request
     */
    public UpstreamRequest get(ProviderCall call, URI uri) {
        return call.request("GET", uri, headers(call).set("accept", JSON).build(), null);
    }

    /**
     * A {@code POST} of JSON bytes, accepting {@code text/event-stream} when the call streams and
     * JSON otherwise, with the call's deadline and stream idle timeout.
     *
     * @param call the attempt
     * @param uri  the absolute URI
     * @param body the UTF-8 JSON body (not copied)
     * @return the request
     */
    public UpstreamRequest post(ProviderCall call, URI uri, byte[] body) {
        Headers headers = headers(call)
                .set("content-type", JSON)
                .set("accept", call.stream() ? EVENT_STREAM : JSON)
                .build();
        return call.request("POST", uri, headers, body);
    }

    /**
     * A {@code POST} of a JSON object; see {@link #post(ProviderCall, URI, byte[])}.
     *
     * @param call the attempt
     * @param uri  the absolute URI
     * @param body the body
     * @return the request
     */
    public UpstreamRequest post(ProviderCall call, URI uri, JsonObject body) {
        return post(call, uri, JsonBodies.toBytes(body));
    }

    /**
     * A request without a body ({@code DELETE files/ID}, {@code POST batches/ID/cancel}), accepting JSON.
     *
     * @param call   the attempt
     * @param method the HTTP method
     * @param uri    the absolute URI
     * @return the request
     */
    public UpstreamRequest bodiless(ProviderCall call, String method, URI uri) {
        return call.request(method, uri, headers(call).set("accept", JSON).build(), null);
    }

    /**
     * A {@code GET} of bytes that are not JSON (a file's content), read as they arrive: the request's
     * reads are bounded by the stream idle timeout, not the deadline, so a large download is not cut.
     *
     * @param call the attempt
     * @param uri  the absolute URI
     * @return the request
     */
    public UpstreamRequest download(ProviderCall call, URI uri) {
        return call.requestBuilder("GET", uri, headers(call).set("accept", "*/*").build()).stream(true).build();
    }

    /**
     * A {@code POST} of JSON whose answer is audio (or, when the call streams, events), read as it
     * arrives.
     *
     * @param call the attempt
     * @param uri  the absolute URI
     * @param body the UTF-8 JSON body (not copied)
     * @return the request
     */
    public UpstreamRequest postForAudio(ProviderCall call, URI uri, byte[] body) {
        Headers headers = headers(call)
                .set("content-type", JSON)
                .set("accept", call.stream() ? EVENT_STREAM : "*/*")
                .build();
        return call.requestBuilder("POST", uri, headers).body(body).stream(true).build();
    }

    /**
     * A {@code POST} of a multipart form, encoded with a fresh boundary and streamed: each file is
     * copied from where the gateway keeps it as the request is written. Accepts events when the call
     * streams, anything otherwise (transcripts come as text in the text formats).
     *
     * @param call the attempt
     * @param uri  the absolute URI
     * @param form the form
     * @return the request
     */
    public UpstreamRequest form(ProviderCall call, URI uri, MultipartForm form) {
        io.gateway.spi.Content body = form.encode();
        Headers headers = headers(call)
                .set("content-type", body.contentType())
                .set("accept", call.stream() ? EVENT_STREAM : "*/*")
                .build();
        return call.requestBuilder("POST", uri, headers).content(body).build();
    }

    /**
     * Client headers a passthrough never carries on: its credentials (the provider's key replaces them),
     * the gateway's own, and those of the connection, which the upstream client sets itself.
     */
    private static final java.util.Set<String> NOT_PASSED = java.util.Set.of("authorization", "x-api-key", "api-key",
            "x-goog-api-key", "proxy-authorization", "cookie", "host", "content-length", "content-type", "connection",
            "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "expect", "accept-encoding", "via",
            "forwarded", "traceparent", "tracestate");

    /**
     * Sends a passthrough call ({@link io.gateway.spi.Operation#PASSTHROUGH}) to the provider's own API
     * and relays the answer: the call's method, its path and query below {@code base}, the client's body
     * as it came, the client's headers without its credentials, the gateway's ({@code x-bf-*},
     * {@code x-forwarded-*}) and the connection's, and this provider's fixed headers and key. A
     * {@code text/event-stream} answer is relayed as a stream, event by event; any other answer as
     * bytes as they arrive, never parsed. Reads are bounded by the stream idle timeout, so a long
     * download or stream is not cut by the deadline.
     *
     * @param call the attempt, with the {@code method}, {@code path} and {@code query} parameters
     * @param base the provider's base URL, e.g. {@code https://api.openai.com/v1}
     * @return the response for the client
     * @throws GatewayException the parsed upstream error; 400 when the call names no method or path
     */
    public Response passThrough(ProviderCall call, URI base) {
        String method = call.parameter("method").orElseThrow(() -> GatewayException.invalidRequest(
                "a passthrough call names no method", null));
        String path = call.parameter("path").orElseThrow(() -> GatewayException.invalidRequest(
                "a passthrough call names no path", null));
        String query = call.parameter("query").orElse("");
        String root = base.toString();
        while (root.endsWith("/")) {
            root = root.substring(0, root.length() - 1);
        }
        URI uri;
        try {
            uri = URI.create(root + "/" + path + (query.isEmpty() ? "" : "?" + query));
        } catch (IllegalArgumentException e) {
            throw GatewayException.invalidRequest("the passthrough path or query is not a valid URI part: "
                    + e.getMessage(), null);
        }
        Headers.Builder headers = headers(call);
        Headers fixed = headers.build();
        call.headers().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (NOT_PASSED.contains(lower) || lower.startsWith("x-bf-") || lower.startsWith("x-forwarded-")
                    || lower.startsWith("proxy-") || fixed.contains(lower)) {
                return;
            }
            for (String value : values) {
                headers.add(name, value);
            }
        });
        UpstreamRequest.Builder request = call.requestBuilder(method, uri, headers.build()).stream(true);
        call.content().ifPresent(body -> {
            request.content(body);
        });
        UpstreamResponse response = send(request.build());
        if (contentType(response).startsWith(EVENT_STREAM)) {
            return new Response.Streaming(response.status(), relay.apply(response.headers()), response.events());
        }
        return binary(response);
    }

    /**
     * The headers of an upstream answer that reach the client.
     *
     * @param upstream the answer's headers
     * @return the relayed headers
     */
    public Headers relayed(Headers upstream) {
        return relay.apply(upstream);
    }

    /**
     * Sends a request and returns the open 2xx answer, for a caller that reads it itself; any other
     * status is read, closed and thrown as the parsed error.
     *
     * @param request the request
     * @return the 2xx response; the caller reads its body or closes it
     * @throws GatewayException the parsed upstream error, or the client's connection failure or timeout
     */
    public UpstreamResponse send(UpstreamRequest request) {
        UpstreamResponse response = client.send(request);
        int status = response.status();
        if (status >= 200 && status <= 299) {
            return response;
        }
        Headers relayed;
        byte[] body;
        try (response) {
            relayed = relay.apply(response.headers());
            body = errorBody(response);
        }
        throw errors.parse(status, body, relayed);
    }

    private static byte[] errorBody(UpstreamResponse response) {
        try {
            return response.body();
        } catch (GatewayException unreadable) {
            // a broken or slow error body: the status still says what happened
            return new byte[0];
        }
    }

    /**
     * Sends a request and reads the whole answer.
     *
     * @param request the request
     * @return the answer with its non-empty body (not copied)
     * @throws GatewayException the parsed upstream error, or 502 for an empty body
     */
    public Answer<byte[]> bytes(UpstreamRequest request) {
        UpstreamResponse response = send(request);
        try (response) {
            Headers relayed = relay.apply(response.headers());
            byte[] body = response.body();
            if (body.length == 0) {
                throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "provider " + provider + " answered HTTP "
                        + response.status() + " with an empty body");
            }
            return new Answer<>(response.status(), relayed, body);
        }
    }

    /**
     * Sends a request and reads the answer as one JSON object.
     *
     * @param request the request
     * @return the answer with its parsed body
     * @throws GatewayException the parsed upstream error, or 502 for an empty body or one that is not a
     *                          JSON object
     */
    public Answer<JsonObject> json(UpstreamRequest request) {
        Answer<byte[]> answer = bytes(request);
        JsonObject body;
        try {
            body = JsonBodies.parse(answer.body());
        } catch (GatewayException e) {
            throw e.withMessage("provider " + provider + " answered HTTP " + answer.status()
                    + " with a body that is not a JSON object");
        }
        return new Answer<>(answer.status(), answer.headers(), body);
    }

    /**
     * Sends a request for a stream and returns its events as they arrive.
     *
     * @param request the request (see {@link #post}, which asks for {@code text/event-stream})
     * @return the answer whose events the caller reads to their end or closes
     * @throws GatewayException the parsed upstream error, or 502 when the answer is not
     *                          {@code text/event-stream}
     */
    public Answer<EventStream> events(UpstreamRequest request) {
        UpstreamResponse response = send(request);
        String contentType = contentType(response);
        if (!contentType.startsWith(EVENT_STREAM)) {
            response.close();
            throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "provider " + provider
                    + " answered a stream request with '" + contentType + "' instead of " + EVENT_STREAM);
        }
        return new Answer<>(response.status(), relay.apply(response.headers()), response.events());
    }

    /**
     * Sends a request and relays the answer unchanged, for pass-through providers: a stream as the
     * upstream's events when the request streams and the upstream answered {@code text/event-stream},
     * anything else as the upstream's bytes, never parsed (an upstream that answers a stream request
     * with one JSON document is relayed as that document).
     *
     * @param request the request
     * @return the response for the client, with the upstream's status and relayed headers
     * @throws GatewayException the parsed upstream error, or 502 for an empty body
     */
    public Response relay(UpstreamRequest request) {
        if (request.stream()) {
            UpstreamResponse response = send(request);
            if (contentType(response).startsWith(EVENT_STREAM)) {
                return new Response.Streaming(response.status(), relay.apply(response.headers()), response.events());
            }
            Answer<byte[]> answer = read(response);
            return Response.Complete.ofBytes(answer.status(), answer.headers(), answer.body());
        }
        Answer<byte[]> answer = bytes(request);
        return Response.Complete.ofBytes(answer.status(), answer.headers(), answer.body());
    }

    /**
     * Sends a request and relays the answer by what it is: JSON as {@link Response.Complete} bytes
     * (checked and scanned for usage by the server, never parsed here), server-sent events as a
     * stream when the request streams, and anything else (audio, text, a file) as a
     * {@link Response.Binary} whose bytes are relayed as they arrive, with the upstream's content
     * type and length.
     *
     * @param request the request
     * @return the response
     * @throws GatewayException the parsed upstream error, or 502 for an empty JSON body
     */
    public Response relayAny(UpstreamRequest request) {
        UpstreamResponse response = send(request);
        String contentType = contentType(response);
        if (request.stream() && contentType.startsWith(EVENT_STREAM) && !request.method().equals("GET")) {
            return new Response.Streaming(response.status(), relay.apply(response.headers()), response.events());
        }
        if (contentType.startsWith(JSON) || contentType.contains("+json")) {
            Answer<byte[]> answer = read(response);
            return Response.Complete.ofBytes(answer.status(), answer.headers(), answer.body());
        }
        return binary(response);
    }

    /**
     * Sends a request and relays the answer as bytes whatever its content type (a file's content may
     * be JSON Lines, which is no JSON document), as they arrive.
     *
     * @param request the request (see {@link #download})
     * @return the response
     * @throws GatewayException the parsed upstream error
     */
    public Response.Binary relayBytes(UpstreamRequest request) {
        return binary(send(request));
    }

    private Response.Binary binary(UpstreamResponse response) {
        String contentType = response.headers().first("content-type").orElse("application/octet-stream");
        long length = -1;
        String declared = response.headers().first("content-length").orElse(null);
        if (declared != null) {
            try {
                length = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                length = -1;
            }
        }
        return new Response.Binary(response.status(), relay.apply(response.headers()), contentType,
                length < 0 ? -1 : length, ByteStream.of(response.stream()));
    }

    private Answer<byte[]> read(UpstreamResponse response) {
        try (response) {
            byte[] body = response.body();
            if (body.length == 0) {
                throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "provider " + provider + " answered HTTP "
                        + response.status() + " with an empty body");
            }
            return new Answer<>(response.status(), relay.apply(response.headers()), body);
        }
    }

    private static String contentType(UpstreamResponse response) {
        return response.headers().first("content-type").orElse("").toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return "UpstreamCalls[" + provider + "]";
    }

    /** Builds {@link UpstreamCalls}. Not thread-safe. */
    public static final class Builder {
        private final String provider;
        private final UpstreamClient client;
        private Headers fixedHeaders = Headers.empty();
        private KeyHeader keyHeader = KeyHeader.bearer();
        private final ErrorParser errors;
        private HeaderRelay relay = HeaderRelay.rateLimits();

        private Builder(String provider, UpstreamClient client, ErrorParser errors) {
            this.provider = Objects.requireNonNull(provider, "provider");
            this.client = Objects.requireNonNull(client, "client");
            this.errors = Objects.requireNonNull(errors, "errors");
        }

        /**
         * Headers sent with every request ({@code extra-headers}, a version header); the key, content
         * type and accept are set per request and replace values of the same name.
         *
         * @param headers the headers
         * @return this builder
         */
        public Builder headers(Headers headers) {
            this.fixedHeaders = Objects.requireNonNull(headers, "headers");
            return this;
        }

        /**
         * How the key travels.
         *
         * @param header the key header
         * @return this builder
         */
        public Builder key(KeyHeader header) {
            this.keyHeader = Objects.requireNonNull(header, "header");
            return this;
        }

        /**
         * Which response headers reach the client.
         *
         * @param headerRelay the relay
         * @return this builder
         */
        public Builder relay(HeaderRelay headerRelay) {
            this.relay = Objects.requireNonNull(headerRelay, "headerRelay");
            return this;
        }

        /**
         * The skeleton.
         *
         * @return a new instance
         */
        public UpstreamCalls build() {
            return new UpstreamCalls(this);
        }
    }
}
