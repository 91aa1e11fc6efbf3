package io.gateway.testkit.fakes;

import io.gateway.spi.Operation;
import io.gateway.testkit.http.FakeUpstream;
import io.gateway.testkit.http.Gate;
import io.gateway.testkit.http.RecordedRequest;
import io.gateway.testkit.http.Reply;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * What the vendor fakes share: a {@link FakeUpstream} on a free loopback port that sends every
 * request to the fake's {@link #handle}, the key the fake accepts, and the answers a test scripts for
 * requests that pass the fake's checks — queued one-off replies ({@link #answerNext}) first, then a
 * standing responder ({@link #answerWith}), then the fake's own deterministic answer. A request the
 * fake refuses (a bad key, a body the vendor's API would reject) never uses a scripted answer: the
 * refusal is the point of the fake.
 *
 * <p>{@link io.gateway.testkit.ProviderConformance} drives a provider against a fake through
 * {@link #errorReply} and {@link #modelFor}. Thread-safe.
 *
 * @param <F> the fake's own type, returned by the chaining methods
 */
public abstract class ProviderFake<F extends ProviderFake<F>> implements AutoCloseable {

    /** The HTTP server underneath. */
    protected final FakeUpstream upstream;
    /** Replies queued with {@link #answerNext(Reply)}. */
    protected final FakeJson.Script script = new FakeJson.Script();
    /** A counter for the ids the fake makes up. */
    protected final AtomicLong ids = new AtomicLong();
    private final String apiKey;
    private volatile Function<RecordedRequest, Reply> responder;
    private final java.util.concurrent.atomic.AtomicReference<Hold> hold = new java.util.concurrent.atomic.AtomicReference<>();

    private record Hold(int before, Gate gate) {
    }

    /**
     * Starts the server; a subclass calls {@link #serve()} once its own state is ready.
     *
     * @param apiKey the key the fake accepts
     */
    protected ProviderFake(String apiKey) {
        this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
        this.upstream = FakeUpstream.start();
    }

    /** Routes every request to {@link #handle}. */
    protected final void serve() {
        upstream.onPrefix("*", "/").respond(Reply.from(request -> {
            Reply reply = handle(request);
            if (reply.streamed()) {
                Hold held = hold.getAndSet(null);
                if (held != null) {
                    return reply.holdAfter(held.before(), held.gate());
                }
            }
            return reply;
        }));
    }

    /**
     * Answers one request the way the vendor's API would.
     *
     * @param request the request
     * @return the reply
     */
    protected abstract Reply handle(RecordedRequest request);

    /**
     * The answer the test scripted for a request the fake accepted: the next queued reply, else the
     * standing responder's, else {@code null} for the fake's own answer.
     *
     * @param request the accepted request
     * @return the scripted reply, or {@code null}
     */
    protected final Reply scripted(RecordedRequest request) {
        Reply queued = script.poll();
        if (queued != null) {
            return queued;
        }
        Function<RecordedRequest, Reply> answer = responder;
        return answer == null ? null : answer.apply(request);
    }

    @SuppressWarnings("unchecked")
    private F self() {
        return (F) this;
    }

    /**
     * The base URL to configure as the provider's {@code base-url} (each fake's documentation says
     * which paths it serves below it).
     *
     * @return e.g. {@code http://127.0.0.1:54321}, without a trailing slash
     */
    public String baseUrl() {
        return upstream.baseUrl();
    }

    /**
     * The key the fake accepts.
     *
     * @return the key
     */
    public String apiKey() {
        return apiKey;
    }

    /**
     * The HTTP fake underneath: every request it received ({@link FakeUpstream#requests()},
     * {@link FakeUpstream#takeRequest}), connection observations, and stubs that bypass this fake.
     *
     * @return the upstream
     */
    public FakeUpstream upstream() {
        return upstream;
    }

    /**
     * Every request received, accepted or not.
     *
     * @return a snapshot in arrival order
     */
    public List<RecordedRequest> requests() {
        return upstream.requests();
    }

    /**
     * The latest request received.
     *
     * @return the request
     * @throws IllegalStateException if none was received
     */
    public RecordedRequest lastRequest() {
        return upstream.lastRequest();
    }

    /**
     * Queues a reply for the next request that passes the fake's checks, instead of the default
     * answer. Replies queue up in order. A request the fake rejects does not use one.
     *
     * @param reply the reply, e.g. the fake's {@code error(...)} with a {@code retry-after} header
     * @return this fake
     */
    public F answerNext(Reply reply) {
        script.add(reply);
        return self();
    }

    /**
     * Answers every accepted request with what {@code answer} makes of it once the queued replies are
     * used up, instead of the default answer; where it returns {@code null} the fake answers itself.
     * {@code answerWith(null)} goes back to the default answers.
     *
     * @param answer makes the reply from the request, e.g. {@code r -> Reply.sse(frames)}
     * @return this fake
     */
    public F answerWith(Function<RecordedRequest, Reply> answer) {
        this.responder = answer;
        return self();
    }

    /**
     * Holds back the next streamed answer (scripted or the fake's own) after its first {@code before}
     * frames until the test opens {@code gate}: the test proves that the code under test hands on an
     * event while the upstream has not sent the next one.
     *
     * @param before how many frames are sent before the gate
     * @param gate   what the rest waits for
     * @return this fake
     */
    public F holdNextStream(int before, Gate gate) {
        hold.set(new Hold(before, Objects.requireNonNull(gate, "gate")));
        return self();
    }

    /**
     * An error in the vendor's own format with the usual error type for the status (rate limit for
     * 429, server error for 5xx…), as the vendor answers it.
     *
     * @param status  the HTTP status, 400..599
     * @param message the message
     * @return the reply
     */
    public abstract Reply errorReply(int status, String message);

    /**
     * A model this fake serves for an operation, as a provider's call names it.
     *
     * @param operation the operation
     * @return the model, or empty when the fake does not serve the operation
     */
    public abstract Optional<String> modelFor(Operation operation);

    /**
     * Forgets recorded requests, queued replies and the standing responder, and removes stubs added to
     * {@link #upstream()}; the fake's own routes and models (or deployments) stay.
     *
     * @return this fake
     */
    public F reset() {
        upstream.reset();
        script.clear();
        responder = null;
        hold.set(null);
        serve();
        return self();
    }

    /** Stops the server and releases the port. */
    @Override
    public void close() {
        upstream.close();
    }
}
