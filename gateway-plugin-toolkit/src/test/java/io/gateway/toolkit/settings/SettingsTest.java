package io.gateway.toolkit.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.Headers;
import io.gateway.spi.Secret;
import io.gateway.spi.provider.ApiKey;
import io.gateway.testkit.TestConfig;
import io.gateway.testkit.TestContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link BaseUrl}, {@link ExtraHeaders}, {@link KeySettings} and {@link HeaderNames}. */
class SettingsTest {

    private static final String WHAT = "the server's URL, e.g. https://api.example.com/v1";

    private final TestContext context = TestContext.create();

    private List<String> warnings() {
        return context.logger().lines();
    }

    private BaseUrl base(Map<String, ?> values, String defaultUrl) {
        return BaseUrl.read(TestConfig.provider("p", values), defaultUrl, WHAT, context);
    }

    private String baseError(String url) {
        return assertThrows(IllegalArgumentException.class, () -> base(Map.of("base-url", url), null)).getMessage();
    }

    @Test
    void baseUrlsAreAbsoluteHttpUrlsWithoutTrailingSlashes() {
        BaseUrl base = base(Map.of("base-url", " https://Proxy.example.com:8443/team/v1// "), null);
        assertEquals("https://Proxy.example.com:8443/team/v1", base.toString());
        assertEquals("/team/v1", base.path());
        assertEquals("https", base.scheme());
        assertEquals("https://Proxy.example.com:8443/team/v1/chat/completions",
                base.resolve("chat/completions").toString());
        assertEquals("https://api.example.com/models?x=1", base(Map.of(), "https://api.example.com/")
                .resolve("models?x=1").toString());
        assertTrue(warnings().isEmpty(), warnings().toString());
    }

    @Test
    void badBaseUrlsNameTheKeyAndTheFix() {
        assertEquals("gateway.providers.p.base-url: is required: " + WHAT,
                assertThrows(IllegalArgumentException.class, () -> base(Map.of(), null)).getMessage());
        for (String bad : List.of("api.example.com", "ftp://api.example.com", "https://", "https://a b.com",
                "https://api.example.com/?key=x", "https://user:pw@api.example.com", "https://api.example.com/#f",
                "mailto:someone@example.com")) {
            assertTrue(baseError(bad).startsWith("gateway.providers.p.base-url: '"), bad);
        }
        assertTrue(baseError("ftp://api.example.com").endsWith(WHAT));
    }

    @Test
    void plainHttpWarnsUnlessTheHostIsLoopback() {
        for (String local : List.of("http://localhost:8000/v1", "http://127.0.0.1:11434", "http://[::1]:1234/v1")) {
            assertTrue(base(Map.of("base-url", local), null).isLoopback(), local);
        }
        assertTrue(warnings().isEmpty(), warnings().toString());
        base(Map.of("base-url", "http://vllm.internal:8000/v1"), null);
        assertEquals(1, warnings().size());
        assertTrue(warnings().get(0).startsWith("gateway.providers.p.base-url uses http:// to vllm.internal: requests "
                + "travel unencrypted"), warnings().get(0));
        base(Map.of("base-url", "http://127.0.0.1.example.com", "keys", List.of(Map.of("name", "k"))), null);
        assertTrue(warnings().get(1).contains("requests and keys travel unencrypted"), warnings().get(1));
    }

    @Test
    void extraHeadersKeepTheirOrderAndRefuseWhatIsNotTheirs() {
        Map<String, String> configured = new LinkedHashMap<>();
        configured.put("X-Beta", "on");
        configured.put("x-project", "p1");
        Headers headers = ExtraHeaders.read(TestConfig.provider("p", Map.of("extra-headers", configured)), Map.of());
        assertEquals(List.of("x-beta", "x-project"), List.copyOf(headers.names()));
        assertEquals("on", headers.first("x-beta").orElseThrow());
        assertTrue(ExtraHeaders.read(TestConfig.provider("p", Map.of()), Map.of()).isEmpty());

        Map<String, String> reasons = Map.of(
                "Authorization", "keys belong in 'keys'",
                "X-Goog-Api-Key", "keys belong in 'keys'",
                "Cookie", "keys belong in 'keys'",
                "Host", "HTTP client",
                "Transfer-Encoding", "HTTP client",
                "Connection", "HTTP client",
                "Content-Type", "the plugin sends it",
                "bad header", "is not a header name");
        reasons.forEach((name, reason) -> {
            String message = assertThrows(IllegalArgumentException.class, () -> ExtraHeaders.read(
                    TestConfig.provider("p", Map.of("extra-headers", Map.of(name, "v"))),
                    Map.of("content-type", "the plugin sends it"))).getMessage();
            assertTrue(message.startsWith("gateway.providers.p.extra-headers." + name + ": "), message);
            assertTrue(message.contains(reason), message);
        });
        String injected = assertThrows(IllegalArgumentException.class, () -> ExtraHeaders.read(
                TestConfig.provider("p", Map.of("extra-headers", Map.of("x-a", "v\r\nx-b: w"))), Map.of())).getMessage();
        assertTrue(injected.contains("line breaks"), injected);
        assertEquals("a\tb", ExtraHeaders.read(TestConfig.provider("p", Map.of("extra-headers", Map.of("x-a", "a\tb"))),
                Map.of()).first("x-a").orElseThrow(), "a tab is allowed in a value");
    }

    @Test
    void keySettingsAreReadOnceAndFoundByKeyName() {
        List<Map<String, ?>> keys = List.of(
                Map.of("name", "us", "region", "us-east"),
                Map.of("region", "eu-west"),
                Map.of("name", "plain"));
        List<String> read = new ArrayList<>();
        KeySettings<String> regions = KeySettings.read(TestConfig.provider("p", Map.of("keys", keys)), key -> {
            read.add(key.path());
            return key.string("region").orElse(null);
        });
        assertEquals(List.of("gateway.providers.p.keys[0]", "gateway.providers.p.keys[1]",
                "gateway.providers.p.keys[2]"), read);
        assertEquals("us-east", regions.of(ApiKey.of("us", Secret.of("k"))).orElseThrow());
        assertEquals("eu-west", regions.of(ApiKey.of("key-1", Secret.of("k"))).orElseThrow(),
                "a key without a name is key-INDEX, as the server names it");
        assertTrue(regions.of(ApiKey.of("plain", Secret.of("k"))).isEmpty(), "no settings of its own");
        assertEquals("none", regions.of(ApiKey.of("other", Secret.empty()), "none"));
        assertEquals(List.of("us", "key-1"), List.copyOf(regions.all().keySet()));
        assertTrue(KeySettings.read(TestConfig.provider("p", Map.of()), key -> "x").all().isEmpty());
    }

    @Test
    void headerNameRules() {
        assertTrue(HeaderNames.isValid("X-Custom_1.a"));
        assertFalse(HeaderNames.isValid("x custom"));
        assertFalse(HeaderNames.isValid("x:y"));
        assertFalse(HeaderNames.isValid(""));
        assertFalse(HeaderNames.isValid(null));
        assertTrue(HeaderNames.carriesCredentials("Proxy-Authorization"));
        assertTrue(HeaderNames.carriesCredentials("x-bf-vk"));
        assertFalse(HeaderNames.carriesCredentials("ocp-apim-trace"));
        assertTrue(HeaderNames.isConnectionHeader("Keep-Alive"));
        assertFalse(HeaderNames.isConnectionHeader("accept"));
    }
}
