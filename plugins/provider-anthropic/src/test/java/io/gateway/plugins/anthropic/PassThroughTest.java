package io.gateway.plugins.anthropic;

import static io.gateway.plugins.anthropic.Fixtures.KEY;
import static io.gateway.plugins.anthropic.Fixtures.MODEL;
import static io.gateway.plugins.anthropic.Fixtures.all;
import static io.gateway.plugins.anthropic.Fixtures.json;
import static io.gateway.plugins.anthropic.Fixtures.provider;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.Secret;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.provider.ApiKey;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.spi.upstream.UpstreamRequest;
import io.gateway.testkit.ScriptedUpstream;
import io.gateway.testkit.ScriptedUpstream.Canned;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Anthropic-format requests (the gateway's {@code /anthropic/v1/messages}) pass through untouched. */
class PassThroughTest {

    /** Spacing, field order and a cache marker as a client wrote them: the upstream must get exactly this. */
    private static final String CLIENT_BODY = json("{ 'model' : 'claude-sonnet-4-5',  'max_tokens':1024,"
            + "'system':[{'type':'text','text':'You are terse.','cache_control':{'type':'ephemeral'}}],"
            + "'messages':[{'role':'user','content':[{'type':'text','text':'Hi'}]}],"
            + "'thinking':{'type':'enabled','budget_tokens':2048} }");

    private static ProviderCall call(Operation operation, String body, boolean stream, Headers headers) {
        return ProviderCall.builder(operation, JsonBodies.parse(body)).requestId("req-1").model(MODEL)
                .rawBody(body.getBytes(StandardCharsets.UTF_8)).stream(stream).headers(headers)
                .key(new ApiKey("main", Secret.of(KEY), 1, List.of("*")))
                .deadline(Instant.now().plusSeconds(60)).streamIdleTimeout(Duration.ofSeconds(30)).build();
    }

    @Test
    void offersTheMessagesApiBesideTheTranslatedOnesAndTakesCacheMarkersInChat() {
        Provider provider = provider(new ScriptedUpstream());
        assertEquals(EnumSet.of(Operation.CHAT_COMPLETION, Operation.RESPONSES, Operation.LIST_MODELS,
                Operation.MESSAGES, Operation.COUNT_TOKENS, Operation.PASSTHROUGH), EnumSet.copyOf(provider.operations()));
        assertTrue(provider.chatCacheControl());
    }

    @Test
    void sendsTheClientsBytesWithItsVersionAndBetasAndRelaysTheAnswerUnparsed() {
        String answer = json("{'id':'msg_1','type':'message','role':'assistant','model':'claude-sonnet-4-5',"
                + "'content':[{'type':'thinking','thinking':'hmm','signature':'sig=='},{'type':'text','text':'Hi',"
                + "'citations':null}],'stop_reason':'end_turn','stop_sequence':null,"
                + "'usage':{'input_tokens':5,'cache_read_input_tokens':100,'output_tokens':3}}");
        ScriptedUpstream upstream = new ScriptedUpstream().respond(Canned.json(200, answer));
        Provider provider = provider(upstream, "extra-headers", java.util.Map.of("anthropic-beta", "configured-beta"));

        Response response = provider.call(call(Operation.MESSAGES, CLIENT_BODY, false, Headers.of(
                "anthropic-version", "2023-06-01", "anthropic-beta", "interleaved-thinking-2025-05-14",
                "x-api-key", "sk-bf-the-clients-virtual-key", "authorization", "Bearer client")));

        UpstreamRequest request = upstream.lastRequest();
        assertEquals("https://api.anthropic.com/v1/messages", request.uri().toString());
        assertArrayEquals(CLIENT_BODY.getBytes(StandardCharsets.UTF_8), request.body(), "the client's own bytes");
        assertEquals(KEY, request.headers().first("x-api-key").orElseThrow(), "the provider's key, not the client's");
        assertTrue(request.headers().first("authorization").isEmpty());
        assertEquals("2023-06-01", request.headers().first("anthropic-version").orElseThrow());
        assertEquals(List.of("configured-beta", "interleaved-thinking-2025-05-14"),
                request.headers().all("anthropic-beta"));
        Response.Complete complete = assertInstanceOf(Response.Complete.class, response);
        assertArrayEquals(answer.getBytes(StandardCharsets.UTF_8), complete.bytes(), "relayed as received");
    }

    @Test
    void countsTokensUpstream() {
        ScriptedUpstream upstream = new ScriptedUpstream().respond(Canned.json(200, "{\"input_tokens\":42}"));
        String body = json("{'model':'claude-sonnet-4-5','messages':[{'role':'user','content':'Hi'}]}");

        Response response = provider(upstream).call(call(Operation.COUNT_TOKENS, body, false, Headers.empty()));

        assertEquals("https://api.anthropic.com/v1/messages/count_tokens", upstream.lastRequest().uri().toString());
        assertEquals(42, assertInstanceOf(Response.Complete.class, response).body().getInt("input_tokens"));
    }

    @Test
    void relaysStreamEventsAsTheyCameIncludingLaterErrors() {
        List<StreamEvent> events = List.of(
                new StreamEvent("message_start", json("{'type':'message_start','message':{'id':'msg_1','type':"
                        + "'message','role':'assistant','content':[],'model':'claude-sonnet-4-5','usage':"
                        + "{'input_tokens':5,'output_tokens':1}}}")),
                new StreamEvent("ping", json("{'type': 'ping'}")),
                new StreamEvent("content_block_start", json("{'type':'content_block_start','index':0,"
                        + "'content_block':{'type':'server_tool_use','id':'srvtoolu_1','name':'web_search','input':{}}}")),
                new StreamEvent("error", json("{'type':'error','error':{'type':'overloaded_error','message':'Overloaded'}}")));
        ScriptedUpstream upstream = new ScriptedUpstream().respond(Canned.sse(events));

        Response response = provider(upstream).call(call(Operation.MESSAGES, CLIENT_BODY, true, Headers.empty()));

        assertEquals("text/event-stream", upstream.lastRequest().headers().first("accept").orElseThrow());
        assertEquals(events, all(assertInstanceOf(Response.Streaming.class, response).events()),
                "every event, names and data, as received");
    }

    @Test
    void anErrorAsTheFirstEventIsAFailureTheRouterCanRetry() {
        ScriptedUpstream upstream = new ScriptedUpstream().respond(Canned.sse(List.of(new StreamEvent("error",
                json("{'type':'error','error':{'type':'overloaded_error','message':'Overloaded'}}")))));

        Response response = provider(upstream).call(call(Operation.MESSAGES, CLIENT_BODY, true, Headers.empty()));
        GatewayException e = assertThrows(GatewayException.class,
                () -> assertInstanceOf(Response.Streaming.class, response).events().next());

        assertEquals(529, e.status());
        assertEquals("overloaded_error", e.errorCode().code());
        assertTrue(e.errorCode().retryable());
        upstream.assertAllReleased();
    }

    @Test
    void upstreamErrorsKeepAnthropicsTypeAndStatus() {
        ScriptedUpstream upstream = new ScriptedUpstream().respond(Canned.json(429, json("{'type':'error','error':"
                + "{'type':'rate_limit_error','message':'Number of request tokens has exceeded your per-minute rate "
                + "limit'}}")));

        GatewayException e = assertThrows(GatewayException.class, () -> provider(upstream)
                .call(call(Operation.MESSAGES, CLIENT_BODY, false, Headers.empty())));

        assertEquals(429, e.status());
        assertEquals("rate_limit_error", e.errorCode().type());
        assertTrue(e.getMessage().contains("per-minute rate limit"), e.getMessage());
    }
}
