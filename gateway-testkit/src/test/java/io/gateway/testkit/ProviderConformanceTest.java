package io.gateway.testkit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.PluginConfig;
import io.gateway.spi.PluginContext;
import io.gateway.spi.Response;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.spi.provider.ProviderFactory;
import io.gateway.spi.upstream.UpstreamClient;
import io.gateway.spi.upstream.UpstreamResponse;
import io.gateway.testkit.fakes.FakeOpenAi;
import jakarta.json.JsonObject;
import java.net.URI;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Conformance passes a correct provider and names what a flawed one does wrong. */
class ProviderConformanceTest {

    /** What a flawed provider does wrong. */
    enum Flaw { NONE, EVERY_ERROR_IS_500, LEAVES_ERROR_ANSWERS_OPEN, TEXT_COMPLETIONS_AS_CHAT, CALLS_UNCLAIMED,
        DROPS_THE_MESSAGE }

    /** A small OpenAI pass-through, written as a plugin author would, with a flaw to plant. */
    record PassThrough(URI base, UpstreamClient upstream, Set<Operation> claimed, Flaw flaw) implements Provider {

        @Override
        public Set<Operation> operations() {
            return claimed;
        }

        @Override
        public Response call(ProviderCall call) {
            if (!claimed.contains(call.operation()) && flaw != Flaw.CALLS_UNCLAIMED) {
                throw GatewayException.of(ErrorCode.UNSUPPORTED_OPERATION, "not offered");
            }
            Operation target = flaw == Flaw.TEXT_COMPLETIONS_AS_CHAT && call.operation() == Operation.TEXT_COMPLETION
                    ? Operation.CHAT_COMPLETION : call.operation();
            String path = switch (target) {
                case CHAT_COMPLETION -> "chat/completions";
                case TEXT_COMPLETION -> "completions";
                case RESPONSES -> "responses";
                case EMBEDDING -> "embeddings";
                case IMAGE_GENERATION -> "images/generations";
                case LIST_MODELS -> "models";
                default -> throw GatewayException.of(ErrorCode.UNSUPPORTED_OPERATION, "not offered");
            };
            byte[] body = call.bodyBytes();
            if (target != call.operation()) {
                JsonObject chat = JsonBodies.provider().createObjectBuilder(call.body()).remove("prompt")
                        .add("messages", JsonBodies.parse("{\"m\":[{\"role\":\"user\",\"content\":\"x\"}]}")
                                .getJsonArray("m")).build();
                body = JsonBodies.toBytes(chat);
            }
            boolean get = target == Operation.LIST_MODELS;
            UpstreamResponse response = upstream.send(call.request(get ? "GET" : "POST", base.resolve(path),
                    Headers.of("authorization", "Bearer " + call.key().value().reveal(), "content-type",
                            "application/json"), get ? null : body));
            if (response.status() >= 400) {
                JsonObject error = JsonBodies.parse(flaw == Flaw.LEAVES_ERROR_ANSWERS_OPEN ? "{}" : new String(
                        response.body(), java.nio.charset.StandardCharsets.UTF_8));
                JsonObject fields = error.getJsonObject("error");
                int status = flaw == Flaw.EVERY_ERROR_IS_500 ? 500 : response.status();
                String message = flaw == Flaw.DROPS_THE_MESSAGE || fields == null ? "upstream failed"
                        : fields.getString("message", "");
                throw GatewayException.upstream(status, null, null, message, null, null);
            }
            if (call.stream()) {
                return new Response.Streaming(200, Headers.empty(), response.events());
            }
            return Response.Complete.ofBytes(200, Headers.empty(), response.body());
        }
    }

    record Factory(Set<Operation> claimed, Flaw flaw) implements ProviderFactory {
        @Override
        public String type() {
            return "pass-through";
        }

        @Override
        public Provider create(PluginConfig config, PluginContext context) {
            String base = config.string("base-url").orElseThrow(() -> config.invalid("base-url", "is required"));
            return new PassThrough(URI.create(base.endsWith("/") ? base : base + "/"), context.upstream(), claimed, flaw);
        }
    }

    private final FakeOpenAi openai = FakeOpenAi.start();

    @AfterEach
    void close() {
        openai.close();
    }

    private TestConfig config() {
        return TestConfig.provider("pt", Map.of("base-url", openai.apiBase(),
                "keys", List.of(Map.of("name", "main", "value", openai.apiKey()))));
    }

    private String failures(Set<Operation> claimed, Flaw flaw) {
        return assertThrows(AssertionError.class, () -> ProviderConformance.verify(new Factory(claimed, flaw), config(),
                openai)).getMessage();
    }

    @Test
    void aCorrectProviderPasses() {
        ProviderConformance.verify(new Factory(EnumSet.allOf(Operation.class), Flaw.NONE), config(), openai);
        ProviderConformance.verify(new Factory(EnumSet.of(Operation.CHAT_COMPLETION, Operation.EMBEDDING), Flaw.NONE),
                config(), openai);
    }

    @Test
    void errorsMappedToAnotherStatusAreReported() {
        String failures = failures(EnumSet.of(Operation.CHAT_COMPLETION), Flaw.EVERY_ERROR_IS_500);
        assertTrue(failures.contains("chat_completion upstream 429: mapped to status 500"), failures);
        assertTrue(failures.contains("chat_completion upstream 400: retryable is true"), failures);
    }

    @Test
    void aLostUpstreamMessageIsReported() {
        String failures = failures(EnumSet.of(Operation.CHAT_COMPLETION), Flaw.DROPS_THE_MESSAGE);
        assertTrue(failures.contains("the upstream's message is lost"), failures);
    }

    @Test
    void answersLeftOpenAreReported() {
        String failures = failures(EnumSet.of(Operation.EMBEDDING), Flaw.LEAVES_ERROR_ANSWERS_OPEN);
        assertTrue(failures.contains("neither read nor closed"), failures);
    }

    @Test
    void aWrongShapeIsReported() {
        String failures = failures(EnumSet.of(Operation.TEXT_COMPLETION), Flaw.TEXT_COMPLETIONS_AS_CHAT);
        assertTrue(failures.contains("text_completion: object is not text_completion"), failures);
        assertTrue(failures.contains("text_completion stream: chunk object chat.completion.chunk"), failures);
    }

    @Test
    void anUnclaimedOperationThatReachesTheUpstreamIsReported() {
        String failures = failures(EnumSet.of(Operation.CHAT_COMPLETION), Flaw.CALLS_UNCLAIMED);
        assertTrue(failures.contains("embedding (not claimed): the provider answered"), failures);
        assertTrue(failures.contains("embedding (not claimed): the call reached the upstream"), failures);
    }

    @Test
    void aProviderWithoutAnUpstreamIsCheckedForShapesOnly() {
        Provider echo = new Provider() {
            @Override
            public Set<Operation> operations() {
                return EnumSet.of(Operation.EMBEDDING);
            }

            @Override
            public Response call(ProviderCall call) {
                if (call.operation() != Operation.EMBEDDING) {
                    throw GatewayException.invalidRequest("embeddings only", "model");
                }
                return Response.Complete.ok(JsonBodies.parse("{\"object\":\"list\",\"data\":[{\"embedding\":[0.1]},"
                        + "{\"embedding\":[0.2]}]}"));
            }
        };
        ProviderFactory factory = new ProviderFactory() {
            @Override
            public String type() {
                return "echo";
            }

            @Override
            public Provider create(PluginConfig config, PluginContext context) {
                return echo;
            }
        };
        ProviderConformance.of(factory, TestConfig.provider("echo", Map.of())).verify();
    }
}
