package io.gateway.translation.gemini;

import io.gateway.spi.GatewayException;
import io.gateway.toolkit.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.Locale;
import java.util.Map;

/**
 * Builds Gemini {@code Part}s from OpenAI content: text, images and files given as {@code data:} URLs
 * ({@code inlineData}) or as {@code http(s)} URLs ({@code fileData}), and audio.
 */
final class Parts {

    /** Extension to MIME type, for URLs whose type Gemini must be told. */
    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("png", "image/png"),
            Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"),
            Map.entry("webp", "image/webp"),
            Map.entry("heic", "image/heic"),
            Map.entry("heif", "image/heif"),
            Map.entry("pdf", "application/pdf"),
            Map.entry("txt", "text/plain"),
            Map.entry("mp3", "audio/mp3"),
            Map.entry("wav", "audio/wav"),
            Map.entry("mp4", "video/mp4"));

    private Parts() {
    }

    static JsonObject text(String text) {
        return Json.object().add("text", text).build();
    }

    /**
     * A part for a URL: {@code data:} URLs become {@code inlineData}, http(s) URLs {@code fileData}
     * with a MIME type guessed from the extension.
     *
     * @param url         the URL
     * @param defaultType the type when the extension tells nothing, e.g. {@code image/jpeg}
     * @param param       the request field to name in errors
     * @return the part
     */
    static JsonObject fromUrl(String url, String defaultType, String param) {
        if (url == null || url.isBlank()) {
            throw GatewayException.invalidRequest("the URL must be a non-empty string", param);
        }
        if (url.regionMatches(true, 0, "data:", 0, 5)) {
            return fromDataUrl(url, param);
        }
        String lower = url.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("https://") && !lower.startsWith("http://") && !lower.startsWith("gs://")) {
            throw GatewayException.invalidRequest("gemini takes http(s) URLs or data: URLs", param);
        }
        return Json.object()
                .add("fileData", Json.object()
                        .add("mimeType", guessType(url, defaultType))
                        .add("fileUri", url))
                .build();
    }

    /** {@code data:image/png;base64,AAAA} as {@code inlineData}. */
    static JsonObject fromDataUrl(String url, String param) {
        int comma = url.indexOf(',');
        if (comma < 0) {
            throw GatewayException.invalidRequest("malformed data: URL", param);
        }
        String header = url.substring(5, comma);
        if (!header.toLowerCase(Locale.ROOT).endsWith(";base64")) {
            throw GatewayException.invalidRequest("data: URLs must be base64 encoded", param);
        }
        String mimeType = header.substring(0, header.length() - ";base64".length());
        int parameters = mimeType.indexOf(';');
        if (parameters >= 0) {
            mimeType = mimeType.substring(0, parameters);
        }
        if (mimeType.isBlank()) {
            throw GatewayException.invalidRequest("data: URLs must name a media type", param);
        }
        return inline(mimeType.strip().toLowerCase(Locale.ROOT), url.substring(comma + 1), param);
    }

    static JsonObject inline(String mimeType, String base64, String param) {
        if (base64 == null || base64.isEmpty()) {
            throw GatewayException.invalidRequest("inline data must not be empty", param);
        }
        return Json.object()
                .add("inlineData", Json.object()
                        .add("mimeType", mimeType)
                        .add("data", base64))
                .build();
    }

    /** The MIME type of a URL's path extension, or {@code defaultType}. */
    static String guessType(String url, String defaultType) {
        String path = url;
        int cut = indexOfAny(path, '?', '#');
        if (cut >= 0) {
            path = path.substring(0, cut);
        }
        int slash = path.lastIndexOf('/');
        int dot = path.lastIndexOf('.');
        if (dot > slash && dot < path.length() - 1) {
            String type = TYPES.get(path.substring(dot + 1).toLowerCase(Locale.ROOT));
            if (type != null) {
                return type;
            }
        }
        return defaultType;
    }

    private static int indexOfAny(String text, char first, char second) {
        int a = text.indexOf(first);
        int b = text.indexOf(second);
        if (a < 0) {
            return b;
        }
        return b < 0 ? a : Math.min(a, b);
    }

    /** An OpenAI {@code input_audio} format as a MIME type. */
    static String audioType(String format) {
        if (format == null || format.isBlank()) {
            return "audio/wav";
        }
        String lower = format.toLowerCase(Locale.ROOT);
        return switch (lower) {
            case "mp3", "mpeg" -> "audio/mp3";
            case "wav" -> "audio/wav";
            default -> "audio/" + lower;
        };
    }

    /** The text of an OpenAI content value: a string, or an array whose text parts are joined. */
    static String plainText(JsonValue content, String param) {
        if (Json.absent(content)) {
            return "";
        }
        if (content instanceof jakarta.json.JsonString string) {
            return string.getString();
        }
        if (content instanceof jakarta.json.JsonArray parts) {
            StringBuilder text = new StringBuilder();
            for (JsonValue value : parts) {
                if (!(value instanceof JsonObject part)) {
                    throw GatewayException.invalidRequest("content parts must be objects", param);
                }
                String partText = Json.text(part, "text");
                String type = Json.text(part, "type");
                if (partText == null && type != null && type.equals("refusal")) {
                    partText = Json.text(part, "refusal");
                }
                if (partText == null) {
                    throw GatewayException.invalidRequest("only text content parts are allowed here, not '"
                            + type + "'", param);
                }
                text.append(partText);
            }
            return text.toString();
        }
        throw GatewayException.invalidRequest("content must be a string or an array of parts", param);
    }
}
