package io.gateway.testkit;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.upstream.UpstreamRequest;
import io.gateway.testkit.http.SseFrame;
import io.gateway.testkit.http.SseParser;
import jakarta.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * An upstream client that answers from a script instead of the network: a queue of canned answers
 * (JSON, any bytes, server-sent events, a stream the test feeds with {@link ScriptedEvents}, or a
 * failure such as 502 {@code provider_connection_failed}), then, when the queue is empty, an optional
 * responder. It records every request and every answer ({@link RecordingUpstream}).
 *
 * <pre>{@code
 * ScriptedUpstream upstream = new ScriptedUpstream()
 *         .respond(Canned.json(429, "{\"error\":{\"message\":\"slow down\"}}").header("retry-after", "3"))
 *         .respond(Canned.sse(List.of(new StreamEvent(null, "{...}"), StreamEvent.DONE)));
 * Provider provider = factory.create(config, TestContext.builder().upstream(upstream).build());
 * ...
 * assertEquals("https://api.example.com/v1/chat/completions", upstream.lastRequest().uri().toString());
 * upstream.assertAllReleased();
 * }</pre>
 *
 * <p>Answers behave as the server's client's do: the body is read once (a second read fails, as it
 * would on a connection), {@code events()} parses whatever bytes the answer has as server-sent events,
 * and closing releases the answer. A request for which nothing is scripted fails the test with an
 * {@link AssertionError} naming it. Thread-safe.
 */
public final class ScriptedUpstream implements RecordingUpstream {

    private final ConcurrentLinkedQueue<Canned> queue = new ConcurrentLinkedQueue<>();
    private final List<UpstreamRequest> requests = new CopyOnWriteArrayList<>();
    private final List<TrackedResponse> responses = new CopyOnWriteArrayList<>();
    private volatile Function<UpstreamRequest, Canned> responder;

    /** A client with nothing scripted. */
    public ScriptedUpstream() {
    }

    /**
     * Queues answers for the next requests, in order.
     *
     * @param first  the next answer
     * @param more   the ones after it
     * @return this client
     */
    public ScriptedUpstream respond(Canned first, Canned... more) {
        queue.add(Objects.requireNonNull(first, "first"));
        for (Canned canned : more) {
            queue.add(Objects.requireNonNull(canned, "canned"));
        }
        return this;
    }

    /**
     * Answers every request the queue does not cover (it is asked once per request).
     *
     * @param answer makes an answer from the request
     * @return this client
     */
    public ScriptedUpstream respondWith(Function<UpstreamRequest, Canned> answer) {
        this.responder = Objects.requireNonNull(answer, "answer");
        return this;
    }

    /**
     * How many queued answers no request has used yet.
     *
     * @return the count
     */
    public int pending() {
        return queue.size();
    }

    @Override
    public List<UpstreamRequest> requests() {
        return List.copyOf(requests);
    }

    @Override
    public List<TrackedResponse> responses() {
        return List.copyOf(responses);
    }

    @Override
    public TrackedResponse send(UpstreamRequest request) {
        Objects.requireNonNull(request, "request");
        requests.add(request);
        Canned canned = queue.poll();
        if (canned == null) {
            Function<UpstreamRequest, Canned> answer = responder;
            if (answer == null) {
                throw new AssertionError("the test scripted no answer for " + request + " (request "
                        + requests.size() + "); add one with respond(...) or respondWith(...)");
            }
            canned = Objects.requireNonNull(answer.apply(request), "the responder returned null");
        }
        if (canned.failure != null) {
            throw canned.failure;
        }
        Answer answer = new Answer(request, canned);
        responses.add(answer);
        return answer;
    }

    @Override
    public String toString() {
        return "ScriptedUpstream[" + requests.size() + " requests, " + queue.size() + " queued]";
    }

    /**
     * A scripted answer: status, headers and a body, a stream of events, or a failure thrown from
     * {@code send}. Immutable; {@link #header} returns a copy.
     */
    public static final class Canned {
        private final int status;
        private final Headers headers;
        private final byte[] body;
        private final EventStream events;
        private final GatewayException failure;
        private final boolean unreadable;

        private Canned(int status, Headers headers, byte[] body, EventStream events, GatewayException failure) {
            this(status, headers, body, events, failure, false);
        }

        private Canned(int status, Headers headers, byte[] body, EventStream events, GatewayException failure,
                       boolean unreadable) {
            this.status = status;
            this.headers = headers;
            this.body = body;
            this.events = events;
            this.failure = failure;
            this.unreadable = unreadable;
        }

        /**
         * A JSON answer ({@code content-type: application/json}).
         *
         * @param status the HTTP status
         * @param json   the body as sent (not validated, so it may be malformed on purpose)
         * @return the answer
         */
        public static Canned json(int status, String json) {
            return bytes(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
        }

        /**
         * A JSON answer from an object.
         *
         * @param status the HTTP status
         * @param json   the body
         * @return the answer
         */
        public static Canned json(int status, JsonObject json) {
            return bytes(status, "application/json", JsonBodies.toBytes(json));
        }

        /**
         * A text answer.
         *
         * @param status      the HTTP status
         * @param contentType the content type, or {@code null} for none
         * @param text        the body
         * @return the answer
         */
        public static Canned text(int status, String contentType, String text) {
            return bytes(status, contentType, text.getBytes(StandardCharsets.UTF_8));
        }

        /**
         * Any answer.
         *
         * @param status      the HTTP status, 100..599
         * @param contentType the content type, or {@code null} for none
         * @param body        the body (copied)
         * @return the answer
         */
        public static Canned bytes(int status, String contentType, byte[] body) {
            if (status < 100 || status > 599) {
                throw new IllegalArgumentException("HTTP status must be 100..599, was " + status);
            }
            Headers headers = contentType == null ? Headers.empty() : Headers.of("content-type", contentType);
            return new Canned(status, headers, body.clone(), null, null);
        }

        /**
         * A 200 answer of server-sent events ({@code content-type: text/event-stream}), written as a real
         * upstream writes them.
         *
         * @param events the events; include {@link StreamEvent#DONE} where the protocol has it
         * @return the answer
         */
        public static Canned sse(List<StreamEvent> events) {
            StringBuilder text = new StringBuilder();
            for (StreamEvent event : events) {
                text.append(new SseFrame(event.event(), event.data()).encode());
            }
            return text(200, "text/event-stream", text.toString());
        }

        /**
         * A 200 answer whose events come from a stream the test controls, so it can see what the plugin
         * pulled and whether it closed it.
         *
         * @param events the stream
         * @return the answer
         */
        public static Canned stream(ScriptedEvents events) {
            return new Canned(200, Headers.of("content-type", "text/event-stream"), null,
                    Objects.requireNonNull(events, "events"), null);
        }

        /**
         * An answer whose status and headers arrive, and whose body cannot be read: {@code body()},
         * {@code events()} and {@code stream()} throw 502 {@code provider_connection_failed}, as when the
         * upstream breaks the connection while sending it.
         *
         * @param status  the HTTP status
         * @param headers the headers
         * @return the answer
         */
        public static Canned unreadable(int status, Headers headers) {
            if (status < 100 || status > 599) {
                throw new IllegalArgumentException("HTTP status must be 100..599, was " + status);
            }
            return new Canned(status, headers == null ? Headers.empty() : headers, new byte[0], null, null, true);
        }

        /**
         * {@code send} throws this exception instead of answering.
         *
         * @param failure what the server's client would throw
         * @return the answer
         */
        public static Canned failure(GatewayException failure) {
            return new Canned(0, Headers.empty(), null, null, Objects.requireNonNull(failure, "failure"));
        }

        /**
         * {@code send} throws 502 {@code provider_connection_failed}, as when the upstream cannot be
         * reached.
         *
         * @return the answer
         */
        public static Canned connectionFailure() {
            return failure(GatewayException.of(ErrorCode.PROVIDER_CONNECTION_FAILED,
                    "cannot reach the provider (scripted); check its base-url and that it is up"));
        }

        /**
         * {@code send} throws 504 {@code request_timed_out}, as when the upstream does not answer before
         * the deadline.
         *
         * @return the answer
         */
        public static Canned timeout() {
            return failure(GatewayException.of(ErrorCode.TIMEOUT, "the provider did not answer in time (scripted)"));
        }

        /**
         * This answer with a header set (replacing a value the factory set, such as the content type).
         *
         * @param name  the name
         * @param value the value
         * @return a copy
         */
        public Canned header(String name, String value) {
            if (failure != null) {
                throw new IllegalStateException("a failure has no headers; give them to the GatewayException");
            }
            return new Canned(status, headers.with(name, value), body, events, null, unreadable);
        }

        /**
         * This answer with these headers added.
         *
         * @param more the headers
         * @return a copy
         */
        public Canned headers(Headers more) {
            if (failure != null) {
                throw new IllegalStateException("a failure has no headers; give them to the GatewayException");
            }
            Headers.Builder all = headers.toBuilder();
            more.forEach((name, values) -> values.forEach(value -> all.add(name, value)));
            return new Canned(status, all.build(), body, events, null, unreadable);
        }

        @Override
        public String toString() {
            if (failure != null) {
                return "Canned[throws " + failure.status() + " " + failure.errorCode().type() + "]";
            }
            return "Canned[" + status + (events != null ? ", scripted events" : ", " + body.length + " bytes") + "]";
        }
    }

    /** One answer handed out. */
    private static final class Answer implements TrackedResponse {
        private final UpstreamRequest request;
        private final Canned canned;
        private final AtomicBoolean closed = new AtomicBoolean();
        private final AtomicBoolean taken = new AtomicBoolean();
        private volatile boolean fullyRead;

        Answer(UpstreamRequest request, Canned canned) {
            this.request = request;
            this.canned = canned;
        }

        @Override
        public UpstreamRequest request() {
            return request;
        }

        @Override
        public int status() {
            return canned.status;
        }

        @Override
        public Headers headers() {
            return canned.headers;
        }

        private void take(String how) {
            if (canned.unreadable) {
                throw GatewayException.of(ErrorCode.PROVIDER_CONNECTION_FAILED,
                        "the provider broke the connection while sending its answer");
            }
            if (closed.get()) {
                throw GatewayException.of(ErrorCode.PROVIDER_CONNECTION_FAILED,
                        "the call to the provider was cancelled while its answer arrived");
            }
            if (!taken.compareAndSet(false, true)) {
                throw new IllegalStateException("the body of this upstream answer was already read; read it once, "
                        + "with body(), events() or stream() (" + how + ")");
            }
        }

        @Override
        public byte[] body() {
            take("body()");
            fullyRead = true;
            if (canned.events == null) {
                return canned.body.clone();
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (StreamEvent event : EventStreams.drain(canned.events)) {
                out.writeBytes(new SseFrame(event.event(), event.data()).encode().getBytes(StandardCharsets.UTF_8));
            }
            return out.toByteArray();
        }

        @Override
        public EventStream events() {
            take("events()");
            EventStream source = canned.events;
            if (source == null) {
                List<StreamEvent> parsed = new ArrayList<>();
                for (SseFrame frame : SseParser.readAll(canned.body)) {
                    parsed.add(new StreamEvent(frame.event(), frame.data()));
                }
                source = EventStream.of(parsed);
            }
            EventStream events = source;
            return new EventStream() {
                @Override
                public StreamEvent next() {
                    if (closed.get()) {
                        return null;
                    }
                    StreamEvent event = events.next();
                    if (event == null) {
                        fullyRead = true;
                    }
                    return event;
                }

                @Override
                public void close() {
                    Answer.this.close();
                }
            };
        }

        @Override
        public InputStream stream() {
            take("stream()");
            byte[] bytes = canned.body != null ? canned.body : new byte[0];
            return new ByteArrayInputStream(bytes) {
                @Override
                public synchronized int read(byte[] b, int off, int len) {
                    int n = super.read(b, off, len);
                    if (n < 0) {
                        fullyRead = true;
                    }
                    return n;
                }

                @Override
                public synchronized int read() {
                    int n = super.read();
                    if (n < 0) {
                        fullyRead = true;
                    }
                    return n;
                }

                @Override
                public void close() {
                    Answer.this.close();
                }
            };
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true) && canned.events != null) {
                canned.events.close();
            }
        }

        @Override
        public boolean closed() {
            return closed.get();
        }

        @Override
        public boolean fullyRead() {
            return fullyRead;
        }

        @Override
        public String toString() {
            return "ScriptedAnswer[" + request + " -> " + canned + (closed.get() ? ", closed" : "") + "]";
        }
    }
}
