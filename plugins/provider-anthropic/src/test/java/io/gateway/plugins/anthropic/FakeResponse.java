package io.gateway.plugins.anthropic;

import io.gateway.spi.EventStream;
import io.gateway.spi.Headers;
import io.gateway.spi.upstream.UpstreamResponse;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

/** An answer of the fake upstream: a JSON body or an event stream. */
final class FakeResponse implements UpstreamResponse {

    private final int status;
    private final Headers headers;
    private final byte[] body;
    private final UpstreamEvents events;
    private final AtomicBoolean closed = new AtomicBoolean();

    private FakeResponse(int status, Headers headers, byte[] body, UpstreamEvents events) {
        this.status = status;
        this.headers = headers;
        this.body = body;
        this.events = events;
    }

    static FakeResponse json(int status, Headers headers, String json) {
        return new FakeResponse(status, headers.with("content-type", "application/json"),
                json.getBytes(StandardCharsets.UTF_8), null);
    }

    static FakeResponse json(String json) {
        return json(200, Headers.empty(), json);
    }

    static FakeResponse text(int status, String contentType, String text) {
        return new FakeResponse(status, Headers.of("content-type", contentType), text.getBytes(StandardCharsets.UTF_8),
                null);
    }

    static FakeResponse sse(Headers headers, UpstreamEvents events) {
        return new FakeResponse(200, headers.with("content-type", "text/event-stream; charset=utf-8"), null, events);
    }

    static FakeResponse error(int status, String type, String message) {
        return json(status, Headers.empty(), "{\"type\":\"error\",\"error\":{\"type\":\"" + type
                + "\",\"message\":\"" + message + "\"},\"request_id\":\"req_011test\"}");
    }

    boolean closed() {
        return closed.get();
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public Headers headers() {
        return headers;
    }

    @Override
    public byte[] body() {
        if (body == null) {
            throw new AssertionError("the plugin read a streamed answer as a whole body");
        }
        return body;
    }

    @Override
    public EventStream events() {
        if (events == null) {
            throw new AssertionError("the plugin read a JSON answer as an event stream");
        }
        return events;
    }

    @Override
    public InputStream stream() {
        return new ByteArrayInputStream(body == null ? new byte[0] : body);
    }

    @Override
    public void close() {
        closed.set(true);
        if (events != null) {
            events.close();
        }
    }
}
