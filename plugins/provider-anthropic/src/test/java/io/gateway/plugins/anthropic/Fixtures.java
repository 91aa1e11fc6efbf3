package io.gateway.plugins.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gateway.spi.provider.ApiKey;
import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.spi.Response;
import io.gateway.spi.Secret;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.upstream.UpstreamClient;
import io.gateway.testkit.TestClock;
import io.gateway.testkit.TestConfig;
import io.gateway.testkit.TestContext;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Shared test helpers: JSON written with single quotes, calls, and canned Anthropic answers. */
final class Fixtures {

    static final String KEY = "sk-ant-test-key";
    static final String MODEL = "claude-sonnet-4-5";
    /** The time of the provider's clock: it stands still, so translated answers carry it as {@code created}. */
    static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

    private Fixtures() {
    }

    /** JSON written with {@code '} for {@code "}, for readable tests (so test texts avoid apostrophes). */
    static String json(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    static JsonObject obj(String singleQuoted) {
        return JsonBodies.parse(json(singleQuoted));
    }

    /** A provider with its default base URL, whose requests go to the test's fake Anthropic API. */
    static Provider provider(Anthropic anthropic, Object... config) {
        return new AnthropicProviderFactory().create(TestConfig.provider("claude", TestConfig.mapOf(config)),
                anthropic.context());
    }

    /** A provider whose upstream client is another one (a scripted one, for streams fed step by step). */
    static Provider provider(UpstreamClient upstream, Object... config) {
        return new AnthropicProviderFactory().create(TestConfig.provider("claude", TestConfig.mapOf(config)),
                TestContext.builder().upstream(upstream).clock(TestClock.at(NOW)).build());
    }

    static ProviderCall call(Operation operation, JsonObject body) {
        return call(operation, body, KEY);
    }

    static ProviderCall call(Operation operation, JsonObject body, String key) {
        ApiKey apiKey = new ApiKey("main", Secret.of(key), 1, List.of("*"));
        return ProviderCall.builder(operation, body).requestId("req-1")
                .model(operation == Operation.LIST_MODELS ? null : MODEL)
                .stream(body.get("stream") == JsonValue.TRUE).key(apiKey).deadline(Instant.now().plusSeconds(60))
                .streamIdleTimeout(Duration.ofSeconds(30)).build();
    }

    /** Calls and returns the complete body. */
    static JsonObject complete(Provider provider, Operation operation, String singleQuotedBody) {
        Response response = provider.call(call(operation, obj(singleQuotedBody)));
        return assertInstanceOf(Response.Complete.class, response).body();
    }

    /** Calls and expects a {@link GatewayException}. */
    static GatewayException failure(Provider provider, Operation operation, String singleQuotedBody) {
        return assertThrows(GatewayException.class, () -> provider.call(call(operation, obj(singleQuotedBody))));
    }

    /** Calls and returns the stream. */
    static EventStream stream(Provider provider, Operation operation, String singleQuotedBody) {
        Response response = provider.call(call(operation, obj(singleQuotedBody)));
        assertEquals(200, response.status());
        return assertInstanceOf(Response.Streaming.class, response).events();
    }

    /** Reads a stream to its end. */
    static List<StreamEvent> all(EventStream events) {
        List<StreamEvent> list = new ArrayList<>();
        try (events) {
            StreamEvent event;
            while ((event = events.next()) != null) {
                list.add(event);
            }
        }
        return list;
    }

    /** A complete Messages answer with one text block. */
    static String message(String text, String stopReason) {
        return json("{'id':'msg_01XYZ','type':'message','role':'assistant','model':'" + MODEL + "',"
                + "'content':[{'type':'text','text':'" + text + "'}],'stop_reason':'" + stopReason + "',"
                + "'stop_sequence':null,'usage':{'input_tokens':12,'output_tokens':6}}");
    }

    /** A complete Messages answer with the given content blocks and usage. */
    static String message(String contentBlocks, String stopReason, String usage) {
        return json("{'id':'msg_01XYZ','type':'message','role':'assistant','model':'" + MODEL + "',"
                + "'content':" + contentBlocks + ",'stop_reason':'" + stopReason + "','stop_sequence':null,"
                + "'usage':" + usage + "}");
    }

    /** An Anthropic stream event; the event name is the JSON's type, as Anthropic sends it. */
    static StreamEvent event(String singleQuoted) {
        JsonObject json = obj(singleQuoted);
        return new StreamEvent(json.getString("type"), json.toString());
    }

    static StreamEvent messageStart(int inputTokens) {
        return event("{'type':'message_start','message':{'id':'msg_01ABC','type':'message','role':'assistant',"
                + "'content':[],'model':'" + MODEL + "','stop_reason':null,'stop_sequence':null,"
                + "'usage':{'input_tokens':" + inputTokens + ",'output_tokens':1,'cache_creation_input_tokens':0,"
                + "'cache_read_input_tokens':0}}}");
    }

    static StreamEvent textStart(int index) {
        return event("{'type':'content_block_start','index':" + index + ",'content_block':{'type':'text','text':''}}");
    }

    static StreamEvent textDelta(int index, String text) {
        return event("{'type':'content_block_delta','index':" + index + ",'delta':{'type':'text_delta','text':'"
                + text + "'}}");
    }

    static StreamEvent blockStop(int index) {
        return event("{'type':'content_block_stop','index':" + index + "}");
    }

    static StreamEvent messageDelta(String stopReason, int outputTokens) {
        return event("{'type':'message_delta','delta':{'stop_reason':'" + stopReason + "','stop_sequence':null},"
                + "'usage':{'output_tokens':" + outputTokens + "}}");
    }

    static StreamEvent messageStop() {
        return event("{'type':'message_stop'}");
    }

    static StreamEvent ping() {
        return event("{'type':'ping'}");
    }

    /** A whole text answer streamed as Anthropic does, with a ping among the events. */
    static List<StreamEvent> textStream(String stopReason, String... deltas) {
        List<StreamEvent> events = new ArrayList<>();
        events.add(messageStart(25));
        events.add(textStart(0));
        events.add(ping());
        for (String delta : deltas) {
            events.add(textDelta(0, delta));
        }
        events.add(blockStop(0));
        events.add(messageDelta(stopReason, 15));
        events.add(messageStop());
        return events;
    }

    /** A stream with a tool call: some text, then a tool_use block whose input arrives in pieces. */
    static List<StreamEvent> toolStream() {
        return List.of(
                messageStart(40),
                textStart(0),
                textDelta(0, "Let me check."),
                blockStop(0),
                event("{'type':'content_block_start','index':1,'content_block':{'type':'tool_use',"
                        + "'id':'toolu_01A','name':'get_weather','input':{}}}"),
                event("{'type':'content_block_delta','index':1,'delta':{'type':'input_json_delta','partial_json':''}}"),
                event("{'type':'content_block_delta','index':1,'delta':{'type':'input_json_delta',"
                        + "'partial_json':'{\\'city\\': '}}"),
                event("{'type':'content_block_delta','index':1,'delta':{'type':'input_json_delta',"
                        + "'partial_json':'\\'Paris\\'}'}}"),
                blockStop(1),
                messageDelta("tool_use", 30),
                messageStop());
    }
}
