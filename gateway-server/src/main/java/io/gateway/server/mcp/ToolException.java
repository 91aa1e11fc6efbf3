package io.gateway.server.mcp;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.modelcontextprotocol.spec.McpSchema;

/**
 * Why a tool could not be listed or called. Each surface says it its own way: {@code /mcp} as a
 * JSON-RPC error ({@link #jsonRpcCode()}), the execute route as the gateway's error envelope
 * ({@link #toGatewayException()}), the agent loop as the text of the tool message the model reads.
 * Messages never hold a header value, an argument or a result; they name the tool and the server.
 *
 * <p>Immutable; made and thrown on the thread that called the tool. Never {@code null} kind or message.
 */
public final class ToolException extends RuntimeException {

    /** What went wrong. */
    public enum Kind {
        /** No connected server offers a tool of that name. */
        UNKNOWN(new ErrorCode(404, "not_found_error", "tool_not_found", false, false),
                McpSchema.ErrorCodes.INVALID_PARAMS),
        /** The caller's virtual key does not allow the tool. */
        FORBIDDEN(new ErrorCode(403, "permission_error", "tool_not_allowed", false, false),
                McpSchema.ErrorCodes.INVALID_PARAMS),
        /** The request names the tool or its arguments badly. */
        INVALID(ErrorCode.INVALID_REQUEST, McpSchema.ErrorCodes.INVALID_PARAMS),
        /** The tool's server is not connected, or its connection failed during the call. */
        UNAVAILABLE(new ErrorCode(503, "tool_server_unavailable", "tool_server_unavailable", true, true),
                McpSchema.ErrorCodes.INTERNAL_ERROR),
        /** The tool's server did not answer within its timeout. */
        TIMEOUT(ErrorCode.TIMEOUT, McpSchema.ErrorCodes.INTERNAL_ERROR),
        /** The tool's server answered the call with a JSON-RPC error. */
        REFUSED(new ErrorCode(502, "tool_server_error", "tool_server_error", false, false),
                McpSchema.ErrorCodes.INTERNAL_ERROR),
        /** The tool's server answered something unusable. */
        FAILED(new ErrorCode(502, "tool_server_error", "tool_server_error", false, false),
                McpSchema.ErrorCodes.INTERNAL_ERROR);

        private final ErrorCode errorCode;
        private final int jsonRpcCode;

        Kind(ErrorCode errorCode, int jsonRpcCode) {
            this.errorCode = errorCode;
            this.jsonRpcCode = jsonRpcCode;
        }

        /**
         * The label of {@code gateway_mcp_tool_calls_total}'s {@code outcome}.
         *
         * @return e.g. {@code unavailable}
         */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Kind kind;
    private final int jsonRpcCode;

    /**
     * A failure with the kind's JSON-RPC code.
     *
     * @param kind    what went wrong
     * @param message what to tell the caller, naming the fix
     */
    public ToolException(Kind kind, String message) {
        this(kind, message, kind.jsonRpcCode);
    }

    /**
     * A failure with a JSON-RPC code of its own (a server's error, relayed).
     *
     * @param kind        what went wrong
     * @param message     what to tell the caller
     * @param jsonRpcCode the code for {@code /mcp}
     */
    public ToolException(Kind kind, String message, int jsonRpcCode) {
        super(message, null, false, false);
        this.kind = kind;
        this.jsonRpcCode = jsonRpcCode;
    }

    /**
     * What went wrong.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }

    /**
     * The JSON-RPC error code for {@code /mcp}.
     *
     * @return e.g. -32602
     */
    public int jsonRpcCode() {
        return jsonRpcCode;
    }

    /**
     * The failure as the OpenAI routes answer it.
     *
     * @return the exception, with the kind's status and codes
     */
    public GatewayException toGatewayException() {
        return new GatewayException(kind.errorCode, getMessage(), kind == Kind.INVALID ? "function" : null, null,
                null);
    }
}
