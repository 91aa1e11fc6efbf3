package io.gateway.testing;

import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The conformance checks every provider plugin passes: through a running gateway, each supported
 * operation answers the OpenAI shape synchronously and streamed with correct SSE framing, the model
 * list is qualified with the provider name, and unsupported operations answer 400 without reaching
 * the provider. Run it against a gateway whose provider talks to a fake of its upstream.
 *
 * <pre>{@code
 * ProviderConformance.check(gateway.uri("/"), "anthropic", "claude-sonnet-4",
 *         EnumSet.of(Operation.CHAT_COMPLETION, Operation.RESPONSES, Operation.LIST_MODELS));
 * }</pre>
 */
public final class ProviderConformance {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final URI base;
    private final String provider;
    private final String model;
    private final Set<Operation> streamed;
    private final List<String> failures = new ArrayList<>();

    private ProviderConformance(URI base, String provider, String model, Set<Operation> streamed) {
        this.base = base;
        this.provider = provider;
        this.model = model;
        this.streamed = streamed;
    }

    /**
     * Runs every check and fails with all failures listed.
     *
     * @param gateway   the gateway's base URI ({@code http://127.0.0.1:PORT/})
     * @param provider  the configured provider name
     * @param model     a model the provider (and its fake) serves
     * @param supported the operations the provider claims
     * @throws AssertionError listing every failed check
     */
    public static void check(URI gateway, String provider, String model, Set<Operation> supported) {
        EnumSet<Operation> streamed = EnumSet.noneOf(Operation.class);
        supported.stream().filter(Operation::streamable).forEach(streamed::add);
        check(gateway, provider, model, supported, streamed);
    }

    /**
     * Runs every check, streaming only the operations in {@code streamed} (a provider may offer an
     * operation without its streamed form, e.g. images from a service that cannot stream them).
     *
     * @param gateway   the gateway's base URI ({@code http://127.0.0.1:PORT/})
     * @param provider  the configured provider name
     * @param model     a model the provider (and its fake) serves
     * @param supported the operations the provider claims
     * @param streamed  the supported operations it also streams
     * @throws AssertionError listing every failed check
     */
    public static void check(URI gateway, String provider, String model, Set<Operation> supported,
                             Set<Operation> streamed) {
        ProviderConformance run = new ProviderConformance(gateway, provider, model, streamed);
        for (Operation operation : Operation.values()) {
            try {
                if (!supported.contains(operation)) {
                    run.unsupported(operation);
                } else {
                    run.supported(operation);
                }
            } catch (IOException | RuntimeException e) {
                run.failures.add(operation.wireName() + ": " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
        if (!run.failures.isEmpty()) {
            throw new AssertionError("provider " + provider + " fails conformance:\n  - "
                    + String.join("\n  - ", run.failures));
        }
    }

    /**
     * All operations.
     *
     * @return every operation
     */
    public static Set<Operation> all() {
        return EnumSet.allOf(Operation.class);
    }

    private void expect(boolean condition, String what) {
        if (!condition) {
            failures.add(what);
        }
    }

    private String qualified() {
        return provider + "/" + model;
    }

    private HttpResponse<String> post(Operation operation, String json) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(base.resolve("/openai/v1/" + path(operation)))
                .timeout(Duration.ofSeconds(30)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<SseFrame> stream(Operation operation, String json, List<String> headerFailures)
            throws IOException, InterruptedException {
        HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(
                        base.resolve("/openai/v1/" + path(operation))).timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                headerFailures.add(operation.wireName() + " stream: status " + response.statusCode() + " "
                        + new String(body.readAllBytes(), StandardCharsets.UTF_8));
                return List.of();
            }
            String type = response.headers().firstValue("content-type").orElse("");
            if (!type.startsWith("text/event-stream")) {
                headerFailures.add(operation.wireName() + " stream: content-type " + type);
            }
            return SseParser.readAll(body);
        }
    }

    private String body(Operation operation, boolean stream) {
        String common = "\"model\":\"" + qualified() + "\"" + (stream ? ",\"stream\":true" : "");
        return switch (operation) {
            case CHAT_COMPLETION -> "{" + common + ",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]"
                    + (stream ? ",\"stream_options\":{\"include_usage\":true}" : "") + "}";
            case TEXT_COMPLETION -> "{" + common + ",\"prompt\":\"Say hello\"}";
            case RESPONSES -> "{" + common + ",\"input\":\"Say hello\"}";
            case EMBEDDING -> "{" + common + ",\"input\":[\"hello\",\"world\"]}";
            case IMAGE_GENERATION -> "{" + common + ",\"prompt\":\"a red fox\"}";
            case LIST_MODELS -> "{}";
        };
    }

    private void unsupported(Operation operation) throws IOException, InterruptedException {
        if (operation == Operation.LIST_MODELS) {
            return; // providers without a model list are simply left out of it
        }
        HttpResponse<String> response = post(operation, body(operation, false));
        expect(response.statusCode() == 400, operation.wireName() + " (unsupported): expected 400, got "
                + response.statusCode());
        JsonObject error = JsonBodies.parse(response.body());
        expect(error.containsKey("is_bifrost_error") && error.getJsonObject("error") != null,
                operation.wireName() + " (unsupported): not the error envelope: " + response.body());
    }

    private void supported(Operation operation) throws IOException, InterruptedException {
        if (operation == Operation.LIST_MODELS) {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(base.resolve("/openai/v1/models"))
                    .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
            expect(response.statusCode() == 200, "models: status " + response.statusCode());
            JsonObject list = JsonBodies.parse(response.body());
            expect("list".equals(list.getString("object", "")), "models: object is not list");
            boolean any = list.getJsonArray("data").stream().map(JsonValue::asJsonObject)
                    .anyMatch(m -> m.getString("id", "").startsWith(provider + "/"));
            expect(any, "models: no id starts with " + provider + "/");
            return;
        }
        HttpResponse<String> response = post(operation, body(operation, false));
        String where = operation.wireName();
        if (response.statusCode() != 200) {
            failures.add(where + ": status " + response.statusCode() + " " + response.body());
            return;
        }
        expect(response.headers().firstValue("x-bifrost-provider").orElse("").equals(provider),
                where + ": x-bifrost-provider is not " + provider);
        JsonObject json = JsonBodies.parse(response.body());
        switch (operation) {
            case CHAT_COMPLETION -> {
                expect("chat.completion".equals(json.getString("object", "")), where + ": object");
                JsonArray choices = json.getJsonArray("choices");
                expect(choices != null && !choices.isEmpty(), where + ": choices");
                if (choices != null && !choices.isEmpty()) {
                    JsonObject message = choices.getJsonObject(0).getJsonObject("message");
                    expect(message != null && "assistant".equals(message.getString("role", "")), where + ": role");
                    expect(choices.getJsonObject(0).containsKey("finish_reason"), where + ": finish_reason");
                }
                expect(json.getJsonObject("usage") != null
                        && json.getJsonObject("usage").containsKey("total_tokens"), where + ": usage");
            }
            case TEXT_COMPLETION -> {
                expect("text_completion".equals(json.getString("object", "")), where + ": object");
                expect(json.getJsonArray("choices") != null && !json.getJsonArray("choices").isEmpty()
                        && json.getJsonArray("choices").getJsonObject(0).containsKey("text"), where + ": choices");
            }
            case RESPONSES -> {
                expect("response".equals(json.getString("object", "")), where + ": object");
                expect(json.getJsonArray("output") != null, where + ": output");
                expect(json.getJsonObject("usage") != null
                        && json.getJsonObject("usage").containsKey("input_tokens"), where + ": usage");
            }
            case EMBEDDING -> {
                expect("list".equals(json.getString("object", "")), where + ": object");
                JsonArray data = json.getJsonArray("data");
                expect(data != null && data.size() == 2, where + ": two embeddings for two inputs");
                if (data != null && !data.isEmpty()) {
                    expect(data.getJsonObject(0).get("embedding") instanceof JsonArray,
                            where + ": embedding is not an array of floats");
                }
            }
            case IMAGE_GENERATION -> {
                JsonArray data = json.getJsonArray("data");
                expect(data != null && !data.isEmpty() && (data.getJsonObject(0).containsKey("b64_json")
                        || data.getJsonObject(0).containsKey("url")), where + ": data[0] has no b64_json or url");
            }
            case LIST_MODELS -> {
            }
        }
        if (!operation.streamable() || !streamed.contains(operation)) {
            return;
        }
        List<SseFrame> frames = stream(operation, body(operation, true), failures);
        if (frames.isEmpty()) {
            failures.add(where + " stream: no events");
            return;
        }
        if (operation.namedEvents()) {
            for (SseFrame frame : frames) {
                JsonObject event = JsonBodies.parse(frame.data());
                expect(frame.event() != null && frame.event().equals(event.getString("type", null)),
                        where + " stream: event name '" + frame.event() + "' differs from type");
            }
            expect(frames.stream().noneMatch(SseFrame::isDone), where + " stream: named-event streams end without [DONE]");
            if (operation == Operation.RESPONSES) {
                expect("response.created".equals(frames.get(0).event()), where + " stream: first event is "
                        + frames.get(0).event());
                String last = frames.get(frames.size() - 1).event();
                expect("response.completed".equals(last) || "response.incomplete".equals(last),
                        where + " stream: last event is " + last);
            }
        } else {
            expect(frames.get(frames.size() - 1).isDone(), where + " stream: does not end with [DONE]");
            for (SseFrame frame : frames) {
                expect(frame.event() == null, where + " stream: unexpected event name " + frame.event());
                if (!frame.isDone()) {
                    JsonObject chunk = JsonBodies.parse(frame.data());
                    JsonArray choices = chunk.getJsonArray("choices");
                    if (choices != null && choices.isEmpty() && !(chunk.get("usage") instanceof JsonObject)) {
                        continue; // a filter-results chunk (Azure's prompt_filter_results) carries no object type
                    }
                    String object = operation == Operation.CHAT_COMPLETION ? "chat.completion.chunk" : "text_completion";
                    expect(object.equals(chunk.getString("object", "")), where + " stream: chunk object "
                            + chunk.getString("object", "?"));
                }
            }
            if (operation == Operation.CHAT_COMPLETION) {
                boolean usage = frames.stream().filter(f -> !f.isDone()).map(f -> JsonBodies.parse(f.data()))
                        .anyMatch(c -> c.getJsonArray("choices") != null && c.getJsonArray("choices").isEmpty()
                                && c.get("usage") instanceof JsonObject);
                expect(usage, where + " stream: no usage chunk although stream_options.include_usage was set");
            }
        }
    }

    private static String path(Operation operation) {
        return switch (operation) {
            case CHAT_COMPLETION -> "chat/completions";
            case TEXT_COMPLETION -> "completions";
            case RESPONSES -> "responses";
            case EMBEDDING -> "embeddings";
            case IMAGE_GENERATION -> "images/generations";
            case LIST_MODELS -> "models";
        };
    }
}
