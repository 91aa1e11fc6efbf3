package io.gateway.toolkit.settings;

import io.gateway.spi.PluginConfig;
import io.gateway.spi.PluginContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * A provider's {@code base-url}: an absolute {@code http} or {@code https} URL with a host, optionally a
 * path prefix (a proxy's), and no query, fragment or user info (keys belong in {@code keys}). Trailing
 * slashes are dropped, so {@link #resolve} joins paths with exactly one. A plain {@code http} URL to a
 * host other than loopback is accepted with a warning: requests, and keys if any, would travel
 * unencrypted. Immutable and thread-safe.
 */
public final class BaseUrl {

    /** The configuration key. */
    public static final String KEY = "base-url";

    private final String scheme;
    private final String host;
    private final String path;
    private final String text;

    private BaseUrl(String scheme, String authority, String host, String path) {
        this.scheme = scheme;
        this.host = host;
        this.path = path;
        this.text = scheme + "://" + authority + path;
    }

    /**
     * Reads and checks {@code base-url}.
     *
     * @param config     the provider's block
     * @param defaultUrl the URL when the key is absent, or {@code null} to require it
     * @param whatItIs   what the URL is, with an example, for messages: e.g. {@code "the resource
     *                   endpoint, e.g. https://my-resource.openai.azure.com"}
     * @param context    the plugin's context, whose logger gets the warning for plain {@code http}; not
     *                   touched otherwise
     * @return the URL
     * @throws IllegalArgumentException from {@link PluginConfig#invalid} when absent without a default
     *                                  or not a usable URL
     */
    public static BaseUrl read(PluginConfig config, String defaultUrl, String whatItIs, PluginContext context) {
        String configured = config.string(KEY).orElse(defaultUrl);
        if (configured == null) {
            throw config.invalid(KEY, "is required: " + whatItIs);
        }
        String text = configured.strip();
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw config.invalid(KEY, "'" + text + "' is not a URL; write " + whatItIs);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw config.invalid(KEY, "'" + text + "' must be an http:// or https:// URL with a host: " + whatItIs);
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw config.invalid(KEY, "'" + text + "' must not carry a query, a fragment or credentials; "
                    + "keys belong in 'keys'");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        BaseUrl base = new BaseUrl(scheme, uri.getRawAuthority(), uri.getHost().toLowerCase(Locale.ROOT), path);
        if (scheme.equals("http") && !base.isLoopback()) {
            context.logger().log(System.Logger.Level.WARNING, config.path() + "." + KEY + " uses http:// to "
                    + base.host + ": requests" + (config.has("keys") ? " and keys" : "") + " travel unencrypted;"
                    + " use https:// unless the network between the gateway and the provider is trusted");
        }
        return base;
    }

    /**
     * Whether the host is the loopback interface ({@code localhost}, {@code 127.x.x.x}, {@code ::1}).
     *
     * @return {@code true} for loopback
     */
    public boolean isLoopback() {
        return host.equals("localhost") || host.equals("[::1]") || host.equals("::1")
                || host.startsWith("127.") && host.chars().allMatch(c -> c == '.' || c >= '0' && c <= '9');
    }

    /**
     * The scheme.
     *
     * @return {@code http} or {@code https}
     */
    public String scheme() {
        return scheme;
    }

    /**
     * The path prefix, raw (percent-encoded as configured), without a trailing slash.
     *
     * @return e.g. {@code /v1}, or empty
     */
    public String path() {
        return path;
    }

    /**
     * A URI below this base.
     *
     * @param relative a path relative to the base, without a leading slash, may end with a query
     *                 (e.g. {@code chat/completions} or {@code openai/models?api-version=2024-10-21}); it
     *                 is not encoded here
     * @return the absolute URI
     * @throws IllegalArgumentException when the joined text is not a valid URI
     */
    public URI resolve(String relative) {
        return URI.create(text + "/" + relative);
    }

    /**
     * The URL without a trailing slash.
     *
     * @return e.g. {@code https://api.openai.com/v1}
     */
    @Override
    public String toString() {
        return text;
    }
}
