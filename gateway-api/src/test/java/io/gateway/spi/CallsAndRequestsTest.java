package io.gateway.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.provider.ApiKey;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.spi.upstream.UpstreamRequest;
import jakarta.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CallsAndRequestsTest {

    private static final JsonObject BODY = JsonBodies.parse("{\"model\":\"gpt-4o\",\"temperature\":1.0}");

    @Test
    void aPassThroughSendsTheRawBytesWhenPresentAndTheSerializedBodyOtherwise() {
        byte[] raw = "{ \"model\" : \"gpt-4o\", \"temperature\" : 1.0 }".getBytes(StandardCharsets.UTF_8);
        ProviderCall call = ProviderCall.builder(Operation.CHAT_COMPLETION, BODY).model("gpt-4o").rawBody(raw).build();
        assertArrayEquals(raw, call.bodyBytes());
        assertNotSame(raw, call.bodyBytes(), "callers get a copy");
        call.rawBody().orElseThrow()[0] = 'X';
        assertArrayEquals(raw, call.bodyBytes(), "nobody can change the call's bytes");

        ProviderCall rebuilt = call.toBuilder().body(JsonBodies.parse("{\"model\":\"other\"}")).build();
        assertTrue(rebuilt.rawBody().isEmpty(), "a new body drops bytes that no longer match it");
        assertEquals("{\"model\":\"other\"}", new String(rebuilt.bodyBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void theCallCarriesItsDeadlineIntoUpstreamRequests() {
        Instant deadline = Instant.parse("2030-01-01T00:00:00Z");
        ProviderCall call = ProviderCall.builder(Operation.CHAT_COMPLETION, BODY).stream(true).deadline(deadline)
                .streamIdleTimeout(Duration.ofSeconds(7)).key(ApiKey.of("main", Secret.of("sk-1"))).build();
        UpstreamRequest request = call.request("POST", URI.create("https://api.example.com/v1/x"),
                Headers.of("a", "b"), new byte[] {1});
        assertEquals(deadline, request.deadline());
        assertEquals(Duration.ofSeconds(7), request.idleTimeout());
        assertTrue(request.stream());
        assertEquals("POST", request.method());
        assertEquals("UpstreamRequest[POST https://api.example.com/v1/x]", request.toString());
        assertTrue(!call.toString().contains("sk-1"), call.toString());
    }

    @Test
    void upstreamRequestsNeedAbsoluteUris() {
        assertThrows(IllegalArgumentException.class, () -> UpstreamRequest.builder("GET", URI.create("/relative")));
        assertSame(Headers.empty(), UpstreamRequest.builder("GET", URI.create("http://h/")).headers(null).build()
                .headers());
    }

    @Test
    void keysAllowTheirModelsAndHideTheirValues() {
        ApiKey key = new ApiKey("eu", Secret.of("sk-secret"), 2, java.util.List.of("gpt-4o"));
        assertTrue(key.allows("gpt-4o"));
        assertTrue(!key.allows("o3"));
        assertTrue(ApiKey.of("all", Secret.empty()).allows("anything"));
        assertTrue(!key.toString().contains("sk-secret"));
        assertThrows(IllegalArgumentException.class, () -> new ApiKey("x", Secret.empty(), 0, null));
        assertThrows(IllegalArgumentException.class, () -> new ApiKey(" ", Secret.empty(), 1, null));
    }

    @Test
    void secretsCompareAndMatchPrefixesWithoutShowingThemselves() {
        Secret secret = Secret.of("sk-bf-abc");
        assertTrue(secret.startsWith("sk-bf-"));
        assertTrue(!secret.startsWith("sk-other"));
        assertTrue(secret.matches("sk-bf-abc"));
        assertTrue(!secret.matches("sk-bf-ab"));
        assertTrue(!Secret.empty().matches(""), "an empty secret matches nothing");
        assertEquals("****", secret.toString());
        assertEquals("", Secret.empty().toString());
    }
}
