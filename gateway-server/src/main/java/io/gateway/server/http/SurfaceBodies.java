package io.gateway.server.http;

import io.gateway.spi.GatewayException;
import io.gateway.spi.MultipartForm;
import io.gateway.spi.Operation;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Checks the request bodies of the audio, image-edit, file, batch and moderation routes: the fields
 * and parts the gateway needs (the model, the file) and those whose absence the upstream would only
 * refuse later, with messages naming the field. Everything else is left as the client sent it.
 * Stateless.
 */
final class SurfaceBodies {

    /** The formats transcriptions and translations answer in. */
    static final Set<String> TRANSCRIPTION_FORMATS = Set.of("json", "text", "srt", "verbose_json", "vtt",
            "diarized_json");

    private SurfaceBodies() {
    }

    /**
     * Checks a JSON body.
     *
     * @param operation the operation
     * @param body      the body
     * @throws GatewayException 400 naming the field
     */
    static void validate(Operation operation, JsonObject body) {
        switch (operation) {
            case SPEECH -> {
                model(string(body, "model", true), "model");
                String input = string(body, "input", true);
                if (input.isEmpty()) {
                    throw GatewayException.invalidRequest("'input' must not be empty: the text to speak", "input");
                }
                JsonValue voice = body.get("voice");
                if (voice == null || voice == JsonValue.NULL) {
                    throw GatewayException.invalidRequest("'voice' is required, e.g. \"alloy\"", "voice");
                }
                String format = string(body, "stream_format", false);
                if (format != null && !format.equals("sse") && !format.equals("audio")) {
                    throw GatewayException.invalidRequest("'stream_format' must be \"audio\" or \"sse\"",
                            "stream_format");
                }
                noStreamField(body);
            }
            case MODERATION -> {
                model(string(body, "model", true), "model");
                JsonValue input = body.get("input");
                if (input == null || input == JsonValue.NULL) {
                    throw GatewayException.invalidRequest("'input' is required: a string, an array of strings, or"
                            + " an array of text and image inputs", "input");
                }
                noStreamField(body);
            }
            case BATCH_CREATE -> {
                string(body, "input_file_id", true);
                string(body, "endpoint", true);
                string(body, "completion_window", true);
                noStreamField(body);
            }
            default -> throw new IllegalArgumentException(operation + " has no JSON body");
        }
    }

    /**
     * Checks a form.
     *
     * @param operation the operation
     * @param form      the form
     * @throws GatewayException 400 naming the part
     */
    static void validate(Operation operation, MultipartForm form) {
        switch (operation) {
            case TRANSCRIPTION, TRANSLATION -> {
                requireFile(form, "file", "the audio to " + (operation == Operation.TRANSCRIPTION ? "transcribe"
                        : "translate") + " (flac, mp3, mp4, mpeg, mpga, m4a, ogg, wav or webm)");
                model(field(form, "model"), "model");
                form.field("response_format").ifPresent(format -> {
                    if (!TRANSCRIPTION_FORMATS.contains(format.trim().toLowerCase(Locale.ROOT))) {
                        throw GatewayException.invalidRequest("'response_format' must be one of json, text, srt, "
                                + "verbose_json, vtt, diarized_json, not '" + printable(format) + "'",
                                "response_format");
                    }
                });
                streamField(form, operation);
            }
            case IMAGE_EDIT -> {
                if (form.files("image").isEmpty() && form.files("image[]").isEmpty()) {
                    throw GatewayException.invalidRequest("the image to edit is required: send one or more files "
                            + "named 'image' (or 'image[]')", "image");
                }
                field(form, "prompt");
                model(field(form, "model"), "model");
                streamField(form, operation);
            }
            case IMAGE_VARIATION -> {
                requireFile(form, "image", "the square PNG to vary");
                model(field(form, "model"), "model");
                streamField(form, operation);
            }
            case FILE_UPLOAD -> {
                requireFile(form, "file", "the file to upload");
                field(form, "purpose");
                streamField(form, operation);
            }
            default -> throw new IllegalArgumentException(operation + " has no form");
        }
    }

    /** A model name the gateway can route: {@code provider/model} or a bare name, bounded, printable. */
    static void model(String model, String param) {
        RequestBodies.checkModelName(model, param);
        int slash = model.indexOf('/');
        if (model.isBlank() || slash == 0 || slash == model.length() - 1) {
            throw GatewayException.invalidRequest("'" + param + "' must be provider/model (e.g. openai/whisper-1) or"
                    + " a bare model name, not '" + printable(model) + "'", param);
        }
    }

    private static void requireFile(MultipartForm form, String name, String what) {
        if (form.file(name).isEmpty()) {
            boolean asField = form.field(name).isPresent();
            throw GatewayException.invalidRequest("the multipart part '" + name + "' is required: " + what
                    + (asField ? "; it came as a text field: send it as a file, with a filename" : ""), name);
        }
    }

    private static String field(MultipartForm form, String name) {
        String value = form.field(name).orElse(null);
        if (value == null || value.isBlank()) {
            throw GatewayException.invalidRequest("the multipart field '" + name + "' is required", name);
        }
        return value;
    }

    private static void streamField(MultipartForm form, Operation operation) {
        List<String> values = form.fields("stream");
        if (values.isEmpty()) {
            return;
        }
        String value = values.get(0).trim().toLowerCase(Locale.ROOT);
        if (!value.equals("true") && !value.equals("false")) {
            throw GatewayException.invalidRequest("'stream' must be true or false", "stream");
        }
        if (value.equals("true") && !operation.streamable()) {
            throw GatewayException.invalidRequest(SurfaceRoutes.path(operation) + " cannot stream; remove 'stream'",
                    "stream");
        }
    }

    private static void noStreamField(JsonObject body) {
        if (body.get("stream") == JsonValue.TRUE) {
            throw GatewayException.invalidRequest("this route cannot stream with 'stream'; remove it", "stream");
        }
    }

    private static String string(JsonObject body, String field, boolean required) {
        JsonValue value = body.get(field);
        if (value == null || value == JsonValue.NULL) {
            if (required) {
                throw GatewayException.invalidRequest("'" + field + "' is required", field);
            }
            return null;
        }
        if (!(value instanceof JsonString text)) {
            throw GatewayException.invalidRequest("'" + field + "' must be a string", field);
        }
        return text.getString();
    }

    private static String printable(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), 64));
        for (int i = 0; i < text.length() && i < 64; i++) {
            char c = text.charAt(i);
            out.append(c < ' ' || c == 127 ? '?' : c);
        }
        return text.length() > 64 ? out + "…" : out.toString();
    }
}
