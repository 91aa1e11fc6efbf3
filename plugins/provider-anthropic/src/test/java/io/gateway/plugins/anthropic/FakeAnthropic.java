package io.gateway.plugins.anthropic;

import io.gateway.spi.JsonBodies;
import io.gateway.spi.upstream.UpstreamClient;
import io.gateway.spi.upstream.UpstreamRequest;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A fake Anthropic API behind the {@link UpstreamClient} the server lends plugins. It checks each request
 * as the real API does (an {@code x-api-key}, an {@code anthropic-version}, a JSON content type, and a
 * body {@link MessagesValidator} accepts) and answers 401 or 400 {@code invalid_request_error} like
 * Anthropic otherwise; valid requests get what the test's responder returns.
 */
final class FakeAnthropic implements UpstreamClient {

    /** One request the plugin sent. */
    record Recorded(UpstreamRequest request, JsonObject body) {
    }

    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final List<FakeResponse> responses = new CopyOnWriteArrayList<>();
    private volatile Function<JsonObject, FakeResponse> messages =
            body -> FakeResponse.json(Fixtures.message("Hello!", "end_turn"));
    private volatile Function<String, FakeResponse> models =
            query -> FakeResponse.json("{\"data\":[],\"has_more\":false,\"first_id\":null,\"last_id\":null}");

    FakeAnthropic onMessages(Function<JsonObject, FakeResponse> responder) {
        this.messages = responder;
        return this;
    }

    FakeAnthropic onModels(Function<String, FakeResponse> responder) {
        this.models = responder;
        return this;
    }

    List<Recorded> requests() {
        return requests;
    }

    Recorded last() {
        if (requests.isEmpty()) {
            throw new AssertionError("the plugin sent no request");
        }
        return requests.get(requests.size() - 1);
    }

    /** The body of the last request. */
    JsonObject lastBody() {
        return last().body();
    }

    FakeResponse lastResponse() {
        return responses.get(responses.size() - 1);
    }

    @Override
    public FakeResponse send(UpstreamRequest request) {
        JsonObject body = request.body() == null ? null : JsonBodies.parse(request.body());
        requests.add(new Recorded(request, body));
        FakeResponse response = answer(request, body);
        responses.add(response);
        return response;
    }

    private FakeResponse answer(UpstreamRequest request, JsonObject body) {
        String key = request.headers().first("x-api-key").orElse("");
        if (key.isEmpty()) {
            return FakeResponse.error(401, "authentication_error", "x-api-key header is required");
        }
        if (request.headers().first("anthropic-version").isEmpty()) {
            return FakeResponse.error(400, "invalid_request_error", "anthropic-version: header is required");
        }
        String path = request.uri().getPath();
        if (request.method().equals("GET") && path.endsWith("/v1/models")) {
            return models.apply(request.uri().getQuery());
        }
        if (!request.method().equals("POST") || !path.endsWith("/v1/messages")) {
            return FakeResponse.error(404, "not_found_error", "Not found");
        }
        if (!request.headers().first("content-type").orElse("").startsWith("application/json")) {
            return FakeResponse.error(400, "invalid_request_error", "content-type must be application/json");
        }
        String problem = MessagesValidator.problem(body);
        if (problem != null) {
            return FakeResponse.error(400, "invalid_request_error", problem.replace("\"", "\\\""));
        }
        if ((body.get("stream") == JsonValue.TRUE) != request.stream()) {
            throw new AssertionError("the body's stream flag and the upstream request's stream flag differ");
        }
        return messages.apply(body);
    }
}
