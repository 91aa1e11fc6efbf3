package io.gateway.plugins.redis;

import io.gateway.testkit.RecordingLogger;
import io.gateway.testkit.TestConfig;
import io.gateway.testkit.TestContext;
import java.util.Map;

/** The {@code gateway.state} block of a redis store, and the context the server gives its factory. */
final class RedisConfigs {

    private RedisConfigs() {
    }

    /**
     * The block with {@code type: redis} and the given keys.
     *
     * @param entries key, value, key, value…
     * @return the block
     */
    static TestConfig state(String... entries) {
        Map<String, Object> values = TestConfig.mapOf("type", "redis");
        values.putAll(TestConfig.mapOf((Object[]) entries));
        return TestConfig.state(values);
    }

    /**
     * The context of a state store factory: a logger, no store, no upstream client.
     *
     * @param logger the logger
     * @return the context
     */
    static TestContext context(RecordingLogger logger) {
        return TestContext.builder().logger(logger).withoutState().build();
    }
}
