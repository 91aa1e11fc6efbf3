package io.gateway.testkit.http;

import io.gateway.spi.JsonBodies;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The answers of OpenAI's audio, image-edit and moderation routes, as {@link OpenAiPreset} gives those
 * of the JSON routes: fixed, deterministic, and behind the checks the real API makes on what it is
 * sent — multipart forms parsed strictly ({@link MultipartParts}), the parts each route requires, the
 * file formats it accepts, PNG images and masks of the same size.
 *
 * <ul>
 *   <li>{@code POST /v1/audio/speech}: {@link #speechAudio} bytes with the format's content type, sent
 *       chunked as OpenAI streams them; with {@code "stream_format": "sse"} {@code speech.audio.delta}
 *       events and a {@code speech.audio.done} with usage.</li>
 *   <li>{@code POST /v1/audio/transcriptions} and {@code translations}: {@link #TRANSCRIPT} (or
 *       {@link #TRANSLATION}) in the requested {@code response_format}: {@code json}, {@code text},
 *       {@code srt}, {@code verbose_json}, {@code vtt}; a WAV upload's duration is read from its
 *       header. With {@code stream=true} (not for {@code whisper-1}) {@code transcript.text.delta}
 *       events and a {@code transcript.text.done}.</li>
 *   <li>{@code POST /v1/images/edits} and {@code variations}: a {@code data} array of {@code n} 1×1
 *       PNGs.</li>
 *   <li>{@code POST /v1/moderations}: one unflagged result per input.</li>
 * </ul>
 * Stateless and thread-safe.
 */
public final class OpenAiMediaPreset {

    /** What every transcription says. */
    public static final String TRANSCRIPT = "Hello from the fake transcription.";
    /** What every translation says. */
    public static final String TRANSLATION = "Hello from the fake translation.";
    /** The audio formats {@code audio/speech} makes. */
    public static final List<String> SPEECH_FORMATS = List.of("mp3", "opus", "aac", "flac", "wav", "pcm");
    /** The upload formats transcriptions accept, by file extension. */
    public static final Set<String> AUDIO_EXTENSIONS = Set.of("flac", "mp3", "mp4", "mpeg", "mpga", "m4a", "ogg",
            "wav", "webm");
    /** The voices {@code audio/speech} knows. */
    public static final Set<String> VOICES = Set.of("alloy", "ash", "ballad", "coral", "echo", "fable", "onyx", "nova",
            "sage", "shimmer", "verse");

    private static final JsonProvider JSON = JsonBodies.provider();
    private static final AtomicLong IDS = new AtomicLong();
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private OpenAiMediaPreset() {
    }

    // ---------------------------------------------------------------- speech

    /**
     * {@code POST /v1/audio/speech}.
     *
     * @param request the request
     * @return the audio, its events, or a 400 naming the parameter
     */
    public static Reply speech(RecordedRequest request) {
        JsonObject body;
        try {
            body = request.bodyJson();
        } catch (IllegalStateException e) {
            return invalid(null, null, "We could not parse the JSON body of your request.");
        }
        String model = string(body, "model");
        if (model == null) {
            return invalid("model", "missing_required_parameter", "you must provide a model parameter");
        }
        String input = string(body, "input");
        if (input == null) {
            return invalid("input", "missing_required_parameter", "Missing required parameter: 'input'.");
        }
        if (input.length() > 4096) {
            return invalid("input", "string_above_max_length", "Invalid 'input': string too long. Expected a string"
                    + " with maximum length 4096, but got a string with length " + input.length() + " instead.");
        }
        String voice = string(body, "voice");
        if (voice == null || !VOICES.contains(voice)) {
            return invalid("voice", "invalid_value", "Invalid value for 'voice': '" + voice + "'. Supported values"
                    + " are: " + VOICES.stream().sorted().toList());
        }
        String format = body.containsKey("response_format") ? string(body, "response_format") : "mp3";
        if (format == null || !SPEECH_FORMATS.contains(format)) {
            return invalid("response_format", "invalid_value", "Invalid value for 'response_format': '" + format
                    + "'. Supported values are: " + SPEECH_FORMATS);
        }
        String streamFormat = body.containsKey("stream_format") ? string(body, "stream_format") : "audio";
        byte[] audio = speechAudio(input, voice, format);
        if ("sse".equals(streamFormat)) {
            if (model.equals("tts-1") || model.equals("tts-1-hd")) {
                return invalid("stream_format", "unsupported_value", "Unsupported value: 'stream_format' does not "
                        + "support 'sse' with this model.");
            }
            List<SseFrame> frames = new ArrayList<>();
            int piece = Math.max(1, (audio.length + 3) / 4);
            for (int at = 0; at < audio.length; at += piece) {
                byte[] part = java.util.Arrays.copyOfRange(audio, at, Math.min(audio.length, at + piece));
                frames.add(SseFrame.data(JSON.createObjectBuilder().add("type", "speech.audio.delta")
                        .add("audio", Base64.getEncoder().encodeToString(part)).build()));
            }
            int tokens = words(input);
            frames.add(SseFrame.data(JSON.createObjectBuilder().add("type", "speech.audio.done")
                    .add("usage", JSON.createObjectBuilder().add("input_tokens", tokens)
                            .add("output_tokens", audio.length / 100).add("total_tokens", tokens + audio.length / 100))
                    .build()));
            return Reply.sse(frames);
        }
        List<Reply.Chunk> chunks = new ArrayList<>();
        int piece = Math.max(1, (audio.length + 3) / 4);
        for (int at = 0; at < audio.length; at += piece) {
            chunks.add(Reply.Chunk.of(java.util.Arrays.copyOfRange(audio, at, Math.min(audio.length, at + piece))));
        }
        return Reply.chunked(200, speechContentType(format), chunks);
    }

    /**
     * The audio {@code audio/speech} answers: the same bytes for the same text, voice and format. A WAV
     * (and raw PCM) is 24 kHz 16-bit mono, a tone whose pitch depends on the voice, 0.2 s per word;
     * the compressed formats are the format's signature followed by deterministic bytes of a length
     * proportional to the text.
     *
     * @param input  the text
     * @param voice  the voice
     * @param format {@code mp3}, {@code opus}, {@code aac}, {@code flac}, {@code wav} or {@code pcm}
     * @return the bytes
     */
    public static byte[] speechAudio(String input, String voice, String format) {
        int samples = 24_000 / 5 * Math.max(1, words(input));
        double pitch = 220 + Math.floorMod(voice.hashCode(), 440);
        ByteBuffer pcm = ByteBuffer.allocate(samples * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < samples; i++) {
            pcm.putShort((short) (Math.sin(2 * Math.PI * pitch * i / 24_000) * 8000));
        }
        byte[] raw = pcm.array();
        return switch (format) {
            case "pcm" -> raw;
            case "wav" -> wav(raw, 24_000);
            default -> {
                byte[] magic = switch (format) {
                    case "mp3" -> new byte[] {'I', 'D', '3', 4, 0, 0, 0, 0, 0, 0};
                    case "flac" -> new byte[] {'f', 'L', 'a', 'C'};
                    case "opus" -> new byte[] {'O', 'g', 'g', 'S'};
                    default -> new byte[] {(byte) 0xff, (byte) 0xf1};
                };
                byte[] out = new byte[magic.length + raw.length / 8];
                System.arraycopy(magic, 0, out, 0, magic.length);
                long seed = (input + "|" + voice + "|" + format).hashCode();
                for (int i = magic.length; i < out.length; i++) {
                    seed = seed * 6364136223846793005L + 1442695040888963407L;
                    out[i] = (byte) (seed >>> 56);
                }
                yield out;
            }
        };
    }

    /**
     * The content type OpenAI answers a speech format with.
     *
     * @param format the format
     * @return e.g. {@code audio/mpeg}
     */
    public static String speechContentType(String format) {
        return switch (format) {
            case "mp3" -> "audio/mpeg";
            case "opus" -> "audio/opus";
            case "aac" -> "audio/aac";
            case "flac" -> "audio/flac";
            case "wav" -> "audio/wav";
            default -> "audio/pcm";
        };
    }

    /**
     * A WAV file of 16-bit mono PCM.
     *
     * @param pcm        the samples, little-endian
     * @param sampleRate samples per second
     * @return the file's bytes
     */
    public static byte[] wav(byte[] pcm, int sampleRate) {
        ByteBuffer out = ByteBuffer.allocate(44 + pcm.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + pcm.length)
                .put("WAVE".getBytes(StandardCharsets.US_ASCII))
                .put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1).putShort((short) 1)
                .putInt(sampleRate).putInt(sampleRate * 2).putShort((short) 2).putShort((short) 16)
                .put("data".getBytes(StandardCharsets.US_ASCII)).putInt(pcm.length).put(pcm);
        return out.array();
    }

    // ---------------------------------------------------------------- transcriptions

    /**
     * {@code POST /v1/audio/transcriptions}.
     *
     * @param request the request
     * @return the transcript in the requested format, its events, or a 400 naming the problem
     */
    public static Reply transcriptions(RecordedRequest request) {
        return audio(request, true);
    }

    /**
     * {@code POST /v1/audio/translations} (into English; {@code whisper-1} only, no streams).
     *
     * @param request the request
     * @return the translation in the requested format, or a 400 naming the problem
     */
    public static Reply translations(RecordedRequest request) {
        return audio(request, false);
    }

    private static Reply audio(RecordedRequest request, boolean transcribe) {
        MultipartParts form;
        try {
            form = form(request);
        } catch (MultipartParts.Malformed e) {
            return invalid(null, null, e.getMessage());
        }
        MultipartParts.Part file = form.part("file").orElse(null);
        if (file == null || !file.isFile()) {
            return invalid("file", null, "1 validation error for Request\nbody -> file\n  field required");
        }
        String model = form.text("model");
        if (model == null || model.isBlank()) {
            return invalid("model", null, "you must provide a model parameter");
        }
        String name = file.filename().toLowerCase(Locale.ROOT);
        String extension = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1) : "";
        if (!AUDIO_EXTENSIONS.contains(extension)) {
            return invalid("file", "invalid_value", "Invalid file format. Supported formats: "
                    + AUDIO_EXTENSIONS.stream().sorted().toList());
        }
        if (extension.equals("wav") && wavSeconds(file.data()) < 0) {
            return invalid("file", "invalid_value", "Audio file might be corrupted or unsupported");
        }
        String format = form.text("response_format") == null ? "json" : form.text("response_format");
        if (!List.of("json", "text", "srt", "verbose_json", "vtt").contains(format)) {
            return invalid("response_format", "invalid_value", "Invalid value for 'response_format': '" + format
                    + "'.");
        }
        boolean whisper = model.startsWith("whisper");
        if (!transcribe && !whisper) {
            return invalid("model", "invalid_value", "translations are only available for whisper-1");
        }
        if (!whisper && (format.equals("srt") || format.equals("vtt") || format.equals("verbose_json"))) {
            return invalid("response_format", "unsupported_value", "response_format '" + format
                    + "' is not compatible with model '" + model + "'. Use 'json' or 'text'.");
        }
        String text = transcribe ? TRANSCRIPT : TRANSLATION;
        double seconds = wavSeconds(file.data());
        if (seconds < 0) {
            seconds = Math.max(1, file.data().length / 16_000.0);
        }
        boolean stream = "true".equalsIgnoreCase(form.text("stream"));
        if (stream) {
            if (whisper || !transcribe) {
                return invalid("stream", "unsupported_value", "Streaming is not supported for the model '" + model
                        + "'.");
            }
            List<SseFrame> frames = new ArrayList<>();
            for (String delta : OpenAiPreset.TEXT_DELTAS) {
                frames.add(SseFrame.data(JSON.createObjectBuilder().add("type", "transcript.text.delta")
                        .add("delta", delta).build()));
            }
            frames.add(SseFrame.data(JSON.createObjectBuilder().add("type", "transcript.text.done")
                    .add("text", String.join("", OpenAiPreset.TEXT_DELTAS)).add("usage", tokenUsage(seconds))
                    .build()));
            return Reply.sse(frames);
        }
        String end = timestamp(seconds, ',');
        return switch (format) {
            case "text" -> Reply.text(200, text + "\n");
            case "srt" -> Reply.of(200, "text/plain; charset=utf-8", ("1\n00:00:00,000 --> " + end + "\n" + text
                    + "\n\n").getBytes(StandardCharsets.UTF_8));
            case "vtt" -> Reply.of(200, "text/plain; charset=utf-8", ("WEBVTT\n\n00:00:00.000 --> "
                    + timestamp(seconds, '.') + "\n" + text + "\n\n").getBytes(StandardCharsets.UTF_8));
            case "verbose_json" -> {
                JsonObjectBuilder verbose = JSON.createObjectBuilder()
                        .add("task", transcribe ? "transcribe" : "translate")
                        .add("language", "english")
                        .add("duration", seconds)
                        .add("text", text)
                        .add("segments", JSON.createArrayBuilder().add(JSON.createObjectBuilder()
                                .add("id", 0).add("seek", 0).add("start", 0.0).add("end", seconds).add("text", text)
                                .add("tokens", JSON.createArrayBuilder().add(50364).add(2425))
                                .add("temperature", 0.0).add("avg_logprob", -0.2).add("compression_ratio", 0.9)
                                .add("no_speech_prob", 0.01)));
                if (form.all("timestamp_granularities[]").stream().anyMatch(part -> part.text().equals("word"))) {
                    JsonArrayBuilder words = JSON.createArrayBuilder();
                    String[] split = text.split(" ");
                    for (int i = 0; i < split.length; i++) {
                        words.add(JSON.createObjectBuilder().add("word", split[i])
                                .add("start", seconds * i / split.length).add("end", seconds * (i + 1) / split.length));
                    }
                    verbose.add("words", words);
                }
                verbose.add("usage", JSON.createObjectBuilder().add("type", "duration").add("seconds",
                        Math.ceil(seconds)));
                yield Reply.json(200, verbose.build());
            }
            default -> Reply.json(200, JSON.createObjectBuilder().add("text", text)
                    .add("usage", whisper ? JSON.createObjectBuilder().add("type", "duration")
                            .add("seconds", Math.ceil(seconds)).build() : tokenUsage(seconds)).build());
        };
    }

    private static JsonObject tokenUsage(double seconds) {
        int audio = (int) Math.ceil(seconds * 10);
        int output = OpenAiPreset.TEXT_DELTAS.size();
        return JSON.createObjectBuilder().add("type", "tokens").add("input_tokens", audio)
                .add("input_token_details", JSON.createObjectBuilder().add("text_tokens", 0).add("audio_tokens", audio))
                .add("output_tokens", output).add("total_tokens", audio + output).build();
    }

    private static String timestamp(double seconds, char separator) {
        long millis = Math.round(seconds * 1000);
        return String.format(Locale.ROOT, "%02d:%02d:%02d%c%03d", millis / 3_600_000, millis / 60_000 % 60,
                millis / 1000 % 60, separator, millis % 1000);
    }

    /**
     * The length of a WAV file from its header.
     *
     * @param wav the file's bytes
     * @return seconds, or -1 when it is not a WAV file
     */
    public static double wavSeconds(byte[] wav) {
        if (wav.length < 44 || wav[0] != 'R' || wav[1] != 'I' || wav[2] != 'F' || wav[3] != 'F' || wav[8] != 'W') {
            return -1;
        }
        ByteBuffer buffer = ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN);
        int at = 12;
        int byteRate = -1;
        while (at + 8 <= wav.length) {
            String id = new String(wav, at, 4, StandardCharsets.US_ASCII);
            long size = buffer.getInt(at + 4) & 0xffffffffL;
            if (id.equals("fmt ") && at + 20 <= wav.length) {
                byteRate = buffer.getInt(at + 16);
            } else if (id.equals("data")) {
                return byteRate <= 0 ? -1 : Math.min(size, wav.length - at - 8) / (double) byteRate;
            }
            at += 8 + (int) size + (int) (size & 1);
        }
        return -1;
    }

    // ---------------------------------------------------------------- images

    /**
     * {@code POST /v1/images/edits}: one or more PNG images ({@code image}, or {@code image[]} for
     * {@code gpt-image-1}), an optional PNG {@code mask} of the first image's size, a {@code prompt}.
     *
     * @param request the request
     * @return {@code n} images, or a 400 naming the problem
     */
    public static Reply imageEdits(RecordedRequest request) {
        MultipartParts form;
        try {
            form = form(request);
        } catch (MultipartParts.Malformed e) {
            return invalid(null, null, e.getMessage());
        }
        String model = form.text("model") == null ? "dall-e-2" : form.text("model");
        List<MultipartParts.Part> images = new ArrayList<>(form.all("image"));
        images.addAll(form.all("image[]"));
        if (images.isEmpty() || images.stream().anyMatch(part -> !part.isFile())) {
            return invalid("image", "missing_required_parameter", "Missing required parameter: 'image'.");
        }
        if (images.size() > 1 && !model.startsWith("gpt-image")) {
            return invalid("image", "invalid_value", "Only one image may be edited with " + model + ".");
        }
        if (form.text("prompt") == null || form.text("prompt").isBlank()) {
            return invalid("prompt", "missing_required_parameter", "Missing required parameter: 'prompt'.");
        }
        int[] size = pngSize(images.get(0).data());
        if (size == null) {
            return invalid("image", "invalid_image_format", "Invalid input image - format must be PNG.");
        }
        MultipartParts.Part mask = form.part("mask").orElse(null);
        if (mask != null) {
            int[] maskSize = pngSize(mask.data());
            if (maskSize == null) {
                return invalid("mask", "invalid_image_format", "Invalid mask image - format must be PNG.");
            }
            if (maskSize[0] != size[0] || maskSize[1] != size[1]) {
                return invalid("mask", "invalid_image_dimensions", "Invalid mask image - the mask must have the same"
                        + " dimensions as the image (" + size[0] + "x" + size[1] + "), got " + maskSize[0] + "x"
                        + maskSize[1] + ".");
            }
        }
        return images(form, model);
    }

    /**
     * {@code POST /v1/images/variations}: one square PNG {@code image}.
     *
     * @param request the request
     * @return {@code n} images, or a 400 naming the problem
     */
    public static Reply imageVariations(RecordedRequest request) {
        MultipartParts form;
        try {
            form = form(request);
        } catch (MultipartParts.Malformed e) {
            return invalid(null, null, e.getMessage());
        }
        MultipartParts.Part image = form.part("image").orElse(null);
        if (image == null || !image.isFile()) {
            return invalid("image", "missing_required_parameter", "Missing required parameter: 'image'.");
        }
        int[] size = pngSize(image.data());
        if (size == null || size[0] != size[1]) {
            return invalid("image", "invalid_image_format", "Invalid input image - format must be a square PNG.");
        }
        return images(form, form.text("model") == null ? "dall-e-2" : form.text("model"));
    }

    private static Reply images(MultipartParts form, String model) {
        int n = 1;
        if (form.text("n") != null) {
            try {
                n = Integer.parseInt(form.text("n").trim());
            } catch (NumberFormatException e) {
                return invalid("n", "invalid_type", "Invalid type for 'n': expected an integer.");
            }
            if (n < 1 || n > 10) {
                return invalid("n", "integer_out_of_range", "Invalid 'n': integer out of range 1..10.");
            }
        }
        boolean url = !model.startsWith("gpt-image") && !"b64_json".equals(form.text("response_format"));
        JsonArrayBuilder data = JSON.createArrayBuilder();
        for (int i = 0; i < n; i++) {
            data.add(url ? JSON.createObjectBuilder().add("url", "https://fake-upstream.invalid/images/edit-"
                    + IDS.incrementAndGet() + ".png") : JSON.createObjectBuilder().add("b64_json", OpenAiPreset.IMAGE_B64));
        }
        JsonObjectBuilder answer = JSON.createObjectBuilder().add("created", Instant.now().getEpochSecond())
                .add("data", data);
        if (model.startsWith("gpt-image")) {
            int output = OpenAiPreset.IMAGE_OUTPUT_TOKENS * n;
            answer.add("usage", JSON.createObjectBuilder().add("total_tokens", OpenAiPreset.PROMPT_TOKENS + output)
                    .add("input_tokens", OpenAiPreset.PROMPT_TOKENS).add("output_tokens", output));
        }
        return Reply.json(200, answer.build());
    }

    /**
     * The width and height of a PNG from its header.
     *
     * @param png the bytes
     * @return {width, height}, or {@code null} when it is not a PNG
     */
    public static int[] pngSize(byte[] png) {
        if (png.length < 24) {
            return null;
        }
        for (int i = 0; i < PNG_SIGNATURE.length; i++) {
            if (png[i] != PNG_SIGNATURE[i]) {
                return null;
            }
        }
        ByteBuffer buffer = ByteBuffer.wrap(png);
        return new int[] {buffer.getInt(16), buffer.getInt(20)};
    }

    // ---------------------------------------------------------------- moderations

    /**
     * {@code POST /v1/moderations}: one unflagged result per input (a string, or each item of an array).
     *
     * @param request the request
     * @return the moderation, or a 400
     */
    public static Reply moderations(RecordedRequest request) {
        JsonObject body;
        try {
            body = request.bodyJson();
        } catch (IllegalStateException e) {
            return invalid(null, null, "We could not parse the JSON body of your request.");
        }
        JsonValue input = body.get("input");
        if (input == null) {
            return invalid("input", "missing_required_parameter", "Missing required parameter: 'input'.");
        }
        int count = input instanceof jakarta.json.JsonArray array ? array.size() : 1;
        JsonArrayBuilder results = JSON.createArrayBuilder();
        for (int i = 0; i < count; i++) {
            JsonObjectBuilder categories = JSON.createObjectBuilder();
            JsonObjectBuilder scores = JSON.createObjectBuilder();
            for (String category : List.of("harassment", "hate", "self-harm", "sexual", "violence")) {
                categories.add(category, false);
                scores.add(category, 0.0001);
            }
            results.add(JSON.createObjectBuilder().add("flagged", false).add("categories", categories)
                    .add("category_scores", scores));
        }
        String model = string(body, "model") == null ? "omni-moderation-latest" : string(body, "model");
        return Reply.json(200, JSON.createObjectBuilder().add("id", "modr-" + IDS.incrementAndGet())
                .add("model", model).add("results", results).build());
    }

    // ---------------------------------------------------------------- helpers

    static MultipartParts form(RecordedRequest request) {
        return MultipartParts.parse(request.header("content-type"), request.body());
    }

    static Reply invalid(String param, String code, String message) {
        JsonObjectBuilder error = JSON.createObjectBuilder().add("message", message)
                .add("type", "invalid_request_error");
        if (param == null) {
            error.addNull("param");
        } else {
            error.add("param", param);
        }
        if (code == null) {
            error.addNull("code");
        } else {
            error.add("code", code);
        }
        return Reply.json(400, JSON.createObjectBuilder().add("error", error).build());
    }

    private static String string(JsonObject object, String name) {
        return object.get(name) instanceof JsonString text ? text.getString() : null;
    }

    private static int words(String text) {
        String trimmed = text.trim();
        return trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
    }

    static double number(JsonValue value, double fallback) {
        return value instanceof JsonNumber number ? number.doubleValue() : fallback;
    }
}
