package io.gateway.server.logs;

import io.gateway.server.core.ClientBody;
import io.gateway.server.core.ServerOutcome;
import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.ModelRef;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.TokenUsage;
import io.gateway.spi.middleware.Exchange;
import io.gateway.spi.middleware.RequestOutcome;
import io.gateway.spi.middleware.RoutingAttempt;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The request log's record of one request while it runs: the HTTP layer fills it on the request's
 * thread ({@link #request}, {@link #answer}, {@link #observe}, {@link #finish}) and hands it to the
 * log's queue, where the writer thread turns it into a {@link LogEntry}. Only references and numbers
 * are taken on the request's thread; formatting, masking and cutting of bodies happen on the writer's.
 * Not thread-safe until {@link #finish}; after it, read by the writer alone.
 */
public final class LogRecord {

    /** The header with which the response cache marks the answers it gave (Bifrost's name). */
    static final String CACHE_HIT = "x-bf-cache-hit";

    private final RequestLog log;
    private final String requestId;
    private final long receivedAtMillis;
    private final long startedNanos;
    private final Operation operation;
    private final SocketAddress client;
    private final String userAgent;

    private byte[] requestBytes;
    private jakarta.json.JsonObject requestJson;
    private Response.Complete answer;
    private StreamAssembler assembler;
    private volatile long firstEventNanos = -1;
    private volatile GatewayException streamFailure;

    private String cacheHit;
    private int status;
    private boolean stream;
    private long latencyNanos;
    private GatewayException failure;
    private ServerOutcome outcome;

    LogRecord(RequestLog log, String requestId, long receivedAtMillis, long startedNanos, Operation operation,
              SocketAddress client, String userAgent) {
        this.log = log;
        this.requestId = requestId;
        this.receivedAtMillis = receivedAtMillis;
        this.startedNanos = startedNanos;
        this.operation = operation;
        this.client = client;
        this.userAgent = userAgent;
    }

    /**
     * The request as read, before any middleware: its body is kept (by reference) when bodies are
     * captured.
     *
     * @param exchange the exchange the HTTP layer built
     */
    public void request(Exchange exchange) {
        if (!log.settings().captureBodies()) {
            return;
        }
        byte[] bytes = ClientBody.of(exchange);
        if (bytes != null) {
            requestBytes = bytes;
        } else if (!exchange.body().isEmpty()) {
            requestJson = exchange.body();
        }
    }

    /**
     * The answer the chain returned, whatever its kind: whether the response cache answered it (its
     * {@code x-bf-cache-hit} header, which the cache middleware sets to {@code direct} or
     * {@code semantic}).
     *
     * @param response the answer
     */
    public void response(Response response) {
        String hit = response.headers().first(CACHE_HIT).orElse(null);
        cacheHit = hit == null || hit.isEmpty() ? null : bounded(hit, 32);
    }

    /**
     * A complete answer: kept (by reference) when bodies are captured.
     *
     * @param complete the answer as written
     */
    public void answer(Response.Complete complete) {
        if (log.settings().captureBodies()) {
            answer = complete;
        }
    }

    /**
     * Wraps a streamed answer so that the log learns the time to its first event, a failure after it
     * began, and (when bodies are captured) its assembled answer.
     *
     * @param events the stream the HTTP layer relays
     * @return the stream to relay instead
     */
    public EventStream observe(EventStream events) {
        if (log.settings().captureBodies()) {
            assembler = new StreamAssembler(operation, log.settings().maxBodyBytes());
        }
        return new Observed(events);
    }

    /**
     * The request ended: the record goes to the log's queue (or is dropped and counted when the queue is
     * full). Never blocks, never throws.
     *
     * @param httpStatus   the status answered (499 when the client left)
     * @param streamed     whether the answer was streamed
     * @param elapsedNanos the time from arrival to the answer's end
     * @param error        the failure answered, or {@code null}
     * @param result       the request's outcome
     */
    public void finish(int httpStatus, boolean streamed, long elapsedNanos, GatewayException error,
                       ServerOutcome result) {
        this.status = httpStatus;
        this.stream = streamed;
        this.latencyNanos = elapsedNanos;
        this.failure = error;
        this.outcome = result;
        log.enqueue(this);
    }

    /** The stream as relayed, observed. */
    private final class Observed implements EventStream {
        private final EventStream source;

        Observed(EventStream source) {
            this.source = source;
        }

        @Override
        public StreamEvent next() {
            StreamEvent event;
            try {
                event = source.next();
            } catch (GatewayException e) {
                streamFailure = e;
                throw e;
            }
            if (event != null) {
                if (firstEventNanos < 0) {
                    firstEventNanos = System.nanoTime();
                }
                StreamAssembler target = assembler;
                if (target != null) {
                    try {
                        target.add(event);
                    } catch (RuntimeException e) {
                        // the log must never fail a stream; what was assembled so far is kept
                        assembler = null;
                    }
                }
            }
            return event;
        }

        @Override
        public void close() {
            source.close();
        }
    }

    /**
     * The entry to store. Runs on the writer thread.
     *
     * @param redactor masks credentials
     * @param maxBody  the body limit
     * @return the entry
     */
    LogEntry entry(Redactor redactor, int maxBody) {
        ServerOutcome result = outcome == null ? new ServerOutcome() : outcome;
        // An async submission's outcome goes on being written by the job's worker; what the entry shows is
        // the submission itself (the delivery is logged when it is polled).
        boolean submission = result.asyncDelivery() == RequestOutcome.AsyncDelivery.SUBMITTED;
        List<RoutingAttempt> routed = submission ? List.of() : result.attempts();
        List<LogAttempt> attempts = new ArrayList<>(routed.size());
        for (RoutingAttempt attempt : routed) {
            attempts.add(new LogAttempt(attempt.provider(), attempt.model(), attempt.keyName(), attempt.status(),
                    attempt.millis(), attempt.fallback()));
        }
        TokenUsage usage = submission ? null : result.usage().orElse(null);
        BigDecimal cost = submission ? null : result.costUsd().orElse(null);
        GatewayException error = failure != null ? failure : streamFailure;
        ModelRef requested = result.requested().orElse(null);
        Long ttft = stream && firstEventNanos >= 0
                ? TimeUnit.NANOSECONDS.toMillis(firstEventNanos - startedNanos) : null;

        Redactor.Body requestBody = null;
        if (requestBytes != null) {
            requestBody = redactor.body(requestBytes, maxBody);
        } else if (requestJson != null) {
            requestBody = redactor.body(JsonBodies.toBytes(requestJson), maxBody);
        }
        Redactor.Body responseBody = null;
        if (answer != null) {
            responseBody = redactor.body(answer.bytes(), maxBody);
        } else if (assembler != null) {
            String assembled = assembler.json(usage);
            if (assembled != null) {
                responseBody = redactor.body(assembled, maxBody, assembler.truncated());
            }
        }
        String errorMessage = error == null ? null : redactor.text(bounded(error.getMessage(), 2000));
        return new LogEntry(
                requestId,
                Instant.ofEpochMilli(receivedAtMillis),
                operation.wireName(),
                submission ? null : result.provider().orElse(requested == null ? null : requested.provider()),
                submission ? null : result.model().orElse(null),
                requested == null ? null : bounded(requested.toString(), 300),
                status,
                stream,
                TimeUnit.NANOSECONDS.toMillis(latencyNanos),
                ttft,
                usage == null ? null : usage.inputTokens(),
                usage == null ? null : usage.outputTokens(),
                usage == null ? null : usage.cachedInputTokens(),
                usage == null ? null : usage.reasoningTokens(),
                cost,
                result.clientIdentity().orElse(null),
                Math.max(0, routed.size() - 1),
                submission ? 0 : result.fallbackIndex(),
                error == null ? null : error.errorCode().type(),
                errorMessage,
                address(client),
                bounded(userAgent, 500),
                result.traceId().orElse(null),
                cacheHit,
                List.copyOf(attempts),
                requestBody == null ? null : requestBody.text(),
                responseBody == null ? null : responseBody.text(),
                requestBody == null ? null : requestBody.truncated(),
                responseBody == null ? null : responseBody.truncated());
    }

    private static String address(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
        }
        return address == null ? null : address.toString();
    }

    private static String bounded(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max) + "…";
    }
}
