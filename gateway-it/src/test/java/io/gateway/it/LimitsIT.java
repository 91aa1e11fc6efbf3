package io.gateway.it;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** {@link LimitsChecks} on one gateway with the in-memory state store. */
class LimitsIT extends LimitsChecks {

    @Override
    List<TestGateway> start(String config, Path plugins, Map<String, String> env) {
        return List.of(TestGateway.start(config, plugins, env));
    }

    @Override
    void stopStore() {
    }
}
