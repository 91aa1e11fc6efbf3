package io.gateway.plugins.requestlog;

import java.util.LinkedHashMap;
import java.util.Map;

/** Parses a logged line back into its pairs, as a log shipper would, undoing the quoting. */
final class KeyValues {

    private KeyValues() {
    }

    static Map<String, String> parse(String line) {
        Map<String, String> pairs = new LinkedHashMap<>();
        int i = 0;
        while (i < line.length()) {
            int equals = line.indexOf('=', i);
            if (equals < 0) {
                throw new IllegalArgumentException("no '=' after position " + i + " in: " + line);
            }
            String key = line.substring(i, equals);
            if (key.isEmpty() || key.contains(" ")) {
                throw new IllegalArgumentException("bad key '" + key + "' in: " + line);
            }
            StringBuilder value = new StringBuilder();
            i = equals + 1;
            if (i < line.length() && line.charAt(i) == '"') {
                i++;
                while (line.charAt(i) != '"') {
                    char c = line.charAt(i);
                    if (c == '\\') {
                        char escaped = line.charAt(i + 1);
                        switch (escaped) {
                            case 'n' -> value.append('\n');
                            case 'r' -> value.append('\r');
                            case 't' -> value.append('\t');
                            case 'u' -> {
                                value.append((char) Integer.parseInt(line.substring(i + 2, i + 6), 16));
                                i += 4;
                            }
                            default -> value.append(escaped);
                        }
                        i += 2;
                    } else {
                        value.append(c);
                        i++;
                    }
                }
                i++;
            } else {
                while (i < line.length() && line.charAt(i) != ' ') {
                    value.append(line.charAt(i++));
                }
            }
            if (pairs.put(key, value.toString()) != null) {
                throw new IllegalArgumentException("duplicate key '" + key + "' in: " + line);
            }
            if (i < line.length()) {
                if (line.charAt(i) != ' ') {
                    throw new IllegalArgumentException("expected a space at " + i + " in: " + line);
                }
                i++;
            }
        }
        return pairs;
    }
}
