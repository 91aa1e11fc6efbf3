package io.gateway.testkit.fakes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.JsonBodies;
import io.gateway.testkit.http.Reply;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The fake must refuse what Anthropic refuses, or the provider tests run against it prove nothing. */
class FakeAnthropicTest {

    private static final FakeAnthropic FAKE = FakeAnthropic.start();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Map<String, String> HEADERS = Map.of("x-api-key", FakeAnthropic.API_KEY,
            "anthropic-version", "2023-06-01", "content-type", "application/json");

    @AfterAll
    static void stop() {
        FAKE.close();
    }

    @BeforeEach
    void reset() {
        FAKE.reset();
    }

    /** JSON written with {@code '} for {@code "}; the model {@code M} stands for a model the fake serves. */
    private static String json(String singleQuoted) {
        return singleQuoted.replace('\'', '"').replace("\"M\"", "\"claude-sonnet-4-5\"");
    }

    private static HttpResponse<String> post(Map<String, String> headers, String singleQuotedBody) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(FAKE.baseUrl() + "/v1/messages"))
                .POST(HttpRequest.BodyPublishers.ofString(json(singleQuotedBody)));
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, String> without(String name) {
        Map<String, String> headers = new java.util.HashMap<>(HEADERS);
        headers.remove(name);
        return headers;
    }

    private static JsonObject error(HttpResponse<String> response) {
        return JsonBodies.parse(response.body()).getJsonObject("error");
    }

    @Test
    void acceptsAValidRequest() throws Exception {
        HttpResponse<String> response = post(HEADERS,
                "{'model':'M','max_tokens':10,'messages':[{'role':'user','content':'Hi'}]}");
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("Hello! You said: Hi", JsonBodies.parse(response.body()).getJsonArray("content")
                .getJsonObject(0).getString("text"));
    }

    @Test
    void requiresTheKeyAndTheVersion() throws Exception {
        String body = "{'model':'M','max_tokens':10,'messages':[{'role':'user','content':'Hi'}]}";
        HttpResponse<String> noKey = post(without("x-api-key"), body);
        assertEquals(401, noKey.statusCode());
        assertEquals("authentication_error", error(noKey).getString("type"));
        assertEquals(401, post(Map.of("x-api-key", "sk-ant-other", "anthropic-version", "2023-06-01",
                "content-type", "application/json"), body).statusCode());
        assertEquals(400, post(without("anthropic-version"), body).statusCode());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{'model':'M','messages':[{'role':'user','content':'Hi'}]}",
        "{'model':'M','max_tokens':10,'messages':[]}",
        "{'model':'M','max_tokens':10,'messages':[{'role':'assistant','content':'Hi'}]}",
        "{'model':'M','max_tokens':10,'messages':[{'role':'user','content':'a'},{'role':'user','content':'b'}]}",
        "{'model':'M','max_tokens':10,'messages':[{'role':'system','content':'a'},{'role':'user','content':'b'}]}",
        "{'model':'M','max_tokens':10,'messages':[{'role':'user','content':''}]}",
        "{'model':'M','max_tokens':10,'messages':[{'role':'user','content':[{'type':'text','text':''}]}]}",
        "{'model':'M','max_tokens':10,'messages':[{'role':'user','content':[{'type':'tool_result',"
                + "'tool_use_id':'t1'}]}]}",
        "{'model':'M','max_tokens':10,'messages':[{'role':'user','content':'q'},{'role':'assistant','content':["
                + "{'type':'tool_use','id':'t1','name':'f','input':{}}]},{'role':'user','content':'no result'}]}",
        "{'model':'M','max_tokens':10,'messages':[{'role':'user','content':'q'},{'role':'assistant','content':["
                + "{'type':'tool_use','id':'t1','name':'f','input':{}}]},{'role':'user','content':["
                + "{'type':'text','text':'first'},{'type':'tool_result','tool_use_id':'t1'}]}]}",
        "{'model':'M','max_tokens':10,'messages':[{'role':'user','content':'Hi'}],'logprobs':true}",
        "{'model':'M','max_tokens':10,'messages':[{'role':'user','content':'Hi'}],'tool_choice':{'type':'auto'}}",
        "{'model':'M','max_tokens':2000,'messages':[{'role':'user','content':'Hi'}],"
                + "'thinking':{'type':'enabled','budget_tokens':2000}}",
        "{'model':'M','max_tokens':10,'messages':[{'role':'user','content':[{'type':'image','source':{"
                + "'type':'base64','media_type':'image/tiff','data':'AAAA'}}]}]}",
        "{'model':'M','max_tokens':10,'system':'','messages':[{'role':'user','content':'Hi'}]}",
        "{'model':'M','max_tokens':10,'messages':[{'role':'user','content':'Hi'}],'temperature':1.5}"
    })
    void refusesWhatAnthropicRefuses(String body) throws Exception {
        HttpResponse<String> response = post(HEADERS, body);
        assertEquals(400, response.statusCode(), response.body());
        assertEquals("invalid_request_error", error(response).getString("type"));
        assertEquals(1, FAKE.requests().size());
    }

    @Test
    void anUnknownModelIsNotFoundAfterTheBodyPasses() throws Exception {
        HttpResponse<String> response = post(HEADERS,
                "{'model':'claude-9','max_tokens':10,'messages':[{'role':'user','content':'Hi'}]}");
        assertEquals(404, response.statusCode());
        assertEquals("not_found_error", error(response).getString("type"));
    }

    @Test
    void scriptedAnswersServeOnlyAcceptedRequests() throws Exception {
        FAKE.answerNext(FakeAnthropic.error(529, "overloaded_error", "Overloaded"));
        assertEquals(400, post(HEADERS, "{'model':'M','messages':[]}").statusCode(), "a refused request uses none");
        HttpResponse<String> overloaded = post(HEADERS,
                "{'model':'M','max_tokens':10,'messages':[{'role':'user','content':'Hi'}]}");
        assertEquals(529, overloaded.statusCode());
        FAKE.answerWith(request -> Reply.json(200, "{\"standing\":true}"));
        assertTrue(post(HEADERS, "{'model':'M','max_tokens':10,'messages':[{'role':'user','content':'Hi'}]}")
                .body().contains("standing"));
    }

    @Test
    void errorRepliesFollowTheStatus() {
        assertEquals("rate_limit_error", errorType(429));
        assertEquals("overloaded_error", errorType(529));
        assertEquals("api_error", errorType(500));
        assertEquals("authentication_error", errorType(401));
    }

    private static String errorType(int status) {
        FAKE.answerNext(FAKE.errorReply(status, "x"));
        try {
            HttpResponse<String> response = post(HEADERS,
                    "{'model':'M','max_tokens':10,'messages':[{'role':'user','content':'Hi'}]}");
            assertEquals(status, response.statusCode());
            return error(response).getString("type");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
