package io.gateway.translation.gemini;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.spi.Response;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.json.RequestFields;
import io.gateway.toolkit.upstream.Answer;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code images/generations} with Gemini's image models: {@code generateContent} asking for
 * {@code responseModalities ["TEXT", "IMAGE"]}; every {@code inlineData} image part of the answer
 * becomes one {@code b64_json} image. Gemini returns image bytes, never URLs, and does not stream
 * partial images, so {@code response_format: "url"} and {@code stream} answer 400.
 */
final class Images {

    /** The aspect ratios Gemini's {@code imageConfig} accepts, as width/height. */
    private static final String[] RATIOS = {"1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"};
    private static final Pattern SIZE = Pattern.compile("(\\d{1,5})x(\\d{1,5})");

    private Images() {
    }

    static Response call(GeminiTransport provider, ProviderCall call) {
        JsonObject body = call.body();
        if (call.stream()) {
            throw GatewayException.invalidRequest("gemini does not stream image generation; send the request"
                    + " without 'stream'", "stream");
        }
        if (!(body.get("prompt") instanceof JsonString prompt) || prompt.getString().isBlank()) {
            throw GatewayException.invalidRequest("'prompt' must be a non-empty string", "prompt");
        }
        String format = RequestFields.optionalString(body, "response_format", "response_format");
        if (format != null && !format.equals("b64_json")) {
            throw GatewayException.invalidRequest("gemini returns images as b64_json", "response_format");
        }
        Integer n = RequestFields.optionalInteger(body, "n", 1, Integer.MAX_VALUE);
        JsonObjectBuilder config = Json.object()
                .add("responseModalities", Json.array().add("TEXT").add("IMAGE"));
        if (n != null && n > 1) {
            config.add("candidateCount", n);
        }
        String ratio = aspectRatio(RequestFields.optionalString(body, "size", "size"));
        if (ratio != null) {
            config.add("imageConfig", Json.object().add("aspectRatio", ratio));
        }
        JsonObject request = Json.object()
                .add("contents", Json.array().add(Json.object()
                        .add("role", "user")
                        .add("parts", Json.array().add(Parts.text(prompt.getString())))))
                .add("generationConfig", config)
                .build();

        Answer<JsonObject> answer = provider.postForJson(call,
                provider.endpoint(call.model(), "generateContent", false), request);
        JsonObject gemini = answer.body();
        JsonArrayBuilder data = Json.array();
        int images = 0;
        String outputFormat = null;
        String refusal = null;
        JsonArray candidates = Json.arrayField(gemini, "candidates");
        if (candidates != null) {
            for (JsonValue value : candidates) {
                if (!(value instanceof JsonObject candidate)) {
                    continue;
                }
                if (Candidates.filtered(Json.text(candidate, "finishReason"))) {
                    refusal = Json.text(candidate, "finishReason");
                }
                JsonArray parts = Json.arrayField(Json.objectField(candidate, "content"), "parts");
                if (parts == null) {
                    continue;
                }
                for (JsonValue partValue : parts) {
                    JsonObject inline = partValue instanceof JsonObject part ? Json.objectField(part, "inlineData") : null;
                    String mimeType = Json.text(inline, "mimeType");
                    String bytes = Json.text(inline, "data");
                    if (inline == null || bytes == null || mimeType == null || !mimeType.startsWith("image/")
                            || partValue.asJsonObject().get("thought") == JsonValue.TRUE) {
                        continue;
                    }
                    data.add(Json.object().add("b64_json", bytes));
                    images++;
                    if (outputFormat == null) {
                        outputFormat = mimeType.substring("image/".length()).toLowerCase(Locale.ROOT);
                    }
                }
            }
        }
        if (images == 0) {
            String blocked = Candidates.blockReason(gemini);
            if (blocked != null || refusal != null) {
                throw GatewayException.upstream(400, "invalid_request_error", "content_policy_violation",
                        "gemini refused to generate this image (" + (blocked != null ? blocked : refusal) + ")",
                        "prompt", answer.headers());
            }
            throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "gemini answered without an image; check"
                    + " that '" + call.model() + "' is an image generation model");
        }
        JsonObjectBuilder result = Json.object()
                .add("created", provider.now())
                .add("data", data);
        result.add("output_format", outputFormat);
        result.add("usage", Usage.images(Json.objectField(gemini, "usageMetadata")));
        return Response.Complete.of(200, answer.headers(), result.build());
    }

    /** An OpenAI size as the nearest aspect ratio Gemini offers; {@code null} for {@code auto}. */
    static String aspectRatio(String size) {
        if (size == null || size.equals("auto")) {
            return null;
        }
        Matcher matcher = SIZE.matcher(size);
        if (!matcher.matches() || Integer.parseInt(matcher.group(1)) == 0 || Integer.parseInt(matcher.group(2)) == 0) {
            throw GatewayException.invalidRequest("'size' must be auto or WIDTHxHEIGHT, e.g. 1024x1024", "size");
        }
        double wanted = Math.log(Double.parseDouble(matcher.group(1)) / Double.parseDouble(matcher.group(2)));
        String best = RATIOS[0];
        double bestDistance = Double.MAX_VALUE;
        for (String ratio : RATIOS) {
            String[] sides = ratio.split(":");
            double distance = Math.abs(Math.log(Double.parseDouble(sides[0]) / Double.parseDouble(sides[1])) - wanted);
            if (distance < bestDistance) {
                bestDistance = distance;
                best = ratio;
            }
        }
        return best;
    }
}
