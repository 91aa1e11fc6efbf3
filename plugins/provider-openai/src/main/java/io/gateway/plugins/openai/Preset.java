package io.gateway.plugins.openai;

import io.gateway.spi.Operation;
import java.util.EnumSet;
import java.util.Set;

/**
 * A named flavour of the OpenAI API: the type name, the default base URL, and the operations the
 * service offers (an operation it lacks answers 400 without an upstream call).
 *
 * @param type           the provider type in configuration
 * @param defaultBaseUrl the base URL used when {@code base-url} is not set, or {@code null} to require it
 * @param operations     the operations the service offers
 */
record Preset(String type, String defaultBaseUrl, Set<Operation> operations) {

    static final Preset OPENAI = new Preset("openai", "https://api.openai.com/v1", EnumSet.allOf(Operation.class));

    Preset {
        operations = Set.copyOf(operations);
    }
}
