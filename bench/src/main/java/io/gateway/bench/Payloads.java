package io.gateway.bench;

import java.nio.charset.StandardCharsets;

/**
 * Fixed payloads shared by the benchmarks and the end-to-end harness: an OpenAI chat request grown to
 * a target size with realistic message text (escaped newlines and quotes, some non-ASCII), and a
 * typical {@code chat.completion.chunk} as OpenAI streams it.
 */
public final class Payloads {

    /** The bare model the gateway forwards for {@code openai/gpt-4o-mini}. */
    public static final String BARE_MODEL = "gpt-4o-mini";

    /** One streamed chat chunk, as OpenAI sends it in one {@code data:} line. */
    public static final String CHAT_CHUNK = "{\"id\":\"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT\","
            + "\"object\":\"chat.completion.chunk\",\"created\":1741569952,\"model\":\"gpt-4o-mini-2024-07-18\","
            + "\"system_fingerprint\":\"fp_06737a9306\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" Hello\"},"
            + "\"logprobs\":null,\"finish_reason\":null}]}";

    /** One Responses API stream event, sent as a named SSE event. */
    public static final String RESPONSES_DELTA = "{\"type\":\"response.output_text.delta\",\"sequence_number\":4,"
            + "\"item_id\":\"msg_67c9fdcecf488190bdd9a0409de3a1ec\",\"output_index\":0,\"content_index\":0,"
            + "\"delta\":\" Hello\"}";

    private static final String[] SENTENCES = {
        "Summarise the following meeting notes in three bullet points.\\nKeep each bullet under 20 words.",
        "The quarterly report shows revenue of 4.2M, up 12% year over year; churn fell to 3.1%.",
        "Please answer in the \\\"formal\\\" register and cite the section you used.",
        "Les résultats du trimestre sont meilleurs que prévu — merci de traduire en anglais.",
        "Here is the stack trace:\\n  at io.example.Service.call(Service.java:42)\\n  at io.example.Main.main",
    };

    private Payloads() {
    }

    /**
     * A chat completion request of about {@code targetBytes} bytes (never less), in the field order
     * the OpenAI SDKs send: {@code messages} first, then {@code model} and the sampling parameters.
     *
     * @param targetBytes the least size in bytes
     * @return UTF-8 JSON
     */
    public static byte[] chatRequest(int targetBytes) {
        String tail = "],\"model\":\"openai/" + BARE_MODEL + "\",\"temperature\":0.7,\"max_tokens\":256,"
                + "\"stream\":false,\"user\":\"bench-user-42\"}";
        StringBuilder json = new StringBuilder(targetBytes + 512);
        json.append("{\"messages\":[{\"role\":\"system\",\"content\":\"You are a concise assistant.\"}");
        int turn = 0;
        while (json.toString().getBytes(StandardCharsets.UTF_8).length + tail.length() < targetBytes) {
            json.append(",{\"role\":\"").append(turn % 2 == 0 ? "user" : "assistant").append("\",\"content\":\"")
                    .append(SENTENCES[turn % SENTENCES.length]).append("\"}");
            turn++;
        }
        json.append(tail);
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A chat completion answer of about {@code targetBytes}: one choice whose text is made of the
     * sentences above, then {@code usage} last, where OpenAI puts it.
     *
     * @param targetBytes the least size in bytes
     * @return UTF-8 JSON
     */
    public static byte[] chatAnswer(int targetBytes) {
        StringBuilder text = new StringBuilder(targetBytes);
        for (int i = 0; text.length() < targetBytes - 400; i++) {
            text.append(SENTENCES[i % SENTENCES.length]).append(' ');
        }
        String json = "{\"id\":\"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT\",\"object\":\"chat.completion\","
                + "\"created\":1741569952,\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,"
                + "\"message\":{\"role\":\"assistant\",\"content\":\"" + text + "\",\"refusal\":null,"
                + "\"annotations\":[]},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{"
                + "\"prompt_tokens\":19,\"completion_tokens\":" + (text.length() / 4) + ",\"total_tokens\":"
                + (19 + text.length() / 4) + ",\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
                + "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}},"
                + "\"service_tier\":\"default\",\"system_fingerprint\":\"fp_06737a9306\"}";
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A size given as {@code 1KB} or {@code 100KB}, in bytes.
     *
     * @param size the size
     * @return bytes
     */
    static int bytes(String size) {
        if (size.endsWith("KB")) {
            return Integer.parseInt(size.substring(0, size.length() - 2)) * 1024;
        }
        return Integer.parseInt(size);
    }
}
