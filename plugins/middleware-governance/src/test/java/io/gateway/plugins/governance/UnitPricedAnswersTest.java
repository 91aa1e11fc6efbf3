package io.gateway.plugins.governance;

import static io.gateway.plugins.governance.Harness.TEAM_A_SECRET;
import static io.gateway.plugins.governance.Harness.config;
import static io.gateway.plugins.governance.Harness.key;
import static io.gateway.testkit.TestConfig.mapOf;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gateway.spi.ByteStream;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.middleware.Exchange;
import io.gateway.testkit.RouterStandIn;
import io.gateway.testkit.TestOutcome;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Answers the gateway priced by units rather than tokens (speech by characters, transcriptions by
 * minutes, images per image) are spent like any other: what the outcome says they cost, with no
 * tokens counted, and they count against the budget.
 */
class UnitPricedAnswersTest {

    @Test
    void speechBytesSpendWhatTheGatewayPricedThem() {
        Harness harness = Harness.of(config(key("team-a", TEAM_A_SECRET)));
        Response response = harness.send(speech(), priced("0.000165", Response.Binary.ok("audio/mpeg",
                ByteStream.of(new byte[] {1, 2, 3}))));

        assertEquals(165, harness.store.counter("gov:usd:team-a:2026-11"));
        assertEquals(0, harness.store.counter("gov:tok:team-a:2026-11"), "no tokens to count");
        assertEquals("audio/mpeg", ((Response.Binary) response).contentType(), "the bytes pass on untouched");
    }

    @Test
    void aTranscriptionWithoutTokensSpendsItsMinutes() {
        Harness harness = Harness.of(config(key("team-a", TEAM_A_SECRET)));
        Exchange transcription = Harness.exchange(Operation.TRANSCRIPTION, "{\"model\":\"openai/whisper-1\"}",
                "x-bf-vk", TEAM_A_SECRET);
        harness.send(transcription, priced("0.009", Response.Complete.ofBytes(200, null,
                "{\"text\":\"hi\",\"usage\":{\"type\":\"duration\",\"seconds\":90}}".getBytes())));

        assertEquals(9000, harness.store.counter("gov:usd:team-a:2026-11"));
    }

    @Test
    void unitPricedAnswersCountAgainstTheBudget() {
        Harness harness = Harness.of(mapOf("type", "governance", "virtual-keys", List.of(key("team-a", TEAM_A_SECRET,
                "budget", mapOf("usd", "0.01", "per", "1d")))), "2026-11-24T10:00:00Z");
        RouterStandIn router = priced("0.01", Response.Binary.ok("audio/mpeg", ByteStream.of(new byte[1])));
        harness.send(speech(), router);

        assertEquals(402, harness.refused(speech(), router).status(), "the budget is spent");
        assertEquals(1, router.calls(), "the refused request never reached the router");
    }

    private static Exchange speech() {
        return Harness.exchange(Operation.SPEECH, "{\"model\":\"openai/tts-1\",\"input\":\"hello there\","
                + "\"voice\":\"alloy\"}", "x-bf-vk", TEAM_A_SECRET);
    }

    /** A router that answers and records the cost the server would have priced the answer at. */
    private static RouterStandIn priced(String usd, Response answer) {
        return RouterStandIn.answering(exchange -> {
            ((TestOutcome) exchange.outcome()).cost(new BigDecimal(usd));
            return answer;
        });
    }
}
