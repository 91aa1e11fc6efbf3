package io.gateway.server.http;

import io.gateway.server.core.ServerOutcome;
import io.gateway.spi.ByteStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Response;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Relays an answer that is not JSON ({@link Response.Binary}: audio, a file's content, subtitles) to
 * the client as its bytes arrive: the status and headers (with the answer's {@code Content-Type}, and
 * its {@code Content-Length} when known, else chunked), then each read written and flushed at once,
 * through one buffer, so memory does not grow with the size. A failure after the first byte cannot
 * become an error answer any more: the connection is closed without ending the body properly, so the
 * client sees a truncated answer rather than a complete-looking one. The body is closed in every case,
 * which cancels the upstream call and frees its slot.
 */
final class BinaryRelay {

    /** Bytes read and written at a time. */
    static final int BUFFER = 64 * 1024;

    private BinaryRelay() {
    }

    /**
     * Writes the answer.
     *
     * @param res       the response
     * @param requestId the request id
     * @param answer    the answer
     * @param outcome   the request's outcome (routing headers, time spent waiting for the upstream)
     * @return the status for metrics: the answer's, or {@link SseRelay#CLIENT_GONE}
     * @throws CloseConnectionException when the upstream failed after bytes were sent
     */
    static int relay(ServerResponse res, String requestId, Response.Binary answer, ServerOutcome outcome) {
        ByteStream body = answer.body();
        try {
            byte[] buffer = new byte[(int) (answer.length() >= 0 ? Math.max(1, Math.min(BUFFER, answer.length()))
                    : BUFFER)];
            OutputStream out = null;
            long sent = 0;
            while (true) {
                long waitStart = System.nanoTime();
                int read;
                try {
                    read = body.read(buffer, 0, buffer.length);
                } catch (GatewayException e) {
                    outcome.addUpstreamNanos(System.nanoTime() - waitStart);
                    if (out == null) {
                        throw e; // nothing sent yet: an ordinary error answer
                    }
                    throw new CloseConnectionException("the provider failed after " + sent + " bytes of the answer",
                            e);
                }
                outcome.addUpstreamNanos(System.nanoTime() - waitStart);
                if (out == null) {
                    // the first read succeeded (or the body is empty): commit the status and headers
                    AnswerWriter.headers(res, requestId, answer.headers(), answer.status() < 300 ? outcome : null);
                    res.header(HeaderNames.CONTENT_TYPE, answer.contentType());
                    if (answer.length() >= 0) {
                        res.header(HeaderNames.CONTENT_LENGTH, Long.toString(answer.length()));
                    }
                    res.status(Status.create(answer.status()));
                    out = res.outputStream();
                }
                if (read < 0) {
                    break;
                }
                out.write(buffer, 0, read);
                out.flush();
                sent += read;
            }
            out.close();
            return answer.status();
        } catch (IOException | UncheckedIOException e) {
            // the client went away: closing the body (finally) cancels the upstream call
            return SseRelay.CLIENT_GONE;
        } finally {
            body.close();
        }
    }
}
