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
 * <p>The bytes encode the body except, possibly, its top-level {@code model} value: the server may have
 * qualified a bare model name ({@code claude-…} on the Anthropic routes), and every use of the bytes
 * replaces that value with the target's model.
 *
 * @param body  the body parsed from the bytes (its model possibly qualified)
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
