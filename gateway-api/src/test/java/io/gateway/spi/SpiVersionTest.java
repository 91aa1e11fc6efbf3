package io.gateway.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import org.junit.jupiter.api.Test;

/**
 * The build writes the root pom's {@code gateway.spi.version} into every plugin jar's manifest; it must be
 * the version the SPI's constants state, or the server would refuse (or wrongly accept) plugins.
 */
class SpiVersionTest {

    @Test
    void theBuildsSpiVersionIsTheSpisOwn() {
        String built = System.getProperty("gateway.spi.version");
        assertNotNull(built, "surefire passes the root pom's gateway.spi.version");
        assertEquals(SpiVersion.text(), built, "gateway.spi.version in the root pom and io.gateway.spi.SpiVersion "
                + "disagree; change both together");
    }
}
