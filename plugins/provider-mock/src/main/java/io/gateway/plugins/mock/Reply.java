package io.gateway.plugins.mock;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The generated text of one choice, as words, and whether a token limit cut it short.
 *
 * <p>One word counts as one token. That is far from a real tokenizer, but it is what makes usage
 * numbers something a test can compute by hand.
 *
 * @param words     the words of the text
 * @param truncated whether {@code max_tokens} (or its equivalent) cut the text
 */
record Reply(List<String> words, boolean truncated) {

    /** How many words of the prompt an answer echoes; enough to recognise the prompt, no more. */
    static final int ECHOED_WORDS = 12;

    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    Reply {
        words = List.copyOf(words);
    }

    /**
     * The reply to a prompt: {@code lead} followed by the prompt's first words, or {@code fallback}
     * when the prompt has no text (for example a prompt of token ids).
     *
     * @param lead      e.g. {@code "This is a mock response to:"}
     * @param fallback  e.g. {@code "This is a mock response."}
     * @param prompt    the text being answered, may be empty
     * @param maxTokens the token limit, or {@code null} for none
     * @return the reply
     */
    static Reply to(String lead, String fallback, String prompt, Integer maxTokens) {
        List<String> promptWords = split(prompt);
        List<String> words = new ArrayList<>();
        if (promptWords.isEmpty()) {
            words.addAll(split(fallback));
        } else {
            words.addAll(split(lead));
            int echoed = Math.min(ECHOED_WORDS, promptWords.size());
            words.addAll(promptWords.subList(0, echoed));
            if (promptWords.size() > echoed) {
                words.set(words.size() - 1, words.get(words.size() - 1) + "...");
            }
        }
        if (maxTokens != null && maxTokens < words.size()) {
            return new Reply(words.subList(0, maxTokens), true);
        }
        return new Reply(words, false);
    }

    /** Whitespace-separated words: the mock's token estimate for any text. */
    static List<String> split(String text) {
        if (text == null) {
            return List.of();
        }
        String stripped = text.strip();
        return stripped.isEmpty() ? List.of() : List.of(WHITESPACE.split(stripped));
    }

    static int tokens(String text) {
        return split(text).size();
    }

    String text() {
        return String.join(" ", words);
    }

    int tokens() {
        return words.size();
    }

    /** The stream deltas: one per word, later ones with their leading space so they concatenate. */
    List<String> deltas() {
        List<String> deltas = new ArrayList<>(words.size());
        for (int i = 0; i < words.size(); i++) {
            deltas.add(i == 0 ? words.get(i) : " " + words.get(i));
        }
        return deltas;
    }

    /** OpenAI's finish reason for chat and text completions. */
    String finishReason() {
        return truncated ? "length" : "stop";
    }
}
