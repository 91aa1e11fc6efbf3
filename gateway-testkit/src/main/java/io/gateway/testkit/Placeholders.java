package io.gateway.testkit;

import java.util.Map;

/**
 * {@code ${NAME}} and {@code ${NAME:-default}} in configuration values, replaced as the server
 * replaces them: a variable that is unset or empty takes the default, or the empty string without
 * one. Stateless.
 */
final class Placeholders {

    private Placeholders() {
    }

    static String substitute(String value, Map<String, String> environment) {
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

    /** The first variable referenced without a default that the environment lacks, or {@code null}. */
    static String firstUnset(String raw, Map<String, String> environment) {
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
