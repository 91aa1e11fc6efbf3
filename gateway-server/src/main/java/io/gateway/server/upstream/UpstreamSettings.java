package io.gateway.server.upstream;

import io.gateway.server.config.ConfigBlock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * How one provider reaches its upstream, read from the keys the server reads for every provider:
 * {@code proxy}, {@code tls: {ca-file, cert-file, key-file}} and {@code accept-gzip} (plus the
 * {@code connect-timeout} the caller reads). Immutable; built once per provider at start-up.
 *
 * @param proxies    the forward proxies: from {@code proxy}, or from the environment without it,
 *                   {@link UpstreamProxy#NONE} for {@code proxy: none}
 * @param tls        the TLS context, or null for the JDK's default
 * @param acceptGzip whether requests ask for gzip answers
 */
public record UpstreamSettings(UpstreamProxy proxies, SSLContext tls, boolean acceptGzip) {

    /**
     * Reads a provider block's upstream keys.
     *
     * @param block       the provider's block
     * @param environment the proxies the environment names, asked for only when the block has no
     *                    {@code proxy} key
     * @param files       resolves a configured file name (relative names against the distribution folder)
     * @return the settings
     * @throws IllegalArgumentException with a one-line message naming the key when a value is wrong
     */
    public static UpstreamSettings read(ConfigBlock block, Supplier<UpstreamProxy> environment,
                                        Function<String, Path> files) {
        UpstreamProxy proxies;
        Optional<String> proxy = block.string("proxy");
        if (proxy.isEmpty()) {
            proxies = environment.get();
        } else if (proxy.get().equalsIgnoreCase("none")) {
            proxies = UpstreamProxy.NONE;
        } else {
            proxies = UpstreamProxy.of(proxy.get(), block.path() + ".proxy");
        }
        SSLContext tls = null;
        Optional<ConfigBlock> tlsBlock = block.block("tls");
        if (tlsBlock.isPresent()) {
            ConfigBlock t = tlsBlock.get();
            tls = UpstreamTls.context(t.path(), t.string("ca-file").map(files).orElse(null),
                    t.string("cert-file").map(files).orElse(null), t.string("key-file").map(files).orElse(null));
        }
        boolean acceptGzip = block.bool("accept-gzip", false);
        return new UpstreamSettings(proxies, tls, acceptGzip);
    }

    /**
     * A client with these settings.
     *
     * @param connectTimeout the provider's {@code connect-timeout}
     * @param clock          the clock request deadlines are expressed in
     * @return a new client, owned by the caller
     */
    public Http1UpstreamClient client(Duration connectTimeout, Clock clock) {
        return new Http1UpstreamClient(connectTimeout, clock, tls, proxies, acceptGzip);
    }
}
