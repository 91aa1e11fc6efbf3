package io.gateway.testkit.fakes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.testkit.http.FakeUpstream;
import io.gateway.testkit.http.RecordedRequest;
import io.gateway.testkit.http.Reply;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.eventstream.HeaderValue;
import software.amazon.awssdk.eventstream.Message;
import software.amazon.awssdk.eventstream.MessageDecoder;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * The kit's JDK-only AWS pieces against the AWS SDK's: {@link SigV4} accepts what the SDK's signer signs
 * (paths with encoded characters, queries, session tokens) and refuses it once anything signed changes;
 * {@link EventStreamFrames} writes exactly the bytes of the SDK's encoder and its frames decode with the
 * SDK's decoder. So the fake's checks agree with AWS's reference implementation without the kit
 * depending on it.
 */
class AwsCrossCheckTest {

    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private static final SigV4 VERIFIER = new SigV4("bedrock", id -> switch (id) {
        case "AKIDEXAMPLE" -> new SigV4.Credentials(id, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null);
        case "ASIAEXAMPLE" -> new SigV4.Credentials(id, "session/secret", "token+with/chars=");
        default -> null;
    });

    @Test
    void theVerifierAcceptsWhatTheSdkSignsAndNothingElse() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.start()) {
            upstream.onPrefix("*", "/").respond(Reply.status(200));
            byte[] body = "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"héllo\"}]}]}"
                    .getBytes(StandardCharsets.UTF_8);
            String[] paths = {"/model/us.anthropic.claude-sonnet-4-20250514-v1%3A0/converse-stream",
                    "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123%3Ainference-profile%2Fus.x/converse",
                    "/inference-profiles?maxResults=1000&nextToken=a%2Bb%2Fc%3D"};
            for (String path : paths) {
                for (AwsCredentialsIdentity identity : List.of(
                        AwsCredentialsIdentity.create("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                        AwsSessionCredentialsIdentity.create("ASIAEXAMPLE", "session/secret", "token+with/chars="))) {
                    Map<String, List<String>> headers = sign(URI.create(upstream.baseUrl() + path), identity, body);
                    RecordedRequest received = send(upstream, path, headers, body);
                    SigV4.Signed signed = VERIFIER.verify(received, Set.of("us-east-1"), NOW);
                    assertEquals(identity.accessKeyId(), signed.accessKeyId(), path);

                    RecordedRequest otherBody = send(upstream, path, headers, "{}".getBytes(StandardCharsets.UTF_8));
                    assertEquals("InvalidSignatureException", refusal(otherBody, NOW), "body changed: " + path);
                    String changedPath = path.replace("converse", "converse2").replace("1000", "999");
                    RecordedRequest otherPath = send(upstream, changedPath, headers, body);
                    assertEquals("InvalidSignatureException", refusal(otherPath, NOW), "path changed: " + path);
                    assertEquals("InvalidSignatureException", refusal(received, NOW.plusSeconds(16 * 60)),
                            "expired: " + path);
                }
            }
        }
    }

    @Test
    void theVerifierNeedsTheSessionTokenOfTemporaryCredentialsAndTheRightScope() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.start()) {
            upstream.onPrefix("*", "/").respond(Reply.status(200));
            byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
            String path = "/model/amazon.nova-lite-v1%3A0/converse";
            Map<String, List<String>> headers = sign(URI.create(upstream.baseUrl() + path),
                    AwsSessionCredentialsIdentity.create("ASIAEXAMPLE", "session/secret", "token+with/chars="), body);
            Map<String, List<String>> withoutToken = new LinkedHashMap<>(headers);
            withoutToken.remove("X-Amz-Security-Token");
            assertEquals("UnrecognizedClientException", refusal(send(upstream, path, withoutToken, body), NOW));
            RecordedRequest ok = send(upstream, path, headers, body);
            SigV4.Refused region = assertThrows(SigV4.Refused.class,
                    () -> VERIFIER.verify(ok, Set.of("eu-west-1"), NOW));
            assertTrue(region.failure().message().contains("valid region"), region.getMessage());
            SigV4.Refused service = assertThrows(SigV4.Refused.class,
                    () -> new SigV4("s3", id -> null).verify(ok, Set.of("us-east-1"), NOW));
            assertTrue(service.failure().message().contains("correct service"), service.getMessage());
        }
    }

    @Test
    void framesAreTheBytesOfTheSdksEncoderAndDecodeWithItsDecoder() throws Exception {
        byte[] ours = EventStreamFrames.event("contentBlockDelta",
                "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"héllo\"},\"p\":\"abc\"}");
        Map<String, HeaderValue> headers = new LinkedHashMap<>();
        headers.put(":event-type", HeaderValue.fromString("contentBlockDelta"));
        headers.put(":content-type", HeaderValue.fromString("application/json"));
        headers.put(":message-type", HeaderValue.fromString("event"));
        ByteArrayOutputStream theirs = new ByteArrayOutputStream();
        new Message(headers, "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"héllo\"},\"p\":\"abc\"}"
                .getBytes(StandardCharsets.UTF_8)).encode(theirs);
        assertArrayEquals(theirs.toByteArray(), ours);

        byte[] exception = EventStreamFrames.exception("throttlingException", "{\"message\":\"slow\"}");
        MessageDecoder decoder = new MessageDecoder();
        decoder.feed(ours);
        decoder.feed(exception);
        List<Message> decoded = decoder.getDecodedMessages();
        assertEquals(2, decoded.size());
        assertEquals("throttlingException", decoded.get(1).getHeaders().get(":exception-type").getString());
        assertEquals("{\"message\":\"slow\"}", new String(decoded.get(1).getPayload(), StandardCharsets.UTF_8));

        List<EventStreamFrames.Frame> back = EventStreamFrames.decodeAll(theirs.toByteArray());
        assertEquals("contentBlockDelta", back.get(0).headers().get(":event-type"));
        byte[] corrupt = ours.clone();
        corrupt[20] ^= 1;
        assertThrows(IllegalArgumentException.class, () -> EventStreamFrames.decodeAll(corrupt));
    }

    private static Map<String, List<String>> sign(URI uri, AwsCredentialsIdentity identity, byte[] body) {
        SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(uri)
                .putHeader("content-type", "application/json").putHeader("accept", "application/json").build();
        return AwsV4HttpSigner.create().sign(r -> r.identity(identity).request(request)
                .payload(ContentStreamProvider.fromByteArrayUnsafe(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "bedrock")
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(NOW, ZoneOffset.UTC))).request().headers();
    }

    private static RecordedRequest send(FakeUpstream upstream, String path, Map<String, List<String>> headers,
                                        byte[] body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(upstream.baseUrl() + path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach((name, values) -> {
            if (!name.equalsIgnoreCase("host")) {
                values.forEach(value -> request.header(name, value));
            }
        });
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(request.build(), HttpResponse.BodyHandlers.discarding());
        return upstream.lastRequest();
    }

    private static String refusal(RecordedRequest request, Instant now) {
        return assertThrows(SigV4.Refused.class, () -> VERIFIER.verify(request, Set.of("us-east-1"), now))
                .failure().exception();
    }
}
