package io.gateway.server.http;

import io.gateway.server.core.ClientBody;
import io.gateway.server.core.ServerOutcome;
import io.gateway.spi.Content;
import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.ModelRef;
import io.gateway.spi.Operation;
import io.gateway.spi.middleware.Exchange;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code /passthrough/{provider}/{path…}}: any method, path, query and body sent to a provider's own
 * API below its base URL ({@link Operation#PASSTHROUGH}), for the endpoints the gateway does not model.
 * The request goes through the middleware chain and the router like every other: governance sees the
 * provider and, when the body is a JSON object naming a {@code model}, {@code provider/model}; the
 * provider adds its key and authentication and relays the answer.
 *
 * <p>The body is never rewritten: a JSON body (at most {@code gateway.max-request-body}) is read to
 * find its model and sent as it came; any other body is streamed through as it arrives, without a
 * copy (and then cannot be sent again on a retry). The exchange's body is {@code {"model":
 * "provider/model"}} when a model was found, else {@code {}}; the client's bytes are its
 * {@link Exchange#content() content}. Stateless apart from its settings; thread-safe.
 */
final class PassthroughRoutes {

    /** The route's pattern. */
    static final String PATTERN = "/passthrough/{provider}/{+path}";
    private static final String PREFIX = "/passthrough/";

    private final InferenceRoutes routes;
    private final long maxJsonBody;

    PassthroughRoutes(InferenceRoutes routes, long maxJsonBody) {
        this.routes = routes;
        this.maxJsonBody = maxJsonBody;
    }

    /**
     * Registers the route for every method.
     *
     * @param routing the routing builder
     */
    void register(HttpRouting.Builder routing) {
        routing.any(PATTERN, this::serve);
    }

    private void serve(ServerRequest req, ServerResponse res) {
        routes.handle(Operation.PASSTHROUGH, PATTERN, req, res, ApiFormat.OPENAI,
                (requestId, receivedAt, outcome, files) -> read(req, requestId, receivedAt, outcome));
    }

    /**
     * Reads one passthrough request into an exchange.
     *
     * @throws GatewayException 400 for a path that climbs out of the provider's API, 413 for a JSON body
     *                          over the limit
     * @throws IOException      when the client went away while sending its body
     */
    Exchange read(ServerRequest req, String requestId, Instant receivedAt, ServerOutcome outcome)
            throws IOException {
        String provider = req.path().pathParameters().get("provider");
        String path = rawRest(req.path().rawPath(), provider);
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("provider", provider);
        parameters.put("method", req.prologue().method().text());
        parameters.put("path", path);
        String query = req.query().rawValue();
        parameters.put("query", query == null ? "" : query);
        Headers headers = ExchangeReader.headersOf(req);
        String contentType = req.headers().first(HeaderNames.CONTENT_TYPE).orElse(null);
        long length = req.headers().contentLength().orElse(-1);
        boolean chunked = req.headers().first(HeaderNames.TRANSFER_ENCODING).map(v -> v.toLowerCase(Locale.ROOT)
                .contains("chunked")).orElse(false);
        if (length <= 0 && !chunked) {
            return Exchange.create(requestId, Operation.PASSTHROUGH, JsonValue.EMPTY_JSON_OBJECT, headers, receivedAt,
                    outcome).withParameters(parameters);
        }
        String type = contentType == null ? "application/octet-stream" : contentType;
        if (isJson(type)) {
            byte[] bytes = RequestBodies.read(req.content().inputStream(), length, maxJsonBody);
            ModelRef model = modelOf(provider, bytes);
            JsonObject body = JsonValue.EMPTY_JSON_OBJECT;
            if (model != null) {
                outcome.requested(model);
                body = JsonBodies.provider().createObjectBuilder().add("model", model.toString()).build();
            }
            return Exchange.create(requestId, Operation.PASSTHROUGH, body, headers, receivedAt, outcome)
                    .withParameters(parameters).withContent(Content.of(bytes, type))
                    .withAttribute(ClientBody.KEY, new ClientBody(body, bytes));
        }
        return Exchange.create(requestId, Operation.PASSTHROUGH, JsonValue.EMPTY_JSON_OBJECT, headers, receivedAt,
                outcome).withParameters(parameters).withContent(Content.once(req.content().inputStream(),
                chunked ? -1 : length, type));
    }

    /**
     * The path after {@code /passthrough/{provider}/}, as the client sent it (percent-encoded).
     *
     * @throws GatewayException 400 when a segment is {@code .} or {@code ..} (also percent-encoded), or
     *                          the path is empty
     */
    static String rawRest(String rawPath, String provider) {
        int start = rawPath.indexOf('/', PREFIX.length());
        String rest = start < 0 ? "" : rawPath.substring(start + 1);
        if (rest.isEmpty()) {
            throw GatewayException.invalidRequest("name the provider's endpoint after the provider: /passthrough/"
                    + provider + "/PATH, e.g. /passthrough/openai/fine_tuning/jobs", null);
        }
        for (String segment : rest.split("/", -1)) {
            String decoded;
            try {
                decoded = URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw GatewayException.invalidRequest("the passthrough path has a malformed percent-encoding", null);
            }
            if (decoded.equals(".") || decoded.equals("..") || decoded.contains("/") || decoded.contains("\\")) {
                throw GatewayException.invalidRequest("the passthrough path may not contain '.' or '..' segments"
                        + " or encoded slashes: it stays below the provider's base URL", null);
            }
        }
        return rest;
    }

    /** The body's {@code model} as {@code provider/model}, or {@code null} when it names none or is no JSON object. */
    private static ModelRef modelOf(String provider, byte[] bytes) {
        JsonObject body;
        try {
            body = RequestBodies.parse(bytes);
        } catch (GatewayException notAnObject) {
            return null; // sent as it came: the provider judges its own API's bodies
        }
        String model = JsonBodies.string(body, "model");
        if (model == null || model.isBlank() || model.length() > RequestBodies.MAX_MODEL_LENGTH) {
            return null;
        }
        try {
            return ModelRef.parse(provider + "/" + model);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean isJson(String contentType) {
        String type = contentType.toLowerCase(Locale.ROOT);
        int semicolon = type.indexOf(';');
        String media = (semicolon < 0 ? type : type.substring(0, semicolon)).trim();
        return media.equals("application/json") || media.endsWith("+json");
    }
}
