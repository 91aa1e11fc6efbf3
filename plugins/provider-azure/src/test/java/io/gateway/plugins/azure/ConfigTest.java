package io.gateway.plugins.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.Operation;
import io.gateway.spi.upstream.UpstreamRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import io.gateway.testkit.ScriptedUpstream;
import io.gateway.testkit.TestConfig;
import io.gateway.testkit.TestContext;

/** The factory: validation with messages naming the key, defaults, and every key read. */
class ConfigTest {

    private static final String CHAT = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

    private static Map<String, Object> settings(Object... pairs) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("base-url", "https://res.openai.azure.com");
        for (int i = 0; i < pairs.length; i += 2) {
            result.put((String) pairs[i], pairs[i + 1]);
        }
        return result;
    }

    private static String error(Map<String, Object> settings) {
        return assertThrows(IllegalArgumentException.class,
                () -> Harness.provider(settings, Harness.capturing())).getMessage();
    }

    private static UpstreamRequest chatRequest(Map<String, Object> settings) {
        ScriptedUpstream upstream = Harness.capturing();
        Harness.provider(settings, upstream).call(Harness.call(Operation.CHAT_COMPLETION, "gpt-4o", CHAT,
                Keys.of("k", "secret", Map.of())));
        return upstream.lastRequest();
    }

    @Test
    void theBaseUrlIsRequired() {
        Map<String, Object> settings = settings();
        settings.remove("base-url");
        assertEquals("gateway.providers.azure.base-url: is required: the resource endpoint, e.g. "
                + "https://my-resource.openai.azure.com", error(settings));
    }

    @Test
    void theBaseUrlMustBeAnHttpsEndpoint() {
        for (String bad : List.of("res.openai.azure.com", "ftp://res.openai.azure.com", "https://", "https://res .com",
                "https://res.openai.azure.com/?api-version=2024-10-21", "https://key@res.openai.azure.com",
                "https://res.openai.azure.com/#x")) {
            assertTrue(error(settings("base-url", bad)).startsWith("gateway.providers.azure.base-url: "), bad);
        }
        assertTrue(error(settings("base-url", "https://res.openai.azure.com/openai/deployments/gpt-4o"))
                .contains("names a deployment"));
    }

    @Test
    void theBaseUrlMayHaveATrailingSlashOrAProxyPrefix() {
        assertEquals("https://res.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21",
                chatRequest(settings("base-url", "https://res.openai.azure.com//")).uri().toString());
        assertEquals("https://apim.azure-api.net/team-a/openai/deployments/gpt-4o/chat/completions?api-version="
                + "2024-10-21", chatRequest(settings("base-url", "https://apim.azure-api.net/team-a/")).uri().toString());
        assertEquals("http://localhost:8443/openai/v1/chat/completions",
                chatRequest(settings("base-url", "http://localhost:8443", "api-version", "v1")).uri().toString());
    }

    @Test
    void questionableBaseUrlsWarn() {
        TestContext context = TestContext.with(Harness.capturing());
        new AzureProviderFactory().create(TestConfig.provider("azure", settings("base-url",
                "https://res.openai.azure.com/openai")), context);
        assertEquals(1, context.logger().warnings().size());
        assertTrue(context.logger().warnings().get(0).contains("ends with /openai"));
        TestContext plain = TestContext.with(Harness.capturing());
        new AzureProviderFactory().create(TestConfig.provider("azure", settings("base-url",
                "http://proxy.internal:8080")), plain);
        assertTrue(plain.logger().warnings().get(0).contains("unencrypted"));
    }

    @Test
    void apiVersionsDefaultAndValidate() {
        assertEquals("api-version=" + AzureProviderFactory.DEFAULT_API_VERSION,
                chatRequest(settings()).uri().getQuery());
        assertEquals("api-version=2025-04-01-preview",
                chatRequest(settings("api-version", "2025-04-01-preview")).uri().getQuery());
        assertEquals("/openai/v1/chat/completions", chatRequest(settings("api-version", "V1")).uri().getPath());
        assertTrue(error(settings("api-version", "2024 10 21"))
                .startsWith("gateway.providers.azure.api-version: '2024 10 21' is not an api-version"));
        assertTrue(error(settings("api-version", "2024-10-21&x=1")).startsWith("gateway.providers.azure.api-version"));
        assertTrue(error(settings("responses-api-version", "v1"))
                .startsWith("gateway.providers.azure.responses-api-version: 'v1' is not a dated version"));
    }

    @Test
    void theResponsesVersionIsConfigurable() {
        ScriptedUpstream upstream = Harness.capturing();
        Harness.provider(settings("responses-api-version", "2025-03-01-preview"), upstream)
                .call(Harness.call(Operation.RESPONSES, "gpt-4o", "{\"model\":\"gpt-4o\",\"input\":\"Hi\"}",
                        Keys.keyless()));
        assertEquals("https://res.openai.azure.com/openai/responses?api-version=2025-03-01-preview",
                upstream.lastRequest().uri().toString());
    }

    @Test
    void aResponsesVersionBesideV1Warns() {
        TestContext context = TestContext.with(Harness.capturing());
        new AzureProviderFactory().create(TestConfig.provider("azure", settings("api-version", "v1",
                "responses-api-version", "2025-04-01-preview")), context);
        assertTrue(context.logger().warnings().get(0).contains("responses-api-version is not used"));
    }

    @Test
    void extraHeadersAreSentAndMayNotCarryCredentials() {
        UpstreamRequest request = chatRequest(settings("extra-headers", Map.of("x-ms-useragent", "gateway/1",
                "Ocp-Apim-Subscription-Key", "apim-sub")));
        assertEquals("gateway/1", request.headers().first("x-ms-useragent").orElseThrow());
        assertEquals("apim-sub", request.headers().first("ocp-apim-subscription-key").orElseThrow());
        assertEquals("secret", request.headers().first("api-key").orElseThrow());
        for (String header : List.of("api-key", "Authorization", "Host", "Content-Length", "content-type")) {
            assertTrue(error(settings("extra-headers", Map.of(header, "x")))
                    .startsWith("gateway.providers.azure.extra-headers." + header + ": "), header);
        }
    }

    @Test
    void everyKeyOfTheBlockIsRead() {
        Map<String, Object> mapKey = new LinkedHashMap<>();
        mapKey.put("name", "primary");
        mapKey.put("value", "k1");
        mapKey.put("weight", "2");
        mapKey.put("models", List.of("gpt-4o", "gpt-4.1"));
        mapKey.put("deployments", Map.of("gpt-4o", "chat-prod", "gpt-4", Map.of("1", "gpt41-prod")));
        Map<String, Object> listKey = new LinkedHashMap<>();
        listKey.put("name", "secondary");
        listKey.put("value", "k2");
        listKey.put("deployments", List.of(Map.of("model", "gpt-4o", "deployment", "chat-eu")));
        TestConfig config = TestConfig.provider("azure", settings("type", "azure", "api-version", "2024-10-21",
                "responses-api-version", "2025-04-01-preview", "extra-headers", Map.of("x-a", "b"),
                "keys", List.of(mapKey, listKey)));
        new AzureProviderFactory().create(config, TestContext.with(Harness.capturing()));
        // the kit's provider block counts the keys the server reads itself (type, keys[].value, weight, models)
        assertEquals(List.of(), config.unreadKeys(), "keys the server does not read itself must be read by the factory");
    }

    @Test
    void aProviderWithoutKeysSendsNoApiKey() {
        ScriptedUpstream upstream = Harness.capturing();
        Harness.provider(settings(), upstream).call(Harness.call(Operation.CHAT_COMPLETION, "gpt-4o", CHAT,
                Keys.keyless()));
        assertTrue(!upstream.lastRequest().headers().contains("api-key"));
        assertEquals("https://res.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21",
                upstream.lastRequest().uri().toString());
    }

    @Test
    void theCallsDeadlineAndIdleTimeoutReachTheRequest() {
        ScriptedUpstream upstream = Harness.capturing();
        var call = Harness.call(Operation.CHAT_COMPLETION, "gpt-4o", CHAT, Keys.keyless());
        Harness.provider(settings(), upstream).call(call);
        assertEquals(call.deadline(), upstream.lastRequest().deadline());
        assertEquals(call.streamIdleTimeout(), upstream.lastRequest().idleTimeout());
        assertEquals(false, upstream.lastRequest().stream());
    }
}
