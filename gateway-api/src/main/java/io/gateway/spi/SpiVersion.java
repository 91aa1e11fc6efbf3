package io.gateway.spi;

/**
 * The version of this SPI.
 *
 * <p>A plugin records the SPI major version it was compiled against by returning {@link #MAJOR}
 * from {@link Plugin#spiVersion()}. Because {@code MAJOR} is a compile-time constant, the value is
 * copied into the plugin's class file, so the server can refuse a plugin built for another major
 * version with a clear message instead of failing later with a linkage error. Plugins built with the
 * project's plugin parent also carry {@code Gateway-Spi-Version: MAJOR.MINOR} in their jar manifest;
 * the server refuses a plugin that needs a newer minor version than it offers.
 *
 * <p>Compatibility: within a major version only additions are made (types, default methods, enum
 * constants, optional capabilities), and a build-time check compares the SPI against the first
 * release of its major version. A removal or an incompatible change increments {@link #MAJOR}.
 */
public final class SpiVersion {
    /** Major version of this SPI. Incremented only for incompatible changes. */
    public static final int MAJOR = 2;

    /** Minor version of this SPI. Incremented when types or default methods are added. */
    public static final int MINOR = 1;

    /** The manifest attribute naming the SPI version a plugin jar was built against. */
    public static final String MANIFEST_ATTRIBUTE = "Gateway-Spi-Version";

    private SpiVersion() {
    }

    /**
     * The version as written in manifests, {@code MAJOR.MINOR}.
     *
     * @return e.g. {@code 2.1}
     */
    public static String text() {
        return MAJOR + "." + MINOR;
    }
}
