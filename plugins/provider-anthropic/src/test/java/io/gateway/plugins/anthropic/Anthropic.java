package io.gateway.plugins.anthropic;

import io.gateway.spi.JsonBodies;
import io.gateway.spi.upstream.UpstreamRequest;
import io.gateway.testkit.HttpUpstream;
import io.gateway.testkit.RecordingUpstream;
import io.gateway.testkit.TestClock;
import io.gateway.testkit.TestContext;
import io.gateway.testkit.fakes.FakeAnthropic;
import io.gateway.testkit.http.RecordedRequest;
import io.gateway.testkit.http.Reply;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.List;
import java.util.function.Function;

/**
 * The test kit's fake Anthropic API behind real HTTP, for a provider that keeps its default base URL:
 * the kit's client sends every request to the fake and records it as the plugin built it. The fake
 * checks each request as Anthropic does and answers 401 or 400 like Anthropic otherwise; accepted
 * requests get what the test's responders return (or the fake's own answer). It also checks that a
 * request's stream flag matches its body's {@code stream}.
 */
final class Anthropic implements AutoCloseable {

    final FakeAnthropic fake = FakeAnthropic.start(Fixtures.KEY);
    final HttpUpstream upstream = HttpUpstream.redirectingTo(fake.baseUrl());
    private volatile Function<JsonObject, Reply> messages;
    private volatile Function<String, Reply> models;

    Anthropic() {
        fake.answerWith(this::answer);
    }

    private Reply answer(RecordedRequest request) {
        if (request.path().equals("/v1/messages")) {
            JsonObject body = request.bodyJson();
            boolean streamFlag = upstream.lastRequest().stream();
            if ((body.get("stream") == JsonValue.TRUE) != streamFlag) {
                return Reply.json(500, "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"test "
                        + "check: the body's stream flag and the upstream request's stream flag differ\"}}");
            }
            return messages == null ? null : messages.apply(body);
        }
        if (request.path().equals("/v1/models") && models != null) {
            return models.apply(request.query() == null ? "" : request.query());
        }
        return null;
    }

    /** Answers accepted Messages requests with what the responder makes of their body. */
    Anthropic onMessages(Function<JsonObject, Reply> responder) {
        this.messages = responder;
        return this;
    }

    /** Answers accepted model-list requests with what the responder makes of their query. */
    Anthropic onModels(Function<String, Reply> responder) {
        this.models = responder;
        return this;
    }

    /** What the server lends the plugin: this client and a clock standing at {@link Fixtures#NOW}. */
    TestContext context() {
        return TestContext.builder().upstream(upstream).clock(TestClock.at(Fixtures.NOW)).build();
    }

    List<UpstreamRequest> requests() {
        return upstream.requests();
    }

    UpstreamRequest lastRequest() {
        return upstream.lastRequest();
    }

    /** The body of the last request. */
    JsonObject lastBody() {
        return JsonBodies.parse(lastRequest().body());
    }

    RecordingUpstream.TrackedResponse lastResponse() {
        return upstream.lastResponse();
    }

    @Override
    public void close() {
        upstream.close();
        fake.close();
    }
}
