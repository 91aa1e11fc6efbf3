package io.gateway.server.routing;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.ModelRef;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.middleware.Exchange;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Where file and batch requests go, and the ids they carry. The gateway returns every file and batch
 * id prefixed with the name of the provider that holds it ({@code openai/file-abc}), so that a later
 * request naming the id reaches the same provider; the prefix is removed before the id goes upstream.
 *
 * <p>A request chooses its provider by, in order: the prefix of the id it names (in its path, or a
 * batch's {@code input_file_id}); the {@code x-bf-provider} header; the default provider
 * ({@link ModelRef#DEFAULT_PROVIDER}). An unprefixed id (one obtained from the provider directly) is
 * sent as it is. Stateless.
 */
final class ResourceIds {

    /** The header naming the provider of a file or batch request without a prefixed id. */
    static final String PROVIDER_HEADER = "x-bf-provider";

    /** Fields of file and batch objects holding ids of files or batches. */
    private static final Set<String> ID_FIELDS = Set.of("id", "input_file_id", "output_file_id", "error_file_id");

    private ResourceIds() {
    }

    /**
     * A request's target: the provider, and the values to send it with the provider's prefix removed.
     *
     * @param provider   the provider name
     * @param parameters the path and query values, ids unprefixed
     * @param body       the body, {@code input_file_id} unprefixed
     */
    record Target(String provider, Map<String, String> parameters, JsonObject body) {
    }

    /**
     * Resolves a file or batch request.
     *
     * @param exchange  the request
     * @param providers the configured provider names
     * @return the target
     * @throws GatewayException 400 for an unknown provider
     */
    static Target target(Exchange exchange, Set<String> providers) {
        String chosen = null;
        Map<String, String> parameters = new LinkedHashMap<>(exchange.parameters());
        for (String name : new String[] {"file_id", "batch_id", "after"}) {
            String id = parameters.get(name);
            String prefix = prefix(id, providers);
            if (prefix != null) {
                chosen = chosen == null ? prefix : chosen;
                parameters.put(name, id.substring(prefix.length() + 1));
            }
        }
        JsonObject body = exchange.body();
        String inputFile = JsonBodies.string(body, "input_file_id");
        String inputPrefix = prefix(inputFile, providers);
        if (inputPrefix != null) {
            if (chosen != null && !chosen.equals(inputPrefix)) {
                throw GatewayException.invalidRequest("'input_file_id' names provider '" + inputPrefix
                        + "' but the request goes to '" + chosen + "'", "input_file_id");
            }
            chosen = inputPrefix;
            body = JsonBodies.provider().createObjectBuilder(body)
                    .add("input_file_id", inputFile.substring(inputPrefix.length() + 1)).build();
        }
        String header = exchange.headers().first(PROVIDER_HEADER).map(String::trim).orElse(null);
        if (chosen == null && header != null && !header.isEmpty()) {
            chosen = header;
        }
        if (chosen == null) {
            chosen = ModelRef.DEFAULT_PROVIDER;
        }
        if (!providers.contains(chosen)) {
            throw new GatewayException(ErrorCode.UNKNOWN_PROVIDER, "unknown provider '" + printable(chosen)
                    + "' for " + exchange.operation().wireName() + "; name one of the configured providers ("
                    + String.join(", ", providers) + ") in " + PROVIDER_HEADER + " or as the prefix of the id",
                    PROVIDER_HEADER, null, null);
        }
        return new Target(chosen, parameters, body);
    }

    /** The configured provider an id starts with ({@code provider/...}), or {@code null}. */
    private static String prefix(String id, Set<String> providers) {
        if (id == null) {
            return null;
        }
        int slash = id.indexOf('/');
        if (slash <= 0 || slash == id.length() - 1) {
            return null;
        }
        String prefix = id.substring(0, slash);
        return providers.contains(prefix) ? prefix : null;
    }

    /**
     * The answer with the provider's prefix on every id of a file or batch it holds: the object's own,
     * a list's items', and a batch's file ids.
     *
     * @param response  the provider's answer
     * @param provider  the provider name
     * @param operation the operation
     * @return the answer for the client
     */
    static Response qualify(Response response, String provider, Operation operation) {
        if (!(response instanceof Response.Complete complete) || operation == Operation.FILE_CONTENT) {
            return response;
        }
        JsonObject body = complete.body();
        JsonObject rewritten = qualified(body, provider);
        if (body.get("data") instanceof JsonArray data) {
            JsonArrayBuilder items = JsonBodies.provider().createArrayBuilder();
            for (JsonValue item : data) {
                items.add(item instanceof JsonObject object ? qualified(object, provider) : item);
            }
            rewritten = JsonBodies.provider().createObjectBuilder(rewritten).add("data", items).build();
        }
        for (String cursor : new String[] {"first_id", "last_id"}) {
            if (rewritten.get(cursor) instanceof JsonString id) {
                rewritten = JsonBodies.provider().createObjectBuilder(rewritten)
                        .add(cursor, provider + "/" + id.getString()).build();
            }
        }
        return Response.Complete.of(complete.status(), complete.headers(), rewritten);
    }

    private static JsonObject qualified(JsonObject object, String provider) {
        JsonObjectBuilder builder = null;
        for (String field : ID_FIELDS) {
            if (object.get(field) instanceof JsonString id && !id.getString().isEmpty()) {
                if (builder == null) {
                    builder = JsonBodies.provider().createObjectBuilder(object);
                }
                builder.add(field, provider + "/" + id.getString());
            }
        }
        return builder == null ? object : builder.build();
    }

    private static String printable(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), 64));
        for (int i = 0; i < text.length() && i < 64; i++) {
            char c = text.charAt(i);
            out.append(c < ' ' || c == 127 ? '?' : c);
        }
        return out.toString();
    }
}
