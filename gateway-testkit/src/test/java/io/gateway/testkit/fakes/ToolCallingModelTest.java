package io.gateway.testkit.fakes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gateway.spi.JsonBodies;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tool-calling model behind the OpenAI fake: a tool loop a client (or the gateway) runs against it. */
class ToolCallingModelTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String TOOLS = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"calc__add\","
            + "\"parameters\":{\"type\":\"object\"}}}]";

    private static JsonObject chat(FakeOpenAi openai, String body) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(openai.apiBase()
                        + "/chat/completions")).header("content-type", "application/json")
                .header("authorization", "Bearer " + FakeOpenAi.API_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return JsonBodies.parse(response.body());
    }

    private static JsonObject message(JsonObject answer) {
        return answer.getJsonArray("choices").getJsonObject(0).getJsonObject("message");
    }

    @Test
    void callsTheOfferedToolThenAnswersFromItsResult() throws Exception {
        ToolCallingModel model = ToolCallingModel.calling("calc__add", "{\"a\":2,\"b\":3}");
        try (FakeOpenAi openai = FakeOpenAi.start()) {
            openai.answerWith(model);
            JsonObject first = chat(openai, "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\","
                    + "\"content\":\"2+3?\"}]," + TOOLS + "}");
            assertEquals("tool_calls", first.getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
            JsonObject call = message(first).getJsonArray("tool_calls").getJsonObject(0);
            assertEquals("call_1", call.getString("id"));
            assertEquals("{\"a\":2,\"b\":3}", call.getJsonObject("function").getString("arguments"));
            assertEquals(15, first.getJsonObject("usage").getInt("total_tokens"));

            JsonObject second = chat(openai, "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\","
                    + "\"content\":\"2+3?\"}," + message(first) + ",{\"role\":\"tool\",\"tool_call_id\":\"call_1\","
                    + "\"content\":\"5\"}]," + TOOLS + "}");
            assertEquals("The tool answered: 5", message(second).getString("content"));
            assertEquals(2, model.answers());
        }
    }

    @Test
    void withoutTheToolItSaysSoAndParallelCallsComeInOneAnswer() throws Exception {
        try (FakeOpenAi openai = FakeOpenAi.start()) {
            openai.answerWith(ToolCallingModel.calling("calc__add", "{}"));
            assertEquals("No tool named calc__add was offered.", message(chat(openai,
                    "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                    .getString("content"));
            openai.answerWith(ToolCallingModel.callingInParallel("calc__add", List.of("{\"a\":1}", "{\"a\":2}")));
            assertEquals(2, message(chat(openai, "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\","
                    + "\"content\":\"hi\"}]," + TOOLS + "}")).getJsonArray("tool_calls").size());
        }
    }
}
