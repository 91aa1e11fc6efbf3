package io.gateway.toolkit.settings;

import java.util.Locale;
import java.util.Set;

/**
 * Rules about header names that settings check: which names are valid at all, which carry
 * credentials, and which belong to one connection. Names are compared in lower case. Stateless.
 */
public final class HeaderNames {

    /**
     * Headers that carry credentials: the standard ones and the key headers of the upstreams the
     * gateway speaks to, plus the gateway's own virtual-key header. Never logged, never configured as
     * plain settings.
     */
    public static final Set<String> CREDENTIALS = Set.of("authorization", "proxy-authorization", "cookie",
            "api-key", "x-api-key", "x-goog-api-key", "x-bf-vk");

    /**
     * Headers that describe one connection or one message's framing (RFC 9110 section 7.6.1, plus
     * {@code host} and {@code content-length}): the HTTP client sets them.
     */
    public static final Set<String> CONNECTION = Set.of("connection", "keep-alive", "proxy-connection", "te",
            "trailer", "transfer-encoding", "upgrade", "host", "content-length");

    private HeaderNames() {
    }

    /**
     * Whether a text is a valid header name: an RFC 9110 token.
     *
     * @param name the text, may be {@code null}
     * @return {@code true} if valid
     */
    public static boolean isValid(String name) {
        if (name == null || name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean token = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!token) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether a header carries credentials ({@link #CREDENTIALS}).
     *
     * @param name the name in any case
     * @return {@code true} for a credential header
     */
    public static boolean carriesCredentials(String name) {
        return CREDENTIALS.contains(name.toLowerCase(Locale.ROOT));
    }

    /**
     * Whether a header belongs to the connection ({@link #CONNECTION}).
     *
     * @param name the name in any case
     * @return {@code true} for a connection header
     */
    public static boolean isConnectionHeader(String name) {
        return CONNECTION.contains(name.toLowerCase(Locale.ROOT));
    }
}
