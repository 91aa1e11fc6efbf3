package io.gateway.server.http;

import io.gateway.server.core.AnthropicError;
import io.gateway.server.core.ErrorEnvelope;
import io.gateway.server.core.ServerOutcome;
import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.StreamEvent;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Writes a streamed answer as server-sent events, one flushed frame per event. The first event is
 * pulled before anything is sent, so a failure before it is an ordinary JSON error with its real
 * status; later failures become one final error frame in the operation's format. A {@link Heartbeat}
 * notices a client that left while the provider is silent.
 */
final class SseRelay {

    private static final Header EVENT_STREAM = HeaderValues.createCached(HeaderNames.CONTENT_TYPE,
            "text/event-stream; charset=utf-8");
    private static final Header NO_CACHE = HeaderValues.createCached(HeaderNames.CACHE_CONTROL, "no-cache");

    /** The status written to metrics when the client went away. */
    static final int CLIENT_GONE = 499;

    private SseRelay() {
    }

    /**
     * Relays a stream; always closes it.
     *
     * @param res       the response
     * @param requestId the request id
     * @param operation the operation, which decides the error frame's shape
     * @param response  the stream
     * @param outcome   the request's outcome (routing headers, upstream time)
     * @param model     the requested model, for error frames before routing named one, or {@code null}
     * @return the status for metrics: the stream's, or {@link #CLIENT_GONE}
     * @throws GatewayException when the stream fails before its first event
     */
    static int relay(ServerResponse res, String requestId, Operation operation, Response.Streaming response,
                     ServerOutcome outcome, String model) {
        EventStream events = response.events();
        try {
            long waitStart = System.nanoTime();
            StreamEvent first = events.next();
            outcome.addUpstreamNanos(System.nanoTime() - waitStart);
            AnswerWriter.headers(res, requestId, response.headers(), outcome);
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
                        outcome.addUpstreamNanos(System.nanoTime() - waitStart);
                        if (heartbeat.clientGone()) {
                            return CLIENT_GONE;
                        }
                        heartbeat.write(errorFrame(requestId, responseId, operation, e, outcome, model, sent));
                        heartbeat.stop();
                        out.close();
                        return response.status();
                    }
                    outcome.addUpstreamNanos(System.nanoTime() - waitStart);
                }
                heartbeat.stop();
                out.close();
            } catch (IOException | UncheckedIOException e) {
                // The client disconnected: closing the stream (finally) cancels the upstream call.
                return CLIENT_GONE;
            } finally {
                heartbeat.stop();
            }
            return heartbeat.clientGone() ? CLIENT_GONE : response.status();
        } finally {
            events.close();
        }
    }

    /** The id of the response a Responses stream announced in its first event, for its failure frame. */
    private static String responseId(StreamEvent first) {
        if (first == null) {
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
                                     ServerOutcome outcome, String model, long sent) {
        String provider = outcome.provider().orElse(null);
        String served = outcome.model().orElse(model);
        ErrorEnvelope envelope = ErrorEnvelope.of(e, requestId, provider, served, operation.wireName());
        StreamEvent frame;
        if (operation == Operation.RESPONSES) {
            JsonObject failed = JsonBodies.provider().createObjectBuilder()
                    .add("type", "response.failed")
                    .add("sequence_number", sent)
                    .add("response", JsonBodies.provider().createObjectBuilder()
                            .add("id", responseId != null ? responseId : "resp_" + requestId.replace("-", ""))
                            .add("object", "response")
                            .add("status", "failed")
                            .add("model", served == null ? "" : served)
                            .add("output", JsonValue.EMPTY_JSON_ARRAY)
                            .add("error", JsonBodies.provider().createObjectBuilder()
                                    .add("code", e.errorCode().code() == null ? e.errorCode().type()
                                            : e.errorCode().code())
                                    .add("message", e.getMessage())))
                    .build();
            frame = StreamEvent.typed(failed);
        } else if (operation == Operation.MESSAGES) {
            frame = StreamEvent.typed(AnthropicError.of(e, requestId).toJson());
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
}
