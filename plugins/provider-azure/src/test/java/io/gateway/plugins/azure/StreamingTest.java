package io.gateway.plugins.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.StreamEvent;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import io.gateway.testkit.ScriptedUpstream;
import io.gateway.testkit.fakes.FakeAzure;

/**
 * Streams of every streamable operation in both URL forms, relayed event by event — Azure's opening
 * chunk with empty {@code choices} included — and delivered as they arrive.
 */
class StreamingTest {

    private static final Map<String, String> DEPLOYMENTS = Map.of(
            "gpt-4o", "chat-prod",
            "gpt-35-turbo-instruct", "instruct-prod",
            "gpt-image-1", "image-prod");

    private static final String PROMPT_FILTER_CHUNK = "{\"choices\":[],\"created\":0,\"id\":\"\",\"model\":\"\","
            + "\"object\":\"\",\"prompt_filter_results\":[{\"prompt_index\":0,\"content_filter_results\":{\"hate\":"
            + "{\"filtered\":false,\"severity\":\"safe\"},\"jailbreak\":{\"filtered\":false,\"detected\":false},"
            + "\"self_harm\":{\"filtered\":false,\"severity\":\"safe\"},\"sexual\":{\"filtered\":false,\"severity\":"
            + "\"safe\"},\"violence\":{\"filtered\":false,\"severity\":\"safe\"}}}]}";

    private static void assertStreamRequest(Harness.Recorded request) {
        assertEquals("text/event-stream", request.headers().first("accept").orElseThrow());
        assertEquals(FakeAzure.API_KEY, request.headers().first("api-key").orElseThrow());
        assertTrue(request.json().getBoolean("stream"));
    }

    private static String deltaText(List<StreamEvent> events) {
        StringBuilder text = new StringBuilder();
        for (StreamEvent event : events) {
            if (event.isDone()) {
                continue;
            }
            for (var choice : event.json().getJsonArray("choices")) {
                JsonObject object = choice.asJsonObject();
                if (object.containsKey("delta")) {
                    text.append(object.getJsonObject("delta").getString("content", ""));
                } else {
                    text.append(object.getString("text", ""));
                }
            }
        }
        return text.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-10-21", "v1"})
    void chatStreamOpensWithThePromptFilterChunk(String version) {
        try (Harness azure = Harness.withVersion(version, DEPLOYMENTS)) {
            Response.Streaming stream = azure.streaming(azure.call(Operation.CHAT_COMPLETION, "gpt-4o",
                    "{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}",
                    "main"));
            assertEquals(200, stream.status());
            assertEquals("99", stream.headers().first("x-ratelimit-remaining-requests").orElseThrow());
            assertTrue(stream.headers().contains("apim-request-id"));
            List<StreamEvent> events = Harness.drain(stream.events());
            Harness.Recorded request = azure.last();
            assertStreamRequest(request);
            assertEquals(version.equals("v1") ? "/openai/v1/chat/completions"
                    : "/openai/deployments/chat-prod/chat/completions", request.path());

            assertEquals(new StreamEvent(null, PROMPT_FILTER_CHUNK), events.get(0),
                    "the prompt-filter chunk with empty choices is relayed exactly as Azure sent it");
            // the fake answers "Hello from Azure! You said: Hi", one delta per word
            assertEquals(10, events.size(), "filter chunk, role chunk, six deltas, finish chunk, [DONE]");
            assertTrue(events.get(9).isDone());
            assertEquals("Hello from Azure! You said: Hi", deltaText(events));
            assertEquals("stop", events.get(8).json().getJsonArray("choices").getJsonObject(0)
                    .getString("finish_reason"));
            for (StreamEvent event : events) {
                assertNull(event.event(), "chat frames carry no event: line");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-10-21", "v1"})
    void chatStreamWithUsageEndsWithTheUsageChunk(String version) {
        try (Harness azure = Harness.withVersion(version, DEPLOYMENTS)) {
            List<StreamEvent> events = Harness.drain(azure.streaming(azure.call(Operation.CHAT_COMPLETION, "gpt-4o",
                    "{\"model\":\"gpt-4o\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                            + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}", "main")).events());
            assertEquals(11, events.size());
            JsonObject usageChunk = events.get(9).json();
            assertTrue(usageChunk.getJsonArray("choices").isEmpty());
            assertEquals(7, usageChunk.getJsonObject("usage").getInt("total_tokens"), "one prompt word, six answered");
            assertTrue(events.get(10).isDone());
            assertTrue(azure.last().json().getJsonObject("stream_options").getBoolean("include_usage"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-10-21", "v1"})
    void textCompletionStream(String version) {
        try (Harness azure = Harness.withVersion(version, DEPLOYMENTS)) {
            List<StreamEvent> events = Harness.drain(azure.streaming(azure.call(Operation.TEXT_COMPLETION,
                    "gpt-35-turbo-instruct", "{\"model\":\"gpt-35-turbo-instruct\",\"prompt\":\"Hi\",\"stream\":true}",
                    "main")).events());
            Harness.Recorded request = azure.last();
            assertStreamRequest(request);
            assertEquals(version.equals("v1") ? "/openai/v1/completions"
                    : "/openai/deployments/instruct-prod/completions", request.path());
            assertEquals(new StreamEvent(null, PROMPT_FILTER_CHUNK), events.get(0));
            assertEquals(7, events.size(), "filter chunk, four deltas, finish chunk, [DONE]");
            assertTrue(events.get(6).isDone());
            assertEquals("Hello from Azure! Hi", deltaText(events));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-10-21", "v1"})
    void responsesStreamKeepsItsEventNames(String version) {
        try (Harness azure = Harness.withVersion(version, DEPLOYMENTS)) {
            List<StreamEvent> events = Harness.drain(azure.streaming(azure.call(Operation.RESPONSES, "gpt-4o",
                    "{\"model\":\"gpt-4o\",\"input\":\"Hi\",\"stream\":true}", "main")).events());
            Harness.Recorded request = azure.last();
            assertStreamRequest(request);
            assertEquals(version.equals("v1") ? "/openai/v1/responses" : "/openai/responses", request.path());
            assertEquals("chat-prod", request.json().getString("model"));
            assertEquals(List.of("response.created", "response.in_progress", "response.output_item.added",
                    "response.content_part.added", "response.output_text.delta", "response.output_text.delta",
                    "response.output_text.delta", "response.output_text.delta", "response.output_text.delta",
                    "response.output_text.delta", "response.output_text.done", "response.content_part.done",
                    "response.output_item.done", "response.completed"),
                    events.stream().map(StreamEvent::event).toList());
            for (StreamEvent event : events) {
                assertEquals(event.event(), event.json().getString("type"));
                assertFalse(event.isDone(), "Responses streams end without [DONE]");
            }
            assertEquals(7, events.get(13).json().getJsonObject("response").getJsonObject("usage")
                    .getInt("total_tokens"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-10-21", "v1"})
    void imageStream(String version) {
        try (Harness azure = Harness.withVersion(version, DEPLOYMENTS)) {
            List<StreamEvent> events = Harness.drain(azure.streaming(azure.call(Operation.IMAGE_GENERATION,
                    "gpt-image-1", "{\"model\":\"gpt-image-1\",\"prompt\":\"a lighthouse\",\"stream\":true,"
                            + "\"partial_images\":1}", "main")).events());
            Harness.Recorded request = azure.last();
            assertStreamRequest(request);
            assertEquals(version.equals("v1") ? "/openai/v1/images/generations"
                    : "/openai/deployments/image-prod/images/generations", request.path());
            assertEquals(List.of("image_generation.partial_image", "image_generation.completed"),
                    events.stream().map(StreamEvent::event).toList());
            assertEquals(0, events.get(0).json().getInt("partial_image_index"));
            assertEquals(274, events.get(1).json().getJsonObject("usage").getInt("total_tokens"),
                    "two prompt words and one image");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-10-21", "v1"})
    void theFirstEventArrivesBeforeTheUpstreamSendsTheSecond(String version) {
        try (Harness azure = Harness.withVersion(version, DEPLOYMENTS)) {
            azure.holdNextStream();
            Response.Streaming stream = azure.streaming(azure.call(Operation.CHAT_COMPLETION, "gpt-4o",
                    "{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}",
                    "main"));
            try (EventStream events = stream.events()) {
                StreamEvent first = assertTimeoutPreemptively(Duration.ofSeconds(3), events::next,
                        "the first event must be readable while the upstream holds back the second");
                assertEquals(PROMPT_FILTER_CHUNK, first.data());
                azure.releaseGate();
                List<StreamEvent> rest = Harness.drain(events);
                assertEquals(9, rest.size());
                assertTrue(rest.get(8).isDone());
            }
            assertFalse(azure.gateTimedOut(), "the fake sent the second event only after the first was read");
        }
    }

    @Test
    void responsesStreamIsIncrementalToo() {
        try (Harness azure = Harness.withVersion("2024-10-21", DEPLOYMENTS)) {
            azure.holdNextStream();
            Response.Streaming stream = azure.streaming(azure.call(Operation.RESPONSES, "gpt-4o",
                    "{\"model\":\"gpt-4o\",\"input\":\"Hi\",\"stream\":true}", "main"));
            try (EventStream events = stream.events()) {
                StreamEvent first = assertTimeoutPreemptively(Duration.ofSeconds(3), events::next);
                assertEquals("response.created", first.event());
                azure.releaseGate();
                assertEquals(13, Harness.drain(events).size());
            }
            assertFalse(azure.gateTimedOut());
        }
    }

    @Test
    void closingAStreamEarlyEndsIt() {
        try (Harness azure = Harness.withVersion("2024-10-21", DEPLOYMENTS)) {
            azure.holdNextStream();
            Response.Streaming stream = azure.streaming(azure.call(Operation.CHAT_COMPLETION, "gpt-4o",
                    "{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}",
                    "main"));
            EventStream events = stream.events();
            assertNotNull(assertTimeoutPreemptively(Duration.ofSeconds(3), events::next));
            events.close();
            events.close();
            assertNull(events.next(), "a closed stream has no more events");
            azure.releaseGate();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-10-21", "v1"})
    void aRejectedStreamFailsWithTheUpstreamStatusBeforeAnyEvent(String version) {
        try (Harness azure = Harness.withVersion(version, DEPLOYMENTS)) {
            GatewayException error = assertThrows(GatewayException.class, () -> azure.provider.call(azure.call(
                    Operation.CHAT_COMPLETION, "gpt-4o", "{\"model\":\"gpt-4o\",\"stream\":true,"
                            + "\"messages\":[{\"role\":\"user\",\"content\":\"[content-filter] Hi\"}]}", "main")));
            assertEquals(400, error.status());
            assertEquals(AzureErrors.CONTENT_FILTER, error.errorCode().code());
        }
    }

    @Test
    void aJsonAnswerToAStreamRequestIsRelayedAsJson() {
        ScriptedUpstream upstream = Harness.capturing(200, "application/json", "{\"id\":\"chatcmpl-1\"}");
        var provider = Harness.provider(Map.of("base-url", "https://res.openai.azure.com"), upstream);
        Response response = provider.call(Harness.call(Operation.CHAT_COMPLETION, "gpt-4o",
                "{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[]}", Keys.keyless()));
        Response.Complete complete = (Response.Complete) response;
        assertEquals(JsonBodies.parse("{\"id\":\"chatcmpl-1\"}"), complete.body());
    }
}
