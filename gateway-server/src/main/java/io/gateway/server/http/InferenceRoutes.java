package io.gateway.server.http;

import io.gateway.server.metrics.GatewayMetrics;
import io.gateway.server.routing.RequestTimings;
import io.gateway.spi.AttemptLog;
import io.gateway.spi.Chain;
import io.gateway.spi.ErrorCode;
import io.gateway.spi.EventStream;
import io.gateway.spi.Exchange;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.ModelRef;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.StreamEvent;
import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The OpenAI-compatible routes: parse the body once, build the {@link Exchange}, run the chain,
 * and write the answer as JSON (with Content-Length) or as server-sent events flushed one by one.
 */
public final class InferenceRoutes {

    /** Every inference route answers under each of these prefixes. */
    public static final List<String> PREFIXES = List.of("/openai/v1/", "/openai/", "/v1/");

    private static final System.Logger LOG = System.getLogger("gateway.http");
    private static final Header JSON = HeaderValues.createCached(HeaderNames.CONTENT_TYPE, "application/json");
    private static final Header EVENT_STREAM = HeaderValues.createCached(HeaderNames.CONTENT_TYPE,
            "text/event-stream; charset=utf-8");
    private static final Header NO_CACHE = HeaderValues.createCached(HeaderNames.CACHE_CONTROL, "no-cache");
    private static final HeaderName REQUEST_ID = HeaderNames.create("x-request-id");
    private static final HeaderName ASYNC_ID = HeaderNames.create("x-bf-async-id");
    private static final Set<String> NOT_RELAYED = Set.of("content-length", "transfer-encoding", "connection",
            "content-type", "content-encoding", "keep-alive", "date", "server", "x-request-id");

    /** Azure-style routes ({@code /openai/deployments/NAME/...}) go to the provider of this name. */
    public static final String DEPLOYMENT_PROVIDER = "azure";

    private final Chain chain;
    private final GatewayMetrics metrics;
    private final long maxRequestBody;
    private final java.util.function.BinaryOperator<String> deployments;

    /**
     * The routes.
     *
     * @param chain          the middleware chain ending in the router
     * @param metrics        metrics
     * @param maxRequestBody the body size limit
     * @param deployments    maps (provider, deployment) to {@code provider/model} for deployment routes
     */
    public InferenceRoutes(Chain chain, GatewayMetrics metrics, long maxRequestBody,
                           java.util.function.BinaryOperator<String> deployments) {
        this.chain = chain;
        this.metrics = metrics;
        this.maxRequestBody = maxRequestBody;
        this.deployments = deployments;
    }

    /**
     * Registers every route under every prefix, each POST route also answering other methods with 405.
     *
     * @param routing the routing builder
     */
    public void register(HttpRouting.Builder routing) {
        for (String prefix : PREFIXES) {
            for (Operation operation : Operation.values()) {
                String path = prefix + operation.path();
                if (operation == Operation.LIST_MODELS) {
                    routing.get(path, (req, res) -> handle(operation, req, res, false));
                    routing.any(path, (req, res) -> methodNotAllowed(operation, "GET", req, res));
                } else {
                    routing.post(path, (req, res) -> handle(operation, req, res, false));
                    routing.any(path, (req, res) -> methodNotAllowed(operation, "POST", req, res));
                }
            }
        }
        for (Operation operation : Operation.values()) {
            if (operation == Operation.LIST_MODELS) {
                continue;
            }
            String path = "/openai/deployments/{deployment}/" + operation.path();
            routing.post(path, (req, res) -> handle(operation, req, res, true));
            routing.any(path, (req, res) -> methodNotAllowed(operation, "POST", req, res));
        }
    }

    private void methodNotAllowed(Operation operation, String allowed, ServerRequest req, ServerResponse res) {
        String requestId = requestId(req);
        res.header(HeaderNames.ALLOW, allowed);
        writeError(res, requestId, GatewayException.of(ErrorCode.METHOD_NOT_ALLOWED, req.prologue().method().text()
                + " is not allowed on " + req.path().path() + "; use " + allowed), null, null, operation.wireName());
    }

    /**
     * The request id: the client's {@code x-request-id} when it is sane, else a new one.
     *
     * @param req the request
     * @return the id
     */
    static String requestId(ServerRequest req) {
        String given = req.headers().first(REQUEST_ID).orElse(null);
        if (given != null && !given.isEmpty() && given.length() <= 128 && isToken(given)) {
            return given;
        }
        return newRequestId();
    }

    /**
     * A new random request id.
     *
     * @return the id
     */
    static String newRequestId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return new UUID(random.nextLong(), random.nextLong()).toString();
    }

    private static boolean isToken(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c >= 127 || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    private void handle(Operation operation, ServerRequest req, ServerResponse res, boolean deploymentRoute) {
        long started = System.nanoTime();
        Instant receivedAt = Instant.now();
        String requestId = requestId(req);
        RequestTimings timings = new RequestTimings();
        AttemptLog attempts = new AttemptLog();
        ModelRef model = null;
        boolean stream = false;
        int status = 500;
        try {
            JsonObject body;
            if (operation == Operation.LIST_MODELS) {
                body = JsonValue.EMPTY_JSON_OBJECT;
            } else {
                byte[] bytes = RequestBodies.read(req.content().inputStream(), req.headers().contentLength().orElse(-1),
                        maxRequestBody);
                if (req.headers().contains(ASYNC_ID)) {
                    // A poll: the job id is in the header; the body is {} or empty and is not validated.
                    body = bytes.length == 0 ? JsonValue.EMPTY_JSON_OBJECT : RequestBodies.parse(bytes);
                    Exchange exchange = Exchange.create(requestId, operation, JsonValue.EMPTY_JSON_OBJECT,
                            headersOf(req), receivedAt).withAttribute(RequestTimings.KEY, timings)
                            .withAttribute(AttemptLog.KEY, attempts);
                    Response response = chain.proceed(exchange);
                    status = response.status();
                    writeComplete(res, requestId, (Response.Complete) response);
                    return;
                }
                // the parsed body remembers the client's bytes, so a pass-through provider can forward them
                body = JsonBodies.withEncoding(RequestBodies.parse(bytes), bytes);
                String deployment = deploymentRoute
                        ? req.path().pathParameters().get("deployment") : null;
                if (deployment != null) {
                    // Azure clients name the deployment in the path and usually send no model.
                    body = JsonBodies.provider().createObjectBuilder(body)
                            .add("model", deployments.apply(DEPLOYMENT_PROVIDER, deployment)).build();
                }
                String modelName = JsonBodies.string(body, "model");
                if (modelName != null && !modelName.isBlank()) {
                    try {
                        model = ModelRef.parse(modelName);
                    } catch (IllegalArgumentException ignored) {
                        // validation below names the problem
                    }
                }
                RequestBodies.validate(operation, body);
            }
            Exchange exchange = Exchange.create(requestId, operation, body, headersOf(req), receivedAt)
                    .withAttribute(RequestTimings.KEY, timings)
                    .withAttribute(AttemptLog.KEY, attempts);
            stream = exchange.stream();
            Response response = chain.proceed(exchange);
            if (response == null) {
                throw GatewayException.of(ErrorCode.INTERNAL, "the request chain returned no response");
            }
            status = response.status();
            if (response instanceof Response.Streaming streaming) {
                status = writeStream(res, requestId, operation, streaming, timings, model);
            } else {
                writeComplete(res, requestId, (Response.Complete) response);
            }
        } catch (GatewayException e) {
            status = e.status();
            writeError(res, requestId, e, provider(timings, model), modelName(timings, model), operation.wireName(),
                    attempts.size());
        } catch (UncheckedIOException | IOException e) {
            // the client went away while we read its body; there is no one to answer
            status = 499;
        } catch (RuntimeException | Error e) {
            status = 500;
            LOG.log(System.Logger.Level.ERROR, "request " + requestId + " failed unexpectedly", e);
            writeError(res, requestId, new GatewayException(ErrorCode.INTERNAL, "the gateway failed unexpectedly; "
                    + "the log has details under request id " + requestId, null, null, null),
                    provider(timings, model), modelName(timings, model), operation.wireName(), attempts.size());
        } finally {
            long total = System.nanoTime() - started;
            metrics.request(operation.wireName(), timings.provider() == null ? "none" : timings.provider(), status,
                    stream, total);
            metrics.overhead(total - timings.upstreamNanos());
        }
    }

    private static String provider(RequestTimings timings, ModelRef model) {
        if (timings.provider() != null) {
            return timings.provider();
        }
        return model == null ? null : model.provider();
    }

    private static String modelName(RequestTimings timings, ModelRef model) {
        if (timings.resolvedModel() != null) {
            return timings.resolvedModel();
        }
        if (model == null) {
            return null;
        }
        String name = model.model();
        // an overlong name is refused by validation; do not echo all of it back
        return name.length() <= RequestBodies.MAX_MODEL_LENGTH ? name
                : name.substring(0, RequestBodies.MAX_MODEL_LENGTH) + "…";
    }

    private static Headers headersOf(ServerRequest req) {
        Headers.Builder builder = Headers.builder();
        for (Header header : req.headers()) {
            for (String value : header.allValues()) {
                builder.add(header.name(), value);
            }
        }
        return builder.build();
    }

    private static void relayHeaders(ServerResponse res, String requestId, Headers headers) {
        headers.forEach((name, values) -> {
            if (!NOT_RELAYED.contains(name)) {
                res.header(name, values.toArray(new String[0]));
            }
        });
        res.header(REQUEST_ID, requestId);
    }

    private static void writeComplete(ServerResponse res, String requestId, Response.Complete response) {
        relayHeaders(res, requestId, response.headers());
        res.header(JSON);
        res.status(Status.create(response.status()));
        res.send(response.bytes());
    }

    /**
     * Writes a stream. The first event is pulled before anything is sent, so a failure before it is
     * an ordinary JSON error with its real status; later failures become one final error frame.
     */
    private int writeStream(ServerResponse res, String requestId, Operation operation, Response.Streaming response,
                            RequestTimings timings, ModelRef model) {
        EventStream events = response.events();
        try {
            long waitStart = System.nanoTime();
            StreamEvent first = events.next();
            timings.addUpstream(System.nanoTime() - waitStart);
            relayHeaders(res, requestId, response.headers());
            res.header(EVENT_STREAM);
            res.header(NO_CACHE);
            res.status(Status.create(response.status()));
            OutputStream out = res.outputStream();
            StreamEvent event = first;
            long sent = 0;
            String responseId = operation == Operation.RESPONSES ? responseId(first) : null;
            Heartbeat heartbeat = new Heartbeat(out, events);
            try {
                while (event != null) {
                    heartbeat.write(SseFrames.encode(event));
                    sent++;
                    waitStart = System.nanoTime();
                    try {
                        event = events.next();
                    } catch (GatewayException e) {
                        timings.addUpstream(System.nanoTime() - waitStart);
                        if (heartbeat.clientGone()) {
                            return 499;
                        }
                        heartbeat.write(errorFrame(requestId, responseId, operation, e, timings, model, sent));
                        heartbeat.stop();
                        out.close();
                        return 200;
                    }
                    timings.addUpstream(System.nanoTime() - waitStart);
                }
                heartbeat.stop();
                out.close();
            } catch (IOException | UncheckedIOException e) {
                // The client disconnected: closing the stream (finally) cancels the upstream call.
                return 499;
            } finally {
                heartbeat.stop();
            }
            if (heartbeat.clientGone()) {
                return 499;
            }
            return response.status();
        } finally {
            events.close();
        }
    }

    /** The id of the response a Responses stream announced in its first event, for its failure frame. */
    private static String responseId(StreamEvent first) {
        if (first == null || !"response.created".equals(first.event())) {
            return null;
        }
        try {
            JsonObject response = first.json().getJsonObject("response");
            return response == null ? null : JsonBodies.string(response, "id");
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static byte[] errorFrame(String requestId, String responseId, Operation operation, GatewayException e,
                                     RequestTimings timings, ModelRef model, long sent) {
        ErrorEnvelope envelope = ErrorEnvelope.of(e, requestId, provider(timings, model), modelName(timings, model),
                operation.wireName());
        StreamEvent frame;
        if (operation == Operation.RESPONSES) {
            JsonObject failed = JsonBodies.provider().createObjectBuilder()
                    .add("type", "response.failed")
                    .add("sequence_number", sent)
                    .add("response", JsonBodies.provider().createObjectBuilder()
                            .add("id", responseId != null ? responseId : "resp_" + requestId.replace("-", ""))
                            .add("object", "response")
                            .add("status", "failed")
                            .add("model", modelName(timings, model) == null ? "" : modelName(timings, model))
                            .add("output", JsonValue.EMPTY_JSON_ARRAY)
                            .add("error", JsonBodies.provider().createObjectBuilder()
                                    .add("code", e.errorCode().code() == null ? e.errorCode().type()
                                            : e.errorCode().code())
                                    .add("message", e.getMessage())))
                    .build();
            frame = StreamEvent.typed(failed);
        } else if (operation.namedEvents()) {
            JsonObject error = JsonBodies.provider().createObjectBuilder()
                    .add("type", "error")
                    .add("error", JsonBodies.parse(envelope.toJson()).getJsonObject("error"))
                    .build();
            frame = StreamEvent.typed(error);
        } else {
            frame = new StreamEvent(null, envelope.toJson());
        }
        return SseFrames.encode(frame);
    }

    /**
     * Writes the error envelope with the error's status, unless the response was already sent.
     *
     * @param res         the response
     * @param requestId   the request id
     * @param e           the failure
     * @param provider    provider or {@code null}
     * @param model       model or {@code null}
     * @param requestType operation wire name or {@code null}
     */
    static void writeError(ServerResponse res, String requestId, GatewayException e, String provider, String model,
                           String requestType) {
        writeError(res, requestId, e, provider, model, requestType, 0);
    }

    /**
     * Writes the error envelope, with the number of upstream attempts when there were any.
     *
     * @param res         the response
     * @param requestId   the request id
     * @param e           the failure
     * @param provider    provider or {@code null}
     * @param model       model or {@code null}
     * @param requestType operation wire name or {@code null}
     * @param attempts    upstream attempts made
     */
    static void writeError(ServerResponse res, String requestId, GatewayException e, String provider, String model,
                           String requestType, int attempts) {
        if (res.isSent()) {
            return;
        }
        try {
            relayHeaders(res, requestId, e.headers());
            res.header(JSON);
            res.status(Status.create(e.status()));
            res.send(ErrorEnvelope.of(e, requestId, provider, model, requestType, attempts).toBytes());
        } catch (RuntimeException ignored) {
            // the response was committed or the client went away; nothing more can be said
        }
    }
}
