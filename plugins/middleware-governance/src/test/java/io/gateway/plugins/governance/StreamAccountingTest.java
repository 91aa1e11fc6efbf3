package io.gateway.plugins.governance;

import static io.gateway.testkit.TestConfig.mapOf;
import static io.gateway.plugins.governance.Harness.TEAM_A_SECRET;
import static io.gateway.plugins.governance.Harness.exchange;
import static io.gateway.plugins.governance.Harness.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.EventStream;
import io.gateway.spi.middleware.Exchange;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.StreamEvent;
import jakarta.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import io.gateway.testkit.EventStreams;
import io.gateway.testkit.RouterStandIn;
import io.gateway.testkit.ScriptedEvents;

class StreamAccountingTest {

    private static final StreamEvent ROLE = new StreamEvent(null,
            "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}],\"usage\":null}");
    private static final StreamEvent TEXT = new StreamEvent(null,
            "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"the \\\"usage\\\": {} field\"}}],\"usage\":null}");
    private static final StreamEvent USAGE = new StreamEvent(null,
            "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":{\"prompt_tokens\":50000,\"completion_tokens\":25000,\"total_tokens\":75000}}");
    private static final List<StreamEvent> CHAT = List.of(ROLE, TEXT, USAGE, StreamEvent.DONE);

    private final Harness harness = Harness.of(mapOf("type", "governance",
            "virtual-keys", List.of(key("team-a", TEAM_A_SECRET, "budget", mapOf("usd", "1.5", "per", "1d"),
                    "rate-limit", mapOf("tokens", "1000000", "tokens-per", "1h")))), "2026-11-24T10:00:00Z");

    private static Exchange chatStream(String streamOptions) {
        return exchange(Operation.CHAT_COMPLETION, "{\"model\":\"test/model\",\"stream\":true,"
                + (streamOptions == null ? "" : "\"stream_options\":" + streamOptions + ",")
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "x-bf-vk", TEAM_A_SECRET);
    }

    private static RouterStandIn streaming(List<StreamEvent> events) {
        return RouterStandIn.answering(exchange -> Response.Streaming.ok(ScriptedEvents.of(events)));
    }

    private static List<StreamEvent> drain(Response response) {
        return EventStreams.drain(((Response.Streaming) response).events());
    }

    @Test
    void asksForUsageAndHidesTheUsageChunkWhenTheClientDidNot() {
        RouterStandIn chain = streaming(CHAT);

        List<StreamEvent> received = drain(harness.send(chatStream(null), chain));

        JsonObject forwarded = chain.last().body();
        assertEquals(true, forwarded.getJsonObject("stream_options").getBoolean("include_usage"));
        assertEquals("hi", forwarded.getJsonArray("messages").getJsonObject(0).getString("content"));
        assertEquals(List.of(ROLE, TEXT, StreamEvent.DONE), received);
        assertEquals(75_000, harness.store.counter("gov:tok:team-a:" + harness.clock.millis() / 3_600_000));
        assertEquals(1_000_000, harness.store.counter("gov:usd:team-a:2026-11-24"));
    }

    @Test
    void keepsOtherStreamOptionsWhenAskingForUsage() {
        RouterStandIn chain = streaming(CHAT);

        drain(harness.send(chatStream("{\"include_obfuscation\":false,\"include_usage\":false}"), chain));

        JsonObject options = chain.last().body().getJsonObject("stream_options");
        assertEquals(true, options.getBoolean("include_usage"));
        assertEquals(false, options.getBoolean("include_obfuscation"));
    }

    @Test
    void leavesTheRequestAndTheUsageChunkAloneWhenTheClientAsked() {
        RouterStandIn chain = streaming(CHAT);
        Exchange sent = chatStream("{\"include_usage\":true}");

        List<StreamEvent> received = drain(harness.send(sent, chain));

        assertSame(sent.body(), chain.last().body());
        assertEquals(CHAT, received);
        assertEquals(1_000_000, harness.store.counter("gov:usd:team-a:2026-11-24"));
    }

    @Test
    void textCompletionStreamsAreTreatedLikeChat() {
        RouterStandIn chain = streaming(CHAT);

        List<StreamEvent> received = drain(harness.send(exchange(Operation.TEXT_COMPLETION,
                "{\"model\":\"test/model\",\"prompt\":\"x\",\"stream\":true}", "x-bf-vk", TEAM_A_SECRET), chain));

        assertEquals(true, chain.last().body().getJsonObject("stream_options").getBoolean("include_usage"));
        assertEquals(List.of(ROLE, TEXT, StreamEvent.DONE), received);
    }

    @Test
    void usageOnAChunkWithChoicesIsCountedAndKept() {
        StreamEvent last = new StreamEvent(null, "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5}}");

        List<StreamEvent> received = drain(harness.send(chatStream(null), streaming(List.of(ROLE, last, StreamEvent.DONE))));

        assertEquals(List.of(ROLE, last, StreamEvent.DONE), received);
        assertEquals(10 * 10 + 5 * 20, harness.store.counter("gov:usd:team-a:2026-11-24"));
    }

    @Test
    void eventsPassOneAtATime() {
        ScriptedEvents source = ScriptedEvents.of(CHAT);
        Response response = harness.send(chatStream(null), RouterStandIn.answering(exchange -> Response.Streaming.ok(source)));
        EventStream events = ((Response.Streaming) response).events();

        assertEquals(ROLE, events.next());
        assertEquals(1, source.pulls(), "nothing read ahead");
        assertEquals(TEXT, events.next());
        assertEquals(2, source.pulls());
        events.close();
        assertTrue(source.closed());
    }

    @Test
    void crossingTheBudgetMidStreamLetsTheStreamFinishAndRefusesTheNextRequest() {
        // Budget $1.50; the first stream costs $1 and the second $1: both were admitted, both finish.
        Response first = harness.send(chatStream(null), streaming(CHAT));
        drain(first);
        Response second = harness.send(chatStream(null), streaming(CHAT));
        EventStreams.drain(((Response.Streaming) second).events());

        assertEquals(2_000_000, harness.store.counter("gov:usd:team-a:2026-11-24"));
        GatewayException e = harness.refused(chatStream(null), streaming(CHAT));
        assertEquals(402, e.status());
    }

    @Test
    void aStreamInFlightFinishesEvenWhenAnotherCrossesTheBudget() {
        Response inFlight = harness.send(chatStream(null), streaming(CHAT));
        EventStream events = ((Response.Streaming) inFlight).events();
        assertEquals(ROLE, events.next());

        drain(harness.send(chatStream(null), streaming(CHAT)));
        drain(harness.send(chatStream(null), streaming(CHAT)));

        assertEquals(TEXT, events.next());
        assertEquals(StreamEvent.DONE, events.next());
        assertEquals(null, events.next());
        assertEquals(3_000_000, harness.store.counter("gov:usd:team-a:2026-11-24"));
        assertEquals(402, harness.refused(chatStream(null), streaming(CHAT)).status());
    }

    @Test
    void aStreamThatFailsBeforeItsUsageCostsNothing() {
        GatewayException broken = GatewayException.of(ErrorCode.PROVIDER_CONNECTION_FAILED, "the upstream went away");
        Response response = harness.send(chatStream(null), RouterStandIn.answering(exchange ->
                Response.Streaming.ok(ScriptedEvents.failingAfter(List.of(ROLE, TEXT), broken))));
        EventStream events = ((Response.Streaming) response).events();

        assertEquals(ROLE, events.next());
        assertEquals(TEXT, events.next());
        assertSame(broken, assertThrows(GatewayException.class, events::next));

        assertEquals(Map.of("gov:req:team-a:2026-11-24", 1L), harness.store.counters(), "a request, nothing charged");
    }

    @Test
    void aStreamCancelledBeforeItsUsageCostsNothing() {
        Response response = harness.send(chatStream(null), streaming(CHAT));
        EventStream events = ((Response.Streaming) response).events();
        events.next();
        events.close();

        assertEquals(Map.of("gov:req:team-a:2026-11-24", 1L), harness.store.counters(), "a request, nothing charged");
    }

    @Test
    void aStreamCancelledAfterItsUsageIsCharged() {
        Response response = harness.send(chatStream(null), streaming(CHAT));
        EventStream events = ((Response.Streaming) response).events();
        assertEquals(ROLE, events.next());
        assertEquals(TEXT, events.next());
        assertEquals(StreamEvent.DONE, events.next(), "the usage chunk was read and dropped on the way");
        events.close();

        assertEquals(1_000_000, harness.store.counter("gov:usd:team-a:2026-11-24"));
    }

    @Test
    void responsesStreamsAreChargedFromResponseCompleted() {
        List<StreamEvent> events = List.of(
                new StreamEvent("response.created", "{\"type\":\"response.created\",\"response\":{\"id\":\"r1\","
                        + "\"status\":\"in_progress\",\"usage\":null}}"),
                new StreamEvent("response.output_text.delta", "{\"type\":\"response.output_text.delta\","
                        + "\"delta\":\"quoting \\\"usage\\\": {\\\"input_tokens\\\": 9}\"}"),
                new StreamEvent("response.completed", "{\"type\":\"response.completed\",\"response\":{\"id\":\"r1\","
                        + "\"status\":\"completed\",\"usage\":{\"input_tokens\":1000,\"output_tokens\":200,"
                        + "\"total_tokens\":1200}}}"));
        RouterStandIn chain = streaming(events);
        Exchange sent = exchange(Operation.RESPONSES, "{\"model\":\"test/model\",\"input\":\"x\",\"stream\":true}",
                "x-bf-vk", TEAM_A_SECRET);

        List<StreamEvent> received = drain(harness.send(sent, chain));

        assertSame(sent.body(), chain.last().body(), "Responses streams report usage without being asked");
        assertEquals(events, received);
        assertEquals(1000 * 10 + 200 * 20, harness.store.counter("gov:usd:team-a:2026-11-24"));
        assertEquals(1200, harness.store.counter("gov:tok:team-a:" + harness.clock.millis() / 3_600_000));
    }

    @Test
    void imageStreamsAreChargedFromImageGenerationCompleted() {
        List<StreamEvent> events = List.of(
                new StreamEvent("image_generation.partial_image", "{\"type\":\"image_generation.partial_image\","
                        + "\"b64_json\":\"AAAA\",\"partial_image_index\":0}"),
                new StreamEvent("image_generation.completed", "{\"type\":\"image_generation.completed\","
                        + "\"b64_json\":\"BBBB\",\"usage\":{\"input_tokens\":30,\"output_tokens\":4160,"
                        + "\"total_tokens\":4190,\"input_tokens_details\":{\"text_tokens\":30,\"image_tokens\":0}}}"));

        List<StreamEvent> received = drain(harness.send(exchange(Operation.IMAGE_GENERATION,
                "{\"model\":\"test/model\",\"prompt\":\"x\",\"stream\":true}", "x-bf-vk", TEAM_A_SECRET),
                streaming(events)));

        assertEquals(events, received);
        assertEquals(30 * 10 + 4160 * 20, harness.store.counter("gov:usd:team-a:2026-11-24"));
    }

    @Test
    void eventsThatAreNotJsonPassUntouched() {
        StreamEvent odd = new StreamEvent(null, "{\"usage\": {not json");

        List<StreamEvent> received = drain(harness.send(chatStream(null), streaming(List.of(odd, StreamEvent.DONE))));

        assertEquals(List.of(odd, StreamEvent.DONE), received);
    }
}
