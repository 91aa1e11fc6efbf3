package io.gateway.translation.anthropic;

import io.gateway.spi.GatewayException;
import io.gateway.toolkit.json.Json;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/** The request settings chat completions and Responses share: limits, reasoning, sampling, tools. */
final class RequestOptions {

    /** Anthropic's smallest thinking budget. */
    static final int MIN_THINKING_BUDGET = 1024;

    private RequestOptions() {
    }

    /**
     * The thinking budget for an OpenAI reasoning effort: {@code minimal} and {@code low} 1024,
     * {@code medium} 4096, {@code high} 16384; {@code none} (or no effort) turns thinking off.
     *
     * @param effort the effort, may be {@code null}
     * @param param  the request field, for errors
     * @return the budget, 0 for no thinking
     */
    static int thinkingBudget(JsonValue effort, String param) {
        if (Json.absent(effort)) {
            return 0;
        }
        if (!(effort instanceof JsonString string)) {
            throw GatewayException.invalidRequest("'" + param + "' must be one of none, minimal, low, medium, high",
                    param);
        }
        return switch (string.getString()) {
            case "none" -> 0;
            case "minimal", "low" -> MIN_THINKING_BUDGET;
            case "medium" -> 4096;
            case "high" -> 16384;
            default -> throw GatewayException.invalidRequest("'" + param + "' must be one of none, minimal, low, "
                    + "medium, high, not '" + string.getString() + "'", param);
        };
    }

    /**
     * Sets {@code max_tokens} and, when reasoning was asked for, {@code thinking}.
     *
     * <p>Anthropic counts thinking inside {@code max_tokens} and needs a budget of at least 1024 below it.
     * A client limit stays as it is and caps the budget; without one the budget is added to
     * {@code default-max-tokens}, so thinking does not eat the answer's room.
     *
     * @param out         the Messages request
     * @param requested   the client's output limit, or {@code null}
     * @param budget      the thinking budget, 0 for none
     * @param defaultMax  {@code default-max-tokens}
     * @param limitParam  the client's limit field, for errors
     */
    static void limits(JsonObjectBuilder out, Integer requested, int budget, int defaultMax, String limitParam) {
        int max;
        int thinking = budget;
        if (requested != null) {
            max = requested;
            if (thinking > 0) {
                thinking = Math.min(thinking, max - 1);
                if (thinking < MIN_THINKING_BUDGET) {
                    throw GatewayException.invalidRequest("reasoning on anthropic needs a thinking budget of at least "
                            + MIN_THINKING_BUDGET + " tokens below the output limit: raise '" + limitParam
                            + "' above " + MIN_THINKING_BUDGET + " or do not ask for reasoning", limitParam);
                }
            }
        } else {
            max = (int) Math.min(Integer.MAX_VALUE, (long) defaultMax + thinking);
        }
        out.add("max_tokens", max);
        if (thinking > 0) {
            out.add("thinking", Json.object().add("type", "enabled").add("budget_tokens", thinking));
        }
    }

    /**
     * Copies a number field ({@code temperature}, {@code top_p}) as it is; Anthropic judges its range.
     *
     * @param body  the request
     * @param field the field
     * @param out   the Messages request
     */
    static void number(JsonObject body, String field, JsonObjectBuilder out) {
        JsonValue value = body.get(field);
        if (Json.absent(value)) {
            return;
        }
        if (!(value instanceof JsonNumber)) {
            throw GatewayException.invalidRequest("'" + field + "' must be a number", field);
        }
        out.add(field, value);
    }

    /**
     * {@code metadata.user_id} from the end-user id: {@code user}, or the newer {@code safety_identifier}.
     *
     * @param body the request
     * @param out  the Messages request
     */
    static void endUser(JsonObject body, JsonObjectBuilder out) {
        String user = Json.text(body, "user");
        if (user == null || user.isBlank()) {
            user = Json.text(body, "safety_identifier");
        }
        if (user != null && !user.isBlank()) {
            out.add("metadata", Json.object().add("user_id", user));
        }
    }

    /**
     * An Anthropic tool from an OpenAI function definition.
     *
     * @param name         the function name
     * @param description  its description, may be {@code null}
     * @param parameters   its JSON schema, may be {@code null} (no parameters)
     * @param cacheControl a {@code cache_control} the client set on the tool, or {@code null}
     * @param param        the request field, for errors
     * @return the tool
     */
    static JsonObject tool(String name, String description, JsonValue parameters, JsonValue cacheControl,
                           String param) {
        if (name == null || name.isBlank()) {
            throw GatewayException.invalidRequest("every function tool needs a name", param);
        }
        JsonObjectBuilder tool = Json.object().add("name", name);
        if (description != null && !description.isEmpty()) {
            tool.add("description", description);
        }
        if (Json.absent(parameters)) {
            tool.add("input_schema", Json.object().add("type", "object").add("properties", Json.object()));
        } else if (parameters instanceof JsonObject schema) {
            tool.add("input_schema", schema);
        } else {
            throw GatewayException.invalidRequest("the parameters of function '" + name + "' must be a JSON schema "
                    + "object", param);
        }
        if (cacheControl instanceof JsonObject object) {
            tool.add("cache_control", object);
        }
        return tool.build();
    }

    /**
     * Anthropic's {@code tool_choice}: {@code auto}, {@code none}, {@code required} (as {@code any}), or a
     * named function, in the chat form {@code {type:function, function:{name}}} or the Responses form
     * {@code {type:function, name}}. {@code parallel_tool_calls: false} becomes
     * {@code disable_parallel_tool_use}.
     *
     * @param choice           the client's {@code tool_choice}, may be {@code null}
     * @param parallelDisabled whether the client sent {@code parallel_tool_calls: false}
     * @return the value, or {@code null} to send none
     */
    static JsonObject toolChoice(JsonValue choice, boolean parallelDisabled) {
        String type;
        String name = null;
        if (Json.absent(choice)) {
            if (!parallelDisabled) {
                return null;
            }
            type = "auto";
        } else if (choice instanceof JsonString string) {
            type = switch (string.getString()) {
                case "auto" -> "auto";
                case "required" -> "any";
                case "none" -> "none";
                default -> throw GatewayException.invalidRequest("'tool_choice' must be auto, none, required or "
                        + "{\"type\":\"function\",…}, not '" + string.getString() + "'", "tool_choice");
            };
        } else if (choice instanceof JsonObject object && "function".equals(Json.text(object, "type"))) {
            name = Json.text(Json.objectField(object, "function"), "name");
            if (name == null) {
                name = Json.text(object, "name");
            }
            if (name == null || name.isBlank()) {
                throw GatewayException.invalidRequest("'tool_choice' names no function", "tool_choice");
            }
            type = "tool";
        } else {
            String given = choice instanceof JsonObject object ? Json.text(object, "type") : null;
            throw GatewayException.invalidRequest("the anthropic provider supports 'tool_choice' auto, none, required "
                    + "and a named function" + (given == null ? "" : ", not '" + given + "'"), "tool_choice");
        }
        JsonObjectBuilder out = Json.object().add("type", type);
        if (name != null) {
            out.add("name", name);
        }
        if (parallelDisabled && !type.equals("none")) {
            out.add("disable_parallel_tool_use", true);
        }
        return out.build();
    }

    /**
     * Whether the client turned parallel tool calls off.
     *
     * @param body the request
     * @return {@code true} for {@code parallel_tool_calls: false}
     */
    static boolean parallelDisabled(JsonObject body) {
        return body.get("parallel_tool_calls") == JsonValue.FALSE;
    }
}
