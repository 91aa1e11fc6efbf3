package io.gateway.plugins.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.Plugin;
import io.gateway.spi.SpiVersion;
import io.gateway.spi.state.StateStoreFactory;
import java.time.Duration;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import io.gateway.testkit.TestConfig;

/** The plugin's identity and the reading and checking of the {@code gateway.state} block. */
class RedisStateStoreFactoryTest {

    @Test
    void pluginOffersOneRedisStoreFactory() {
        Plugin plugin = new RedisPlugin();
        assertEquals("store-redis", plugin.id());
        assertEquals(SpiVersion.MAJOR, plugin.spiVersion());
        List<StateStoreFactory> factories = plugin.stateStoreFactories();
        assertEquals(1, factories.size());
        assertEquals("redis", factories.get(0).type());
        assertTrue(plugin.providerFactories().isEmpty());
        assertTrue(plugin.middlewareFactories().isEmpty());
    }

    @Test
    void pluginIsListedForServiceLoader() {
        List<Plugin> plugins = ServiceLoader.load(Plugin.class).stream().map(ServiceLoader.Provider::get).toList();
        assertEquals(1, plugins.size());
        assertTrue(plugins.get(0) instanceof RedisPlugin);
    }

    @Test
    void defaults() {
        TestConfig config = RedisConfigs.state();
        RedisSettings settings = RedisStateStoreFactory.settings(config);
        assertEquals("127.0.0.1:6379", settings.where());
        assertEquals(0, settings.uri().getDatabase());
        assertFalse(settings.uri().isSsl());
        assertEquals("gateway:", settings.keyPrefix());
        assertEquals(Duration.ofSeconds(2), settings.commandTimeout());
        assertEquals(Duration.ofSeconds(2), settings.connectTimeout());
        assertEquals(Duration.ofSeconds(2), settings.uri().getTimeout());
        assertTrue(settings.secrets().isEmpty());
        assertTrue(config.unreadKeys().isEmpty(), "unread: " + config.unreadKeys());
    }

    @Test
    void everyKeyIsRead() {
        TestConfig config = RedisConfigs.state("url", "rediss://user:pw-123456@redis.example:6380/4",
                "key-prefix", "prod:gw:", "command-timeout", "750ms", "connect-timeout", "5s");
        RedisSettings settings = RedisStateStoreFactory.settings(config);
        assertTrue(config.unreadKeys().isEmpty(), "unread: " + config.unreadKeys());
        assertEquals("redis.example:6380", settings.where());
        assertEquals(4, settings.uri().getDatabase());
        assertTrue(settings.uri().isSsl());
        assertEquals("prod:gw:", settings.keyPrefix());
        assertEquals(Duration.ofMillis(750), settings.commandTimeout());
        assertEquals(Duration.ofMillis(750), settings.uri().getTimeout());
        assertEquals(Duration.ofSeconds(5), settings.connectTimeout());
        assertFalse(settings.toString().contains("pw-123456"), settings.toString());
    }

    @Test
    void anUnknownKeyStaysUnread() {
        TestConfig config = RedisConfigs.state("max-entries", "10");
        RedisStateStoreFactory.settings(config);
        assertEquals(java.util.List.of("gateway.state.max-entries"), config.unreadKeys());
    }

    @Test
    void passwordsInTheUrlAreScrubbedRawAndDecoded() {
        RedisSettings settings = RedisStateStoreFactory.settings(
                RedisConfigs.state("url", "redis://app:p%40ss%2Fw0rd@10.0.0.5:6379/1"));
        assertEquals("10.0.0.5:6379", settings.where());
        String scrubbed = settings.scrub("auth p@ss/w0rd and p%40ss%2Fw0rd failed for app:p%40ss%2Fw0rd");
        assertFalse(scrubbed.contains("p@ss/w0rd"), scrubbed);
        assertFalse(scrubbed.contains("p%40ss%2Fw0rd"), scrubbed);
        assertEquals("", settings.scrub(null));
    }

    @Test
    void ipv6HostsAreBracketed() {
        RedisSettings settings = RedisStateStoreFactory.settings(RedisConfigs.state("url", "redis://[::1]:6390"));
        assertEquals("[::1]:6390", settings.where());
    }

    @Test
    void badValuesNameTheKeyAndNeverTheUrl() {
        IllegalArgumentException scheme = assertThrows(IllegalArgumentException.class, () ->
                RedisStateStoreFactory.settings(RedisConfigs.state("url", "http://:hunter22@host:6379")));
        assertTrue(scheme.getMessage().startsWith("gateway.state.url: "), scheme.getMessage());
        assertFalse(scheme.getMessage().contains("hunter22"), scheme.getMessage());

        IllegalArgumentException syntax = assertThrows(IllegalArgumentException.class, () ->
                RedisStateStoreFactory.settings(RedisConfigs.state("url", "redis://:hun ter22@host:6379")));
        assertTrue(syntax.getMessage().startsWith("gateway.state.url: "), syntax.getMessage());
        assertFalse(syntax.getMessage().contains("hun ter22"), syntax.getMessage());

        IllegalArgumentException socket = assertThrows(IllegalArgumentException.class, () ->
                RedisStateStoreFactory.settings(RedisConfigs.state("url", "redis-socket:///tmp/redis.sock")));
        assertTrue(socket.getMessage().startsWith("gateway.state.url: "), socket.getMessage());

        IllegalArgumentException database = assertThrows(IllegalArgumentException.class, () ->
                RedisStateStoreFactory.settings(RedisConfigs.state("url", "redis://host:6379/cache")));
        assertTrue(database.getMessage().contains("database"), database.getMessage());

        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () ->
                RedisStateStoreFactory.settings(RedisConfigs.state("url", "")));
        assertTrue(empty.getMessage().startsWith("gateway.state.url: is empty"), empty.getMessage());

        IllegalArgumentException command = assertThrows(IllegalArgumentException.class, () ->
                RedisStateStoreFactory.settings(RedisConfigs.state("command-timeout", "0s")));
        assertTrue(command.getMessage().startsWith("gateway.state.command-timeout: "), command.getMessage());

        IllegalArgumentException connect = assertThrows(IllegalArgumentException.class, () ->
                RedisStateStoreFactory.settings(RedisConfigs.state("connect-timeout", "soon")));
        assertTrue(connect.getMessage().startsWith("gateway.state.connect-timeout: "), connect.getMessage());
    }

    @Test
    void ttlConversion() {
        assertEquals(0, RedisStateStore.ttlMillis(null));
        assertEquals(0, RedisStateStore.ttlMillis(Duration.ZERO));
        assertEquals(0, RedisStateStore.ttlMillis(Duration.ofSeconds(-1)));
        assertEquals(1, RedisStateStore.ttlMillis(Duration.ofNanos(10)), "a tiny ttl still expires");
        assertEquals(1500, RedisStateStore.ttlMillis(Duration.ofMillis(1500)));
        assertEquals(Duration.ofDays(36_500).toMillis(), RedisStateStore.ttlMillis(Duration.ofSeconds(Long.MAX_VALUE)));
    }
}
