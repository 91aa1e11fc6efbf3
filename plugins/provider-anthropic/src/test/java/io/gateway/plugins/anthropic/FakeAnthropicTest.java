package io.gateway.plugins.anthropic;

import static io.gateway.plugins.anthropic.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.upstream.UpstreamRequest;
import jakarta.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The fake upstream itself: it must refuse what Anthropic refuses, or the other tests prove nothing. */
class FakeAnthropicTest {

    private static final URI MESSAGES = URI.create("https://api.anthropic.com/v1/messages");
    private static final Headers HEADERS = Headers.of("x-api-key", "k", "anthropic-version", "2023-06-01",
            "content-type", "application/json");

    private final FakeAnthropic fake = new FakeAnthropic();

    private FakeResponse post(Headers headers, String singleQuotedBody) {
        return fake.send(UpstreamRequest.builder("POST", MESSAGES).headers(headers)
                .body(json(singleQuotedBody).getBytes(StandardCharsets.UTF_8)).deadline(Instant.now().plusSeconds(5))
                .idleTimeout(Duration.ofSeconds(5)).build());
    }

    private static JsonObject error(FakeResponse response) {
        return JsonBodies.parse(response.body()).getJsonObject("error");
    }

    @Test
    void acceptsAValidRequest() {
        assertEquals(200, post(HEADERS, "{'model':'m','max_tokens':10,'messages':[{'role':'user','content':'Hi'}]}")
                .status());
    }

    @Test
    void requiresTheKeyAndTheVersion() {
        String body = "{'model':'m','max_tokens':10,'messages':[{'role':'user','content':'Hi'}]}";
        FakeResponse noKey = post(HEADERS.without("x-api-key"), body);
        assertEquals(401, noKey.status());
        assertEquals("authentication_error", error(noKey).getString("type"));
        assertEquals(400, post(HEADERS.without("anthropic-version"), body).status());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{'model':'m','messages':[{'role':'user','content':'Hi'}]}",
        "{'model':'m','max_tokens':10,'messages':[]}",
        "{'model':'m','max_tokens':10,'messages':[{'role':'assistant','content':'Hi'}]}",
        "{'model':'m','max_tokens':10,'messages':[{'role':'user','content':'a'},{'role':'user','content':'b'}]}",
        "{'model':'m','max_tokens':10,'messages':[{'role':'system','content':'a'},{'role':'user','content':'b'}]}",
        "{'model':'m','max_tokens':10,'messages':[{'role':'user','content':''}]}",
        "{'model':'m','max_tokens':10,'messages':[{'role':'user','content':[{'type':'text','text':''}]}]}",
        "{'model':'m','max_tokens':10,'messages':[{'role':'user','content':[{'type':'tool_result',"
                + "'tool_use_id':'t1'}]}]}",
        "{'model':'m','max_tokens':10,'messages':[{'role':'user','content':'q'},{'role':'assistant','content':["
                + "{'type':'tool_use','id':'t1','name':'f','input':{}}]},{'role':'user','content':'no result'}]}",
        "{'model':'m','max_tokens':10,'messages':[{'role':'user','content':'q'},{'role':'assistant','content':["
                + "{'type':'tool_use','id':'t1','name':'f','input':{}}]},{'role':'user','content':["
                + "{'type':'text','text':'first'},{'type':'tool_result','tool_use_id':'t1'}]}]}",
        "{'model':'m','max_tokens':10,'messages':[{'role':'user','content':'Hi'}],'logprobs':true}",
        "{'model':'m','max_tokens':10,'messages':[{'role':'user','content':'Hi'}],'tool_choice':{'type':'auto'}}",
        "{'model':'m','max_tokens':2000,'messages':[{'role':'user','content':'Hi'}],"
                + "'thinking':{'type':'enabled','budget_tokens':2000}}",
        "{'model':'m','max_tokens':10,'messages':[{'role':'user','content':[{'type':'image','source':{"
                + "'type':'base64','media_type':'image/tiff','data':'AAAA'}}]}]}"
    })
    void refusesWhatAnthropicRefuses(String body) {
        FakeResponse response = post(HEADERS, body);
        assertEquals(400, response.status());
        assertEquals("invalid_request_error", error(response).getString("type"));
        assertEquals(1, fake.requests().size());
    }
}
