package io.gateway.plugins.mock;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.Operation;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.spi.Response;
import io.gateway.spi.StreamEvent;
import jakarta.json.JsonObject;
import java.time.Clock;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A provider that answers every operation, synchronously and as a stream, with deterministic
 * OpenAI-shaped bodies built from the request alone.
 *
 * <h2>Configuration</h2>
 * <ul>
 *   <li>{@code latency} (duration, default {@code 0ms}): waited before a complete answer, or before
 *       the first event of a stream, to imitate an upstream's time to first byte. A latency that would
 *       pass the call's deadline waits until the deadline and then fails with 504
 *       ({@link ErrorCode#TIMEOUT}), as a slow upstream would.</li>
 *   <li>{@code stream-interval} (duration, default {@code 0ms}): waited between stream events. An
 *       interval longer than the call's stream idle timeout fails the stream with 504 after the idle
 *       timeout.</li>
 *   <li>{@code models} (list of strings, default {@code [mock-model, mock-embedding, mock-image]}):
 *       the bare ids {@code GET models} lists.</li>
 * </ul>
 *
 * <h2>Requested errors</h2>
 * A request whose model is {@code error-NNN}, with {@code NNN} from 400 to 599 (for example
 * {@code mock/error-429} or {@code mock/error-503}), fails after the configured latency with that
 * status, the conventional OpenAI {@code error.type} for it, an OpenAI-like {@code error.code} and the
 * message {@code "mock error NNN requested"}, exactly as an upstream error would reach the router. 429
 * and 503 carry {@code retry-after: 1}. This lets tests exercise retries, fallbacks, key rotation and
 * the error envelope without a real upstream. Streams fail the same way, before their first event.
 *
 * <h2>Answers</h2>
 * Text answers echo the start of the last user message ("This is a mock response to: ..."); token
 * counts are whitespace-separated word counts, so usage is predictable in tests. Embedding vectors
 * are unit-length and seeded from a hash of the input, so equal inputs get equal vectors. Images are
 * one tiny valid PNG. Rerank scores each document by the share of the query's words it contains.
 */
final class MockProvider implements Provider {

    /**
     * The operations it answers: the JSON operations of the OpenAI API and rerank; audio, image edits, files,
     * batches and moderations are not mocked, and Anthropic-format requests reach it translated into chat.
     */
    private static final Set<Operation> OPERATIONS = Collections.unmodifiableSet(EnumSet.of(
            Operation.CHAT_COMPLETION, Operation.TEXT_COMPLETION, Operation.RESPONSES, Operation.EMBEDDING,
            Operation.IMAGE_GENERATION, Operation.LIST_MODELS, Operation.RERANK));
    private static final Pattern ERROR_MODEL = Pattern.compile("error-([45]\\d\\d)");

    private final MockSettings settings;
    private final Clock clock;
    private final long modelsCreated;

    MockProvider(MockSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        // Listed models should not look as if they were created anew on every request.
        this.modelsCreated = clock.instant().getEpochSecond();
    }

    @Override
    public Set<Operation> operations() {
        return OPERATIONS;
    }

    @Override
    public Response call(ProviderCall call) {
        GatewayException requested = requestedError(call.model());
        boolean stream = call.stream() && call.operation().streamable();
        if (requested != null || !stream) {
            // A synchronous call has nothing to interrupt it but the deadline, so a latch that never
            // opens makes the wait a deadline-bounded sleep.
            Pause.await(new CountDownLatch(1), settings.latency(), Pause.until(clock, call.deadline()),
                    "the mock provider's latency of " + settings.latency().toMillis()
                            + " ms passes the request deadline");
        }
        if (requested != null) {
            throw requested;
        }
        MockCall mock = new MockCall(call, clock.instant().getEpochSecond());
        if (!stream) {
            return Response.Complete.ok(complete(mock));
        }
        List<StreamEvent> events = events(mock);
        return Response.Streaming.ok(new PacedEventStream(events, clock, call.deadline(), settings.latency(),
                settings.streamInterval(), call.streamIdleTimeout()));
    }

    private JsonObject complete(MockCall mock) {
        return switch (mock.call().operation()) {
            case CHAT_COMPLETION -> ChatCompletions.prepare(mock).body();
            case TEXT_COMPLETION -> TextCompletions.prepare(mock).body();
            case RESPONSES -> Responses.prepare(mock).body();
            case EMBEDDING -> Embeddings.body(mock);
            case IMAGE_GENERATION -> Images.prepare(mock).body();
            case LIST_MODELS -> Models.body(settings.models(), modelsCreated);
            case RERANK -> Rerank.body(mock);
            default -> throw unsupported(mock.call().operation());
        };
    }

    private static List<StreamEvent> events(MockCall mock) {
        return switch (mock.call().operation()) {
            case CHAT_COMPLETION -> ChatCompletions.prepare(mock).events();
            case TEXT_COMPLETION -> TextCompletions.prepare(mock).events();
            case RESPONSES -> Responses.prepare(mock).events();
            case IMAGE_GENERATION -> Images.prepare(mock).events();
            case EMBEDDING, LIST_MODELS, RERANK -> throw new IllegalStateException(
                    mock.call().operation() + " cannot stream");
            default -> throw unsupported(mock.call().operation());
        };
    }

    /** Anthropic-format requests reach the mock translated into chat; it never takes them itself. */
    private static GatewayException unsupported(Operation operation) {
        return GatewayException.of(io.gateway.spi.ErrorCode.UNSUPPORTED_OPERATION, "the mock provider does not offer "
                + operation.wireName());
    }

    /**
     * The failure a model named {@code error-NNN} asks for, shaped like an upstream error so the
     * router treats it exactly as it would a real one (retryable for 429 and 5xx).
     */
    static GatewayException requestedError(String model) {
        if (model == null) {
            return null;
        }
        Matcher matcher = ERROR_MODEL.matcher(model);
        if (!matcher.matches()) {
            return null;
        }
        int status = Integer.parseInt(matcher.group(1));
        Headers headers = status == 429 || status == 503 ? Headers.of("retry-after", "1") : Headers.empty();
        return GatewayException.upstream(status, ErrorCode.typeForStatus(status), codeFor(status),
                "mock error " + status + " requested", null, headers);
    }

    private static String codeFor(int status) {
        return switch (status) {
            case 400 -> "invalid_request";
            case 401 -> "invalid_api_key";
            case 403 -> "permission_denied";
            case 404 -> "model_not_found";
            case 408 -> "request_timeout";
            case 409 -> "conflict";
            case 413 -> "request_too_large";
            case 422 -> "unprocessable_entity";
            case 429 -> "rate_limit_exceeded";
            case 500 -> "server_error";
            case 502 -> "bad_gateway";
            case 503 -> "service_unavailable";
            case 504 -> "gateway_timeout";
            default -> status >= 500 ? "server_error" : "invalid_request";
        };
    }
}
