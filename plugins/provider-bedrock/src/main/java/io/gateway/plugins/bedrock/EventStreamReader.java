package io.gateway.plugins.bedrock;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.upstream.UpstreamResponse;
import io.gateway.toolkit.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import software.amazon.awssdk.eventstream.HeaderValue;
import software.amazon.awssdk.eventstream.Message;
import software.amazon.awssdk.eventstream.MessageDecoder;

/**
 * A Bedrock response stream ({@code application/vnd.amazon.eventstream}) as {@link StreamEvent}s: the
 * binary frames are decoded by the AWS SDK's {@link MessageDecoder} (prelude and message CRCs checked)
 * as the bytes arrive, and each {@code event} message becomes one event named after its
 * {@code :event-type} with its JSON payload as data ({@code messageStart}, {@code contentBlockDelta},
 * ...). An {@code exception} message ({@code :exception-type: throttlingException}, ...) or an
 * {@code error} message ends the stream with the mapped {@link GatewayException}
 * ({@link BedrockErrors}). Nothing is read ahead: {@link #next()} reads only until one message is
 * complete.
 *
 * <p>Read failures map as the server's SSE reader maps them: the upstream client's idle timeout (no
 * byte within {@code stream-idle-timeout}) is 504, a broken connection 502
 * {@code provider_connection_failed}, corrupt framing 502 {@code invalid_upstream_response}; after
 * {@link #close()} (from any thread) the stream just ends. Single consumer.
 */
final class EventStreamReader implements EventStream {

    private static final int READ_SIZE = 8192;

    private final UpstreamResponse response;
    private final InputStream body;
    private final Headers relayed;
    private final Duration idleTimeout;
    private final ArrayDeque<Message> decoded = new ArrayDeque<>();
    private final MessageDecoder decoder = new MessageDecoder(decoded::add);
    private final byte[] buffer = new byte[READ_SIZE];
    private final AtomicBoolean closed = new AtomicBoolean();
    private boolean ended;

    /**
     * @param response    the 2xx answer whose body is the event stream; closed with this stream
     * @param relayed     headers to attach to errors
     * @param idleTimeout the call's stream idle timeout, for the message
     */
    EventStreamReader(UpstreamResponse response, Headers relayed, Duration idleTimeout) {
        this.response = response;
        this.body = response.stream();
        this.relayed = relayed;
        this.idleTimeout = idleTimeout;
    }

    @Override
    public StreamEvent next() {
        while (true) {
            if (closed.get() || ended && decoded.isEmpty()) {
                return null;
            }
            Message message = decoded.poll();
            if (message != null) {
                StreamEvent event = translate(message);
                if (event != null) {
                    return event;
                }
                continue;
            }
            read();
        }
    }

    private void read() {
        int count;
        try {
            count = body.read(buffer, 0, buffer.length);
        } catch (IOException e) {
            if (closed.get()) {
                ended = true;
                return;
            }
            close();
            if (e instanceof SocketTimeoutException) {
                throw GatewayException.of(ErrorCode.TIMEOUT, "the provider sent no stream event for "
                        + idleTimeout.toMillis() + " ms (stream-idle-timeout)");
            }
            throw new GatewayException(ErrorCode.PROVIDER_CONNECTION_FAILED,
                    "the provider broke the connection in the middle of the stream", null, null, e);
        }
        if (count < 0) {
            ended = true;
            return;
        }
        try {
            decoder.feed(buffer, 0, count);
        } catch (RuntimeException e) {
            close();
            throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "the provider's event stream is corrupt: "
                    + e.getMessage());
        }
    }

    private StreamEvent translate(Message message) {
        String kind = header(message, ":message-type");
        String payload = new String(message.getPayload(), StandardCharsets.UTF_8);
        if (kind == null || kind.equals("event")) {
            String type = header(message, ":event-type");
            if (type == null || payload.isBlank()) {
                return null; // nothing a translation could use
            }
            return new StreamEvent(type, payload);
        }
        close();
        if (kind.equals("exception")) {
            JsonObject json = Json.parseValue(payload) instanceof JsonObject object ? object : null;
            throw BedrockErrors.fromStream(header(message, ":exception-type"), json, relayed);
        }
        throw BedrockErrors.fromStreamError(header(message, ":error-code"), header(message, ":error-message"), relayed);
    }

    private static String header(Message message, String name) {
        HeaderValue value = message.getHeaders().get(name);
        return value == null ? null : value.getString();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            response.close();
        }
    }
}
