/**
 * The translation between OpenAI's operations and Gemini's {@code generateContent} family, shared by the
 * providers that serve Gemini models: {@code gemini} (the Gemini API) and {@code vertex} (Vertex AI).
 *
 * <p>The public surface is small: {@link io.gateway.translation.gemini.GeminiTranslation} (chat,
 * Responses, images, embeddings, Gemini's errors, model ids), the
 * {@link io.gateway.translation.gemini.GeminiTransport} a provider implements to say where and with which
 * credentials a request goes, and {@link io.gateway.translation.gemini.EmbeddingInput}. Everything else
 * is package-private. Like the plugin toolkit, this library is copied into the folder of each plugin that
 * uses it and depends on the SPI (provided) and the toolkit only. Stateless and thread-safe.
 */
package io.gateway.translation.gemini;
