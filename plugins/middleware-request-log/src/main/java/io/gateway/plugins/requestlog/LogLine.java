package io.gateway.plugins.requestlog;

/**
 * Builds one {@code key=value} line.
 *
 * <p>Values are quoted when they contain anything a log parser would split on, and control characters
 * are escaped, so a client-chosen value (a request id, a model name, an allowed header) can neither
 * break the line apart nor forge a second line.
 */
final class LogLine {

    private final StringBuilder text = new StringBuilder(256);

    LogLine add(String key, String value) {
        if (!text.isEmpty()) {
            text.append(' ');
        }
        text.append(key).append('=');
        appendValue(value);
        return this;
    }

    LogLine add(String key, long value) {
        return add(key, Long.toString(value));
    }

    LogLine add(String key, boolean value) {
        return add(key, Boolean.toString(value));
    }

    private void appendValue(String value) {
        if (!needsQuotes(value)) {
            text.append(value);
            return;
        }
        text.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> text.append("\\\"");
                case '\\' -> text.append("\\\\");
                case '\n' -> text.append("\\n");
                case '\r' -> text.append("\\r");
                case '\t' -> text.append("\\t");
                default -> {
                    if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                        text.append(String.format("\\u%04x", (int) c));
                    } else {
                        text.append(c);
                    }
                }
            }
        }
        text.append('"');
    }

    private static boolean needsQuotes(String value) {
        if (value.isEmpty()) {
            return true;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c == '"' || c == '=' || c == '\\' || Character.isISOControl(c)
                    || Character.isWhitespace(c) || c == '\u2028' || c == '\u2029') {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return text.toString();
    }
}
