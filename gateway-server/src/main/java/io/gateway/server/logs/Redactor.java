package io.gateway.server.logs;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes credentials out of what the request log stores, and cuts bodies to their limit. Runs on the
 * log's writer thread, never on a request's. Three passes over the text, each leaving {@code ****}
 * where a credential was: the values of JSON members whose name says they hold one
 * ({@code "api_key": "…"}, {@code "authorization": "…"}, {@code "password": "…"}, …); anything shaped
 * like a well-known key or token ({@code sk-…}, {@code AIza…}, {@code AKIA…}, {@code ghp_…},
 * {@code Bearer …}, JSON web tokens); and every secret of the gateway's own configuration (provider
 * keys, virtual keys, tokens) wherever it appears. Text-based, so it works on a body cut in the middle
 * as well as on a whole one. Immutable and thread-safe.
 */
final class Redactor {

    /** What a credential is replaced by. */
    static final String MASK = "****";

    /**
     * JSON members whose string value is a credential: names ending in api key, secret, password or
     * private key ({@code openai_api_key}, {@code client_secret}), and the usual token names. Bare
     * {@code token} and {@code key} are not among them: answers use them for other things (log
     * probabilities, cache keys); a credential there is still caught by its shape.
     */
    private static final Pattern SECRET_MEMBER = Pattern.compile(
            "(\"(?:(?:[A-Za-z0-9_.-]*[_.-])?(?:api[_-]?key|apikey|secret|secret[_-]?key|password|passwd|passphrase"
                    + "|private[_-]?key|credentials?)"
                    + "|authorization|proxy-authorization|access[_-]?token|refresh[_-]?token|id[_-]?token"
                    + "|auth[_-]?token|session[_-]?token|bearer[_-]?token|api[_-]?token)\"\\s*:\\s*)"
                    + "\"(?:[^\"\\\\]|\\\\.)*\"",
            Pattern.CASE_INSENSITIVE);

    /** Values shaped like keys and tokens, wherever they are. */
    private static final Pattern SECRET_VALUE = Pattern.compile(
            "\\bsk-[A-Za-z0-9_-]{12,}"                          // OpenAI, Anthropic (sk-ant-), virtual keys (sk-bf-)
                    + "|\\bAIza[0-9A-Za-z_-]{30,}"               // Google API keys
                    + "|\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b"          // AWS access key ids
                    + "|\\bgh[pousr]_[A-Za-z0-9]{30,}"            // GitHub tokens
                    + "|\\bxox[abprs]-[A-Za-z0-9-]{10,}"          // Slack tokens
                    + "|\\beyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}" // JSON web tokens
                    + "|(?i:\\bbearer)\\s+[A-Za-z0-9._~+/=-]{8,}");

    /** Secrets shorter than this are not searched for: they would match ordinary text. */
    private static final int MIN_SECRET = 6;

    private final List<String> secrets;

    /**
     * A redactor.
     *
     * @param secrets the configuration's secret values (shorter ones are ignored)
     */
    Redactor(Set<String> secrets) {
        this.secrets = secrets.stream().filter(s -> s != null && s.length() >= MIN_SECRET)
                // longest first, so a secret that contains another is masked whole
                .sorted(Comparator.comparingInt(String::length).reversed()).toList();
    }

    /**
     * Masks credentials in a text that is not a body, such as an error message.
     *
     * @param text the text, or {@code null}
     * @return the text without credentials, or {@code null}
     */
    String text(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        return exact(replaceAll(SECRET_VALUE.matcher(text), MASK));
    }

    /**
     * A body as stored: credentials masked, then cut to {@code maxBytes} of UTF-8 at a character
     * boundary.
     *
     * @param bytes    the body's UTF-8 bytes
     * @param maxBytes the limit
     * @return the stored text and whether it was cut
     */
    Body body(byte[] bytes, int maxBytes) {
        // Decode a little more than the limit, so that a credential across the cut is still recognised
        // (and masked) before the text is cut.
        int window = (int) Math.min(bytes.length, (long) maxBytes + 1024);
        return body(decode(bytes, window), maxBytes, bytes.length > window);
    }

    /**
     * A body given as text (an assembled stream answer), as {@link #body(byte[], int)} stores it.
     *
     * @param text     the text
     * @param maxBytes the limit
     * @param cut      whether the text is already incomplete
     * @return the stored text and whether it was cut
     */
    Body body(String text, int maxBytes, boolean cut) {
        String masked = exact(replaceAll(SECRET_VALUE.matcher(replaceAll(SECRET_MEMBER.matcher(text), "$1\"" + MASK
                + "\"")), MASK));
        int end = utf8Prefix(masked, maxBytes);
        return new Body(end == masked.length() ? masked : masked.substring(0, end), cut || end < masked.length());
    }

    /**
     * A stored body.
     *
     * @param text      the text
     * @param truncated whether it was cut at the limit
     */
    record Body(String text, boolean truncated) {
    }

    private String exact(String text) {
        String result = text;
        for (String secret : secrets) {
            if (result.contains(secret)) {
                result = result.replace(secret, MASK);
            }
        }
        return result;
    }

    private static String replaceAll(Matcher matcher, String replacement) {
        return matcher.replaceAll(replacement);
    }

    /** Decodes the first {@code length} bytes as UTF-8; a character cut at the end is dropped, bad bytes become U+FFFD. */
    private static String decode(byte[] bytes, int length) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        CharBuffer out = CharBuffer.allocate(length);
        ByteBuffer in = ByteBuffer.wrap(bytes, 0, length);
        decoder.decode(in, out, length == bytes.length);
        if (length == bytes.length) {
            decoder.flush(out);
        }
        out.flip();
        return out.toString();
    }

    /** The number of chars of {@code text} whose UTF-8 encoding fits {@code maxBytes}, not splitting a pair. */
    static int utf8Prefix(String text, int maxBytes) {
        long bytes = 0;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            int width;
            int chars = 1;
            if (c < 0x80) {
                width = 1;
            } else if (c < 0x800) {
                width = 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                width = 4;
                chars = 2;
            } else {
                width = 3;
            }
            if (bytes + width > maxBytes) {
                return i;
            }
            bytes += width;
            i += chars;
        }
        return i;
    }
}
