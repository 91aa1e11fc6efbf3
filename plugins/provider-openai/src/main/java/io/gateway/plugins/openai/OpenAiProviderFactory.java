package io.gateway.plugins.openai;

import io.gateway.spi.Headers;
import io.gateway.spi.Operation;
import io.gateway.spi.PluginConfig;
import io.gateway.spi.PluginContext;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderFactory;
import io.gateway.toolkit.openai.OpenAiErrors;
import io.gateway.toolkit.openai.OpenAiPaths;
import io.gateway.toolkit.settings.BaseUrl;
import io.gateway.toolkit.settings.ExtraHeaders;
import io.gateway.toolkit.upstream.KeyHeader;
import io.gateway.toolkit.upstream.UpstreamCalls;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Creates {@link OpenAiProvider}s for one {@link Preset}. Keys read: {@code base-url} (the preset's
 * default, required for presets without one), {@code extra-headers}, {@code organization},
 * {@code project}, {@code operations}.
 */
final class OpenAiProviderFactory implements ProviderFactory {

    private final Preset preset;

    OpenAiProviderFactory(Preset preset) {
        this.preset = preset;
    }

    @Override
    public String type() {
        return preset.type();
    }

    @Override
    public Provider create(PluginConfig config, PluginContext context) {
        BaseUrl base = BaseUrl.read(config, preset.defaultBaseUrl(), "the OpenAI-compatible server's URL for type "
                + preset.type() + ", e.g. http://127.0.0.1:8000/v1", context);
        Headers.Builder headers = ExtraHeaders.read(config, Map.of()).toBuilder();
        config.string("organization").ifPresent(organization -> headers.set("openai-organization", organization));
        config.string("project").ifPresent(project -> headers.set("openai-project", project));
        Set<Operation> operations = operations(config);
        UpstreamCalls upstream = UpstreamCalls.builder(config.name(), context.upstream(), OpenAiErrors::parse)
                .headers(headers.build())
                .key(KeyHeader.bearer())
                .relay(OpenAiProvider.RELAY)
                .build();
        // OpenRouter takes Anthropic-style cache_control markers on chat content; other servers may refuse them
        boolean cacheControl = config.bool("cache-control", preset.type().equals("openrouter"));
        return new OpenAiProvider(config.name(), base, operations, upstream, cacheControl);
    }

    /** The preset's operations, or the ones {@code operations} names (wire names or paths). */
    private Set<Operation> operations(PluginConfig config) {
        List<String> only = config.strings("operations");
        if (only.isEmpty()) {
            return preset.operations();
        }
        Set<Operation> chosen = EnumSet.noneOf(Operation.class);
        for (String name : only) {
            // a wire name is one operation; a path ("files", "batches") every operation served below it
            List<Operation> named = Arrays.stream(Operation.values())
                    .filter(o -> OpenAiPaths.of(o) != null && (o.wireName().equals(name) || OpenAiPaths.of(o).equals(name)))
                    .toList();
            if (named.isEmpty()) {
                throw config.invalid("operations", "'" + name + "' is not an operation; use one of "
                        + String.join(", ", Arrays.stream(Operation.values()).filter(o -> OpenAiPaths.of(o) != null)
                                .map(Operation::wireName).toList())
                        + ", or a path such as files or batches");
            }
            chosen.addAll(named);
        }
        return chosen;
    }
}
