package io.gateway.spi.middleware;

import java.util.List;
import java.util.Objects;

/**
 * Which MCP tools a client may list and call, as globs over the gateway's tool names
 * ({@code {server}__{tool}}, e.g. {@code calc__add} or {@code notes__*}), in which {@code *} stands for
 * any run of characters. Matching is case-sensitive. Since SPI 2.1.
 *
 * <p>Authentication middleware puts one on the exchange under {@link AttributeKey#TOOL_ACCESS} (the
 * governance plugin does, from a virtual key's {@code allowed-tools}); the server's MCP gateway then
 * lists only the tools it allows on {@code /mcp}, refuses calls to others there and on
 * {@code mcp/tool/execute}, and adds only allowed tools to chat requests ({@code x-bf-mcp-tools}). A
 * request without one (no authentication middleware, or a client without a key where none is required)
 * may use every tool.
 *
 * <p>Immutable and thread-safe; build one per key once and reuse it for every request.
 */
public final class ToolAccess {

    private static final ToolAccess ALL = new ToolAccess(List.of("*"));
    private static final ToolAccess NONE = new ToolAccess(List.of());

    private final List<String> globs;

    private ToolAccess(List<String> globs) {
        this.globs = globs;
    }

    /**
     * Every tool.
     *
     * @return the shared instance
     */
    public static ToolAccess all() {
        return ALL;
    }

    /**
     * No tool.
     *
     * @return the shared instance
     */
    public static ToolAccess none() {
        return NONE;
    }

    /**
     * The tools some globs allow.
     *
     * @param globs patterns over {@code {server}__{tool}}; {@code *} alone allows every tool; none allow
     *              nothing
     * @return the access
     * @throws NullPointerException     if the list or a glob is {@code null}
     * @throws IllegalArgumentException if a glob is blank
     */
    public static ToolAccess of(List<String> globs) {
        Objects.requireNonNull(globs, "globs");
        for (String glob : globs) {
            Objects.requireNonNull(glob, "glob");
            if (glob.isBlank()) {
                throw new IllegalArgumentException("a tool glob is blank; write {server}__{tool} patterns such as "
                        + "calc__add or notes__*");
            }
        }
        if (globs.isEmpty()) {
            return NONE;
        }
        if (globs.contains("*")) {
            return ALL;
        }
        return new ToolAccess(List.copyOf(globs));
    }

    /**
     * The globs as given ({@code ["*"]} for every tool, empty for none).
     *
     * @return the globs, immutable
     */
    public List<String> globs() {
        return globs;
    }

    /**
     * Whether every tool is allowed.
     *
     * @return {@code true} for {@code *}
     */
    public boolean allowsEveryTool() {
        return this == ALL;
    }

    /**
     * Whether a tool may be listed and called.
     *
     * @param toolName the gateway's name of the tool, {@code {server}__{tool}}; {@code null} is never allowed
     * @return {@code true} if a glob matches
     */
    public boolean allows(String toolName) {
        if (toolName == null) {
            return false;
        }
        if (this == ALL) {
            return true;
        }
        for (String glob : globs) {
            if (matches(glob, toolName)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The linear glob matcher: on a mismatch after a {@code *}, let that star swallow one more character
     * and retry from there. No regular expression, so a configured pattern is only ever text and stars.
     */
    static boolean matches(String pattern, String name) {
        int p = 0;
        int n = 0;
        int star = -1;
        int resume = 0;
        while (n < name.length()) {
            if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                resume = n;
            } else if (p < pattern.length() && pattern.charAt(p) == name.charAt(n)) {
                p++;
                n++;
            } else if (star >= 0) {
                p = star + 1;
                n = ++resume;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ToolAccess access && access.globs.equals(globs);
    }

    @Override
    public int hashCode() {
        return globs.hashCode();
    }

    @Override
    public String toString() {
        return "ToolAccess" + globs;
    }
}
