package io.gateway.testkit.fakes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.JsonBodies;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/** The fake Bedrock refuses what Bedrock refuses and answers what it answers, signed by the AWS SDK. */
class FakeBedrockTest {

    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void converseBodiesAreCheckedAsTheApiChecksThem() throws Exception {
        try (FakeBedrock fake = FakeBedrock.start().withClock(Clock.fixed(NOW, ZoneOffset.UTC))) {
            Map<String, String> refused = Map.of(
                    "{\"messages\":[{\"role\":\"assistant\",\"content\":[{\"text\":\"hi\"}]}]}", "start with a user",
                    "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"a\"}]},{\"role\":\"user\","
                            + "\"content\":[{\"text\":\"b\"}]}]}", "alternate",
                    "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\" \"}]}]}", "is blank",
                    "{\"model\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"a\"}]}]}",
                    "extraneous key [model]",
                    "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"a\"}]},{\"role\":\"assistant\","
                            + "\"content\":[{\"toolUse\":{\"toolUseId\":\"t1\",\"name\":\"f\",\"input\":{}}}]},"
                            + "{\"role\":\"user\",\"content\":[{\"text\":\"b\"}]}]}", "Expected toolResult",
                    "{\"messages\":[{\"role\":\"user\",\"content\":[{\"image\":{\"format\":\"bmp\","
                            + "\"source\":{\"bytes\":\"AA==\"}}}]}]}", "png, jpeg",
                    "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"a\"}]}],"
                            + "\"inferenceConfig\":{\"temperature\":1.5}}", "temperature");
            for (Map.Entry<String, String> body : refused.entrySet()) {
                HttpResponse<String> response = post(fake, "/model/" + FakeBedrock.CHAT_MODEL.replace(":", "%3A")
                        + "/converse", body.getKey());
                assertEquals(400, response.statusCode(), body.getKey());
                assertTrue(response.headers().firstValue("x-amzn-ErrorType").orElse("")
                        .startsWith("ValidationException:"), body.getKey());
                assertTrue(response.body().contains(body.getValue()), response.body());
            }
            HttpResponse<String> ok = post(fake, "/model/" + FakeBedrock.CHAT_MODEL.replace(":", "%3A") + "/converse",
                    "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"one two\"}]}]}");
            assertEquals(200, ok.statusCode(), ok.body());
            JsonObject answer = JsonBodies.parse(ok.body());
            assertEquals("Hello! You said: one two", answer.getJsonObject("output").getJsonObject("message")
                    .getJsonArray("content").getJsonObject(0).getString("text"));
            assertEquals(2, answer.getJsonObject("usage").getInt("inputTokens"));
        }
    }

    @Test
    void streamsAreEventStreamFramesAndUnsignedRequestsAreRefused() throws Exception {
        try (FakeBedrock fake = FakeBedrock.start().withClock(Clock.fixed(NOW, ZoneOffset.UTC))) {
            String path = "/model/" + FakeBedrock.CHAT_MODEL.replace(":", "%3A") + "/converse-stream";
            HttpResponse<byte[]> stream = HTTP.send(signed(fake, path, "{\"messages\":[{\"role\":\"user\","
                    + "\"content\":[{\"text\":\"a b\"}]}]}"), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(FakeBedrock.EVENT_STREAM, stream.headers().firstValue("content-type").orElse(""));
            List<EventStreamFrames.Frame> frames = EventStreamFrames.decodeAll(stream.body());
            assertEquals(List.of("messageStart", "contentBlockDelta", "contentBlockDelta", "contentBlockDelta",
                    "contentBlockDelta", "contentBlockDelta", "contentBlockStop", "messageStop", "metadata"),
                    frames.stream().map(f -> f.headers().get(":event-type")).toList());

            HttpResponse<String> unsigned = HTTP.send(HttpRequest.newBuilder(URI.create(fake.baseUrl() + path))
                    .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(403, unsigned.statusCode());
            assertEquals("MissingAuthenticationTokenException", unsigned.headers().firstValue("x-amzn-ErrorType")
                    .orElse("").split(":")[0]);
            HttpResponse<String> bearer = HTTP.send(HttpRequest.newBuilder(URI.create(fake.baseUrl()
                    + "/foundation-models")).header("authorization", "Bearer " + FakeBedrock.API_KEY).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, bearer.statusCode());
        }
    }

    @Test
    void invokeModelChecksEachFamilysBody() throws Exception {
        try (FakeBedrock fake = FakeBedrock.start().withClock(Clock.fixed(NOW, ZoneOffset.UTC))) {
            HttpResponse<String> extraneous = post(fake, "/model/amazon.titan-embed-text-v1/invoke",
                    "{\"inputText\":\"x\",\"dimensions\":256}");
            assertTrue(extraneous.body().contains("extraneous key [dimensions]"), extraneous.body());
            HttpResponse<String> cohere = post(fake, "/model/cohere.embed-english-v3/invoke", "{\"texts\":[\"x\"]}");
            assertTrue(cohere.body().contains("input_type"), cohere.body());
            HttpResponse<String> image = post(fake, "/model/amazon.nova-canvas-v1%3A0/invoke", "{\"taskType\":"
                    + "\"TEXT_IMAGE\",\"textToImageParams\":{\"text\":\"fox\"},\"imageGenerationConfig\":{\"width\":"
                    + "1000,\"height\":1024}}");
            assertEquals(400, image.statusCode());
            HttpResponse<String> embedded = post(fake, "/model/amazon.titan-embed-text-v2%3A0/invoke",
                    "{\"inputText\":\"hello there\",\"dimensions\":512}");
            assertEquals(512, JsonBodies.parse(embedded.body()).getJsonArray("embedding").size());
            assertEquals("2", embedded.headers().firstValue("x-amzn-bedrock-input-token-count").orElse(""));
        }
    }

    private static HttpResponse<String> post(FakeBedrock fake, String path, String body) throws Exception {
        return HTTP.send(signed(fake, path, body), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest signed(FakeBedrock fake, String path, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.POST)
                .uri(URI.create(fake.baseUrl() + path)).putHeader("content-type", "application/json").build();
        SdkHttpRequest signed = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsCredentialsIdentity.create(FakeBedrock.ACCESS_KEY_ID, FakeBedrock.SECRET_ACCESS_KEY))
                .request(request).payload(ContentStreamProvider.fromByteArrayUnsafe(bytes))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "bedrock")
                .putProperty(AwsV4HttpSigner.REGION_NAME, FakeBedrock.REGION)
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(NOW, ZoneOffset.UTC))).request();
        HttpRequest.Builder http = HttpRequest.newBuilder(signed.getUri()).POST(HttpRequest.BodyPublishers.ofByteArray(
                bytes));
        signed.forEachHeader((name, values) -> {
            if (!name.equalsIgnoreCase("host")) {
                values.forEach(value -> http.header(name, value));
            }
        });
        return http.build();
    }
}
