/**
 * Streams translated from an upstream's events: {@link io.gateway.toolkit.stream.TranslatedStream} pulls
 * one upstream event at a time and hands out what it translates to, never reading ahead.
 */
package io.gateway.toolkit.stream;
