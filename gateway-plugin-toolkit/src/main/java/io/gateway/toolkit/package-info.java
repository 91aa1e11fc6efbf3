/**
 * The plugin toolkit: what provider and middleware plugins would otherwise each write again, built on
 * the SPI alone.
 *
 * <ul>
 *   <li>{@link io.gateway.toolkit.json}: JSON builders over the server's shared provider, lenient typed
 *       reads of upstream answers, and strict reads of client fields that answer 400.</li>
 *   <li>{@link io.gateway.toolkit.upstream}: the upstream-call skeleton ({@code UpstreamCalls}), error
 *       fields and bodies, which response headers reach the client, how the key is sent.</li>
 *   <li>{@link io.gateway.toolkit.settings}: provider settings read once in a factory's {@code create}:
 *       the base URL, {@code extra-headers}, and each key's own settings.</li>
 *   <li>{@link io.gateway.toolkit.openai}: the OpenAI wire format: operation paths, error bodies, usage
 *       objects written from a {@link io.gateway.spi.TokenUsage}, request options.</li>
 *   <li>{@link io.gateway.toolkit.stream}: a base for streams translated one upstream event at a time.</li>
 * </ul>
 *
 * <p>The toolkit depends on {@code gateway-api} only, which the server supplies. A plugin that uses it
 * declares it as an ordinary (compile) dependency; the distribution copies the toolkit jar into that
 * plugin's folder, so each plugin loads its own copy in its own class loader and two plugins never share
 * toolkit state. Every type here is immutable and thread-safe unless its documentation says otherwise.
 */
package io.gateway.toolkit;
