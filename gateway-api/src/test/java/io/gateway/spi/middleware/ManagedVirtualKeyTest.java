package io.gateway.spi.middleware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.PluginContext;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Managed virtual keys as the SPI hands them to middleware, and the directory a context lends by default. */
class ManagedVirtualKeyTest {

    @Test
    void aKeyHoldsItsRulesAndCopiesItsLists() {
        List<String> models = new ArrayList<>(List.of("openai/*"));
        Instant created = Instant.parse("2026-12-01T10:00:00Z");
        ManagedVirtualKey key = ManagedVirtualKey.builder("app-x")
                .allowedModels(models)
                .requestLimit(new ManagedVirtualKey.Limit(600, Duration.ofMinutes(1)))
                .tokenLimit(new ManagedVirtualKey.Limit(200_000, Duration.ofHours(1)))
                .budget(new ManagedVirtualKey.Budget(new BigDecimal("50"), "1M"))
                .expiresAt(Instant.parse("2027-01-01T00:00:00Z"))
                .createdAt(created)
                .build();
        models.add("anthropic/*");
        assertEquals(List.of("openai/*"), key.allowedModels());
        assertEquals(600, key.requestLimit().orElseThrow().count());
        assertEquals(Duration.ofHours(1), key.tokenLimit().orElseThrow().per());
        assertEquals("1M", key.budget().orElseThrow().period());
        assertEquals(created, key.createdAt());
        assertFalse(key.disabled());
        assertFalse(key.expiredAt(Instant.parse("2026-12-31T23:59:59Z")));
        assertTrue(key.expiredAt(Instant.parse("2027-01-01T00:00:00Z")));
        assertEquals("ManagedVirtualKey[app-x]", key.toString());
    }

    @Test
    void aKeyWithoutRulesAllowsEverythingAndNeverExpires() {
        ManagedVirtualKey key = ManagedVirtualKey.builder("plain").disabled(true).build();
        assertEquals(List.of(), key.allowedModels());
        assertTrue(key.requestLimit().isEmpty());
        assertTrue(key.tokenLimit().isEmpty());
        assertTrue(key.budget().isEmpty());
        assertTrue(key.expiresAt().isEmpty());
        assertFalse(key.expiredAt(Instant.MAX));
        assertTrue(key.disabled());
    }

    @Test
    void keysWithTheSameRulesAreEqual() {
        ManagedVirtualKey one = ManagedVirtualKey.builder("a").allowedModels(List.of("openai/*"))
                .budget(new ManagedVirtualKey.Budget(BigDecimal.TEN, "1d")).build();
        ManagedVirtualKey same = ManagedVirtualKey.builder("a").allowedModels(List.of("openai/*"))
                .budget(new ManagedVirtualKey.Budget(BigDecimal.TEN, "1d")).build();
        assertEquals(one, same);
        assertEquals(one.hashCode(), same.hashCode());
        assertFalse(one.equals(ManagedVirtualKey.builder("a").allowedModels(List.of("openai/*")).build()));
        assertFalse(one.equals(ManagedVirtualKey.builder("a").allowedModels(List.of("openai/*")).disabled(true)
                .budget(new ManagedVirtualKey.Budget(BigDecimal.TEN, "1d")).build()));
    }

    @Test
    void rulesThatCannotHoldAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ManagedVirtualKey.builder(" "));
        assertThrows(IllegalArgumentException.class, () -> new ManagedVirtualKey.Limit(0, Duration.ofMinutes(1)));
        assertThrows(IllegalArgumentException.class, () -> new ManagedVirtualKey.Limit(5, Duration.ofMillis(1500)));
        assertThrows(IllegalArgumentException.class, () -> new ManagedVirtualKey.Budget(BigDecimal.ZERO, "1d"));
        assertThrows(IllegalArgumentException.class, () -> new ManagedVirtualKey.Budget(BigDecimal.ONE, "1m"));
    }

    @Test
    void aContextWithoutManagedKeysLendsTheEmptyDirectory() {
        VirtualKeyDirectory directory = new PluginContext() { }.virtualKeys();
        assertTrue(directory.loaded());
        assertEquals(Optional.empty(), directory.find("sk-bf-anything"));
        assertEquals(Optional.empty(), directory.find(null));
        assertEquals(List.of(), directory.keys());
        assertEquals(0, directory.version());
    }
}
