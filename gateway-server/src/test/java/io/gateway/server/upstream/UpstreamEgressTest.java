package io.gateway.server.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.server.upstream.UpstreamClientContractTest.Connection;
import io.gateway.server.upstream.UpstreamClientContractTest.RawServer;
import io.gateway.server.upstream.UpstreamClientContractTest.Script;
import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.upstream.UpstreamRequest;
import io.gateway.spi.upstream.UpstreamResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import javax.net.ServerSocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upstream client's egress features against real parts on loopback: a forward proxy
 * ({@link ConnectProxy}: absolute-form http and CONNECT-tunnelled https, with and without
 * credentials), {@code NO_PROXY}, a TLS upstream whose certificate a private CA signed (given as a PEM
 * {@code ca-file}), an upstream that requires a client certificate, and gzip answers, whole and streamed.
 */
class UpstreamEgressTest {

    private static final Clock CLOCK = Clock.systemUTC();
    private static final String ANSWER = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[]}";

    @TempDir
    static Path pkiDir;
    private static TestPki pki;
    private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void makePki() throws Exception {
        pki = TestPki.create(pkiDir);
    }

    @AfterAll
    static void forget() {
        pki = null;
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
    }

    private <T extends AutoCloseable> T track(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    private RawServer server(ServerSocketFactory factory, Script script) throws IOException {
        return track(new RawServer(factory, script));
    }

    /** Answers every request on a connection with a fixed chat answer, keeping it alive. */
    private RawServer answering(ServerSocketFactory factory, List<String> seen) throws IOException {
        return server(factory, (c, i) -> {
            String request;
            while ((request = c.readRequest()) != null) {
                seen.add(request);
                c.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + ANSWER.length()
                        + "\r\n\r\n" + ANSWER);
            }
        });
    }

    private static UpstreamRequest post(String url) {
        return UpstreamRequest.builder("POST", URI.create(url))
                .headers(Headers.of("content-type", "application/json", "authorization", "Bearer k"))
                .body("{\"model\":\"m\"}".getBytes(StandardCharsets.UTF_8))
                .deadline(Instant.now().plusSeconds(10)).idleTimeout(Duration.ofSeconds(5)).build();
    }

    private Http1UpstreamClient client(SSLContext tls, UpstreamProxy proxies, boolean gzip) {
        return track(new Http1UpstreamClient(Duration.ofSeconds(2), CLOCK, tls, proxies, gzip));
    }

    private static String body(UpstreamResponse response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    private static SSLContext caOnly() {
        return UpstreamTls.context("gateway.providers.p.tls", pki.caPem, null, null);
    }

    // ---------------------------------------------------------------- proxy

    @Test
    void plainHttpGoesThroughTheProxyInAbsoluteForm() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        RawServer upstream = answering(ServerSocketFactory.getDefault(), seen);
        ConnectProxy proxy = track(ConnectProxy.start());
        Http1UpstreamClient client = client(null, UpstreamProxy.of("http://127.0.0.1:" + proxy.port(), "test"), false);
        for (int i = 0; i < 2; i++) {
            try (UpstreamResponse response = client.send(post("http://127.0.0.1:" + upstream.port()
                    + "/v1/chat/completions?x=1"))) {
                assertEquals(200, response.status());
                assertEquals(ANSWER, body(response));
            }
        }
        assertEquals("POST http://127.0.0.1:" + upstream.port() + "/v1/chat/completions?x=1 HTTP/1.1",
                proxy.seen().get(0).requestLine());
        assertEquals(2, proxy.seen().size(), "both calls went through the proxy");
        assertNull(proxy.seen().get(0).proxyAuthorization(), "no credentials configured, none sent");
        assertTrue(seen.get(0).startsWith("POST /v1/chat/completions?x=1 HTTP/1.1\r\n"), seen.get(0));
        assertTrue(seen.get(0).contains("\r\nauthorization: Bearer k\r\n"), "the provider's own headers arrive");
    }

    @Test
    void httpsIsTunnelledWithConnectAndVerifiedAgainstThePrivateCa() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        RawServer upstream = answering(pki.serverContext(false).getServerSocketFactory(), seen);
        ConnectProxy proxy = track(ConnectProxy.start());
        UpstreamProxy viaProxy = UpstreamProxy.of("127.0.0.1:" + proxy.port(), "test");
        String url = "https://localhost:" + upstream.port() + "/v1/chat/completions";
        Http1UpstreamClient client = client(caOnly(), viaProxy, false);
        for (int i = 0; i < 3; i++) {
            try (UpstreamResponse response = client.send(post(url))) {
                assertEquals(ANSWER, body(response));
            }
        }
        assertEquals(List.of(new ConnectProxy.Seen("CONNECT localhost:" + upstream.port() + " HTTP/1.1", null)),
                proxy.seen(), "one tunnel, kept alive for all three calls");
        assertEquals(1, upstream.accepted.get());
        assertTrue(seen.get(0).startsWith("POST /v1/chat/completions HTTP/1.1\r\n"), "origin form inside the tunnel");

        // without the CA the same upstream is not trusted: the certificate is checked through the tunnel
        Http1UpstreamClient jdkTrust = client(null, viaProxy, false);
        GatewayException e = assertThrows(GatewayException.class, () -> jdkTrust.send(post(url)));
        assertEquals(502, e.errorCode().status());
        assertTrue(e.getMessage().startsWith("TLS with the provider at https://localhost:"), e.getMessage());
    }

    @Test
    void theCaIsTrustedBesidesTheJdksOwn() throws Exception {
        // a CA bundle adds trust anchors: the JDK's public CAs stay trusted
        SSLContext context = caOnly();
        javax.net.ssl.TrustManagerFactory jdk = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        jdk.init((java.security.KeyStore) null);
        int jdkAnchors = ((javax.net.ssl.X509TrustManager) jdk.getTrustManagers()[0]).getAcceptedIssuers().length;
        assertTrue(jdkAnchors > 0, "the JDK ships trust anchors");
        List<String> seen = new CopyOnWriteArrayList<>();
        RawServer upstream = answering(pki.serverContext(false).getServerSocketFactory(), seen);
        try (UpstreamResponse response = client(context, UpstreamProxy.NONE, false)
                .send(post("https://127.0.0.1:" + upstream.port() + "/v1"))) {
            assertEquals(ANSWER, body(response), "the server certificate names 127.0.0.1 too");
        }
    }

    @Test
    void anUpstreamRequiringAClientCertificateGetsOne() throws Exception {
        SSLContext server = pki.serverContext(true);
        ServerSocketFactory requiring = new ServerSocketFactory() {
            @Override
            public ServerSocket createServerSocket(int port) throws IOException {
                throw new UnsupportedOperationException();
            }

            @Override
            public ServerSocket createServerSocket(int port, int backlog) throws IOException {
                throw new UnsupportedOperationException();
            }

            @Override
            public ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
                SSLServerSocket socket = (SSLServerSocket) server.getServerSocketFactory()
                        .createServerSocket(port, backlog, address);
                socket.setNeedClientAuth(true);
                return socket;
            }
        };
        List<String> seen = new CopyOnWriteArrayList<>();
        RawServer upstream = answering(requiring, seen);
        String url = "https://localhost:" + upstream.port() + "/v1/embeddings";
        SSLContext mutual = UpstreamTls.context("gateway.providers.p.tls", pki.caPem, pki.clientCertPem,
                pki.clientKeyPem);
        try (UpstreamResponse response = client(mutual, UpstreamProxy.NONE, false).send(post(url))) {
            assertEquals(ANSWER, body(response));
        }
        assertEquals(1, seen.size());

        // the same client through the CONNECT proxy
        ConnectProxy proxy = track(ConnectProxy.start());
        try (UpstreamResponse response = client(mutual, UpstreamProxy.of("http://127.0.0.1:" + proxy.port(), "t"), false)
                .send(post(url))) {
            assertEquals(ANSWER, body(response));
        }
        assertEquals(1, proxy.seen().size());

        // without the certificate the upstream refuses the connection
        GatewayException e = assertThrows(GatewayException.class, () -> {
            try (UpstreamResponse response = client(caOnly(), UpstreamProxy.NONE, false).send(post(url))) {
                response.body();
            }
        });
        assertEquals(502, e.errorCode().status(), e.getMessage());
        assertEquals(2, seen.size(), "the request without a certificate never reached the upstream");
    }

    @Test
    void noProxyHostsBypassTheEnvironmentsProxy() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        RawServer upstream = answering(ServerSocketFactory.getDefault(), seen);
        ConnectProxy proxy = track(ConnectProxy.start());
        String proxyUrl = "http://127.0.0.1:" + proxy.port();
        UpstreamProxy bypassed = UpstreamProxy.fromEnvironment(Map.of("HTTP_PROXY", proxyUrl,
                "no_proxy", "example.com, 127.0.0.1"));
        try (UpstreamResponse response = client(null, bypassed, false)
                .send(post("http://127.0.0.1:" + upstream.port() + "/v1"))) {
            assertEquals(ANSWER, body(response));
        }
        assertEquals(List.of(), proxy.seen(), "127.0.0.1 is in NO_PROXY");

        UpstreamProxy otherPort = UpstreamProxy.fromEnvironment(Map.of("http_proxy", proxyUrl,
                "NO_PROXY", "127.0.0.1:1"));
        try (UpstreamResponse response = client(null, otherPort, false)
                .send(post("http://127.0.0.1:" + upstream.port() + "/v1"))) {
            assertEquals(ANSWER, body(response));
        }
        assertEquals(1, proxy.seen().size(), "NO_PROXY with another port does not match");
    }

    @Test
    void noProxyFollowsTheUsualRules() {
        UpstreamProxy proxies = UpstreamProxy.fromEnvironment(Map.of(
                "HTTPS_PROXY", "http://proxy.corp:3128",
                "NO_PROXY", "example.com,.internal,*.svc.local,10.0.0.7,[::1]:8443,localhost:8080"));
        assertNull(proxies.select(true, "example.com", 443));
        assertNull(proxies.select(true, "API.Example.COM", 443), "subdomains match, letter case ignored");
        assertEquals("http://proxy.corp:3128", proxies.select(true, "badexample.com", 443).display(),
                "a suffix matches at a dot only");
        assertNull(proxies.select(true, "db.internal", 443));
        assertNull(proxies.select(true, "internal", 443), "a leading dot matches the domain itself too");
        assertNull(proxies.select(true, "a.svc.local", 443));
        assertNull(proxies.select(true, "10.0.0.7", 443));
        assertEquals("HTTPS_PROXY", proxies.select(true, "10.0.0.70", 443).source());
        assertNull(proxies.select(true, "::1", 8443));
        assertTrue(proxies.select(true, "::1", 443) != null, "the port must match when given");
        assertNull(proxies.select(true, "localhost", 8080));
        assertTrue(proxies.select(true, "localhost", 443) != null);
        assertNull(proxies.select(false, "anything.example.org", 80), "no HTTP_PROXY: http goes direct");

        UpstreamProxy all = UpstreamProxy.fromEnvironment(Map.of("HTTP_PROXY", "http://p:1", "NO_PROXY", "*"));
        assertNull(all.select(false, "anywhere.example.org", 80));
        assertTrue(UpstreamProxy.fromEnvironment(Map.of("NO_PROXY", "x")).isEmpty(), "NO_PROXY alone is no proxy");
        assertTrue(UpstreamProxy.fromEnvironment(Map.of("HTTPS_PROXY", " ")).isEmpty(), "empty counts as unset");
        UpstreamProxy upper = UpstreamProxy.fromEnvironment(Map.of("HTTPS_PROXY", "http://upper:1",
                "https_proxy", "http://lower:1"));
        assertEquals("upper", upper.select(true, "x", 443).host(), "the upper-case variable wins");
    }

    @Test
    void badProxyUrlsAreRefusedWithoutShowingThePassword() {
        IllegalArgumentException scheme = assertThrows(IllegalArgumentException.class,
                () -> UpstreamProxy.of("socks5://user:s3cret@proxy:1080", "gateway.providers.a.proxy"));
        assertTrue(scheme.getMessage().startsWith("gateway.providers.a.proxy: proxy scheme 'socks5' is not supported"),
                scheme.getMessage());
        assertFalse(scheme.getMessage().contains("s3cret"));
        IllegalArgumentException path = assertThrows(IllegalArgumentException.class,
                () -> UpstreamProxy.of("http://user:s3cret@proxy:3128/path", "HTTPS_PROXY"));
        assertTrue(path.getMessage().startsWith("HTTPS_PROXY: a proxy URL has no path"), path.getMessage());
        assertFalse(path.getMessage().contains("s3cret"));
        IllegalArgumentException noProxy = assertThrows(IllegalArgumentException.class,
                () -> UpstreamProxy.fromEnvironment(Map.of("HTTPS_PROXY", "http://p:1", "NO_PROXY", "host:port")));
        assertTrue(noProxy.getMessage().startsWith("NO_PROXY: 'host:port' has no valid port"), noProxy.getMessage());
        UpstreamProxy withPassword = UpstreamProxy.of("http://user:s3cret@proxy:3128", "k");
        assertFalse(withPassword.toString().contains("s3cret"), withPassword.toString());
        assertFalse(withPassword.select(true, "h", 443).toString().contains("s3cret"));
    }

    @Test
    void aProxyAskingForCredentialsIsA502NamingTheProxyNeverThePassword() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        RawServer tlsUpstream = answering(pki.serverContext(false).getServerSocketFactory(), seen);
        RawServer plainUpstream = answering(ServerSocketFactory.getDefault(), seen);
        ConnectProxy proxy = track(ConnectProxy.requiring("gw", "p@ss:word"));
        String https = "https://localhost:" + tlsUpstream.port() + "/v1";
        String http = "http://127.0.0.1:" + plainUpstream.port() + "/v1";

        Http1UpstreamClient anonymous = client(caOnly(), UpstreamProxy.of("http://127.0.0.1:" + proxy.port(), "HTTPS_PROXY"),
                false);
        for (String url : List.of(https, http)) {
            GatewayException e = assertThrows(GatewayException.class, () -> anonymous.send(post(url)));
            assertEquals(502, e.errorCode().status());
            assertEquals("provider_connection_failed", e.errorCode().code());
            assertTrue(e.getMessage().startsWith("the proxy at http://127.0.0.1:" + proxy.port()
                    + " (HTTPS_PROXY) answered 407 Proxy Authentication Required"), e.getMessage());
            assertTrue(e.getMessage().contains("give the proxy's user and password in the proxy URL"), e.getMessage());
        }

        Http1UpstreamClient wrong = client(caOnly(), UpstreamProxy.of("http://gw:wr0ng@127.0.0.1:" + proxy.port(),
                "gateway.providers.p.proxy"), false);
        GatewayException e = assertThrows(GatewayException.class, () -> wrong.send(post(https)));
        assertEquals(502, e.errorCode().status());
        assertTrue(e.getMessage().contains("refused the user and password in the proxy URL"), e.getMessage());
        assertFalse(e.getMessage().contains("wr0ng"), e.getMessage());
        assertTrue(seen.isEmpty(), "nothing reached the upstreams");

        Http1UpstreamClient right = client(caOnly(), UpstreamProxy.of("http://gw:p%40ss%3Aword@127.0.0.1:"
                + proxy.port(), "k"), false);
        for (String url : List.of(https, http)) {
            try (UpstreamResponse response = right.send(post(url))) {
                assertEquals(ANSWER, body(response));
            }
        }
        String expected = "Basic " + java.util.Base64.getEncoder().encodeToString("gw:p@ss:word".getBytes(
                StandardCharsets.UTF_8));
        assertEquals(expected, proxy.seen().get(proxy.seen().size() - 1).proxyAuthorization());
        assertTrue(seen.get(seen.size() - 1).toLowerCase(java.util.Locale.ROOT).indexOf("proxy-authorization") < 0,
                "the proxy credentials stop at the proxy");
    }

    @Test
    void anUnreachableProxyIsA502NamingIt() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Http1UpstreamClient client = client(null, UpstreamProxy.of("http://u:s3cret@127.0.0.1:" + port, "HTTP_PROXY"), false);
        GatewayException e = assertThrows(GatewayException.class, () -> client.send(post("http://example.invalid/v1")));
        assertEquals(502, e.errorCode().status());
        assertTrue(e.getMessage().startsWith("cannot reach the proxy at http://127.0.0.1:" + port + " (HTTP_PROXY) "
                + "for the provider at http://example.invalid"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret"));
    }

    // ---------------------------------------------------------------- gzip

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    private static void writeGzipAnswer(Connection c, byte[] body) throws IOException {
        c.out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        c.out.write(body);
        c.out.flush();
    }

    @Test
    void gzipAnswersAreDecodedAndTheEncodingIsNotHandedOn() throws Exception {
        String large = "{\"data\":[" + "0.0123456789,".repeat(20_000) + "1]}";
        byte[] compressed = gzip(large);
        List<String> seen = new CopyOnWriteArrayList<>();
        RawServer upstream = server(ServerSocketFactory.getDefault(), (c, i) -> {
            String request;
            while ((request = c.readRequest()) != null) {
                seen.add(request);
                writeGzipAnswer(c, compressed);
            }
        });
        Http1UpstreamClient client = client(null, UpstreamProxy.NONE, true);
        UpstreamRequest withOwnEncoding = UpstreamRequest.builder("POST",
                        URI.create("http://127.0.0.1:" + upstream.port() + "/v1/embeddings"))
                .headers(Headers.of("accept-encoding", "br")).body(new byte[] {'{', '}'}).build();
        for (int i = 0; i < 2; i++) {
            try (UpstreamResponse response = client.send(withOwnEncoding)) {
                assertFalse(response.headers().contains("content-encoding"));
                assertFalse(response.headers().contains("content-length"), "the wire length is not the body's");
                assertEquals("application/json", response.headers().first("content-type").orElseThrow());
                assertEquals(large, body(response));
            }
        }
        assertTrue(compressed.length * 5 < large.length(), "the answer really was compressed");
        assertEquals(1, upstream.accepted.get(), "a decoded answer read to its end keeps the connection");
        assertTrue(seen.get(0).contains("\r\naccept-encoding: gzip\r\n"), seen.get(0));
        assertFalse(seen.get(0).contains("accept-encoding: br"), "the client owns Accept-Encoding");

        // without accept-gzip nothing is asked for, and a gzip answer sent anyway is still decoded
        seen.clear();
        try (UpstreamResponse response = client(null, UpstreamProxy.NONE, false).send(withOwnEncoding)) {
            assertEquals(large, body(response));
        }
        assertFalse(seen.get(0).toLowerCase(java.util.Locale.ROOT).contains("accept-encoding"), seen.get(0));
    }

    @Test
    void aGzipStreamIsDecodedEventByEvent() throws Exception {
        CountDownLatch second = new CountDownLatch(1);
        RawServer upstream = server(ServerSocketFactory.getDefault(), (c, i) -> {
            c.readRequest();
            c.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Encoding: gzip\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n");
            OutputStream chunked = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (len == 0) {
                        return;
                    }
                    c.out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    c.out.write(b, off, len);
                    c.out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    c.out.flush();
                }
            };
            GZIPOutputStream gzip = new GZIPOutputStream(chunked, true);
            gzip.write("data: {\"n\":1}\n\n".getBytes(StandardCharsets.UTF_8));
            gzip.flush();
            second.await(5, TimeUnit.SECONDS);
            gzip.write("data: {\"n\":2}\n\ndata: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            gzip.finish();
            c.write("0\r\n\r\n");
        });
        UpstreamRequest request = UpstreamRequest.builder("POST", URI.create("http://127.0.0.1:" + upstream.port()
                + "/v1/chat/completions")).body(new byte[] {'{', '}'}).stream(true).idleTimeout(Duration.ofSeconds(5))
                .build();
        try (UpstreamResponse response = client(null, UpstreamProxy.NONE, true).send(request)) {
            EventStream events = response.events();
            assertEquals("{\"n\":1}", events.next().data(), "the first event arrives before the second is sent");
            second.countDown();
            assertEquals("{\"n\":2}", events.next().data());
            assertEquals("[DONE]", events.next().data());
            assertNull(events.next());
        }
    }

    @Test
    void severalGzipMembersAreOneBodyAndALyingSizeTrailerIsCorrupt() throws Exception {
        ByteArrayOutputStream twoMembers = new ByteArrayOutputStream();
        twoMembers.writeBytes(gzip("{\"first\":"));
        twoMembers.writeBytes(gzip("\"second\"}"));
        byte[] lying = gzip(ANSWER);
        lying[lying.length - 1] = 0x7f; // the size trailer now claims about 2 GB
        List<byte[]> answers = List.of(twoMembers.toByteArray(), lying);
        RawServer upstream = server(ServerSocketFactory.getDefault(), (c, i) -> {
            c.readRequest();
            writeGzipAnswer(c, answers.get(i));
        });
        Http1UpstreamClient client = client(null, UpstreamProxy.NONE, true);
        try (UpstreamResponse response = client.send(post("http://127.0.0.1:" + upstream.port() + "/v1"))) {
            assertEquals("{\"first\":\"second\"}", body(response));
        }
        try (UpstreamResponse response = client.send(post("http://127.0.0.1:" + upstream.port() + "/v1"))) {
            GatewayException e = assertThrows(GatewayException.class, response::body);
            assertEquals("invalid_upstream_response", e.errorCode().code());
        }
    }

    @Test
    void corruptOrUnsupportedEncodingsAre502InvalidAnswers() throws Exception {
        RawServer corrupt = server(ServerSocketFactory.getDefault(), (c, i) -> {
            c.readRequest();
            writeGzipAnswer(c, "not gzip at all".getBytes(StandardCharsets.US_ASCII));
        });
        try (UpstreamResponse response = client(null, UpstreamProxy.NONE, true)
                .send(post("http://127.0.0.1:" + corrupt.port() + "/v1"))) {
            GatewayException e = assertThrows(GatewayException.class, response::body);
            assertEquals(502, e.errorCode().status());
            assertEquals("invalid_upstream_response", e.errorCode().code());
        }
        RawServer brotli = server(ServerSocketFactory.getDefault(), (c, i) -> {
            c.readRequest();
            c.write("HTTP/1.1 200 OK\r\nContent-Encoding: br\r\nContent-Length: 2\r\n\r\nxx");
        });
        GatewayException e = assertThrows(GatewayException.class, () -> client(null, UpstreamProxy.NONE, true)
                .send(post("http://127.0.0.1:" + brotli.port() + "/v1")));
        assertEquals("invalid_upstream_response", e.errorCode().code());
        assertTrue(e.getMessage().contains("Content-Encoding 'br' is not supported"), e.getMessage());
    }
}
