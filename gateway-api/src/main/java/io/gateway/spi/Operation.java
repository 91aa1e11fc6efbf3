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
    RERANK("rerank", false),
    /**

     * {@code POST audio/speech}: JSON in, audio bytes out ({@link Response.Binary}), or with
     * {@code "stream_format": "sse"} typed events. Since SPI 2.1.
     */
    SPEECH("speech", true),
    /**
     * {@code POST audio/transcriptions}: a {@link MultipartForm} with {@code file} and {@code model};
     * JSON out, or text for the text formats, or typed events with {@code stream=true}. Since SPI 2.1.
     */
    TRANSCRIPTION("transcription", true),
    /** {@code POST audio/translations}: like {@link #TRANSCRIPTION}, without streams. Since SPI 2.1. */
    TRANSLATION("translation", false),
    /**
     * {@code POST images/edits}: a {@link MultipartForm} with one or several images, an optional
     * {@code mask} and {@code prompt}; answers as {@link #IMAGE_GENERATION}. Since SPI 2.1.
     */
    IMAGE_EDIT("image_edit", true),
    /** {@code POST images/variations}: a {@link MultipartForm} with one {@code image}. Since SPI 2.1. */
    IMAGE_VARIATION("image_variation", false),
    /** {@code POST files}: a {@link MultipartForm} with {@code file} and {@code purpose}. Since SPI 2.1. */
    FILE_UPLOAD("file_upload", false),
    /** {@code GET files}, filtered by the query's {@code purpose}, {@code limit}, {@code after}, {@code order}. Since SPI 2.1. */
    FILE_LIST("file_list", false),
    /** {@code GET files/{file_id}}. Since SPI 2.1. */
    FILE_RETRIEVE("file_retrieve", false),
    /** {@code GET files/{file_id}/content}: the file's bytes ({@link Response.Binary}). Since SPI 2.1. */
    FILE_CONTENT("file_content", false),
    /** {@code DELETE files/{file_id}}. Since SPI 2.1. */
    FILE_DELETE("file_delete", false),
    /** {@code POST batches} (JSON: {@code input_file_id}, {@code endpoint}, {@code completion_window}). Since SPI 2.1. */
    BATCH_CREATE("batch_create", false),
    /** {@code GET batches} (query {@code after}, {@code limit}). Since SPI 2.1. */
    BATCH_LIST("batch_list", false),
    /** {@code GET batches/{batch_id}}. Since SPI 2.1. */
    BATCH_RETRIEVE("batch_retrieve", false),
    /** {@code POST batches/{batch_id}/cancel}. Since SPI 2.1. */
    BATCH_CANCEL("batch_cancel", false),
    /** {@code POST moderations}. Since SPI 2.1. */
    MODERATION("moderation", false),
    /**
     * Any method and path of a provider's own API, below its base URL ({@code /passthrough/{provider}/{path…}}):
     * endpoints the gateway does not model (fine-tuning, vector stores, Gemini's cached contents…). The
     * call's {@link io.gateway.spi.provider.ProviderCall#parameters() parameters} hold {@code method} (the
     * HTTP method), {@code path} (the path below the base URL as the client sent it: percent-encoded, no
     * leading slash, never a {@code .} or {@code ..} segment) and {@code query} (the raw query string,
     * empty when there is none); its {@link io.gateway.spi.provider.ProviderCall#content() content} is
     * the client's body, when it sent one, byte for byte. A provider that lists it sends the request with
     * its own key and authentication, the client's credentials removed, and relays the answer: events as
     * a stream, anything else as bytes. Since SPI 2.1.
     */
    PASSTHROUGH("passthrough", false),
    /**
     * {@code POST /mcp}: one JSON-RPC message of the Model Context Protocol to the gateway's own MCP
     * server (the tools of every connected tool server). The body is the JSON-RPC object; it names no
     * model. The server answers it itself after the middleware ran (authentication, tool access through
     * {@link io.gateway.spi.middleware.AttributeKey#TOOL_ACCESS}); it never reaches a provider. Since
     * SPI 2.1.
     */
    MCP("mcp", false),
    /**
     * {@code POST mcp/tool/execute}: one OpenAI {@code tool_call} object in, the {@code tool} message
     * that answers it out, executed by the gateway on the MCP tool server that owns the tool. Like
     * {@link #MCP} it names no model and never reaches a provider. Since SPI 2.1.
     */
    MCP_TOOL_EXECUTE("mcp_tool_execute", false);

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
     * Whether this operation's SSE frames are typed events: the JSON's {@code type} names each event
     * (Responses and image streams also write it on an {@code event:} line; audio streams need not),
     * and the stream ends without a {@code [DONE]} sentinel, as opposed to bare {@code data:} frames
     * ending in {@code data: [DONE]} (chat and text completions). A failure after the first event is
     * reported as a typed {@code error} event.
     *
     * @return {@code true} for named-event streams
     */
    public boolean namedEvents() {
        return namedEvents;
    }

    /**
     * Whether requests of this operation may ask for a stream: with {@code "stream": true} (a
     * {@code stream} field of {@code true} in a form), or for {@link #SPEECH} with
     * {@code "stream_format": "sse"}.
     *
     * @return {@code true} if the operation can stream
     */
    public boolean streamable() {
        return switch (this) {
            case CHAT_COMPLETION, TEXT_COMPLETION, RESPONSES, IMAGE_GENERATION, MESSAGES, SPEECH, TRANSCRIPTION,
                    IMAGE_EDIT -> true;
            default -> false;
        };
    }
}
