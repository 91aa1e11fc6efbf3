package io.gateway.server.upstream;

import io.gateway.spi.upstream.UpstreamClient;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/** The upstream contract against {@link WebClientUpstreamClient}. */
class WebClientUpstreamClientTest extends UpstreamClientContractTest {

    @Override
    UpstreamClient newClient(Duration connectTimeout, SSLContext tls) {
        return new WebClientUpstreamClient(connectTimeout, CLOCK, tls);
    }

    @Override
    int idleConnections(UpstreamClient client) {
        return -1; // Helidon does not say
    }
}
