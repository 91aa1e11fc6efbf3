package io.gateway.testkit.http;

import io.gateway.spi.JsonBodies;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The answers of {@link FakeUpstream#openAi()}: fixed, OpenAI-shaped responses that echo the
 * requested model, following the OpenAI API reference.
 *
 * <p>Each method turns a recorded request into a {@link Reply}, so a test can also use them on its
 * own stubs, for example to answer with errors first and then normally:
 *
 * <pre>{@code
 * upstream.on("POST", "/v1/chat/completions").respond(
 *         Reply.error(503, "overloaded"),
 *         Reply.from(OpenAiPreset::chatCompletions));
 * }</pre>
 *
 * <p>A body that is not a JSON object, or lacks a required field ({@code model}; {@code messages}
 * for chat; {@code input} for embeddings; {@code prompt} for images), gets a 400 OpenAI-style error.
 * With {@code "stream": true}, chat and text completions answer {@code chat.completion.chunk} /
 * {@code text_completion} frames and {@code data: [DONE]} (a usage chunk with empty {@code choices}
 * first when {@code stream_options.include_usage} is true); responses answer the named events
 * {@code response.created} … {@code response.completed}; images answer
 * {@code image_generation.partial_image} frames ({@code partial_images}, default 1) then
 * {@code image_generation.completed}.
 */
public final class OpenAiPreset {

    /** The assistant text every completion returns. */
    public static final String TEXT = "Hello! I am the fake upstream.";

    /** How {@link #TEXT} is split into stream deltas; one token each. */
    public static final List<String> TEXT_DELTAS = List.of("Hello!", " I", " am", " the", " fake", " upstream.");

    /** The prompt token count every usage reports. */
    public static final int PROMPT_TOKENS = 12;

    /** The embedding length when the request has no {@code dimensions}. */
    public static final int EMBEDDING_DIMENSIONS = 8;

    /** A 1×1 PNG, base64, returned as every generated image. */
    public static final String IMAGE_B64 =
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

    /** The models {@code GET /v1/models} lists. */
    public static final List<String> MODELS = List.of("gpt-4o-mini", "gpt-4.1", "gpt-3.5-turbo-instruct",
            "text-embedding-3-small", "gpt-image-1", "dall-e-3");

    /** Output tokens reported for one generated image. */
    static final int IMAGE_OUTPUT_TOKENS = 272;

    private static final String FINGERPRINT = "fp_fakeupstream";
    private static final AtomicLong IDS = new AtomicLong();
    private static final JsonProvider JSON = JsonBodies.provider();

    private OpenAiPreset() {
    }

    // ---------------------------------------------------------------- chat completions

    /**
     * {@code POST /v1/chat/completions}: a {@code chat.completion} with {@code n} choices (default 1)
     * whose message content is {@link #TEXT}, or its stream.
     *
     * @param request the request
     * @return the reply
     */
    public static Reply chatCompletions(RecordedRequest request) {
        JsonObject body = parse(request);
        if (body == null) {
            return invalidJson();
        }
        String model = string(body, "model");
        if (model == null) {
            return missingModel();
        }
        if (!body.containsKey("messages")) {
            return missing("messages");
        }
        int n = intValue(body, "n", 1);
        String id = "chatcmpl-" + nextId();
        long created = Instant.now().getEpochSecond();
        if (bool(body, "stream")) {
            return chatStream(id, created, model, n, includeUsage(body));
        }
        JsonArrayBuilder choices = JSON.createArrayBuilder();
        for (int i = 0; i < n; i++) {
            choices.add(JSON.createObjectBuilder()
                    .add("index", i)
                    .add("message", JSON.createObjectBuilder()
                            .add("role", "assistant")
                            .add("content", TEXT)
                            .addNull("refusal")
                            .add("annotations", JSON.createArrayBuilder()))
                    .addNull("logprobs")
                    .add("finish_reason", "stop"));
        }
        JsonObject completion = JSON.createObjectBuilder()
                .add("id", id)
                .add("object", "chat.completion")
                .add("created", created)
                .add("model", model)
                .add("choices", choices)
                .add("usage", chatUsage(n))
                .add("service_tier", "default")
                .add("system_fingerprint", FINGERPRINT)
                .build();
        return Reply.json(200, completion);
    }

    private static Reply chatStream(String id, long created, String model, int n, boolean includeUsage) {
        List<SseFrame> frames = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            frames.add(SseFrame.data(chatChunk(id, created, model, i, JSON.createObjectBuilder()
                    .add("role", "assistant").add("content", "").addNull("refusal").build(), null, includeUsage)));
        }
        for (String delta : TEXT_DELTAS) {
            for (int i = 0; i < n; i++) {
                frames.add(SseFrame.data(chatChunk(id, created, model, i,
                        JSON.createObjectBuilder().add("content", delta).build(), null, includeUsage)));
            }
        }
        for (int i = 0; i < n; i++) {
            frames.add(SseFrame.data(chatChunk(id, created, model, i, JsonValue.EMPTY_JSON_OBJECT, "stop",
                    includeUsage)));
        }
        if (includeUsage) {
            frames.add(SseFrame.data(chunkHead(id, "chat.completion.chunk", created, model)
                    .add("choices", JSON.createArrayBuilder())
                    .add("usage", chatUsage(n))
                    .build()));
        }
        frames.add(SseFrame.done());
        return Reply.sse(frames);
    }

    private static JsonObject chatChunk(String id, long created, String model, int index, JsonObject delta,
                                        String finishReason, boolean includeUsage) {
        JsonObjectBuilder choice = JSON.createObjectBuilder()
                .add("index", index)
                .add("delta", delta)
                .addNull("logprobs");
        nullable(choice, "finish_reason", finishReason);
        JsonObjectBuilder chunk = chunkHead(id, "chat.completion.chunk", created, model)
                .add("choices", JSON.createArrayBuilder().add(choice));
        if (includeUsage) {
            chunk.addNull("usage");
        }
        return chunk.build();
    }

    private static JsonObjectBuilder chunkHead(String id, String object, long created, String model) {
        return JSON.createObjectBuilder()
                .add("id", id)
                .add("object", object)
                .add("created", created)
                .add("model", model)
                .add("service_tier", "default")
                .add("system_fingerprint", FINGERPRINT);
    }

    private static JsonObject chatUsage(int n) {
        int completion = TEXT_DELTAS.size() * n;
        return JSON.createObjectBuilder()
                .add("prompt_tokens", PROMPT_TOKENS)
                .add("completion_tokens", completion)
                .add("total_tokens", PROMPT_TOKENS + completion)
                .add("prompt_tokens_details", JSON.createObjectBuilder()
                        .add("cached_tokens", 0)
                        .add("audio_tokens", 0))
                .add("completion_tokens_details", JSON.createObjectBuilder()
                        .add("reasoning_tokens", 0)
                        .add("audio_tokens", 0)
                        .add("accepted_prediction_tokens", 0)
                        .add("rejected_prediction_tokens", 0))
                .build();
    }

    // ---------------------------------------------------------------- text completions

    /**
     * {@code POST /v1/completions}: a {@code text_completion} with {@code n} choices whose text is
     * {@link #TEXT}, or its stream.
     *
     * @param request the request
     * @return the reply
     */
    public static Reply completions(RecordedRequest request) {
        JsonObject body = parse(request);
        if (body == null) {
            return invalidJson();
        }
        String model = string(body, "model");
        if (model == null) {
            return missingModel();
        }
        int n = intValue(body, "n", 1);
        String id = "cmpl-" + nextId();
        long created = Instant.now().getEpochSecond();
        if (bool(body, "stream")) {
            boolean includeUsage = includeUsage(body);
            List<SseFrame> frames = new ArrayList<>();
            for (String delta : TEXT_DELTAS) {
                for (int i = 0; i < n; i++) {
                    frames.add(SseFrame.data(textChunk(id, created, model, i, delta, null, includeUsage)));
                }
            }
            for (int i = 0; i < n; i++) {
                frames.add(SseFrame.data(textChunk(id, created, model, i, "", "stop", includeUsage)));
            }
            if (includeUsage) {
                frames.add(SseFrame.data(chunkHead(id, "text_completion", created, model)
                        .add("choices", JSON.createArrayBuilder())
                        .add("usage", textUsage(n))
                        .build()));
            }
            frames.add(SseFrame.done());
            return Reply.sse(frames);
        }
        JsonArrayBuilder choices = JSON.createArrayBuilder();
        for (int i = 0; i < n; i++) {
            choices.add(JSON.createObjectBuilder()
                    .add("text", TEXT)
                    .add("index", i)
                    .addNull("logprobs")
                    .add("finish_reason", "stop"));
        }
        return Reply.json(200, JSON.createObjectBuilder()
                .add("id", id)
                .add("object", "text_completion")
                .add("created", created)
                .add("model", model)
                .add("system_fingerprint", FINGERPRINT)
                .add("choices", choices)
                .add("usage", textUsage(n))
                .build());
    }

    private static JsonObject textChunk(String id, long created, String model, int index, String text,
                                        String finishReason, boolean includeUsage) {
        JsonObjectBuilder choice = JSON.createObjectBuilder()
                .add("text", text)
                .add("index", index)
                .addNull("logprobs");
        nullable(choice, "finish_reason", finishReason);
        JsonObjectBuilder chunk = JSON.createObjectBuilder()
                .add("id", id)
                .add("object", "text_completion")
                .add("created", created)
                .add("model", model)
                .add("system_fingerprint", FINGERPRINT)
                .add("choices", JSON.createArrayBuilder().add(choice));
        if (includeUsage) {
            chunk.addNull("usage");
        }
        return chunk.build();
    }

    private static JsonObject textUsage(int n) {
        int completion = TEXT_DELTAS.size() * n;
        return JSON.createObjectBuilder()
                .add("prompt_tokens", PROMPT_TOKENS)
                .add("completion_tokens", completion)
                .add("total_tokens", PROMPT_TOKENS + completion)
                .build();
    }

    // ---------------------------------------------------------------- responses

    /**
     * {@code POST /v1/responses}: a completed {@code response} with one assistant message whose
     * {@code output_text} is {@link #TEXT}, or its event stream. {@code instructions},
     * {@code previous_response_id}, {@code max_output_tokens}, {@code temperature}, {@code top_p},
     * {@code store} and {@code metadata} are echoed.
     *
     * @param request the request
     * @return the reply
     */
    public static Reply responses(RecordedRequest request) {
        JsonObject body = parse(request);
        if (body == null) {
            return invalidJson();
        }
        String model = string(body, "model");
        if (model == null) {
            return missingModel();
        }
        long sequence = nextId();
        String id = "resp_" + sequence;
        String messageId = "msg_" + sequence;
        long createdAt = Instant.now().getEpochSecond();
        JsonObject part = outputText(TEXT);
        JsonObject message = message(messageId, "completed", JSON.createArrayBuilder().add(part).build());
        JsonObject completed = response(body, id, model, createdAt, "completed",
                JSON.createArrayBuilder().add(message).build(), responsesUsage());
        if (!bool(body, "stream")) {
            return Reply.json(200, completed);
        }
        JsonObject inProgress = response(body, id, model, createdAt, "in_progress", JsonValue.EMPTY_JSON_ARRAY,
                JsonValue.NULL);
        List<SseFrame> frames = new ArrayList<>();
        int[] seq = {0};
        frames.add(typed("response.created", seq).add("response", inProgress).build());
        frames.add(typed("response.in_progress", seq).add("response", inProgress).build());
        frames.add(typed("response.output_item.added", seq)
                .add("output_index", 0)
                .add("item", message(messageId, "in_progress", JsonValue.EMPTY_JSON_ARRAY))
                .build());
        frames.add(typed("response.content_part.added", seq)
                .add("item_id", messageId)
                .add("output_index", 0)
                .add("content_index", 0)
                .add("part", outputText(""))
                .build());
        for (String delta : TEXT_DELTAS) {
            frames.add(typed("response.output_text.delta", seq)
                    .add("item_id", messageId)
                    .add("output_index", 0)
                    .add("content_index", 0)
                    .add("delta", delta)
                    .add("logprobs", JSON.createArrayBuilder())
                    .build());
        }
        frames.add(typed("response.output_text.done", seq)
                .add("item_id", messageId)
                .add("output_index", 0)
                .add("content_index", 0)
                .add("text", TEXT)
                .add("logprobs", JSON.createArrayBuilder())
                .build());
        frames.add(typed("response.content_part.done", seq)
                .add("item_id", messageId)
                .add("output_index", 0)
                .add("content_index", 0)
                .add("part", part)
                .build());
        frames.add(typed("response.output_item.done", seq)
                .add("output_index", 0)
                .add("item", message)
                .build());
        frames.add(typed("response.completed", seq).add("response", completed).build());
        return Reply.sse(frames);
    }

    /** Starts an event object with its type and sequence number; {@code build()} yields a frame. */
    private static EventBuilder typed(String type, int[] sequence) {
        return new EventBuilder(type, sequence[0]++);
    }

    private static final class EventBuilder {
        private final String type;
        private final JsonObjectBuilder builder;

        EventBuilder(String type, int sequenceNumber) {
            this.type = type;
            this.builder = JSON.createObjectBuilder().add("type", type).add("sequence_number", sequenceNumber);
        }

        EventBuilder add(String name, JsonValue value) {
            builder.add(name, value);
            return this;
        }

        EventBuilder add(String name, JsonArrayBuilder value) {
            builder.add(name, value);
            return this;
        }

        EventBuilder add(String name, String value) {
            builder.add(name, value);
            return this;
        }

        EventBuilder add(String name, int value) {
            builder.add(name, value);
            return this;
        }

        SseFrame build() {
            return SseFrame.event(type, builder.build().toString());
        }
    }

    private static JsonObject outputText(String text) {
        return JSON.createObjectBuilder()
                .add("type", "output_text")
                .add("annotations", JSON.createArrayBuilder())
                .add("logprobs", JSON.createArrayBuilder())
                .add("text", text)
                .build();
    }

    private static JsonObject message(String id, String status, JsonArray content) {
        return JSON.createObjectBuilder()
                .add("id", id)
                .add("type", "message")
                .add("status", status)
                .add("content", content)
                .add("role", "assistant")
                .build();
    }

    private static JsonObject response(JsonObject request, String id, String model, long createdAt, String status,
                                       JsonArray output, JsonValue usage) {
        return JSON.createObjectBuilder()
                .add("id", id)
                .add("object", "response")
                .add("created_at", createdAt)
                .add("status", status)
                .add("background", false)
                .addNull("error")
                .addNull("incomplete_details")
                .add("instructions", echo(request, "instructions"))
                .add("max_output_tokens", echo(request, "max_output_tokens"))
                .add("model", model)
                .add("output", output)
                .add("parallel_tool_calls", request.getBoolean("parallel_tool_calls", true))
                .add("previous_response_id", echo(request, "previous_response_id"))
                .add("reasoning", JSON.createObjectBuilder().addNull("effort").addNull("summary"))
                .add("service_tier", "default")
                .add("store", request.getBoolean("store", true))
                .add("temperature", echo(request, "temperature", JSON.createValue(1.0)))
                .add("text", JSON.createObjectBuilder()
                        .add("format", JSON.createObjectBuilder().add("type", "text")))
                .add("tool_choice", "auto")
                .add("tools", JSON.createArrayBuilder())
                .add("top_p", echo(request, "top_p", JSON.createValue(1.0)))
                .add("truncation", "disabled")
                .add("usage", usage)
                .addNull("user")
                .add("metadata", echo(request, "metadata", JsonValue.EMPTY_JSON_OBJECT))
                .build();
    }

    private static JsonObject responsesUsage() {
        int output = TEXT_DELTAS.size();
        return JSON.createObjectBuilder()
                .add("input_tokens", PROMPT_TOKENS)
                .add("input_tokens_details", JSON.createObjectBuilder().add("cached_tokens", 0))
                .add("output_tokens", output)
                .add("output_tokens_details", JSON.createObjectBuilder().add("reasoning_tokens", 0))
                .add("total_tokens", PROMPT_TOKENS + output)
                .build();
    }

    // ---------------------------------------------------------------- embeddings

    /**
     * {@code POST /v1/embeddings}: one embedding per input (a string or a token array is one input;
     * an array of strings or of token arrays is one per element), {@code dimensions} long (default
     * {@link #EMBEDDING_DIMENSIONS}), with values {@link #embeddingValue(int, int)}. With
     * {@code encoding_format: "base64"} each embedding is the base64 of its little-endian float32
     * values.
     *
     * @param request the request
     * @return the reply
     */
    public static Reply embeddings(RecordedRequest request) {
        JsonObject body = parse(request);
        if (body == null) {
            return invalidJson();
        }
        String model = string(body, "model");
        if (model == null) {
            return missingModel();
        }
        JsonValue input = body.get("input");
        if (input == null || input.getValueType() == JsonValue.ValueType.NULL) {
            return missing("input");
        }
        int count = inputCount(input);
        if (count < 0) {
            return Reply.error(400, "invalid_request_error", null,
                    "'input' must be a string, an array of strings, an array of tokens or an array of token arrays");
        }
        int dimensions = intValue(body, "dimensions", EMBEDDING_DIMENSIONS);
        boolean base64 = "base64".equals(string(body, "encoding_format"));
        JsonArrayBuilder data = JSON.createArrayBuilder();
        for (int i = 0; i < count; i++) {
            JsonObjectBuilder item = JSON.createObjectBuilder().add("object", "embedding").add("index", i);
            if (base64) {
                item.add("embedding", embeddingBase64(i, dimensions));
            } else {
                JsonArrayBuilder vector = JSON.createArrayBuilder();
                for (int d = 0; d < dimensions; d++) {
                    vector.add(new BigDecimal(Float.toString(embeddingValue(i, d))));
                }
                item.add("embedding", vector);
            }
            data.add(item);
        }
        return Reply.json(200, JSON.createObjectBuilder()
                .add("object", "list")
                .add("data", data)
                .add("model", model)
                .add("usage", JSON.createObjectBuilder()
                        .add("prompt_tokens", PROMPT_TOKENS)
                        .add("total_tokens", PROMPT_TOKENS))
                .build());
    }

    /**
     * The value at one position of one returned embedding: {@code (input + 1) / 10 + (dimension + 1) / 1000}.
     *
     * @param input     the input index
     * @param dimension the position in the vector
     * @return the float value
     */
    public static float embeddingValue(int input, int dimension) {
        return (input + 1) / 10f + (dimension + 1) / 1000f;
    }

    private static String embeddingBase64(int input, int dimensions) {
        ByteBuffer buffer = ByteBuffer.allocate(dimensions * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int d = 0; d < dimensions; d++) {
            buffer.putFloat(embeddingValue(input, d));
        }
        return Base64.getEncoder().encodeToString(buffer.array());
    }

    private static int inputCount(JsonValue input) {
        switch (input.getValueType()) {
            case STRING:
                return 1;
            case ARRAY:
                JsonArray array = input.asJsonArray();
                if (array.isEmpty()) {
                    return -1;
                }
                JsonValue.ValueType first = array.get(0).getValueType();
                if (first == JsonValue.ValueType.NUMBER) {
                    return 1;
                }
                if (first == JsonValue.ValueType.STRING || first == JsonValue.ValueType.ARRAY) {
                    return array.size();
                }
                return -1;
            default:
                return -1;
        }
    }

    // ---------------------------------------------------------------- images

    /**
     * {@code POST /v1/images/generations}: {@code n} images (default 1). GPT image models (names
     * starting with {@code gpt-image}) answer {@code b64_json} plus {@code background},
     * {@code output_format}, {@code quality}, {@code size} and {@code usage}; DALL·E models answer a
     * {@code url} unless {@code response_format} is {@code b64_json}. The model defaults to
     * {@code dall-e-2}. When streaming: {@code partial_images} (default 1) partial-image events,
     * then the completed event with usage.
     *
     * @param request the request
     * @return the reply
     */
    public static Reply imageGenerations(RecordedRequest request) {
        JsonObject body = parse(request);
        if (body == null) {
            return invalidJson();
        }
        if (string(body, "prompt") == null) {
            return missing("prompt");
        }
        String model = body.containsKey("model") && !body.isNull("model") ? string(body, "model") : "dall-e-2";
        if (model == null) {
            return missingModel();
        }
        long created = Instant.now().getEpochSecond();
        String size = stringOr(body, "size", "1024x1024");
        String quality = stringOr(body, "quality", "high");
        String background = stringOr(body, "background", "opaque");
        String outputFormat = stringOr(body, "output_format", "png");
        if (bool(body, "stream")) {
            int partials = Math.min(3, intValue(body, "partial_images", 1, 0));
            List<SseFrame> frames = new ArrayList<>();
            for (int i = 0; i < partials; i++) {
                frames.add(SseFrame.typed(imageEvent("image_generation.partial_image", created, size, quality,
                        background, outputFormat).add("partial_image_index", i).build()));
            }
            frames.add(SseFrame.typed(imageEvent("image_generation.completed", created, size, quality, background,
                    outputFormat).add("usage", imageUsage(1)).build()));
            return Reply.sse(frames);
        }
        int n = intValue(body, "n", 1);
        boolean gptImage = model.toLowerCase(Locale.ROOT).startsWith("gpt-image");
        boolean url = !gptImage && !"b64_json".equals(string(body, "response_format"));
        JsonArrayBuilder data = JSON.createArrayBuilder();
        for (int i = 0; i < n; i++) {
            JsonObjectBuilder image = JSON.createObjectBuilder();
            if (url) {
                image.add("url", "https://fake-upstream.invalid/images/img-" + nextId() + ".png");
            } else {
                image.add("b64_json", IMAGE_B64);
            }
            if (model.equals("dall-e-3")) {
                image.add("revised_prompt", string(body, "prompt"));
            }
            data.add(image);
        }
        JsonObjectBuilder result = JSON.createObjectBuilder().add("created", created);
        if (gptImage) {
            result.add("background", background);
        }
        result.add("data", data);
        if (gptImage) {
            result.add("output_format", outputFormat)
                    .add("quality", quality)
                    .add("size", size)
                    .add("usage", imageUsage(n));
        }
        return Reply.json(200, result.build());
    }

    private static JsonObjectBuilder imageEvent(String type, long createdAt, String size, String quality,
                                                String background, String outputFormat) {
        return JSON.createObjectBuilder()
                .add("type", type)
                .add("b64_json", IMAGE_B64)
                .add("created_at", createdAt)
                .add("size", size)
                .add("quality", quality)
                .add("background", background)
                .add("output_format", outputFormat);
    }

    private static JsonObject imageUsage(int images) {
        int output = IMAGE_OUTPUT_TOKENS * images;
        return JSON.createObjectBuilder()
                .add("total_tokens", PROMPT_TOKENS + output)
                .add("input_tokens", PROMPT_TOKENS)
                .add("output_tokens", output)
                .add("input_tokens_details", JSON.createObjectBuilder()
                        .add("text_tokens", PROMPT_TOKENS)
                        .add("image_tokens", 0))
                .build();
    }

    // ---------------------------------------------------------------- models

    /**
     * {@code GET /v1/models}: a {@code list} of {@link #MODELS}.
     *
     * @param request the request (not inspected)
     * @return the reply
     */
    public static Reply models(RecordedRequest request) {
        JsonArrayBuilder data = JSON.createArrayBuilder();
        for (String model : MODELS) {
            data.add(JSON.createObjectBuilder()
                    .add("id", model)
                    .add("object", "model")
                    .add("created", 1_686_935_002L)
                    .add("owned_by", model.startsWith("gpt-") ? "openai" : "system"));
        }
        return Reply.json(200, JSON.createObjectBuilder().add("object", "list").add("data", data).build());
    }

    // ---------------------------------------------------------------- helpers

    private static long nextId() {
        return IDS.incrementAndGet();
    }

    private static JsonObject parse(RecordedRequest request) {
        try {
            return request.bodyJson();
        } catch (IllegalStateException e) {
            return null;
        }
    }

    private static Reply invalidJson() {
        return Reply.error(400, "invalid_request_error", null,
                "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your "
                        + "HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not "
                        + "valid JSON.)");
    }

    private static Reply missingModel() {
        return Reply.error(400, "invalid_request_error", null, "you must provide a model parameter");
    }

    private static Reply missing(String parameter) {
        return Reply.json(400, JSON.createObjectBuilder()
                .add("error", JSON.createObjectBuilder()
                        .add("message", "Missing required parameter: '" + parameter + "'.")
                        .add("type", "invalid_request_error")
                        .add("param", parameter)
                        .add("code", "missing_required_parameter"))
                .build());
    }

    private static String string(JsonObject object, String name) {
        JsonValue value = object.get(name);
        return value instanceof JsonString string ? string.getString() : null;
    }

    private static String stringOr(JsonObject object, String name, String fallback) {
        String value = string(object, name);
        return value == null || value.equals("auto") ? fallback : value;
    }

    private static boolean bool(JsonObject object, String name) {
        return object.get(name) == JsonValue.TRUE;
    }

    private static int intValue(JsonObject object, String name, int fallback) {
        return intValue(object, name, fallback, 1);
    }

    private static int intValue(JsonObject object, String name, int fallback, int minimum) {
        JsonValue value = object.get(name);
        if (value instanceof JsonNumber number && number.isIntegral() && number.intValue() >= minimum) {
            return number.intValue();
        }
        return fallback;
    }

    private static boolean includeUsage(JsonObject body) {
        JsonValue options = body.get("stream_options");
        return options instanceof JsonObject object && object.get("include_usage") == JsonValue.TRUE;
    }

    private static JsonValue echo(JsonObject request, String name) {
        return echo(request, name, JsonValue.NULL);
    }

    private static JsonValue echo(JsonObject request, String name, JsonValue fallback) {
        JsonValue value = request.get(name);
        return value == null ? fallback : value;
    }

    private static void nullable(JsonObjectBuilder builder, String name, String value) {
        if (value == null) {
            builder.addNull(name);
        } else {
            builder.add(name, value);
        }
    }
}
