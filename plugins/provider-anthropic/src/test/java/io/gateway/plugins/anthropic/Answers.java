package io.gateway.plugins.anthropic;

import io.gateway.spi.Headers;
import io.gateway.spi.StreamEvent;
import io.gateway.testkit.fakes.FakeAnthropic;
import io.gateway.testkit.http.Reply;
import io.gateway.testkit.http.SseFrame;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Anthropic answers for the fake to send: JSON, text, errors and event streams, with headers. */
final class Answers {

    private Answers() {
    }

    static Reply json(String json) {
        return Reply.json(200, json);
    }

    static Reply json(int status, Headers headers, String json) {
        return withHeaders(Reply.json(status, json), headers);
    }

    static Reply text(int status, String contentType, String text) {
        return Reply.of(status, contentType, text.getBytes(StandardCharsets.UTF_8));
    }

    static Reply error(int status, String type, String message) {
        return FakeAnthropic.error(status, type, message);
    }

    /** The events as Anthropic streams them, each frame named after its type. */
    static Reply sse(Headers headers, List<StreamEvent> events) {
        return withHeaders(Reply.sse(events.stream().map(e -> new SseFrame(e.event(), e.data())).toList()), headers);
    }

    private static Reply withHeaders(Reply reply, Headers headers) {
        Reply result = reply;
        for (String name : headers.names()) {
            for (String value : headers.all(name)) {
                result = result.header(name, value);
            }
        }
        return result;
    }
}
