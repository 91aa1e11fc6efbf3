package io.gateway.it;

import static io.gateway.it.ProvidersSupport.chatBody;
import static io.gateway.it.ProvidersSupport.chunks;
import static io.gateway.it.ProvidersSupport.envelope;
import static io.gateway.it.ProvidersSupport.ok;
import static io.gateway.it.ProvidersSupport.streamFrames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.testkit.fakes.FakeBedrock;
import io.gateway.testkit.fakes.SigV4;
import io.gateway.testkit.http.SseFrame;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Bedrock provider through a real gateway, loaded from a plugin folder laid out like the
 * distribution's (its jar, the toolkit and the AWS SDK modules in its own class loader), in front of the
 * test kit's fake Bedrock, which verifies every SigV4 signature and answers streams in the binary
 * event-stream framing: conformance, a tool round trip, streaming through the server's upstream client,
 * error mapping, key rotation on a refused signature, and credentials from the AWS default chain.
 */
class BedrockIT {

    @TempDir
    static Path temp;

    static FakeBedrock bedrock;
    static TestGateway gateway;

    @BeforeAll
    static void start() {
        bedrock = FakeBedrock.start();
        PluginFolders plugins = PluginFolders.create(temp.resolve("plugins"));
        addBedrock(plugins);
        gateway = TestGateway.start("""
                gateway:
                  providers:
                    bedrock:
                      type: bedrock
                      base-url: %1$s
                      region: us-east-1
                      keys:
                        - name: main
                          access-key-id: %2$s
                          value: %3$s
                    rotating:
                      type: bedrock
                      base-url: %1$s
                      region: us-east-1
                      keys:
                        - name: revoked
                          access-key-id: %2$s
                          value: not-the-secret-any-more
                          weight: 1000000
                        - name: current
                          access-key-id: %2$s
                          value: %3$s
                          weight: 0.000001
                    chain:
                      type: bedrock
                      base-url: %1$s
                      region: us-east-1
                """.formatted(bedrock.baseUrl(), FakeBedrock.ACCESS_KEY_ID, FakeBedrock.SECRET_ACCESS_KEY),
                plugins.root());
    }

    /** The plugin's jar and the run-time jars its module copied to target/plugin-deps. */
    private static void addBedrock(PluginFolders plugins) {
        Path target = Path.of("..", "plugins", "provider-bedrock", "target").toAbsolutePath().normalize();
        Path jar = target.resolve("provider-bedrock.jar");
        Path deps = target.resolve("plugin-deps");
        if (!Files.isRegularFile(jar) || !Files.isDirectory(deps)) {
            fail("the provider-bedrock plugin is not built: expected " + jar + " and " + deps + "/*.jar; build the "
                    + "tree with 'mvn -B verify' first");
        }
        try (Stream<Path> files = Files.list(deps)) {
            plugins.add("provider-bedrock", jar, files.filter(p -> p.toString().endsWith(".jar")).sorted()
                    .toArray(Path[]::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stop() {
        gateway.close();
        bedrock.close();
    }

    @BeforeEach
    void resetFake() {
        bedrock.reset();
    }

    @Test
    void bedrockPassesConformanceThroughTheGateway() {
        GatewayConformance.check(gateway.uri("/"), "bedrock", operation -> bedrock.modelFor(operation)
                        .orElse(FakeBedrock.CHAT_MODEL),
                EnumSet.of(Operation.CHAT_COMPLETION, Operation.RESPONSES, Operation.EMBEDDING,
                        Operation.IMAGE_GENERATION, Operation.LIST_MODELS),
                EnumSet.of(Operation.CHAT_COMPLETION, Operation.RESPONSES));
        assertTrue(bedrock.signedRequests().size() >= 8, "every call was signed: " + bedrock.signedRequests());
        assertTrue(bedrock.signedRequests().stream().allMatch(s -> s.accessKeyId().equals(FakeBedrock.ACCESS_KEY_ID)
                && s.region().equals("us-east-1")));
    }

    @Test
    void aToolRoundTripAndItsStreamTranslate() {
        String tool = """
                {"type":"function","function":{"name":"get_weather","parameters":{"type":"object",
                 "properties":{"city":{"type":"string"}},"required":["city"]}}}""";
        JsonObject first = ok(Http.post(gateway.uri("/v1/chat/completions"), """
                {"model":"bedrock/%s","messages":[{"role":"user","content":"Weather in Paris?"}],
                 "tools":[%s],"tool_choice":"required"}""".formatted(FakeBedrock.CHAT_MODEL, tool)));
        JsonObject call = first.getJsonArray("choices").getJsonObject(0).getJsonObject("message")
                .getJsonArray("tool_calls").getJsonObject(0);
        JsonObject second = ok(Http.post(gateway.uri("/v1/chat/completions"), """
                {"model":"bedrock/%s","messages":[{"role":"user","content":"Weather in Paris?"},
                  {"role":"assistant","content":null,"tool_calls":[%s]},
                  {"role":"tool","tool_call_id":"%s","content":"18 degrees"}],"tools":[%s]}"""
                .formatted(FakeBedrock.CHAT_MODEL, call, call.getString("id"), tool)));
        assertEquals("Thanks, the tool said: 18 degrees", second.getJsonArray("choices").getJsonObject(0)
                .getJsonObject("message").getString("content"));
        assertTrue(second.getJsonObject("usage").getInt("total_tokens") > 0);

        List<SseFrame> frames = streamFrames(Http.postStream(gateway.uri("/v1/chat/completions"),
                chatBody("bedrock/" + FakeBedrock.CHAT_MODEL, "stream me please",
                        ",\"stream\":true,\"stream_options\":{\"include_usage\":true}")));
        assertTrue(frames.get(frames.size() - 1).isDone());
        StringBuilder text = new StringBuilder();
        for (JsonObject chunk : chunks(frames)) {
            if (!chunk.getJsonArray("choices").isEmpty()) {
                text.append(chunk.getJsonArray("choices").getJsonObject(0).getJsonObject("delta")
                        .getString("content", ""));
            }
        }
        assertEquals("Hello! You said: stream me please", text.toString());
        assertEquals(3, chunks(frames).get(chunks(frames).size() - 1).getJsonObject("usage").getInt("prompt_tokens"));
    }

    @Test
    void bedrockErrorsBecomeTheEnvelope() {
        bedrock.answerNext(FakeBedrock.error(429, "ThrottlingException", "Too many requests, please wait")
                .header("retry-after", "4"));
        HttpResponse<String> limited = Http.post(gateway.uri("/v1/chat/completions"),
                chatBody("bedrock/" + FakeBedrock.CHAT_MODEL, "hi", ""));
        JsonObject throttled = envelope(limited, 429);
        assertEquals("ThrottlingException", throttled.getJsonObject("error").getString("code"));
        assertEquals("Too many requests, please wait", throttled.getJsonObject("error").getString("message"));
        assertEquals("4", limited.headers().firstValue("retry-after").orElse(null));

        bedrock.answerNext(FakeBedrock.error(429, "ModelNotReadyException", "Model is not ready for inference"));
        assertEquals("ModelNotReadyException", envelope(Http.post(gateway.uri("/v1/chat/completions"),
                chatBody("bedrock/" + FakeBedrock.CHAT_MODEL, "hi", "")), 503).getJsonObject("error").getString("code"));

        JsonObject invalid = envelope(Http.post(gateway.uri("/v1/chat/completions"),
                chatBody("bedrock/anthropic.claude-unknown-v1:0", "hi", "")), 400);
        assertEquals("The provided model identifier is invalid.", invalid.getJsonObject("error").getString("message"));

        List<byte[]> events = new ArrayList<>(FakeBedrock.events(FakeBedrock.converseAnswer(
                List.of(FakeBedrock.textBlock("cut short")), "end_turn", FakeBedrock.usage(1, 2, 0, 0))).subList(0, 2));
        events.add(FakeBedrock.exceptionEvent("serviceUnavailableException", "Bedrock is unavailable"));
        bedrock.answerNext(FakeBedrock.stream(events));
        List<SseFrame> frames = streamFrames(Http.postStream(gateway.uri("/v1/chat/completions"),
                chatBody("bedrock/" + FakeBedrock.CHAT_MODEL, "hi", ",\"stream\":true")));
        JsonObject last = JsonBodies.parse(frames.get(frames.size() - 1).data());
        assertEquals(503, last.getInt("status_code"), frames.toString());
        assertEquals("Bedrock is unavailable", last.getJsonObject("error").getString("message"));
    }

    @Test
    void aKeyWhoseSignatureIsRefusedIsRotatedOut() {
        JsonObject answer = ok(Http.post(gateway.uri("/v1/chat/completions"),
                chatBody("rotating/" + FakeBedrock.CHAT_MODEL, "hi", "")));
        assertEquals("Hello! You said: hi", answer.getJsonArray("choices").getJsonObject(0).getJsonObject("message")
                .getString("content"));
        assertEquals(2, bedrock.requests().size(), "the refused key, then the current one");
        assertEquals(1, bedrock.signedRequests().size());
    }

    @Test
    void aProviderWithoutKeysSignsWithTheDefaultChainsCredentials() {
        System.setProperty("aws.accessKeyId", FakeBedrock.SESSION_ACCESS_KEY_ID);
        System.setProperty("aws.secretAccessKey", FakeBedrock.SESSION_SECRET_ACCESS_KEY);
        System.setProperty("aws.sessionToken", FakeBedrock.SESSION_TOKEN);
        try {
            ok(Http.post(gateway.uri("/v1/chat/completions"), chatBody("chain/" + FakeBedrock.CHAT_MODEL, "hi", "")));
            SigV4.Signed signed = bedrock.signedRequests().get(0);
            assertEquals(FakeBedrock.SESSION_ACCESS_KEY_ID, signed.accessKeyId());
            assertEquals(FakeBedrock.SESSION_TOKEN, bedrock.lastRequest().header("x-amz-security-token"));
        } finally {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
            System.clearProperty("aws.sessionToken");
        }
    }
}
