package io.gateway.spi.middleware;

import java.util.Objects;

/**
 * A typed key for per-request attributes on an {@link Exchange}, compared by identity.
 *
 * <p>Keep keys in {@code static final} fields. Attributes let middleware hand facts to later
 * middleware and to the server, for example the client identity an authentication middleware
 * established ({@link #CLIENT_IDENTITY}).
 *
 * @param <T> the value type
 */
public final class AttributeKey<T> {

    /**
     * The authenticated client (for example a virtual key's name). Set by authentication middleware;
     * the server uses it to scope async jobs to their submitter.
     */
    public static final AttributeKey<String> CLIENT_IDENTITY = AttributeKey.of("client-identity", String.class);

    /**
     * The MCP tools the client may list and call ({@link ToolAccess}). Set by authentication middleware
     * (governance: a virtual key's {@code allowed-tools}); without it every tool is open. Since SPI 2.1.
     */
    public static final AttributeKey<ToolAccess> TOOL_ACCESS = AttributeKey.of("tool-access", ToolAccess.class);

    private final String name;
    private final Class<T> type;

    private AttributeKey(String name, Class<T> type) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = Objects.requireNonNull(type, "type");
    }

    /**
     * A new key.
     *
     * @param name a descriptive name, for diagnostics only
     * @param type the value type
     * @param <T>  the value type
     * @return the key
     */
    public static <T> AttributeKey<T> of(String name, Class<T> type) {
        return new AttributeKey<>(name, type);
    }

    /**
     * The descriptive name.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Casts a value to this key's type.
     *
     * @param value a value stored under this key
     * @return the typed value
     */
    public T cast(Object value) {
        return type.cast(value);
    }

    @Override
    public String toString() {
        return "AttributeKey[" + name + "]";
    }
}
