package io.gateway.server.http;

import io.gateway.server.core.ServerOutcome;
import io.gateway.server.core.LogContext;
import io.gateway.server.logs.LogRecord;
import io.gateway.server.logs.RequestLog;
import io.gateway.server.metrics.GatewayMetrics;
import io.gateway.server.telemetry.RequestSpan;
import io.gateway.server.telemetry.Telemetry;
import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.ModelRef;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.middleware.Chain;
import io.gateway.spi.middleware.Exchange;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The OpenAI-compatible routes. Each request is read into an {@link Exchange}
 * ({@link ExchangeReader}), handed to the chain, and its answer written as JSON ({@link AnswerWriter})
 * or as server-sent events ({@link SseRelay}); failures become the error envelope. Request metrics
 * are recorded here.
 */
public final class InferenceRoutes {

    /** Every inference route answers under each of these prefixes. */
    public static final List<String> PREFIXES = List.of("/openai/v1/", "/openai/", "/v1/");

    /** Where each operation is served, below a prefix. */
    static final Map<Operation, String> PATHS = Map.of(
            Operation.CHAT_COMPLETION, "chat/completions",
            Operation.TEXT_COMPLETION, "completions",
            Operation.RESPONSES, "responses",
            Operation.EMBEDDING, "embeddings",
            Operation.IMAGE_GENERATION, "images/generations",
            Operation.LIST_MODELS, "models");

    private static final System.Logger LOG = System.getLogger("gateway.http");

    private final Chain chain;
    private final GatewayMetrics metrics;
    private final ExchangeReader reader;
    private final Telemetry telemetry;
    private final RequestLog requestLog;

    /**
     * The routes, without a request log.
     *
     * @param chain              the middleware chain ending in the router
     * @param metrics            metrics
     * @param maxRequestBody     the body size limit
     * @param deploymentProvider the provider deployment-style routes go to, or {@code null} when it is
     *                           not configured
     * @param deploymentName     its configured name
     * @param deploymentAliases  its model aliases (deployment name to model)
     * @param telemetry          where request spans go
     */
    public InferenceRoutes(Chain chain, GatewayMetrics metrics, long maxRequestBody, boolean deploymentProvider,
                           String deploymentName, Map<String, String> deploymentAliases, Telemetry telemetry) {
        this(chain, metrics, maxRequestBody, deploymentProvider, deploymentName, deploymentAliases, telemetry,
                RequestLog.off());
    }

    /**
     * The routes.
     *
     * @param chain              the middleware chain ending in the router
     * @param metrics            metrics
     * @param maxRequestBody     the body size limit
     * @param deploymentProvider the provider deployment-style routes go to, or {@code null} when it is
     *                           not configured
     * @param deploymentName     its configured name
     * @param deploymentAliases  its model aliases (deployment name to model)
     * @param telemetry          where request spans go
     * @param requestLog         where every request is recorded
     */
    public InferenceRoutes(Chain chain, GatewayMetrics metrics, long maxRequestBody, boolean deploymentProvider,
                           String deploymentName, Map<String, String> deploymentAliases, Telemetry telemetry,
                           RequestLog requestLog) {
        this.requestLog = requestLog;
        this.chain = chain;
        this.metrics = metrics;
        this.telemetry = telemetry;
        this.reader = new ExchangeReader(maxRequestBody,
                new ExchangeReader.Deployments(deploymentName, deploymentAliases, deploymentProvider));
    }

    /**
     * The path of an operation below a prefix.
     *
     * @param operation the operation
     * @return e.g. {@code chat/completions}
     */
    public static String path(Operation operation) {
        return PATHS.get(operation);
    }

    /**
     * Registers every route under every prefix, each also answering other methods with 405.
     *
     * @param routing the routing builder
     */
    public void register(HttpRouting.Builder routing) {
        for (String prefix : PREFIXES) {
            for (Operation operation : Operation.values()) {
                String path = prefix + path(operation);
                if (operation == Operation.LIST_MODELS) {
                    routing.get(path, (req, res) -> handle(operation, path, req, res, false));
                    routing.any(path, (req, res) -> methodNotAllowed(operation, "GET", req, res));
                } else {
                    routing.post(path, (req, res) -> handle(operation, path, req, res, false));
                    routing.any(path, (req, res) -> methodNotAllowed(operation, "POST", req, res));
                }
            }
        }
        for (Operation operation : Operation.values()) {
            if (operation == Operation.LIST_MODELS) {
                continue;
            }
            String path = "/openai/deployments/{deployment}/" + path(operation);
            routing.post(path, (req, res) -> handle(operation, path, req, res, true));
            routing.any(path, (req, res) -> methodNotAllowed(operation, "POST", req, res));
        }
    }

    private void methodNotAllowed(Operation operation, String allowed, ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.ALLOW, allowed);
        AnswerWriter.error(res, ExchangeReader.requestId(req), GatewayException.of(ErrorCode.METHOD_NOT_ALLOWED,
                req.prologue().method().text() + " is not allowed on " + req.path().path() + "; use " + allowed),
                null, null, operation.wireName(), 0);
    }

    private void handle(Operation operation, String route, ServerRequest req, ServerResponse res,
                        boolean deploymentRoute) {
        long started = System.nanoTime();
        Instant receivedAt = Instant.now();
        String requestId = ExchangeReader.requestId(req);
        ServerOutcome outcome = new ServerOutcome();
        ModelRef model = null;
        boolean stream = false;
        int status = 500;
        GatewayException failure = null;
        RequestSpan span = !telemetry.tracing() ? RequestSpan.none() : RequestSpan.start(telemetry,
                req.prologue().method().text(), route, req.path().path(), requestId,
                name -> req.headers().first(io.helidon.http.HeaderNames.create(name)).orElse(null));
        outcome.traceId(span.traceId());
        LogContext.set(requestId);
        LogRecord log = requestLog.enabled() ? requestLog.begin(requestId, receivedAt.toEpochMilli(), started,
                operation, req.remotePeer().address(), req.headers().first(HeaderNames.USER_AGENT).orElse(null)) : null;
        try {
            String deployment = deploymentRoute ? req.path().pathParameters().get("deployment") : null;
            Exchange exchange = reader.read(operation, req, deployment, requestId, receivedAt, outcome);
            if (log != null) {
                log.request(exchange);
            }
            stream = exchange.stream();
            Response response = chain.proceed(exchange);
            if (response == null) {
                throw GatewayException.of(ErrorCode.INTERNAL, "the request chain returned no response");
            }
            status = response.status();
            switch (response) {
                case Response.Streaming streaming -> status = SseRelay.relay(res, requestId, operation,
                        log == null ? streaming : streaming.withEvents(log.observe(streaming.events())),
                        outcome, modelName(null, outcome.requested().orElse(null)));
                case Response.Complete complete -> {
                    if (log != null) {
                        log.answer(complete);
                    }
                    AnswerWriter.complete(res, requestId, complete, outcome);
                }
            }
        } catch (GatewayException e) {
            status = e.status();
            failure = e;
            model = outcome.requested().orElse(null);
            AnswerWriter.error(res, requestId, e, outcome.provider().orElse(model == null ? null : model.provider()),
                    modelName(outcome, model), operation.wireName(), outcome.attempts().size());
        } catch (UncheckedIOException | IOException e) {
            // the client went away while we read its body; there is no one to answer
            status = SseRelay.CLIENT_GONE;
        } catch (RuntimeException | Error e) {
            status = 500;
            model = outcome.requested().orElse(null);
            LOG.log(System.Logger.Level.ERROR, "request " + requestId + " failed unexpectedly", e);
            failure = new GatewayException(ErrorCode.INTERNAL, "the gateway failed unexpectedly; "
                    + "the log has details under request id " + requestId, null, null, null);
            AnswerWriter.error(res, requestId, failure, outcome.provider().orElse(null), modelName(outcome, model),
                    operation.wireName(), outcome.attempts().size());
        } finally {
            long total = System.nanoTime() - started;
            metrics.request(operation.wireName(), outcome.provider().orElse("none"), status, stream, total);
            metrics.overhead(total - outcome.upstreamNanos());
            span.end(status, failure);
            span.close();
            if (log != null) {
                log.finish(status, stream, total, failure, outcome);
            }
            LogContext.clear();
        }
    }

    /** The model to name in an error: the one routing reached, else the requested one, bounded. */
    private static String modelName(ServerOutcome outcome, ModelRef model) {
        if (outcome != null && outcome.model().isPresent()) {
            return outcome.model().get();
        }
        if (model == null) {
            return null;
        }
        String name = model.model();
        // an overlong name is refused by validation; do not echo all of it back
        return name.length() <= RequestBodies.MAX_MODEL_LENGTH ? name
                : name.substring(0, RequestBodies.MAX_MODEL_LENGTH) + "…";
    }
}
