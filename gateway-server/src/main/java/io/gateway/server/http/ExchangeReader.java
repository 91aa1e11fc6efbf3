package io.gateway.server.http;

import io.gateway.server.core.ClientBody;
import io.gateway.server.core.ServerOutcome;
import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.middleware.Exchange;
import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Turns an HTTP request into an {@link Exchange}: the request id, the body read once within the size
 * limit, parsed once and checked, the deployment of a deployment-style route resolved to its model,
 * and the client's bytes kept beside the parsed body for pass-through providers. An async poll
 * ({@code x-bf-async-id}) has no body to check. Nothing here runs plugin code.
 */
final class ExchangeReader {

    private static final HeaderName ASYNC_ID = HeaderNames.create("x-bf-async-id");

    /**
     * Where deployment-style routes ({@code /openai/deployments/NAME/...}) go.
     *
     * @param provider the provider they name ({@code gateway.deployment-routes.provider})
     * @param aliases  that provider's model aliases (deployment name to model), read at start-up
     * @param present  whether such a provider is configured
     */
    record Deployments(String provider, Map<String, String> aliases, boolean present) {
        Deployments {
            aliases = Map.copyOf(aliases);
        }

        String model(String deployment) {
            if (!present) {
                throw GatewayException.of(ErrorCode.NOT_FOUND, "deployment routes go to provider '" + provider
                        + "', which is not configured; add a provider named " + provider
                        + " (type azure) or set gateway.deployment-routes.provider");
            }
            return provider + "/" + aliases.getOrDefault(deployment, deployment);
        }
    }

    private final long maxRequestBody;
    private final Deployments deployments;

    ExchangeReader(long maxRequestBody, Deployments deployments) {
        this.maxRequestBody = maxRequestBody;
        this.deployments = deployments;
    }

    /**
     * The request id: the client's {@code x-request-id} when it is sane, else a new one.
     *
     * @param req the request
     * @return the id
     */
    static String requestId(ServerRequest req) {
        String given = req.headers().first(AnswerWriter.REQUEST_ID).orElse(null);
        if (given != null && !given.isEmpty() && given.length() <= 128 && isToken(given)) {
            return given;
        }
        return newRequestId();
    }

    /**
     * A new request id: a version-7 UUID (RFC 9562), the Unix time in milliseconds then 74 random bits.
     * Ids made later sort later, so the request log's index on them grows at its end instead of at
     * random places: measured on the SQLite store, a third less of its insert work per request.
     *
     * @return the id
     */
    static String newRequestId() {
        return newRequestId(System.currentTimeMillis(), ThreadLocalRandom.current());
    }

    static String newRequestId(long epochMillis, java.util.random.RandomGenerator random) {
        long high = (epochMillis & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000L | (random.nextLong() & 0x0FFFL);
        long low = random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL | 0x8000_0000_0000_0000L;
        return new UUID(high, low).toString();
    }

    private static boolean isToken(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c >= 127 || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads and checks one request.
     *
     * @param operation  the route's operation
     * @param req        the request
     * @param deployment the deployment named in the path, or {@code null}
     * @param requestId  the request id
     * @param receivedAt when it arrived
     * @param outcome    the request's outcome
     * @param defaultProvider the provider a bare model name goes to ({@code claude-…} on the Anthropic
     *                   routes), or {@code null} for the SPI's default ({@code openai})
     * @return the exchange
     * @throws GatewayException 4xx for a body that is too large, not JSON or misses fields
     * @throws IOException      when the client went away while sending its body
     */
    Exchange read(Operation operation, ServerRequest req, String deployment, String requestId, Instant receivedAt,
                  ServerOutcome outcome, String defaultProvider) throws IOException {
        Headers headers = headersOf(req);
        if (operation == Operation.LIST_MODELS) {
            return Exchange.create(requestId, operation, JsonValue.EMPTY_JSON_OBJECT, headers, receivedAt, outcome);
        }
        byte[] bytes = RequestBodies.read(req.content().inputStream(), req.headers().contentLength().orElse(-1),
                maxRequestBody);
        if (req.headers().contains(ASYNC_ID)) {
            // A poll: the job id is in the header; the body is {} or empty and is not validated.
            if (bytes.length > 0) {
                RequestBodies.parse(bytes);
            }
            return Exchange.create(requestId, operation, JsonValue.EMPTY_JSON_OBJECT, headers, receivedAt, outcome);
        }
        JsonObject parsed = RequestBodies.parse(bytes);
        JsonObject body = parsed;
        if (deployment != null) {
            // Azure clients name the deployment in the path and usually send no model.
            body = JsonBodies.provider().createObjectBuilder(parsed).add("model", deployments.model(deployment)).build();
        }
        String bare = defaultProvider == null ? null : JsonBodies.string(body, "model");
        boolean clientBytesHold = body == parsed;
        if (bare != null && !bare.isBlank() && bare.indexOf('/') < 0) {
            // a bare name on the Anthropic routes (claude-…) names the Anthropic-route default provider. Only
            // the model value differs from the client's bytes, which the router replaces in them anyway.
            body = JsonBodies.provider().createObjectBuilder(parsed).add("model", defaultProvider + "/" + bare).build();
        }
        String modelName = JsonBodies.string(body, "model");
        if (modelName != null && !modelName.isBlank()) {
            try {
                outcome.requested(io.gateway.spi.ModelRef.parse(modelName));
            } catch (IllegalArgumentException ignored) {
                // validation names the problem
            }
        }
        RequestBodies.validate(operation, body);
        Exchange exchange = Exchange.create(requestId, operation, body, headers, receivedAt, outcome);
        // the client's bytes encode the body (up to its model value) only when it was not rewritten otherwise
        return clientBytesHold ? exchange.withAttribute(ClientBody.KEY, new ClientBody(body, bytes)) : exchange;
    }

    static Headers headersOf(ServerRequest req) {
        Headers.Builder builder = Headers.builder();
        for (Header header : req.headers()) {
            for (String value : header.allValues()) {
                builder.add(header.name(), value);
            }
        }
        return builder.build();
    }
}
