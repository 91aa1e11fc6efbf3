package io.gateway.server.upstream;

import io.gateway.spi.Secret;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which HTTP forward proxy a provider's upstream calls go through: one proxy for {@code http} targets,
 * one for {@code https} targets (tunnelled with {@code CONNECT}), and the hosts that bypass them.
 * Built once per provider at start-up, from the provider's {@code proxy} key or from the environment
 * ({@code HTTPS_PROXY}, {@code HTTP_PROXY}, {@code NO_PROXY}); immutable and thread-safe.
 *
 * <p>{@code NO_PROXY} is a comma-separated list: {@code *} bypasses the proxy for every host; a name
 * matches that host and every host below it ({@code example.com} and {@code .example.com} both match
 * {@code api.example.com} and {@code example.com}; a leading {@code *.} is read as {@code .}); an IP
 * address matches itself; an entry with {@code :port} matches that port only. Matching ignores letter
 * case. Address ranges (CIDR) are not supported.
 */
public final class UpstreamProxy {

    /** No proxy for any target. */
    public static final UpstreamProxy NONE = new UpstreamProxy(null, null, List.of());

    /**
     * One forward proxy.
     *
     * @param host          the proxy's host (an IPv6 address without brackets)
     * @param port          its port
     * @param authorization the {@code Proxy-Authorization} value ({@code Basic …}), empty without credentials
     * @param source        where it was configured, for messages: a configuration key or a variable name
     */
    public record Server(String host, int port, Secret authorization, String source) {

        /**
         * The proxy as {@code http://host:port}: never the user or the password.
         *
         * @return the display form
         */
        public String display() {
            return "http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }

        /**
         * Shows the display form and the source, never the credentials.
         *
         * @return text for logs
         */
        @Override
        public String toString() {
            return display() + " (" + source + ")";
        }
    }

    private final Server http;
    private final Server https;
    private final List<Rule> bypass;

    private UpstreamProxy(Server http, Server https, List<Rule> bypass) {
        this.http = http;
        this.https = https;
        this.bypass = List.copyOf(bypass);
    }

    /**
     * One proxy for every target of a provider (its {@code proxy} key); no host bypasses it.
     *
     * @param url    {@code http://[user:password@]host[:port]}; the port defaults to 80
     * @param source the key, for messages
     * @return the settings
     * @throws IllegalArgumentException when the URL is not an http proxy URL; the message does not
     *                                  contain the password
     */
    public static UpstreamProxy of(String url, String source) {
        Server server = parse(url, source);
        return new UpstreamProxy(server, server, List.of());
    }

    /**
     * The proxies the environment names, the way curl and most HTTP tools read it: {@code HTTPS_PROXY}
     * (or {@code https_proxy}) for https targets, {@code HTTP_PROXY} (or {@code http_proxy}) for http
     * targets, {@code NO_PROXY} (or {@code no_proxy}) for the exceptions. The upper-case name wins when
     * both are set; an empty value counts as unset.
     *
     * @param env the environment, e.g. {@link System#getenv()}
     * @return the settings; {@link #NONE} when no proxy variable is set
     * @throws IllegalArgumentException naming the variable when a value is not an http proxy URL
     */
    public static UpstreamProxy fromEnvironment(Map<String, String> env) {
        String httpsName = variable(env, "HTTPS_PROXY");
        String httpName = variable(env, "HTTP_PROXY");
        if (httpsName == null && httpName == null) {
            return NONE;
        }
        Server https = httpsName == null ? null : parse(env.get(httpsName), httpsName);
        Server http = httpName == null ? null : parse(env.get(httpName), httpName);
        String noProxyName = variable(env, "NO_PROXY");
        List<Rule> rules = noProxyName == null ? List.of() : rules(env.get(noProxyName), noProxyName);
        return new UpstreamProxy(http, https, rules);
    }

    private static String variable(Map<String, String> env, String upper) {
        for (String name : new String[] {upper, upper.toLowerCase(Locale.ROOT)}) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                return name;
            }
        }
        return null;
    }

    /**
     * The proxy for one target, or null to connect directly.
     *
     * @param tls  whether the target is https
     * @param host the target host (an IPv6 address without brackets)
     * @param port the target port
     * @return the proxy, or null
     */
    public Server select(boolean tls, String host, int port) {
        Server server = tls ? https : http;
        if (server == null) {
            return null;
        }
        String name = host.toLowerCase(Locale.ROOT);
        for (Rule rule : bypass) {
            if (rule.matches(name, port)) {
                return null;
            }
        }
        return server;
    }

    /**
     * Whether any target can go through a proxy.
     *
     * @return false for {@link #NONE}
     */
    public boolean isEmpty() {
        return http == null && https == null;
    }

    /**
     * Shows the proxies and the bypass list, never credentials.
     *
     * @return text for logs
     */
    @Override
    public String toString() {
        if (isEmpty()) {
            return "no proxy";
        }
        StringBuilder text = new StringBuilder();
        if (https != null) {
            text.append("https via ").append(https);
        }
        if (http != null) {
            text.append(text.isEmpty() ? "" : ", ").append("http via ").append(http);
        }
        if (!bypass.isEmpty()) {
            text.append(", except ").append(bypass.stream().map(Rule::toString).toList());
        }
        return text.toString();
    }

    private static Server parse(String value, String source) {
        String text = value.trim();
        if (!text.contains("://")) {
            text = "http://" + text; // "proxy.corp:3128", as curl accepts it
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(source + ": not a proxy URL; write http://[user:password@]host:port");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http")) {
            throw new IllegalArgumentException(source + ": proxy scheme '" + scheme + "' is not supported; the "
                    + "gateway talks to forward proxies over plain http (https targets are tunnelled with CONNECT): "
                    + "write http://host:port");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException(source + ": the proxy URL has no host; write http://[user:password@]host:port");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        String path = uri.getRawPath();
        if ((path != null && !path.isEmpty() && !path.equals("/")) || uri.getRawQuery() != null) {
            throw new IllegalArgumentException(source + ": a proxy URL has no path; write http://[user:password@]host:port");
        }
        int port = uri.getPort() >= 0 ? uri.getPort() : 80;
        Secret authorization = Secret.empty();
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null && !userInfo.isEmpty()) {
            int colon = userInfo.indexOf(':');
            String user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            String password = colon < 0 ? "" : decode(userInfo.substring(colon + 1));
            authorization = Secret.of("Basic " + Base64.getEncoder().encodeToString(
                    (user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return new Server(host, port, authorization, source);
    }

    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static List<Rule> rules(String value, String source) {
        List<Rule> rules = new ArrayList<>();
        for (String part : value.split(",")) {
            String entry = part.trim().toLowerCase(Locale.ROOT);
            if (entry.isEmpty()) {
                continue;
            }
            if (entry.equals("*")) {
                rules.add(new Rule("*", -1));
                continue;
            }
            int port = -1;
            String host = entry;
            if (entry.startsWith("[")) {
                int close = entry.indexOf(']');
                if (close < 0) {
                    throw new IllegalArgumentException(source + ": '" + part.trim() + "' is not a host or [IPv6]:port");
                }
                host = entry.substring(1, close);
                if (entry.length() > close + 1) {
                    port = port(entry.substring(close + 1), part, source);
                }
            } else if (entry.indexOf(':') >= 0 && entry.indexOf(':') == entry.lastIndexOf(':')) {
                host = entry.substring(0, entry.indexOf(':'));
                port = port(entry.substring(entry.indexOf(':')), part, source);
            }
            if (host.startsWith("*.")) {
                host = host.substring(1);
            }
            rules.add(new Rule(host, port));
        }
        return rules;
    }

    private static int port(String text, String part, String source) {
        try {
            if (!text.startsWith(":")) {
                throw new NumberFormatException();
            }
            int port = Integer.parseInt(text.substring(1));
            if (port <= 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + ": '" + part.trim() + "' has no valid port; write host or host:port");
        }
    }

    /** One {@code NO_PROXY} entry: a host suffix (leading dot optional) or {@code *}, and a port or -1. */
    private record Rule(String host, int port) {

        boolean matches(String target, int targetPort) {
            if (port >= 0 && port != targetPort) {
                return false;
            }
            if (host.equals("*")) {
                return true;
            }
            String bare = host.startsWith(".") ? host.substring(1) : host;
            return target.equals(bare) || target.endsWith("." + bare);
        }

        @Override
        public String toString() {
            return port < 0 ? host : host + ":" + port;
        }
    }
}
