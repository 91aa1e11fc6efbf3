package io.gateway.plugins.governance;

import static io.gateway.testkit.TestConfig.mapOf;
import static io.gateway.plugins.governance.Harness.TEAM_A_SECRET;
import static io.gateway.plugins.governance.Harness.chat;
import static io.gateway.plugins.governance.Harness.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.middleware.AttributeKey;
import io.gateway.spi.ErrorCode;
import io.gateway.spi.middleware.Exchange;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import io.gateway.testkit.RouterStandIn;

/**
 * Which header values are virtual keys: {@code x-bf-vk} always; a bearer token, {@code x-api-key} or
 * {@code api-key} only with the {@code virtual-key-prefix}, so the placeholder an SDK sends in
 * {@code Authorization} is no key at all.
 */
class VirtualKeyPrefixTest {

    /** The three headers where only prefixed values are virtual keys, each with a placeholder. */
    private static final List<String[]> PLACEHOLDERS = List.of(new String[] {"authorization", "Bearer unused"},
            new String[] {"x-api-key", "unused"}, new String[] {"api-key", "my-app"},
            new String[] {"Authorization", "Bearer sk-proj-real-looking-provider-key"},
            new String[] {"authorization", "Bearer SK-BF-UPPER-CASE-IS-ANOTHER-PREFIX"});

    private final RouterStandIn chain = RouterStandIn.chatUsage(3, 4);

    /** team-a may use one model once a minute: anything that reaches the chain otherwise was not governed as team-a. */
    private static Harness governance(boolean requireKey, Object... prefix) {
        Map<String, Object> config = mapOf("type", "governance", "require-virtual-key", Boolean.toString(requireKey),
                "virtual-keys", List.of(key("team-a", TEAM_A_SECRET, "allowed-models", List.of("openai/gpt-4o-mini"),
                        "rate-limit", mapOf("requests", "1", "per", "1m"))));
        config.putAll(mapOf(prefix));
        return Harness.of(config);
    }

    @Test
    void placeholdersPassUnrestrictedWhenNoKeyIsRequiredAndAreNotForwarded() {
        Harness open = governance(false);

        for (String[] form : PLACEHOLDERS) {
            // a model team-a may not use, twice: neither model access nor team-a's rate applies
            open.send(chat("anthropic/claude-opus-4", form), chain);
            open.send(chat("anthropic/claude-opus-4", form), chain);
        }

        assertEquals(2 * PLACEHOLDERS.size(), chain.calls());
        for (Exchange forwarded : chain.received()) {
            Headers headers = forwarded.headers();
            assertFalse(headers.contains("authorization"), headers.toString());
            assertFalse(headers.contains("x-api-key"), headers.toString());
            assertFalse(headers.contains("api-key"), headers.toString());
            assertEquals(Optional.empty(), forwarded.attribute(AttributeKey.CLIENT_IDENTITY));
        }
        assertTrue(open.store.counters().isEmpty(), open.store.counters().toString());
        assertEquals(List.of(), open.metrics.counts());
    }

    @Test
    void everyCredentialHeaderOfAnAnonymousRequestIsRemoved() {
        Harness open = governance(false);
        Exchange sent = chat("openai/gpt-4o", "x-bf-vk", "   ", "authorization", "Bearer unused", "x-api-key", "unused",
                "api-key", "unused", "x-request-id", "r-9");

        open.send(sent, chain);

        Headers headers = chain.last().headers();
        assertEquals(Headers.of("x-request-id", "r-9"), headers);
        assertSame(sent.body(), chain.last().body());
        assertEquals(sent.requestId(), chain.last().requestId());
    }

    @Test
    void placeholdersAreRefusedAsMissingWhenAKeyIsRequired() {
        Harness closed = governance(true);

        for (String[] form : PLACEHOLDERS) {
            GatewayException e = closed.refused(chat("openai/gpt-4o-mini", form), chain);

            assertEquals(401, e.status(), form[1]);
            assertEquals(ErrorCode.AUTHENTICATION, e.errorCode());
            assertTrue(e.getMessage().startsWith("a virtual key is required"), e.getMessage());
            assertTrue(e.getMessage().contains("'sk-bf-'"), "the message says what a virtual key looks like");
            assertFalse(e.getMessage().contains(form[1].substring(form[1].indexOf(' ') + 1)), "the value is not echoed");
        }
        assertEquals(0, chain.calls());
        assertEquals(PLACEHOLDERS.size(), closed.metrics.counts().size());
    }

    @Test
    void unknownPrefixedValuesAndUnknownXBfVkAreRefusedWithOrWithoutRequiredKeys() {
        for (boolean required : new boolean[] {true, false}) {
            Harness harness = governance(required);
            for (String[] form : List.of(new String[] {"authorization", "Bearer sk-bf-guess"},
                    new String[] {"x-api-key", "sk-bf-guess"}, new String[] {"api-key", "sk-bf-guess"},
                    new String[] {"x-bf-vk", "sk-bf-guess"}, new String[] {"x-bf-vk", "unused"})) {
                GatewayException e = harness.refused(chat("openai/gpt-4o-mini", form), chain);

                assertEquals(401, e.status(), form[0]);
                assertEquals(GovernanceMiddleware.INVALID_KEY, e.getMessage(), form[0] + " required=" + required);
            }
        }
        assertEquals(0, chain.calls());
    }

    @Test
    void aPrefixedKeyInAnyOfTheHeadersIsGoverned() {
        for (String[] form : List.of(new String[] {"authorization", "Bearer " + TEAM_A_SECRET},
                new String[] {"x-api-key", TEAM_A_SECRET}, new String[] {"api-key", " " + TEAM_A_SECRET + " "})) {
            Harness open = governance(false);
            RouterStandIn calls = RouterStandIn.chatUsage(1, 1);

            open.send(chat("openai/gpt-4o-mini", form), calls);

            assertEquals(Optional.of("team-a"), calls.last().attribute(AttributeKey.CLIENT_IDENTITY), form[0]);
            assertEquals(403, open.refused(chat("openai/gpt-4o", form), calls).status(), form[0] + ": model access");
            assertEquals(429, open.refused(chat("openai/gpt-4o-mini", form), calls).status(), form[0] + ": rate");
            assertEquals(1, calls.calls());
        }
    }

    @Test
    void aPlaceholderBearerDoesNotHideAPrefixedKeyInAnotherHeader() {
        Harness open = governance(false);

        open.send(chat("openai/gpt-4o-mini", "authorization", "Bearer unused", "x-api-key", TEAM_A_SECRET), chain);
        GatewayException e = open.refused(chat("openai/gpt-4o-mini", "authorization", "Bearer unused",
                "x-api-key", "unused", "api-key", "sk-bf-guess"), chain);

        assertEquals(Optional.of("team-a"), chain.last().attribute(AttributeKey.CLIENT_IDENTITY));
        assertFalse(chain.last().headers().contains("x-api-key"));
        assertEquals(GovernanceMiddleware.INVALID_KEY, e.getMessage(), "the prefixed api-key is the one checked");
        assertEquals(1, chain.calls());
    }

    @Test
    void xBfVkIsAlwaysTheVirtualKeyWhateverTheOtherHeadersSay() {
        Harness open = governance(false);

        GatewayException e = open.refused(chat("openai/gpt-4o-mini", "x-bf-vk", "not-prefixed",
                "authorization", "Bearer " + TEAM_A_SECRET), chain);

        assertEquals(GovernanceMiddleware.INVALID_KEY, e.getMessage());
        assertEquals(0, chain.calls());
    }

    @Test
    void aConfiguredPrefixReplacesTheDefault() {
        String secret = "vk_team-a_0123456789SECRET";
        Harness custom = Harness.of(mapOf("type", "governance", "virtual-key-prefix", "vk_",
                "virtual-keys", List.of(key("team-a", secret))));

        custom.send(chat("openai/gpt-4o", "authorization", "Bearer " + secret), chain);
        custom.send(chat("openai/gpt-4o", "x-api-key", secret), chain);
        custom.send(chat("openai/gpt-4o", "api-key", secret), chain);
        custom.send(chat("openai/gpt-4o", "x-bf-vk", secret), chain);
        assertEquals(List.of("team-a", "team-a", "team-a", "team-a"), chain.received().stream()
                .map(exchange -> exchange.attribute(AttributeKey.CLIENT_IDENTITY).orElseThrow()).toList());
        assertEquals(List.of(), custom.config.unreadKeys());

        // sk-bf- is nothing special any more: without the configured prefix it is no virtual key
        GatewayException missing = custom.refused(chat("openai/gpt-4o", "authorization", "Bearer sk-bf-guess"), chain);
        assertEquals(GovernanceMiddleware.missingKeyMessage("vk_"), missing.getMessage());
        assertTrue(missing.getMessage().contains("'vk_'"), missing.getMessage());
        assertEquals(GovernanceMiddleware.INVALID_KEY,
                custom.refused(chat("openai/gpt-4o", "authorization", "Bearer vk_guess"), chain).getMessage());
    }

    // ---------------------------------------------------------------- configuration

    @Test
    void aKeyValueWithoutThePrefixStopsStartUpNamingTheKeyAndThePrefix() {
        String secret = "team-c-legacy-SECRET";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Harness.of(mapOf(
                "type", "governance", "require-virtual-key", "false",
                "virtual-keys", List.of(key("team-a", TEAM_A_SECRET), key("team-c", secret)))));

        assertTrue(e.getMessage().startsWith("gateway.middleware[0].virtual-keys[1].value: virtual key 'team-c'"
                + " does not start with the virtual-key-prefix 'sk-bf-'"), e.getMessage());
        assertTrue(e.getMessage().contains("set virtual-key-prefix"), e.getMessage());
        assertFalse(e.getMessage().contains("SECRET"), e.getMessage());
        assertFalse(e.getMessage().contains("legacy"), e.getMessage());
    }

    @Test
    void aKeyValueThatIsOnlyThePrefixStopsStartUp() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Harness.of(mapOf("type", "governance", "virtual-keys", List.of(key("team-a", "sk-bf-")))));

        assertTrue(e.getMessage().startsWith("gateway.middleware[0].virtual-keys[0].value: virtual key 'team-a'"
                + " has nothing after the virtual-key-prefix"), e.getMessage());
    }

    @Test
    void thePrefixMustBeTextWithoutSpaces() {
        for (String bad : List.of("sk bf-", "sk-\tbf", "sk-\u0001bf", "sk-\u00a0bf", "sk-\u2003bf")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Harness.of(mapOf("type", "governance", "virtual-key-prefix", bad)), bad);
            assertTrue(e.getMessage().startsWith("gateway.middleware[0].virtual-key-prefix: must not contain spaces"),
                    e.getMessage());
        }
        IllegalArgumentException blank = assertThrows(IllegalArgumentException.class,
                () -> Harness.of(mapOf("type", "governance", "virtual-key-prefix", "  ")));
        assertTrue(blank.getMessage().startsWith("gateway.middleware[0].virtual-key-prefix: is empty"),
                blank.getMessage());
    }
}
