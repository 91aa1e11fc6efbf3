package io.gateway.bench;

import io.gateway.spi.PluginConfig;
import io.gateway.spi.Secret;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A configuration block with no keys, for building {@link io.gateway.spi.ApiKey}s outside a server. */
final class EmptyConfig implements PluginConfig {

    private final String name;

    EmptyConfig(String name) {
        this.name = name;
    }

    @Override
    public String path() {
        return "bench." + name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Set<String> keys() {
        return Set.of();
    }

    @Override
    public boolean has(String key) {
        return false;
    }

    @Override
    public Optional<String> string(String key) {
        return Optional.empty();
    }

    @Override
    public int integer(String key, int defaultValue) {
        return defaultValue;
    }

    @Override
    public double number(String key, double defaultValue) {
        return defaultValue;
    }

    @Override
    public boolean bool(String key, boolean defaultValue) {
        return defaultValue;
    }

    @Override
    public Duration duration(String key, Duration defaultValue) {
        return defaultValue;
    }

    @Override
    public long size(String key, long defaultValue) {
        return defaultValue;
    }

    @Override
    public List<String> strings(String key) {
        return List.of();
    }

    @Override
    public Map<String, String> map(String key) {
        return Map.of();
    }

    @Override
    public Secret secret(String key) {
        return Secret.empty();
    }

    @Override
    public Optional<PluginConfig> child(String key) {
        return Optional.empty();
    }

    @Override
    public List<PluginConfig> children(String key) {
        return List.of();
    }
}
