package io.gateway.plugins.requestlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.middleware.Exchange;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.middleware.Middleware;
import io.gateway.spi.middleware.MiddlewareFactory;
import io.gateway.spi.Operation;
import io.gateway.spi.Plugin;
import io.gateway.spi.Response;
import io.gateway.spi.SpiVersion;
import io.gateway.testkit.RecordingLogger;
import io.gateway.testkit.RouterStandIn;
import io.gateway.testkit.TestConfig;
import io.gateway.testkit.TestContext;
import io.gateway.testkit.TestOutcome;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class RequestLogFactoryTest {

    @Test
    void isFoundByServiceLoader() {
        List<Plugin> plugins = ServiceLoader.load(Plugin.class).stream().map(ServiceLoader.Provider::get).toList();

        assertEquals(1, plugins.size());
        Plugin plugin = plugins.getFirst();
        assertEquals("middleware-request-log", plugin.id());
        assertEquals(SpiVersion.MAJOR, plugin.spiVersion());
        assertEquals(List.of("request-log"), plugin.middlewareFactories().stream().map(MiddlewareFactory::type).toList());
        assertTrue(plugin.providerFactories().isEmpty());
    }

    @Test
    void logsAtTheConfiguredLevel() {
        RecordingLogger logger = new RecordingLogger("middleware-request-log", System.Logger.Level.TRACE);

        create(Map.of(), logger).handle(exchange(Headers.empty()), ok());
        create(Map.of("level", "debug"), logger).handle(exchange(Headers.empty()), ok());

        assertEquals(List.of(System.Logger.Level.INFO, System.Logger.Level.DEBUG),
                logger.entries().stream().map(RecordingLogger.Entry::level).toList());
    }

    @Test
    void refusesOtherLevels() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> create(Map.of("level", "WARN"), new RecordingLogger("middleware-request-log", System.Logger.Level.INFO)));

        assertTrue(e.getMessage().startsWith("gateway.middleware[0].level:"), e.getMessage());
    }

    @Test
    void refusesCredentialHeadersInAnyCase() {
        for (String name : List.of("Authorization", "api-key", "X-API-Key", "x-bf-vk", "Cookie", "proxy-authorization")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> create(Map.of("include-headers", List.of("x-tenant", name)), new RecordingLogger("middleware-request-log", System.Logger.Level.INFO)), name);
            assertTrue(e.getMessage().startsWith("gateway.middleware[0].include-headers:"), e.getMessage());
        }
    }

    @Test
    void refusesWhatCannotBeAHeaderName() {
        assertThrows(IllegalArgumentException.class,
                () -> create(Map.of("include-headers", List.of("x tenant")), new RecordingLogger("middleware-request-log", System.Logger.Level.INFO)));
    }

    @Test
    void neverLogsSecretsBodiesOrUnlistedHeaderValues() {
        RecordingLogger logger = new RecordingLogger("middleware-request-log", System.Logger.Level.INFO);
        Middleware middleware = create(Map.of("include-headers", List.of("X-Tenant", "x-absent")), logger);
        Headers headers = Headers.of(
                "Authorization", "Bearer sk-live-SECRET1",
                "api-key", "SECRET2",
                "x-api-key", "SECRET3",
                "x-bf-vk", "vk-SECRET4",
                "cookie", "session=SECRET5",
                "user-agent", "SECRET6-agent",
                "x-tenant", "acme corp");

        middleware.handle(exchange(headers), RouterStandIn.answering(exchange -> Response.Complete.of(200,
                Headers.of("set-cookie", "SECRET7"), JsonBodies.parse("""
                        {"choices":[{"message":{"content":"generated SECRET8 text"}}],
                         "usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}"""))));

        String line = logger.lines().getFirst();
        assertFalse(line.contains("SECRET"), line);
        assertFalse(line.contains("secret prompt"), line);
        assertFalse(line.contains("authorization"), "not even the names of unlisted headers: " + line);
        Map<String, String> pairs = KeyValues.parse(line);
        assertEquals("acme corp", pairs.get("header.x-tenant"));
        assertFalse(pairs.containsKey("header.x-absent"));
        assertEquals("3", pairs.get("total_tokens"));
    }

    private static Middleware create(Map<String, ?> config, RecordingLogger logger) {
        return new RequestLogFactory().create(TestConfig.middleware(0, config),
                TestContext.builder().logger(logger).build());
    }

    private static Exchange exchange(Headers headers) {
        return Exchange.create("req-9", Operation.CHAT_COMPLETION, JsonBodies.parse("""
                {"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"my secret prompt"}]}"""),
                headers, Instant.now(), new TestOutcome());
    }

    private static io.gateway.spi.middleware.Chain ok() {
        return exchange -> Response.Complete.ok(JsonBodies.parse("{}"));
    }
}
