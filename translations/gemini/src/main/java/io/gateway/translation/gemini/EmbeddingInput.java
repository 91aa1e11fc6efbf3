package io.gateway.translation.gemini;

import java.util.List;
import java.util.Objects;

/**
 * What an OpenAI {@code embeddings} request asks of a Google embedding model, read and checked by
 * {@link GeminiTranslation#embeddingInput}: the texts in order, the output size, and whether the answer
 * carries base64 instead of floats. Immutable.
 *
 * @param texts      the texts to embed, at least one, in the request's order
 * @param dimensions the {@code dimensions} asked for, or {@code null} for the model's own
 * @param base64     whether {@code encoding_format} is {@code base64}
 */
public record EmbeddingInput(List<String> texts, Integer dimensions, boolean base64) {

    /** Copies the texts. */
    public EmbeddingInput {
        texts = List.copyOf(Objects.requireNonNull(texts, "texts"));
    }
}
