package io.gateway.toolkit.openai;

import io.gateway.spi.Operation;

/**
 * Where the OpenAI API (and the OpenAI-compatible servers that follow it) serves each operation, below its
 * {@code /v1/} base; {@code rerank} is where the compatible servers that rerank (vLLM, Jina, Together)
 * serve it. Stateless.
 */
public final class OpenAiPaths {

    private OpenAiPaths() {
    }

    /**
     * The path of an operation below an OpenAI base URL.
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
            default -> null;
        };
    }
}
