package io.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.gateway.spi.JsonBodies;
import io.gateway.testkit.http.SseFrame;
import io.gateway.testkit.http.SseParser;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.util.List;

/** Small helpers for {@link ProvidersIT}: bodies, answers, envelopes and streams. */
final class ProvidersSupport {

    private ProvidersSupport() {
    }

    /** A chat body with one user message, plus extra top-level fields (",\"k\":v…", or ""). */
    static String chatBody(String model, String userText, String extraFields) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":"
                + JsonBodies.provider().createValue(userText) + "}]" + extraFields + "}";
    }

    /** Asserts a 200 and parses the body. */
    static JsonObject ok(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        return JsonBodies.parse(response.body());
    }

    /** Asserts the gateway's error envelope with a status and returns it. */
    static JsonObject envelope(HttpResponse<String> response, int status) {
        assertEquals(status, response.statusCode(), response.body());
        JsonObject envelope = JsonBodies.parse(response.body());
        assertEquals(status, envelope.getInt("status_code"), response.body());
        assertNotNull(envelope.getJsonObject("error"), response.body());
        assertFalse(envelope.getJsonObject("error").getString("message", "").isBlank(), response.body());
        return envelope;
    }

    /** The content of the first choice's message. */
    static String contentOf(JsonObject completion) {
        return completion.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content");
    }

    /** A tool call's arguments, parsed. */
    static JsonObject arguments(JsonObject toolCall) {
        return JsonBodies.parse(toolCall.getJsonObject("function").getString("arguments"));
    }

    /** Asserts an SSE answer and reads all its frames. */
    static List<SseFrame> streamFrames(HttpResponse<InputStream> response) {
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new AssertionError("stream answered " + response.statusCode() + ": "
                        + new String(body.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            }
            String type = response.headers().firstValue("content-type").orElse("");
            assertEquals("text/event-stream", type.split(";")[0], "content-type");
            return SseParser.readAll(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The JSON chunks of a chat stream, without the [DONE] sentinel. */
    static List<JsonObject> chunks(List<SseFrame> frames) {
        return frames.stream().filter(frame -> !frame.isDone()).map(frame -> JsonBodies.parse(frame.data()))
                .toList();
    }

    /** Every string inside a JSON value, joined with spaces. */
    static String allText(JsonValue value) {
        StringBuilder out = new StringBuilder();
        collect(value, out);
        return out.toString().strip();
    }

    private static void collect(JsonValue value, StringBuilder out) {
        if (value instanceof JsonString string) {
            out.append(string.getString()).append(' ');
        } else if (value instanceof JsonArray array) {
            array.forEach(item -> collect(item, out));
        } else if (value instanceof JsonObject object) {
            object.values().forEach(item -> collect(item, out));
        }
    }
}
