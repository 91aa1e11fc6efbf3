package io.gateway.plugins.anthropic;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.upstream.Answer;
import io.gateway.toolkit.upstream.UpstreamCalls;
import io.gateway.translation.anthropic.AnthropicTranslation;
import io.gateway.translation.anthropic.MessagesTransport;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Set;

/**
 * Serves OpenAI chat completions, Responses and the model list from Anthropic: each call is translated
 * (by the shared Anthropic translation, {@link AnthropicTranslation}) into one {@code POST /v1/messages}
 * (or {@code GET /v1/models}) through the server's upstream client, so the router's deadline and stream
 * idle timeout apply, and the answer is translated back; streams are translated event by event as they
 * arrive. Anthropic-format requests ({@link Operation#MESSAGES}, {@link Operation#COUNT_TOKENS}) pass
 * through: the client's bytes with only the model replaced, its {@code anthropic-version} and
 * {@code anthropic-beta} headers, and the answer and every stream event relayed as they came.
 */
final class AnthropicProvider implements Provider, MessagesTransport {

    private static final Set<Operation> OPERATIONS = Set.copyOf(EnumSet.of(Operation.CHAT_COMPLETION,
            Operation.RESPONSES, Operation.LIST_MODELS, Operation.MESSAGES, Operation.COUNT_TOKENS,
            Operation.PASSTHROUGH));
    /** The client's headers a pass-through call carries on: the API version and the beta features it asked for. */
    private static final String VERSION = "anthropic-version";
    private static final String BETA = "anthropic-beta";
    /** Anthropic's largest page; a few pages cover every model it has ever listed. */
    private static final int MODELS_PAGE_SIZE = 1000;
    private static final int MAX_MODEL_PAGES = 10;

    private final AnthropicSettings settings;
    private final UpstreamCalls upstream;
    private final Clock clock;

    /**
     * @param settings the provider's settings
     * @param upstream the call skeleton: extra and version headers, {@code x-api-key}, Anthropic's errors
     *                 and rate-limit headers
     * @param clock    for {@code created} times
     */
    AnthropicProvider(AnthropicSettings settings, UpstreamCalls upstream, Clock clock) {
        this.settings = settings;
        this.upstream = upstream;
        this.clock = clock;
    }

    @Override
    public Set<Operation> operations() {
        return OPERATIONS;
    }

    /** Its chat translation carries {@code cache_control} from content parts, system parts and tools. */
    @Override
    public boolean chatCacheControl() {
        return true;
    }

    @Override
    public Response call(ProviderCall call) {
        return switch (call.operation()) {
            case CHAT_COMPLETION -> chat(call);
            case RESPONSES -> responses(call);
            case LIST_MODELS -> models(call);
            case MESSAGES -> passThrough(call, settings.messages());
            case COUNT_TOKENS -> passThrough(call, settings.countTokens());
            case PASSTHROUGH -> upstream.passThrough(call, URI.create(settings.base().toString()));
            default -> throw GatewayException.of(ErrorCode.UNSUPPORTED_OPERATION, "provider " + settings.name()
                    + " (anthropic) does not offer " + call.operation().wireName());
        };
    }

    private Response chat(ProviderCall call) {
        return AnthropicTranslation.chat(this, call, settings.defaultMaxTokens());
    }

    private Response responses(ProviderCall call) {
        return AnthropicTranslation.responses(this, call, settings.defaultMaxTokens());
    }

    @Override
    public Answer<JsonObject> message(ProviderCall call, JsonObject request) {
        return upstream.json(upstream.post(call, settings.messages(), request));
    }

    @Override
    public Answer<EventStream> stream(ProviderCall call, JsonObject request) {
        return upstream.events(upstream.post(call, settings.messages(), request));
    }

    /**
     * Sends the client's Anthropic request as it is and relays the answer unparsed: thinking blocks,
     * citations, server tools and {@code cache_control} reach the client exactly as Anthropic sent them.
     * The client's {@code anthropic-version} wins over the configured one (the body is written for it);
     * its {@code anthropic-beta} values are added to any configured ones.
     */
    private Response passThrough(ProviderCall call, URI uri) {
        Headers.Builder headers = upstream.headers(call)
                .set("content-type", "application/json")
                .set("accept", call.stream() ? "text/event-stream" : "application/json");
        call.headers().first(VERSION).map(String::strip).filter(v -> !v.isEmpty())
                .ifPresent(version -> headers.set(VERSION, version));
        for (String beta : call.headers().all(BETA)) {
            if (!beta.isBlank()) {
                headers.add(BETA, beta.strip());
            }
        }
        Response response = upstream.relay(call.request("POST", uri, headers.build(), call.bodyBytes()));
        if (response instanceof Response.Streaming streaming) {
            return streaming.withEvents(new FirstEventError(streaming.events(), streaming.headers()));
        }
        return response;
    }

    /**
     * A relayed stream whose first event may be Anthropic's {@code error} event (an overloaded model
     * answers 200 and then the error): that one becomes the exception, so the router can retry or fall
     * back before anything reached the client. Later events, errors included, pass as they came.
     */
    private static final class FirstEventError implements EventStream {
        private final EventStream events;
        private final Headers relayed;
        private boolean first = true;

        FirstEventError(EventStream events, Headers relayed) {
            this.events = events;
            this.relayed = relayed;
        }

        @Override
        public io.gateway.spi.StreamEvent next() {
            io.gateway.spi.StreamEvent event = events.next();
            if (first) {
                first = false;
                if (event != null && ("error".equals(event.event()) || isError(event))) {
                    events.close();
                    throw AnthropicTranslation.errorEvent(event.json(), relayed);
                }
            }
            return event;
        }

        private static boolean isError(io.gateway.spi.StreamEvent event) {
            try {
                return "error".equals(Json.text(event.json(), "type"));
            } catch (GatewayException notJson) {
                return false;
            }
        }

        @Override
        public void close() {
            events.close();
        }
    }

    private Response models(ProviderCall call) {
        JsonArrayBuilder data = Json.array();
        Headers relayed = Headers.empty();
        String after = null;
        for (int page = 0; page < MAX_MODEL_PAGES; page++) {
            String query = "?limit=" + MODELS_PAGE_SIZE
                    + (after == null ? "" : "&after_id=" + URLEncoder.encode(after, StandardCharsets.UTF_8));
            Answer<JsonObject> answer = upstream.json(upstream.get(call, URI.create(settings.models() + query)));
            relayed = answer.headers();
            Models.addPage(answer.body(), data);
            after = Json.text(answer.body(), "last_id");
            if (answer.body().get("has_more") != JsonValue.TRUE || after == null) {
                break;
            }
        }
        return Response.Complete.of(200, relayed, Models.list(data));
    }

    @Override
    public long now() {
        return clock.instant().getEpochSecond();
    }

    @Override
    public String toString() {
        return "AnthropicProvider[" + settings.name() + " " + settings.base() + "]";
    }
}
