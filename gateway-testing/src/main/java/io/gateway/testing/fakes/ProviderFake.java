package io.gateway.testing.fakes;

import io.gateway.testing.FakeUpstream;
import io.gateway.testing.RecordedRequest;
import io.gateway.testing.Reply;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the provider fakes share: a {@link FakeUpstream} on a free loopback port that sends every
 * request to the fake's {@link #handle}, the one key the fake accepts, and a queue of scripted replies
 * for requests that pass the fake's checks. Thread-safe.
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

    /**
     * Starts the server; a subclass calls {@link #serve()} once its own state is ready.
     *
     * @param apiKey the only key the fake accepts
     */
    protected ProviderFake(String apiKey) {
        this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
        this.upstream = FakeUpstream.start();
    }

    /** Routes every request to {@link #handle}. */
    protected final void serve() {
        upstream.onPrefix("*", "/").respond(Reply.from(this::handle));
    }

    /**
     * Answers one request the way the provider would.
     *
     * @param request the request
     * @return the reply
     */
    protected abstract Reply handle(RecordedRequest request);

    @SuppressWarnings("unchecked")
    private F self() {
        return (F) this;
    }

    /**
     * The base URL to configure as the provider's {@code base-url} (the class documentation of each
     * fake says which paths it serves below it).
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
     * Forgets recorded requests and queued replies and removes stubs added to {@link #upstream()};
     * the fake's own routes and models (or deployments) stay.
     *
     * @return this fake
     */
    public F reset() {
        upstream.reset();
        script.clear();
        serve();
        return self();
    }

    /** Stops the server and releases the port. */
    @Override
    public void close() {
        upstream.close();
    }
}
