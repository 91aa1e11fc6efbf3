/**
 * A scriptable HTTP/1.1 upstream for tests, and the kit's one server-sent-events parser.
 *
 * <ul>
 *   <li>{@link io.gateway.testkit.http.FakeUpstream}: a server on a free loopback port with stubs,
 *       request recording, streamed replies, failure modes (slow first byte, dropped connections,
 *       truncated bodies) and observation of client connections;
 *       {@link io.gateway.testkit.http.FakeUpstream#openAi()} answers the OpenAI routes as
 *       {@link io.gateway.testkit.http.OpenAiPreset} documents.</li>
 *   <li>{@link io.gateway.testkit.http.Reply}, {@link io.gateway.testkit.http.SseFrame} and
 *       {@link io.gateway.testkit.http.Gate}: what a stub answers, and when.</li>
 *   <li>{@link io.gateway.testkit.http.RecordedRequest}: what it received and what became of the reply.</li>
 *   <li>{@link io.gateway.testkit.http.SseParser}: reads server-sent events incrementally, as the HTML
 *       standard defines them.</li>
 * </ul>
 */
package io.gateway.testkit.http;
