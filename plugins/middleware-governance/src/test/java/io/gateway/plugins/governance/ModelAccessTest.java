package io.gateway.plugins.governance;

import static io.gateway.testkit.TestConfig.mapOf;
import static io.gateway.plugins.governance.Harness.TEAM_A_SECRET;
import static io.gateway.plugins.governance.Harness.TEAM_B_SECRET;
import static io.gateway.plugins.governance.Harness.chatAs;
import static io.gateway.plugins.governance.Harness.config;
import static io.gateway.plugins.governance.Harness.exchange;
import static io.gateway.plugins.governance.Harness.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.List;
import org.junit.jupiter.api.Test;
import io.gateway.testkit.RouterStandIn;

class ModelAccessTest {

    private static final String MODELS = """
            {"object":"list","data":[
              {"id":"openai/gpt-4o","object":"model","owned_by":"openai"},
              {"id":"openai/gpt-4o-mini","object":"model","owned_by":"openai"},
              {"id":"anthropic/claude-sonnet-4-20250514","object":"model"},
              {"id":"anthropic/claude-opus-4-20250514","object":"model"},
              {"id":"gemini/gemini-2.5-pro","object":"model"},
              {"object":"model"}
            ]}""";

    private final Harness harness = Harness.of(config(
            key("team-a", TEAM_A_SECRET, "allowed-models", List.of("openai/*", "anthropic/claude-sonnet-*")),
            key("team-b", TEAM_B_SECRET)));
    private final RouterStandIn chain = RouterStandIn.chatUsage(1, 1);

    @Test
    void globsDecideWhichModelsAKeyMayUse() {
        harness.send(chatAs(TEAM_A_SECRET, "openai/gpt-4o"), chain);
        harness.send(chatAs(TEAM_A_SECRET, "gpt-4o-mini"), chain);
        harness.send(chatAs(TEAM_A_SECRET, "anthropic/claude-sonnet-4-20250514"), chain);
        harness.send(chatAs(TEAM_B_SECRET, "gemini/gemini-2.5-pro"), chain);

        assertEquals(4, chain.calls());
    }

    @Test
    void refusesOtherModelsWith403NamingModelAndKey() {
        GatewayException e = harness.refused(chatAs(TEAM_A_SECRET, "anthropic/claude-opus-4-20250514"), chain);

        assertEquals(403, e.status());
        assertEquals(ErrorCode.PERMISSION_DENIED, e.errorCode());
        assertFalse(e.errorCode().gatewayError());
        assertEquals("model", e.param());
        assertTrue(e.getMessage().contains("'anthropic/claude-opus-4-20250514'"), e.getMessage());
        assertTrue(e.getMessage().contains("'team-a'"), e.getMessage());
        assertFalse(e.getMessage().contains(TEAM_A_SECRET));
        assertEquals(0, chain.calls());
    }

    @Test
    void aGlobMustCoverTheWholeName() {
        assertEquals(403, harness.refused(chatAs(TEAM_A_SECRET, "anthropic/claude-sonnet"), chain).status());
        assertEquals(403, harness.refused(chatAs(TEAM_A_SECRET, "azure-openai/gpt-4o"), chain).status());
    }

    @Test
    void fallbacksNamedInTheRequestMustBeAllowedToo() {
        GatewayException e = harness.refused(exchange(Operation.CHAT_COMPLETION, """
                {"model":"openai/gpt-4o","messages":[],"fallbacks":["openai/gpt-4o-mini","gemini/gemini-2.5-pro"]}""",
                "x-bf-vk", TEAM_A_SECRET), chain);

        assertEquals(403, e.status());
        assertEquals("fallbacks", e.param());
        assertTrue(e.getMessage().contains("'gemini/gemini-2.5-pro'"), e.getMessage());
        harness.send(exchange(Operation.CHAT_COMPLETION, """
                {"model":"openai/gpt-4o","messages":[],"fallbacks":["openai/gpt-4o-mini"]}""",
                "x-bf-vk", TEAM_A_SECRET), chain);
        assertEquals(1, chain.calls());
    }

    @Test
    void modelListsShowOnlyAllowedModels() {
        RouterStandIn models = RouterStandIn.completing(MODELS);

        Response response = harness.send(exchange(Operation.LIST_MODELS, "{}", "x-bf-vk", TEAM_A_SECRET), models);

        JsonObject body = ((Response.Complete) response).body();
        assertEquals("list", body.getString("object"));
        assertEquals(List.of("openai/gpt-4o", "openai/gpt-4o-mini", "anthropic/claude-sonnet-4-20250514"),
                body.getJsonArray("data").stream().map(JsonValue::asJsonObject).map(m -> m.getString("id")).toList());
        assertEquals("openai", body.getJsonArray("data").getJsonObject(0).getString("owned_by"));
    }

    @Test
    void unrestrictedKeysSeeTheListUntouched() {
        RouterStandIn models = RouterStandIn.completing(MODELS);

        Response response = harness.send(exchange(Operation.LIST_MODELS, "{}", "x-bf-vk", TEAM_B_SECRET), models);

        assertEquals(6, ((Response.Complete) response).body().getJsonArray("data").size());
    }

    @Test
    void modelListsCostNothingAndIgnoreBudgets() {
        Harness limited = Harness.of(config(key("team-a", TEAM_A_SECRET, "budget", mapOf("usd", "1", "per", "1d"),
                "rate-limit", mapOf("requests", "5", "per", "1m"))));
        limited.store.increment("gov:usd:team-a:2026-11-24", 5_000_000, null);
        RouterStandIn models = RouterStandIn.answering(exchange -> Response.Complete.ok(JsonBodies.parse(MODELS)));

        Response response = limited.send(exchange(Operation.LIST_MODELS, "{}", "x-bf-vk", TEAM_A_SECRET), models);

        assertSame(Response.Complete.class, response.getClass());
        assertEquals(1, limited.store.counter("gov:req:team-a:" + (limited.clock.millis() / 60_000)),
                "a model list is a request");
        assertEquals(402, limited.refused(chatAs(TEAM_A_SECRET, "openai/gpt-4o"), chain).status());
    }

    @Test
    void globMatching() {
        assertTrue(new ModelGlob("*").matches("openai/gpt-4o"));
        assertTrue(new ModelGlob("openai/*").matches("openai/gpt-4o"));
        assertTrue(new ModelGlob("*/gpt-4o").matches("azure/gpt-4o"));
        assertTrue(new ModelGlob("*mini*").matches("openai/gpt-4.1-mini-2025-04-14"));
        assertTrue(new ModelGlob("openrouter/meta-llama/*").matches("openrouter/meta-llama/llama-3-70b"));
        assertTrue(new ModelGlob("a*b*c").matches("aXXbYYbZZc"));
        assertTrue(new ModelGlob("openai/gpt-4o").matches("openai/gpt-4o"));
        assertFalse(new ModelGlob("openai/gpt-4o").matches("openai/gpt-4o-mini"));
        assertFalse(new ModelGlob("openai/*").matches("openai"));
        assertFalse(new ModelGlob("a*b*c").matches("aXXcYYb"));
        assertFalse(new ModelGlob("*-mini").matches("openai/gpt-4o-mini-2024-07-18"));
        assertFalse(new ModelGlob("OpenAI/*").matches("openai/gpt-4o"));
        assertFalse(new ModelGlob("openai/gpt-4.1").matches("openai/gpt-4x1"), "a dot is a dot, not a regex");
    }
}
