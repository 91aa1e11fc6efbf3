package io.gateway.server.core;

import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import jakarta.json.stream.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The error envelope every failure answers with, compatible with Bifrost's and readable by the
 * OpenAI SDKs (they read {@code error.message}, {@code type}, {@code code}, {@code param}).
 *
 * @param eventId        an id for this error (the request id)
 * @param type           the error type, as in {@code error.type}
 * @param isBifrostError {@code true} when the gateway itself failed
 * @param statusCode     the HTTP status
 * @param error          the OpenAI-style error object
 * @param extraFields    which provider, model and request type it concerned
 */
public record ErrorEnvelope(String eventId,
                            String type,
                            boolean isBifrostError,
                            int statusCode,
                            ErrorBody error,
                            ExtraFields extraFields) {


    /**
     * The OpenAI-style error object.
     *
     * @param type    error type
     * @param code    error code, always a string
     * @param message what went wrong and what to do
     * @param param   the request field at fault
     */
    public record ErrorBody(String type, String code,
                            String message, String param) {
    }

    /**
     * Context of the failed request.
     *
     * @param provider       the provider, if known
     * @param modelRequested the model (without provider prefix), if known
     * @param requestType    the operation's wire name
     * @param attempts       upstream attempts made, 0 when none
     */
    public record ExtraFields(String provider,
                              String modelRequested,
                              String requestType,
                              int attempts) {
    }

    /**
     * The envelope for an exception.
     *
     * @param e           the failure
     * @param requestId   the request id
     * @param provider    provider name or {@code null}
     * @param model       model or {@code null}
     * @param requestType operation wire name or {@code null}
     * @return the envelope
     */
    public static ErrorEnvelope of(GatewayException e, String requestId, String provider, String model,
                                   String requestType) {
        return of(e, requestId, provider, model, requestType, 0);
    }

    /**
     * The envelope for an exception, with the number of upstream attempts.
     *
     * @param e           the failure
     * @param requestId   the request id
     * @param provider    provider name or {@code null}
     * @param model       model or {@code null}
     * @param requestType operation wire name or {@code null}
     * @param attempts    upstream attempts made
     * @return the envelope
     */
    public static ErrorEnvelope of(GatewayException e, String requestId, String provider, String model,
                                   String requestType, int attempts) {
        String type = e.errorCode().type();
        String code = e.errorCode().code() == null ? type : e.errorCode().code();
        return new ErrorEnvelope(requestId, type, e.errorCode().gatewayError(), e.status(),
                new ErrorBody(type, code, e.getMessage(), e.param()),
                new ExtraFields(provider, model, requestType, attempts));
    }

    /**
     * Serializes the envelope.
     *
     * @return UTF-8 JSON
     */
    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator json = JsonBodies.provider().createGenerator(out)) {
            write(json);
        }
        return out.toByteArray();
    }

    /**
     * Writes the envelope with explicit nulls, in the documented field order.
     *
     * @param json the generator
     */
    void write(JsonGenerator json) {
        json.writeStartObject();
        nullable(json, "event_id", eventId);
        nullable(json, "type", type);
        json.write("is_bifrost_error", isBifrostError);
        json.write("status_code", statusCode);
        json.writeStartObject("error");
        nullable(json, "type", error.type());
        nullable(json, "code", error.code());
        nullable(json, "message", error.message());
        nullable(json, "param", error.param());
        json.writeEnd();
        json.writeStartObject("extra_fields");
        nullable(json, "provider", extraFields.provider());
        nullable(json, "model_requested", extraFields.modelRequested());
        nullable(json, "request_type", extraFields.requestType());
        if (extraFields.attempts() > 0) {
            json.write("attempts", extraFields.attempts());
        }
        json.writeEnd();
        json.writeEnd();
    }

    private static void nullable(JsonGenerator json, String name, String value) {
        if (value == null) {
            json.writeNull(name);
        } else {
            json.write(name, value);
        }
    }

    /**
     * Serializes the envelope.
     *
     * @return JSON text
     */
    public String toJson() {
        return new String(toBytes(), StandardCharsets.UTF_8);
    }
}
