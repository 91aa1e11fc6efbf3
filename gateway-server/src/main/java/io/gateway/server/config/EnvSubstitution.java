package io.gateway.server.config;

import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Replaces {@code ${NAME}} and {@code ${NAME:-default}} in configuration values with environment
 * variables. An unset variable without a default becomes the empty string, so a provider whose key
 * variable is unset still starts and answers 401 until it is set.
 */
public final class EnvSubstitution implements UnaryOperator<String> {

    private final Map<String, String> environment;

    /**
     * A substitution over the given environment.
     *
     * @param environment variable names to values
     */
    public EnvSubstitution(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    @Override
    public String apply(String value) {
        int start = value.indexOf("${");
        if (start < 0) {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length());
        int from = 0;
        while (start >= 0) {
            int end = value.indexOf('}', start + 2);
            if (end < 0) {
                break;
            }
            out.append(value, from, start);
            String expression = value.substring(start + 2, end);
            int dflt = expression.indexOf(":-");
            String name = dflt < 0 ? expression : expression.substring(0, dflt);
            String replacement = environment.get(name);
            if (replacement == null || replacement.isEmpty()) {
                replacement = dflt < 0 ? "" : expression.substring(dflt + 2);
            }
            out.append(replacement);
            from = end + 1;
            start = value.indexOf("${", from);
        }
        out.append(value, from, value.length());
        return out.toString();
    }

    /**
     * The first variable referenced without a default in {@code raw} that this environment lacks.
     *
     * @param raw a raw value
     * @return the variable name, or {@code null}
     */
    String firstUnset(String raw) {
        int start = raw.indexOf("${");
        while (start >= 0) {
            int end = raw.indexOf('}', start + 2);
            if (end < 0) {
                return null;
            }
            String expression = raw.substring(start + 2, end);
            if (!expression.contains(":-")) {
                String current = environment.get(expression);
                if (current == null || current.isEmpty()) {
                    return expression;
                }
            }
            start = raw.indexOf("${", end + 1);
        }
        return null;
    }
}
