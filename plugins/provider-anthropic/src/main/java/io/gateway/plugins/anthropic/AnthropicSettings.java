package io.gateway.plugins.anthropic;

import java.net.URI;
import java.util.Map;

/**
 * One configured Anthropic provider, as read from its configuration block.
 *
 * @param name             the provider name (for messages)
 * @param base             the base URL with a trailing slash, e.g. {@code https://api.anthropic.com/}
 * @param version          the {@code anthropic-version} header value
 * @param defaultMaxTokens {@code max_tokens} for requests that set no limit (Anthropic requires one)
 * @param extraHeaders     headers added to every upstream request (e.g. {@code anthropic-beta})
 */
record AnthropicSettings(String name, URI base, String version, int defaultMaxTokens,
                         Map<String, String> extraHeaders) {

    AnthropicSettings {
        extraHeaders = Map.copyOf(extraHeaders);
    }

    URI messages() {
        return base.resolve("v1/messages");
    }

    URI models() {
        return base.resolve("v1/models");
    }
}
