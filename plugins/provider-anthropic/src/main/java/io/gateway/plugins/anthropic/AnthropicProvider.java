package io.gateway.plugins.anthropic;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.spi.Response;
import io.gateway.spi.upstream.UpstreamClient;
import io.gateway.spi.upstream.UpstreamResponse;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Serves OpenAI chat completions, Responses and the model list from Anthropic: each call is translated
 * into one {@code POST /v1/messages} (or {@code GET /v1/models}) through the server's
 * {@link UpstreamClient}, so the router's deadline and stream idle timeout apply, and the answer is
 * translated back; streams are translated event by event as they arrive.
 */
final class AnthropicProvider implements Provider {

    private static final Set<Operation> OPERATIONS =
            Set.copyOf(EnumSet.of(Operation.CHAT_COMPLETION, Operation.RESPONSES, Operation.LIST_MODELS));
    /** Anthropic's largest page; a few pages cover every model it has ever listed. */
    private static final int MODELS_PAGE_SIZE = 1000;
    private static final int MAX_MODEL_PAGES = 10;

    private final AnthropicSettings settings;
    private final UpstreamClient upstream;
    private final Clock clock;
    private final Headers fixedHeaders;

    AnthropicProvider(AnthropicSettings settings, UpstreamClient upstream, Clock clock) {
        this.settings = settings;
        this.upstream = upstream;
        this.clock = clock;
        Headers.Builder headers = Headers.builder();
        settings.extraHeaders().forEach(headers::set);
        headers.set("anthropic-version", settings.version());
        this.fixedHeaders = headers.build();
    }

    @Override
    public Set<Operation> operations() {
        return OPERATIONS;
    }

    @Override
    public Response call(ProviderCall call) {
        return switch (call.operation()) {
            case CHAT_COMPLETION -> chat(call);
            case RESPONSES -> responses(call);
            case LIST_MODELS -> models(call);
            default -> throw GatewayException.of(ErrorCode.UNSUPPORTED_OPERATION, "provider " + settings.name()
                    + " (anthropic) does not offer " + call.operation().wireName());
        };
    }

    private Response chat(ProviderCall call) {
        JsonObject request = ChatRequests.toMessages(call.body(), call.model(), settings.defaultMaxTokens(),
                call.stream());
        UpstreamResponse response = post(call, request);
        Headers relayed = RateLimitHeaders.relayed(response.headers(), clock);
        long created = clock.instant().getEpochSecond();
        if (call.stream()) {
            JsonObject options = Json.objectField(call.body(), "stream_options");
            boolean includeUsage = options != null && options.get("include_usage") == JsonValue.TRUE;
            return new Response.Streaming(200, relayed,
                    new ChatStream(response.events(), relayed, call.model(), created, includeUsage));
        }
        JsonObject message = message(response, relayed);
        return Response.Complete.of(200, relayed, ChatResponses.completion(message, call.model(), created));
    }

    private Response responses(ProviderCall call) {
        JsonObject request = ResponsesRequests.toMessages(call.body(), call.model(), settings.defaultMaxTokens(),
                call.stream());
        boolean signatures = includes(call.body(), "reasoning.encrypted_content");
        UpstreamResponse response = post(call, request);
        Headers relayed = RateLimitHeaders.relayed(response.headers(), clock);
        long created = clock.instant().getEpochSecond();
        if (call.stream()) {
            return new Response.Streaming(200, relayed, new ResponsesStream(response.events(), relayed, call.body(),
                    call.model(), created, signatures));
        }
        JsonObject message = message(response, relayed);
        return Response.Complete.of(200, relayed,
                ResponsesTranslation.ofMessage(message, call.body(), call.model(), created, signatures));
    }

    private Response models(ProviderCall call) {
        JsonArrayBuilder data = Json.array();
        Headers relayed = Headers.empty();
        String after = null;
        for (int page = 0; page < MAX_MODEL_PAGES; page++) {
            String query = "?limit=" + MODELS_PAGE_SIZE
                    + (after == null ? "" : "&after_id=" + URLEncoder.encode(after, StandardCharsets.UTF_8));
            URI uri = URI.create(settings.models() + query);
            UpstreamResponse response = upstream.send(call.request("GET", uri, headers(call, false), null));
            relayed = RateLimitHeaders.relayed(response.headers(), clock);
            JsonObject body = JsonBodies.parse(success(response, relayed));
            Models.addPage(body, data);
            after = Json.text(body, "last_id");
            if (body.get("has_more") != JsonValue.TRUE || after == null) {
                break;
            }
        }
        return Response.Complete.of(200, relayed, Models.list(data));
    }

    private UpstreamResponse post(ProviderCall call, JsonObject request) {
        Headers headers = headers(call, true).toBuilder()
                .set("content-type", "application/json")
                .build();
        UpstreamResponse response = upstream.send(call.request("POST", settings.messages(), headers,
                JsonBodies.toBytes(request)));
        int status = response.status();
        if (status < 200 || status > 299) {
            throw failure(response, RateLimitHeaders.relayed(response.headers(), clock));
        }
        if (call.stream()) {
            String contentType = response.headers().first("content-type").orElse("").toLowerCase(Locale.ROOT);
            if (!contentType.startsWith("text/event-stream")) {
                response.close();
                throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "provider " + settings.name()
                        + " answered a stream request with '" + contentType + "' instead of text/event-stream");
            }
        }
        return response;
    }

    private Headers headers(ProviderCall call, boolean json) {
        Headers.Builder headers = fixedHeaders.toBuilder();
        if (!call.key().value().isEmpty()) {
            headers.set("x-api-key", call.key().value().reveal());
        }
        headers.set("accept", call.stream() && json ? "text/event-stream" : "application/json");
        return headers.build();
    }

    /** A complete Messages answer; a 200 that holds an error object still fails. */
    private JsonObject message(UpstreamResponse response, Headers relayed) {
        JsonObject message = JsonBodies.parse(success(response, relayed));
        if ("error".equals(Json.text(message, "type"))) {
            throw AnthropicErrors.fromEvent(message, relayed);
        }
        return message;
    }

    private byte[] success(UpstreamResponse response, Headers relayed) {
        int status = response.status();
        if (status < 200 || status > 299) {
            throw failure(response, relayed);
        }
        byte[] body = response.body();
        if (body.length == 0) {
            throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "provider " + settings.name()
                    + " answered HTTP " + status + " with an empty body");
        }
        return body;
    }

    private static GatewayException failure(UpstreamResponse response, Headers relayed) {
        byte[] body;
        try {
            body = response.body();
        } catch (GatewayException e) {
            body = new byte[0];
        }
        return AnthropicErrors.fromResponse(response.status(), body, relayed);
    }

    private static boolean includes(JsonObject body, String value) {
        JsonArray include = Json.arrayField(body, "include");
        if (include == null) {
            return false;
        }
        for (JsonValue item : include) {
            if (item instanceof JsonString string && string.getString().equals(value)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "AnthropicProvider[" + settings.name() + " " + settings.base() + "]";
    }
}
