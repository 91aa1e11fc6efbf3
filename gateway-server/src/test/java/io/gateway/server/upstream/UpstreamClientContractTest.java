package io.gateway.server.upstream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.upstream.UpstreamClient;
import io.gateway.spi.upstream.UpstreamRequest;
import io.gateway.spi.upstream.UpstreamResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ServerSocketFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link io.gateway.spi.upstream.UpstreamClient} contract against raw sockets that answer exactly
 * the bytes each test scripts; each implementation runs it through a subclass.
 */
abstract class UpstreamClientContractTest {

    /**
     * A new client of the implementation under test.
     *
     * @param connectTimeout the connect timeout
     * @param tls            the TLS context, or null for the JDK's default
     * @return the client (it must implement AutoCloseable: one test closes it)
     */
    abstract UpstreamClient newClient(Duration connectTimeout, SSLContext tls);

    /**
     * Idle connections the client pools now, or -1 when the implementation cannot tell.
     *
     * @param client a client from {@link #newClient}
     * @return the count
     */
    abstract int idleConnections(UpstreamClient client);

    private void assertIdle(int expected, UpstreamClient client) {
        int idle = idleConnections(client);
        if (idle >= 0) {
            assertEquals(expected, idle);
        }
    }

    static final Clock CLOCK = Clock.systemUTC();
    private final List<RawServer> servers = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(RawServer::close);
    }

    /** What a scripted connection does: read requests, write answers. */
    interface Script {
        void run(Connection connection, int index) throws Exception;
    }

    /** One accepted connection with helpers to read a request and write raw text. */
    static final class Connection {
        final Socket socket;
        final InputStream in;
        final OutputStream out;

        Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        /** Reads one request (head and Content-Length body); null at EOF. */
        String readRequest() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int last = 0;
            while (last != 0x0d0a0d0a) {
                int b = in.read();
                if (b < 0) {
                    return null;
                }
                head.write(b);
                last = (last << 8) | b;
            }
            String text = head.toString(StandardCharsets.ISO_8859_1);
            int length = 0;
            for (String line : text.split("\r\n")) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            byte[] body = in.readNBytes(length);
            return text + new String(body, StandardCharsets.UTF_8);
        }

        void write(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    /** A loopback server running one script per accepted connection. */
    static final class RawServer implements AutoCloseable {
        final ServerSocket socket;
        final AtomicInteger accepted = new AtomicInteger();
        final List<String> requests = new CopyOnWriteArrayList<>();
        final List<Throwable> failures = new CopyOnWriteArrayList<>();

        RawServer(ServerSocketFactory factory, Script script) throws IOException {
            socket = factory.createServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket accepted = socket.accept();
                        int index = this.accepted.getAndIncrement();
                        Thread.ofVirtual().start(() -> {
                            try (accepted) {
                                script.run(new Connection(accepted), index);
                            } catch (Exception e) {
                                failures.add(e);
                            }
                        });
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private RawServer server(Script script) throws IOException {
        RawServer server = new RawServer(ServerSocketFactory.getDefault(), script);
        servers.add(server);
        return server;
    }

    /** Answers every request on a connection with the same fixed response, keeping it alive. */
    private RawServer answering(String response, List<String> seen) throws IOException {
        return server((c, i) -> {
            String request;
            while ((request = c.readRequest()) != null) {
                seen.add(request);
                c.write(response);
            }
        });
    }

    private static UpstreamRequest post(int port, String body, boolean stream, Duration timeout) {
        return request("POST", URI.create("http://127.0.0.1:" + port + "/v1/chat/completions?x=1"),
                Headers.of("content-type", "application/json", "authorization", "Bearer k"),
                body.getBytes(StandardCharsets.UTF_8), stream, Instant.now().plus(timeout), Duration.ofSeconds(2));
    }

    private static UpstreamRequest post(int port) {
        return post(port, "{\"model\":\"m\"}", false, Duration.ofSeconds(5));
    }

    private UpstreamClient client() {
        return newClient(Duration.ofSeconds(2), null);
    }

    @Test
    void sendsTheRequestAndReadsAContentLengthBody() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        RawServer server = answering("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Ratelimit-Remaining: 9\r\n"
                + "Content-Length: 11\r\n\r\n{\"ok\":true}", seen);
        UpstreamClient client = client();
        try (UpstreamResponse response = client.send(post(server.port()))) {
            assertEquals(200, response.status());
            assertEquals("9", response.headers().first("x-ratelimit-remaining").orElseThrow());
            assertEquals("{\"ok\":true}", new String(response.body(), StandardCharsets.UTF_8));
        }
        String request = seen.get(0);
        assertTrue(request.startsWith("POST /v1/chat/completions?x=1 HTTP/1.1\r\n"), request);
        String lower = request.toLowerCase(java.util.Locale.ROOT); // header names are case-insensitive
        assertTrue(lower.contains("\r\nhost: 127.0.0.1:" + server.port() + "\r\n"), request);
        assertTrue(lower.contains("\r\ncontent-length: 13\r\n"), request);
        assertTrue(request.contains("\r\nauthorization: Bearer k\r\n")
                || request.contains("\r\nAuthorization: Bearer k\r\n"), request);
        assertTrue(request.endsWith("\r\n\r\n{\"model\":\"m\"}"), request);
    }

    @Test
    void reusesAConnectionWhoseAnswerWasReadToItsEnd() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        RawServer server = answering("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", seen);
        UpstreamClient client = client();
        for (int i = 0; i < 20; i++) {
            try (UpstreamResponse response = client.send(post(server.port()))) {
                assertEquals("ok", new String(response.body(), StandardCharsets.UTF_8));
            }
        }
        assertEquals(20, seen.size());
        assertEquals(1, server.accepted.get(), "one keep-alive connection serves all calls");
        assertIdle(1, client);
    }

    @Test
    void aClosedClientClosesItsIdleConnectionsAndPoolsNoMore() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        RawServer server = answering("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", seen);
        UpstreamClient client = client();
        try (UpstreamResponse response = client.send(post(server.port()))) {
            assertEquals("ok", new String(response.body(), StandardCharsets.UTF_8));
        }
        assertIdle(1, client);
        ((AutoCloseable) client).close();
        assertIdle(0, client);
        try (UpstreamResponse response = client.send(post(server.port()))) {
            assertEquals("ok", new String(response.body(), StandardCharsets.UTF_8));
        }
        assertIdle(0, client);
        assertEquals(2, server.accepted.get());
    }

    @Test
    void closingBeforeTheEndDiscardsTheConnection() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        RawServer server = answering("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", seen);
        UpstreamClient client = client();
        client.send(post(server.port())).close();
        try (UpstreamResponse response = client.send(post(server.port()))) {
            assertEquals("ok", new String(response.body(), StandardCharsets.UTF_8));
        }
        assertEquals(2, server.accepted.get());
    }

    @Test
    void readsChunkedBodiesWithExtensionsAndTrailers() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        RawServer server = answering("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;name=value\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nx-trailer: t\r\n\r\n", seen);
        UpstreamClient client = client();
        for (int i = 0; i < 2; i++) {
            try (UpstreamResponse response = client.send(post(server.port()))) {
                assertEquals("hello world", new String(response.body(), StandardCharsets.UTF_8));
            }
        }
        assertEquals(1, server.accepted.get(), "a chunked body read to its last chunk keeps the connection");
    }

    @Test
    void readsABodyDelimitedByTheConnectionsEnd() throws Exception {
        RawServer server = server((c, i) -> {
            c.readRequest();
            c.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end");
        });
        UpstreamClient client = client();
        try (UpstreamResponse response = client.send(post(server.port()))) {
            assertEquals("until the end", new String(response.body(), StandardCharsets.UTF_8));
        }
        assertIdle(0, client);
    }

    @Test
    void skipsInterimAnswersAndHonoursConnectionClose() throws Exception {
        RawServer server = server((c, i) -> {
            c.readRequest();
            c.write("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                    + "HTTP/1.1 201 Created\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx");
        });
        UpstreamClient client = client();
        try (UpstreamResponse response = client.send(post(server.port()))) {
            assertEquals(201, response.status());
            assertEquals("x", new String(response.body(), StandardCharsets.UTF_8));
        }
        assertIdle(0, client);
    }

    @Test
    void retriesOnceWhenAPooledConnectionWasClosedByTheUpstream() throws Exception {
        // every connection serves one answer (keep-alive announced) and then closes
        RawServer server = server((c, i) -> {
            c.readRequest();
            c.write("HTTP/1.1 200 OK\r\nContent-Length: " + String.valueOf(i).length() + "\r\n\r\n" + i);
        });
        UpstreamClient client = client();
        try (UpstreamResponse response = client.send(post(server.port()))) {
            assertEquals("0", new String(response.body(), StandardCharsets.UTF_8));
        }
        Thread.sleep(100); // the upstream has closed the pooled connection
        try (UpstreamResponse response = client.send(post(server.port()))) {
            assertEquals("1", new String(response.body(), StandardCharsets.UTF_8));
        }
        assertEquals(2, server.accepted.get());
    }

    @Test
    void aFreshConnectionClosedWithoutAnAnswerIsA502() throws Exception {
        RawServer server = server((c, i) -> c.readRequest());
        GatewayException e = assertThrows(GatewayException.class, () -> client().send(post(server.port())));
        assertEquals(502, e.errorCode().status());
        assertTrue(e.getMessage().contains("closed the connection without answering"), e.getMessage());
    }

    @Test
    void aBodyCutShortIsA502() throws Exception {
        RawServer server = server((c, i) -> {
            c.readRequest();
            c.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this");
        });
        try (UpstreamResponse response = client().send(post(server.port()))) {
            GatewayException e = assertThrows(GatewayException.class, response::body);
            assertEquals(502, e.errorCode().status());
        }
    }

    @Test
    void aTruncatedChunkedStreamIsAnErrorNotAnEnd() throws Exception {
        RawServer server = server((c, i) -> {
            c.readRequest();
            c.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "f\r\ndata: {\"a\":1}\n\n\r\n");
        });
        try (UpstreamResponse response = client().send(post(server.port(), "{}", true, Duration.ofSeconds(5)))) {
            EventStream events = response.events();
            assertEquals("{\"a\":1}", events.next().data());
            GatewayException e = assertThrows(GatewayException.class, events::next);
            assertEquals(502, e.errorCode().status());
        }
    }

    @Test
    void streamsEventsAsTheyArrive() throws Exception {
        CountDownLatch second = new CountDownLatch(1);
        RawServer server = server((c, i) -> {
            c.readRequest();
            c.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "f\r\ndata: {\"n\":1}\n\n\r\n");
            second.await(5, TimeUnit.SECONDS);
            c.write("f\r\ndata: {\"n\":2}\n\n\r\ne\r\ndata: [DONE]\n\n\r\n0\r\n\r\n");
        });
        try (UpstreamResponse response = client().send(post(server.port(), "{}", true, Duration.ofSeconds(5)))) {
            EventStream events = response.events();
            assertEquals("{\"n\":1}", events.next().data(), "the first event arrives before the second is sent");
            second.countDown();
            assertEquals("{\"n\":2}", events.next().data());
            StreamEvent done = events.next();
            assertEquals("[DONE]", done.data());
            assertNull(events.next());
        }
    }

    @Test
    void aStreamIdleLongerThanItsIdleTimeoutIsA504() throws Exception {
        RawServer server = server((c, i) -> {
            c.readRequest();
            c.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
            Thread.sleep(3000);
        });
        UpstreamRequest request = request("POST", URI.create("http://127.0.0.1:" + server.port() + "/"),
                Headers.empty(), new byte[] {'{', '}'}, true, Instant.now().plusSeconds(30), Duration.ofMillis(300));
        try (UpstreamResponse response = client().send(request)) {
            long start = System.nanoTime();
            GatewayException e = assertThrows(GatewayException.class, () -> response.events().next());
            assertEquals(504, e.errorCode().status());
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(took >= 250 && took < 2000, "idle timeout took " + took + " ms");
        }
    }

    @Test
    void theDeadlineHoldsForABodyThatTrickles() throws Exception {
        RawServer server = server((c, i) -> {
            c.readRequest();
            c.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
            for (int b = 0; b < 100; b++) {
                c.write("x");
                Thread.sleep(50);
            }
        });
        long start = System.nanoTime();
        GatewayException e = assertThrows(GatewayException.class, () -> {
            try (UpstreamResponse response = client().send(post(server.port(), "{}", false, Duration.ofMillis(600)))) {
                response.body();
            }
        });
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(504, e.errorCode().status());
        assertTrue(took >= 550 && took < 1500, "deadline took " + took + " ms");
    }

    @Test
    void anUpstreamThatStopsReadingALargeBodyIsA504AtTheDeadline() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        RawServer server = server((c, i) -> done.await(10, TimeUnit.SECONDS)); // accepts, never reads
        byte[] body = new byte[16 * 1024 * 1024];
        java.util.Arrays.fill(body, (byte) 'x');
        UpstreamRequest request = request("POST", URI.create("http://127.0.0.1:" + server.port() + "/"),
                Headers.empty(), body, false, Instant.now().plusMillis(700), Duration.ofSeconds(30));
        long start = System.nanoTime();
        GatewayException e = assertThrows(GatewayException.class, () -> client().send(request));
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        done.countDown();
        assertEquals(504, e.errorCode().status(), e.getMessage());
        assertTrue(took >= 600 && took < 3000, "took " + took + " ms");
    }

    @Test
    void closingFromAnotherThreadUnblocksARead() throws Exception {
        RawServer server = server((c, i) -> {
            c.readRequest();
            c.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
            Thread.sleep(5000);
        });
        UpstreamResponse response = client().send(post(server.port(), "{}", true, Duration.ofSeconds(30)));
        EventStream events = response.events();
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            events.close();
        });
        long start = System.nanoTime();
        assertNull(events.next(), "a stream closed by the caller ends");
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2));
    }

    @Test
    void invalidAnswersAre502WithAMessage() throws Exception {
        for (String answer : List.of("SMTP ready\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
                "HTTP/1.1 200 OK\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n")) {
            RawServer server = server((c, i) -> {
                c.readRequest();
                c.write(answer);
            });
            GatewayException e = assertThrows(GatewayException.class, () -> client().send(post(server.port())),
                    answer.substring(0, Math.min(20, answer.length())));
            assertEquals(502, e.errorCode().status(), answer.substring(0, Math.min(20, answer.length())));
            assertTrue(e.getMessage().contains("invalid HTTP answer"), e.getMessage());
        }
    }

    @Test
    void connectionRefusedIsA502NamingTheUpstream() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        GatewayException e = assertThrows(GatewayException.class, () -> client().send(post(port)));
        assertEquals(502, e.errorCode().status());
        assertTrue(e.getMessage().contains("cannot reach the provider at http://127.0.0.1:" + port), e.getMessage());
    }

    @Test
    void aHeaderValueWithALineBreakIsRefusedWithoutEchoingIt() throws Exception {
        RawServer server = answering("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", new CopyOnWriteArrayList<>());
        UpstreamRequest request = request("POST", URI.create("http://127.0.0.1:" + server.port() + "/"),
                Headers.of("authorization", "Bearer sk-secret\n"), new byte[0], false, Instant.now().plusSeconds(5),
                Duration.ofSeconds(5));
        GatewayException e = assertThrows(GatewayException.class, () -> client().send(request));
        assertTrue(e.getMessage().contains("'authorization'"), e.getMessage());
        assertTrue(!e.getMessage().contains("sk-secret"), e.getMessage());
        assertEquals(0, server.accepted.get(), "nothing was sent");
    }

    @Test
    void noBodyForHeadOr204() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        RawServer server = answering("HTTP/1.1 204 No Content\r\n\r\n", seen);
        UpstreamClient client = client();
        for (int i = 0; i < 3; i++) {
            try (UpstreamResponse response = client.send(post(server.port()))) {
                assertEquals(204, response.status());
                assertArrayEquals(new byte[0], response.body());
            }
        }
        assertEquals(1, server.accepted.get());
    }

    @Test
    void tlsWithHostNameVerification(@TempDir Path dir) throws Exception {
        Path keystore = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "upstream", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, keytool.waitFor(), output);
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, "changeit".toCharArray());
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(keys.getKeyManagers(), null, null);
        SSLContext clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, trust.getTrustManagers(), null);

        RawServer server = new RawServer(serverContext.getServerSocketFactory(), (c, i) -> {
            String request;
            while ((request = c.readRequest()) != null) {
                c.write("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecure");
            }
        });
        servers.add(server);
        UpstreamClient client = newClient(Duration.ofSeconds(2), clientContext);
        for (int i = 0; i < 3; i++) {
            UpstreamRequest request = request("POST", URI.create("https://localhost:" + server.port() + "/v1"),
                    Headers.empty(), new byte[] {'{', '}'}, false, Instant.now().plusSeconds(5), Duration.ofSeconds(5));
            try (UpstreamResponse response = client.send(request)) {
                assertEquals("secure", new String(response.body(), StandardCharsets.UTF_8));
            }
        }
        assertEquals(1, server.accepted.get());

        // the certificate names localhost, not 127.0.0.1: the handshake must fail
        UpstreamRequest byAddress = request("POST", URI.create("https://127.0.0.1:" + server.port() + "/v1"),
                Headers.empty(), new byte[] {'{', '}'}, false, Instant.now().plusSeconds(5), Duration.ofSeconds(5));
        GatewayException e = assertThrows(GatewayException.class, () -> client.send(byAddress));
        assertEquals(502, e.errorCode().status());
        assertTrue(e.getMessage().startsWith("TLS with the provider at https://127.0.0.1:"), e.getMessage());

        // a TLS stream that goes silent ends with the idle timeout: the reaper's abort reaches a TLS read too
        RawServer silent = new RawServer(serverContext.getServerSocketFactory(), (c, i) -> {
            c.readRequest();
            c.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "f\r\ndata: {\"n\":1}\n\n\r\n");
            Thread.sleep(5000);
        });
        servers.add(silent);
        UpstreamRequest stream = request("POST", URI.create("https://localhost:" + silent.port() + "/v1"),
                Headers.empty(), new byte[] {'{', '}'}, true, Instant.now().plusSeconds(30), Duration.ofMillis(300));
        try (UpstreamResponse response = client.send(stream)) {
            EventStream events = response.events();
            assertEquals("{\"n\":1}", events.next().data());
            long start = System.nanoTime();
            GatewayException idle = assertThrows(GatewayException.class, events::next);
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(504, idle.errorCode().status(), idle.getMessage());
            assertTrue(took >= 250 && took < 2000, "idle timeout took " + took + " ms");
        }
    }

    @Test
    void headerLinesLongerThanTheFirstBufferAreReadUpToTheLimit() throws Exception {
        // the gateway's client starts with a 4 KB buffer and grows it once to 16 KB for a longer line
        String big = "b".repeat(16 * 1024 - 2 - "X-Big: ".length());
        List<String> seen = new CopyOnWriteArrayList<>();
        RawServer server = answering("HTTP/1.1 200 OK\r\nX-Small: s\r\nX-Big: " + big + "\r\nContent-Length: 5\r\n\r\n"
                + "hello", seen);
        UpstreamClient client = client();
        for (int i = 0; i < 2; i++) {
            try (UpstreamResponse response = client.send(post(server.port()))) {
                assertEquals(big, response.headers().first("x-big").orElseThrow());
                assertEquals("hello", new String(response.body(), StandardCharsets.UTF_8));
            }
        }
        assertEquals(1, server.accepted.get(), "the grown connection is kept and reused");
    }

    @Test
    void shortTimeoutsDoNotWaitForTheReapersNextLook() throws Exception {
        // The reaper sleeps up to a second between looks; a read whose expiry comes sooner must wake it.
        // Five 100 ms idle timeouts in a row take about 0.5 s; without the wake-up about 4-5 s.
        RawServer server = server((c, i) -> {
            c.readRequest();
            c.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
            Thread.sleep(5000);
        });
        UpstreamClient client = client();
        long start = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            UpstreamRequest request = request("POST", URI.create("http://127.0.0.1:" + server.port() + "/"),
                    Headers.empty(), new byte[] {'{', '}'}, true, Instant.now().plusSeconds(30), Duration.ofMillis(100));
            long one = System.nanoTime();
            try (UpstreamResponse response = client.send(request)) {
                GatewayException e = assertThrows(GatewayException.class, () -> response.events().next());
                assertEquals(504, e.errorCode().status());
            }
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - one);
            assertTrue(took >= 90, "an idle timeout of 100 ms fired after " + took + " ms");
        }
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(took < 2500, "five idle timeouts of 100 ms took " + took + " ms");
    }

    private static UpstreamRequest request(String method, URI uri, Headers headers, byte[] body, boolean stream,
                                           Instant deadline, Duration idleTimeout) {
        return UpstreamRequest.builder(method, uri).headers(headers).body(body).stream(stream).deadline(deadline)
                .idleTimeout(idleTimeout).build();
    }
}
