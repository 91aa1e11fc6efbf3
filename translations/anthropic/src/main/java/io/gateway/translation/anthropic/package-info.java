/**
 * The translation between OpenAI's chat completions and Responses and Anthropic's Messages API, shared by
 * the providers that serve Claude models in that format: {@code anthropic} (Anthropic's API) and
 * {@code vertex} (Claude on Vertex AI through {@code rawPredict}).
 *
 * <p>The public surface is small: {@link io.gateway.translation.anthropic.AnthropicTranslation} (chat,
 * Responses, Anthropic's errors and rate-limit headers) and the
 * {@link io.gateway.translation.anthropic.MessagesTransport} a provider implements to say where and with
 * which credentials a Messages request goes. Everything else is package-private. Like the plugin toolkit,
 * this library is copied into the folder of each plugin that uses it and depends on the SPI (provided)
 * and the toolkit only. Stateless and thread-safe.
 */
package io.gateway.translation.anthropic;
