package io.gateway.plugins.redis;

/**
 * The Redis that the functional tests use: {@code GATEWAY_TEST_REDIS_URL} if set, otherwise a
 * {@code redis-server} the test class starts itself. Neither available is a test failure.
 */
final class TestRedis implements AutoCloseable {

    /** The environment variable naming an external Redis. */
    static final String ENV = "GATEWAY_TEST_REDIS_URL";

    private final String url;
    private final RedisServerProcess server;

    private TestRedis(String url, RedisServerProcess server) {
        this.url = url;
        this.server = server;
    }

    /**
     * The external Redis, or a new local server.
     *
     * @return the Redis to test against; close it after the tests
     */
    static TestRedis open() {
        String external = System.getenv(ENV);
        if (external != null && !external.isBlank()) {
            return new TestRedis(external.trim(), null);
        }
        RedisServerProcess server = RedisServerProcess.start(null);
        return new TestRedis(server.url(0), server);
    }

    String url() {
        return url;
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
