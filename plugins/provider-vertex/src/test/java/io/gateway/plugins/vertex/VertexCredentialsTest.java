package io.gateway.plugins.vertex;

import static io.gateway.plugins.vertex.Fixtures.call;
import static io.gateway.plugins.vertex.Fixtures.complete;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Operation;
import io.gateway.spi.Secret;
import io.gateway.spi.provider.ApiKey;
import io.gateway.spi.provider.Provider;
import io.gateway.testkit.HttpUpstream;
import io.gateway.testkit.TestConfig;
import io.gateway.testkit.TestContext;
import io.gateway.testkit.fakes.FakeVertex;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the credentials come from and how their tokens live: one token exchange serves many calls, a
 * token is replaced five minutes before it expires, a refused token is dropped, a key Google does not
 * know is 401 with a message that shows no secret, and Application Default Credentials are found through
 * {@code GOOGLE_APPLICATION_CREDENTIALS} (surefire points it into target/adc/).
 */
class VertexCredentialsTest {

    private static final String CHAT = "{\"model\":\"gemini-2.5-flash\",\"messages\":[{\"role\":\"user\","
            + "\"content\":\"hi\"}]}";

    private final Fixtures vertex = new Fixtures();

    @AfterEach
    void close() {
        vertex.close();
    }

    private String lastToken() {
        return vertex.lastCall().headers().first("authorization").orElseThrow();
    }

    @Test
    void oneTokenServesManyCallsAndIsReplacedBeforeItExpires() {
        Provider provider = vertex.provider();
        complete(provider, Operation.CHAT_COMPLETION, CHAT);
        String first = lastToken();
        complete(provider, Operation.CHAT_COMPLETION, CHAT);
        complete(provider, Operation.CHAT_COMPLETION, CHAT);
        assertEquals(1, vertex.fake.tokenRequests(), "cached");
        assertEquals(first, lastToken());

        // 3599 s granted: still used 54 minutes later, replaced inside the last five minutes
        vertex.clock.advance(Duration.ofMinutes(54));
        complete(provider, Operation.CHAT_COMPLETION, CHAT);
        assertEquals(1, vertex.fake.tokenRequests());
        vertex.clock.advance(Duration.ofMinutes(1));
        complete(provider, Operation.CHAT_COMPLETION, CHAT);
        assertEquals(2, vertex.fake.tokenRequests(), "refreshed before expiry");
        assertNotEquals(first, lastToken());
    }

    @Test
    void aTokenGoogleRefusesIsDroppedAndTheNextCallFetchesAnother() {
        Provider provider = vertex.provider();
        complete(provider, Operation.CHAT_COMPLETION, CHAT);
        vertex.fake.revokeTokens();
        GatewayException refused = assertThrows(GatewayException.class,
                () -> provider.call(call(Operation.CHAT_COMPLETION, CHAT)));
        assertEquals(401, refused.status());
        complete(provider, Operation.CHAT_COMPLETION, CHAT);
        assertEquals(2, vertex.fake.tokenRequests());
    }

    @Test
    void concurrentCallsShareOneTokenExchange() throws Exception {
        Provider provider = vertex.provider();
        List<Thread> threads = new java.util.ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger ok = new java.util.concurrent.atomic.AtomicInteger();
        for (int i = 0; i < 8; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                complete(provider, Operation.CHAT_COMPLETION, CHAT);
                ok.incrementAndGet();
            }));
        }
        for (Thread thread : threads) {
            thread.join(10_000);
        }
        assertEquals(8, ok.get());
        assertEquals(1, vertex.fake.tokenRequests());
    }

    @Test
    void aKeyGoogleDoesNotKnowIs401WithoutShowingTheKey() {
        String stranger;
        try (FakeVertex other = FakeVertex.start()) {
            // the other fake's account, but its token_uri pointed at ours: our token endpoint does not know the key
            stranger = other.apiKey().replace(other.tokenUri(), vertex.fake.tokenUri());
        }
        Provider provider = vertex.provider("credentials-json", stranger);
        GatewayException refused = assertThrows(GatewayException.class,
                () -> provider.call(call(Operation.CHAT_COMPLETION, CHAT)));
        assertEquals(401, refused.status());
        assertFalse(refused.errorCode().gatewayError());
        assertTrue(refused.getMessage().contains("Google refused the credentials of provider vertex"),
                refused.getMessage());
        assertTrue(refused.getMessage().contains("invalid_grant"), refused.getMessage());
        assertFalse(refused.getMessage().contains("PRIVATE KEY"), "no secret in the message");
        assertEquals(0, vertex.calls().size(), "nothing reached Vertex AI");
    }

    @Test
    void anUnreachableTokenEndpointIs502() {
        String json = vertex.fake.apiKey().replace(vertex.fake.tokenUri(), "http://127.0.0.1:1/token");
        TestContext direct = TestContext.builder().upstream(HttpUpstream.create()).clock(vertex.clock).build();
        Provider provider = new VertexPlugin().providerFactories().get(0).create(TestConfig.provider("vertex",
                Map.of("project", FakeVertex.PROJECT, "credentials-json", json, "base-url", vertex.fake.baseUrl())),
                direct);
        GatewayException failed = assertThrows(GatewayException.class,
                () -> provider.call(call(Operation.CHAT_COMPLETION, CHAT)));
        assertEquals(ErrorCode.PROVIDER_CONNECTION_FAILED, failed.errorCode());
        assertTrue(failed.getMessage().startsWith("fetching an access token for provider vertex"), failed.getMessage());
    }

    @Test
    void eachKeyIsACredentialWithItsOwnProjectAndLocation() {
        FakeVertex.ServiceAccount second = vertex.fake.serviceAccount("second");
        Provider provider = new VertexPlugin().providerFactories().get(0).create(TestConfig.provider("vertex", Map.of(
                "location", "europe-west4",
                "keys", List.of(Map.of("name", "a", "value", vertex.fake.apiKey()),
                        Map.of("name", "b", "value", second.json(), "location", "us-east5")))), vertex.context());

        provider.call(call(Operation.CHAT_COMPLETION, CHAT, ApiKey.of("a", Secret.of(vertex.fake.apiKey()))));
        assertTrue(vertex.lastCall().uri().getPath().contains("/projects/fake-project/locations/europe-west4/"),
                "the project named in the key file");
        provider.call(call(Operation.CHAT_COMPLETION, CHAT, ApiKey.of("b", Secret.of(second.json()))));
        assertTrue(vertex.lastCall().uri().toString().startsWith("https://us-east5-aiplatform.googleapis.com/"));
        assertEquals(2, vertex.fake.tokenRequests(), "one token per credential");
        for (var request : vertex.upstream.requests()) {
            assertFalse(request.headers().toString().contains("PRIVATE KEY"), "a key's value is never sent");
        }
    }

    @Test
    void applicationDefaultCredentialsAreFoundThroughTheEnvironment() throws Exception {
        Path file = Path.of(System.getenv("GOOGLE_APPLICATION_CREDENTIALS"));
        Files.createDirectories(file.getParent());
        Files.writeString(file, vertex.fake.apiKey(), StandardCharsets.UTF_8);
        Provider provider = vertex.provider("credentials-json", null);

        complete(provider, Operation.CHAT_COMPLETION, CHAT);
        assertEquals(1, vertex.fake.tokenRequests());
        assertTrue(lastToken().startsWith("Bearer ya29.fake-"));
    }

    @Test
    void badConfigurationsStopStartUpNamingTheKey(@TempDir Path temp) throws Exception {
        String secret = "{\"type\":\"service_account\",\"private_key\":\"-----BEGIN PRIVATE KEY-----\\nnot-a-key\\n"
                + "-----END PRIVATE KEY-----\\n\",\"client_email\":\"x@y\"}";
        IllegalArgumentException unreadable = assertThrows(IllegalArgumentException.class,
                () -> vertex.provider("credentials-json", secret));
        assertTrue(unreadable.getMessage().startsWith("gateway.providers.vertex.credentials-json:"),
                unreadable.getMessage());
        assertFalse(unreadable.getMessage().contains("not-a-key"), "never the secret");

        IllegalArgumentException notJson = assertThrows(IllegalArgumentException.class,
                () -> vertex.provider("credentials-json", "sk-not-json"));
        assertFalse(notJson.getMessage().contains("sk-not-json"));

        IllegalArgumentException missingFile = assertThrows(IllegalArgumentException.class,
                () -> vertex.provider("credentials-json", null, "credentials-file", temp.resolve("none.json").toString()));
        assertTrue(missingFile.getMessage().startsWith("gateway.providers.vertex.credentials-file:"));

        Path keyFile = temp.resolve("key.json");
        Files.writeString(keyFile, vertex.fake.apiKey());
        complete(vertex.provider("credentials-json", null, "credentials-file", keyFile.toString()),
                Operation.CHAT_COMPLETION, CHAT);

        IllegalArgumentException location = assertThrows(IllegalArgumentException.class,
                () -> vertex.provider("location", "us central"));
        assertTrue(location.getMessage().startsWith("gateway.providers.vertex.location:"));

        IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
                () -> vertex.provider("keys", List.of(Map.of("name", "a", "value", vertex.fake.apiKey()))));
        assertTrue(both.getMessage().contains("cannot be combined with 'keys'"), both.getMessage());

        IllegalArgumentException noProject = assertThrows(IllegalArgumentException.class,
                () -> vertex.provider("project", null, "credentials-json", null));
        assertTrue(noProject.getMessage().startsWith("gateway.providers.vertex.project: is required"),
                noProject.getMessage());
    }
}
