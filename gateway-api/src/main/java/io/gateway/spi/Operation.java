package io.gateway.spi;

/**
 * The OpenAI-format operations the gateway serves.
 *
 * <p>Each constant knows its wire name (used in {@code extra_fields.request_type} of the error
 * envelope and in metrics), the path below {@code /v1/} where OpenAI serves it, and how its streams
 * are framed.
 */
public enum Operation {
    /** {@code POST chat/completions}. */
    CHAT_COMPLETION("chat_completion", "chat/completions", false),
    /** {@code POST completions} (legacy text completions). */
    TEXT_COMPLETION("text_completion", "completions", false),
    /** {@code POST responses} (the Responses API). */
    RESPONSES("responses", "responses", true),
    /** {@code POST embeddings}. */
    EMBEDDING("embedding", "embeddings", false),
    /** {@code POST images/generations}. */
    IMAGE_GENERATION("image_generation", "images/generations", true),
    /** {@code GET models}. */
    LIST_MODELS("list_models", "models", false);

    private final String wireName;
    private final String path;
    private final boolean namedEvents;

    Operation(String wireName, String path, boolean namedEvents) {
        this.wireName = wireName;
        this.path = path;
        this.namedEvents = namedEvents;
    }

    /**
     * The request type as written on the wire, e.g. {@code chat_completion}.
     *
     * @return the wire name
     */
    public String wireName() {
        return wireName;
    }

    /**
     * The path below an OpenAI base URL ({@code .../v1/}), e.g. {@code chat/completions}.
     *
     * @return the relative path, without a leading slash
     */
    public String path() {
        return path;
    }

    /**
     * Whether this operation's SSE frames carry an {@code event:} line naming the JSON's
     * {@code type} and end without a {@code [DONE]} sentinel (Responses and image streams), as
     * opposed to bare {@code data:} frames ending in {@code data: [DONE]} (chat and text completions).
     *
     * @return {@code true} for named-event streams
     */
    public boolean namedEvents() {
        return namedEvents;
    }

    /**
     * Whether requests of this operation may ask for a stream with {@code "stream": true}.
     *
     * @return {@code true} if the operation can stream
     */
    public boolean streamable() {
        return this == CHAT_COMPLETION || this == TEXT_COMPLETION || this == RESPONSES
                || this == IMAGE_GENERATION;
    }
}
