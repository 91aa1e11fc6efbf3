package io.gateway.spi;

/**
 * The operations the gateway serves, named as OpenAI's API names them; {@link #MESSAGES} and
 * {@link #COUNT_TOKENS} are Anthropic's Messages API.
 *
 * <p>Each constant knows its wire name (used in {@code extra_fields.request_type} of the error
 * envelope and in metrics) and how its streams are framed. Where an operation is served on the wire
 * (routes, upstream paths) is the server's and each provider's business, not the SPI's. Constants may
 * be added in minor versions: switch over them with a {@code default} branch.
 */
public enum Operation {
    /** {@code POST chat/completions}. */
    CHAT_COMPLETION("chat_completion", false),
    /** {@code POST completions} (legacy text completions). */
    TEXT_COMPLETION("text_completion", false),
    /** {@code POST responses} (the Responses API). */
    RESPONSES("responses", true),
    /** {@code POST embeddings}. */
    EMBEDDING("embedding", false),
    /** {@code POST images/generations}. */
    IMAGE_GENERATION("image_generation", true),
    /** {@code GET models}. */
    LIST_MODELS("list_models", false),
    /**
     * {@code POST messages}: Anthropic's Messages API, body and answer in Anthropic's format (named
     * stream events: {@code message_start} … {@code message_stop}). A provider that lists it in
     * {@link io.gateway.spi.provider.Provider#operations()} takes the client's Anthropic request as it
     * is (pass-through); for any other provider that offers {@link #CHAT_COMPLETION} the server
     * translates the request to a chat completion and the answer back. Since SPI 2.1.
     */
    MESSAGES("messages", true),
    /**
     * {@code POST messages/count_tokens}: Anthropic's token count of a Messages request, answered
     * {@code {"input_tokens": n}}. A provider that lists it counts upstream; for others the server
     * answers with an estimate, without an upstream call. Since SPI 2.1.
     */
    COUNT_TOKENS("count_tokens", false),
    /**
     * {@code POST rerank}: a query and documents in, the documents' indexes ordered by relevance out
     * ({@code results: [{index, relevance_score}]}), in the shape Cohere and Jina serve. Never streams.
     * Since SPI 2.1.
     */
    RERANK("rerank", false);

    private final String wireName;
    private final boolean namedEvents;

    Operation(String wireName, boolean namedEvents) {
        this.wireName = wireName;
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
                || this == IMAGE_GENERATION || this == MESSAGES;
    }
}
