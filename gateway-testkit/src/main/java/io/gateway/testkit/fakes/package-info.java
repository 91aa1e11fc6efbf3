/**
 * One fake per vendor API, for plugin authors' tests and the gateway's own: each a real HTTP server on a
 * free loopback port built on {@link io.gateway.testkit.http.FakeUpstream}, speaking the vendor's wire
 * format and refusing what the vendor's public API refuses, so a translation the real API would refuse
 * fails in the test.
 *
 * <ul>
 *   <li>{@link io.gateway.testkit.fakes.FakeOpenAi}: OpenAI's API under {@code /v1/}, bearer keys,
 *       OpenAI's request checks, the answers of {@link io.gateway.testkit.http.OpenAiPreset}.</li>
 *   <li>{@link io.gateway.testkit.fakes.FakeAnthropic}: Anthropic's Messages API ({@code /v1/messages},
 *       {@code /v1/models}), named-event streams, {@code {"type":"error",…}} errors.</li>
 *   <li>{@link io.gateway.testkit.fakes.FakeGemini}: the Gemini API ({@code :generateContent},
 *       {@code :streamGenerateContent?alt=sse}, {@code :embedContent}, {@code :batchEmbedContents},
 *       {@code models}), {@code {"error":{code,message,status}}} errors.</li>
 *   <li>{@link io.gateway.testkit.fakes.FakeVertex}: Google Vertex AI ({@code publishers/google} Gemini
 *       models, {@code publishers/anthropic} Claude models through {@code rawPredict}, embeddings through
 *       {@code predict}) with its own OAuth token endpoint that verifies a test service account's signed
 *       JWT, and bearer tokens on every call.</li>
 *   <li>{@link io.gateway.testkit.fakes.FakeCohere}: Cohere's v2 API ({@code /v2/chat} with its named-event
 *       stream, {@code /v2/embed}, {@code /v2/rerank}, {@code /v1/models}), {@code {"id","message"}} errors.</li>
 *   <li>{@link io.gateway.testkit.fakes.FakeAzure}: an Azure OpenAI resource (deployment routes,
 *       {@code /openai/responses}, the {@code /openai/v1/} form), two keys, deployments limited to their
 *       model's operations, Azure's filter results and content-filter errors.</li>
 *   <li>{@link io.gateway.testkit.fakes.ToolCallingModel}: not a fake of its own but a standing responder
 *       for {@code FakeOpenAi}: a model that calls an offered tool and then answers from its result.</li>
 * </ul>
 *
 * <p>Each fake answers valid requests deterministically; a test queues the next reply
 * ({@link io.gateway.testkit.fakes.ProviderFake#answerNext}), sets a standing one
 * ({@link io.gateway.testkit.fakes.ProviderFake#answerWith}), holds a stream at a gate, and reads the
 * recorded requests. {@link io.gateway.testkit.ProviderConformance} runs its checks against any of them.
 */
package io.gateway.testkit.fakes;
