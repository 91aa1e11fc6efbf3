package io.gateway.plugins.cache;

import io.gateway.spi.Operation;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * What identifies a request to the cache: a canonical text of its body (keys sorted at every level,
 * numbers in one spelling, no whitespace, so JSON key order and formatting never matter), hashed with
 * SHA-256 together with the cache key and the operation. Fields that change only how the gateway
 * delivers the answer are left out ({@code stream}, {@code stream_options}: a stored answer replays
 * either way; {@code fallbacks}: which provider may answer, not what); headers never count.
 * Everything else that is in the body counts, the model ({@code provider/model}) included. Stateless.
 */
final class RequestKeys {

    /** Fields that do not change the answer, only how the gateway delivers it. */
    static final Set<String> DELIVERY_FIELDS = Set.of("stream", "stream_options", "fallbacks");

    /** The fields of each operation that hold the conversation's text: left out of the semantic scope. */
    private static final Set<String> TEXT_FIELDS = Set.of("messages", "prompt", "input", "instructions");

    private static final HexFormat HEX = HexFormat.of();

    private RequestKeys() {
    }

    /**
     * The store key of the exact entry: {@code cache:d:<sha-256>}.
     *
     * @param cacheKey  the request's cache key (the isolation boundary)
     * @param operation the operation
     * @param body      the request body as the cache sees it
     * @return the key
     */
    static String direct(String cacheKey, Operation operation, JsonObject body) {
        return "cache:d:" + hash(cacheKey, operation, canonical(body, DELIVERY_FIELDS));
    }

    /**
     * The scope of the semantic path: the cache key, the operation and every field but the text of the
     * conversation and the delivery fields ({@code cache:s:<sha-256>}); requests whose texts are
     * compared by meaning share it.
     *
     * @param cacheKey  the request's cache key
     * @param operation the operation
     * @param body      the request body
     * @return the scope's key
     */
    static String scope(String cacheKey, Operation operation, JsonObject body) {
        StringBuilder out = new StringBuilder(256);
        out.append('{');
        boolean first = true;
        for (String name : sorted(body.keySet())) {
            if (DELIVERY_FIELDS.contains(name) || TEXT_FIELDS.contains(name)) {
                continue;
            }
            if (!first) {
                out.append(',');
            }
            first = false;
            string(name, out);
            out.append(':');
            write(body.get(name), out);
        }
        return "cache:s:" + hash(cacheKey, operation, out.append('}').toString());
    }

    /**
     * The canonical text of a body: keys sorted (by UTF-16 code units) at every level, without the
     * named top-level fields, numbers as the shortest plain decimal ({@code 1.0} and {@code 1} are one),
     * strings with JSON's minimal escaping.
     *
     * @param body    the body
     * @param without top-level fields to leave out
     * @return the text
     */
    static String canonical(JsonObject body, Set<String> without) {
        StringBuilder out = new StringBuilder(256);
        out.append('{');
        boolean first = true;
        for (String name : sorted(body.keySet())) {
            if (without.contains(name)) {
                continue;
            }
            if (!first) {
                out.append(',');
            }
            first = false;
            string(name, out);
            out.append(':');
            write(body.get(name), out);
        }
        return out.append('}').toString();
    }

    private static List<String> sorted(Set<String> names) {
        List<String> list = new ArrayList<>(names);
        list.sort(null);
        return list;
    }

    private static void write(JsonValue value, StringBuilder out) {
        switch (value.getValueType()) {
            case OBJECT -> {
                JsonObject object = value.asJsonObject();
                out.append('{');
                boolean first = true;
                for (String name : sorted(object.keySet())) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    string(name, out);
                    out.append(':');
                    write(object.get(name), out);
                }
                out.append('}');
            }
            case ARRAY -> {
                out.append('[');
                boolean first = true;
                for (JsonValue item : (JsonArray) value) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    write(item, out);
                }
                out.append(']');
            }
            case STRING -> string(((JsonString) value).getString(), out);
            case NUMBER -> {
                java.math.BigDecimal number = ((JsonNumber) value).bigDecimalValue();
                out.append(number.signum() == 0 ? "0" : number.stripTrailingZeros().toPlainString());
            }
            case TRUE -> out.append("true");
            case FALSE -> out.append("false");
            case NULL -> out.append("null");
        }
    }

    private static void string(String text, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static String hash(String cacheKey, Operation operation, String canonical) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        byte[] key = cacheKey.getBytes(StandardCharsets.UTF_8);
        // length-prefixed, so no cache key can run into the operation or the body
        digest.update(new byte[] {(byte) (key.length >>> 24), (byte) (key.length >>> 16), (byte) (key.length >>> 8),
                (byte) key.length});
        digest.update(key);
        digest.update(operation.wireName().getBytes(StandardCharsets.US_ASCII));
        digest.update((byte) 0);
        return HEX.formatHex(digest.digest(canonical.getBytes(StandardCharsets.UTF_8)));
    }

    // ---------------------------------------------------------------- the text the semantic path embeds

    /**
     * The conversation's text as the semantic path embeds it: chat messages, a completion's prompt, a
     * Responses request's input (and instructions, as its system prompt).
     *
     * @param operation    chat, text completion or Responses
     * @param body         the body
     * @param conversation the last user message, or the whole history with roles
     * @param systemPrompt whether system (and developer) messages count
     * @return the text, or {@code null} when there is none to embed
     */
    static String text(Operation operation, JsonObject body, CacheSettings.Conversation conversation,
                       boolean systemPrompt) {
        List<String[]> turns = new ArrayList<>();
        switch (operation) {
            case CHAT_COMPLETION -> {
                if (body.get("messages") instanceof JsonArray messages) {
                    for (JsonValue item : messages) {
                        if (item instanceof JsonObject message) {
                            turns.add(new String[] {role(message), content(message.get("content"))});
                        }
                    }
                }
            }
            case TEXT_COMPLETION -> turns.add(new String[] {"user", content(body.get("prompt"))});
            case RESPONSES -> {
                if (body.get("instructions") instanceof JsonString instructions) {
                    turns.add(new String[] {"system", instructions.getString()});
                }
                JsonValue input = body.get("input");
                if (input instanceof JsonArray items) {
                    for (JsonValue item : items) {
                        if (item instanceof JsonObject message) {
                            turns.add(new String[] {role(message), content(message.get("content"))});
                        } else if (item instanceof JsonString text) {
                            turns.add(new String[] {"user", text.getString()});
                        }
                    }
                } else {
                    turns.add(new String[] {"user", content(input)});
                }
            }
            default -> {
                return null;
            }
        }
        for (String[] turn : turns) {
            if (turn[1] == null) {
                return null; // an image or a file: two such requests are not alike by their text alone
            }
        }
        if (conversation == CacheSettings.Conversation.LAST_USER) {
            StringBuilder out = new StringBuilder();
            if (systemPrompt) {
                for (String[] turn : turns) {
                    if (isSystem(turn[0]) && !turn[1].isEmpty()) {
                        out.append(turn[1]).append('\n');
                    }
                }
            }
            for (int i = turns.size() - 1; i >= 0; i--) {
                if (turns.get(i)[0].equals("user")) {
                    out.append(turns.get(i)[1]);
                    return out.toString().isBlank() ? null : out.toString();
                }
            }
            return null;
        }
        StringBuilder out = new StringBuilder();
        for (String[] turn : turns) {
            if ((!systemPrompt && isSystem(turn[0])) || turn[1].isEmpty()) {
                continue;
            }
            out.append(turn[0]).append(": ").append(turn[1]).append('\n');
        }
        return out.toString().isBlank() ? null : out.toString();
    }

    private static boolean isSystem(String role) {
        return role.equals("system") || role.equals("developer");
    }

    private static String role(JsonObject message) {
        return message.get("role") instanceof JsonString role ? role.getString() : "user";
    }

    /**
     * A content's text: a string, or the text parts of an array of parts; {@code null} when a part is
     * not text (an image, audio, a file).
     */
    private static String content(JsonValue content) {
        if (content instanceof JsonString text) {
            return text.getString();
        }
        if (content instanceof JsonArray parts) {
            StringBuilder out = new StringBuilder();
            for (JsonValue part : parts) {
                if (part instanceof JsonString text) {
                    out.append(out.isEmpty() ? "" : "\n").append(text.getString());
                } else if (part instanceof JsonObject object && object.get("text") instanceof JsonString text) {
                    out.append(out.isEmpty() ? "" : "\n").append(text.getString());
                } else {
                    return null;
                }
            }
            return out.toString();
        }
        return content == null || content == JsonValue.NULL ? "" : null;
    }
}
