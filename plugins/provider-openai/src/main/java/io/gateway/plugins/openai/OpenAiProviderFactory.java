package io.gateway.plugins.openai;

import io.gateway.spi.Operation;
import io.gateway.spi.PluginConfig;
import io.gateway.spi.PluginContext;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderFactory;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;

/** Creates {@link OpenAiProvider}s for one {@link Preset}. */
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
        String baseUrl = config.string("base-url").orElse(preset.defaultBaseUrl());
        if (baseUrl == null) {
            throw config.invalid("base-url", "is required for type " + preset.type()
                    + ": the server's OpenAI-compatible URL, e.g. http://127.0.0.1:8000/v1");
        }
        URI base;
        try {
            base = new URI(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
        } catch (URISyntaxException e) {
            throw config.invalid("base-url", "'" + baseUrl + "' is not a URL");
        }
        String scheme = base.getScheme() == null ? "" : base.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || base.getHost() == null) {
            throw config.invalid("base-url", "'" + baseUrl + "' must be an http:// or https:// URL");
        }
        Map<String, String> extraHeaders = config.map("extra-headers");
        for (String name : extraHeaders.keySet()) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("authorization") || lower.equals("content-length") || lower.equals("host")) {
                throw config.invalid("extra-headers." + name, "cannot be set here; keys belong in 'keys'");
            }
        }
        java.util.Set<Operation> operations = preset.operations();
        java.util.List<String> only = config.strings("operations");
        if (!only.isEmpty()) {
            java.util.Set<Operation> chosen = java.util.EnumSet.noneOf(Operation.class);
            for (String name : only) {
                Operation operation = java.util.Arrays.stream(Operation.values())
                        .filter(o -> o.wireName().equals(name) || OpenAiPaths.of(o).equals(name)).findFirst()
                        .orElseThrow(() -> config.invalid("operations", "'" + name + "' is not an operation; use "
                                + "chat_completion, text_completion, responses, embedding, image_generation, list_models"));
                chosen.add(operation);
            }
            operations = chosen;
        }
        String organization = config.string("organization").orElse(null);
        String project = config.string("project").orElse(null);
        return new OpenAiProvider(config.name(), base, operations, extraHeaders, organization, project,
                context.upstream());
    }
}
