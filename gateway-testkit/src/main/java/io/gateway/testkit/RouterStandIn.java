package io.gateway.testkit;

import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.ModelRef;
import io.gateway.spi.Response;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.TokenUsage;
import io.gateway.spi.middleware.Chain;
import io.gateway.spi.middleware.Exchange;
import io.gateway.spi.middleware.RoutingAttempt;
import jakarta.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The end of the chain in a middleware test: answers each request with what the test supplies and,
 * like the server's router, records into the exchange's {@link TestOutcome} the attempt (the requested
 * provider and model, or the ones {@link #servedBy} names), and the answer's token usage (from a
 * complete body's {@code usage}, or from the stream event that carries it, as it passes). Exchanges
 * whose outcome is not a {@link TestOutcome} are answered without recording.
 *
 * <pre>{@code
 * RouterStandIn router = RouterStandIn.chatUsage(12, 6);
 * Response response = middleware.handle(TestExchange.chat("openai/gpt-4o").build(), router);
 * assertEquals(1, router.calls());
 * }</pre>
 *
 * <p>Thread-safe: one stand-in may serve concurrent requests.
 */
public final class RouterStandIn implements Chain {

    private final Function<Exchange, Response> answer;
    private final List<Exchange> received = new CopyOnWriteArrayList<>();
    private final String provider;
    private final String model;
    private final int fallbackIndex;

    private RouterStandIn(Function<Exchange, Response> answer, String provider, String model, int fallbackIndex) {
        this.answer = answer;
        this.provider = provider;
        this.model = model;
        this.fallbackIndex = fallbackIndex;
    }

    /**
     * Answers every request with {@code answer}'s response (or its exception).
     *
     * @param answer makes the response for an exchange; called once per request (a stream can be read once)
     * @return the stand-in
     */
    public static RouterStandIn answering(Function<Exchange, Response> answer) {
        return new RouterStandIn(answer, null, null, 0);
    }

    /**
     * Answers every request with a 200 JSON body.
     *
     * @param json the body
     * @return the stand-in
     * @throws io.gateway.spi.GatewayException when the text is not a JSON object
     */
    public static RouterStandIn completing(String json) {
        JsonObject body = JsonBodies.parse(json);
        return answering(exchange -> Response.Complete.ok(body));
    }

    /**
     * Answers every request with a 200 chat completion that reports this usage.
     *
     * @param promptTokens     {@code usage.prompt_tokens}
     * @param completionTokens {@code usage.completion_tokens}
     * @return the stand-in
     */
    public static RouterStandIn chatUsage(long promptTokens, long completionTokens) {
        return completing("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,"
                + "\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":" + promptTokens + ",\"completion_tokens\":" + completionTokens
                + ",\"total_tokens\":" + (promptTokens + completionTokens) + "}}");
    }

    /**
     * Answers every request with a stream; the supplier is asked once per request, as a stream can be
     * read once.
     *
     * @param events makes the events of one answer, e.g. {@code () -> ScriptedEvents.of(list)}
     * @return the stand-in
     */
    public static RouterStandIn streaming(Supplier<? extends EventStream> events) {
        return answering(exchange -> Response.Streaming.ok(events.get()));
    }

    /**
     * Fails every request, as the router fails when every attempt failed.
     *
     * @param error what to throw
     * @return the stand-in
     */
    public static RouterStandIn failing(GatewayException error) {
        return answering(exchange -> {
            throw error;
        });
    }

    /**
     * The same stand-in, recording that another provider and model served (as after a fallback).
     *
     * @param servingProvider the provider
     * @param servingModel    the bare model
     * @param fallback        the fallback index, 0 for the requested model
     * @return a new stand-in
     */
    public RouterStandIn servedBy(String servingProvider, String servingModel, int fallback) {
        return new RouterStandIn(answer, servingProvider, servingModel, fallback);
    }

    @Override
    public Response proceed(Exchange exchange) {
        received.add(exchange);
        TestOutcome outcome = exchange.outcome() instanceof TestOutcome recording ? recording : null;
        Response response;
        try {
            response = answer.apply(exchange);
        } catch (GatewayException e) {
            if (outcome != null) {
                record(outcome, exchange, e.status());
            }
            throw e;
        }
        if (outcome == null) {
            return response;
        }
        record(outcome, exchange, response.status());
        return switch (response) {
            case Response.Complete complete -> {
                JsonObject body = parsedOrNull(complete);
                if (body != null && body.get("usage") instanceof JsonObject usage) {
                    outcome.usage(TokenUsage.parse(usage));
                }
                yield complete;
            }
            case Response.Streaming streaming -> streaming.withEvents(streaming.events().peek(event -> {
                TokenUsage usage = usageIn(event);
                if (usage != null) {
                    outcome.usage(usage);
                }
            }));
            // bytes report no usage; a test that prices them by units sets TestOutcome.cost itself
            case Response.Binary binary -> binary;
        };
    }

    private void record(TestOutcome outcome, Exchange exchange, int status) {
        ModelRef requested = exchange.model();
        if (requested == null && provider == null) {
            return; // model lists and polls name no model; the router records no attempt for them either
        }
        String servingProvider = provider != null ? provider : requested == null ? "none" : requested.provider();
        String servingModel = model != null ? model : requested == null ? "none" : requested.model();
        outcome.attempt(new RoutingAttempt(servingProvider, servingModel, "test-key", status, 0, fallbackIndex));
    }

    private static JsonObject parsedOrNull(Response.Complete complete) {
        try {
            return complete.body();
        } catch (GatewayException notJson) {
            return null;
        }
    }

    /** The usage an event carries: top-level, or in the {@code response} a Responses event wraps. */
    private static TokenUsage usageIn(StreamEvent event) {
        if (event.isDone() || !event.data().contains("\"usage\"")) {
            return null;
        }
        JsonObject json;
        try {
            json = JsonBodies.parse(event.data());
        } catch (GatewayException notJson) {
            return null;
        }
        if (json.get("usage") instanceof JsonObject usage) {
            return TokenUsage.parse(usage);
        }
        if (json.get("response") instanceof JsonObject response && response.get("usage") instanceof JsonObject usage) {
            return TokenUsage.parse(usage);
        }
        return null;
    }

    /**
     * The exchanges received, in order.
     *
     * @return a snapshot
     */
    public List<Exchange> received() {
        return List.copyOf(received);
    }

    /**
     * The last exchange received.
     *
     * @return the exchange
     */
    public Exchange last() {
        return received.getLast();
    }

    /**
     * How many requests reached the stand-in.
     *
     * @return the count
     */
    public int calls() {
        return received.size();
    }
}
