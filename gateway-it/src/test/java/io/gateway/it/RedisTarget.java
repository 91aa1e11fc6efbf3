package io.gateway.it;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The Redis a test class shares between gateways: the one {@code GATEWAY_TEST_REDIS_URL} names (test.sh
 * starts one and exports it), else a {@code redis-server} started here on a free loopback port. Every
 * use takes its own random key prefix, so runs never see each other's state; the keys under the
 * prefixes handed out are deleted on close.
 */
final class RedisTarget implements AutoCloseable {

    static final String ENV = "GATEWAY_TEST_REDIS_URL";

    private final String url;
    private final RedisServer own;
    private final List<String> prefixes = new ArrayList<>();

    private RedisTarget(String url, RedisServer own) {
        this.url = url;
        this.own = own;
    }

    /**
     * The external Redis if configured, else a new local server.
     *
     * @return the target; close it after the tests
     */
    static RedisTarget open() {
        String external = System.getenv(ENV);
        if (external != null && !external.isBlank()) {
            return new RedisTarget(external.trim(), null);
        }
        RedisServer server = RedisServer.start();
        return new RedisTarget(server.url(), server);
    }

    String url() {
        return url;
    }

    /**
     * A fresh key prefix, {@code it-RANDOM:}, cleaned up on close.
     *
     * @return the prefix
     */
    synchronized String newPrefix() {
        String prefix = "it-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16) + ":";
        prefixes.add(prefix);
        return prefix;
    }

    /**
     * A raw connection for looking at what the gateways stored.
     *
     * @return the connection; close it
     */
    RedisResp connect() {
        return RedisResp.connect(url);
    }

    @Override
    public void close() {
        try {
            if (!prefixes.isEmpty() && own == null) {
                try (RedisResp redis = connect()) {
                    for (String prefix : prefixes) {
                        redis.deleteAll(prefix);
                    }
                }
            }
        } finally {
            if (own != null) {
                own.close();
            }
        }
    }
}
