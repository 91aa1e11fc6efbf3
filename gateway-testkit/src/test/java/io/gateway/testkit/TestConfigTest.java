package io.gateway.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.PluginConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Values read as the server reads them, the same messages for bad ones, and every unread key found. */
class TestConfigTest {

    private static String failure(Runnable read) {
        return assertThrows(IllegalArgumentException.class, read::run).getMessage();
    }

    @Test
    void scalarsAreTrimmedAndABlankValueIsNoValue() {
        TestConfig config = TestConfig.of("gateway.providers.x", TestConfig.mapOf("a", "  text  ", "blank", "  ",
                "none", null, "number", 42, "flag", true));
        assertEquals("text", config.string("a").orElseThrow());
        assertTrue(config.string("blank").isEmpty());
        assertTrue(config.string("none").isEmpty());
        assertEquals("fallback", config.string("missing", "fallback"));
        assertEquals(42, config.integer("number", 0));
        assertTrue(config.bool("flag", false));
        assertEquals("x", config.name());
        assertEquals("gateway.providers.x", config.path());
    }

    @Test
    void badValuesFailWithTheServersMessages() {
        TestConfig config = TestConfig.of("gateway.providers.x", TestConfig.mapOf("count", "ten", "ratio", "NaN",
                "flag", "yes", "timeout", "soon", "negative", "-5ms", "body", "lots", "list", List.of("a")));
        assertEquals("gateway.providers.x.count: 'ten' is not a whole number; write e.g. 10",
                failure(() -> config.integer("count", 1)));
        assertEquals("gateway.providers.x.ratio: 'NaN' is not a number; write e.g. 1.0",
                failure(() -> config.number("ratio", 1)));
        assertEquals("gateway.providers.x.flag: 'yes' is not a boolean; write true or false",
                failure(() -> config.bool("flag", false)));
        assertEquals("gateway.providers.x.timeout: 'soon' is not a duration; write e.g. 500ms, 30s, 5m or 1h",
                failure(() -> config.duration("timeout", Duration.ZERO)));
        assertTrue(failure(() -> config.duration("negative", Duration.ZERO)).startsWith("gateway.providers.x.negative:"));
        assertEquals("gateway.providers.x.body: 'lots' is not a size; write e.g. 512KB, 32MB or 1GB",
                failure(() -> config.size("body", 0)));
        assertEquals("gateway.providers.x.list: expected a single value, found a list",
                failure(() -> config.string("list")));
        assertEquals("gateway.providers.x.list: expected a block of name: value pairs, found a list",
                failure(() -> config.map("list")));
    }

    @Test
    void durationsAndSizesTakeTheServersForms() {
        TestConfig config = TestConfig.of("p", TestConfig.mapOf("a", "500ms", "b", "30", "c", "1.5m", "d", "PT2H",
                "e", "1d", "s1", "64KB", "s2", "1GiB", "s3", "512"));
        assertEquals(Duration.ofMillis(500), config.duration("a", null));
        assertEquals(Duration.ofSeconds(30), config.duration("b", null));
        assertEquals(Duration.ofSeconds(90), config.duration("c", null));
        assertEquals(Duration.ofHours(2), config.duration("d", null));
        assertEquals(Duration.ofDays(1), config.duration("e", null));
        assertEquals(64 * 1024, config.size("s1", 0));
        assertEquals(1024L * 1024 * 1024, config.size("s2", 0));
        assertEquals(512, config.size("s3", 0));
    }

    @Test
    void listsMapsAndBlocks() {
        TestConfig config = TestConfig.of("gateway.middleware[0]", TestConfig.mapOf(
                "one", "single", "many", List.of(" a ", "b"), "headers", TestConfig.mapOf("x-a", "1"),
                "limits", TestConfig.mapOf("requests", 10), "keys", List.of(TestConfig.mapOf("name", "k"))));
        assertEquals(List.of("single"), config.strings("one"));
        assertEquals(List.of("a", "b"), config.strings("many"));
        assertEquals(Map.of("x-a", "1"), config.map("headers"));
        PluginConfig limits = config.child("limits").orElseThrow();
        assertEquals("gateway.middleware[0].limits", limits.path());
        assertEquals(10, limits.integer("requests", 0));
        List<PluginConfig> keys = config.children("keys");
        assertEquals("gateway.middleware[0].keys[0]", keys.get(0).path());
        assertEquals("keys[0]", keys.get(0).name());
        assertEquals("k", keys.get(0).string("name").orElseThrow());
        assertTrue(config.child("absent").isEmpty());
        assertEquals(List.of(), config.children("absent"));
        assertEquals("gateway.middleware[0].keys[0]: expected a block of keys, found a value",
                failure(() -> TestConfig.of("gateway.middleware[0]", Map.of("keys", List.of("x"))).children("keys")));
    }

    @Test
    void unreadKeysAreFoundInNestedBlocksAndLists() {
        TestConfig config = TestConfig.of("gateway.providers.x", TestConfig.mapOf("read", "1", "typo", "2",
                "block", TestConfig.mapOf("inner", "3", "inner-typo", "4"),
                "items", List.of(TestConfig.mapOf("name", "a", "stray", "5")), "whole", TestConfig.mapOf("k", "v")));
        config.string("read");
        config.child("block").orElseThrow().string("inner");
        config.children("items").get(0).string("name");
        config.map("whole");
        assertEquals(List.of("gateway.providers.x.typo", "gateway.providers.x.block.inner-typo",
                "gateway.providers.x.items[0].stray"), config.unreadKeys());
        AssertionError error = assertThrows(AssertionError.class, config::assertAllRead);
        assertTrue(error.getMessage().startsWith("unknown key gateway.providers.x.typo: remove it or fix its spelling"),
                error.getMessage());
    }

    @Test
    void blocksTheServerReadsFirstCountItsKeysAsRead() {
        TestConfig provider = TestConfig.provider("claude", TestConfig.mapOf("type", "anthropic", "timeout", "10s",
                "keys", List.of(TestConfig.mapOf("name", "main", "value", "k", "weight", 2, "models", List.of("m"),
                        "region", "eu")), "base-url", "http://x"));
        assertEquals(List.of("gateway.providers.claude.keys[0].region", "gateway.providers.claude.base-url"),
                provider.unreadKeys());
        assertTrue(provider.readAsSecret("keys[0].value"), "the server reads key values as secrets");
        TestConfig middleware = TestConfig.middleware(2, Map.of("type", "governance", "level", "debug"));
        assertEquals("gateway.middleware[2]", middleware.path());
        assertEquals(List.of("gateway.middleware[2].level"), middleware.unreadKeys());
        TestConfig state = TestConfig.state(Map.of("type", "redis", "url", "redis://x"));
        assertEquals(List.of("gateway.state.url"), state.unreadKeys());
    }

    @Test
    void placeholdersComeFromTheGivenEnvironmentOnly() {
        TestConfig config = TestConfig.of("p", TestConfig.mapOf("key", "${API_KEY}", "url", "${URL:-http://local}",
                "unset", "${NOT_THERE}", "mixed", "Bearer ${API_KEY}"), Map.of("API_KEY", "sk-1"));
        assertEquals("sk-1", config.secret("key").reveal());
        assertTrue(config.readAsSecret("key"));
        assertEquals("http://local", config.string("url").orElseThrow());
        assertTrue(config.secret("unset").isEmpty());
        assertEquals("NOT_THERE", config.unsetVariable("unset").orElseThrow());
        assertEquals("Bearer sk-1", config.string("mixed").orElseThrow());
        assertTrue(config.unsetVariable("key").isEmpty());
    }

    @Test
    void yamlGivesTheSameValuesAsTheServersLoader() {
        TestConfig config = TestConfig.provider("azure", """
                # a provider block as gateway.yaml holds it
                type: azure
                base-url: "https://res.openai.azure.com"   # quoted
                api-version: '2024-10-21'
                enabled: yes
                retries: 0x10
                big: 1_000
                ratio: 1.50
                empty: ~
                models: [gpt-4o, "gpt-4.1", 'o3']
                extra-headers: {x-a: one, "x-b": two}
                keys:
                - name: primary
                  value: ${AZURE_KEY}
                  deployments:
                    gpt-4o: chat-prod
                - name: secondary
                  value: k2
                escaped: "tab\\tand \\"quotes\\" and \\u00e9"
                literal: 'it''s'
                url-with-hash: http://x/#anchor
                """, Map.of("AZURE_KEY", "k1"));
        assertEquals("https://res.openai.azure.com", config.string("base-url").orElseThrow());
        assertEquals("2024-10-21", config.string("api-version").orElseThrow());
        assertTrue(config.bool("enabled", false), "yes is true to the server's YAML 1.1 loader");
        assertEquals(16, config.integer("retries", 0));
        assertEquals(1000, config.integer("big", 0));
        assertEquals("1.5", config.string("ratio").orElseThrow());
        assertTrue(config.string("empty").isEmpty());
        assertEquals(List.of("gpt-4o", "gpt-4.1", "o3"), config.strings("models"));
        assertEquals(Map.of("x-a", "one", "x-b", "two"), config.map("extra-headers"));
        List<TestConfig> keys = config.blocks("keys");
        assertEquals(2, keys.size());
        assertEquals("k1", keys.get(0).secret("value").reveal());
        assertEquals("chat-prod", keys.get(0).child("deployments").orElseThrow().string("gpt-4o").orElseThrow());
        assertEquals("tab\tand \"quotes\" and é", config.string("escaped").orElseThrow());
        assertEquals("it's", config.string("literal").orElseThrow());
        assertEquals("http://x/#anchor", config.string("url-with-hash").orElseThrow());
    }

    @Test
    void yamlFlowCollectionsMaySpanLinesAndNest() {
        TestConfig config = TestConfig.yaml("p", """
                items: [
                  {name: a, tags: [x, y]},
                  {name: b}
                ]
                nested:
                  - - inner
                    - second
                """);
        List<TestConfig> items = config.blocks("items");
        assertEquals(List.of("x", "y"), items.get(0).strings("tags"));
        assertEquals("b", items.get(1).string("name").orElseThrow());
        assertEquals("p.nested: expected a list of values, found a list in it",
                assertThrows(IllegalArgumentException.class, () -> config.strings("nested")).getMessage());
    }

    @Test
    void yamlOutsideTheSubsetIsRefusedNamingTheLine() {
        assertEquals("YAML line 2: duplicate key 'a'",
                assertThrows(IllegalArgumentException.class, () -> TestConfig.yaml("p", "a: 1\na: 2")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TestConfig.yaml("p", "a: |\n  text"))
                .getMessage().startsWith("YAML line 1: block scalars"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TestConfig.yaml("p", "a: &x 1\nb: *x"))
                .getMessage().contains("anchors, aliases and tags"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TestConfig.yaml("p", "a:\n\tb: 1"))
                .getMessage().contains("tab"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TestConfig.yaml("p", "- a\n- b"))
                .getMessage().contains("must be a block of keys"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TestConfig.yaml("p", "a: [1, 2"))
                .getMessage().contains("never closed"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TestConfig.yaml("p", "a: \"open"))
                .getMessage().contains("never closed"));
        assertTrue(TestConfig.yaml("p", "").keys().isEmpty());
        assertTrue(TestConfig.yaml("p", "---\n# nothing\n").keys().isEmpty());
    }

    @Test
    void mapsBuildInOrderAndRefuseOddArguments() {
        assertEquals(List.of("b", "a"), List.copyOf(TestConfig.mapOf("b", 1, "a", 2).keySet()));
        assertThrows(IllegalArgumentException.class, () -> TestConfig.mapOf("odd"));
        assertThrows(IllegalArgumentException.class, () -> TestConfig.mapOf(1, "not a key"));
        assertFalse(TestConfig.of("p", Map.of()).has("x"));
    }
}
