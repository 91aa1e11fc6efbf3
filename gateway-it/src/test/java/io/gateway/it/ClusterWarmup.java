package io.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Waits until a freshly started replica reaches its Redis. The store connects in the background and a
 * cold JVM (Netty and Lettuce loading on a busy CI machine) can take longer than the store's 2 s
 * command timeout for the very first operation; a test about something else should not fail on that.
 */
final class ClusterWarmup {

    private ClusterWarmup() {
    }

    /**
     * Sends {@code probe} until it answers {@code expected}, accepting 503 (store unavailable) meanwhile.
     *
     * @param what     what is being waited for, for the failure message
     * @param expected the status of a probe that reached the store
     * @param probe    a request that needs the store and changes nothing the test looks at
     */
    static void awaitStore(String what, int expected, Supplier<HttpResponse<String>> probe) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        HttpResponse<String> last;
        do {
            last = probe.get();
            if (last.statusCode() == expected) {
                return;
            }
            assertEquals(503, last.statusCode(), what + ": " + last.body());
            RedisServer.sleep(100);
        } while (System.nanoTime() < deadline);
        assertEquals(expected, last.statusCode(), what + " did not reach its Redis within 30 s: " + last.body());
    }
}
