package io.gateway.server.routing;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Operation;
import io.gateway.spi.Provider;
import io.gateway.spi.ProviderCall;
import io.gateway.spi.Response;
import io.gateway.spi.StreamEvent;
import java.time.Duration;
import java.util.Set;

/**
 * One configured provider as the router uses it: the plugin's {@link Provider}, its keys and its
 * timeouts. Calls into the plugin run with the plugin's class loader as the thread's context class
 * loader, including each pull of a stream.
 *
 * @param name              the provider name (prefix of {@code provider/model})
 * @param type              the plugin type serving it
 * @param pluginId          the plugin's id
 * @param provider          the plugin's provider instance
 * @param classLoader       the plugin's class loader
 * @param keys              its keys
 * @param timeout           deadline of a non-streaming call
 * @param streamIdleTimeout longest gap between stream events
 * @param emptyKeyHints     for keys whose value is empty: how to fix it (names the variable)
 * @param maxRetries        attempts after the first on retryable failures
 * @param backoff           delays between retries
 * @param limit             the bound on calls in flight and waiting
 * @param fallbacks         default fallbacks ({@code provider/model}) when the request names none
 */
public record ProviderRuntime(String name, String type, String pluginId, Provider provider, ClassLoader classLoader,
                              WeightedKeySelector keys, Duration timeout, Duration streamIdleTimeout,
                              java.util.Map<String, String> emptyKeyHints, int maxRetries, Backoff backoff,
                              ConcurrencyLimit limit, java.util.List<String> fallbacks) {

    /** Copies the collections. */
    public ProviderRuntime {
        emptyKeyHints = java.util.Map.copyOf(emptyKeyHints);
        fallbacks = java.util.List.copyOf(fallbacks);
    }

    /**
     * The operations the plugin offers.
     *
     * @return the operations
     */
    public Set<Operation> operations() {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(classLoader);
        try {
            return provider.operations();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /**
     * Calls the plugin.
     *
     * @param call the call
     * @return its response, streams wrapped so every pull runs in the plugin's context
     * @throws GatewayException as the plugin throws it; other exceptions become 500
     */
    public Response call(ProviderCall call) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(classLoader);
        try {
            Response response = provider.call(call);
            if (response == null) {
                throw GatewayException.of(ErrorCode.INTERNAL, "provider " + name + " returned no response");
            }
            if (response instanceof Response.Streaming streaming) {
                return streaming.withEvents(new PluginEventStream(streaming.events(), classLoader, name));
            }
            Response.Complete complete = (Response.Complete) response;
            if (complete.isUnparsedBytes()) {
                AnswerScanner.scan(complete.bytes(), name);
            }
            return complete;
        } catch (GatewayException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) {
            throw new GatewayException(ErrorCode.INTERNAL, "provider " + name + " (plugin " + pluginId
                    + ") failed unexpectedly; see the gateway log", null, null, e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** Runs each pull and close of a plugin's stream in the plugin's class loader context. */
    private record PluginEventStream(EventStream events, ClassLoader classLoader, String name) implements EventStream {
        @Override
        public StreamEvent next() {
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            thread.setContextClassLoader(classLoader);
            try {
                StreamEvent event = events.next();
                if (event != null && !event.isDone()) {
                    AnswerScanner.scanEvent(event.data(), name);
                }
                return event;
            } catch (GatewayException e) {
                if (e.errorCode() == ErrorCode.BAD_UPSTREAM_RESPONSE) {
                    close(); // stop reading a stream that sent garbage
                }
                throw e;
            } catch (RuntimeException | LinkageError e) {
                throw new GatewayException(ErrorCode.INTERNAL, "provider " + name
                        + " failed in the middle of the stream; see the gateway log", null, null, e);
            } finally {
                thread.setContextClassLoader(previous);
            }
        }

        @Override
        public void close() {
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            thread.setContextClassLoader(classLoader);
            try {
                events.close();
            } catch (RuntimeException ignored) {
                // a failing close must not hide the outcome the client already has
            } finally {
                thread.setContextClassLoader(previous);
            }
        }
    }
}
