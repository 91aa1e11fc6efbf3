package io.gateway.plugins.mock;

import io.gateway.spi.GatewayException;
import io.gateway.spi.StreamEvent;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.json.RequestFields;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code images/generations}: {@code n} copies of {@link TinyPng}, with GPT-image style usage.
 *
 * <p>{@code response_format: "url"} (a DALL-E option) answers {@code data:} URLs, since the mock has
 * nowhere to host files. The image is always a PNG, so {@code output_format} always says {@code png}.
 * Output tokens per image follow OpenAI's published counts for a square image of the requested
 * quality, which gives usage numbers of a realistic size.
 *
 * <p>A stream sends, for each image, {@code partial_images} {@code image_generation.partial_image}
 * events and then one {@code image_generation.completed} event carrying that image's usage.
 */
final class Images {

    private final MockCall mock;
    private final String prompt;
    private final int n;
    private final boolean url;
    private final String size;
    private final String quality;
    private final String background;
    private final int partialImages;

    private Images(MockCall mock, String prompt, int n, boolean url, String size, String quality,
                   String background, int partialImages) {
        this.mock = mock;
        this.prompt = prompt;
        this.n = n;
        this.url = url;
        this.size = size;
        this.quality = quality;
        this.background = background;
        this.partialImages = partialImages;
    }

    static Images prepare(MockCall mock) {
        JsonObject body = mock.body();
        if (!(body.get("prompt") instanceof JsonString prompt) || prompt.getString().isBlank()) {
            throw GatewayException.invalidRequest("'prompt' must be a non-empty string", "prompt");
        }
        int n = RequestFields.integer(body, "n", 1, 10, 1);
        boolean url = "url".equals(RequestFields.choice(body, "response_format", "b64_json", "b64_json", "url"));
        int partialImages = RequestFields.integer(body, "partial_images", 0, 3, 0);
        return new Images(mock, prompt.getString(), n, url,
                resolved(body, "size", "1024x1024"),
                resolved(body, "quality", "medium"),
                resolved(body, "background", "opaque"),
                partialImages);
    }

    /** What the upstream reports for a setting: the request's choice, with {@code auto} resolved. */
    private static String resolved(JsonObject body, String name, String auto) {
        JsonValue value = body.get(name);
        if (value instanceof JsonString string && !string.getString().isBlank()
                && !"auto".equals(string.getString())) {
            return string.getString();
        }
        return auto;
    }

    JsonObject body() {
        JsonArrayBuilder data = Json.array();
        for (int i = 0; i < n; i++) {
            JsonObjectBuilder image = Json.object();
            if (url) {
                image.add("url", TinyPng.DATA_URL);
            } else {
                image.add("b64_json", TinyPng.BASE64);
            }
            data.add(image.add("revised_prompt", prompt));
        }
        return Json.object()
                .add("created", mock.created())
                .add("data", data)
                .add("background", background)
                .add("output_format", "png")
                .add("quality", quality)
                .add("size", size)
                .add("usage", Usage.image(Reply.tokens(prompt), outputTokensPerImage() * n))
                .build();
    }

    List<StreamEvent> events() {
        List<StreamEvent> events = new ArrayList<>();
        for (int image = 0; image < n; image++) {
            for (int partial = 0; partial < partialImages; partial++) {
                events.add(StreamEvent.typed(event("image_generation.partial_image")
                        .add("partial_image_index", partial)
                        .build()));
            }
            events.add(StreamEvent.typed(event("image_generation.completed")
                    .add("usage", Usage.image(Reply.tokens(prompt), outputTokensPerImage()))
                    .build()));
        }
        return events;
    }

    private JsonObjectBuilder event(String type) {
        return Json.object()
                .add("type", type)
                .add("b64_json", TinyPng.BASE64)
                .add("created_at", mock.created())
                .add("size", size)
                .add("quality", quality)
                .add("background", background)
                .add("output_format", "png");
    }

    private int outputTokensPerImage() {
        return switch (quality) {
            case "low" -> 272;
            case "high", "hd" -> 4160;
            default -> 1056;
        };
    }
}
