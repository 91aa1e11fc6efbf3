package io.gateway.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.server.core.StartupException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {

    private static GatewayConfig parse(String yaml, Map<String, String> env) {
        return GatewayConfig.parse(yaml, env, Path.of("/opt/gateway"));
    }

    @Test
    void readsTheDocumentedKeys() {
        GatewayConfig config = parse("""
                server:
                  port: 8080
                gateway:
                  plugins-dir: plugins
                  max-request-body: 32MB
                  providers:
                    openai:
                      type: openai
                      base-url: https://api.openai.com/v1
                      keys:
                        - name: main
                          value: ${OPENAI_API_KEY}
                          weight: 1.0
                          models: ["*"]
                      timeout: 30s
                  middleware:
                    - type: request-log
                """, Map.of("OPENAI_API_KEY", "sk-test"));
        assertEquals(Path.of("/opt/gateway/plugins"), config.pluginsDir());
        assertEquals(32L * 1024 * 1024, config.maxRequestBody());
        ConfigBlock openai = config.providers().get(0);
        assertEquals("openai", openai.name());
        assertEquals("gateway.providers.openai", openai.path());
        assertEquals("https://api.openai.com/v1", openai.string("base-url").orElseThrow());
        assertEquals(Duration.ofSeconds(30), openai.duration("timeout", Duration.ZERO));
        ConfigBlock key = openai.blocks("keys").get(0);
        assertEquals("sk-test", key.secret("value").reveal());
        assertEquals(List.of("*"), key.strings("models"));
        assertEquals(1.0, key.number("weight", 0));
        assertEquals("request-log", config.middleware().get(0).string("type").orElseThrow());
    }

    @Test
    void reportsKeysNobodyRead() {
        GatewayConfig config = parse("""
                gateway:
                  providers:
                    openai:
                      type: openai
                      max-retires: 3
                """, Map.of());
        ConfigBlock openai = config.providers().get(0);
        openai.string("type");
        assertEquals(List.of("gateway.providers.openai.max-retires"), config.unreadKeys());
    }

    @Test
    void unknownGatewayKeyStopsStartUp() {
        StartupException e = assertThrows(StartupException.class, () -> parse("gateway:\n  plugin-dir: x\n", Map.of()));
        assertTrue(e.getMessage().contains("gateway.plugin-dir"), e.getMessage());
    }

    @Test
    void unknownTopLevelKeyStopsStartUp() {
        StartupException e = assertThrows(StartupException.class, () -> parse("gatway:\n  a: 1\n", Map.of()));
        assertTrue(e.getMessage().contains("gatway"), e.getMessage());
    }

    @Test
    void badYamlIsOneLine() {
        StartupException e = assertThrows(StartupException.class, () -> parse("gateway: [unclosed\n", Map.of()));
        assertTrue(e.getMessage().startsWith("the config file is not valid YAML"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void badValuesNameTheKey() {
        GatewayConfig config = parse("""
                gateway:
                  max-request-body: lots
                  providers:
                    openai:
                      timeout: soon
                """, Map.of());
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class, config::maxRequestBody);
        assertTrue(size.getMessage().startsWith("gateway.max-request-body: 'lots' is not a size"), size.getMessage());
        IllegalArgumentException timeout = assertThrows(IllegalArgumentException.class,
                () -> config.providers().get(0).duration("timeout", Duration.ZERO));
        assertTrue(timeout.getMessage().startsWith("gateway.providers.openai.timeout:"), timeout.getMessage());
    }

    @Test
    void unsetVariableBecomesEmptyAndIsNamed() {
        GatewayConfig config = parse("""
                gateway:
                  providers:
                    openai:
                      keys:
                        - name: main
                          value: ${NOT_SET_ANYWHERE}
                          extra: ${NOT_SET_ANYWHERE:-fallback}
                """, Map.of());
        ConfigBlock key = config.providers().get(0).blocks("keys").get(0);
        assertTrue(key.secret("value").isEmpty());
        assertEquals("NOT_SET_ANYWHERE", key.unsetVariable("value").orElseThrow());
        assertEquals("fallback", key.string("extra").orElseThrow());
        assertTrue(key.unsetVariable("extra").isEmpty());
    }

    @Test
    void parsesDurationsAndSizes() {
        assertEquals(Duration.ofMillis(500), ConfigBlock.parseDuration("500ms"));
        assertEquals(Duration.ofSeconds(30), ConfigBlock.parseDuration("30s"));
        assertEquals(Duration.ofMinutes(5), ConfigBlock.parseDuration("5m"));
        assertEquals(Duration.ofHours(1), ConfigBlock.parseDuration("1h"));
        assertEquals(Duration.ofSeconds(30), ConfigBlock.parseDuration("PT30S"));
        assertEquals(Duration.ofSeconds(2), ConfigBlock.parseDuration("2"));
        assertEquals(null, ConfigBlock.parseDuration("soon"));
        assertEquals(512, ConfigBlock.parseSize("512"));
        assertEquals(64 * 1024, ConfigBlock.parseSize("64KB"));
        assertEquals(32L * 1024 * 1024, ConfigBlock.parseSize("32MB"));
        assertEquals(1024L * 1024 * 1024, ConfigBlock.parseSize("1GiB"));
        assertEquals(-1, ConfigBlock.parseSize("big"));
    }

    @Test
    void substitutesSeveralPlaceholders() {
        EnvSubstitution env = new EnvSubstitution(Map.of("A", "1", "B", "2"));
        assertEquals("1-2-x", env.apply("${A}-${B}-${C:-x}"));
        assertEquals("no placeholders", env.apply("no placeholders"));
        assertEquals("${unclosed", env.apply("${unclosed"));
    }

    @Test
    void dottedKeysStayWhole() {
        GatewayConfig config = parse("""
                gateway:
                  providers:
                    azure:
                      keys:
                        - name: a
                          deployments:
                            gpt-4.1: prod-41
                            gpt-5: prod-5
                            gpt-5.1: prod-51
                """, Map.of());
        Map<String, String> deployments = config.providers().get(0).blocks("keys").get(0).map("deployments");
        assertEquals(Map.of("gpt-4.1", "prod-41", "gpt-5", "prod-5", "gpt-5.1", "prod-51"), deployments);
    }
}
