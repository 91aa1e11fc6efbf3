package io.gateway.testkit.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.JsonBodies;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpenAiPresetTest {

    private FakeUpstream upstream;
    private HttpClient client;

    @BeforeEach
    void start() {
        upstream = FakeUpstream.openAi();
        client = TestHttp.client();
    }

    @AfterEach
    void stop() {
        client.close();
        upstream.close();
    }

    private HttpResponse<String> post(String path, String json) throws Exception {
        return TestHttp.send(client, TestHttp.post(upstream.uri(path), json));
    }

    private JsonObject postJson(String path, String json) throws Exception {
        HttpResponse<String> response = post(path, json);
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("application/json", response.headers().firstValue("content-type").orElseThrow());
        return JsonBodies.parse(response.body());
    }

    private List<SseFrame> postStream(String path, String json) throws Exception {
        HttpResponse<InputStream> response = client.send(TestHttp.post(upstream.uri(path), json),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        assertEquals("text/event-stream", response.headers().firstValue("content-type").orElseThrow());
        return SseParser.readAll(response.body());
    }

    // ---------------------------------------------------------------- chat

    @Test
    void chatCompletion() throws Exception {
        JsonObject body = postJson("/v1/chat/completions",
                "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertTrue(body.getString("id").startsWith("chatcmpl-"));
        assertEquals("chat.completion", body.getString("object"));
        assertEquals("gpt-4o-mini", body.getString("model"));
        assertTrue(body.getJsonNumber("created").longValue() > 1_700_000_000L);
        JsonObject choice = body.getJsonArray("choices").getJsonObject(0);
        assertEquals(0, choice.getInt("index"));
        assertEquals("stop", choice.getString("finish_reason"));
        assertTrue(choice.isNull("logprobs"));
        JsonObject message = choice.getJsonObject("message");
        assertEquals("assistant", message.getString("role"));
        assertEquals(OpenAiPreset.TEXT, message.getString("content"));
        assertTrue(message.isNull("refusal"));
        JsonObject usage = body.getJsonObject("usage");
        assertEquals(OpenAiPreset.PROMPT_TOKENS, usage.getInt("prompt_tokens"));
        assertEquals(OpenAiPreset.TEXT_DELTAS.size(), usage.getInt("completion_tokens"));
        assertEquals(usage.getInt("prompt_tokens") + usage.getInt("completion_tokens"), usage.getInt("total_tokens"));
        assertEquals(0, usage.getJsonObject("prompt_tokens_details").getInt("cached_tokens"));
        assertEquals(0, usage.getJsonObject("completion_tokens_details").getInt("reasoning_tokens"));
    }

    @Test
    void chatCompletionWithSeveralChoices() throws Exception {
        JsonObject body = postJson("/v1/chat/completions",
                "{\"model\":\"gpt-4.1\",\"n\":3,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertEquals(3, body.getJsonArray("choices").size());
        assertEquals(2, body.getJsonArray("choices").getJsonObject(2).getInt("index"));
        assertEquals(3 * OpenAiPreset.TEXT_DELTAS.size(), body.getJsonObject("usage").getInt("completion_tokens"));
    }

    @Test
    void chatCompletionStream() throws Exception {
        List<SseFrame> frames = postStream("/v1/chat/completions",
                "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertTrue(frames.get(frames.size() - 1).isDone());
        List<JsonObject> chunks = frames.subList(0, frames.size() - 1).stream().map(SseFrame::json).toList();
        frames.forEach(frame -> assertNull(frame.event(), "chat frames have no event name"));
        String id = chunks.get(0).getString("id");
        StringBuilder text = new StringBuilder();
        for (JsonObject chunk : chunks) {
            assertEquals("chat.completion.chunk", chunk.getString("object"));
            assertEquals("gpt-4o-mini", chunk.getString("model"));
            assertEquals(id, chunk.getString("id"));
            assertFalse(chunk.containsKey("usage"), "no usage unless stream_options.include_usage");
            JsonObject delta = chunk.getJsonArray("choices").getJsonObject(0).getJsonObject("delta");
            text.append(delta.getString("content", ""));
        }
        assertEquals(OpenAiPreset.TEXT, text.toString());
        JsonObject first = chunks.get(0).getJsonArray("choices").getJsonObject(0);
        assertEquals("assistant", first.getJsonObject("delta").getString("role"));
        assertTrue(first.isNull("finish_reason"));
        JsonObject last = chunks.get(chunks.size() - 1).getJsonArray("choices").getJsonObject(0);
        assertEquals("stop", last.getString("finish_reason"));
        assertTrue(last.getJsonObject("delta").isEmpty());
    }

    @Test
    void chatCompletionStreamWithUsage() throws Exception {
        List<SseFrame> frames = postStream("/v1/chat/completions", "{\"model\":\"gpt-4o-mini\",\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true},\"messages\":[]}");

        JsonObject usageChunk = frames.get(frames.size() - 2).json();
        assertTrue(usageChunk.getJsonArray("choices").isEmpty());
        assertEquals(OpenAiPreset.PROMPT_TOKENS + OpenAiPreset.TEXT_DELTAS.size(),
                usageChunk.getJsonObject("usage").getInt("total_tokens"));
        for (SseFrame frame : frames.subList(0, frames.size() - 2)) {
            assertEquals(JsonValue.NULL, frame.json().get("usage"));
        }
    }

    @Test
    void chatWithoutMessagesIsRejected() throws Exception {
        HttpResponse<String> response = post("/v1/chat/completions", "{\"model\":\"gpt-4o-mini\"}");

        assertEquals(400, response.statusCode());
        JsonObject error = JsonBodies.parse(response.body()).getJsonObject("error");
        assertEquals("messages", error.getString("param"));
        assertEquals("missing_required_parameter", error.getString("code"));
    }

    @Test
    void missingModelAndInvalidJsonAreRejected() throws Exception {
        HttpResponse<String> noModel = post("/v1/chat/completions", "{\"messages\":[]}");
        HttpResponse<String> notJson = post("/v1/embeddings", "{oops");

        assertEquals(400, noModel.statusCode());
        assertEquals("you must provide a model parameter",
                JsonBodies.parse(noModel.body()).getJsonObject("error").getString("message"));
        assertEquals(400, notJson.statusCode());
        assertEquals("invalid_request_error",
                JsonBodies.parse(notJson.body()).getJsonObject("error").getString("type"));
    }

    // ---------------------------------------------------------------- completions

    @Test
    void textCompletion() throws Exception {
        JsonObject body = postJson("/v1/completions", "{\"model\":\"gpt-3.5-turbo-instruct\",\"prompt\":\"Say hi\"}");

        assertTrue(body.getString("id").startsWith("cmpl-"));
        assertEquals("text_completion", body.getString("object"));
        assertEquals("gpt-3.5-turbo-instruct", body.getString("model"));
        JsonObject choice = body.getJsonArray("choices").getJsonObject(0);
        assertEquals(OpenAiPreset.TEXT, choice.getString("text"));
        assertEquals("stop", choice.getString("finish_reason"));
        assertTrue(choice.isNull("logprobs"));
        assertEquals(OpenAiPreset.PROMPT_TOKENS + OpenAiPreset.TEXT_DELTAS.size(),
                body.getJsonObject("usage").getInt("total_tokens"));
    }

    @Test
    void textCompletionStream() throws Exception {
        List<SseFrame> frames = postStream("/v1/completions", "{\"model\":\"gpt-3.5-turbo-instruct\",\"prompt\":\"x\","
                + "\"stream\":true,\"stream_options\":{\"include_usage\":true}}");

        assertTrue(frames.get(frames.size() - 1).isDone());
        StringBuilder text = new StringBuilder();
        for (SseFrame frame : frames.subList(0, frames.size() - 2)) {
            JsonObject chunk = frame.json();
            assertEquals("text_completion", chunk.getString("object"));
            assertEquals("gpt-3.5-turbo-instruct", chunk.getString("model"));
            text.append(chunk.getJsonArray("choices").getJsonObject(0).getString("text"));
        }
        assertEquals(OpenAiPreset.TEXT, text.toString());
        JsonObject lastChoice = frames.get(frames.size() - 3).json().getJsonArray("choices").getJsonObject(0);
        assertEquals("stop", lastChoice.getString("finish_reason"));
        JsonObject usage = frames.get(frames.size() - 2).json();
        assertTrue(usage.getJsonArray("choices").isEmpty());
        assertEquals(OpenAiPreset.TEXT_DELTAS.size(), usage.getJsonObject("usage").getInt("completion_tokens"));
    }

    // ---------------------------------------------------------------- responses

    @Test
    void response() throws Exception {
        JsonObject body = postJson("/v1/responses", "{\"model\":\"gpt-4.1\",\"input\":\"Tell me a story\","
                + "\"instructions\":\"Be brief\",\"previous_response_id\":\"resp_prev\",\"metadata\":{\"k\":\"v\"}}");

        assertTrue(body.getString("id").startsWith("resp_"));
        assertEquals("response", body.getString("object"));
        assertEquals("completed", body.getString("status"));
        assertEquals("gpt-4.1", body.getString("model"));
        assertEquals("Be brief", body.getString("instructions"));
        assertEquals("resp_prev", body.getString("previous_response_id"));
        assertEquals("v", body.getJsonObject("metadata").getString("k"));
        assertTrue(body.isNull("error"));
        JsonObject message = body.getJsonArray("output").getJsonObject(0);
        assertEquals("message", message.getString("type"));
        assertEquals("assistant", message.getString("role"));
        assertEquals("completed", message.getString("status"));
        JsonObject text = message.getJsonArray("content").getJsonObject(0);
        assertEquals("output_text", text.getString("type"));
        assertEquals(OpenAiPreset.TEXT, text.getString("text"));
        assertTrue(text.getJsonArray("annotations").isEmpty());
        JsonObject usage = body.getJsonObject("usage");
        assertEquals(OpenAiPreset.PROMPT_TOKENS, usage.getInt("input_tokens"));
        assertEquals(OpenAiPreset.TEXT_DELTAS.size(), usage.getInt("output_tokens"));
        assertEquals(0, usage.getJsonObject("input_tokens_details").getInt("cached_tokens"));
        assertEquals(0, usage.getJsonObject("output_tokens_details").getInt("reasoning_tokens"));
    }

    @Test
    void responseStream() throws Exception {
        List<SseFrame> frames = postStream("/v1/responses", "{\"model\":\"gpt-4.1\",\"input\":\"hi\",\"stream\":true}");

        List<String> types = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < frames.size(); i++) {
            SseFrame frame = frames.get(i);
            assertFalse(frame.isDone(), "responses streams have no [DONE]");
            JsonObject json = frame.json();
            assertEquals(frame.event(), json.getString("type"), "event name equals the JSON type");
            assertEquals(i, json.getInt("sequence_number"));
            types.add(frame.event());
            if (frame.event().equals("response.output_text.delta")) {
                text.append(json.getString("delta"));
                assertEquals(0, json.getInt("output_index"));
                assertEquals(0, json.getInt("content_index"));
                assertTrue(json.getString("item_id").startsWith("msg_"));
            }
        }
        assertEquals(OpenAiPreset.TEXT, text.toString());
        List<String> expected = new ArrayList<>(List.of("response.created", "response.in_progress",
                "response.output_item.added", "response.content_part.added"));
        OpenAiPreset.TEXT_DELTAS.forEach(d -> expected.add("response.output_text.delta"));
        expected.addAll(List.of("response.output_text.done", "response.content_part.done",
                "response.output_item.done", "response.completed"));
        assertEquals(expected, types);

        JsonObject created = frames.get(0).json().getJsonObject("response");
        assertEquals("in_progress", created.getString("status"));
        assertEquals("gpt-4.1", created.getString("model"));
        assertTrue(created.isNull("usage"));
        JsonObject completed = frames.get(frames.size() - 1).json().getJsonObject("response");
        assertEquals("completed", completed.getString("status"));
        assertEquals(created.getString("id"), completed.getString("id"));
        assertEquals(OpenAiPreset.TEXT, completed.getJsonArray("output").getJsonObject(0).getJsonArray("content")
                .getJsonObject(0).getString("text"));
        assertNotNull(completed.getJsonObject("usage"));
        assertEquals(OpenAiPreset.TEXT, frames.get(frames.size() - 4).json().getString("text"));
    }

    // ---------------------------------------------------------------- embeddings

    @Test
    void embeddingsAsFloats() throws Exception {
        JsonObject body = postJson("/v1/embeddings", "{\"model\":\"text-embedding-3-small\",\"input\":\"hello\"}");

        assertEquals("list", body.getString("object"));
        assertEquals("text-embedding-3-small", body.getString("model"));
        JsonArray data = body.getJsonArray("data");
        assertEquals(1, data.size());
        JsonObject item = data.getJsonObject(0);
        assertEquals("embedding", item.getString("object"));
        assertEquals(0, item.getInt("index"));
        JsonArray vector = item.getJsonArray("embedding");
        assertEquals(OpenAiPreset.EMBEDDING_DIMENSIONS, vector.size());
        for (int d = 0; d < vector.size(); d++) {
            assertEquals(OpenAiPreset.embeddingValue(0, d), (float) vector.getJsonNumber(d).doubleValue());
        }
        assertEquals(OpenAiPreset.PROMPT_TOKENS, body.getJsonObject("usage").getInt("prompt_tokens"));
        assertEquals(OpenAiPreset.PROMPT_TOKENS, body.getJsonObject("usage").getInt("total_tokens"));
    }

    @Test
    void embeddingsCountEveryInputForm() throws Exception {
        String model = "\"model\":\"text-embedding-3-small\"";
        assertEquals(3, postJson("/v1/embeddings", "{" + model + ",\"input\":[\"a\",\"b\",\"c\"]}")
                .getJsonArray("data").size());
        assertEquals(1, postJson("/v1/embeddings", "{" + model + ",\"input\":[1,2,3]}")
                .getJsonArray("data").size());
        assertEquals(2, postJson("/v1/embeddings", "{" + model + ",\"input\":[[1,2],[3]]}")
                .getJsonArray("data").size());
        assertEquals(400, post("/v1/embeddings", "{" + model + ",\"input\":[]}").statusCode());
        assertEquals(400, post("/v1/embeddings", "{" + model + "}").statusCode());
    }

    @Test
    void embeddingsAsBase64LittleEndianFloats() throws Exception {
        JsonObject body = postJson("/v1/embeddings", "{\"model\":\"text-embedding-3-small\",\"input\":[\"a\",\"b\"],"
                + "\"encoding_format\":\"base64\",\"dimensions\":4}");

        JsonObject second = body.getJsonArray("data").getJsonObject(1);
        byte[] raw = Base64.getDecoder().decode(second.getString("embedding"));
        assertEquals(4 * Float.BYTES, raw.length);
        ByteBuffer buffer = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        for (int d = 0; d < 4; d++) {
            assertEquals(OpenAiPreset.embeddingValue(1, d), buffer.getFloat());
        }
    }

    // ---------------------------------------------------------------- images

    @Test
    void gptImageGeneration() throws Exception {
        JsonObject body = postJson("/v1/images/generations",
                "{\"model\":\"gpt-image-1\",\"prompt\":\"a cat\",\"n\":2,\"size\":\"1536x1024\"}");

        assertTrue(body.getJsonNumber("created").longValue() > 1_700_000_000L);
        assertEquals(2, body.getJsonArray("data").size());
        assertEquals(OpenAiPreset.IMAGE_B64, body.getJsonArray("data").getJsonObject(0).getString("b64_json"));
        assertEquals("1536x1024", body.getString("size"));
        assertEquals("png", body.getString("output_format"));
        JsonObject usage = body.getJsonObject("usage");
        assertEquals(usage.getInt("input_tokens") + usage.getInt("output_tokens"), usage.getInt("total_tokens"));
        JsonObject details = usage.getJsonObject("input_tokens_details");
        assertEquals(usage.getInt("input_tokens"), details.getInt("text_tokens") + details.getInt("image_tokens"));
    }

    @Test
    void dallEImageGenerationAnswersUrlsUnlessAskedForBase64() throws Exception {
        JsonObject url = postJson("/v1/images/generations", "{\"model\":\"dall-e-3\",\"prompt\":\"a cat\"}");
        JsonObject b64 = postJson("/v1/images/generations",
                "{\"prompt\":\"a dog\",\"response_format\":\"b64_json\"}");

        JsonObject image = url.getJsonArray("data").getJsonObject(0);
        assertTrue(image.getString("url").startsWith("https://"));
        assertEquals("a cat", image.getString("revised_prompt"));
        assertFalse(url.containsKey("usage"));
        assertEquals(OpenAiPreset.IMAGE_B64, b64.getJsonArray("data").getJsonObject(0).getString("b64_json"));
        assertEquals(400, post("/v1/images/generations", "{\"model\":\"dall-e-3\"}").statusCode());
    }

    @Test
    void imageGenerationStream() throws Exception {
        List<SseFrame> frames = postStream("/v1/images/generations",
                "{\"model\":\"gpt-image-1\",\"prompt\":\"a cat\",\"stream\":true,\"partial_images\":2}");

        assertEquals(List.of("image_generation.partial_image", "image_generation.partial_image",
                "image_generation.completed"), frames.stream().map(SseFrame::event).toList());
        for (int i = 0; i < 2; i++) {
            JsonObject partial = frames.get(i).json();
            assertEquals("image_generation.partial_image", partial.getString("type"));
            assertEquals(i, partial.getInt("partial_image_index"));
            assertEquals(OpenAiPreset.IMAGE_B64, partial.getString("b64_json"));
            assertEquals("1024x1024", partial.getString("size"));
            assertTrue(partial.getJsonNumber("created_at").longValue() > 0);
        }
        JsonObject completed = frames.get(2).json();
        assertEquals("image_generation.completed", completed.getString("type"));
        assertEquals(OpenAiPreset.IMAGE_B64, completed.getString("b64_json"));
        assertTrue(completed.getJsonObject("usage").getInt("total_tokens") > 0);
        assertFalse(completed.containsKey("partial_image_index"));
    }

    @Test
    void imageStreamDefaultsToOnePartialAndAcceptsNone() throws Exception {
        List<SseFrame> defaults = postStream("/v1/images/generations",
                "{\"model\":\"gpt-image-1\",\"prompt\":\"x\",\"stream\":true}");
        List<SseFrame> none = postStream("/v1/images/generations",
                "{\"model\":\"gpt-image-1\",\"prompt\":\"x\",\"stream\":true,\"partial_images\":0}");

        assertEquals(2, defaults.size());
        assertEquals(List.of("image_generation.completed"), none.stream().map(SseFrame::event).toList());
    }

    @Test
    void theImageIsAValidPng() throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(OpenAiPreset.IMAGE_B64)));

        assertNotNull(image);
        assertEquals(1, image.getWidth());
        assertEquals(1, image.getHeight());
    }

    // ---------------------------------------------------------------- models and routing

    @Test
    void listModels() throws Exception {
        HttpResponse<String> response = TestHttp.send(client, TestHttp.get(upstream.uri("/v1/models")));

        assertEquals(200, response.statusCode());
        JsonObject body = JsonBodies.parse(response.body());
        assertEquals("list", body.getString("object"));
        List<String> ids = body.getJsonArray("data").getValuesAs(JsonObject.class).stream()
                .peek(model -> assertEquals("model", model.getString("object")))
                .peek(model -> assertTrue(model.containsKey("owned_by")))
                .map(model -> model.getString("id"))
                .toList();
        assertEquals(OpenAiPreset.MODELS, ids);
    }

    @Test
    void unknownRouteIsStill404() throws Exception {
        assertEquals(404, post("/v1/audio/speech", "{}").statusCode());
        assertEquals(404, post("/v2/chat/completions", "{}").statusCode());
    }

    @Test
    void stubsOverrideThePresetAndResetRestoresIt() throws Exception {
        String chat = "{\"model\":\"gpt-4o-mini\",\"messages\":[]}";
        upstream.on("POST", "/v1/chat/completions").respond(
                Reply.error(503, "overloaded"),
                Reply.from(OpenAiPreset::chatCompletions));

        assertEquals(503, post("/v1/chat/completions", chat).statusCode());
        assertEquals("chat.completion", postJson("/v1/chat/completions", chat).getString("object"));
        assertEquals(2, upstream.requestCount());

        upstream.on("GET", "/v1/models").respond(Reply.error(500, "down"));
        assertEquals(500, TestHttp.send(client, TestHttp.get(upstream.uri("/v1/models"))).statusCode());
        upstream.reset();
        assertEquals(200, TestHttp.send(client, TestHttp.get(upstream.uri("/v1/models"))).statusCode());
        assertEquals("chat.completion", postJson("/v1/chat/completions", chat).getString("object"));
    }
}
