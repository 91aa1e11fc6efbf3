package io.gateway.testkit;

import io.gateway.spi.JsonBodies;
import io.gateway.spi.upstream.UpstreamClient;
import io.gateway.spi.upstream.UpstreamRequest;
import io.gateway.spi.upstream.UpstreamResponse;
import jakarta.json.JsonObject;
import java.util.List;

/**
 * An {@link UpstreamClient} of the test kit that remembers what a plugin sent and whether it released
 * every answer: {@link ScriptedUpstream} (canned answers, no network) and {@link HttpUpstream} (real
 * HTTP, to a fake upstream). Implementations are thread-safe.
 */
public interface RecordingUpstream extends UpstreamClient {

    /**
     * Every request sent, in order, as the plugin built it (URI, headers with credentials, body,
     * stream flag, deadline, idle timeout).
     *
     * @return a snapshot
     */
    List<UpstreamRequest> requests();

    /**
     * The answers handed to the plugin, in the order of {@link #requests()} (a request that failed
     * before an answer has none).
     *
     * @return a snapshot
     */
    List<TrackedResponse> responses();

    /**
     * The last request sent.
     *
     * @return the request
     * @throws AssertionError when none was sent
     */
    default UpstreamRequest lastRequest() {
        List<UpstreamRequest> all = requests();
        if (all.isEmpty()) {
            throw new AssertionError("the plugin sent no upstream request");
        }
        return all.get(all.size() - 1);
    }

    /**
     * The body of the last request, parsed.
     *
     * @return the JSON object
     * @throws AssertionError when no request was sent or it had no body
     */
    default JsonObject lastBody() {
        byte[] body = lastRequest().body();
        if (body == null) {
            throw new AssertionError("the last upstream request had no body: " + lastRequest());
        }
        return JsonBodies.parse(body);
    }

    /**
     * The last answer handed to the plugin.
     *
     * @return the answer
     * @throws AssertionError when none was
     */
    default TrackedResponse lastResponse() {
        List<TrackedResponse> all = responses();
        if (all.isEmpty()) {
            throw new AssertionError("no upstream answer was handed to the plugin");
        }
        return all.get(all.size() - 1);
    }

    /**
     * Fails unless the plugin released every answer it got (read its body to the end, or closed it),
     * as the SPI requires: an answer left open holds a pooled connection in the server.
     *
     * @throws AssertionError naming the first answer left open
     */
    default void assertAllReleased() {
        for (TrackedResponse response : responses()) {
            if (!response.released()) {
                throw new AssertionError("the plugin neither read nor closed the answer to " + response.request()
                        + " (status " + response.status() + "); read its body or close it");
            }
        }
    }

    /**
     * An answer as handed to the plugin, with what the plugin did with it.
     */
    interface TrackedResponse extends UpstreamResponse {

        /**
         * The request it answers.
         *
         * @return the request
         */
        UpstreamRequest request();

        /**
         * Whether the plugin closed it (directly, or by closing its event stream or input stream).
         *
         * @return {@code true} once closed
         */
        boolean closed();

        /**
         * Whether the plugin read the body to its end.
         *
         * @return {@code true} once fully read
         */
        boolean fullyRead();

        /**
         * Whether the answer no longer holds a connection: read to its end or closed.
         *
         * @return {@code true} when released
         */
        default boolean released() {
            return closed() || fullyRead();
        }
    }
}
