package io.gateway.testkit;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Operation;
import io.gateway.spi.PluginConfig;
import io.gateway.spi.Response;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.spi.provider.ProviderFactory;
import io.gateway.testkit.fakes.ProviderFake;
import io.gateway.testkit.http.Reply;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The checks every provider passes, run in memory: the provider is created through its factory with a
 * {@link TestContext} whose upstream client talks HTTP ({@link HttpUpstream}) to a fake of its
 * vendor's API, and called as the server's router calls it. No server starts.
 *
 * <pre>{@code
 * try (FakeAnthropic anthropic = FakeAnthropic.start()) {
 *     ProviderConformance.verify(new AnthropicProviderFactory(), TestConfig.provider("claude", Map.of(
 *             "base-url", anthropic.baseUrl(),
 *             "keys", List.of(Map.of("name", "main", "value", anthropic.apiKey())))), anthropic);
 * }
 * }</pre>
 *
 * <p>For every operation the provider claims ({@link Provider#operations()}), with a model the fake
 * serves for it ({@link ProviderFake#modelFor}):
 * <ul>
 *   <li>the complete answer is OpenAI-shaped ({@link AnswerChecks#complete});</li>
 *   <li>for streamable operations, the streamed answer is a {@link Response.Streaming} whose events are
 *       OpenAI-framed ({@link AnswerChecks#stream}, with a usage chunk when chat asked for one), and
 *       closing a stream after its first event releases the upstream answer;</li>
 * </ul>
 * for one claimed operation, the vendor's errors ({@link ProviderFake#errorReply}) for 400, 401, 429,
 * 500 and 503 become a {@link GatewayException} with the same status, the upstream's message, retryable
 * exactly for 429 and 5xx, and not counted as the gateway's fault, for a complete and for a streamed
 * call; a connection the upstream drops is 502 {@code provider_connection_failed}; no operation the
 * provider does not claim is answered or sent upstream (the server never asks for one, so any exception
 * will do);
 * and every upstream answer was released (read or closed). All failures are reported together.
 *
 * <p>Keys: the calls use the first key of the block's {@code keys} (give it the fake's
 * {@link ProviderFake#apiKey()}), or the keyless key when the block has none. Not thread-safe; one
 * verification at a time per fake.
 */
public final class ProviderConformance {

    private static final List<Integer> ERROR_STATUSES = List.of(400, 401, 429, 500, 503);
    private static final String MARK = "conformance check";
    /** The model the calls name when there is no fake to ask. */
    public static final String NO_FAKE_MODEL = "conformance-model";

    /**
     * The operations the conformance checks cover: the JSON operations every provider may offer, rerank
     * included. The audio, image-edit, file, batch and moderation operations (SPI 2.1) take forms or
     * answer bytes and are tested against their own fakes; Anthropic's Messages are checked through a
     * running gateway.
     */
    public static final Set<Operation> CHECKED = java.util.Collections.unmodifiableSet(java.util.EnumSet.of(
            Operation.CHAT_COMPLETION, Operation.TEXT_COMPLETION, Operation.RESPONSES, Operation.EMBEDDING,
            Operation.IMAGE_GENERATION, Operation.LIST_MODELS, Operation.RERANK));

    private final ProviderFactory factory;
    private final PluginConfig config;
    private final ProviderFake<?> fake;
    private final Set<Operation> unstreamed = EnumSet.noneOf(Operation.class);
    private final List<String> failures = new ArrayList<>();

    private ProviderConformance(ProviderFactory factory, PluginConfig config, ProviderFake<?> fake) {
        this.factory = Objects.requireNonNull(factory, "factory");
        this.config = Objects.requireNonNull(config, "config");
        this.fake = fake;
    }

    /**
     * Runs every check and fails with all failures listed.
     *
     * @param factory the provider's factory
     * @param config  the provider's block, pointing the provider at the fake ({@code base-url}) with the
     *                fake's key
     * @param fake    the fake of the vendor's API
     * @throws AssertionError listing every failed check
     */
    public static void verify(ProviderFactory factory, PluginConfig config, ProviderFake<?> fake) {
        of(factory, config, fake).verify();
    }

    /**
     * A verification to adjust before {@link #verify()}.
     *
     * @param factory the provider's factory
     * @param config  the provider's block
     * @param fake    the fake of the vendor's API
     * @return the verification
     */
    public static ProviderConformance of(ProviderFactory factory, PluginConfig config, ProviderFake<?> fake) {
        return new ProviderConformance(factory, config, fake);
    }

    /**
     * A verification of a provider that calls no upstream (a mock, a local model in process): the
     * answers' shapes, streaming and that operations it does not claim are not answered are checked with the
     * model {@value #NO_FAKE_MODEL}; the upstream checks (error mapping, released answers) are left out.
     *
     * @param factory the provider's factory
     * @param config  the provider's block
     * @return the verification
     */
    public static ProviderConformance of(ProviderFactory factory, PluginConfig config) {
        return new ProviderConformance(factory, config, null);
    }

    /**
     * Leaves out the streamed form of operations the provider offers without streaming them (a vendor
     * that cannot stream images, for instance); their complete form is still checked.
     *
     * @param operations the operations
     * @return this verification
     */
    public ProviderConformance withoutStreaming(Operation... operations) {
        unstreamed.addAll(List.of(operations));
        return this;
    }

    /**
     * Runs every check.
     *
     * @throws AssertionError listing every failed check
     */
    public void verify() {
        failures.clear();
        try (HttpUpstream upstream = HttpUpstream.create()) {
            ProviderHarness harness;
            try {
                harness = ProviderHarness.create(factory, config, TestContext.with(upstream));
            } catch (RuntimeException e) {
                throw new AssertionError("the factory refused the configuration " + config.path() + ": " + e, e);
            }
            try (harness) {
                run(harness, upstream);
            }
        }
        if (!failures.isEmpty()) {
            throw new AssertionError("provider " + factory.type() + " fails conformance"
                    + (fake == null ? "" : " against " + fake) + ":\n  - "
                    + String.join("\n  - ", failures));
        }
    }

    private void run(ProviderHarness harness, HttpUpstream upstream) {
        Set<Operation> claimed = harness.provider().operations();
        if (claimed == null || claimed.isEmpty()) {
            failures.add("operations() is " + (claimed == null ? "null" : "empty") + "; the server would serve nothing");
            return;
        }
        Map<String, String> aliases = harness.provider().modelAliases();
        if (aliases == null) {
            failures.add("modelAliases() is null; answer Map.of() when there are none");
        }
        for (Operation operation : CHECKED) {
            try {
                if (claimed.contains(operation)) {
                    supported(harness, operation);
                } else {
                    unsupported(harness, operation);
                }
            } catch (RuntimeException | AssertionError e) {
                failures.add(operation.wireName() + ": " + e);
            }
        }
        Optional<Operation> probe = List.of(Operation.CHAT_COMPLETION, Operation.RESPONSES, Operation.EMBEDDING,
                Operation.TEXT_COMPLETION, Operation.IMAGE_GENERATION, Operation.RERANK).stream().filter(claimed::contains)
                .filter(operation -> fake != null && fake.modelFor(operation).isPresent()).findFirst();
        if (probe.isPresent() && fake != null) {
            errors(harness, probe.get());
        }
        try {
            upstream.assertAllReleased();
        } catch (AssertionError e) {
            failures.add(e.getMessage());
        }
    }

    private String model(Operation operation) {
        if (fake == null) {
            return NO_FAKE_MODEL;
        }
        return fake.modelFor(operation).orElseThrow(() -> new AssertionError("the fake " + fake
                + " serves no model for " + operation.wireName() + ", which the provider claims"));
    }

    private static String body(Operation operation, String model, boolean stream) {
        return AnswerChecks.requestBody(operation, model, stream);
    }

    private void supported(ProviderHarness harness, Operation operation) {
        String model = operation == Operation.LIST_MODELS ? "" : model(operation);
        Response response = harness.send(harness.call(operation, body(operation, model, false)));
        if (!(response instanceof Response.Complete complete)) {
            failures.add(operation.wireName() + ": a call without stream answered " + EventStreams.describe(response));
            if (response instanceof Response.Streaming streaming) {
                streaming.events().close();
            }
            return;
        }
        expect(complete.status() == 200, operation.wireName() + ": status " + complete.status());
        failures.addAll(AnswerChecks.complete(operation, complete.body(), 2));
        if (!operation.streamable() || unstreamed.contains(operation)) {
            return;
        }
        String streamBody = body(operation, model, true);
        Response streamed = harness.send(harness.call(operation, streamBody));
        if (!(streamed instanceof Response.Streaming streaming)) {
            failures.add(operation.wireName() + " stream: a call with stream answered "
                    + EventStreams.describe(streamed));
            return;
        }
        expect(streaming.status() == 200, operation.wireName() + " stream: status " + streaming.status());
        List<StreamEvent> events = EventStreams.drain(streaming.events());
        failures.addAll(AnswerChecks.stream(operation, events, operation == Operation.CHAT_COMPLETION));
        closeEarly(harness, operation, streamBody);
    }

    private void closeEarly(ProviderHarness harness, Operation operation, String streamBody) {
        Response response = harness.send(harness.call(operation, streamBody));
        if (!(response instanceof Response.Streaming streaming)) {
            return;
        }
        EventStream events = streaming.events();
        StreamEvent first = events.next();
        events.close();
        events.close();
        expect(first != null, operation.wireName() + " stream: no first event");
        expect(events.next() == null, operation.wireName() + " stream: a closed stream still gives events");
    }

    private void unsupported(ProviderHarness harness, Operation operation) {
        int before = fake == null ? 0 : fake.requests().size();
        String model = fake == null ? NO_FAKE_MODEL : fake.modelFor(operation).orElse(NO_FAKE_MODEL);
        try {
            Response response = harness.send(harness.call(operation, body(operation, model, false)));
            failures.add(operation.wireName() + " (not claimed): the provider answered " + EventStreams.describe(response)
                    + " instead of refusing it");
        } catch (RuntimeException refused) {
            // the server never calls an operation a provider does not claim; any refusal will do
        }
        expect(fake == null || fake.requests().size() == before, operation.wireName()
                + " (not claimed): the call reached the upstream");
    }

    private void errors(ProviderHarness harness, Operation operation) {
        String model = model(operation);
        for (int status : ERROR_STATUSES) {
            for (boolean stream : operation.streamable() && !unstreamed.contains(operation)
                    ? List.of(false, true) : List.of(false)) {
                String where = operation.wireName() + (stream ? " stream" : "") + " upstream " + status;
                fake.answerNext(fake.errorReply(status, MARK + " " + status));
                ProviderCall call = harness.call(operation, body(operation, model, stream));
                GatewayException error = failureOf(harness, call, where);
                if (error == null) {
                    continue;
                }
                expect(error.status() == status, where + ": mapped to status " + error.status());
                expect(error.errorCode().retryable() == (status == 429 || status >= 500), where + ": retryable is "
                        + error.errorCode().retryable());
                expect(!error.errorCode().gatewayError(), where + ": counted as the gateway's own failure");
                expect(error.getMessage().contains(MARK), where + ": the upstream's message is lost: '"
                        + error.getMessage() + "'");
            }
        }
        fake.answerNext(Reply.dropConnection());
        GatewayException dropped = failureOf(harness, harness.call(operation, body(operation, model, false)),
                operation.wireName() + " dropped connection");
        if (dropped != null) {
            expect(dropped.errorCode().equals(ErrorCode.PROVIDER_CONNECTION_FAILED), operation.wireName()
                    + " dropped connection: mapped to " + dropped.errorCode() + ", not provider_connection_failed");
        }
    }

    /** The failure of a call, thrown by the call or by the first event of its stream. */
    private GatewayException failureOf(ProviderHarness harness, ProviderCall call, String where) {
        Response response;
        try {
            response = harness.send(call);
        } catch (GatewayException e) {
            return e;
        }
        if (response instanceof Response.Streaming streaming) {
            try (EventStream events = streaming.events()) {
                StreamEvent first = events.next();
                failures.add(where + ": the stream did not fail but gave " + first);
            } catch (GatewayException e) {
                return e;
            }
            return null;
        }
        failures.add(where + ": answered " + EventStreams.describe(response) + " instead of failing");
        return null;
    }

    private void expect(boolean condition, String failure) {
        if (!condition) {
            failures.add(failure);
        }
    }
}
