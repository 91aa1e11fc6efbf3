package io.gateway.plugins.anthropic;

import static io.gateway.plugins.anthropic.Fixtures.call;
import static io.gateway.plugins.anthropic.Fixtures.complete;
import static io.gateway.plugins.anthropic.Fixtures.obj;
import static io.gateway.plugins.anthropic.Fixtures.provider;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.GatewayException;
import io.gateway.spi.Operation;
import io.gateway.spi.Plugin;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderFactory;
import io.gateway.spi.SpiVersion;
import io.gateway.spi.upstream.UpstreamRequest;
import io.gateway.testkit.ScriptedUpstream;
import io.gateway.testkit.ScriptedUpstream.Canned;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AnthropicPluginTest {

    private final Anthropic fake = new Anthropic();

    @AfterEach
    void closeTheFake() {
        fake.close();
    }

    @Test
    void isFoundByServiceLoaderWithOneAnthropicFactory() {
        List<Plugin> plugins = ServiceLoader.load(Plugin.class).stream().map(ServiceLoader.Provider::get).toList();
        Plugin plugin = plugins.stream().filter(p -> p instanceof AnthropicPlugin).findFirst().orElseThrow();
        assertEquals("provider-anthropic", plugin.id());
        assertEquals(SpiVersion.MAJOR, plugin.spiVersion());
        List<ProviderFactory> factories = plugin.providerFactories();
        assertEquals(1, factories.size());
        assertEquals("anthropic", factories.get(0).type());
        assertTrue(plugin.middlewareFactories().isEmpty());
    }

    @Test
    void offersChatResponsesModelsAndTheMessagesApiOnly() {
        Provider provider = provider(fake);
        assertEquals(Set.of(Operation.CHAT_COMPLETION, Operation.RESPONSES, Operation.LIST_MODELS,
                Operation.MESSAGES, Operation.COUNT_TOKENS, Operation.PASSTHROUGH), provider.operations());
        GatewayException e = assertThrows(GatewayException.class,
                () -> provider.call(call(Operation.EMBEDDING, obj("{'input':'hi'}"))));
        assertEquals(400, e.status());
    }

    @Test
    void sendsKeyVersionContentTypeAndExtraHeadersToTheDefaultBaseUrl() {
        Provider provider = provider(fake, "extra-headers", Map.of("anthropic-beta", "prompt-caching-2024-07-31"));
        complete(provider, Operation.CHAT_COMPLETION, "{'messages':[{'role':'user','content':'Hi'}]}");
        UpstreamRequest request = fake.lastRequest();
        assertEquals("POST", request.method());
        assertEquals("https://api.anthropic.com/v1/messages", request.uri().toString());
        assertEquals(Fixtures.KEY, request.headers().first("x-api-key").orElseThrow());
        assertEquals("2023-06-01", request.headers().first("anthropic-version").orElseThrow());
        assertEquals("application/json", request.headers().first("content-type").orElseThrow());
        assertEquals("prompt-caching-2024-07-31", request.headers().first("anthropic-beta").orElseThrow());
        assertFalse(request.headers().contains("authorization"));
        assertFalse(request.stream());
    }

    @Test
    void usesConfiguredBaseUrlAndVersion() {
        // a proxy with a version Anthropic itself refuses: the answer is scripted, the request inspected
        ScriptedUpstream upstream = new ScriptedUpstream()
                .respond(Canned.json(200, Fixtures.message("Hello!", "end_turn")));
        Provider provider = provider(upstream, "base-url", "http://127.0.0.1:9999/proxy", "anthropic-version",
                "2024-01-01");
        complete(provider, Operation.CHAT_COMPLETION, "{'messages':[{'role':'user','content':'Hi'}]}");
        assertEquals("http://127.0.0.1:9999/proxy/v1/messages", upstream.lastRequest().uri().toString());
        assertEquals("2024-01-01", upstream.lastRequest().headers().first("anthropic-version").orElseThrow());
    }

    @Test
    void omitsTheKeyHeaderWhenTheKeyIsEmpty() {
        Provider provider = provider(fake);
        GatewayException e = assertThrows(GatewayException.class, () -> provider.call(
                call(Operation.CHAT_COMPLETION, obj("{'messages':[{'role':'user','content':'Hi'}]}"), "")));
        assertFalse(fake.lastRequest().headers().contains("x-api-key"));
        assertEquals(401, e.status());
        assertEquals("authentication_error", e.errorCode().code());
    }

    @Test
    void defaultMaxTokensIsConfigurable() {
        complete(provider(fake, "default-max-tokens", "1000"), Operation.CHAT_COMPLETION,
                "{'messages':[{'role':'user','content':'Hi'}]}");
        assertEquals(1000, fake.lastBody().getInt("max_tokens"));
        complete(provider(fake), Operation.CHAT_COMPLETION, "{'messages':[{'role':'user','content':'Hi'}]}");
        assertEquals(4096, fake.lastBody().getInt("max_tokens"));
    }

    @Test
    void rejectsBadConfigurationNamingTheKey() {
        assertInvalid("gateway.providers.claude.base-url", () -> provider(fake, "base-url", "ftp://example.com"));
        assertInvalid("gateway.providers.claude.base-url", () -> provider(fake, "base-url", "not a url"));
        assertInvalid("gateway.providers.claude.base-url", () -> provider(fake, "base-url", "api.anthropic.com"));
        assertInvalid("gateway.providers.claude.default-max-tokens", () -> provider(fake, "default-max-tokens", "0"));
        assertInvalid("gateway.providers.claude.extra-headers.x-api-key",
                () -> provider(fake, "extra-headers", Map.of("x-api-key", "secret")));
        assertInvalid("gateway.providers.claude.extra-headers.Anthropic-Version",
                () -> provider(fake, "extra-headers", Map.of("Anthropic-Version", "2023-06-01")));
    }

    @Test
    void aBlankVersionIsNoVersionAndTheDefaultIsSent() {
        // the server reads a blank value as absent, so the factory never sees " " (its own check cannot fire)
        complete(provider(fake, "anthropic-version", " "), Operation.CHAT_COMPLETION,
                "{'messages':[{'role':'user','content':'Hi'}]}");
        assertEquals("2023-06-01", fake.lastRequest().headers().first("anthropic-version").orElseThrow());
    }

    private static void assertInvalid(String key, Runnable create) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, create::run);
        assertTrue(e.getMessage().startsWith(key + ":"), e.getMessage());
    }
}
