package io.gateway.plugins.governance;

import static io.gateway.testkit.TestConfig.mapOf;
import static io.gateway.plugins.governance.Harness.TEAM_A_SECRET;
import static io.gateway.plugins.governance.Harness.TEAM_B_SECRET;
import static io.gateway.plugins.governance.Harness.chat;
import static io.gateway.plugins.governance.Harness.config;
import static io.gateway.plugins.governance.Harness.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.middleware.AttributeKey;
import io.gateway.spi.ErrorCode;
import io.gateway.spi.middleware.Exchange;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import io.gateway.testkit.RouterStandIn;

class AuthenticationTest {

    private final Harness harness = Harness.of(config(key("team-a", TEAM_A_SECRET), key("team-b", TEAM_B_SECRET)));
    private final RouterStandIn chain = RouterStandIn.chatUsage(3, 4);

    @Test
    void refusesARequestWithoutKey() {
        GatewayException e = harness.refused(chat("openai/gpt-4o", "x-request-id", "r1"), chain);

        assertEquals(401, e.status());
        assertEquals(ErrorCode.AUTHENTICATION, e.errorCode());
        assertEquals("authentication_error", e.errorCode().type());
        assertFalse(e.errorCode().gatewayError());
        assertEquals("a virtual key is required: send it as x-bf-vk, or as Authorization: Bearer, x-api-key or"
                + " api-key, where only values starting with 'sk-bf-' are taken for virtual keys", e.getMessage());
        assertEquals(0, chain.calls());
        assertEquals(List.of("governance.rejections reason=authentication"), harness.metrics.counts());
    }

    @Test
    void refusesAnUnknownKeyWithoutEchoingIt() {
        GatewayException e = harness.refused(chat("openai/gpt-4o", "x-bf-vk", "sk-bf-guess-SECRET"), chain);

        assertEquals(401, e.status());
        assertEquals("the virtual key is not valid", e.getMessage());
        assertFalse(e.getMessage().contains("guess"));
        assertEquals(0, chain.calls());
    }

    @Test
    void refusesAKeyThatDiffersOnlyAtTheEnd() {
        String almost = TEAM_A_SECRET.substring(0, TEAM_A_SECRET.length() - 1) + "X";

        assertEquals(401, harness.refused(chat("openai/gpt-4o", "x-bf-vk", almost), chain).status());
        assertEquals(401, harness.refused(chat("openai/gpt-4o", "x-bf-vk", TEAM_A_SECRET + "X"), chain).status());
        assertEquals(401, harness.refused(chat("openai/gpt-4o", "x-bf-vk", TEAM_A_SECRET.substring(1)), chain).status());
    }

    @Test
    void acceptsTheKeyInEachOfTheHeaders() {
        harness.send(chat("openai/gpt-4o", "x-bf-vk", TEAM_A_SECRET), chain);
        harness.send(chat("openai/gpt-4o", "Authorization", "Bearer " + TEAM_B_SECRET), chain);
        harness.send(chat("openai/gpt-4o", "X-Api-Key", TEAM_A_SECRET), chain);
        harness.send(chat("openai/gpt-4o", "authorization", "bearer   " + TEAM_B_SECRET), chain);
        harness.send(chat("openai/gpt-4o", "api-key", TEAM_A_SECRET), chain);

        assertEquals(List.of("team-a", "team-b", "team-a", "team-b", "team-a"), chain.received().stream()
                .map(exchange -> exchange.attribute(AttributeKey.CLIENT_IDENTITY).orElseThrow()).toList());
    }

    @Test
    void prefersXBfVkThenBearerThenXApiKey() {
        harness.send(chat("openai/gpt-4o", "x-bf-vk", TEAM_A_SECRET, "authorization", "Bearer " + TEAM_B_SECRET,
                "x-api-key", TEAM_B_SECRET), chain);
        harness.send(chat("openai/gpt-4o", "authorization", "Bearer " + TEAM_B_SECRET, "x-api-key", TEAM_A_SECRET),
                chain);
        // A provider key sent with x-bf-vk (SDKs always send Authorization) does not hide the virtual key.
        harness.send(chat("openai/gpt-4o", "authorization", "Bearer sk-real-provider-key", "x-bf-vk", TEAM_B_SECRET),
                chain);

        assertEquals(List.of("team-a", "team-b", "team-b"), chain.received().stream()
                .map(exchange -> exchange.attribute(AttributeKey.CLIENT_IDENTITY).orElseThrow()).toList());
    }

    @Test
    void otherAuthorizationSchemesAreNoKey() {
        GatewayException e = harness.refused(chat("openai/gpt-4o", "authorization", "Basic dXNlcjpwYXNz"), chain);

        assertEquals(GovernanceMiddleware.missingKeyMessage("sk-bf-"), e.getMessage());
        assertEquals(401, harness.refused(chat("openai/gpt-4o", "authorization", "Bearer "), chain).status());
        assertEquals(401, harness.refused(chat("openai/gpt-4o", "authorization", "Bearer" + TEAM_A_SECRET), chain)
                .status(), "no space after Bearer");
        assertEquals(401, harness.refused(chat("openai/gpt-4o", "authorization", TEAM_A_SECRET), chain).status(),
                "no scheme");
        assertEquals(0, chain.calls());
    }

    @Test
    void removesCredentialHeadersAndSetsTheClientIdentity() {
        Exchange sent = chat("openai/gpt-4o", "x-bf-vk", TEAM_A_SECRET, "Authorization", "Bearer sk-something",
                "x-api-key", "other", "api-key", "azure-style", "x-request-id", "r-7", "x-bf-api-key", "primary");

        harness.send(sent, chain);

        Exchange forwarded = chain.last();
        Headers headers = forwarded.headers();
        assertFalse(headers.contains("x-bf-vk"));
        assertFalse(headers.contains("authorization"));
        assertFalse(headers.contains("x-api-key"));
        assertFalse(headers.contains("api-key"));
        assertEquals(Optional.of("r-7"), headers.first("x-request-id"));
        assertEquals(Optional.of("primary"), headers.first("x-bf-api-key"));
        assertEquals(Optional.of("team-a"), forwarded.attribute(AttributeKey.CLIENT_IDENTITY));
        assertEquals(sent.requestId(), forwarded.requestId());
        assertSame(sent.body(), forwarded.body(), "a complete request's body goes on untouched");
    }

    @Test
    void withoutRequiredKeysRequestsWithoutKeyPassUnrestricted() {
        Harness open = Harness.of(mapOf("type", "governance", "require-virtual-key", "false",
                "virtual-keys", List.of(key("team-a", TEAM_A_SECRET, "allowed-models", List.of("openai/gpt-4o-mini"),
                        "rate-limit", mapOf("requests", "1", "per", "1m")))));
        Exchange anonymous = chat("anthropic/claude-opus-4", "x-request-id", "r1");

        open.send(anonymous, chain);
        open.send(anonymous, chain);

        assertEquals(2, chain.calls());
        assertSame(anonymous, chain.last(), "nothing to strip and no identity to set");
        assertTrue(open.store.counters().isEmpty(), open.store.counters().toString());
    }

    @Test
    void withoutRequiredKeysAnUnknownKeyIsStillRefused() {
        Harness open = Harness.of(mapOf("type", "governance", "require-virtual-key", "false",
                "virtual-keys", List.of(key("team-a", TEAM_A_SECRET))));

        for (String[] form : List.of(new String[] {"authorization", "Bearer sk-bf-not-a-virtual-key"},
                new String[] {"x-api-key", "sk-bf-not-a-virtual-key"}, new String[] {"api-key", "sk-bf-not-a-virtual-key"},
                new String[] {"x-bf-vk", "sk-bf-not-a-virtual-key"}, new String[] {"x-bf-vk", "unused"})) {
            GatewayException e = open.refused(chat("openai/gpt-4o", form), chain);

            assertEquals(401, e.status(), form[0] + ": " + form[1]);
            assertEquals(GovernanceMiddleware.INVALID_KEY, e.getMessage(), form[0] + ": " + form[1]);
        }
        assertEquals(0, chain.calls());
    }

    @Test
    void withoutRequiredKeysAKnownKeyIsStillGoverned() {
        Harness open = Harness.of(mapOf("type", "governance", "require-virtual-key", "false",
                "virtual-keys", List.of(key("team-a", TEAM_A_SECRET, "allowed-models", List.of("openai/gpt-4o-mini")))));

        assertEquals(403, open.refused(chat("openai/gpt-4o", "x-bf-vk", TEAM_A_SECRET), chain).status());
    }
}
