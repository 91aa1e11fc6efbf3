package io.gateway.server.routing;

import io.gateway.server.core.PluginCalls;
import io.gateway.spi.ErrorCode;
import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderCall;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One configured provider as the router uses it: the plugin's {@link Provider}, its keys, timeouts and
 * limits, and what it declared at start-up (operations, model aliases). Calls into the plugin run
 * with the plugin's class loader as the thread's context class loader, including each pull of a
 * stream; every answer and stream event is checked ({@link AnswerScanner}) and its token usage
 * reported.
 *
 * @param name              the provider name (prefix of {@code provider/model})
 * @param type              the plugin type serving it
 * @param pluginId          the plugin's id
 * @param provider          the plugin's provider instance
 * @param classLoader       the plugin's class loader
 * @param operations        the operations it offers, read once
 * @param modelAliases      aliases of its models (deployment names), read once
 * @param chatCacheControl  whether its chat completions take {@code cache_control} markers, read once
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
                              Set<Operation> operations, Map<String, String> modelAliases,
                              boolean chatCacheControl, WeightedKeySelector keys, Duration timeout, Duration streamIdleTimeout,
                              Map<String, String> emptyKeyHints, int maxRetries, Backoff backoff,
                              ConcurrencyLimit limit, List<String> fallbacks) {

    /** Copies the collections. */
    public ProviderRuntime {
        operations = Set.copyOf(operations);
        modelAliases = Map.copyOf(modelAliases);
        emptyKeyHints = Map.copyOf(emptyKeyHints);
        fallbacks = List.copyOf(fallbacks);
    }

    /**
     * Receives what answers say about themselves as they pass: the facts of a complete answer at once,
     * those of each stream event as it is pulled.
     */
    public interface AnswerSink {

        /** A sink that takes nothing. */
        AnswerSink NONE = new AnswerSink() {
            @Override
            public void facts(AnswerScanner.Facts facts) {
            }
        };

        /**
         * Whether the response id, model and finish reasons are wanted, not only the usage.
         *
         * @return {@code true} to read them
         */
        default boolean wantsAllFacts() {
            return false;
        }

        /**
         * Whether the answer's text is wanted (content capture).
         *
         * @return {@code true} to receive {@link #content}
         */
        default boolean wantsContent() {
            return false;
        }

        /**
         * Facts of a complete answer or one stream event; called only when there are some.
         *
         * @param facts the facts
         */
        void facts(AnswerScanner.Facts facts);

        /**
         * The JSON of a complete answer or of one stream event, when {@link #wantsContent()}.
         *
         * @param json the JSON text
         */
        default void content(String json) {
        }
    }

    /**
     * Calls the plugin and checks what it answers.
     *
     * @param call the call
     * @param sink receives what the answer reports about itself (for streams, from each event as it
     *             passes): usage, and optionally id, model, finish reasons and text
     * @return the response, streams wrapped so that every pull runs in the plugin's context and every
     *         event is checked
     * @throws GatewayException as the plugin throws it; 502 for an answer that is not JSON; other
     *                          exceptions become 500
     */
    public Response call(ProviderCall call, AnswerSink sink) {
        Response response;
        try {
            response = PluginCalls.call(classLoader, () -> provider.call(call));
        } catch (GatewayException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) {
            throw new GatewayException(ErrorCode.INTERNAL, "provider " + name + " (plugin " + pluginId
                    + ") failed unexpectedly; see the gateway log", null, null, e);
        }
        if (response == null) {
            throw GatewayException.of(ErrorCode.INTERNAL, "provider " + name + " returned no response");
        }
        return switch (response) {
            case Response.Streaming streaming -> streaming.withEvents(new CheckedStream(streaming.events(), sink));
            case Response.Binary binary -> binary.withBody(new CheckedBytes(binary.body()));
            case Response.Complete complete -> {
                AnswerScanner.Facts facts = complete.isRelayed()
                        ? AnswerScanner.scan(complete.bytes(), name, sink.wantsAllFacts())
                        : factsOf(complete.body(), sink.wantsAllFacts());
                if (facts != AnswerScanner.Facts.NONE) {
                    sink.facts(facts);
                }
                if (sink.wantsContent()) {
                    sink.content(new String(complete.bytes(), java.nio.charset.StandardCharsets.UTF_8));
                }
                yield complete;
            }
        };
    }

    /** The facts of an answer a provider built as an object (a translation): no scan needed. */
    private static AnswerScanner.Facts factsOf(JsonObject body, boolean all) {
        JsonObject usage = body.get("usage") instanceof JsonObject object ? object : null;
        if (!all) {
            int images = body.get("data") instanceof jakarta.json.JsonArray data ? data.size() : 0;
            double seconds = body.get("duration") instanceof jakarta.json.JsonNumber duration
                    ? duration.doubleValue() : -1;
            return usage == null && images == 0 && seconds < 0 ? AnswerScanner.Facts.NONE
                    : new AnswerScanner.Facts(usage, null, null, List.of(), seconds, images);
        }
        List<String> reasons = new java.util.ArrayList<>(1);
        if (body.get("choices") instanceof jakarta.json.JsonArray choices) {
            for (jakarta.json.JsonValue choice : choices) {
                if (choice instanceof JsonObject object && object.get("finish_reason") instanceof jakarta.json.JsonString
                        reason) {
                    reasons.add(reason.getString());
                }
            }
        }
        int images = body.get("data") instanceof jakarta.json.JsonArray data ? data.size() : 0;
        double seconds = body.get("duration") instanceof jakarta.json.JsonNumber duration ? duration.doubleValue() : -1;
        return new AnswerScanner.Facts(usage, io.gateway.spi.JsonBodies.string(body, "id"),
                io.gateway.spi.JsonBodies.string(body, "model"), reasons, seconds, images);
    }

    /**
     * Runs each pull and close of a plugin's stream in the plugin's class loader context, checks each
     * event's data, and reports the usage an event carries.
     */
    private final class CheckedStream implements EventStream {
        private final EventStream events;
        private final AnswerSink sink;

        CheckedStream(EventStream events, AnswerSink sink) {
            this.events = events;
            this.sink = sink;
        }

        @Override
        public StreamEvent next() {
            StreamEvent event;
            try {
                event = PluginCalls.call(classLoader, events::next);
            } catch (GatewayException e) {
                throw e;
            } catch (RuntimeException | LinkageError e) {
                throw new GatewayException(ErrorCode.INTERNAL, "provider " + name
                        + " failed in the middle of the stream; see the gateway log", null, null, e);
            }
            if (event != null && !event.isDone()) {
                AnswerScanner.Facts facts;
                try {
                    facts = AnswerScanner.scanEvent(event.data(), name, sink.wantsAllFacts());
                } catch (GatewayException e) {
                    close(); // stop reading a stream that sent garbage
                    throw e;
                }
                if (facts != AnswerScanner.Facts.NONE) {
                    sink.facts(facts);
                }
                if (sink.wantsContent()) {
                    sink.content(event.data());
                }
            }
            return event;
        }

        @Override
        public void close() {
            try {
                PluginCalls.run(classLoader, events::close);
            } catch (RuntimeException | LinkageError ignored) {
                // a failing close must not hide the outcome the client already has
            }
        }
    }

    /**
     * Runs each read and the close of a plugin's binary answer in the plugin's class loader context;
     * an unexpected exception becomes a 500 naming the provider.
     */
    private final class CheckedBytes implements io.gateway.spi.ByteStream {
        private final io.gateway.spi.ByteStream body;

        CheckedBytes(io.gateway.spi.ByteStream body) {
            this.body = body;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            try {
                return PluginCalls.call(classLoader, () -> body.read(buffer, offset, length));
            } catch (GatewayException e) {
                throw e;
            } catch (RuntimeException | LinkageError e) {
                throw new GatewayException(ErrorCode.INTERNAL, "provider " + name
                        + " failed in the middle of its answer; see the gateway log", null, null, e);
            }
        }

        @Override
        public void close() {
            try {
                PluginCalls.run(classLoader, body::close);
            } catch (RuntimeException | LinkageError ignored) {
                // a failing close must not hide the outcome the client already has
            }
        }
    }
}
