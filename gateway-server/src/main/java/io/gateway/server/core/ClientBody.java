package io.gateway.server.core;

import io.gateway.spi.middleware.AttributeKey;
import io.gateway.spi.middleware.Exchange;
import jakarta.json.JsonObject;

/**
 * The client's request bytes beside the body parsed from them, carried on the exchange under a
 * server-private key, so that a pass-through provider can forward the client's own bytes with only the
 * model replaced. They count only while the exchange's body is still that very object: a middleware
 * that rewrites the body makes a new one, and the bytes no longer apply.
 *
 * @param body  the body parsed from the bytes
 * @param bytes the bytes, not to be modified
 */
public record ClientBody(JsonObject body, byte[] bytes) {

    /** The server-private attribute key. */
    public static final AttributeKey<ClientBody> KEY = AttributeKey.of("gateway-client-body", ClientBody.class);

    /**
     * The client's bytes of an exchange's body, if no one has replaced the body since it was parsed.
     *
     * @param exchange the exchange
     * @return the bytes, or {@code null}
     */
    public static byte[] of(Exchange exchange) {
        ClientBody client = exchange.attribute(KEY).orElse(null);
        return client != null && client.body == exchange.body() ? client.bytes : null;
    }
}
