package io.gateway.server.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.server.config.ConfigBlock;
import io.gateway.server.config.GatewayConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TelemetrySettingsTest {

    @Test
    void withoutAnEndpointTracingIsOff() {
        TelemetrySettings settings = read("gateway: {}", Map.of());
        assertFalse(settings.tracing());
        assertEquals("llm-gateway", settings.serviceName());
        assertFalse(Telemetry.start(settings).tracing());
    }

    @Test
    void yamlConfiguresTheExporterAndWinsOverTheEnvironment() {
        TelemetrySettings settings = read("""
                gateway:
                  telemetry:
                    service-name: edge-gateway
                    otlp:
                      endpoint: http://collector:4318/
                      headers: {authorization: "Bearer abc=", x-tenant: t1}
                    sample-ratio: 0.25
                    capture-content: true
                """, Map.of("OTEL_SERVICE_NAME", "from-env", "OTEL_EXPORTER_OTLP_ENDPOINT", "http://other:4318",
                "OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=prod"));
        assertTrue(settings.tracing());
        assertTrue(settings.captureContent());
        assertEquals("edge-gateway", settings.serviceName());
        assertEquals("http://collector:4318/v1/traces", settings.properties().get("otel.exporter.otlp.traces.endpoint"));
        assertEquals("authorization=Bearer+abc%3D,x-tenant=t1",
                settings.properties().get("otel.exporter.otlp.traces.headers"));
        assertEquals("parentbased_traceidratio", settings.properties().get("otel.traces.sampler"));
        assertEquals("0.25", settings.properties().get("otel.traces.sampler.arg"));
        assertEquals("deployment.environment=prod", settings.properties().get("otel.resource.attributes"),
                "variables the YAML does not set still count");
        assertEquals("none", settings.properties().get("otel.metrics.exporter"));
    }

    @Test
    void theEnvironmentAloneCanTurnTracingOnAndGrpcKeepsTheEndpointAsItIs() {
        assertTrue(read("gateway: {}", Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318")).tracing());
        assertFalse(read("gateway: {}", Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318",
                "OTEL_SDK_DISABLED", "true")).tracing());
        TelemetrySettings grpc = read("""
                gateway:
                  telemetry:
                    otlp: {endpoint: "http://collector:4317", protocol: grpc}
                """, Map.of());
        assertEquals("http://collector:4317", grpc.properties().get("otel.exporter.otlp.traces.endpoint"));
        assertEquals("grpc", grpc.properties().get("otel.exporter.otlp.traces.protocol"));
    }

    @Test
    void badValuesNameTheKey() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> read("""
                gateway:
                  telemetry: {otlp: {endpoint: "collector:4318"}}
                """, Map.of())).getMessage().contains("gateway.telemetry.otlp.endpoint"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> read("""
                gateway:
                  telemetry: {otlp: {endpoint: "http://c:4318", protocol: thrift}}
                """, Map.of())).getMessage().contains("protocol"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> read("""
                gateway:
                  telemetry: {sample-ratio: 2}
                """, Map.of())).getMessage().contains("sample-ratio"));
    }

    @Test
    void anUnreachableCollectorDoesNotStopStartUp() {
        Telemetry telemetry = Telemetry.start(read("""
                gateway:
                  telemetry: {otlp: {endpoint: "http://127.0.0.1:1"}}
                """, Map.of()));
        assertTrue(telemetry.tracing());
        telemetry.close();
    }

    private static TelemetrySettings read(String yaml, Map<String, String> env) {
        GatewayConfig config = GatewayConfig.parse(yaml, Map.of(), Path.of("."));
        ConfigBlock block = config.gateway().block("telemetry").orElse(null);
        return TelemetrySettings.read(block, env);
    }
}
