package io.gateway.server.routing;

import io.gateway.spi.ByteStream;
import io.gateway.spi.GatewayException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The bytes of a binary answer, holding the provider's concurrency slot while they are relayed: when
 * they end, fail or are closed, the slot is freed and the attempt's record ended, as
 * {@link SlotStream} does for event streams.
 */
final class SlotBytes implements ByteStream {

    private final ByteStream body;
    private final ConcurrencyLimit limit;
    private final AttemptRecorder attempt;
    private final int status;
    private final AtomicBoolean released = new AtomicBoolean();

    SlotBytes(ByteStream body, ConcurrencyLimit limit, AttemptRecorder attempt, int status) {
        this.body = body;
        this.limit = limit;
        this.attempt = attempt;
        this.status = status;
    }

    private void release(GatewayException error) {
        if (released.compareAndSet(false, true)) {
            limit.release();
            attempt.end(status, error);
        }
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
        if (released.get()) {
            return -1;
        }
        try {
            int read = body.read(buffer, offset, length);
            if (read < 0) {
                release(null);
            }
            return read;
        } catch (GatewayException e) {
            release(e);
            throw e;
        } catch (RuntimeException e) {
            release(null);
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            body.close();
        } finally {
            release(null);
        }
    }
}
