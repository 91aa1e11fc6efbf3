package io.gateway.server.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;

/**
 * The span of one MCP tool call, as the GenAI semantic conventions name it: {@code execute_tool
 * {gen_ai.tool.name}}, kind INTERNAL, a child of the current span (the request's, or on a worker the one
 * its task was bound to with {@link Telemetry#inCurrentContext}), with the tool's name, call id and
 * description and the MCP server that ran it. Arguments and results are never recorded.
 *
 * <p>Not thread-safe: started and ended by the thread that calls the tool.
 */
public final class ToolSpan {

    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
    static final AttributeKey<String> TOOL_NAME = AttributeKey.stringKey("gen_ai.tool.name");
    static final AttributeKey<String> TOOL_CALL_ID = AttributeKey.stringKey("gen_ai.tool.call.id");
    static final AttributeKey<String> TOOL_TYPE = AttributeKey.stringKey("gen_ai.tool.type");
    static final AttributeKey<String> TOOL_DESCRIPTION = AttributeKey.stringKey("gen_ai.tool.description");
    static final AttributeKey<String> MCP_SERVER = AttributeKey.stringKey("gateway.mcp.server");

    private static final ToolSpan NONE = new ToolSpan(null);

    private final Span span;

    private ToolSpan(Span span) {
        this.span = span;
    }

    /**
     * Starts the span, or nothing without tracing.
     *
     * @param telemetry   the telemetry
     * @param tool        the gateway's tool name, {@code {server}__{tool}}
     * @param callId      the model's tool call id, or {@code null}
     * @param server      the MCP server's configured name
     * @param description the tool's description, or {@code null}
     * @return the span
     */
    public static ToolSpan start(Telemetry telemetry, String tool, String callId, String server, String description) {
        if (!telemetry.tracing()) {
            return NONE;
        }
        var builder = telemetry.tracer().spanBuilder("execute_tool " + tool)
                .setSpanKind(SpanKind.INTERNAL)
                .setAttribute(OPERATION, "execute_tool")
                .setAttribute(TOOL_NAME, tool)
                .setAttribute(TOOL_TYPE, "extension")
                .setAttribute(MCP_SERVER, server);
        if (callId != null && !callId.isEmpty()) {
            builder.setAttribute(TOOL_CALL_ID, callId);
        }
        if (description != null && !description.isEmpty()) {
            builder.setAttribute(TOOL_DESCRIPTION, description.length() > 1024 ? description.substring(0, 1024)
                    : description);
        }
        return new ToolSpan(builder.startSpan());
    }

    /**
     * Ends the span.
     *
     * @param errorType {@code null} for a call that returned a result (also one whose tool reported an
     *                  error), else what failed, e.g. {@code tool_server_unavailable}; a result with
     *                  {@code isError} is recorded as {@code tool_error}
     */
    public void end(String errorType) {
        if (span == null) {
            return;
        }
        if (errorType != null) {
            span.setAttribute(RequestSpan.ERROR_TYPE, errorType);
            span.setStatus(StatusCode.ERROR, errorType);
        }
        span.end();
    }
}
