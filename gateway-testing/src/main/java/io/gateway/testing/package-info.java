/**
 * Test kit for gateway plugin authors and the gateway's own integration tests.
 *
 * <ul>
 *   <li>{@link io.gateway.testing.FakeUpstream}: a scriptable HTTP/1.1 server standing in for a
 *       provider, with request recording, streamed SSE replies, failure modes (slow first byte,
 *       dropped connections, truncated bodies) and observation of client connections;
 *       {@link io.gateway.testing.FakeUpstream#openAi()} answers the OpenAI routes.</li>
 *   <li>{@link io.gateway.testing.Reply} and {@link io.gateway.testing.SseFrame}: what a stub answers.</li>
 *   <li>{@link io.gateway.testing.SseParser}: reads server-sent events incrementally for assertions.</li>
 *   <li>{@link io.gateway.testing.PluginJarBuilder}: compiles plugin jars (good or broken) at test time.</li>
 * </ul>
 *
 * <p>The kit depends on the JDK ({@code com.sun.net.httpserver}, {@code java.net.http},
 * {@code javax.tools}), the plugin SPI and a JSON-P implementation only.
 */
package io.gateway.testing;
