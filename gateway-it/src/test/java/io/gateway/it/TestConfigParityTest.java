package io.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gateway.server.config.ConfigBlock;
import io.gateway.server.config.GatewayConfig;
import io.gateway.spi.PluginConfig;
import io.gateway.testkit.TestConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The test kit's {@link TestConfig} reads YAML as the server reads it: the same block, read through both
 * with every accessor, gives the same values, the same error messages and the same unread keys.
 */
class TestConfigParityTest {

    private static final Map<String, String> ENVIRONMENT = Map.of("KEY", "sk-1", "EMPTY", "");

    /** Plain and quoted scalars of every kind gateway configurations hold, and some YAML 1.1 surprises. */
    private static final String BLOCK = """
            plain: some text
            quoted: "  padded  "
            single: 'it''s'
            url: http://127.0.0.1:8080/v1
            hash: a#b
            comment: value # a comment
            yes-bool: yes
            on-bool: On
            true-bool: True
            no-bool: no
            int: 42
            negative: -7
            hex: 0x1F
            octal: 017
            not-octal: 09
            underscores: 1_000
            binary: 0b101
            plus: +5
            padded-hex: 0x_ff
            date-like: 2026-01-01x
            sexagesimal: 1:30
            float: 1.50
            exponent: 1e3
            leading-dot: .5
            infinity: -.inf
            tilde: ~
            null-word: null
            empty:
            empty-quoted: ''
            quoted-number: "42"
            duration: 30s
            duration-iso: PT1M
            duration-bad: soon
            size: 64KB
            size-bad: lots
            placeholder: ${KEY}
            placeholder-default: ${MISSING:-fallback}
            placeholder-unset: ${MISSING}
            placeholder-empty: ${EMPTY:-dflt}
            flow-list: [a, "b c", 3]
            block-list:
              - one
              - 2
            flow-map: {x-a: 1, x-b: two}
            block-map:
              gpt-4o: chat-prod
              gpt-4.1: gpt41-prod
            200: status key
            yes: boolean key
            nested:
              deeper:
                deepest: here
            items:
            - name: first
              weight: 2
            - name: second
            """;

    private static ConfigBlock server() {
        StringBuilder yaml = new StringBuilder("gateway:\n  providers:\n    p:\n");
        BLOCK.lines().forEach(line -> yaml.append("      ").append(line).append('\n'));
        return GatewayConfig.parse(yaml.toString(), ENVIRONMENT, Path.of(".")).providers().get(0);
    }

    private static TestConfig kit() {
        return TestConfig.yaml("gateway.providers.p", BLOCK, ENVIRONMENT);
    }

    /** What a read gives: its value, or the message it fails with. */
    private static String outcome(Function<PluginConfig, Object> read, PluginConfig config) {
        try {
            Object value = read.apply(config);
            return value instanceof io.gateway.spi.Secret secret ? "secret:" + secret.reveal() : String.valueOf(value);
        } catch (IllegalArgumentException e) {
            return "error:" + e.getMessage();
        }
    }

    @Test
    void everyAccessorGivesTheSameValueOrMessage() {
        PluginConfig server = server();
        PluginConfig kit = kit();
        assertEquals(List.copyOf(server.keys()), List.copyOf(kit.keys()), "the same keys in the same order");
        List<String> differences = new ArrayList<>();
        for (String key : server.keys()) {
            Map<String, Function<PluginConfig, Object>> reads = Map.of(
                    "string", c -> c.string(key),
                    "integer", c -> c.integer(key, -1),
                    "number", c -> c.number(key, -1),
                    "bool", c -> c.bool(key, false),
                    "duration", c -> c.duration(key, Duration.ZERO),
                    "size", c -> c.size(key, -1),
                    "strings", c -> c.strings(key),
                    "map", c -> c.map(key),
                    "secret", c -> c.secret(key),
                    "children", c -> c.children(key).stream().map(PluginConfig::path).toList());
            reads.forEach((name, read) -> {
                String expected = outcome(read, server);
                String actual = outcome(read, kit);
                if (!expected.equals(actual)) {
                    differences.add(key + " " + name + ": server " + expected + ", kit " + actual);
                }
            });
        }
        assertEquals(List.of(), differences);
    }

    @Test
    void nestedBlocksAndListsReadTheSame() {
        PluginConfig server = server();
        PluginConfig kit = kit();
        assertEquals(server.child("nested").orElseThrow().child("deeper").orElseThrow().string("deepest"),
                kit.child("nested").orElseThrow().child("deeper").orElseThrow().string("deepest"));
        assertEquals(server.children("items").get(0).integer("weight", 0), kit.children("items").get(0).integer("weight", 0));
        assertEquals(server.children("items").get(1).name(), kit.children("items").get(1).name());
    }

    @Test
    void theSameReadsLeaveTheSameKeysUnread() {
        ConfigBlock server = server();
        TestConfig kit = kit();
        for (PluginConfig config : List.of(server, kit)) {
            config.string("plain");
            config.map("block-map");
            config.child("nested").orElseThrow().child("deeper");
            config.children("items").get(0).string("name");
        }
        assertEquals(server.unreadKeys(), kit.unreadKeys());
    }
}
