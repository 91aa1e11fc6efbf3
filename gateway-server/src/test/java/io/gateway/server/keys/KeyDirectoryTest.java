package io.gateway.server.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.middleware.ManagedVirtualKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The directory lent to middleware: lookups by digest, a rotation's grace, versions only forward. */
class KeyDirectoryTest {

    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    static final class MovableClock extends Clock {
        volatile Instant now = NOW;

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    static StoredKey stored(String name, String value, String previous, Instant previousUntil) {
        return new StoredKey(ManagedVirtualKey.builder(name).build(), KeyValues.hash(value),
                previous == null ? null : KeyValues.hash(previous), previousUntil == null ? 0
                : previousUntil.toEpochMilli(), NOW);
    }

    @Test
    void aValueFindsItsKeyAndNothingElseDoes() {
        KeyDirectory directory = new KeyDirectory(Clock.fixed(NOW, ZoneOffset.UTC));
        assertFalse(directory.loaded());
        assertEquals(Optional.empty(), directory.find("sk-bf-a"));
        directory.install(0, List.of(stored("a", "sk-bf-a", null, null), stored("b", "sk-bf-b", null, null)));
        assertTrue(directory.loaded());
        assertEquals("a", directory.find("sk-bf-a").orElseThrow().name());
        assertEquals("b", directory.find("sk-bf-b").orElseThrow().name());
        assertEquals(Optional.empty(), directory.find("sk-bf-c"));
        assertEquals(Optional.empty(), directory.find("sk-bf-a "), "no trimming, no prefix match");
        assertEquals(Optional.empty(), directory.find(null));
        assertEquals(List.of("a", "b"), directory.keys().stream().map(ManagedVirtualKey::name).toList());
    }

    @Test
    void thePreviousValueWorksUntilItsGraceEnds() {
        MovableClock clock = new MovableClock();
        KeyDirectory directory = new KeyDirectory(clock);
        directory.install(3, List.of(stored("a", "sk-bf-new", "sk-bf-old", NOW.plusSeconds(600))));
        assertEquals("a", directory.find("sk-bf-new").orElseThrow().name());
        assertEquals("a", directory.find("sk-bf-old").orElseThrow().name());
        clock.now = NOW.plusSeconds(599);
        assertTrue(directory.find("sk-bf-old").isPresent());
        clock.now = NOW.plusSeconds(600);
        assertEquals(Optional.empty(), directory.find("sk-bf-old"), "401 from the end of the grace");
        assertTrue(directory.find("sk-bf-new").isPresent());
    }

    @Test
    void anOlderVersionNeverReplacesANewerOne() {
        KeyDirectory directory = new KeyDirectory(Clock.fixed(NOW, ZoneOffset.UTC));
        assertTrue(directory.install(5, List.of(stored("a", "sk-bf-a", null, null))));
        assertFalse(directory.install(4, List.of()), "a slow poll's older read");
        assertFalse(directory.install(5, List.of()));
        assertTrue(directory.find("sk-bf-a").isPresent());
        assertEquals(5, directory.version());
        assertTrue(directory.install(6, List.of()));
        assertTrue(directory.find("sk-bf-a").isEmpty());
    }

    @Test
    void valuesAreRandomPrefixedAndOnlyTheirDigestIsKept() {
        String one = KeyValues.generate();
        String two = KeyValues.generate();
        assertTrue(one.startsWith("sk-bf-"));
        assertEquals("sk-bf-".length() + 43, one.length());
        assertTrue(one.substring(6).matches("[A-Za-z0-9_-]{43}"));
        assertFalse(one.equals(two));
        assertEquals(64, KeyValues.hash(one).length());
        assertFalse(KeyValues.hash(one).contains(one.substring(6, 12)));
    }
}
