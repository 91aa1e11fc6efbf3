package io.gateway.translation.anthropic;

import io.gateway.spi.GatewayException;
import io.gateway.toolkit.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/** Builds Anthropic content blocks from the pieces of OpenAI requests. */
final class Blocks {

    private Blocks() {
    }

    /**
     * A text block, or {@code null} for empty text (Anthropic rejects empty text blocks).
     *
     * @param text         the text, may be {@code null}
     * @param cacheControl a {@code cache_control} the client put on the part, or {@code null}
     * @return the block or {@code null}
     */
    static JsonObject text(String text, JsonValue cacheControl) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        return withCacheControl(Json.object().add("type", "text").add("text", text), cacheControl);
    }

    /**
     * An image block from an OpenAI image URL: a {@code data:} URL becomes a base64 source, an
     * {@code http(s)} URL a URL source that Anthropic fetches itself.
     *
     * @param url          the URL
     * @param cacheControl the part's {@code cache_control}, or {@code null}
     * @param param        the request field, for errors
     * @return the block
     */
    static JsonObject image(String url, JsonValue cacheControl, String param) {
        if (url == null || url.isBlank()) {
            throw GatewayException.invalidRequest("an image part needs a URL (https://… or data:…;base64,…)",
                    param);
        }
        JsonObject source;
        if (url.regionMatches(true, 0, "data:", 0, 5)) {
            DataUrl data = DataUrl.parse(url, param);
            if (!data.mediaType().startsWith("image/")) {
                throw GatewayException.invalidRequest("an image data URL must have an image media type such as "
                        + "image/png, not '" + data.mediaType() + "'", param);
            }
            source = Json.object()
                    .add("type", "base64")
                    .add("media_type", data.mediaType())
                    .add("data", data.data())
                    .build();
        } else if (isHttp(url)) {
            source = Json.object().add("type", "url").add("url", url).build();
        } else {
            throw GatewayException.invalidRequest("an image URL must be https://… or a data:…;base64,… URL",
                    param);
        }
        return withCacheControl(Json.object().add("type", "image").add("source", source), cacheControl);
    }

    /**
     * A document block from inline file data: PDF (base64 source) or plain text (text source).
     *
     * @param fileData     a {@code data:} URL, or bare base64 whose type the file name tells
     * @param filename     the file name, may be {@code null}
     * @param cacheControl the part's {@code cache_control}, or {@code null}
     * @param param        the request field, for errors
     * @return the block
     */
    static JsonObject document(String fileData, String filename, JsonValue cacheControl, String param) {
        DataUrl data;
        if (fileData.regionMatches(true, 0, "data:", 0, 5)) {
            data = DataUrl.parse(fileData, param);
        } else {
            String name = filename == null ? "" : filename.toLowerCase(Locale.ROOT);
            data = new DataUrl(name.endsWith(".txt") ? "text/plain" : "application/pdf", fileData.strip());
        }
        JsonObject source;
        if (data.mediaType().equals("application/pdf")) {
            source = Json.object()
                    .add("type", "base64")
                    .add("media_type", "application/pdf")
                    .add("data", data.data())
                    .build();
        } else if (data.mediaType().equals("text/plain")) {
            source = Json.object()
                    .add("type", "text")
                    .add("media_type", "text/plain")
                    .add("data", decodeText(data.data(), param))
                    .build();
        } else {
            throw GatewayException.invalidRequest("anthropic accepts PDF and plain-text files, not '"
                    + data.mediaType() + "'", param);
        }
        JsonObjectBuilder block = Json.object().add("type", "document").add("source", source);
        if (filename != null && !filename.isBlank()) {
            block.add("title", filename);
        }
        return withCacheControl(block, cacheControl);
    }

    /**
     * A document block Anthropic fetches itself (a PDF URL).
     *
     * @param url   the URL
     * @param param the request field, for errors
     * @return the block
     */
    static JsonObject documentUrl(String url, String param) {
        if (!isHttp(url)) {
            throw GatewayException.invalidRequest("a file URL must be https://…", param);
        }
        return Json.object()
                .add("type", "document")
                .add("source", Json.object().add("type", "url").add("url", url))
                .build();
    }

    /**
     * A {@code tool_use} block from an OpenAI tool call, whose arguments are a JSON string.
     *
     * @param id        the call id
     * @param name      the function name
     * @param arguments the arguments as JSON text; blank means no arguments
     * @param param     the request field, for errors
     * @return the block
     */
    static JsonObject toolUse(String id, String name, String arguments, String param) {
        if (id == null || id.isBlank()) {
            throw GatewayException.invalidRequest("a tool call needs its id", param);
        }
        if (name == null || name.isBlank()) {
            throw GatewayException.invalidRequest("tool call '" + id + "' needs a function name", param);
        }
        JsonValue input = JsonValue.EMPTY_JSON_OBJECT;
        if (arguments != null && !arguments.isBlank()) {
            input = Json.parseValue(arguments);
            if (!(input instanceof JsonObject)) {
                throw GatewayException.invalidRequest("the arguments of tool call '" + id
                        + "' must be a JSON object in a string, e.g. \"{\\\"city\\\":\\\"Paris\\\"}\"", param);
            }
        }
        return Json.object()
                .add("type", "tool_use")
                .add("id", id)
                .add("name", name)
                .add("input", input)
                .build();
    }

    /**
     * A {@code tool_result} block.
     *
     * @param toolUseId the id of the tool call it answers
     * @param content   a string, an array of blocks, or {@code null} for no content
     * @param param     the request field, for errors
     * @return the block
     */
    static JsonObject toolResult(String toolUseId, JsonValue content, String param) {
        if (toolUseId == null || toolUseId.isBlank()) {
            throw GatewayException.invalidRequest("a tool result needs the id of the tool call it answers", param);
        }
        JsonObjectBuilder block = Json.object().add("type", "tool_result").add("tool_use_id", toolUseId);
        if (content != null && !(content instanceof JsonString text && text.getString().isEmpty())
                && !(content instanceof JsonArray array && array.isEmpty())) {
            block.add("content", content);
        }
        return block.build();
    }

    /**
     * A {@code thinking} block replayed from an earlier answer; the signature proves it unchanged.
     *
     * @param thinking  the thinking text
     * @param signature Anthropic's signature
     * @return the block
     */
    static JsonObject thinking(String thinking, String signature) {
        return Json.object()
                .add("type", "thinking")
                .add("thinking", thinking)
                .add("signature", signature)
                .build();
    }

    private static JsonObject withCacheControl(JsonObjectBuilder block, JsonValue cacheControl) {
        if (cacheControl instanceof JsonObject object) {
            block.add("cache_control", object);
        }
        return block.build();
    }

    private static boolean isHttp(String url) {
        return url.regionMatches(true, 0, "https://", 0, 8) || url.regionMatches(true, 0, "http://", 0, 7);
    }

    private static String decodeText(String base64, String param) {
        try {
            byte[] bytes = Base64.getMimeDecoder().decode(base64);
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (IllegalArgumentException | CharacterCodingException e) {
            throw GatewayException.invalidRequest("the text file is not base64-encoded UTF-8", param);
        }
    }

    /**
     * A parsed {@code data:[media type][;base64],data} URL; only the base64 form is accepted, as Anthropic
     * takes binary data in base64.
     */
    private record DataUrl(String mediaType, String data) {

        static DataUrl parse(String url, String param) {
            int comma = url.indexOf(',');
            if (comma < 0) {
                throw GatewayException.invalidRequest("a data URL must look like data:image/png;base64,…", param);
            }
            String[] meta = url.substring(5, comma).split(";");
            boolean base64 = false;
            for (int i = 1; i < meta.length; i++) {
                if (meta[i].strip().equalsIgnoreCase("base64")) {
                    base64 = true;
                }
            }
            if (!base64) {
                throw GatewayException.invalidRequest("a data URL must be base64-encoded (data:…;base64,…)", param);
            }
            String mediaType = meta[0].strip().toLowerCase(Locale.ROOT);
            if (mediaType.isEmpty()) {
                throw GatewayException.invalidRequest("a data URL must name its media type (data:image/png;base64,…)",
                        param);
            }
            return new DataUrl(mediaType, url.substring(comma + 1).strip());
        }
    }
}
