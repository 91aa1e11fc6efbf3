package io.gateway.server.telemetry;

import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.TokenUsage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The CLIENT span of one upstream attempt, per the GenAI conventions: named
 * {@code {gen_ai.operation.name} {gen_ai.request.model}}, with the request's parameters when it starts
 * and the answer's id, model, finish reasons and token usage when it ends (for streams: when the
 * stream ends). It is current while the provider is called, so the upstream request carries its
 * {@code traceparent}. Without tracing every method does nothing. Used by one thread at a time.
 */
public final class AttemptSpan {

    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
    static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("gen_ai.provider.name");
    static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
    static final AttributeKey<String> RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
    static final AttributeKey<String> RESPONSE_ID = AttributeKey.stringKey("gen_ai.response.id");
    static final AttributeKey<List<String>> FINISH_REASONS = AttributeKey.stringArrayKey(
            "gen_ai.response.finish_reasons");
    static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
    static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
    static final AttributeKey<Long> CACHE_READ_TOKENS = AttributeKey.longKey("gen_ai.usage.cache_read.input_tokens");
    static final AttributeKey<Long> CACHE_WRITE_TOKENS = AttributeKey.longKey(
            "gen_ai.usage.cache_creation.input_tokens");
    static final AttributeKey<Long> REASONING_TOKENS = AttributeKey.longKey("gen_ai.usage.reasoning.output_tokens");
    static final AttributeKey<Boolean> STREAM = AttributeKey.booleanKey("gen_ai.request.stream");
    static final AttributeKey<Double> TIME_TO_FIRST_CHUNK = AttributeKey.doubleKey(
            "gen_ai.response.time_to_first_chunk");
    static final AttributeKey<Double> TEMPERATURE = AttributeKey.doubleKey("gen_ai.request.temperature");
    static final AttributeKey<Double> TOP_P = AttributeKey.doubleKey("gen_ai.request.top_p");
    static final AttributeKey<Double> FREQUENCY_PENALTY = AttributeKey.doubleKey("gen_ai.request.frequency_penalty");
    static final AttributeKey<Double> PRESENCE_PENALTY = AttributeKey.doubleKey("gen_ai.request.presence_penalty");
    static final AttributeKey<Long> MAX_TOKENS = AttributeKey.longKey("gen_ai.request.max_tokens");
    static final AttributeKey<Long> SEED = AttributeKey.longKey("gen_ai.request.seed");
    static final AttributeKey<Long> CHOICE_COUNT = AttributeKey.longKey("gen_ai.request.choice.count");
    static final AttributeKey<List<String>> STOP_SEQUENCES = AttributeKey.stringArrayKey(
            "gen_ai.request.stop_sequences");
    static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    static final AttributeKey<String> GATEWAY_PROVIDER = AttributeKey.stringKey("gateway.provider");
    static final AttributeKey<String> KEY_NAME = AttributeKey.stringKey("gateway.key_name");
    static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("gateway.attempt");
    static final AttributeKey<Long> FALLBACK_INDEX = AttributeKey.longKey("gateway.fallback_index");
    static final AttributeKey<String> INPUT_MESSAGES = AttributeKey.stringKey("gen_ai.input.messages");
    static final AttributeKey<String> OUTPUT_MESSAGES = AttributeKey.stringKey("gen_ai.output.messages");
    static final String DETAILS_EVENT = "gen_ai.client.inference.operation.details";

    /** Provider types whose conventional {@code gen_ai.provider.name} differs from the type. */
    private static final Map<String, String> WELL_KNOWN = Map.ofEntries(
            Map.entry("azure", "azure.ai.openai"),
            Map.entry("gemini", "gcp.gemini"),
            Map.entry("vertex", "gcp.vertex_ai"),
            Map.entry("bedrock", "aws.bedrock"),
            Map.entry("mistral", "mistral_ai"),
            Map.entry("xai", "x_ai"));

    private static final AttemptSpan NONE = new AttemptSpan(null, false, null);

    private final Span span;
    private final boolean capture;
    private final Operation operation;
    private String responseId;
    private String responseModel;
    private final List<String> finishReasons = new ArrayList<>(1);
    private TokenUsage usage;
    private StringBuilder completion;

    private AttemptSpan(Span span, boolean capture, Operation operation) {
        this.span = span;
        this.capture = capture;
        this.operation = operation;
    }

    /**
     * The conventions' name of an operation.
     *
     * @param operation the operation
     * @return {@code chat}, {@code text_completion}, {@code embeddings} or {@code image_generation}
     */
    public static String operationName(Operation operation) {
        return switch (operation) {
            case CHAT_COMPLETION, RESPONSES, MESSAGES -> "chat";
            case TEXT_COMPLETION -> "text_completion";
            case EMBEDDING -> "embeddings";
            case IMAGE_GENERATION -> "image_generation";
            default -> operation.wireName();
        };
    }

    /**
     * The conventions' name of a provider, by the plugin type serving it.
     *
     * @param type the provider type ({@code openai}, {@code azure}, …)
     * @return e.g. {@code azure.ai.openai}; the type itself when the conventions have no name for it
     */
    public static String providerName(String type) {
        return WELL_KNOWN.getOrDefault(type, type);
    }

    /**
     * Starts the span as a child of the current one (the request's).
     *
     * @param telemetry     the telemetry
     * @param operation     the operation
     * @param provider      the configured provider name
     * @param providerType  its plugin type
     * @param model         the bare model sent upstream
     * @param keyName       the key's name (never its value)
     * @param attempt       the attempt's number within the request, from 1
     * @param fallbackIndex 0 for the requested model, else the fallback's index
     * @param stream        whether the call streams
     * @param body          the request body, for its parameters (and, with content capture, its messages)
     * @return the span
     */
    public static AttemptSpan start(Telemetry telemetry, Operation operation, String provider, String providerType,
                                    String model, String keyName, int attempt, int fallbackIndex, boolean stream,
                                    JsonObject body) {
        if (!telemetry.tracing()) {
            return NONE;
        }
        String operationName = operationName(operation);
        var builder = telemetry.tracer().spanBuilder(operationName + " " + model)
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute(OPERATION, operationName)
                .setAttribute(PROVIDER, providerName(providerType))
                .setAttribute(REQUEST_MODEL, model)
                .setAttribute(GATEWAY_PROVIDER, provider)
                .setAttribute(KEY_NAME, keyName)
                .setAttribute(ATTEMPT, (long) attempt)
                .setAttribute(FALLBACK_INDEX, (long) fallbackIndex);
        if (stream) {
            builder.setAttribute(STREAM, true);
        }
        number(body, "temperature").ifPresent(v -> builder.setAttribute(TEMPERATURE, v));
        number(body, "top_p").ifPresent(v -> builder.setAttribute(TOP_P, v));
        number(body, "frequency_penalty").ifPresent(v -> builder.setAttribute(FREQUENCY_PENALTY, v));
        number(body, "presence_penalty").ifPresent(v -> builder.setAttribute(PRESENCE_PENALTY, v));
        for (String field : new String[] {"max_completion_tokens", "max_tokens", "max_output_tokens"}) {
            if (body.get(field) instanceof JsonNumber max) {
                builder.setAttribute(MAX_TOKENS, max.longValue());
                break;
            }
        }
        if (body.get("seed") instanceof JsonNumber seed) {
            builder.setAttribute(SEED, seed.longValue());
        }
        if (body.get("n") instanceof JsonNumber n && n.longValue() != 1) {
            builder.setAttribute(CHOICE_COUNT, n.longValue());
        }
        JsonValue stop = body.get("stop");
        if (stop instanceof JsonString one) {
            builder.setAttribute(STOP_SEQUENCES, List.of(one.getString()));
        } else if (stop instanceof JsonArray many) {
            List<String> sequences = new ArrayList<>();
            for (JsonValue item : many) {
                if (item instanceof JsonString text) {
                    sequences.add(text.getString());
                }
            }
            builder.setAttribute(STOP_SEQUENCES, sequences);
        }
        AttemptSpan attemptSpan = new AttemptSpan(builder.startSpan(), telemetry.captureContent(), operation);
        if (attemptSpan.capture) {
            attemptSpan.completion = new StringBuilder();
            attemptSpan.span.addEvent(DETAILS_EVENT, Attributes.of(OPERATION, operationName,
                    INPUT_MESSAGES, Content.inputMessages(operation, body)));
        }
        return attemptSpan;
    }

    private static java.util.Optional<Double> number(JsonObject body, String field) {
        return body.get(field) instanceof JsonNumber number ? java.util.Optional.of(number.doubleValue())
                : java.util.Optional.empty();
    }

    /**
     * Makes the span current while the provider is called.
     *
     * @return the scope to close on this thread
     */
    public Scope activate() {
        return span == null ? Scope.noop() : span.makeCurrent();
    }

    /**
     * Whether the span records anything (callers skip work that only feeds it).
     *
     * @return {@code true} with tracing
     */
    public boolean recording() {
        return span != null;
    }

    /**
     * Whether the completion's text is wanted (content capture).
     *
     * @return {@code true} when prompts and completions are captured
     */
    public boolean capturing() {
        return capture;
    }

    /**
     * Records the time to the first stream event.
     *
     * @param seconds since the attempt started
     */
    public void firstChunk(double seconds) {
        if (span != null) {
            span.setAttribute(TIME_TO_FIRST_CHUNK, seconds);
        }
    }

    /**
     * Adds what an answer or a stream event said about itself.
     *
     * @param id            the response id, or {@code null}
     * @param model         the responding model, or {@code null}
     * @param reasons       finish reasons
     * @param tokens        token usage, or {@code null}
     */
    public void answered(String id, String model, List<String> reasons, TokenUsage tokens) {
        if (span == null) {
            return;
        }
        if (responseId == null && id != null) {
            responseId = id;
        }
        if (responseModel == null && model != null) {
            responseModel = model;
        }
        finishReasons.addAll(reasons);
        if (tokens != null) {
            usage = tokens;
        }
    }

    /**
     * Adds text of the completion (content capture), as stream events or a complete answer give it.
     *
     * @param answer a complete answer or one stream event's data
     */
    public void completionText(String answer) {
        if (completion != null && completion.length() < Content.MAX_CHARS) {
            Content.appendText(operation, answer, completion);
        }
    }

    /**
     * Ends the span: the answer's facts, the status, and for failures the error type.
     *
     * @param status the attempt's HTTP status
     * @param error  the failure, or {@code null}
     */
    public void end(int status, GatewayException error) {
        if (span == null) {
            return;
        }
        span.setAttribute(STATUS, (long) status);
        if (responseId != null) {
            span.setAttribute(RESPONSE_ID, responseId);
        }
        if (responseModel != null) {
            span.setAttribute(RESPONSE_MODEL, responseModel);
        }
        if (!finishReasons.isEmpty()) {
            span.setAttribute(FINISH_REASONS, List.copyOf(finishReasons));
        }
        if (usage != null) {
            span.setAttribute(INPUT_TOKENS, usage.inputTokens());
            span.setAttribute(OUTPUT_TOKENS, usage.outputTokens());
            if (usage.cachedInputTokens() > 0) {
                span.setAttribute(CACHE_READ_TOKENS, usage.cachedInputTokens());
            }
            if (usage.cacheWriteTokens() > 0) {
                span.setAttribute(CACHE_WRITE_TOKENS, usage.cacheWriteTokens());
            }
            if (usage.reasoningTokens() > 0) {
                span.setAttribute(REASONING_TOKENS, usage.reasoningTokens());
            }
        }
        if (error != null) {
            span.setAttribute(RequestSpan.ERROR_TYPE, error.errorCode().type());
            span.setStatus(StatusCode.ERROR, error.errorCode().type());
        }
        if (completion != null && error == null) {
            span.addEvent(DETAILS_EVENT, Attributes.of(OPERATION, operationName(operation), OUTPUT_MESSAGES,
                    Content.outputMessages(completion.toString(), finishReasons)));
        }
        span.end();
    }

    /**
     * Records where the upstream call went (set by the upstream client, on the current span).
     *
     * @param host the upstream host
     * @param port the upstream port
     */
    static void server(String host, int port) {
        Span current = Span.current();
        if (current.getSpanContext().isValid() && current.isRecording()) {
            current.setAttribute(SERVER_ADDRESS, host);
            current.setAttribute(SERVER_PORT, (long) port);
        }
    }

    /** Prompts and completions in the conventions' message format, for content capture. */
    static final class Content {
        static final int MAX_CHARS = 64 * 1024;

        private Content() {
        }

        static String inputMessages(Operation operation, JsonObject body) {
            var messages = JsonBodies.provider().createArrayBuilder();
            JsonValue source = switch (operation) {
                case CHAT_COMPLETION, MESSAGES -> body.get("messages");
                case RESPONSES -> body.get("input");
                default -> body.get(operation == Operation.EMBEDDING ? "input" : "prompt");
            };
            if (source instanceof JsonString text) {
                messages.add(message("user", text.getString()));
            } else if (source instanceof JsonArray items) {
                for (JsonValue item : items) {
                    if (item instanceof JsonObject object) {
                        String role = JsonBodies.string(object, "role");
                        messages.add(message(role == null ? "user" : role, text(object.get("content"))));
                    } else if (item instanceof JsonString text) {
                        messages.add(message("user", text.getString()));
                    }
                }
            }
            return messages.build().toString();
        }

        static String outputMessages(String text, List<String> reasons) {
            var message = JsonBodies.provider().createObjectBuilder()
                    .add("role", "assistant")
                    .add("parts", JsonBodies.provider().createArrayBuilder().add(JsonBodies.provider()
                            .createObjectBuilder().add("type", "text").add("content", clip(text))));
            if (!reasons.isEmpty()) {
                message.add("finish_reason", reasons.get(reasons.size() - 1));
            }
            return JsonBodies.provider().createArrayBuilder().add(message).build().toString();
        }

        private static JsonObject message(String role, String text) {
            return JsonBodies.provider().createObjectBuilder()
                    .add("role", role)
                    .add("parts", JsonBodies.provider().createArrayBuilder().add(JsonBodies.provider()
                            .createObjectBuilder().add("type", "text").add("content", clip(text))))
                    .build();
        }

        /** The text of a message's content: a string, or the text parts of an array of parts. */
        private static String text(JsonValue content) {
            if (content instanceof JsonString text) {
                return text.getString();
            }
            StringBuilder joined = new StringBuilder();
            if (content instanceof JsonArray parts) {
                for (JsonValue part : parts) {
                    if (part instanceof JsonObject object && object.get("text") instanceof JsonString text) {
                        joined.append(text.getString());
                    }
                }
            }
            return joined.toString();
        }

        /** Appends the generated text of an answer or a stream event. */
        static void appendText(Operation operation, String data, StringBuilder into) {
            JsonObject json;
            try {
                json = JsonBodies.parse(data);
            } catch (GatewayException notJson) {
                return;
            }
            if (json.get("choices") instanceof JsonArray choices && !choices.isEmpty()
                    && choices.get(0) instanceof JsonObject choice) {
                JsonValue holder = choice.containsKey("delta") ? choice.get("delta") : choice.get("message");
                if (holder instanceof JsonObject message && message.get("content") instanceof JsonString text) {
                    into.append(text.getString());
                } else if (choice.get("text") instanceof JsonString text) {
                    into.append(text.getString());
                }
            } else if ("response.output_text.delta".equals(JsonBodies.string(json, "type"))) {
                String delta = JsonBodies.string(json, "delta");
                if (delta != null) {
                    into.append(delta);
                }
            } else if (operation == Operation.RESPONSES && json.get("output") instanceof JsonArray output) {
                for (JsonValue item : output) {
                    if (item instanceof JsonObject message && message.get("content") instanceof JsonArray parts) {
                        into.append(text(parts));
                    }
                }
            }
        }

        /** One text cut at {@link #MAX_CHARS}, so the message structure stays valid JSON. */
        private static String clip(String text) {
            return text.length() <= MAX_CHARS ? text : text.substring(0, MAX_CHARS) + "…";
        }
    }
}
