package io.gateway.spi;

/**
 * How an {@link EventStream} ended, reported once to {@link EventStream#onComplete} observers.
 *
 * @param status how it ended
 * @param events how many events were delivered
 * @param error  the failure for {@link Status#FAILED}, otherwise {@code null}
 */
public record StreamOutcome(Status status, long events, GatewayException error) {

    /** The ways a stream can end. */
    public enum Status {
        /** The stream reached its end. */
        COMPLETED,
        /** The stream failed (upstream error, timeout, broken connection). */
        FAILED,
        /** The consumer closed the stream before its end (for example the client disconnected). */
        CANCELLED
    }
}
