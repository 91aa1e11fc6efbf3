package io.gateway.server.routing;

import io.gateway.spi.JsonBodies;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.util.Map;
import java.util.Set;

/**
 * The body a provider gets: {@code model} set to the bare model name, gateway-only fields removed,
 * everything else as the client sent it. When the client's bytes are known and nothing but
 * {@code model} changes, the client's bytes with only the model value replaced come along, so a
 * pass-through provider sends them without serializing the object again (which would cost 3 µs per KB
 * and respell numbers).
 */
public final class ForwardBody {

    /** Body fields that only the gateway understands; removed before a body goes upstream. */
    static final Set<String> GATEWAY_FIELDS = Set.of("fallbacks");

    /**
     * A body to forward.
     *
     * @param body the parsed body
     * @param raw  the client's bytes with only {@code model} replaced, or {@code null}
     */
    public record Forwarded(JsonObject body, byte[] raw) {
    }

    private ForwardBody() {
    }

    /**
     * The body to forward for one target.
     *
     * @param body        the exchange's body
     * @param clientBytes the client's bytes of exactly that body, or {@code null}
     * @param model       the bare model to put in
     * @return the forwarded body
     */
    public static Forwarded forward(JsonObject body, byte[] clientBytes, String model) {
        JsonObject rebuilt = rebuild(body, model);
        if (clientBytes != null && !hasGatewayField(body)) {
            byte[] spliced = ModelSplice.replaceModel(clientBytes, model);
            if (spliced != null) {
                return new Forwarded(rebuilt, spliced);
            }
        }
        return new Forwarded(rebuilt, null);
    }

    private static boolean hasGatewayField(JsonObject body) {
        for (String field : GATEWAY_FIELDS) {
            if (body.containsKey(field)) {
                return true;
            }
        }
        return false;
    }

    private static JsonObject rebuild(JsonObject body, String model) {
        JsonObjectBuilder builder = JsonBodies.provider().createObjectBuilder();
        for (Map.Entry<String, JsonValue> field : body.entrySet()) {
            String name = field.getKey();
            if (name.equals("model")) {
                builder.add("model", model);
            } else if (!GATEWAY_FIELDS.contains(name)) {
                builder.add(name, field.getValue());
            }
        }
        return builder.build();
    }
}
