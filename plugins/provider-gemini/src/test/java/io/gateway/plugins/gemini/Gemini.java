package io.gateway.plugins.gemini;

import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.upstream.UpstreamRequest;
import io.gateway.testkit.HttpUpstream;
import io.gateway.testkit.TestClock;
import io.gateway.testkit.TestContext;
import io.gateway.testkit.fakes.FakeGemini;
import io.gateway.testkit.http.RecordedRequest;
import io.gateway.testkit.http.Reply;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import jakarta.json.JsonObject;

/**
 * The test kit's fake Gemini API behind real HTTP, for a provider that keeps its default base URL: the
 * kit's client sends every request to the fake and records it as the plugin built it. The fake checks
 * each request as Gemini does and answers Gemini-format errors otherwise; accepted requests get what the
 * test's handler returns (by default, {@code Answers.text("Hello!")} to {@code generateContent}, the fake's
 * own answer to the rest). It also checks that a streamed method is requested
 * as a stream. The models the tests name ({@code m}, {@code gemini-3-pro-preview},
 * {@code gemini-2.0-flash}) are added to the fake's.
 */
final class Gemini implements AutoCloseable {

    /** What the plugin sent, as it built the request (the URI before the client sent it to the fake). */
    record Recorded(String method, URI uri, Headers headers, JsonObject body, boolean stream, Instant deadline) {

        String path() {
            return uri.getPath();
        }
    }

    final FakeGemini fake = FakeGemini.start(Fixtures.KEY)
            .addModel("m", FakeGemini.Capability.GENERATE, FakeGemini.Capability.EMBED,
                    FakeGemini.Capability.IMAGE_OUTPUT)
            .addModel("gemini-3-pro-preview", FakeGemini.Capability.GENERATE)
            .addModel("gemini-2.0-flash", FakeGemini.Capability.GENERATE);
    final HttpUpstream upstream = HttpUpstream.redirectingTo(fake.baseUrl());
    /** Until a test sets its own: a one-candidate text answer to generation, the fake's own answers otherwise. */
    private volatile Function<Recorded, Reply> handler = request -> request.path().endsWith(":generateContent")
            ? Replies.json(Answers.text("Hello!")) : null;

    Gemini() {
        fake.answerWith(this::answer);
    }

    private Reply answer(RecordedRequest request) {
        Recorded sent = recorded(upstream.lastRequest());
        if (sent.path().endsWith(":streamGenerateContent") && !sent.stream()) {
            return FakeGemini.error(500, "INTERNAL", "test check: a streamed method was not requested as a stream");
        }
        Function<Recorded, Reply> current = handler;
        return current == null ? null : current.apply(sent);
    }

    private static Recorded recorded(UpstreamRequest request) {
        return new Recorded(request.method(), request.uri(), request.headers(),
                request.body() == null ? null : JsonBodies.parse(request.body()), request.stream(), request.deadline());
    }

    /** Answers every request the fake accepts with what the handler makes of it. */
    void handle(Function<Recorded, Reply> newHandler) {
        this.handler = newHandler;
    }

    /** Answers every request the fake accepts with this JSON. */
    void answer(String json) {
        handle(request -> Replies.json(json));
    }

    /** What the server lends the plugin: this client and a clock standing at {@link Fixtures#NOW}. */
    TestContext context() {
        return TestContext.builder().upstream(upstream).clock(TestClock.at(Fixtures.NOW)).build();
    }

    List<Recorded> requests() {
        return upstream.requests().stream().map(Gemini::recorded).toList();
    }

    Recorded last() {
        return recorded(upstream.lastRequest());
    }

    /** Whether the plugin released the last answer (read it to its end or closed it). */
    boolean streamClosed() {
        return upstream.lastResponse().released();
    }

    @Override
    public void close() {
        upstream.close();
        fake.close();
    }
}
