/**
 * Fakes of real provider APIs for plugin authors' tests, each a real HTTP server on a free loopback
 * port built on {@link io.gateway.testkit.http.FakeUpstream}, speaking the provider's own wire format and
 * rejecting what the provider's public API rejects.
 *
 * <ul>
 *   <li>{@link io.gateway.testkit.fakes.FakeAnthropic}: Anthropic's Messages API ({@code /v1/messages},
 *       {@code /v1/models}), named-event streams, {@code {"type":"error",…}} errors.</li>
 *   <li>{@link io.gateway.testkit.fakes.FakeGemini}: the Gemini API ({@code :generateContent},
 *       {@code :streamGenerateContent?alt=sse}, {@code :embedContent}, {@code :batchEmbedContents},
 *       {@code models}), {@code {"error":{code,message,status}}} errors.</li>
 *   <li>{@link io.gateway.testkit.fakes.FakeAzure}: an Azure OpenAI resource (deployment routes,
 *       {@code /openai/responses}, the {@code /openai/v1/} form), with Azure's filter results and
 *       content-filter errors.</li>
 * </ul>
 *
 * <p>Each fake answers valid requests deterministically, lets a test queue the next reply
 * ({@code answerNext}) or a provider-format failure ({@code failNext}), and exposes the underlying
 * {@link io.gateway.testkit.http.FakeUpstream} for recorded requests.
 */
package io.gateway.testkit.fakes;
