package io.gateway.server.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.StreamEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ChatStreamToMessagesTest {

    private static StreamEvent chunk(String json) {
        return new StreamEvent(null, json);
    }

    private static List<String> translate(List<StreamEvent> chunks) {
        List<String> out = new ArrayList<>();
        try (EventStream stream = new ChatStreamToMessages(EventStream.of(chunks), "gpt-4.1")) {
            StreamEvent event;
            while ((event = stream.next()) != null) {
                assertEquals(event.event(), event.json().getString("type"), "the event name is its type");
                out.add(event.data());
            }
        }
        return out;
    }

    @Test
    void textReasoningAndParallelToolCallsBecomeAnthropicsEventSequence() {
        List<String> events = translate(List.of(
                chunk("{\"id\":\"chatcmpl-1\",\"model\":\"gpt-4.1\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}"),
                chunk("{\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"Hmm\"}}]}"),
                chunk("{\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}"),
                chunk("{\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"}}]}"),
                chunk("{\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"A\",\"arguments\":\"\"}}]}}]}"),
                chunk("{\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"call_b\",\"type\":\"function\",\"function\":{\"name\":\"B\",\"arguments\":\"{\\\"y\\\"\"}}]}}]}"),
                chunk("{\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"x\\\":1}\"}}]}}]}"),
                chunk("{\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\":2}\"}}]}}]}"),
                chunk("{\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}"),
                chunk("{\"id\":\"chatcmpl-1\",\"choices\":[],\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":12,\"total_tokens\":42,\"prompt_tokens_details\":{\"cached_tokens\":20}}}"),
                StreamEvent.DONE));

        List<String> expected = List.of(
                "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"gpt-4.1\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":0,\"output_tokens\":0}}}",
                "{\"type\":\"ping\"}",
                "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}",
                "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"Hmm\"}}",
                "{\"type\":\"content_block_stop\",\"index\":0}",
                "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
                "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hel\"}}",
                "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"lo\"}}",
                "{\"type\":\"content_block_stop\",\"index\":1}",
                "{\"type\":\"content_block_start\",\"index\":2,\"content_block\":{\"type\":\"tool_use\",\"id\":\"call_a\",\"name\":\"A\",\"input\":{}}}",
                "{\"type\":\"content_block_start\",\"index\":3,\"content_block\":{\"type\":\"tool_use\",\"id\":\"call_b\",\"name\":\"B\",\"input\":{}}}",
                "{\"type\":\"content_block_delta\",\"index\":3,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"y\\\"\"}}",
                "{\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"x\\\":1}\"}}",
                "{\"type\":\"content_block_delta\",\"index\":3,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\":2}\"}}",
                "{\"type\":\"content_block_stop\",\"index\":2}",
                "{\"type\":\"content_block_stop\",\"index\":3}",
                "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"input_tokens\":10,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":20,\"output_tokens\":12}}",
                "{\"type\":\"message_stop\"}");
        assertEquals(expected.size(), events.size(), String.join("\n", events));
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(JsonBodies.parse(expected.get(i)), JsonBodies.parse(events.get(i)), "event " + i);
        }
    }

    @Test
    void eventsComeAsChunksArriveNotAfterTheStream() {
        AtomicInteger pulled = new AtomicInteger();
        List<StreamEvent> chunks = List.of(
                chunk("{\"id\":\"c\",\"choices\":[{\"delta\":{\"content\":\"a\"}}]}"),
                chunk("{\"id\":\"c\",\"choices\":[{\"delta\":{\"content\":\"b\"}}]}"),
                chunk("{\"id\":\"c\",\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}"),
                StreamEvent.DONE);
        EventStream counting = EventStream.of(chunks).peek(event -> pulled.incrementAndGet());
        ChatStreamToMessages stream = new ChatStreamToMessages(counting, "m");

        for (int i = 0; i < 4; i++) { // message_start, ping, content_block_start, the first text_delta
            stream.next();
        }

        assertEquals(1, pulled.get(), "only the first chunk was read for its four events");
        stream.close();
    }

    @Test
    void aStreamCutShortIsAnErrorAndAnUpstreamFailurePassesThrough() {
        GatewayException cut = assertThrows(GatewayException.class, () -> translate(List.of(
                chunk("{\"id\":\"c\",\"choices\":[{\"delta\":{\"content\":\"a\"}}]}"))));
        assertEquals(502, cut.status());
        assertTrue(cut.getMessage().contains("ended before"), cut.getMessage());

        GatewayException upstream = GatewayException.upstream(529, "overloaded_error", null, "busy", null, null);
        EventStream failing = new EventStream() {
            private int calls;

            @Override
            public StreamEvent next() {
                if (calls++ == 0) {
                    return chunk("{\"id\":\"c\",\"choices\":[{\"delta\":{\"content\":\"a\"}}]}");
                }
                throw upstream;
            }

            @Override
            public void close() {
            }
        };
        ChatStreamToMessages stream = new ChatStreamToMessages(failing, "m");
        assertThrows(GatewayException.class, () -> {
            while (stream.next() != null) {
                // read until the failure
            }
        });
    }
}
