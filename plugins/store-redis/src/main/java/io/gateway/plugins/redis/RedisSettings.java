package io.gateway.plugins.redis;

import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.List;

/**
 * The checked configuration of one Redis store.
 *
 * @param uri            where to connect, with password, database and TLS; its timeout is the command timeout
 * @param where          {@code host:port} for messages and logs, never with the password
 * @param keyPrefix      prepended to every key
 * @param commandTimeout how long one command may take
 * @param connectTimeout how long opening the TCP connection may take
 * @param secrets        strings to blank out of every message and log line (the URL's user info)
 */
record RedisSettings(RedisURI uri, String where, String keyPrefix, Duration commandTimeout, Duration connectTimeout,
                     List<String> secrets) {

    RedisSettings {
        secrets = List.copyOf(secrets);
    }

    /**
     * A text with every secret replaced by {@code ****}.
     *
     * @param text any text, may be {@code null}
     * @return the text without secrets, {@code ""} for {@code null}
     */
    String scrub(String text) {
        if (text == null) {
            return "";
        }
        String result = text;
        for (String secret : secrets) {
            result = result.replace(secret, "****");
        }
        return result;
    }

    /**
     * Settings are logged and shown in failures; the URI's own {@code toString} is not used.
     *
     * @return a description without secrets
     */
    @Override
    public String toString() {
        return "RedisSettings[" + where + (uri.isSsl() ? " tls" : "") + " db " + uri.getDatabase()
                + ", key-prefix '" + keyPrefix + "', command-timeout " + commandTimeout
                + ", connect-timeout " + connectTimeout + "]";
    }
}
