package io.gateway.plugins.azure;

import io.gateway.spi.EventStream;
import io.gateway.spi.Headers;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.upstream.UpstreamClient;
import io.gateway.spi.upstream.UpstreamRequest;
import io.gateway.spi.upstream.UpstreamResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An upstream client that records requests and answers each with one canned response. */
final class CapturingClient implements UpstreamClient {

    final List<UpstreamRequest> requests = new CopyOnWriteArrayList<>();
    private final int status;
    private final Headers headers;
    private final byte[] body;

    CapturingClient(int status, String contentType, String body) {
        this.status = status;
        this.headers = Headers.of("content-type", contentType);
        this.body = body.getBytes(StandardCharsets.UTF_8);
    }

    /** Answers {@code {}} with status 200. */
    CapturingClient() {
        this(200, "application/json", "{}");
    }

    UpstreamRequest last() {
        return requests.get(requests.size() - 1);
    }

    @Override
    public UpstreamResponse send(UpstreamRequest request) {
        requests.add(request);
        return new UpstreamResponse() {
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
                return body.clone();
            }

            @Override
            public EventStream events() {
                SseReader reader = new SseReader(new ByteArrayInputStream(body));
                List<StreamEvent> events = new ArrayList<>();
                try {
                    for (StreamEvent event = reader.next(); event != null; event = reader.next()) {
                        events.add(event);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return EventStream.of(events);
            }

            @Override
            public InputStream stream() {
                return new ByteArrayInputStream(body);
            }

            @Override
            public void close() {
            }
        };
    }
}
