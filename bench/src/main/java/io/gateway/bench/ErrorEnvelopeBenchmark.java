package io.gateway.bench;

import io.gateway.server.core.ErrorEnvelope;
import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** {@link ErrorEnvelope}: building one from a {@link GatewayException} and rendering it to bytes. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ErrorEnvelopeBenchmark {

    private static final String REQUEST_ID = "5f0c6e2a-8a4b-4c1e-9a57-0d6f1f3b2c11";

    private ErrorEnvelope envelope;

    /** Builds the envelope rendered by {@link #render}. */
    @Setup
    public void setUp() {
        envelope = ErrorEnvelope.of(failure(), REQUEST_ID, "openai", Payloads.BARE_MODEL, "chat_completion", 1);
    }

    private static GatewayException failure() {
        return new GatewayException(ErrorCode.RATE_LIMITED, "the provider is rate limiting this key; retry after "
                + "the time in retry-after", null, null, null);
    }

    /**
     * Render a ready envelope: {@code toBytes()}.
     *
     * @return UTF-8 JSON
     */
    @Benchmark
    public byte[] render() {
        return envelope.toBytes();
    }

    /**
     * What an error answer costs the server: the exception, the envelope and its bytes.
     *
     * @return UTF-8 JSON
     */
    @Benchmark
    public byte[] createAndRender() {
        return ErrorEnvelope.of(failure(), REQUEST_ID, "openai", Payloads.BARE_MODEL, "chat_completion", 1).toBytes();
    }
}
