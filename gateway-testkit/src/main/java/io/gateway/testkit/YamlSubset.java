package io.gateway.testkit;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the part of YAML that gateway configuration files use into plain Java values: block mappings
 * and sequences (a sequence may sit at its key's indentation), flow collections {@code [a, b]} and
 * {@code {a: b}} (also over several lines), plain, single- and double-quoted scalars, and comments.
 * Plain scalars are resolved as the server's YAML 1.1 loader resolves them and then written as text,
 * so the values a plugin reads are the server's: {@code yes} and {@code on} become {@code true},
 * {@code 0x1F} becomes {@code 31}, {@code 1_000} becomes {@code 1000}, {@code 1.50} becomes
 * {@code 1.5}, {@code ~} and {@code null} become no value. Duplicate keys are refused, as the server
 * refuses them.
 *
 * <p>Not supported, each refused with a message naming the line: block scalars ({@code |}, {@code >}),
 * anchors and aliases, tags, several documents. Timestamps stay text.
 *
 * <p>The result is a {@code Map<String, Object>} whose values are {@code String}, {@code null},
 * {@code List<Object>} or {@code Map<String, Object>}, in file order. Stateless; one instance per parse.
 */
final class YamlSubset {

    private static final Pattern BOOL = Pattern.compile(
            "yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF");
    /** The server's YAML loader's (SnakeYAML 2) implicit integer, as it resolves plain scalars. */
    private static final Pattern INT = Pattern.compile("[-+]?0b_*[0-1][0-1_]*|[-+]?0_*[0-7][0-7_]*|[-+]?(?:0|[1-9][0-9_]*)"
            + "|[-+]?0x_*[0-9a-fA-F][0-9a-fA-F_]*|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+");
    /** The loader's implicit float: a dot or an exponent is needed, so {@code 09} stays text. */
    private static final Pattern FLOAT = Pattern.compile("[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+]?[0-9]+)?"
            + "|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)|[-+]?\\.[0-9_]+(?:[eE][-+]?[0-9]+)?"
            + "|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN)");
    private static final Pattern NULL = Pattern.compile("~|null|Null|NULL");

    private record Line(int number, int indent, String text) {
    }

    private final List<Line> lines = new ArrayList<>();
    private int next;

    private YamlSubset(String yaml) {
        String[] raw = yaml.split("\r\n|\r|\n", -1);
        boolean started = false;
        for (int i = 0; i < raw.length; i++) {
            String text = raw[i];
            int indent = 0;
            while (indent < text.length() && text.charAt(indent) == ' ') {
                indent++;
            }
            if (indent < text.length() && text.charAt(indent) == '\t') {
                throw error(i + 1, "indentation uses a tab; YAML indents with spaces only");
            }
            String content = stripComment(text.substring(indent), i + 1).stripTrailing();
            if (content.isEmpty()) {
                continue;
            }
            if (indent == 0 && (content.equals("---") || content.startsWith("--- "))) {
                if (started) {
                    throw error(i + 1, "a second document ('---'); give one block");
                }
                started = true;
                content = content.substring(3).strip();
                if (content.isEmpty()) {
                    continue;
                }
            }
            if (indent == 0 && content.equals("...")) {
                break;
            }
            started = true;
            lines.add(new Line(i + 1, indent, content));
        }
    }

    /**
     * Parses a YAML mapping.
     *
     * @param yaml the text
     * @return the mapping, empty for an empty document
     * @throws IllegalArgumentException naming the line, for text outside the subset or not a mapping
     */
    static Map<String, Object> parse(String yaml) {
        YamlSubset parser = new YamlSubset(yaml);
        if (parser.lines.isEmpty()) {
            return new LinkedHashMap<>();
        }
        Line first = parser.lines.get(0);
        Object document = parser.node(first.indent());
        if (parser.next < parser.lines.size()) {
            Line stray = parser.lines.get(parser.next);
            throw error(stray.number(), "unexpected indentation or content: '" + stray.text() + "'");
        }
        if (!(document instanceof Map<?, ?> map)) {
            throw error(first.number(), "the configuration must be a block of keys (key: value), not "
                    + (document instanceof List<?> ? "a list" : "a single value"));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) map;
        return result;
    }

    private static IllegalArgumentException error(int line, String message) {
        return new IllegalArgumentException("YAML line " + line + ": " + message);
    }

    /** The node starting at the next line, which has the given indentation. */
    private Object node(int indent) {
        Line line = lines.get(next);
        if (isSequenceItem(line.text())) {
            return sequence(indent);
        }
        if (keyEnd(line.text(), line.number()) >= 0) {
            return mapping(indent);
        }
        next++;
        String text = line.text();
        if (text.startsWith("[") || text.startsWith("{")) {
            return flowAcrossLines(text, line);
        }
        Object value = scalar(text, line.number());
        if (next < lines.size() && lines.get(next).indent() > indent) {
            throw error(lines.get(next).number(), "a value continues on the next line; the test kit's YAML reader"
                    + " takes single-line values only (quote it on one line)");
        }
        return value;
    }

    private static boolean isSequenceItem(String text) {
        return text.equals("-") || text.startsWith("- ");
    }

    private Map<String, Object> mapping(int indent) {
        Map<String, Object> map = new LinkedHashMap<>();
        while (next < lines.size()) {
            Line line = lines.get(next);
            if (line.indent() < indent) {
                break;
            }
            if (line.indent() > indent) {
                throw error(line.number(), "unexpected indentation: '" + line.text() + "'");
            }
            if (isSequenceItem(line.text())) {
                throw error(line.number(), "a list item where a key was expected");
            }
            int colon = keyEnd(line.text(), line.number());
            if (colon < 0) {
                throw error(line.number(), "expected 'key: value', found '" + line.text() + "'");
            }
            String key = key(line.text().substring(0, colon).strip(), line.number());
            String rest = line.text().substring(colon + 1).strip();
            next++;
            Object value;
            if (!rest.isEmpty()) {
                value = inlineValue(rest, line, indent);
            } else if (next < lines.size() && lines.get(next).indent() > indent) {
                value = node(lines.get(next).indent());
            } else if (next < lines.size() && lines.get(next).indent() == indent
                    && isSequenceItem(lines.get(next).text())) {
                value = sequence(indent);
            } else {
                value = null;
            }
            if (map.containsKey(key)) {
                throw error(line.number(), "duplicate key '" + key + "'");
            }
            map.put(key, value);
        }
        return map;
    }

    private List<Object> sequence(int indent) {
        List<Object> list = new ArrayList<>();
        while (next < lines.size()) {
            Line line = lines.get(next);
            if (line.indent() != indent || !isSequenceItem(line.text())) {
                if (line.indent() > indent) {
                    throw error(line.number(), "unexpected indentation: '" + line.text() + "'");
                }
                break;
            }
            String rest = line.text().substring(1);
            int skipped = 1;
            while (skipped < line.text().length() && line.text().charAt(skipped) == ' ') {
                skipped++;
            }
            rest = rest.strip();
            if (rest.isEmpty()) {
                next++;
                if (next < lines.size() && lines.get(next).indent() > indent) {
                    list.add(node(lines.get(next).indent()));
                } else {
                    list.add(null);
                }
                continue;
            }
            // the item's content starts a node of its own at its column: "- key: v" or "- - x"
            lines.set(next, new Line(line.number(), indent + skipped, rest));
            if (isSequenceItem(rest) || keyEnd(rest, line.number()) >= 0) {
                list.add(node(indent + skipped));
            } else {
                next++;
                list.add(inlineValue(rest, line, indent + skipped));
            }
        }
        return list;
    }

    /** A value written after {@code key:} or {@code -} on the same line. */
    private Object inlineValue(String text, Line line, int indent) {
        char first = text.charAt(0);
        if (first == '|' || first == '>') {
            throw error(line.number(), "block scalars ('|' and '>') are not supported by the test kit's YAML"
                    + " reader; write the value on one line");
        }
        if (first == '[' || first == '{') {
            return flowAcrossLines(text, line);
        }
        Object value = scalar(text, line.number());
        if (next < lines.size() && lines.get(next).indent() > indent) {
            throw error(lines.get(next).number(), "a value continues on the next line; the test kit's YAML reader"
                    + " takes single-line values only (quote it on one line)");
        }
        return value;
    }

    /** A flow collection, joining the following lines until its brackets close. */
    private Object flowAcrossLines(String start, Line line) {
        StringBuilder text = new StringBuilder(start);
        while (!balanced(text)) {
            if (next >= lines.size()) {
                throw error(line.number(), "the '" + start.charAt(0) + "' opened here is never closed");
            }
            text.append(' ').append(lines.get(next++).text());
        }
        Flow flow = new Flow(text.toString(), line.number());
        Object value = flow.value();
        flow.skipSpaces();
        if (flow.position < flow.text.length()) {
            throw error(line.number(), "unexpected text after the closing bracket: '"
                    + flow.text.substring(flow.position) + "'");
        }
        return value;
    }

    private static boolean balanced(CharSequence text) {
        int depth = 0;
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == '\\' && quote == '"') {
                    i++;
                } else if (c == quote) {
                    if (quote == '\'' && i + 1 < text.length() && text.charAt(i + 1) == '\'') {
                        i++;
                    } else {
                        quote = 0;
                    }
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '[' || c == '{') {
                depth++;
            } else if (c == ']' || c == '}') {
                depth--;
            }
        }
        return depth <= 0;
    }

    /**
     * Where the key of a block mapping entry ends (the index of its {@code :}), or -1 when the text is
     * not a mapping entry.
     */
    private static int keyEnd(String text, int line) {
        if (text.isEmpty()) {
            return -1;
        }
        char first = text.charAt(0);
        if (first == '"' || first == '\'') {
            int close = closingQuote(text, 0, line);
            int colon = close + 1;
            while (colon < text.length() && text.charAt(colon) == ' ') {
                colon++;
            }
            return colon < text.length() && text.charAt(colon) == ':'
                    && (colon + 1 == text.length() || text.charAt(colon + 1) == ' ') ? colon : -1;
        }
        if (first == '[' || first == '{' || first == '&' || first == '*' || first == '!' || first == '?') {
            if (first == '&' || first == '*' || first == '!') {
                throw error(line, "anchors, aliases and tags are not supported by the test kit's YAML reader");
            }
            if (first == '?') {
                throw error(line, "complex keys ('?') are not supported by the test kit's YAML reader");
            }
            return -1;
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == ':' && (i + 1 == text.length() || text.charAt(i + 1) == ' ')) {
                return i;
            }
        }
        return -1;
    }

    private static int closingQuote(String text, int open, int line) {
        char quote = text.charAt(open);
        for (int i = open + 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote == '"' && c == '\\') {
                i++;
            } else if (c == quote) {
                if (quote == '\'' && i + 1 < text.length() && text.charAt(i + 1) == '\'') {
                    i++;
                } else {
                    return i;
                }
            }
        }
        throw error(line, "the quote " + quote + " opened here is never closed");
    }

    /** A key as text: quoted keys as written, plain keys resolved as values are and then written. */
    private static String key(String text, int line) {
        if (text.isEmpty()) {
            throw error(line, "a key is empty");
        }
        Object value = scalar(text, line);
        return String.valueOf(value);
    }

    /** One scalar: quoted (kept as text) or plain (resolved). */
    private static Object scalar(String text, int line) {
        char first = text.charAt(0);
        if (first == '"' || first == '\'') {
            int close = closingQuote(text, 0, line);
            if (close != text.length() - 1) {
                throw error(line, "unexpected text after a quoted value: '" + text.substring(close + 1) + "'");
            }
            return unquote(text, line);
        }
        if (first == '&' || first == '*' || first == '!') {
            throw error(line, "anchors, aliases and tags are not supported by the test kit's YAML reader");
        }
        if (first == '|' || first == '>') {
            throw error(line, "block scalars ('|' and '>') are not supported by the test kit's YAML reader");
        }
        if (first == '@' || first == '`') {
            throw error(line, "a plain value cannot start with '" + first + "'; quote it");
        }
        return resolve(text);
    }

    private static String unquote(String text, int line) {
        char quote = text.charAt(0);
        String body = text.substring(1, text.length() - 1);
        if (quote == '\'') {
            return body.replace("''", "'");
        }
        StringBuilder out = new StringBuilder(body.length());
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (++i >= body.length()) {
                throw error(line, "a backslash ends a double-quoted value");
            }
            char escaped = body.charAt(i);
            switch (escaped) {
                case '0' -> out.append('\0');
                case 'a' -> out.append('\u0007');
                case 'b' -> out.append('\b');
                case 't', '\t' -> out.append('\t');
                case 'n' -> out.append('\n');
                case 'v' -> out.append('\u000B');
                case 'f' -> out.append('\f');
                case 'r' -> out.append('\r');
                case 'e' -> out.append('\u001B');
                case ' ' -> out.append(' ');
                case '"' -> out.append('"');
                case '/' -> out.append('/');
                case '\\' -> out.append('\\');
                case 'N' -> out.append('\u0085');
                case '_' -> out.append('\u00A0');
                case 'L' -> out.append('\u2028');
                case 'P' -> out.append('\u2029');
                case 'x', 'u', 'U' -> {
                    int digits = escaped == 'x' ? 2 : escaped == 'u' ? 4 : 8;
                    try {
                        out.appendCodePoint(Integer.parseInt(body.substring(i + 1, i + 1 + digits), 16));
                    } catch (NumberFormatException | IndexOutOfBoundsException e) {
                        throw error(line, "the escape \\" + escaped + " needs " + digits + " hex digits");
                    }
                    i += digits;
                }
                default -> throw error(line, "unknown escape \\" + escaped + " in a double-quoted value");
            }
        }
        return out.toString();
    }

    /**
     * A plain scalar as the server's YAML 1.1 loader reads it, written back as text: {@code null} for
     * no value, {@code "true"}/{@code "false"} for booleans, the decimal form of integers and the
     * {@link Double#toString} form of floats.
     */
    static Object resolve(String text) {
        if (NULL.matcher(text).matches()) {
            return null;
        }
        if (BOOL.matcher(text).matches()) {
            String lower = text.toLowerCase(Locale.ROOT);
            return String.valueOf(lower.equals("yes") || lower.equals("true") || lower.equals("on"));
        }
        if (INT.matcher(text).matches()) {
            return integer(text.replace("_", "")).toString();
        }
        if (FLOAT.matcher(text).matches()) {
            return Double.toString(floating(text.replace("_", "")));
        }
        return text;
    }

    private static BigInteger integer(String text) {
        boolean negative = text.startsWith("-");
        String digits = text.startsWith("-") || text.startsWith("+") ? text.substring(1) : text;
        BigInteger value;
        if (digits.startsWith("0b")) {
            value = new BigInteger(digits.substring(2), 2);
        } else if (digits.startsWith("0x")) {
            value = new BigInteger(digits.substring(2), 16);
        } else if (digits.contains(":")) {
            value = BigInteger.ZERO;
            for (String part : digits.split(":")) {
                value = value.multiply(BigInteger.valueOf(60)).add(new BigInteger(part));
            }
        } else if (digits.length() > 1 && digits.startsWith("0")) {
            value = new BigInteger(digits.substring(1), 8);
        } else {
            value = new BigInteger(digits);
        }
        return negative ? value.negate() : value;
    }

    private static double floating(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".inf")) {
            return lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (lower.equals(".nan")) {
            return Double.NaN;
        }
        if (text.contains(":")) {
            boolean negative = text.startsWith("-");
            String digits = text.startsWith("-") || text.startsWith("+") ? text.substring(1) : text;
            double value = 0;
            for (String part : digits.split(":")) {
                value = value * 60 + Double.parseDouble(part);
            }
            return negative ? -value : value;
        }
        return Double.parseDouble(text);
    }

    /** Strips a comment: a {@code #} at the start or after a space, outside quotes. */
    private static String stripComment(String text, int line) {
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (quote == '"' && c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '#' && (i == 0 || text.charAt(i - 1) == ' ')) {
                return text.substring(0, i);
            } else if ((c == '"' || c == '\'') && (i == 0 || " [{,:-".indexOf(text.charAt(i - 1)) >= 0)) {
                quote = c;
            }
        }
        return text;
    }

    /** A flow collection on one (joined) line. */
    private static final class Flow {
        private final String text;
        private final int line;
        private int position;

        Flow(String text, int line) {
            this.text = text;
            this.line = line;
        }

        void skipSpaces() {
            while (position < text.length() && text.charAt(position) == ' ') {
                position++;
            }
        }

        Object value() {
            skipSpaces();
            if (position >= text.length()) {
                throw error(line, "a flow collection ends early");
            }
            char c = text.charAt(position);
            if (c == '[') {
                return list();
            }
            if (c == '{') {
                return map();
            }
            return flowScalar();
        }

        private List<Object> list() {
            position++;
            List<Object> list = new ArrayList<>();
            skipSpaces();
            if (peek() == ']') {
                position++;
                return list;
            }
            while (true) {
                Object item = value();
                skipSpaces();
                if (peek() == ':') {
                    // a single-pair mapping inside a list: [a: b]
                    position++;
                    Map<String, Object> pair = new LinkedHashMap<>();
                    pair.put(String.valueOf(item), value());
                    item = pair;
                    skipSpaces();
                }
                list.add(item);
                char c = peek();
                position++;
                if (c == ']') {
                    return list;
                }
                if (c != ',') {
                    throw error(line, "expected ',' or ']' in a flow list");
                }
                skipSpaces();
                if (peek() == ']') {
                    position++;
                    return list;
                }
            }
        }

        private Map<String, Object> map() {
            position++;
            Map<String, Object> map = new LinkedHashMap<>();
            skipSpaces();
            if (peek() == '}') {
                position++;
                return map;
            }
            while (true) {
                Object keyValue = value();
                String key = String.valueOf(keyValue);
                skipSpaces();
                Object value = null;
                if (peek() == ':') {
                    position++;
                    skipSpaces();
                    value = peek() == ',' || peek() == '}' ? null : value();
                    skipSpaces();
                }
                if (map.containsKey(key)) {
                    throw error(line, "duplicate key '" + key + "'");
                }
                map.put(key, value);
                char c = peek();
                position++;
                if (c == '}') {
                    return map;
                }
                if (c != ',') {
                    throw error(line, "expected ',' or '}' in a flow mapping");
                }
                skipSpaces();
                if (peek() == '}') {
                    position++;
                    return map;
                }
            }
        }

        private char peek() {
            if (position >= text.length()) {
                throw error(line, "a flow collection is not closed");
            }
            return text.charAt(position);
        }

        private Object flowScalar() {
            char first = text.charAt(position);
            if (first == '"' || first == '\'') {
                int close = closingQuote(text, position, line);
                String quoted = text.substring(position, close + 1);
                position = close + 1;
                return unquote(quoted, line);
            }
            int start = position;
            while (position < text.length()) {
                char c = text.charAt(position);
                if (c == ',' || c == ']' || c == '}' || c == '[' || c == '{') {
                    break;
                }
                if (c == ':' && (position + 1 == text.length() || " ,]}".indexOf(text.charAt(position + 1)) >= 0)) {
                    break;
                }
                position++;
            }
            String plain = text.substring(start, position).strip();
            if (plain.isEmpty()) {
                return null;
            }
            return scalar(plain, line);
        }
    }
}
