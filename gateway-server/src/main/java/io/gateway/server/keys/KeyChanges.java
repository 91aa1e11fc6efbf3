package io.gateway.server.keys;

import io.gateway.server.config.ConfigBlock;
import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.middleware.ManagedVirtualKey;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the body of {@code POST} or {@code PATCH /admin/virtual-keys} asks for, checked by the rules the
 * governance middleware applies to the configuration's {@code virtual-keys} (names, model globs, limit
 * windows in whole seconds, the four budget periods). A field that is absent keeps its value; JSON
 * {@code null} clears it (no model restriction, no limit, no budget, no expiry). Every problem is a
 * 400 naming the field and what to write. Immutable.
 */
final class KeyChanges {

    /** The same alphabet as the configuration's key names: store keys, log lines and identities use it. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private static final Set<String> CREATE_FIELDS = Set.of("name", "allowed_models", "rate_limit", "budget",
            "disabled", "expires_at");
    private static final Set<String> RATE_FIELDS = Set.of("requests", "per", "tokens", "tokens_per");
    private static final Set<String> BUDGET_FIELDS = Set.of("usd", "per");

    private final String name;
    private final JsonObject body;

    private KeyChanges(String name, JsonObject body) {
        this.name = name;
        this.body = body;
    }

    /**
     * The body of a creation: {@code name} required, everything else optional.
     *
     * @param body the parsed body
     * @return the changes
     * @throws GatewayException 400 for a missing or wrong field
     */
    static KeyChanges forCreate(JsonObject body) {
        checkFields(body, CREATE_FIELDS, "");
        if (!(body.get("name") instanceof JsonString text)) {
            throw invalid("name", "is required: a string such as \"app-x\"");
        }
        String name = text.getString();
        if (!NAME.matcher(name).matches()) {
            throw invalid("name", "'" + printable(name) + "' must be 1 to 64 letters, digits, '.', '_' or '-', starting"
                    + " with a letter or digit");
        }
        KeyChanges changes = new KeyChanges(name, body);
        changes.applyTo(ManagedVirtualKey.builder(name).build(), Instant.EPOCH);
        return changes;
    }

    /**
     * The body of a change: any field but {@code name}.
     *
     * @param body the parsed body
     * @return the changes
     * @throws GatewayException 400 for a wrong field
     */
    static KeyChanges forPatch(JsonObject body) {
        if (body.containsKey("name")) {
            throw invalid("name", "cannot be changed: create a key with the new name and delete this one");
        }
        checkFields(body, CREATE_FIELDS, "");
        KeyChanges changes = new KeyChanges(null, body);
        changes.applyTo(ManagedVirtualKey.builder("check").build(), Instant.EPOCH);
        return changes;
    }

    /**
     * The name of the key to create.
     *
     * @return the name, or {@code null} for a change
     */
    String name() {
        return name;
    }

    /**
     * The key with these changes made.
     *
     * @param current   the key as it is (for a creation, one with only the name)
     * @param createdAt when the key was created
     * @return the changed key
     */
    ManagedVirtualKey applyTo(ManagedVirtualKey current, Instant createdAt) {
        ManagedVirtualKey.Builder key = ManagedVirtualKey.builder(current.name())
                .allowedModels(current.allowedModels())
                .requestLimit(current.requestLimit().orElse(null))
                .tokenLimit(current.tokenLimit().orElse(null))
                .budget(current.budget().orElse(null))
                .disabled(current.disabled())
                .expiresAt(current.expiresAt().orElse(null))
                .createdAt(createdAt);
        if (body.containsKey("allowed_models")) {
            key.allowedModels(models(body.get("allowed_models")));
        }
        if (body.containsKey("rate_limit")) {
            JsonValue value = body.get("rate_limit");
            if (value.getValueType() == JsonValue.ValueType.NULL) {
                key.requestLimit(null).tokenLimit(null);
            } else if (value instanceof JsonObject rate) {
                checkFields(rate, RATE_FIELDS, "rate_limit.");
                key.requestLimit(limit(rate, "requests", "per"));
                key.tokenLimit(limit(rate, "tokens", "tokens_per"));
            } else {
                throw invalid("rate_limit", "must be an object such as {\"requests\": 600, \"per\": \"1m\", \"tokens\":"
                        + " 200000, \"tokens_per\": \"1h\"}, or null for no limit");
            }
        }
        if (body.containsKey("budget")) {
            key.budget(budget(body.get("budget")));
        }
        if (body.containsKey("disabled")) {
            JsonValue value = body.get("disabled");
            if (value != JsonValue.TRUE && value != JsonValue.FALSE) {
                throw invalid("disabled", "must be true or false");
            }
            key.disabled(value == JsonValue.TRUE);
        }
        if (body.containsKey("expires_at")) {
            JsonValue value = body.get("expires_at");
            if (value.getValueType() == JsonValue.ValueType.NULL) {
                key.expiresAt(null);
            } else if (value instanceof JsonString text) {
                try {
                    key.expiresAt(Instant.parse(text.getString()));
                } catch (DateTimeParseException e) {
                    throw invalid("expires_at", "'" + printable(text.getString()) + "' is not a UTC time; write e.g. "
                            + "\"2027-01-01T00:00:00Z\", or null for never");
                }
            } else {
                throw invalid("expires_at", "must be a UTC time such as \"2027-01-01T00:00:00Z\", or null for never");
            }
        }
        return key.build();
    }

    private static List<String> models(JsonValue value) {
        if (value.getValueType() == JsonValue.ValueType.NULL) {
            return List.of();
        }
        if (!(value instanceof jakarta.json.JsonArray array)) {
            throw invalid("allowed_models", "must be a list of provider/model globs such as [\"openai/*\"], or null "
                    + "for every model");
        }
        List<String> models = new ArrayList<>();
        for (JsonValue item : array) {
            if (!(item instanceof JsonString text) || text.getString().isBlank()) {
                throw invalid("allowed_models", "holds something that is not a pattern; write provider/model globs such"
                        + " as openai/* or anthropic/claude-*");
            }
            String pattern = text.getString().trim();
            if (!pattern.equals("*") && !pattern.contains("/")) {
                throw invalid("allowed_models", "'" + printable(pattern) + "' can never match: patterns are over "
                        + "provider/model, e.g. openai/" + printable(pattern) + " or */" + printable(pattern));
            }
            models.add(pattern);
        }
        return models;
    }

    private static ManagedVirtualKey.Limit limit(JsonObject rate, String countField, String perField) {
        JsonValue count = rate.get(countField);
        JsonValue per = rate.get(perField);
        boolean hasCount = count != null && count.getValueType() != JsonValue.ValueType.NULL;
        boolean hasPer = per != null && per.getValueType() != JsonValue.ValueType.NULL;
        if (!hasCount && !hasPer) {
            return null;
        }
        if (!hasCount) {
            throw invalid("rate_limit." + countField, "is required with " + perField + ": how many per window");
        }
        if (!hasPer) {
            throw invalid("rate_limit." + perField, "is required with " + countField + ": the window, e.g. \"1m\"");
        }
        if (!(count instanceof JsonNumber number) || !number.isIntegral() || number.longValue() <= 0) {
            throw invalid("rate_limit." + countField, "must be a whole number greater than 0; set the pair to null "
                    + "for no limit");
        }
        Duration window = per instanceof JsonString text ? ConfigBlock.parseDuration(text.getString()) : null;
        if (window == null || window.toMillis() < 1000 || window.toMillis() % 1000 != 0) {
            throw invalid("rate_limit." + perField, "must be a whole number of seconds, at least 1s, written like "
                    + "\"30s\", \"1m\" or \"1h\"");
        }
        return new ManagedVirtualKey.Limit(number.longValue(), window);
    }

    private static ManagedVirtualKey.Budget budget(JsonValue value) {
        if (value.getValueType() == JsonValue.ValueType.NULL) {
            return null;
        }
        if (!(value instanceof JsonObject budget)) {
            throw invalid("budget", "must be an object such as {\"usd\": 50, \"per\": \"1M\"}, or null for none");
        }
        checkFields(budget, BUDGET_FIELDS, "budget.");
        if (!(budget.get("usd") instanceof JsonNumber usd) || usd.bigDecimalValue().signum() <= 0) {
            throw invalid("budget.usd", "is required: the most the key may spend per period in US dollars, greater "
                    + "than 0, e.g. 50");
        }
        BigDecimal dollars = usd.bigDecimalValue().stripTrailingZeros();
        if (dollars.scale() > 6) {
            throw invalid("budget.usd", "has more than 6 decimals; budgets count in millionths of a dollar");
        }
        if (!(budget.get("per") instanceof JsonString per) || !List.of("1h", "1d", "1w", "1M").contains(per.getString())) {
            throw invalid("budget.per", "must be \"1h\", \"1d\", \"1w\" or \"1M\" (calendar hour, day, ISO week, month in "
                    + "UTC; 1M is a month)");
        }
        return new ManagedVirtualKey.Budget(dollars.scale() < 0 ? dollars.setScale(0) : dollars, per.getString());
    }

    private static void checkFields(JsonObject object, Set<String> known, String path) {
        for (Map.Entry<String, JsonValue> field : object.entrySet()) {
            if (!known.contains(field.getKey())) {
                throw invalid(path + printable(field.getKey()), "is not a field here; the fields are "
                        + String.join(", ", known.stream().sorted().toList()));
            }
        }
    }

    static GatewayException invalid(String field, String problem) {
        return new GatewayException(ErrorCode.INVALID_REQUEST, field + ": " + problem, field, null, null);
    }

    /** Client text in a message: without control characters, at most 64 characters. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && i < 64; i++) {
            char c = text.charAt(i);
            out.append(c < ' ' || c == 127 ? '?' : c);
        }
        return text.length() > 64 ? out + "…" : out.toString();
    }
}
