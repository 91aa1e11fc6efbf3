package io.gateway.plugins.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.testkit.TestContext;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SemanticIndexTest {

    private static float[] unit(double... values) {
        double norm = 0;
        for (double v : values) {
            norm += v * v;
        }
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) (values[i] / Math.sqrt(norm));
        }
        return out;
    }

    @Test
    void theNearestEntryAboveTheThresholdWins() {
        TestContext context = TestContext.create();
        SemanticIndex index = new SemanticIndex(context.state(), context.clock(), 10, 100, context.metrics());
        assertNull(index.nearest("cache:s:x", unit(1, 0, 0), 0.5), "an empty scope");
        index.add("cache:s:x", "cache:d:a", unit(1, 0, 0), Duration.ofMinutes(1));
        index.add("cache:s:x", "cache:d:b", unit(1, 1, 0), Duration.ofMinutes(1));
        SemanticIndex.Match match = index.nearest("cache:s:x", unit(1, 0.9, 0), 0.5);
        assertEquals("cache:d:b", match.directKey());
        assertEquals(0.9986, match.similarity(), 0.001);
        assertNull(index.nearest("cache:s:x", unit(0, 0, 1), 0.5), "orthogonal");
        assertNull(index.nearest("cache:s:y", unit(1, 0, 0), 0.5), "another scope");
        assertNull(index.nearest("cache:s:x", unit(1, 0, 0, 0), 0.5), "another model's length never matches");
    }

    @Test
    void theDotProductMatchesAPlainSumAtEveryLength() {
        java.util.Random random = new java.util.Random(7);
        for (int length : new int[] {1, 7, 8, 13, 1536}) {
            float[] a = new float[length];
            float[] b = new float[length];
            double plain = 0;
            for (int i = 0; i < length; i++) {
                a[i] = (float) random.nextGaussian();
                b[i] = (float) random.nextGaussian();
                plain += (double) a[i] * b[i];
            }
            assertEquals(plain, Embedder.similarity(a, b), 1e-3 * Math.max(1, Math.abs(plain)), "length " + length);
        }
        assertEquals(-1, Embedder.similarity(new float[3], new float[4]));
    }

    @Test
    void anotherNodeSeesWhatOneNodeAddedAndExpiredEntriesDoNotCount() {
        TestContext context = TestContext.create();
        SemanticIndex a = new SemanticIndex(context.state(), context.clock(), 10, 100, context.metrics());
        SemanticIndex b = new SemanticIndex(context.state(), context.clock(), 10, 100, context.metrics());
        a.add("cache:s:x", "cache:d:a", unit(1, 0), Duration.ofSeconds(10));
        assertEquals("cache:d:a", b.nearest("cache:s:x", unit(1, 0), 0.9).directKey());
        a.add("cache:s:x", "cache:d:b", unit(0, 1), Duration.ofSeconds(30));
        assertEquals("cache:d:b", b.nearest("cache:s:x", unit(0, 1), 0.9).directKey(), "b reloads after a's change");
        context.clock().advance(Duration.ofSeconds(11));
        assertNull(b.nearest("cache:s:x", unit(1, 0), 0.9), "expired");
        assertEquals(Optional.of(Duration.ofSeconds(30)), context.state().createdWithTtl("cache:s:x"));
    }

    @Test
    void aScopeKeepsItsNewestEntriesAndANodeBoundsWhatItHolds() {
        TestContext context = TestContext.create();
        SemanticIndex index = new SemanticIndex(context.state(), context.clock(), 3, 4, context.metrics());
        for (int i = 0; i < 5; i++) {
            index.add("cache:s:x", "cache:d:" + i, unit(1, i), Duration.ofMinutes(1));
        }
        assertEquals(3, SemanticIndex.decode(context.state().get("cache:s:x")).size());
        assertEquals(2, context.metrics().total("gateway.cache.evicted", "reason", "scope_full"));
        assertNull(index.nearest("cache:s:x", unit(1, 0), 0.99999), "the oldest went first");
        assertEquals(3, index.held());
        index.add("cache:s:y", "cache:d:y", unit(1, 0), Duration.ofMinutes(1));
        index.add("cache:s:y", "cache:d:z", unit(0, 1), Duration.ofMinutes(1));
        index.nearest("cache:s:y", unit(1, 0), 0.5);
        assertEquals(2, index.held(), "x's three vectors were dropped to hold y's two within 4");
        assertEquals(3, context.metrics().total("gateway.cache.evicted", "reason", "index_full"));
        assertTrue(index.nearest("cache:s:x", unit(1, 4), 0.99).directKey().endsWith(":4"), "x loads again");
    }
}
