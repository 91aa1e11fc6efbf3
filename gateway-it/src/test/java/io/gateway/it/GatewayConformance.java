package io.gateway.it;

import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.StreamEvent;
import io.gateway.testkit.AnswerChecks;
import io.gateway.testkit.http.SseFrame;
import io.gateway.testkit.http.SseParser;
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
 * The provider conformance checks run through a running gateway: each supported operation answers the
 * OpenAI shape synchronously and streamed (the test kit's {@link AnswerChecks}, the same checks its
 * in-memory {@code ProviderConformance} applies to a provider), the answer names the provider in
 * {@code x-bifrost-provider}, the model list is qualified with the provider name, and unsupported
 * operations answer the 400 error envelope without reaching the provider. Run it against a gateway
 * whose provider talks to a fake of its upstream.
 *
 * <pre>{@code
 * GatewayConformance.check(gateway.uri("/"), "anthropic", "claude-sonnet-4",
 *         EnumSet.of(Operation.CHAT_COMPLETION, Operation.RESPONSES, Operation.LIST_MODELS));
 * }</pre>
 */
final class GatewayConformance {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final URI base;
    private final String provider;
    private final java.util.function.Function<Operation, String> model;
    private final Set<Operation> streamed;
    private final List<String> failures = new ArrayList<>();

    private GatewayConformance(URI base, String provider, java.util.function.Function<Operation, String> model,
                               Set<Operation> streamed) {
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
    static void check(URI gateway, String provider, String model, Set<Operation> supported) {
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
    static void check(URI gateway, String provider, String model, Set<Operation> supported, Set<Operation> streamed) {
        check(gateway, provider, operation -> model, supported, streamed);
    }

    /**
     * Runs every check with a model per operation, for a provider whose models each serve some operations
     * (Bedrock: a chat model, an embedding model, an image model).
     *
     * @param gateway   the gateway's base URI ({@code http://127.0.0.1:PORT/})
     * @param provider  the configured provider name
     * @param modelFor  the model to name for an operation
     * @param supported the operations the provider claims
     * @param streamed  the supported operations it also streams
     * @throws AssertionError listing every failed check
     */
    static void check(URI gateway, String provider, java.util.function.Function<Operation, String> modelFor,
                      Set<Operation> supported, Set<Operation> streamed) {
        GatewayConformance run = new GatewayConformance(gateway, provider, modelFor, streamed);
        for (Operation operation : io.gateway.testkit.ProviderConformance.CHECKED) {
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
        try {
            run.anthropic(supported.contains(Operation.MESSAGES) || supported.contains(Operation.CHAT_COMPLETION),
                    streamed.contains(Operation.MESSAGES) || streamed.contains(Operation.CHAT_COMPLETION));
        } catch (IOException | RuntimeException e) {
            run.failures.add("anthropic routes: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
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
    static Set<Operation> all() {
        return EnumSet.allOf(Operation.class);
    }

    /**
     * Every operation of OpenAI's API: all but rerank.
     *
     * @return the operations
     */
    static Set<Operation> openAi() {
        return EnumSet.complementOf(EnumSet.of(Operation.RERANK));
    }

    private void expect(boolean condition, String what) {
        if (!condition) {
            failures.add(what);
        }
    }

    private HttpResponse<String> post(Operation operation, String json) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(base.resolve("/openai/v1/" + path(operation)))
                .timeout(Duration.ofSeconds(30)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<StreamEvent> stream(Operation operation, String json) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(
                        base.resolve("/openai/v1/" + path(operation))).timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                failures.add(operation.wireName() + " stream: status " + response.statusCode() + " "
                        + new String(body.readAllBytes(), StandardCharsets.UTF_8));
                return null;
            }
            String type = response.headers().firstValue("content-type").orElse("");
            expect(type.startsWith("text/event-stream"), operation.wireName() + " stream: content-type " + type);
            List<StreamEvent> events = new ArrayList<>();
            for (SseFrame frame : SseParser.readAll(body)) {
                events.add(new StreamEvent(frame.event(), frame.data()));
            }
            return events;
        }
    }

    private String body(Operation operation, boolean stream) {
        return AnswerChecks.requestBody(operation, provider + "/" + model.apply(operation), stream);
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
            failures.addAll(AnswerChecks.complete(Operation.LIST_MODELS, list, 0));
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
        failures.addAll(AnswerChecks.complete(operation, JsonBodies.parse(response.body()), 2));
        if (!operation.streamable() || !streamed.contains(operation)) {
            return;
        }
        List<StreamEvent> events = stream(operation, body(operation, true));
        if (events != null) {
            failures.addAll(AnswerChecks.stream(operation, events, operation == Operation.CHAT_COMPLETION));
        }
    }

    /**
     * The Anthropic-format routes for this provider: Messages (answered natively by an Anthropic
     * provider, through chat by any other that chats, refused with Anthropic's 400 otherwise), its stream,
     * and count_tokens (counted or estimated, always answered).
     */
    private void anthropic(boolean messages, boolean streams) throws IOException, InterruptedException {
        HttpResponse<String> response = postTo("/anthropic/v1/messages", body(Operation.MESSAGES, false));
        if (!messages) {
            expect(response.statusCode() == 400, "messages (unsupported): expected 400, got " + response.statusCode());
            expect(response.body().contains("\"type\":\"error\""), "messages (unsupported): not Anthropic's error: "
                    + response.body());
        } else if (response.statusCode() != 200) {
            failures.add("messages: status " + response.statusCode() + " " + response.body());
        } else {
            failures.addAll(AnswerChecks.complete(Operation.MESSAGES, JsonBodies.parse(response.body()), 0));
            if (streams) {
                List<StreamEvent> events = streamFrom("/anthropic/v1/messages", "messages",
                        body(Operation.MESSAGES, true));
                if (events != null) {
                    failures.addAll(AnswerChecks.stream(Operation.MESSAGES, events, false));
                }
            }
        }
        HttpResponse<String> count = postTo("/anthropic/v1/messages/count_tokens", body(Operation.COUNT_TOKENS, false));
        if (count.statusCode() != 200) {
            failures.add("count_tokens: status " + count.statusCode() + " " + count.body());
        } else {
            failures.addAll(AnswerChecks.complete(Operation.COUNT_TOKENS, JsonBodies.parse(count.body()), 0));
        }
    }

    private HttpResponse<String> postTo(String path, String json) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(30)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<StreamEvent> streamFrom(String path, String where, String json)
            throws IOException, InterruptedException {
        HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(base.resolve(path))
                        .timeout(Duration.ofSeconds(30)).header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                failures.add(where + " stream: status " + response.statusCode() + " "
                        + new String(body.readAllBytes(), StandardCharsets.UTF_8));
                return null;
            }
            List<StreamEvent> events = new ArrayList<>();
            for (SseFrame frame : SseParser.readAll(body)) {
                events.add(new StreamEvent(frame.event(), frame.data()));
            }
            return events;
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
            case RERANK -> "rerank";
            default -> throw new IllegalArgumentException(operation + " is not served under /openai/v1/");
        };
    }
}
