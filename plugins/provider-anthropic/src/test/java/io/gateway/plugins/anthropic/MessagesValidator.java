package io.gateway.plugins.anthropic;

import io.gateway.toolkit.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a Messages request the way Anthropic's API does, so a translation that would be refused in
 * production fails here with a 400 {@code invalid_request_error}: required fields, unknown fields, role
 * alternation starting with {@code user}, no {@code system} role inside {@code messages}, non-empty
 * content, block shapes, {@code tool_result} answering the {@code tool_use} blocks of the turn right
 * before it (and coming first in its turn), tool and thinking settings.
 */
final class MessagesValidator {

    private static final Set<String> FIELDS = Set.of("model", "messages", "max_tokens", "system", "stop_sequences",
            "stream", "temperature", "top_p", "top_k", "tools", "tool_choice", "thinking", "metadata", "service_tier");
    private static final Set<String> IMAGE_TYPES = Set.of("image/jpeg", "image/png", "image/gif", "image/webp");

    private MessagesValidator() {
    }

    /**
     * The problem Anthropic would report, or {@code null} for a valid request.
     *
     * @param body the request body
     * @return the message of the 400, or {@code null}
     */
    static String problem(JsonObject body) {
        for (String field : body.keySet()) {
            if (!FIELDS.contains(field)) {
                return field + ": Extra inputs are not permitted";
            }
        }
        if (!(body.get("model") instanceof JsonString model) || model.getString().isBlank()) {
            return "model: Field required";
        }
        if (!(body.get("max_tokens") instanceof JsonNumber max) || !max.isIntegral() || max.longValue() < 1) {
            return "max_tokens: Field required";
        }
        String problem = system(body.get("system"));
        if (problem == null) {
            problem = messages(body.get("messages"));
        }
        if (problem == null) {
            problem = options(body, max.longValue());
        }
        return problem;
    }

    private static String system(JsonValue system) {
        if (system == null || system instanceof JsonString) {
            return system instanceof JsonString string && string.getString().isEmpty()
                    ? "system: text content blocks must be non-empty" : null;
        }
        if (!(system instanceof JsonArray blocks)) {
            return "system: Input should be a valid string or list";
        }
        for (JsonValue value : blocks) {
            if (!(value instanceof JsonObject block) || !"text".equals(Json.text(block, "type"))) {
                return "system: only text blocks are allowed";
            }
            String text = Json.text(block, "text");
            if (text == null || text.isEmpty()) {
                return "system: text content blocks must be non-empty";
            }
        }
        return null;
    }

    private static String messages(JsonValue value) {
        if (!(value instanceof JsonArray messages) || messages.isEmpty()) {
            return "messages: at least one message is required";
        }
        Set<String> pendingToolUses = new HashSet<>();
        String previousRole = null;
        for (int i = 0; i < messages.size(); i++) {
            if (!(messages.get(i) instanceof JsonObject message)) {
                return "messages." + i + ": Input should be an object";
            }
            String role = Json.text(message, "role");
            if ("system".equals(role)) {
                return "messages." + i + ": Unexpected role \"system\". The Messages API accepts a top-level `system` "
                        + "parameter, not \"system\" as an input message role.";
            }
            if (!"user".equals(role) && !"assistant".equals(role)) {
                return "messages." + i + ".role: Input should be 'user' or 'assistant'";
            }
            if (i == 0 && !role.equals("user")) {
                return "messages: first message must use the \"user\" role";
            }
            if (role.equals(previousRole)) {
                return "messages: roles must alternate between \"user\" and \"assistant\", but found multiple \""
                        + role + "\" roles in a row";
            }
            previousRole = role;
            List<JsonObject> blocks;
            JsonValue content = message.get("content");
            if (content instanceof JsonString string) {
                if (string.getString().isEmpty()) {
                    return "messages." + i + ": all messages must have non-empty content";
                }
                blocks = List.of();
            } else if (content instanceof JsonArray array && !array.isEmpty()) {
                blocks = array.stream().filter(JsonObject.class::isInstance).map(JsonObject.class::cast).toList();
                if (blocks.size() != array.size()) {
                    return "messages." + i + ".content: each block must be an object";
                }
            } else {
                return "messages." + i + ": all messages must have non-empty content";
            }
            String problem = role.equals("user") ? userBlocks(i, blocks, pendingToolUses)
                    : assistantBlocks(i, blocks, pendingToolUses);
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    private static String userBlocks(int i, List<JsonObject> blocks, Set<String> pendingToolUses) {
        boolean otherSeen = false;
        Set<String> answered = new HashSet<>();
        for (JsonObject block : blocks) {
            String type = Json.text(block, "type");
            if ("tool_result".equals(type)) {
                if (otherSeen) {
                    return "messages." + i + ": tool_result blocks must come first in the user message";
                }
                String id = Json.text(block, "tool_use_id");
                if (id == null || !pendingToolUses.contains(id)) {
                    return "messages." + i + ": unexpected `tool_use_id` found in `tool_result` blocks: " + id
                            + ". Each `tool_result` block must have a corresponding `tool_use` block in the previous "
                            + "message.";
                }
                answered.add(id);
                JsonValue content = block.get("content");
                if (content instanceof JsonArray array) {
                    for (JsonValue part : array) {
                        String problem = block(i, (JsonObject) part);
                        if (problem != null) {
                            return problem;
                        }
                    }
                }
                continue;
            }
            otherSeen = true;
            if ("tool_use".equals(type) || "thinking".equals(type)) {
                return "messages." + i + ": " + type + " blocks are only allowed in assistant messages";
            }
            String problem = block(i, block);
            if (problem != null) {
                return problem;
            }
        }
        if (!answered.containsAll(pendingToolUses)) {
            Set<String> missing = new HashSet<>(pendingToolUses);
            missing.removeAll(answered);
            return "messages." + i + ": `tool_use` ids were found without `tool_result` blocks immediately after: "
                    + missing;
        }
        pendingToolUses.clear();
        return null;
    }

    private static String assistantBlocks(int i, List<JsonObject> blocks, Set<String> pendingToolUses) {
        if (!pendingToolUses.isEmpty()) {
            return "messages." + i + ": `tool_use` ids were found without `tool_result` blocks immediately after: "
                    + pendingToolUses;
        }
        boolean otherSeen = false;
        for (JsonObject block : blocks) {
            String type = Json.text(block, "type");
            if ("tool_result".equals(type)) {
                return "messages." + i + ": tool_result blocks are only allowed in user messages";
            }
            if ("thinking".equals(type)) {
                if (otherSeen) {
                    return "messages." + i + ": thinking blocks must come first in the assistant message";
                }
                if (Json.text(block, "thinking") == null || Json.text(block, "signature") == null) {
                    return "messages." + i + ".content: thinking blocks need thinking and signature";
                }
                continue;
            }
            otherSeen = true;
            if ("tool_use".equals(type)) {
                String id = Json.text(block, "id");
                if (id == null || Json.text(block, "name") == null || !(block.get("input") instanceof JsonObject)) {
                    return "messages." + i + ".content: tool_use blocks need id, name and an input object";
                }
                pendingToolUses.add(id);
                continue;
            }
            String problem = block(i, block);
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    private static String block(int i, JsonObject block) {
        String type = Json.text(block, "type");
        switch (type == null ? "" : type) {
            case "text" -> {
                String text = Json.text(block, "text");
                return text == null || text.isEmpty() ? "messages." + i + ": text content blocks must be non-empty"
                        : null;
            }
            case "image" -> {
                JsonObject source = Json.objectField(block, "source");
                String sourceType = Json.text(source, "type");
                if ("base64".equals(sourceType)) {
                    if (!IMAGE_TYPES.contains(Json.text(source, "media_type"))) {
                        return "messages." + i + ".content.source.media_type: Input should be 'image/jpeg', "
                                + "'image/png', 'image/gif' or 'image/webp'";
                    }
                    String data = Json.text(source, "data");
                    return data == null || data.isEmpty() ? "messages." + i + ": image data must be non-empty" : null;
                }
                if ("url".equals(sourceType)) {
                    return Json.text(source, "url") == null ? "messages." + i + ": image url is required" : null;
                }
                return "messages." + i + ".content.source: unknown image source type";
            }
            case "document" -> {
                JsonObject source = Json.objectField(block, "source");
                String sourceType = Json.text(source, "type");
                boolean valid = "base64".equals(sourceType) && "application/pdf".equals(Json.text(source, "media_type"))
                        || "text".equals(sourceType) && "text/plain".equals(Json.text(source, "media_type"))
                        || "url".equals(sourceType) && Json.text(source, "url") != null;
                return valid ? null : "messages." + i + ".content.source: invalid document source";
            }
            default -> {
                return "messages." + i + ".content: unknown block type '" + type + "'";
            }
        }
    }

    private static String options(JsonObject body, long maxTokens) {
        JsonValue stops = body.get("stop_sequences");
        if (stops != null && (!(stops instanceof JsonArray array)
                || !array.stream().allMatch(JsonString.class::isInstance))) {
            return "stop_sequences: Input should be a valid list of strings";
        }
        for (String field : new String[] {"temperature", "top_p"}) {
            JsonValue value = body.get(field);
            if (value != null && (!(value instanceof JsonNumber number) || number.doubleValue() < 0
                    || number.doubleValue() > 1)) {
                return field + ": Input should be less than or equal to 1";
            }
        }
        JsonValue stream = body.get("stream");
        if (stream != null && stream != JsonValue.TRUE && stream != JsonValue.FALSE) {
            return "stream: Input should be a valid boolean";
        }
        JsonValue metadata = body.get("metadata");
        if (metadata != null && (!(metadata instanceof JsonObject object) || !object.keySet().equals(Set.of("user_id"))
                || !(object.get("user_id") instanceof JsonString))) {
            return "metadata: only user_id is permitted";
        }
        JsonValue tools = body.get("tools");
        if (tools != null) {
            if (!(tools instanceof JsonArray array)) {
                return "tools: Input should be a valid list";
            }
            for (JsonValue value : array) {
                JsonObject tool = (JsonObject) value;
                JsonObject schema = Json.objectField(tool, "input_schema");
                if (Json.text(tool, "name") == null || schema == null || !"object".equals(Json.text(schema, "type"))) {
                    return "tools: each tool needs a name and an input_schema of type object";
                }
            }
        }
        JsonValue choice = body.get("tool_choice");
        if (choice != null) {
            if (tools == null) {
                return "tool_choice: tool_choice may only be specified while providing tools";
            }
            String type = Json.text((JsonObject) choice, "type");
            if (!Set.of("auto", "any", "tool", "none").contains(type)) {
                return "tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'";
            }
            if (type.equals("tool") && Json.text((JsonObject) choice, "name") == null) {
                return "tool_choice.name: Field required";
            }
        }
        JsonValue thinking = body.get("thinking");
        if (thinking != null) {
            JsonObject object = (JsonObject) thinking;
            long budget = Json.longField(object, "budget_tokens", 0);
            if (!"enabled".equals(Json.text(object, "type")) || budget < 1024) {
                return "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024";
            }
            if (budget >= maxTokens) {
                return "max_tokens must be greater than thinking.budget_tokens";
            }
        }
        return null;
    }
}
