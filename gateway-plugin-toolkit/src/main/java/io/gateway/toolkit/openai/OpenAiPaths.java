package io.gateway.toolkit.openai;

import io.gateway.spi.Operation;
import io.gateway.spi.provider.ProviderCall;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Where the OpenAI API (and the OpenAI-compatible servers that follow it) serves each operation, below its
 * {@code /v1/} base; {@code rerank} is where the compatible servers that rerank (vLLM, Jina, Together)
 * serve it. Stateless.
 */
public final class OpenAiPaths {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private OpenAiPaths() {
    }

    /**
     * The path of an operation below an OpenAI base URL; for operations on one file or batch, the
     * collection's path ({@code files}, {@code batches}): {@link #of(ProviderCall)} adds the id.
     *
     * @param operation the operation
     * @return e.g. {@code chat/completions}, without a leading slash; {@code null} for an operation the
     *         OpenAI API does not serve (Anthropic's Messages, say)
     */
    public static String of(Operation operation) {
        return switch (operation) {
            case CHAT_COMPLETION -> "chat/completions";
            case TEXT_COMPLETION -> "completions";
            case RESPONSES -> "responses";
            case EMBEDDING -> "embeddings";
            case IMAGE_GENERATION -> "images/generations";
            case LIST_MODELS -> "models";
            case RERANK -> "rerank";
            case SPEECH -> "audio/speech";
            case TRANSCRIPTION -> "audio/transcriptions";
            case TRANSLATION -> "audio/translations";
            case IMAGE_EDIT -> "images/edits";
            case IMAGE_VARIATION -> "images/variations";
            case FILE_UPLOAD, FILE_LIST, FILE_RETRIEVE, FILE_CONTENT, FILE_DELETE -> "files";
            case BATCH_CREATE, BATCH_LIST, BATCH_RETRIEVE, BATCH_CANCEL -> "batches";
            case MODERATION -> "moderations";
            default -> null;
        };
    }

    /**
     * The whole path of one call below an OpenAI base URL: the operation's path, the file or batch id
     * it names (percent-encoded, so an id can never add a segment), the operation's suffix
     * ({@code /content}, {@code /cancel}), and for list operations the query of the call's
     * parameters.
     *
     * @param call the call
     * @return e.g. {@code files/file-abc/content} or {@code files?purpose=batch&limit=20}
     */
    public static String of(ProviderCall call) {
        Operation operation = call.operation();
        StringBuilder path = new StringBuilder(of(operation));
        switch (operation) {
            case FILE_RETRIEVE, FILE_DELETE -> path.append('/').append(segment(id(call, "file_id")));
            case FILE_CONTENT -> path.append('/').append(segment(id(call, "file_id"))).append("/content");
            case BATCH_RETRIEVE -> path.append('/').append(segment(id(call, "batch_id")));
            case BATCH_CANCEL -> path.append('/').append(segment(id(call, "batch_id"))).append("/cancel");
            case FILE_LIST, BATCH_LIST -> path.append(query(call.parameters()));
            default -> {
            }
        }
        return path.toString();
    }

    /**
     * A query string of parameters, ids of the path left out.
     *
     * @param parameters name to value
     * @return {@code ?a=1&b=2}, or empty
     */
    public static String query(Map<String, String> parameters) {
        StringBuilder query = new StringBuilder();
        parameters.forEach((name, value) -> {
            if (name.equals("file_id") || name.equals("batch_id")) {
                return;
            }
            query.append(query.isEmpty() ? '?' : '&').append(URLEncoder.encode(name, StandardCharsets.UTF_8))
                    .append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        });
        return query.toString();
    }

    private static String id(ProviderCall call, String name) {
        return call.parameter(name).orElseThrow(() -> new IllegalArgumentException("the call names no " + name));
    }

    /**
     * Percent-encodes a path segment: RFC 3986 unreserved characters stay, every other UTF-8 byte
     * becomes {@code %XX}.
     *
     * @param segment the raw segment
     * @return the encoded segment
     */
    public static String segment(String segment) {
        StringBuilder out = new StringBuilder(segment.length() + 8);
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return out.toString();
    }
}
