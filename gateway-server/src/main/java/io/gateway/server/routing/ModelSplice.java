package io.gateway.server.routing;

import java.nio.charset.StandardCharsets;

/**
 * Forwards the client's own bytes with only the top-level {@code model} value replaced, instead of
 * rebuilding the parsed object and serializing it again (1 KB request: 0.9 µs instead of 3.0 µs;
 * 100 KB: 77 µs instead of 262 µs, {@code BodyRewriteBenchmark}). Answers {@code null} whenever the
 * plain rebuild must be used: no top-level {@code model} string, a duplicate or escaped key, or a body
 * it cannot scan. The bytes must already have parsed as a JSON object.
 */
public final class ModelSplice {

    private ModelSplice() {
    }

    /**
     * The body with its {@code model} value replaced.
     *
     * @param bytes the client's body, a JSON object that parsed successfully
     * @param model the model name to put in
     * @return the new bytes, or {@code null} to fall back to rebuilding the object
     */
    public static byte[] replaceModel(byte[] bytes, String model) {
        int[] range = topLevelValue(bytes, "model");
        if (range == null || bytes[range[0]] != '"') {
            return null;
        }
        byte[] replacement = quote(model);
        byte[] out = new byte[bytes.length - (range[1] - range[0]) + replacement.length];
        System.arraycopy(bytes, 0, out, 0, range[0]);
        System.arraycopy(replacement, 0, out, range[0], replacement.length);
        System.arraycopy(bytes, range[1], out, range[0] + replacement.length, bytes.length - range[1]);
        return out;
    }

    /** Start (inclusive) and end (exclusive) of the value of a top-level key, or {@code null}. */
    private static int[] topLevelValue(byte[] b, String key) {
        byte[] wanted = key.getBytes(StandardCharsets.US_ASCII);
        int[] found = null;
        int i = skipBlank(b, 0);
        if (i >= b.length || b[i] != '{') {
            return null;
        }
        i = skipBlank(b, i + 1);
        if (i < b.length && b[i] == '}') {
            return null;
        }
        while (i < b.length) {
            if (b[i] != '"') {
                return null;
            }
            int keyStart = i + 1;
            int keyEnd = endOfString(b, i);
            if (keyEnd < 0) {
                return null;
            }
            boolean match = keyEnd - 1 - keyStart == wanted.length;
            for (int k = keyStart; k < keyEnd - 1; k++) {
                if (b[k] == '\\') {
                    return null; // an escaped key might spell "model"; leave it to the rebuild
                }
                if (match && b[k] != wanted[k - keyStart]) {
                    match = false;
                }
            }
            i = skipBlank(b, keyEnd);
            if (i >= b.length || b[i] != ':') {
                return null;
            }
            int valueStart = skipBlank(b, i + 1);
            int valueEnd = endOfValue(b, valueStart);
            if (valueEnd < 0) {
                return null;
            }
            if (match) {
                if (found != null) {
                    return null; // duplicate key
                }
                found = new int[] {valueStart, valueEnd};
            }
            i = skipBlank(b, valueEnd);
            if (i >= b.length) {
                return null;
            }
            if (b[i] == '}') {
                return found;
            }
            if (b[i] != ',') {
                return null;
            }
            i = skipBlank(b, i + 1);
        }
        return null;
    }

    private static int skipBlank(byte[] b, int i) {
        while (i < b.length && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) {
            i++;
        }
        return i;
    }

    /** The index just past the closing quote of the string opening at {@code i}, or -1. */
    private static int endOfString(byte[] b, int i) {
        for (int k = i + 1; k < b.length; k++) {
            if (b[k] == '\\') {
                k++;
            } else if (b[k] == '"') {
                return k + 1;
            }
        }
        return -1;
    }

    /** The index just past the value starting at {@code i}, or -1. */
    private static int endOfValue(byte[] b, int i) {
        if (i >= b.length) {
            return -1;
        }
        byte first = b[i];
        if (first == '"') {
            return endOfString(b, i);
        }
        if (first == '{' || first == '[') {
            int depth = 0;
            for (int k = i; k < b.length; k++) {
                byte c = b[k];
                if (c == '"') {
                    k = endOfString(b, k) - 1;
                    if (k < 0) {
                        return -1;
                    }
                } else if (c == '{' || c == '[') {
                    depth++;
                } else if (c == '}' || c == ']') {
                    depth--;
                    if (depth == 0) {
                        return k + 1;
                    }
                }
            }
            return -1;
        }
        int k = i;
        while (k < b.length && b[k] != ',' && b[k] != '}' && b[k] != ']' && b[k] != ' ' && b[k] != '\n'
                && b[k] != '\r' && b[k] != '\t') {
            k++;
        }
        return k;
    }

    /** The JSON string literal for {@code text}: quotes, backslashes and control characters escaped. */
    private static byte[] quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int k = 0; k < text.length(); k++) {
            char c = text.charAt(k);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString().getBytes(StandardCharsets.UTF_8);
    }
}
