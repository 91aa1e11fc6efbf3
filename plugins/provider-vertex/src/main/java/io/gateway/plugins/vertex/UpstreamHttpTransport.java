package io.gateway.plugins.vertex;

import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.LowLevelHttpRequest;
import com.google.api.client.http.LowLevelHttpResponse;
import com.google.api.client.util.StreamingContent;
import com.google.auth.http.HttpTransportFactory;
import io.gateway.spi.Headers;
import io.gateway.spi.upstream.UpstreamClient;
import io.gateway.spi.upstream.UpstreamRequest;
import io.gateway.spi.upstream.UpstreamResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Google's HTTP abstraction over the gateway's upstream client, so that the auth library's own requests
 * (the token exchange with {@code oauth2.googleapis.com}, a refresh token grant, a metadata server on Google
 * Cloud) take the provider's proxy and TLS settings like every other call to Google, instead of the JDK
 * connection the library would open by itself.
 *
 * <p>Each request is sent whole and its answer read whole (token answers are small). A failure of the
 * upstream client (connection refused, deadline passed) reaches the auth library as the gateway's own
 * unchecked exception, so the library does not retry it with its back-off: the router decides about
 * retries. {@code accept-encoding} from the library is not sent: the upstream client answers with the
 * body as it decoded it. Thread-safe: one instance serves every refresh of one credential.
 */
final class UpstreamHttpTransport extends HttpTransport implements HttpTransportFactory {

    /** The longest a token request may take when no call deadline bounds it. */
    static final Duration TOKEN_TIMEOUT = Duration.ofSeconds(15);

    private final UpstreamClient client;
    private final Supplier<Instant> deadline;

    /**
     * @param client   the provider's upstream client
     * @param deadline when a request started now must be done; asked per request
     */
    UpstreamHttpTransport(UpstreamClient client, Supplier<Instant> deadline) {
        this.client = client;
        this.deadline = deadline;
    }

    @Override
    public HttpTransport create() {
        return this;
    }

    @Override
    public boolean supportsMethod(String method) {
        return true;
    }

    @Override
    protected LowLevelHttpRequest buildRequest(String method, String url) {
        return new Request(method, url);
    }

    private final class Request extends LowLevelHttpRequest {
        private final String method;
        private final String url;
        private final Headers.Builder headers = Headers.builder();

        Request(String method, String url) {
            this.method = method;
            this.url = url;
        }

        @Override
        public void addHeader(String name, String value) {
            if (!name.equalsIgnoreCase("accept-encoding") && !name.equalsIgnoreCase("content-length")) {
                headers.add(name, value);
            }
        }

        @Override
        public LowLevelHttpResponse execute() throws IOException {
            byte[] body = null;
            StreamingContent content = getStreamingContent();
            if (content != null) {
                ByteArrayOutputStream out = new ByteArrayOutputStream(512);
                content.writeTo(out);
                body = out.toByteArray();
                if (getContentType() != null) {
                    headers.set("content-type", getContentType());
                }
                if (getContentEncoding() != null) {
                    headers.set("content-encoding", getContentEncoding());
                }
            }
            UpstreamRequest request = UpstreamRequest.builder(method, URI.create(url)).headers(headers.build())
                    .body(body).deadline(deadline.get()).build();
            try (UpstreamResponse response = client.send(request)) {
                return new Response(response.status(), response.headers(), response.body());
            }
        }
    }

    private static final class Response extends LowLevelHttpResponse {
        private final int status;
        private final byte[] body;
        private final List<Map.Entry<String, String>> headers = new ArrayList<>();
        private final Headers named;

        Response(int status, Headers headers, byte[] body) {
            this.status = status;
            this.body = body;
            this.named = headers;
            headers.forEach((name, values) -> values.forEach(value -> this.headers.add(Map.entry(name, value))));
        }

        @Override
        public InputStream getContent() {
            return new ByteArrayInputStream(body);
        }

        @Override
        public String getContentEncoding() {
            return named.first("content-encoding").orElse(null);
        }

        @Override
        public long getContentLength() {
            return body.length;
        }

        @Override
        public String getContentType() {
            return named.first("content-type").orElse(null);
        }

        @Override
        public String getStatusLine() {
            return "HTTP/1.1 " + status;
        }

        @Override
        public int getStatusCode() {
            return status;
        }

        @Override
        public String getReasonPhrase() {
            return null;
        }

        @Override
        public int getHeaderCount() {
            return headers.size();
        }

        @Override
        public String getHeaderName(int index) {
            return headers.get(index).getKey().toLowerCase(Locale.ROOT);
        }

        @Override
        public String getHeaderValue(int index) {
            return headers.get(index).getValue();
        }
    }

    @Override
    public String toString() {
        return "UpstreamHttpTransport[" + client + "]";
    }
}
