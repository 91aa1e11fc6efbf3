package io.gateway.testkit.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Small HTTP helpers for the tests: a java.net.http client and a raw socket client. */
final class TestHttp {

    private TestHttp() {
    }

    static HttpClient client() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    static HttpRequest post(URI uri, String json) {
        return HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build();
    }

    static HttpRequest get(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET().build();
    }

    static HttpResponse<String> send(HttpClient client, HttpRequest request) throws IOException, InterruptedException {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Opens a raw socket to the upstream and writes a complete HTTP/1.1 POST. */
    static Socket rawPost(FakeUpstream upstream, String path, String body) throws IOException {
        Socket socket = new Socket("127.0.0.1", upstream.port());
        socket.setSoTimeout(20_000);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + upstream.port() + "\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: " + bytes.length + "\r\n"
                + "\r\n";
        OutputStream out = socket.getOutputStream();
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
        return socket;
    }

    /** Reads from a raw socket until the accumulated text contains {@code marker}. */
    static String readUntil(InputStream in, StringBuilder seen, String marker) {
        byte[] buffer = new byte[4096];
        try {
            while (seen.indexOf(marker) < 0) {
                int n = in.read(buffer);
                if (n < 0) {
                    throw new IllegalStateException("stream ended before \"" + marker + "\"; got: " + seen);
                }
                seen.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            }
            return seen.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a raw socket to its end. */
    static String readToEnd(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
}
