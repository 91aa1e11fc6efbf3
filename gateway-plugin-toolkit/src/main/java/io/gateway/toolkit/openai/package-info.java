/**
 * The OpenAI wire format as providers need it: where each operation is served
 * ({@link io.gateway.toolkit.openai.OpenAiPaths}), how OpenAI-compatible servers write errors
 * ({@link io.gateway.toolkit.openai.OpenAiErrors}), the usage objects of each operation written from a
 * {@link io.gateway.spi.TokenUsage} ({@link io.gateway.toolkit.openai.OpenAiUsage}), and request options
 * ({@link io.gateway.toolkit.openai.OpenAiRequests}).
 */
package io.gateway.toolkit.openai;
