package io.gateway.server.http;

import io.gateway.server.core.ServerOutcome;
import io.gateway.server.format.AnthropicModels;
import io.gateway.server.core.LogContext;
import io.gateway.server.core.OperationKinds;
import io.gateway.server.core.RequestFiles;
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
 * The inference routes: the OpenAI-compatible ones, and Anthropic's Messages API under
 * {@code /anthropic/v1/}. Each request is read into an {@link Exchange} ({@link ExchangeReader}), handed
 * to the chain, and its answer written as JSON ({@link AnswerWriter}) or as server-sent events
 * ({@link SseRelay}); failures become the error body of the route's API ({@link ApiFormat}). Request
 * metrics are recorded here.
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
            Operation.LIST_MODELS, "models",
            Operation.RERANK, "rerank");

    /** Where Anthropic's operations are served, below {@link #ANTHROPIC_PREFIX}. */
    static final Map<Operation, String> ANTHROPIC_PATHS = Map.of(
            Operation.MESSAGES, "messages",
            Operation.COUNT_TOKENS, "messages/count_tokens",
            Operation.LIST_MODELS, "models");

    /** The prefix of the Anthropic-format routes; an Anthropic SDK's base URL is {@code http://gateway/anthropic}. */
    public static final String ANTHROPIC_PREFIX = "/anthropic/v1/";

    private static final System.Logger LOG = System.getLogger("gateway.http");

    private final Chains chains;
    private final GatewayMetrics metrics;
    private final ExchangeReader reader;
    private final Telemetry telemetry;
    private final String anthropicDefaultProvider;
    private final SurfaceRoutes surface;
    private final PassthroughRoutes passthrough;
    private final RequestLog requestLog;

    /**
     * The routes, with the default body limits of the form routes, uploads spooled to the system's
     * temporary directory, and without a request log.
     *
     * @param chain              the middleware chain ending in the router
     * @param metrics            metrics
     * @param maxRequestBody     the body size limit
     * @param deploymentProvider the provider deployment-style routes go to, or {@code null} when it is
     *                           not configured
     * @param deploymentName     its configured name
     * @param deploymentAliases  its model aliases (deployment name to model)
     * @param telemetry          where request spans go
     * @param anthropicDefaultProvider the provider bare model names on the Anthropic routes go to
     */
    public InferenceRoutes(Chain chain, GatewayMetrics metrics, long maxRequestBody, boolean deploymentProvider,
                           String deploymentName, Map<String, String> deploymentAliases, Telemetry telemetry,
                           String anthropicDefaultProvider) {
        this(chain, metrics, maxRequestBody, deploymentProvider, deploymentName, deploymentAliases, telemetry,
                anthropicDefaultProvider, BodyLimits.defaults(maxRequestBody),
                java.nio.file.Path.of(System.getProperty("java.io.tmpdir")), RequestLog.off());
    }

    /**
     * The routes.
     *
     * @param chain              the middleware chain ending in the router
     * @param metrics            metrics
     * @param maxRequestBody     the body size limit of routes without one of their own
     * @param deploymentProvider the provider deployment-style routes go to, or {@code null} when it is
     *                           not configured
     * @param deploymentName     its configured name
     * @param deploymentAliases  its model aliases (deployment name to model)
     * @param telemetry          where request spans go
     * @param anthropicDefaultProvider the provider bare model names on the Anthropic routes go to
     * @param limits             the body limits of the audio, image, file and batch routes
     * @param spool              where uploads larger than {@link RequestFiles#IN_MEMORY} are spooled
     * @param requestLog         where every request is recorded
     */
    public InferenceRoutes(Chain chain, GatewayMetrics metrics, long maxRequestBody, boolean deploymentProvider,
                           String deploymentName, Map<String, String> deploymentAliases, Telemetry telemetry,
                           String anthropicDefaultProvider, BodyLimits limits, java.nio.file.Path spool,
                           RequestLog requestLog) {
        this(Chains.fixed(chain), metrics, maxRequestBody, deploymentProvider, deploymentName, deploymentAliases,
                telemetry, anthropicDefaultProvider, limits, spool, requestLog);
    }

    /**
     * The routes over a chain that a reload may replace: each request holds the chain in use when its
     * body was read until it ended.
     *
     * @param chains             the chains
     * @param metrics            metrics
     * @param maxRequestBody     the body size limit of routes without one of their own
     * @param deploymentProvider whether deployment-style routes have a provider
     * @param deploymentName     its configured name
     * @param deploymentAliases  its model aliases (deployment name to model)
     * @param telemetry          where request spans go
     * @param anthropicDefaultProvider the provider bare model names on the Anthropic routes go to
     * @param limits             the body limits of the audio, image, file and batch routes
     * @param spool              where uploads larger than {@link RequestFiles#IN_MEMORY} are spooled
     * @param requestLog         where every request is recorded
     */
    public InferenceRoutes(Chains chains, GatewayMetrics metrics, long maxRequestBody, boolean deploymentProvider,
                           String deploymentName, Map<String, String> deploymentAliases, Telemetry telemetry,
                           String anthropicDefaultProvider, BodyLimits limits, java.nio.file.Path spool,
                           RequestLog requestLog) {
        this.anthropicDefaultProvider = anthropicDefaultProvider;
        this.requestLog = requestLog;
        this.chains = chains;
        this.surface = new SurfaceRoutes(this, limits, spool);
        this.passthrough = new PassthroughRoutes(this, maxRequestBody);
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
        String path = PATHS.get(operation);
        return path != null ? path : ANTHROPIC_PATHS.get(operation);
    }

    /**
     * Registers every route under every prefix, each also answering other methods with 405.
     *
     * @param routing the routing builder
     */
    public void register(HttpRouting.Builder routing) {
        for (String prefix : PREFIXES) {
            for (Operation operation : PATHS.keySet()) {
                register(routing, operation, prefix + PATHS.get(operation), false, ApiFormat.OPENAI);
            }
        }
        for (Operation operation : PATHS.keySet()) {
            // neither the model list nor rerank is an Azure OpenAI deployment operation
            if (operation != Operation.LIST_MODELS && operation != Operation.RERANK) {
                register(routing, operation, "/openai/deployments/{deployment}/" + PATHS.get(operation), true,
                        ApiFormat.OPENAI);
            }
        }
        for (Operation operation : ANTHROPIC_PATHS.keySet()) {
            register(routing, operation, ANTHROPIC_PREFIX + ANTHROPIC_PATHS.get(operation), false,
                    ApiFormat.ANTHROPIC);
        }
        surface.register(routing);
        passthrough.register(routing);
    }

    private void register(HttpRouting.Builder routing, Operation operation, String path, boolean deploymentRoute,
                          ApiFormat format) {
        if (operation == Operation.LIST_MODELS) {
            routing.get(path, (req, res) -> handle(operation, path, req, res, deploymentRoute, format));
            routing.any(path, (req, res) -> methodNotAllowed(operation, "GET", req, res, format));
        } else {
            routing.post(path, (req, res) -> handle(operation, path, req, res, deploymentRoute, format));
            routing.any(path, (req, res) -> methodNotAllowed(operation, "POST", req, res, format));
        }
    }

    /** Reads one request into an exchange; see {@link #handle(Operation, String, ServerRequest, ServerResponse, ApiFormat, Source)}. */
    @FunctionalInterface
    interface Source {
        /**
         * Reads the exchange.
         *
         * @param requestId  the request id
         * @param receivedAt when it arrived
         * @param outcome    its outcome
         * @param files      where uploads are spooled, for form routes; else {@code null}
         * @return the exchange
         * @throws IOException when the client went away
         */
        Exchange read(String requestId, Instant receivedAt, ServerOutcome outcome, RequestFiles files)
                throws IOException;
    }

    void methodNotAllowed(Operation operation, String allowed, ServerRequest req, ServerResponse res,
                          ApiFormat format) {
        res.header(HeaderNames.ALLOW, allowed);
        AnswerWriter.error(res, ExchangeReader.requestId(req), GatewayException.of(ErrorCode.METHOD_NOT_ALLOWED,
                req.prologue().method().text() + " is not allowed on " + req.path().path() + "; use " + allowed),
                null, null, operation.wireName(), 0, format);
    }

    private void handle(Operation operation, String route, ServerRequest req, ServerResponse res,
                        boolean deploymentRoute, ApiFormat format) {
        handle(operation, route, req, res, format, (requestId, receivedAt, outcome, files) -> reader.read(operation,
                req, deploymentRoute ? req.path().pathParameters().get("deployment") : null, requestId, receivedAt,
                outcome, format == ApiFormat.ANTHROPIC ? anthropicDefaultProvider : null));
    }

    /**
     * Serves one request: reads it ({@code source}), hands it to the chain, writes the answer or the
     * error in the route's format, records the request's metrics and span, and deletes what it spooled.
     */
    void handle(Operation operation, String route, ServerRequest req, ServerResponse res, ApiFormat format,
                Source source) {
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
        RequestFiles files = OperationKinds.takesForm(operation) ? surface.files() : null;
        LogRecord log = requestLog.enabled() ? requestLog.begin(requestId, receivedAt.toEpochMilli(), started,
                operation, req.remotePeer().address(), req.headers().first(HeaderNames.USER_AGENT).orElse(null)) : null;
        Chains.Held held = null;
        try {
            Exchange exchange = source.read(requestId, receivedAt, outcome, files);
            if (log != null) {
                log.request(exchange);
            }
            stream = exchange.stream();
            // held from here to the end of the answer (a stream's too): a reload meanwhile closes the
            // providers this request uses only after it
            held = chains.acquire();
            Response response = held.chain().proceed(exchange);
            if (response == null) {
                throw GatewayException.of(ErrorCode.INTERNAL, "the request chain returned no response");
            }
            status = response.status();
            if (log != null) {
                log.response(response);
            }
            if (format == ApiFormat.ANTHROPIC && operation == Operation.LIST_MODELS
                    && response instanceof Response.Complete list) {
                response = anthropicModels(list, req);
            }
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
                case Response.Binary binary -> status = BinaryRelay.relay(res, requestId, binary, outcome);
            }
        } catch (GatewayException e) {
            status = e.status();
            failure = e;
            model = outcome.requested().orElse(null);
            AnswerWriter.error(res, requestId, e, outcome.provider().orElse(model == null ? null : model.provider()),
                    modelName(outcome, model), operation.wireName(), outcome.attempts().size(), format);
        } catch (UncheckedIOException | IOException e) {
            // the client went away while we read its body; there is no one to answer
            status = SseRelay.CLIENT_GONE;
        } catch (io.helidon.webserver.CloseConnectionException e) {
            // a binary answer failed after its first bytes: the server cuts the connection
            status = 502;
            failure = e.getCause() instanceof GatewayException cause ? cause
                    : GatewayException.of(ErrorCode.PROVIDER_CONNECTION_FAILED, e.getMessage());
            throw e;
        } catch (RuntimeException | Error e) {
            status = 500;
            model = outcome.requested().orElse(null);
            LOG.log(System.Logger.Level.ERROR, "request " + requestId + " failed unexpectedly", e);
            failure = new GatewayException(ErrorCode.INTERNAL, "the gateway failed unexpectedly; "
                    + "the log has details under request id " + requestId, null, null, null);
            AnswerWriter.error(res, requestId, failure, outcome.provider().orElse(null), modelName(outcome, model),
                    operation.wireName(), outcome.attempts().size(), format);
        } finally {
            if (held != null) {
                held.close();
            }
            long total = System.nanoTime() - started;
            metrics.request(operation.wireName(), outcome.provider().orElse("none"), status, stream, total);
            metrics.overhead(total - outcome.upstreamNanos());
            span.end(status, failure);
            span.close();
            if (log != null) {
                log.finish(status, stream, total, failure, outcome);
            }
            LogContext.clear();
            if (files != null) {
                files.close();
            }
        }
    }

    /** The merged model list as one page of Anthropic's, as the query asks ({@code limit}, {@code after_id}, {@code before_id}). */
    private static Response anthropicModels(Response.Complete list, ServerRequest req) {
        io.helidon.common.parameters.Parameters query = req.query();
        Integer limit = null;
        if (query.contains("limit")) {
            try {
                limit = Integer.parseInt(query.get("limit").trim());
            } catch (NumberFormatException e) {
                throw GatewayException.invalidRequest("'limit' must be a number from 1 to 1000", "limit");
            }
            if (limit < 1 || limit > 1000) {
                throw GatewayException.invalidRequest("'limit' must be a number from 1 to 1000", "limit");
            }
        }
        String after = query.contains("after_id") ? query.get("after_id") : null;
        String before = query.contains("before_id") ? query.get("before_id") : null;
        return Response.Complete.of(list.status(), list.headers(),
                AnthropicModels.page(list.body(), limit, after, before));
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
