/**
 * The test kit for plugin authors: everything needed to test a provider, a middleware or a state store
 * without starting the gateway, on the SPI and the JDK only.
 *
 * <ul>
 *   <li>Configuration: {@link io.gateway.testkit.TestConfig}, a {@code PluginConfig} from a map or YAML
 *       text, read exactly as the server reads it and reporting unread keys.</li>
 *   <li>Services: {@link io.gateway.testkit.TestContext} with a {@link io.gateway.testkit.TestClock},
 *       a {@link io.gateway.testkit.MemoryStateStore}, {@link io.gateway.testkit.RecordingMetrics}, a
 *       {@link io.gateway.testkit.RecordingLogger} and an upstream client:
 *       {@link io.gateway.testkit.ScriptedUpstream} (canned answers) or
 *       {@link io.gateway.testkit.HttpUpstream} (real HTTP with the server's semantics).</li>
 *   <li>Streams: {@link io.gateway.testkit.ScriptedEvents}, fed step by step, and
 *       {@link io.gateway.testkit.EventStreams}.</li>
 *   <li>Middleware: {@link io.gateway.testkit.TestExchange}, {@link io.gateway.testkit.RouterStandIn},
 *       {@link io.gateway.testkit.TestOutcome}, {@link io.gateway.testkit.MiddlewareChain}.</li>
 *   <li>Providers: {@link io.gateway.testkit.ProviderHarness}, and
 *       {@link io.gateway.testkit.ProviderConformance}, the checks every provider passes, run in memory
 *       against a fake of its vendor's API ({@link io.gateway.testkit.fakes}), with the shape checks of
 *       {@link io.gateway.testkit.AnswerChecks}.</li>
 *   <li>HTTP fakes: {@link io.gateway.testkit.http}.</li>
 * </ul>
 *
 * <p>The kit depends on {@code gateway-api} (and so {@code jakarta.json-api}) and the JDK; tests bring a
 * JSON-P implementation (Parsson) at run time, as the server does.
 */
package io.gateway.testkit;
