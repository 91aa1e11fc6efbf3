package io.gateway.plugins.bedrock;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Response;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.json.RequestFields;
import io.gateway.toolkit.upstream.Answer;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code images/generations} with Amazon Titan Image Generator and Amazon Nova Canvas, through
 * InvokeModel with a {@code TEXT_IMAGE} task: {@code prompt} is the task's {@code text}, {@code n}
 * {@code numberOfImages} (1–5), {@code size} ({@code WIDTHxHEIGHT}) the {@code width} and
 * {@code height}, {@code quality} {@code hd} or {@code high} the {@code premium} quality (else
 * {@code standard}); the client may add {@code negative_prompt}, {@code seed} and {@code cfg_scale}.
 * The models answer base64 PNGs, never URLs, and do not stream, so {@code response_format: "url"} and
 * {@code stream} answer 400, as do other models. Stateless.
 */
final class Images {

    private static final Pattern SIZE = Pattern.compile("(\\d{2,5})x(\\d{2,5})");

    private Images() {
    }

    static Response call(BedrockCalls calls, ProviderCall call) {
        JsonObject body = call.body();
        if (Families.of(call.model()) != Families.AMAZON_IMAGE) {
            throw GatewayException.invalidRequest("bedrock image generation needs an Amazon Titan Image Generator or "
                    + "Nova Canvas model (e.g. amazon.nova-canvas-v1:0, amazon.titan-image-generator-v2:0), not '"
                    + call.model() + "'", "model");
        }
        if (call.stream()) {
            throw GatewayException.invalidRequest("bedrock does not stream image generation; send the request "
                    + "without 'stream'", "stream");
        }
        if (!(body.get("prompt") instanceof JsonString prompt) || prompt.getString().isBlank()) {
            throw GatewayException.invalidRequest("'prompt' must be a non-empty string", "prompt");
        }
        String format = RequestFields.optionalString(body, "response_format", "response_format");
        if (format != null && !format.equals("b64_json")) {
            throw GatewayException.invalidRequest("bedrock returns images as b64_json, not URLs", "response_format");
        }
        JsonObjectBuilder params = Json.object().add("text", prompt.getString());
        String negative = RequestFields.optionalString(body, "negative_prompt", "negative_prompt");
        if (negative != null && !negative.isBlank()) {
            params.add("negativeText", negative);
        }
        JsonObjectBuilder config = Json.object()
                .add("numberOfImages", RequestFields.integer(body, "n", 1, 5, 1))
                .add("quality", quality(RequestFields.optionalString(body, "quality", "quality")));
        String size = RequestFields.optionalString(body, "size", "size");
        if (size != null && !size.equals("auto")) {
            Matcher matcher = SIZE.matcher(size);
            if (!matcher.matches()) {
                throw GatewayException.invalidRequest("'size' must be auto or WIDTHxHEIGHT, e.g. 1024x1024", "size");
            }
            config.add("width", Integer.parseInt(matcher.group(1))).add("height", Integer.parseInt(matcher.group(2)));
        }
        Integer seed = RequestFields.optionalInteger(body, "seed", 0, 2147483646);
        if (seed != null) {
            config.add("seed", seed);
        }
        if (RequestFields.optionalNumber(body, "cfg_scale") != null) {
            config.add("cfgScale", body.getJsonNumber("cfg_scale"));
        }
        JsonObject request = Json.object()
                .add("taskType", "TEXT_IMAGE")
                .add("textToImageParams", params)
                .add("imageGenerationConfig", config)
                .build();
        Answer<JsonObject> answer = calls.post(call, calls.model(call, "invoke"), request);
        JsonArray images = Json.arrayField(answer.body(), "images");
        JsonArrayBuilder data = Json.array();
        int count = 0;
        if (images != null) {
            for (JsonValue image : images) {
                if (image instanceof JsonString base64 && !base64.getString().isEmpty()) {
                    data.add(Json.object().add("b64_json", base64.getString()));
                    count++;
                }
            }
        }
        if (count == 0) {
            String error = Json.text(answer.body(), "error");
            if (error != null && !error.isBlank()) {
                throw GatewayException.upstream(400, "invalid_request_error", "content_policy_violation",
                        "bedrock generated no image: " + error, "prompt", answer.headers());
            }
            throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "bedrock answered without an image");
        }
        return Response.Complete.of(200, answer.headers(), Json.object()
                .add("created", calls.now())
                .add("data", data)
                .add("output_format", "png")
                .build());
    }

    private static String quality(String quality) {
        if (quality == null) {
            return "standard";
        }
        return switch (quality) {
            case "hd", "high", "premium" -> "premium";
            case "standard", "medium", "low", "auto" -> "standard";
            default -> throw GatewayException.invalidRequest("'quality' must be one of auto, standard, hd, low, "
                    + "medium, high", "quality");
        };
    }
}
