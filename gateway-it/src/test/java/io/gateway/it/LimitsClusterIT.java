package io.gateway.it;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@link LimitsChecks} on two gateways sharing one real Redis: requests alternate between the replicas,
 * and the usage report is read on the second, so every hold and charge went through Redis.
 */
class LimitsClusterIT extends LimitsChecks {

    private RedisTarget redis;

    @Override
    List<TestGateway> start(String config, Path plugins, Map<String, String> env) {
        redis = RedisTarget.open();
        String clustered = config.replaceFirst("(?m)^gateway:\\n", """
                gateway:
                  state:
                    type: redis
                    url: %s
                    key-prefix: "%s"
                """.formatted(redis.url(), redis.newPrefix()));
        List<TestGateway> gateways = new ArrayList<>();
        try {
            gateways.add(TestGateway.start(clustered, plugins, env));
            gateways.add(TestGateway.start(clustered, plugins, env));
        } catch (RuntimeException e) {
            gateways.forEach(TestGateway::close);
            throw e;
        }
        return gateways;
    }

    @Override
    void stopStore() {
        if (redis != null) {
            redis.close();
        }
    }
}
