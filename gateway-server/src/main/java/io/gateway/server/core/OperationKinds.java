package io.gateway.server.core;

import io.gateway.spi.Operation;

/**
 * What the server needs to know about an operation beyond the SPI's {@link Operation}: whether it
 * is routed by a model or by the provider that holds a resource (files and batches), which path
 * parameter names that resource, and whether its request body or answer can be something other than
 * JSON. Stateless.
 */
public final class OperationKinds {

    private OperationKinds() {
    }

    /**
     * Whether the operation works on a provider's stored resources (files, batches): it names no
     * model, is routed to the provider an id prefix or {@code x-bf-provider} names, and has no fallbacks.
     *
     * @param operation the operation
     * @return {@code true} for file and batch operations
     */
    public static boolean byResource(Operation operation) {
        return switch (operation) {
            case FILE_UPLOAD, FILE_LIST, FILE_RETRIEVE, FILE_CONTENT, FILE_DELETE, BATCH_CREATE, BATCH_LIST,
                 BATCH_RETRIEVE, BATCH_CANCEL -> true;
            default -> false;
        };
    }

    /**
     * The path parameter naming the operation's resource.
     *
     * @param operation the operation
     * @return {@code file_id}, {@code batch_id}, or {@code null} when the path names none
     */
    public static String idParameter(Operation operation) {
        return switch (operation) {
            case FILE_RETRIEVE, FILE_CONTENT, FILE_DELETE -> "file_id";
            case BATCH_RETRIEVE, BATCH_CANCEL -> "batch_id";
            default -> null;
        };
    }

    /**
     * Whether the request body is a multipart form.
     *
     * @param operation the operation
     * @return {@code true} for audio transcriptions and translations, image edits and variations,
     *         file uploads
     */
    public static boolean takesForm(Operation operation) {
        return switch (operation) {
            case TRANSCRIPTION, TRANSLATION, IMAGE_EDIT, IMAGE_VARIATION, FILE_UPLOAD -> true;
            default -> false;
        };
    }

    /**
     * Whether the answer may be something other than JSON (bytes, text), which an async job cannot store.
     *
     * @param operation the operation
     * @return {@code true} for speech, transcriptions, translations, file contents and passthrough calls
     */
    public static boolean answersBytes(Operation operation) {
        return switch (operation) {
            case SPEECH, TRANSCRIPTION, TRANSLATION, FILE_CONTENT, PASSTHROUGH -> true;
            default -> false;
        };
    }
}
