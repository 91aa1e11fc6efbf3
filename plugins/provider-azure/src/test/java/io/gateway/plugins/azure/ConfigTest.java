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
                () -> Harness.provider(settings, new CapturingClient())).getMessage();
    }

    private static UpstreamRequest chatRequest(Map<String, Object> settings) {
        CapturingClient upstream = new CapturingClient();
        Harness.provider(settings, upstream).call(Harness.call(Operation.CHAT_COMPLETION, "gpt-4o", CHAT,
                Keys.of("k", "secret", Map.of())));
        return upstream.last();
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
        TestContext context = new TestContext(new CapturingClient());
        new AzureProviderFactory().create(TestConfig.provider("azure", settings("base-url",
                "https://res.openai.azure.com/openai")), context);
        assertEquals(1, context.warnings().size());
        assertTrue(context.warnings().get(0).contains("ends with /openai"));
        TestContext plain = new TestContext(new CapturingClient());
        new AzureProviderFactory().create(TestConfig.provider("azure", settings("base-url",
                "http://proxy.internal:8080")), plain);
        assertTrue(plain.warnings().get(0).contains("unencrypted"));
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
        CapturingClient upstream = new CapturingClient();
        Harness.provider(settings("responses-api-version", "2025-03-01-preview"), upstream)
                .call(Harness.call(Operation.RESPONSES, "gpt-4o", "{\"model\":\"gpt-4o\",\"input\":\"Hi\"}",
                        Keys.keyless()));
        assertEquals("https://res.openai.azure.com/openai/responses?api-version=2025-03-01-preview",
                upstream.last().uri().toString());
    }

    @Test
    void aResponsesVersionBesideV1Warns() {
        TestContext context = new TestContext(new CapturingClient());
        new AzureProviderFactory().create(TestConfig.provider("azure", settings("api-version", "v1",
                "responses-api-version", "2025-04-01-preview")), context);
        assertTrue(context.warnings().get(0).contains("responses-api-version is not used"));
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
        new AzureProviderFactory().create(config, new TestContext(new CapturingClient()));
        assertTrue(config.unread().contains("gateway.providers.azure.keys[0].value"),
                "the server reads key values itself; the tracker sees that the factory did not");
        List<String> unread = config.unread().stream()
                .filter(key -> !key.matches("gateway\\.providers\\.azure\\.(type|keys\\[\\d+]\\.(value|weight|models.*))"))
                .toList();
        assertEquals(List.of(), unread, "keys the server does not read itself must be read by the factory");
    }

    @Test
    void aProviderWithoutKeysSendsNoApiKey() {
        CapturingClient upstream = new CapturingClient();
        Harness.provider(settings(), upstream).call(Harness.call(Operation.CHAT_COMPLETION, "gpt-4o", CHAT,
                Keys.keyless()));
        assertTrue(!upstream.last().headers().contains("api-key"));
        assertEquals("https://res.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21",
                upstream.last().uri().toString());
    }

    @Test
    void theCallsDeadlineAndIdleTimeoutReachTheRequest() {
        CapturingClient upstream = new CapturingClient();
        var call = Harness.call(Operation.CHAT_COMPLETION, "gpt-4o", CHAT, Keys.keyless());
        Harness.provider(settings(), upstream).call(call);
        assertEquals(call.deadline(), upstream.last().deadline());
        assertEquals(call.streamIdleTimeout(), upstream.last().idleTimeout());
        assertEquals(false, upstream.last().stream());
    }
}
