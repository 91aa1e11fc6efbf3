package io.gateway.plugins.gemini;

import io.gateway.spi.Headers;
import io.gateway.testkit.http.Reply;
import io.gateway.testkit.http.SseFrame;
import jakarta.json.JsonObject;
import java.util.List;

/** What the fake Gemini API answers: a JSON body with a status and headers, or SSE data frames. */
final class Replies {

    private Replies() {
    }

    static Reply json(String body) {
        return Reply.json(200, body);
    }

    static Reply json(JsonObject body) {
        return Reply.json(200, body);
    }

    static Reply status(int status, String body, Headers headers) {
        Reply reply = Reply.json(status, body);
        for (String name : headers.names()) {
            for (String value : headers.all(name)) {
                reply = reply.header(name, value);
            }
        }
        return reply;
    }

    /** Data frames, one per JSON chunk, as Gemini streams with {@code alt=sse}. */
    static Reply sse(List<String> frames) {
        return Reply.sse(frames.stream().map(SseFrame::data).toList());
    }
}
