package io.gateway.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The gateway's own request ids: version-7 UUIDs that sort by time. */
class RequestIdTest {

    @Test
    void idsAreVersionSevenUuidsCarryingTheirMillisecond() {
        long millis = 1_796_621_712_345L;
        UUID id = UUID.fromString(ExchangeReader.newRequestId(millis, new Random(1)));
        assertEquals(7, id.version());
        assertEquals(2, id.variant(), "the RFC variant");
        assertEquals(millis, id.getMostSignificantBits() >>> 16, "the first 48 bits are the Unix time in ms");
    }

    @Test
    void laterIdsSortLaterAndIdsOfOneMillisecondDiffer() {
        Random random = new Random(7);
        String earlier = ExchangeReader.newRequestId(1_000_000L, random);
        String later = ExchangeReader.newRequestId(1_000_001L, random);
        assertTrue(earlier.compareTo(later) < 0, earlier + " sorts before " + later);
        assertNotEquals(ExchangeReader.newRequestId(5L, random), ExchangeReader.newRequestId(5L, random));
        String live = ExchangeReader.newRequestId();
        assertEquals(36, live.length());
        assertEquals(7, UUID.fromString(live).version());
    }
}
