package io.gateway.server.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.server.config.ConfigBlock;
import io.gateway.server.config.GatewayConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-provider upstream keys as the server reads them: proxy, tls and accept-gzip. */
class UpstreamSettingsTest {

    @TempDir
    static Path dir;
    private static TestPki pki;

    @BeforeAll
    static void makePki() throws Exception {
        pki = TestPki.create(dir);
    }

    private static GatewayConfig config(String provider, Map<String, String> env) {
        return GatewayConfig.parse("gateway:\n  providers:\n    p:\n" + provider.indent(6), env, dir);
    }

    private static UpstreamSettings read(String provider, UpstreamProxy environment) {
        GatewayConfig config = config(provider, Map.of());
        ConfigBlock block = config.providers().get(0);
        UpstreamSettings settings = UpstreamSettings.read(block, () -> environment, config::file);
        block.string("type");
        assertEquals(List.of(), config.unreadKeys(), "every key was read");
        return settings;
    }

    private static String error(String provider) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> read(provider, UpstreamProxy.NONE));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void withoutKeysTheEnvironmentsProxyTheJdksTrustAndNoGzip() {
        UpstreamProxy environment = UpstreamProxy.of("http://proxy:3128", "HTTPS_PROXY");
        AtomicInteger asked = new AtomicInteger();
        GatewayConfig config = config("type: openai", Map.of());
        UpstreamSettings settings = UpstreamSettings.read(config.providers().get(0), () -> {
            asked.incrementAndGet();
            return environment;
        }, config::file);
        assertSame(environment, settings.proxies());
        assertEquals(1, asked.get());
        assertNull(settings.tls());
        assertFalse(settings.acceptGzip());
    }

    @Test
    void proxyNoneOrAUrlReplacesTheEnvironment() {
        UpstreamProxy environment = UpstreamProxy.of("http://proxy:3128", "HTTPS_PROXY");
        assertSame(UpstreamProxy.NONE, read("proxy: none", environment).proxies());
        UpstreamProxy own = read("proxy: http://gw:s3cret@egress.corp:8080", environment).proxies();
        UpstreamProxy.Server server = own.select(true, "api.openai.com", 443);
        assertEquals("http://egress.corp:8080", server.display());
        assertEquals("gateway.providers.p.proxy", server.source());
        assertEquals(server, own.select(false, "localhost", 80), "one proxy for http and https targets, no NO_PROXY");
        assertTrue(read("accept-gzip: true", UpstreamProxy.NONE).acceptGzip());
    }

    @Test
    void tlsFilesAreReadRelativeToTheDistributionFolder() throws Exception {
        Path ca = Files.copy(pki.caPem, dir.resolve("relative-ca.pem"));
        UpstreamSettings settings = read("tls:\n  ca-file: relative-ca.pem\n  cert-file: " + pki.clientCertPem
                + "\n  key-file: " + pki.clientKeyPem, UpstreamProxy.NONE);
        assertNotNull(settings.tls());
        assertTrue(Files.exists(ca));
        assertNull(read("tls: {}", UpstreamProxy.NONE).tls(), "an empty block keeps the JDK's defaults");
    }

    @Test
    void badValuesStopStartUpNamingTheKey() throws Exception {
        assertTrue(error("proxy: https://proxy:443").startsWith(
                "gateway.providers.p.proxy: proxy scheme 'https' is not supported"));
        assertEquals("gateway.providers.p.tls.ca-file: file " + dir.resolve("missing.pem") + " does not exist",
                error("tls: {ca-file: missing.pem}"));
        assertTrue(error("tls: {cert-file: " + pki.clientCertPem + "}").startsWith(
                "gateway.providers.p.tls.key-file: is required with cert-file"));
        assertTrue(error("tls: {ca-file: " + pki.clientKeyPem + "}").startsWith(
                "gateway.providers.p.tls.ca-file: " + pki.clientKeyPem + " holds no PEM certificate"));

        String key = Files.readString(pki.clientKeyPem);
        Path pkcs1 = dir.resolve("pkcs1.pem");
        Files.writeString(pkcs1, key.replace("BEGIN PRIVATE KEY", "BEGIN RSA PRIVATE KEY")
                .replace("END PRIVATE KEY", "END RSA PRIVATE KEY"), StandardCharsets.US_ASCII);
        String message = error("tls: {cert-file: " + pki.clientCertPem + ", key-file: " + pkcs1 + "}");
        assertTrue(message.startsWith("gateway.providers.p.tls.key-file: " + pkcs1 + " is not PKCS#8; convert it with "
                + "openssl pkcs8 -topk8 -nocrypt"), message);

        message = error("tls: {cert-file: " + pki.clientCertPem + ", key-file: " + pki.otherKeyPem + "}");
        assertEquals("gateway.providers.p.tls.key-file: the key in " + pki.otherKeyPem
                + " does not belong to the certificate in cert-file", message);
        String body = key.substring(key.indexOf('\n') + 1, key.indexOf("-----END"));
        for (String line : body.split("\n")) {
            assertFalse(!line.isBlank() && message.contains(line.trim()), "no key material in messages");
        }
    }
}
