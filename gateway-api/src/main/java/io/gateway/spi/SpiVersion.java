package io.gateway.spi;

/**
 * The version of this SPI.
 *
 * <p>A plugin records the SPI major version it was compiled against by returning {@link #MAJOR}
 * from {@link Plugin#spiVersion()}. Because {@code MAJOR} is a compile-time constant, the value is
 * copied into the plugin's class file, so the server can refuse a plugin built for another major
 * version with a clear message instead of failing later with a linkage error.
 */
public final class SpiVersion {
    /** Major version of this SPI. Incremented only for incompatible changes. */
    public static final int MAJOR = 1;

    /** Minor version of this SPI. Incremented when types or default methods are added. */
    public static final int MINOR = 1;

    private SpiVersion() {
    }
}
