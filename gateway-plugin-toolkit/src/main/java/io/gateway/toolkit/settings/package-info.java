/**
 * Provider settings read once, in a factory's {@code create}, with messages that name the key and the
 * fix: {@link io.gateway.toolkit.settings.BaseUrl} ({@code base-url}),
 * {@link io.gateway.toolkit.settings.ExtraHeaders} ({@code extra-headers}),
 * {@link io.gateway.toolkit.settings.KeySettings} (each key's own settings, looked up by key name at call
 * time), and {@link io.gateway.toolkit.settings.HeaderNames} (which header names are valid, carry
 * credentials, or belong to the connection).
 */
package io.gateway.toolkit.settings;
