package io.gateway.plugins.anthropic;

import io.gateway.toolkit.settings.BaseUrl;
import java.net.URI;

/**
 * One configured Anthropic provider, as read from its configuration block.
 *
 * @param name             the provider name (for messages)
 * @param base             the base URL, e.g. {@code https://api.anthropic.com}
 * @param version          the {@code anthropic-version} header value
 * @param defaultMaxTokens {@code max_tokens} for requests that set no limit (Anthropic requires one)
 */
record AnthropicSettings(String name, BaseUrl base, String version, int defaultMaxTokens) {

    URI messages() {
        return base.resolve("v1/messages");
    }

    URI countTokens() {
        return base.resolve("v1/messages/count_tokens");
    }

    URI models() {
        return base.resolve("v1/models");
    }
}
