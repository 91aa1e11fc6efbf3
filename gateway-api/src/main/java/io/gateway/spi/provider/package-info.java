/**
 * Providers: a {@link io.gateway.spi.provider.ProviderFactory} creates one
 * {@link io.gateway.spi.provider.Provider} per configured entry of its type; the router hands it one
 * {@link io.gateway.spi.provider.ProviderCall} per upstream attempt, with the
 * {@link io.gateway.spi.provider.ApiKey} it chose. Providers translate and perform calls; keys, retries,
 * fallbacks and deadlines are the router's.
 */
package io.gateway.spi.provider;
