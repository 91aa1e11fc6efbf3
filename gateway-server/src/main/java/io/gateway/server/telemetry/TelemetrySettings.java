package io.gateway.server.telemetry;

import io.gateway.server.config.ConfigBlock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code gateway.telemetry}, merged with the OpenTelemetry SDK's standard {@code OTEL_*} environment
 * variables: each YAML key wins over its variable, and whatever neither sets is the SDK's default.
 * Tracing is on only when an OTLP endpoint is configured (and {@code OTEL_SDK_DISABLED} is not true).
 *
 * @param properties the SDK configuration properties ({@code otel.*}) the YAML and environment give
 * @param captureContent whether prompts and completions go into spans ({@code capture-content})
 */
public record TelemetrySettings(Map<String, String> properties, boolean captureContent) {

    /** Tracing off: no endpoint. */
    public static final TelemetrySettings OFF = new TelemetrySettings(Map.of(), false);

    /** Copies. */
    public TelemetrySettings {
        properties = Map.copyOf(properties);
    }

    /**
     * Reads the block and the environment.
     *
     * @param block       {@code gateway.telemetry}, or {@code null} when absent
     * @param environment the process environment
     * @return the settings
     * @throws IllegalArgumentException naming the key for a bad value
     */
    public static TelemetrySettings read(ConfigBlock block, Map<String, String> environment) {
        Map<String, String> properties = new LinkedHashMap<>();
        environment.forEach((name, value) -> {
            if (name.startsWith("OTEL_") && value != null && !value.isBlank()) {
                properties.put(name.toLowerCase(Locale.ROOT).replace('_', '.'), value.trim());
            }
        });
        boolean capture = false;
        if (block != null) {
            block.string("service-name").ifPresent(name -> properties.put("otel.service.name", name));
            block.block("otlp").ifPresent(otlp -> {
                otlp.string("endpoint").ifPresent(endpoint -> {
                    if (!endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
                        throw otlp.invalid("endpoint", "must be an http:// or https:// URL, e.g. "
                                + "http://otel-collector:4318");
                    }
                    properties.put("otel.exporter.otlp.traces.endpoint", tracesEndpoint(endpoint,
                            otlp.string("protocol").orElse(properties.getOrDefault("otel.exporter.otlp.protocol",
                                    "http/protobuf"))));
                });
                otlp.string("protocol").ifPresent(protocol -> {
                    if (!protocol.equals("http/protobuf") && !protocol.equals("grpc")) {
                        throw otlp.invalid("protocol", "must be http/protobuf or grpc");
                    }
                    properties.put("otel.exporter.otlp.traces.protocol", protocol);
                });
                Map<String, String> headers = otlp.map("headers");
                if (!headers.isEmpty()) {
                    StringBuilder joined = new StringBuilder();
                    headers.forEach((name, value) -> joined.append(joined.isEmpty() ? "" : ",")
                            .append(name).append('=').append(java.net.URLEncoder.encode(value,
                                    java.nio.charset.StandardCharsets.UTF_8)));
                    properties.put("otel.exporter.otlp.traces.headers", joined.toString());
                }
            });
            if (block.has("sample-ratio")) {
                double ratio = block.number("sample-ratio", 1.0);
                if (!(ratio >= 0 && ratio <= 1)) {
                    throw block.invalid("sample-ratio", "must be between 0 and 1, e.g. 1.0 or 0.1");
                }
                properties.put("otel.traces.sampler", "parentbased_traceidratio");
                properties.put("otel.traces.sampler.arg", Double.toString(ratio));
            }
            capture = block.bool("capture-content", false);
        }
        properties.putIfAbsent("otel.service.name", "llm-gateway");
        // the SDK's own default is grpc; the gateway's (and the specification's) is http/protobuf
        properties.putIfAbsent("otel.exporter.otlp.traces.protocol",
                properties.getOrDefault("otel.exporter.otlp.protocol", "http/protobuf"));
        // the gateway exports metrics at /metrics and logs to its own log; only traces go to OTLP
        properties.put("otel.metrics.exporter", "none");
        properties.put("otel.logs.exporter", "none");
        properties.putIfAbsent("otel.traces.sampler", "parentbased_traceidratio");
        properties.putIfAbsent("otel.traces.sampler.arg", "1.0");
        // spans reach the collector within 5 s of a request's end
        properties.putIfAbsent("otel.bsp.schedule.delay", "2000");
        return new TelemetrySettings(properties, capture);
    }

    /** The OTLP/HTTP exporter posts to the URL it is given; the YAML names the collector. */
    private static String tracesEndpoint(String endpoint, String protocol) {
        String trimmed = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        if (protocol.equals("grpc") || trimmed.endsWith("/v1/traces")) {
            return trimmed;
        }
        return trimmed + "/v1/traces";
    }

    /**
     * Whether traces are exported: an endpoint is set, the SDK is not disabled, the traces exporter is
     * not {@code none}.
     *
     * @return {@code true} when tracing is on
     */
    public boolean tracing() {
        boolean endpoint = properties.containsKey("otel.exporter.otlp.endpoint")
                || properties.containsKey("otel.exporter.otlp.traces.endpoint");
        return endpoint && !"true".equalsIgnoreCase(properties.get("otel.sdk.disabled"))
                && !"none".equalsIgnoreCase(properties.get("otel.traces.exporter"));
    }

    /**
     * The service name spans carry.
     *
     * @return the name
     */
    public String serviceName() {
        return properties.getOrDefault("otel.service.name", "llm-gateway");
    }
}
