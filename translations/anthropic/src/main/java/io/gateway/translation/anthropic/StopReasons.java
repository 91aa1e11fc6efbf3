package io.gateway.translation.anthropic;

/** Anthropic's {@code stop_reason} in OpenAI terms. */
final class StopReasons {

    private StopReasons() {
    }

    /**
     * The chat {@code finish_reason}: {@code end_turn}, {@code stop_sequence} and {@code pause_turn} are
     * {@code stop}; {@code max_tokens} and {@code model_context_window_exceeded} are {@code length};
     * {@code tool_use} is {@code tool_calls}; {@code refusal} is {@code content_filter}. Reasons added
     * to the API later read as {@code stop}.
     *
     * @param stopReason the Anthropic reason, may be {@code null}
     * @return the OpenAI finish reason
     */
    static String finishReason(String stopReason) {
        if (stopReason == null) {
            return "stop";
        }
        return switch (stopReason) {
            case "max_tokens", "model_context_window_exceeded" -> "length";
            case "tool_use" -> "tool_calls";
            case "refusal" -> "content_filter";
            default -> "stop";
        };
    }

    /**
     * For the Responses API: why a response is {@code incomplete}, or {@code null} when it is
     * {@code completed}.
     *
     * @param stopReason the Anthropic reason, may be {@code null}
     * @return {@code max_output_tokens}, {@code content_filter} or {@code null}
     */
    static String incompleteReason(String stopReason) {
        if (stopReason == null) {
            return null;
        }
        return switch (stopReason) {
            case "max_tokens", "model_context_window_exceeded" -> "max_output_tokens";
            case "refusal" -> "content_filter";
            default -> null;
        };
    }
}
