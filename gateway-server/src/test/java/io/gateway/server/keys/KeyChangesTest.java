package io.gateway.server.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.middleware.ManagedVirtualKey;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bodies of POST and PATCH /admin/virtual-keys: what they set, clear and refuse. */
class KeyChangesTest {

    static final Instant CREATED = Instant.parse("2026-12-01T10:00:00Z");

    static ManagedVirtualKey create(String json) {
        KeyChanges changes = KeyChanges.forCreate(JsonBodies.parse(json));
        return changes.applyTo(ManagedVirtualKey.builder(changes.name()).build(), CREATED);
    }

    static String refusal(String json, boolean create) {
        return assertThrows(GatewayException.class, () -> {
            if (create) {
                KeyChanges.forCreate(JsonBodies.parse(json));
            } else {
                KeyChanges.forPatch(JsonBodies.parse(json));
            }
        }).getMessage();
    }

    @Test
    void theIssuesExampleSetsEveryRule() {
        ManagedVirtualKey key = create("""
                {"name": "app-x", "allowed_models": ["openai/*"], "rate_limit": {"requests": 600, "per": "1m",
                "tokens": 200000, "tokens_per": "1h"}, "budget": {"usd": 50, "per": "1M"}, "expires_at": null}""");
        assertEquals("app-x", key.name());
        assertEquals(List.of("openai/*"), key.allowedModels());
        assertEquals(new ManagedVirtualKey.Limit(600, Duration.ofMinutes(1)), key.requestLimit().orElseThrow());
        assertEquals(new ManagedVirtualKey.Limit(200_000, Duration.ofHours(1)), key.tokenLimit().orElseThrow());
        assertEquals(new ManagedVirtualKey.Budget(new BigDecimal("50"), "1M"), key.budget().orElseThrow());
        assertTrue(key.expiresAt().isEmpty());
        assertEquals(CREATED, key.createdAt());
    }

    @Test
    void aPatchChangesWhatItNamesAndNullClears() {
        ManagedVirtualKey before = create("""
                {"name": "app-x", "allowed_models": ["openai/*"], "rate_limit": {"requests": 600, "per": "1m"},
                "budget": {"usd": 50, "per": "1M"}}""");
        ManagedVirtualKey after = KeyChanges.forPatch(JsonBodies.parse("""
                {"budget": null, "disabled": true, "expires_at": "2027-01-01T00:00:00Z"}"""))
                .applyTo(before, before.createdAt());
        assertEquals(before.allowedModels(), after.allowedModels(), "untouched");
        assertEquals(before.requestLimit(), after.requestLimit(), "untouched");
        assertTrue(after.budget().isEmpty());
        assertTrue(after.disabled());
        assertEquals(Instant.parse("2027-01-01T00:00:00Z"), after.expiresAt().orElseThrow());
        ManagedVirtualKey open = KeyChanges.forPatch(JsonBodies.parse("{\"allowed_models\": null}"))
                .applyTo(after, after.createdAt());
        assertEquals(List.of(), open.allowedModels(), "null allows every model");
    }

    @Test
    void mistakesAreRefusedNamingTheField() {
        assertTrue(refusal("{}", true).startsWith("name: is required"));
        assertTrue(refusal("{\"name\": \"has space\"}", true).startsWith("name: 'has space' must be"));
        assertTrue(refusal("{\"name\": \"a\", \"allowed_models\": [\"gpt-4o\"]}", true)
                .contains("'gpt-4o' can never match"));
        assertTrue(refusal("{\"name\": \"a\", \"rate_limit\": {\"requests\": 5}}", true)
                .startsWith("rate_limit.per: is required"));
        assertTrue(refusal("{\"name\": \"a\", \"rate_limit\": {\"requests\": 0, \"per\": \"1m\"}}", true)
                .startsWith("rate_limit.requests: must be a whole number greater than 0"));
        assertTrue(refusal("{\"name\": \"a\", \"rate_limit\": {\"tokens\": 5, \"tokens_per\": \"500ms\"}}", true)
                .startsWith("rate_limit.tokens_per: must be a whole number of seconds"));
        assertTrue(refusal("{\"name\": \"a\", \"budget\": {\"usd\": 5, \"per\": \"1m\"}}", true)
                .startsWith("budget.per:"));
        assertTrue(refusal("{\"name\": \"a\", \"budget\": {\"usd\": -1, \"per\": \"1d\"}}", true)
                .startsWith("budget.usd:"));
        assertTrue(refusal("{\"name\": \"a\", \"expires_at\": \"tomorrow\"}", true).startsWith("expires_at:"));
        assertTrue(refusal("{\"name\": \"a\", \"disabled\": \"yes\"}", true).startsWith("disabled:"));
        assertTrue(refusal("{\"name\": \"b\"}", false).startsWith("name: cannot be changed"));
        assertTrue(refusal("{\"value\": \"sk-bf-mine\"}", false).startsWith("value: is not a field here"),
                "values are never chosen by the client");
    }
}
