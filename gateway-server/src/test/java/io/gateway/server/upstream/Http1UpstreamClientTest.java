package io.gateway.server.upstream;

import io.gateway.spi.upstream.UpstreamClient;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/** The upstream contract against {@link Http1UpstreamClient}. */
class Http1UpstreamClientTest extends UpstreamClientContractTest {

    @Override
    UpstreamClient newClient(Duration connectTimeout, SSLContext tls) {
        return new Http1UpstreamClient(connectTimeout, CLOCK, tls, 16, Duration.ofSeconds(30));
    }

    @Override
    int idleConnections(UpstreamClient client) {
        return ((Http1UpstreamClient) client).idleConnections();
    }
}
