package io.gateway.spi;

/**
 * How a {@link ByteStream} ended, reported once to {@link ByteStream#onComplete} observers.
 *
 * @param status how it ended
 * @param bytes  how many bytes were delivered
 * @param error  the failure for {@link StreamOutcome.Status#FAILED}, otherwise {@code null}
 */
public record BytesOutcome(StreamOutcome.Status status, long bytes, GatewayException error) {
}
