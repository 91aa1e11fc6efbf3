package io.gateway.server.http;

/**
 * The API a route speaks, which decides the shape of its errors: the OpenAI-compatible routes answer
 * with the Bifrost-compatible envelope, the Anthropic routes with Anthropic's error object.
 */
enum ApiFormat {
    /** {@code /openai/v1/…}, {@code /v1/…}: the error envelope with {@code is_bifrost_error}. */
    OPENAI,
    /** {@code /anthropic/v1/…}: {@code {"type": "error", "error": {"type", "message"}}}. */
    ANTHROPIC,
    /**
     * {@code /mcp}: a JSON-RPC error object, {@code {"jsonrpc": "2.0", "id": null, "error": {"code",
     * "message", "data": {"type", "code", "request_id"}}}}, with the failure's HTTP status.
     */
    MCP
}
