package io.gateway.server.mcp;

import io.gateway.server.core.ServerOutcome;
import io.gateway.server.telemetry.Telemetry;
import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Response;
import io.gateway.spi.TokenUsage;
import io.gateway.spi.middleware.Chain;
import io.gateway.spi.middleware.Exchange;
import io.gateway.spi.middleware.ToolAccess;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;

/**
 * MCP tools in OpenAI's chat format: {@code x-bf-mcp-tools} adds tools to a chat request,
 * {@code x-bf-mcp-agent: true} runs the tool loop in the gateway, and {@code mcp/tool/execute} runs one
 * {@code tool_call} for a client that runs its own loop. Every tool is filtered by the caller's
 * {@link ToolAccess}.
 *
 * <p>Thread-safe and stateless; one instance per gateway.
 */
final class ChatTools {

    /** Globs over {@code {server}__{tool}}: the tools to add to a chat request. */
    static final String TOOLS_HEADER = "x-bf-mcp-tools";
    /** {@code true}: the gateway runs the tool loop of a non-streaming chat request. */
    static final String AGENT_HEADER = "x-bf-mcp-agent";
    /** On an agent answer: how many times the model was called. */
    static final String STEPS_HEADER = "x-bf-mcp-agent-steps";
    /** On an answer: tools the request named exactly that no connected server offered, comma-separated. */
    static final String ABSENT_HEADER = "x-bf-mcp-tools-absent";
    /** On an execute answer: the tool reported an error ({@code isError}). */
    static final String TOOL_ERROR_HEADER = "x-bf-mcp-tool-error";
    /** The field of an agent answer that lists its steps. */
    static final String AGENT_FIELD = "x_bf_mcp_agent";

    /** OpenAI's rule for function names; tools with other names are not added to chat requests. */
    private static final Pattern FUNCTION_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final TypeRef<Map<String, Object>> MAP = new TypeRef<>() {
    };

    private final McpGateway gateway;
    private final int maxSteps;
    private final Telemetry telemetry;

    ChatTools(McpGateway gateway, int maxSteps, Telemetry telemetry) {
        this.gateway = gateway;
        this.maxSteps = maxSteps;
        this.telemetry = telemetry;
    }

    /**
     * Whether a chat request asks for MCP tools: two header look-ups, all an ordinary request costs.
     *
     * @param exchange the request
     * @return {@code true} with either header
     */
    static boolean wantsTools(Exchange exchange) {
        Headers headers = exchange.headers();
        return headers.first(TOOLS_HEADER).isPresent() || headers.first(AGENT_HEADER).isPresent();
    }

    // ---------------------------------------------------------------- chat

    /**
     * Serves a chat request with MCP headers: adds the tools, and runs the loop with the agent header.
     *
     * @param exchange the request
     * @param next     the rest of the chain
     * @return the answer
     */
    Response chat(Exchange exchange, Chain next) {
        String agentValue = exchange.headers().first(AGENT_HEADER).orElse("false").trim();
        boolean agent;
        if (agentValue.equalsIgnoreCase("true")) {
            agent = true;
        } else if (agentValue.equalsIgnoreCase("false")) {
            agent = false;
        } else {
            throw GatewayException.invalidRequest(AGENT_HEADER + " must be true or false", null);
        }
        String toolsValue = exchange.headers().first(TOOLS_HEADER).orElse(null);
        if (toolsValue == null && !agent) {
            return next.proceed(exchange);
        }
        if (!gateway.enabled()) {
            throw GatewayException.invalidRequest("no MCP tool servers are configured, so " + (agent ? AGENT_HEADER
                    : TOOLS_HEADER) + " has no tools to give; add them under gateway.mcp.servers (docs/mcp.md)", null);
        }
        List<String> globs = toolsValue == null ? List.of("*") : globs(toolsValue);
        ToolAccess access = McpGateway.access(exchange);
        Selection selection = select(globs, access, exchange.body());
        JsonObject body = withTools(exchange.body(), selection.tools());
        Exchange withTools = exchange.withBody(body);
        if (!agent) {
            return withAbsent(next.proceed(withTools), selection.absent());
        }
        if (exchange.stream()) {
            throw GatewayException.invalidRequest(AGENT_HEADER + " runs the tool loop of non-streaming chat only; send"
                    + " \"stream\": false, or drop the header and run the loop yourself with POST "
                    + "/v1/mcp/tool/execute", "stream");
        }
        if (exchange.headers().first("x-bf-async").map(v -> v.trim().equalsIgnoreCase("true")).orElse(false)) {
            throw GatewayException.invalidRequest(AGENT_HEADER + " cannot run as an async job; drop x-bf-async", null);
        }
        Set<String> mcpNames = new HashSet<>();
        for (McpGateway.GatewayTool tool : selection.tools()) {
            mcpNames.add(tool.name());
        }
        return withAbsent(loop(withTools, next, mcpNames, access), selection.absent());
    }

    private static List<String> globs(String header) {
        List<String> globs = new ArrayList<>();
        for (String part : header.split(",")) {
            String glob = part.trim();
            if (!glob.isEmpty()) {
                globs.add(glob);
            }
        }
        if (globs.isEmpty()) {
            throw GatewayException.invalidRequest(TOOLS_HEADER + " names no tools; write globs over {server}__{tool}, "
                    + "e.g. calc__add,notes__*", null);
        }
        return globs;
    }

    /** The tools chosen for a request, and the exact names asked for that no connected server offers. */
    private record Selection(List<McpGateway.GatewayTool> tools, List<String> absent) {
    }

    private Selection select(List<String> globs, ToolAccess access, JsonObject body) {
        ToolAccess asked = ToolAccess.of(globs);
        Set<String> own = clientFunctionNames(body);
        List<McpGateway.GatewayTool> chosen = new ArrayList<>();
        Set<String> chosenNames = new HashSet<>();
        for (McpGateway.GatewayTool tool : gateway.tools(access)) {
            if (asked.allows(tool.name()) && FUNCTION_NAME.matcher(tool.name()).matches()
                    && !own.contains(tool.name())) {
                chosen.add(tool);
                chosenNames.add(tool.name());
            }
        }
        List<String> absent = new ArrayList<>();
        for (String glob : globs) {
            if (glob.contains("*")) {
                continue;
            }
            if (!access.allows(glob)) {
                throw new ToolException(ToolException.Kind.FORBIDDEN, "tool '" + ToolServer.printable(glob)
                        + "' is not allowed for this virtual key; its allowed-tools name the tools it may use")
                        .toGatewayException();
            }
            if (!chosenNames.contains(glob) && !own.contains(glob)) {
                absent.add(ToolServer.printable(glob));
            }
        }
        return new Selection(chosen, absent);
    }

    private static Set<String> clientFunctionNames(JsonObject body) {
        Set<String> names = new HashSet<>();
        if (body.get("tools") instanceof JsonArray tools) {
            for (JsonValue tool : tools) {
                if (tool instanceof JsonObject object && object.get("function") instanceof JsonObject function
                        && function.get("name") instanceof JsonString name) {
                    names.add(name.getString());
                }
            }
        }
        return names;
    }

    /** The body with the chosen tools after the client's own, in OpenAI's function format. */
    private JsonObject withTools(JsonObject body, List<McpGateway.GatewayTool> tools) {
        if (tools.isEmpty()) {
            return body;
        }
        JsonArrayBuilder merged = JsonBodies.provider().createArrayBuilder();
        JsonValue existing = body.get("tools");
        if (existing != null && existing != JsonValue.NULL && !(existing instanceof JsonArray)) {
            throw GatewayException.invalidRequest("'tools' must be an array", "tools");
        }
        if (existing instanceof JsonArray array) {
            array.forEach(merged::add);
        }
        for (McpGateway.GatewayTool tool : tools) {
            JsonObjectBuilder function = JsonBodies.provider().createObjectBuilder().add("name", tool.name());
            if (tool.tool().description() != null) {
                function.add("description", tool.tool().description());
            }
            function.add("parameters", schema(tool.tool()));
            merged.add(JsonBodies.provider().createObjectBuilder().add("type", "function").add("function", function));
        }
        return JsonBodies.provider().createObjectBuilder(body).add("tools", merged).build();
    }

    private JsonObject schema(McpSchema.Tool tool) {
        try {
            JsonObject schema = JsonBodies.parse(gateway.mapper().writeValueAsString(tool.inputSchema()));
            return schema.containsKey("type") ? schema
                    : JsonBodies.provider().createObjectBuilder(schema).add("type", "object").build();
        } catch (java.io.IOException | RuntimeException e) {
            return JsonBodies.provider().createObjectBuilder().add("type", "object").build();
        }
    }

    private static Response withAbsent(Response response, List<String> absent) {
        if (absent.isEmpty()) {
            return response;
        }
        String value = String.join(",", absent);
        return switch (response) {
            case Response.Complete complete -> complete.withHeaders(complete.headers().with(ABSENT_HEADER, value));
            case Response.Streaming streaming -> streaming.withHeaders(streaming.headers().with(ABSENT_HEADER, value));
            case Response.Binary binary -> binary;
        };
    }

    // ---------------------------------------------------------------- the agent loop

    /**
     * Calls the model, runs the MCP tool calls it answers with (in parallel), appends their results and
     * calls it again, until it answers without tool calls, calls a tool that is not an MCP tool, or
     * {@code max-steps} model calls were made. The answer is the last one, with usage summed over the
     * steps and the steps listed in {@link #AGENT_FIELD}; the request's outcome gets the summed usage and
     * cost, so budgets and the request log see the whole loop.
     */
    private Response loop(Exchange exchange, Chain next, Set<String> mcpNames, ToolAccess access) {
        JsonValue messagesValue = exchange.body().get("messages");
        if (!(messagesValue instanceof JsonArray initial)) {
            throw GatewayException.invalidRequest("'messages' is required: an array of {role, content} objects",
                    "messages");
        }
        ServerOutcome outcome = ServerOutcome.of(exchange);
        List<JsonValue> messages = new ArrayList<>(initial);
        JsonArrayBuilder steps = JsonBodies.provider().createArrayBuilder();
        TokenUsage usage = null;
        BigDecimal cost = null;
        long[] usageSum = new long[3];
        boolean anyUsage = false;
        int step = 0;
        while (true) {
            step++;
            JsonObject body = JsonBodies.provider().createObjectBuilder(exchange.body())
                    .add("messages", array(messages)).build();
            TokenUsage usageBefore = outcome.usage().orElse(null);
            BigDecimal costBefore = outcome.costUsd().orElse(null);
            Response response;
            try {
                response = next.proceed(exchange.withBody(body));
            } finally {
                // each step's attempt replaces the outcome's usage and cost (a fresh object): add what is new
                TokenUsage stepUsage = outcome.usage().orElse(null);
                if (stepUsage != null && stepUsage != usageBefore) {
                    usage = usage == null ? stepUsage : usage.plus(stepUsage);
                }
                BigDecimal stepCost = outcome.costUsd().orElse(null);
                if (stepCost != null && stepCost != costBefore) {
                    cost = cost == null ? stepCost : cost.add(stepCost);
                }
                settle(outcome, usage, cost);
            }
            if (!(response instanceof Response.Complete complete) || complete.status() != 200) {
                return response;
            }
            JsonObject answer = complete.body();
            anyUsage |= addUsage(usageSum, answer);
            JsonObject message = firstMessage(answer);
            JsonArray calls = message == null || !(message.get("tool_calls") instanceof JsonArray array) ? null : array;
            String stopped = null;
            if (calls == null || calls.isEmpty()) {
                stopped = "answer";
            } else if (!allMcp(calls, mcpNames)) {
                stopped = "client_tools";
            } else if (step >= maxSteps) {
                stopped = "max_steps";
            }
            if (stopped != null) {
                steps.add(JsonBodies.provider().createObjectBuilder().add("step", step).add("tool_calls",
                        JsonBodies.provider().createArrayBuilder()));
                JsonObjectBuilder finalAnswer = JsonBodies.provider().createObjectBuilder(answer);
                if (anyUsage) {
                    finalAnswer.add("usage", summedUsage(answer, usageSum));
                }
                finalAnswer.add(AGENT_FIELD, JsonBodies.provider().createObjectBuilder()
                        .add("model_calls", step)
                        .add("stopped", stopped)
                        .add("steps", steps));
                return Response.Complete.of(200, complete.headers().with(STEPS_HEADER, Integer.toString(step)),
                        finalAnswer.build());
            }
            List<ToolRun> runs = execute(calls, access);
            JsonArrayBuilder stepCalls = JsonBodies.provider().createArrayBuilder();
            for (ToolRun run : runs) {
                stepCalls.add(JsonBodies.provider().createObjectBuilder()
                        .add("id", run.id()).add("name", run.name()).add("outcome", run.outcome()));
            }
            steps.add(JsonBodies.provider().createObjectBuilder().add("step", step).add("tool_calls", stepCalls));
            messages.add(message);
            for (ToolRun run : runs) {
                messages.add(run.message());
            }
        }
    }

    /**
     * One executed tool call.
     *
     * @param id      the call's id
     * @param name    the tool
     * @param outcome {@code ok}, {@code tool_error} or what failed
     * @param message the tool message for the model
     */
    private record ToolRun(String id, String name, String outcome, JsonObject message) {
    }

    private static void settle(ServerOutcome outcome, TokenUsage usage, BigDecimal cost) {
        if (usage != null) {
            outcome.usage(usage);
        }
        if (cost != null) {
            outcome.cost(cost);
        }
    }

    private static JsonArray array(List<JsonValue> values) {
        JsonArrayBuilder builder = JsonBodies.provider().createArrayBuilder();
        values.forEach(builder::add);
        return builder.build();
    }

    private static JsonObject firstMessage(JsonObject answer) {
        if (answer.get("choices") instanceof JsonArray choices && !choices.isEmpty()
                && choices.get(0) instanceof JsonObject choice && choice.get("message") instanceof JsonObject message) {
            return message;
        }
        return null;
    }

    private static boolean allMcp(JsonArray calls, Set<String> mcpNames) {
        for (JsonValue value : calls) {
            if (!(value instanceof JsonObject call) || !(call.get("function") instanceof JsonObject function)
                    || !(function.get("name") instanceof JsonString name) || !mcpNames.contains(name.getString())
                    || !(call.get("id") instanceof JsonString)) {
                return false;
            }
        }
        return true;
    }

    private static boolean addUsage(long[] sum, JsonObject answer) {
        if (!(answer.get("usage") instanceof JsonObject usage)) {
            return false;
        }
        String[] fields = {"prompt_tokens", "completion_tokens", "total_tokens"};
        for (int i = 0; i < fields.length; i++) {
            if (usage.get(fields[i]) instanceof JsonNumber number) {
                sum[i] += number.longValue();
            }
        }
        return true;
    }

    /** The last answer's usage object with its three totals replaced by the sums over the steps. */
    private static JsonObject summedUsage(JsonObject answer, long[] sum) {
        JsonObjectBuilder usage = answer.get("usage") instanceof JsonObject last
                ? JsonBodies.provider().createObjectBuilder(last) : JsonBodies.provider().createObjectBuilder();
        return usage.add("prompt_tokens", sum[0]).add("completion_tokens", sum[1]).add("total_tokens", sum[2]).build();
    }

    /** Runs the tool calls of one step in parallel; each yields its tool message, failures included. */
    private List<ToolRun> execute(JsonArray calls, ToolAccess access) {
        if (calls.size() == 1) {
            return List.of(run(calls.getJsonObject(0), access));
        }
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<ToolRun>> futures = new ArrayList<>();
            for (JsonValue call : calls) {
                JsonObject object = (JsonObject) call;
                java.util.concurrent.FutureTask<ToolRun> task = new java.util.concurrent.FutureTask<>(
                        () -> run(object, access));
                pool.execute(telemetry.inCurrentContext(task));
                futures.add(task);
            }
            List<ToolRun> results = new ArrayList<>();
            for (Future<ToolRun> future : futures) {
                try {
                    results.add(future.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("a tool call failed unexpectedly", e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw GatewayException.of(ErrorCode.INTERNAL, "the agent loop was interrupted");
                }
            }
            return results;
        }
    }

    /** One tool call as its tool message: the result's text, or what failed, for the model to read. */
    private ToolRun run(JsonObject call, ToolAccess access) {
        String id = call.getString("id");
        JsonObject function = call.getJsonObject("function");
        String name = function.getString("name");
        String outcome;
        String content;
        try {
            McpSchema.CallToolResult result = gateway.call(name, arguments(function), id, access);
            content = text(result);
            outcome = Boolean.TRUE.equals(result.isError()) ? "tool_error" : "ok";
        } catch (ToolException e) {
            content = "error: " + e.getMessage();
            outcome = e.kind().label();
        }
        JsonObject message = JsonBodies.provider().createObjectBuilder()
                .add("role", "tool").add("tool_call_id", id).add("content", content).build();
        return new ToolRun(id, name, outcome, message);
    }

    // ---------------------------------------------------------------- execute

    /**
     * {@code POST mcp/tool/execute}: one OpenAI {@code tool_call} in, its tool message out.
     *
     * @param exchange the request; its body is the tool call
     * @return {@code {"role": "tool", "tool_call_id": …, "content": …}}; {@value #TOOL_ERROR_HEADER} when
     *         the tool reported an error
     * @throws GatewayException when the body is not a tool call, or the tool is unknown, not allowed or
     *                          its server fails
     */
    Response execute(Exchange exchange) {
        JsonObject body = exchange.body();
        if (!(body.get("id") instanceof JsonString id) || id.getString().isBlank()) {
            throw GatewayException.invalidRequest("the body is one tool_call of a chat answer: {\"id\": \"call_…\", "
                    + "\"type\": \"function\", \"function\": {\"name\": \"{server}__{tool}\", \"arguments\": "
                    + "\"{…}\"}}; 'id' is missing", "id");
        }
        if (body.get("type") instanceof JsonString type && !type.getString().equals("function")) {
            throw GatewayException.invalidRequest("'type' must be function", "type");
        }
        if (!(body.get("function") instanceof JsonObject function) || !(function.get("name") instanceof JsonString name)
                || name.getString().isBlank()) {
            throw GatewayException.invalidRequest("'function' must be an object with the tool's 'name' "
                    + "({server}__{tool}) and its 'arguments' as a JSON string", "function");
        }
        McpSchema.CallToolResult result;
        try {
            result = gateway.call(name.getString(), arguments(function), id.getString(), McpGateway.access(exchange));
        } catch (ToolException e) {
            throw e.toGatewayException();
        }
        JsonObject message = JsonBodies.provider().createObjectBuilder()
                .add("role", "tool").add("tool_call_id", id.getString()).add("content", text(result)).build();
        Headers headers = Boolean.TRUE.equals(result.isError()) ? Headers.of(TOOL_ERROR_HEADER, "true") : Headers.empty();
        return Response.Complete.of(200, headers, message);
    }

    /** {@code function.arguments}: a JSON string holding an object (or an object, which some clients send). */
    private Map<String, Object> arguments(JsonObject function) {
        JsonValue value = function.get("arguments");
        String text;
        if (value == null || value == JsonValue.NULL) {
            return Map.of();
        } else if (value instanceof JsonString string) {
            text = string.getString();
            if (text.isBlank()) {
                return Map.of();
            }
        } else if (value instanceof JsonObject object) {
            text = object.toString();
        } else {
            throw new ToolException(ToolException.Kind.INVALID, "function.arguments must be a JSON object encoded as"
                    + " a string, e.g. \"{\\\"a\\\": 1}\"");
        }
        try {
            Map<String, Object> arguments = gateway.mapper().readValue(text, MAP);
            return arguments == null ? Map.of() : arguments;
        } catch (java.io.IOException | RuntimeException e) {
            throw new ToolException(ToolException.Kind.INVALID, "function.arguments is not a JSON object; the model "
                    + "must send the tool's arguments as one, e.g. \"{\\\"a\\\": 1}\"");
        }
    }

    /**
     * A tool result as the text of a tool message: its text items joined by newlines; other items
     * (images, resources) and a structured result without text as their JSON.
     */
    private String text(McpSchema.CallToolResult result) {
        StringBuilder text = new StringBuilder();
        List<McpSchema.Content> content = result.content() == null ? List.of() : result.content();
        for (McpSchema.Content item : content) {
            if (!text.isEmpty()) {
                text.append('\n');
            }
            if (item instanceof McpSchema.TextContent textContent) {
                text.append(textContent.text());
            } else {
                text.append(json(item));
            }
        }
        if (text.isEmpty() && result.structuredContent() != null) {
            text.append(json(result.structuredContent()));
        }
        return text.toString();
    }

    private String json(Object value) {
        try {
            return gateway.mapper().writeValueAsString(value);
        } catch (java.io.IOException | RuntimeException e) {
            return "";
        }
    }
}
