package io.gateway.toolkit.settings;

import io.gateway.spi.Headers;
import io.gateway.spi.PluginConfig;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a provider's {@code extra-headers}: headers sent with every upstream request, e.g. a beta flag
 * or a project id. Refused, each with a message naming {@code extra-headers.NAME}:
 * <ul>
 *   <li>names that are not header names, and values with line breaks or other control characters;</li>
 *   <li>{@linkplain HeaderNames#CREDENTIALS credentials}: settings are shown in {@code /admin/config}
 *       and are not secrets, so keys belong in {@code keys};</li>
 *   <li>{@linkplain HeaderNames#CONNECTION connection headers}, which the HTTP client sets;</li>
 *   <li>the headers the provider reserves for itself (its version header, content type), with the
 *       provider's reason.</li>
 * </ul>
 * Stateless.
 */
public final class ExtraHeaders {

    /** The configuration key. */
    public static final String KEY = "extra-headers";

    private ExtraHeaders() {
    }

    /**
     * Reads and checks {@code extra-headers}.
     *
     * @param config   the provider's block
     * @param reserved headers the provider sets itself, lower-case name to the reason shown when one is
     *                 configured (e.g. {@code "set it with the provider's 'anthropic-version' key"})
     * @return the headers, in file order; empty when the key is absent
     * @throws IllegalArgumentException from {@link PluginConfig#invalid} for a refused header
     */
    public static Headers read(PluginConfig config, Map<String, String> reserved) {
        Map<String, String> configured = config.map(KEY);
        Headers.Builder headers = Headers.builder();
        for (Map.Entry<String, String> entry : configured.entrySet()) {
            String name = entry.getKey();
            String key = KEY + "." + name;
            String lower = name.toLowerCase(Locale.ROOT);
            if (!HeaderNames.isValid(name)) {
                throw config.invalid(key, "'" + name + "' is not a header name");
            }
            if (HeaderNames.carriesCredentials(lower)) {
                throw config.invalid(key, "cannot be set here; keys belong in 'keys', where they are kept secret");
            }
            if (HeaderNames.isConnectionHeader(lower)) {
                throw config.invalid(key, "is set by the gateway's HTTP client; remove it");
            }
            String reason = reserved.get(lower);
            if (reason != null) {
                throw config.invalid(key, reason);
            }
            String value = entry.getValue() == null ? "" : entry.getValue();
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c < ' ' && c != '\t' || c == 0x7f) {
                    throw config.invalid(key, "must not contain line breaks or other control characters");
                }
            }
            headers.set(name, value);
        }
        return headers.build();
    }
}
