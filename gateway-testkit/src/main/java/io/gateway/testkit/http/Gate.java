package io.gateway.testkit.http;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A barrier a streamed {@link Reply} waits at ({@link Reply#holdAfter}): the fake upstream writes the
 * frames before it, then holds the rest back until the test {@link #open()}s the gate, or until the
 * gate's timeout passes, which it records ({@link #timedOut()}). A test proves with it that the code
 * under test hands on the first event while the upstream has not sent the second.
 *
 * <pre>{@code
 * Gate gate = new Gate();
 * upstream.on("POST", "/v1/chat/completions").respond(Reply.sse(frames).holdAfter(1, gate));
 * StreamEvent first = events.next();   // arrives although the upstream holds the rest
 * gate.open();
 * assertFalse(gate.timedOut());
 * }</pre>
 *
 * <p>Thread-safe; opening is permanent.
 */
public final class Gate {

    private final CountDownLatch latch = new CountDownLatch(1);
    private final AtomicBoolean timedOut = new AtomicBoolean();
    private final Duration timeout;

    /** A closed gate that gives up after 5 seconds. */
    public Gate() {
        this(Duration.ofSeconds(5));
    }

    /**
     * A closed gate.
     *
     * @param timeout how long a reply waits before it gives up and goes on
     */
    public Gate(Duration timeout) {
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /** Lets every reply waiting here go on. */
    public void open() {
        latch.countDown();
    }

    /**
     * Whether a reply gave up waiting because the gate stayed closed past its timeout.
     *
     * @return {@code true} if one did
     */
    public boolean timedOut() {
        return timedOut.get();
    }

    /**
     * Waits for the gate, at most its timeout or until {@code stop} says the reply should end.
     *
     * @param stop ends the wait early (the client went away, the fake is closing)
     * @return {@code true} when the reply may go on
     */
    boolean pass(CountDownLatch stop) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                if (latch.await(20, TimeUnit.MILLISECONDS)) {
                    return true;
                }
                if (stop.getCount() == 0) {
                    return false;
                }
                if (System.nanoTime() >= deadline) {
                    timedOut.set(true);
                    return true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public String toString() {
        return "Gate[" + (latch.getCount() == 0 ? "open" : "closed") + (timedOut.get() ? ", timed out" : "") + "]";
    }
}
