package io.gateway.plugins.bedrock;

import io.gateway.spi.GatewayException;
import io.gateway.toolkit.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.Locale;
import java.util.Map;

/**
 * Converse content blocks made from the OpenAI forms of the same content: text, images, documents,
 * tool uses and tool results, and cache points. A value the Converse API cannot take answers 400
 * naming the request field. Stateless.
 */
final class Blocks {

    /** The image formats Converse takes, by media type. */
    private static final Map<String, String> IMAGE_FORMATS = Map.of("image/png", "png", "image/jpeg", "jpeg",
            "image/jpg", "jpeg", "image/gif", "gif", "image/webp", "webp");
    /** The document formats Converse takes, by media type. */
    private static final Map<String, String> DOCUMENT_FORMATS = Map.of(
            "application/pdf", "pdf", "text/csv", "csv", "application/msword", "doc",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx",
            "application/vnd.ms-excel", "xls",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx",
            "text/html", "html", "text/plain", "txt", "text/markdown", "md");
    /** The document formats by file name extension, for S3 objects and files without a media type. */
    private static final Map<String, String> EXTENSIONS = Map.ofEntries(Map.entry("png", "png"),
            Map.entry("jpg", "jpeg"), Map.entry("jpeg", "jpeg"), Map.entry("gif", "gif"), Map.entry("webp", "webp"),
            Map.entry("pdf", "pdf"), Map.entry("csv", "csv"), Map.entry("doc", "doc"), Map.entry("docx", "docx"),
            Map.entry("xls", "xls"), Map.entry("xlsx", "xlsx"), Map.entry("html", "html"), Map.entry("txt", "txt"),
            Map.entry("md", "md"));

    private Blocks() {
    }

    /**
     * A text block.
     *
     * @param text the text, may be {@code null}
     * @return {@code {"text": …}}, or {@code null} for no or empty text (Converse refuses blank text blocks)
     */
    static JsonObject text(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        return Json.object().add("text", text).build();
    }

    /**
     * A cache point: the content before it is cached (prompt caching), where the client marked a part
     * with Anthropic's {@code cache_control}.
     *
     * @return {@code {"cachePoint": {"type": "default"}}}
     */
    static JsonObject cachePoint() {
        return Json.object().add("cachePoint", Json.object().add("type", "default")).build();
    }

    /**
     * Whether a client part asks for a cache point after it ({@code "cache_control": {...}}).
     *
     * @param part the OpenAI content part or tool
     * @return {@code true} when it carries a {@code cache_control} object
     */
    static boolean cached(JsonObject part) {
        return part != null && part.get("cache_control") instanceof JsonObject;
    }

    /**
     * An image block from an image URL: a {@code data:} URL (the bytes inline) or an {@code s3://} URI
     * (an object Bedrock reads itself). Converse does not fetch http(s) URLs.
     *
     * @param url   the URL
     * @param param the request field, for errors
     * @return the block
     */
    static JsonObject image(String url, String param) {
        if (url == null || url.isBlank()) {
            throw GatewayException.invalidRequest("an image part needs its url", param);
        }
        if (url.startsWith("s3://")) {
            String format = EXTENSIONS.get(extension(url));
            if (format == null || !IMAGE_FORMATS.containsValue(format)) {
                throw GatewayException.invalidRequest("bedrock takes png, jpeg, gif or webp images; the S3 object "
                        + "name must end with one of those extensions", param);
            }
            return Json.object().add("image", Json.object().add("format", format)
                    .add("source", Json.object().add("s3Location", Json.object().add("uri", url)))).build();
        }
        DataUrl data = DataUrl.parse(url, param);
        String format = IMAGE_FORMATS.get(data.mediaType());
        if (format == null) {
            throw GatewayException.invalidRequest("bedrock takes png, jpeg, gif or webp images, not "
                    + data.mediaType(), param);
        }
        return Json.object().add("image", Json.object().add("format", format)
                .add("source", Json.object().add("bytes", data.base64()))).build();
    }

    /**
     * A document block from a file part's {@code file_data} (a {@code data:} URL, or bare base64 with a
     * file name that tells the format).
     *
     * @param fileData the data
     * @param filename the file name, may be {@code null}
     * @param index    the document's position in the request, for a default name
     * @param param    the request field, for errors
     * @return the block
     */
    static JsonObject document(String fileData, String filename, int index, String param) {
        String format;
        String base64;
        if (fileData.startsWith("data:")) {
            DataUrl data = DataUrl.parse(fileData, param);
            format = DOCUMENT_FORMATS.get(data.mediaType());
            if (format == null && filename != null) {
                format = EXTENSIONS.get(extension(filename));
            }
            base64 = data.base64();
        } else {
            format = filename == null ? null : EXTENSIONS.get(extension(filename));
            base64 = fileData;
        }
        if (format == null || IMAGE_FORMATS.containsValue(format)) {
            throw GatewayException.invalidRequest("bedrock takes documents as pdf, csv, doc, docx, xls, xlsx, html, "
                    + "txt or md; give the file's media type in a data: URL or a file name with its extension", param);
        }
        return Json.object().add("document", Json.object()
                .add("format", format)
                .add("name", documentName(filename, index))
                .add("source", Json.object().add("bytes", base64))).build();
    }

    /**
     * A document's name as Converse allows it: letters, digits, single spaces, hyphens, parentheses
     * and square brackets; the extension is left out.
     */
    static String documentName(String filename, int index) {
        String base = filename == null ? "" : filename;
        int dot = base.lastIndexOf('.');
        if (dot > 0) {
            base = base.substring(0, dot);
        }
        StringBuilder name = new StringBuilder();
        for (int i = 0; i < base.length() && name.length() < 200; i++) {
            char c = base.charAt(i);
            boolean allowed = Character.isLetterOrDigit(c) || c == '-' || c == '(' || c == ')' || c == '['
                    || c == ']';
            if (allowed) {
                name.append(c);
            } else if (!name.isEmpty() && name.charAt(name.length() - 1) != ' ') {
                name.append(' ');
            }
        }
        String result = name.toString().strip();
        return result.isEmpty() ? "document-" + (index + 1) : result;
    }

    /**
     * A tool use block from an OpenAI tool call.
     *
     * @param id        the call id
     * @param name      the function name
     * @param arguments the arguments as JSON text (a JSON object; empty reads as {@code {}})
     * @param param     the request field, for errors
     * @return the block
     */
    static JsonObject toolUse(String id, String name, String arguments, String param) {
        if (id == null || id.isBlank() || name == null || name.isBlank()) {
            throw GatewayException.invalidRequest("a tool call needs its id and function name", param);
        }
        JsonValue input = arguments == null || arguments.isBlank() ? JsonValue.EMPTY_JSON_OBJECT
                : Json.parseValue(arguments);
        if (!(input instanceof JsonObject)) {
            throw GatewayException.invalidRequest("the arguments of tool call '" + id + "' must be a JSON object; "
                    + "bedrock takes tool input as an object", param);
        }
        return Json.object().add("toolUse", Json.object().add("toolUseId", id).add("name", name).add("input", input))
                .build();
    }

    /**
     * A tool result block.
     *
     * @param id    the tool call id it answers
     * @param text  the result as text
     * @param param the request field, for errors
     * @return the block
     */
    static JsonObject toolResult(String id, String text, String param) {
        if (id == null || id.isBlank()) {
            throw GatewayException.invalidRequest("a tool result needs the id of the tool call it answers", param);
        }
        return Json.object().add("toolResult", Json.object()
                .add("toolUseId", id)
                .add("content", Json.array().add(Json.object().add("text", text == null ? "" : text)))).build();
    }

    private static String extension(String name) {
        int slash = name.lastIndexOf('/');
        int dot = name.lastIndexOf('.');
        return dot > slash ? name.substring(dot + 1).toLowerCase(Locale.ROOT) : "";
    }

    /** A {@code data:MEDIA;base64,DATA} URL. */
    record DataUrl(String mediaType, String base64) {

        static DataUrl parse(String url, String param) {
            if (url.startsWith("http://") || url.startsWith("https://")) {
                throw GatewayException.invalidRequest("bedrock does not fetch URLs: send the image or file inline as"
                        + " a data: URL (data:image/png;base64,...) or as an s3:// URI", param);
            }
            int comma = url.indexOf(',');
            if (!url.startsWith("data:") || comma < 0 || !url.substring(0, comma).endsWith(";base64")) {
                throw GatewayException.invalidRequest("expected a data: URL with base64 content, e.g. "
                        + "data:image/png;base64,...", param);
            }
            String mediaType = url.substring("data:".length(), url.indexOf(';')).toLowerCase(Locale.ROOT);
            return new DataUrl(mediaType, url.substring(comma + 1));
        }
    }
}
