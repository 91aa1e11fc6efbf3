package io.gateway.plugins.redis;

import io.gateway.spi.PluginConfig;
import io.gateway.spi.PluginContext;
import io.gateway.spi.Secret;
import io.gateway.spi.state.StateStore;
import io.gateway.spi.state.StateStoreFactory;
import io.lettuce.core.RedisURI;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Creates the Redis {@link StateStore} from the {@code gateway.state} block:
 *
 * <pre>
 * gateway:
 *   state:
 *     type: redis
 *     url: redis://:${REDIS_PASSWORD}@redis.internal:6379/0   # or rediss:// for TLS
 *     key-prefix: "gateway:"
 *     command-timeout: 2s
 *     connect-timeout: 2s
 * </pre>
 *
 * The store connects lazily: an unreachable Redis does not stop the gateway from starting.
 */
public final class RedisStateStoreFactory implements StateStoreFactory {

    /** The URL used when {@code url} is absent. */
    public static final String DEFAULT_URL = "redis://127.0.0.1:6379/0";
    /** The key prefix used when {@code key-prefix} is absent. */
    public static final String DEFAULT_KEY_PREFIX = "gateway:";
    /** The command timeout used when {@code command-timeout} is absent. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(2);
    /** The connect timeout used when {@code connect-timeout} is absent. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);

    private static final String URL_FORM = "must be a URL like redis://[[user]:password@]host[:port][/db] "
            + "or rediss://... for TLS, e.g. redis://127.0.0.1:6379/0";

    /** Creates the factory. */
    public RedisStateStoreFactory() {
    }

    /** The type name of this store in {@code gateway.state.type}. */
    public static final String TYPE = "redis";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public StateStore create(PluginConfig config, PluginContext context) {
        RedisSettings settings = settings(config);
        RedisStateStore store = new RedisStateStore(settings, context.logger());
        store.start();
        return store;
    }

    /**
     * Reads and checks every key of the block.
     *
     * @param config the {@code gateway.state} block
     * @return the settings
     * @throws IllegalArgumentException naming the key at fault
     */
    static RedisSettings settings(PluginConfig config) {
        // The server chose this factory by type; reading the key marks it as known.
        String type = config.string("type", TYPE);
        if (!type.equals(TYPE)) {
            throw config.invalid("type", "this factory makes stores of type " + TYPE + ", not '" + type + "'");
        }
        String url = DEFAULT_URL;
        if (config.has("url")) {
            Secret secret = config.secret("url");
            if (secret.isEmpty()) {
                throw config.invalid("url", "is empty (is its environment variable set?); " + URL_FORM);
            }
            url = secret.reveal();
        }
        String keyPrefix = config.string("key-prefix", DEFAULT_KEY_PREFIX);
        Duration commandTimeout = config.duration("command-timeout", DEFAULT_COMMAND_TIMEOUT);
        if (commandTimeout.isZero() || commandTimeout.isNegative()) {
            throw config.invalid("command-timeout", "must be positive, e.g. 2s");
        }
        Duration connectTimeout = config.duration("connect-timeout", DEFAULT_CONNECT_TIMEOUT);
        if (connectTimeout.isZero() || connectTimeout.isNegative()) {
            throw config.invalid("connect-timeout", "must be positive, e.g. 2s");
        }
        return parse(config, url, keyPrefix, commandTimeout, connectTimeout);
    }

    private static RedisSettings parse(PluginConfig config, String url, String keyPrefix, Duration commandTimeout,
                                       Duration connectTimeout) {
        // Messages about the URL never repeat it: it may hold the password.
        URI parsed;
        try {
            parsed = new URI(url);
        } catch (URISyntaxException e) {
            throw config.invalid("url", "is not a valid URL; " + URL_FORM
                    + " (percent-encode special characters of the password)");
        }
        String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals(RedisURI.URI_SCHEME_REDIS) && !scheme.equals(RedisURI.URI_SCHEME_REDIS_SECURE)) {
            throw config.invalid("url", "has scheme '" + scheme + "'; " + URL_FORM);
        }
        if (parsed.getHost() == null || parsed.getHost().isBlank()) {
            throw config.invalid("url", "has no host; " + URL_FORM);
        }
        String path = parsed.getPath() == null ? "" : parsed.getPath();
        if (!path.isEmpty() && !path.equals("/") && !path.substring(1).chars().allMatch(Character::isDigit)) {
            throw config.invalid("url", "has a path that is not a database number; " + URL_FORM);
        }
        RedisURI uri;
        try {
            uri = RedisURI.create(parsed);
        } catch (RuntimeException e) {
            throw config.invalid("url", "is not a Redis URL; " + URL_FORM);
        }
        uri.setTimeout(commandTimeout);
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            // an IPv6 literal: the socket address wants it without the URL's brackets
            host = host.substring(1, host.length() - 1);
            uri.setHost(host);
        }
        String where = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + uri.getPort();
        return new RedisSettings(uri, where, keyPrefix, commandTimeout, connectTimeout, secretsOf(parsed));
    }

    /** The strings that must never appear in a message or log: the user info, raw and decoded. */
    private static List<String> secretsOf(URI parsed) {
        List<String> secrets = new ArrayList<>();
        String raw = parsed.getRawUserInfo();
        if (raw == null || raw.isEmpty()) {
            return secrets;
        }
        int colon = raw.indexOf(':');
        String rawPassword = colon >= 0 ? raw.substring(colon + 1) : raw;
        addSecret(secrets, raw);
        addSecret(secrets, rawPassword);
        addSecret(secrets, decode(raw));
        addSecret(secrets, decode(rawPassword));
        return secrets;
    }

    private static void addSecret(List<String> secrets, String value) {
        // A one- or two-character "password" would blank out ordinary words; such a password is no
        // secret anyway, and the user info as a whole is still removed.
        if (value != null && value.length() >= 3 && !secrets.contains(value)) {
            secrets.add(value);
        }
    }

    private static String decode(String raw) {
        try {
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return raw;
        }
    }
}
