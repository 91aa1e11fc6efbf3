/**
 * Shared state: the {@link io.gateway.spi.state.StateStore} every replica sees (in memory on one node,
 * a store plugin such as Redis in a cluster), created by the
 * {@link io.gateway.spi.state.StateStoreFactory} that {@code gateway.state.type} names.
 */
package io.gateway.spi.state;
