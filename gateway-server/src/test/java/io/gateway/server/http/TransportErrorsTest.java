package io.gateway.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.helidon.http.DirectHandler;
import io.helidon.http.DirectHandler.EventType;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

class TransportErrorsTest {

    @Test
    void oversizedHeadersAre431() {
        GatewayException e = TransportErrors.error(EventType.BAD_REQUEST, Status.BAD_REQUEST_400, "Header size exceeded");
        assertEquals(431, e.status());
        assertEquals("request_header_fields_too_large", e.errorCode().code());
    }

    @Test
    void eachEventGetsItsStatus() {
        assertEquals(414, TransportErrors.error(EventType.BAD_REQUEST, Status.REQUEST_URI_TOO_LONG_414,
                "Request URI too long.").status());
        assertEquals(413, TransportErrors.error(EventType.PAYLOAD_TOO_LARGE, Status.REQUEST_ENTITY_TOO_LARGE_413,
                null).status());
        assertEquals(503, TransportErrors.error(EventType.OTHER, Status.SERVICE_UNAVAILABLE_503, "busy").status());
        assertEquals(505, TransportErrors.error(EventType.HTTP_VERSION_NOT_SUPPORTED,
                Status.HTTP_VERSION_NOT_SUPPORTED_505, null).status());
        assertEquals(500, TransportErrors.error(EventType.INTERNAL_ERROR, Status.INTERNAL_SERVER_ERROR_500,
                "java.lang.NullPointerException at Foo").status());
        GatewayException bad = TransportErrors.error(EventType.BAD_REQUEST, Status.BAD_REQUEST_400,
                "Invalid header, missing colon");
        assertEquals(400, bad.status());
        assertTrue(bad.getMessage().contains("missing colon"), bad.getMessage());
    }

    @Test
    void internalDetailsAndLongMessagesAreNotShown() {
        GatewayException internal = TransportErrors.error(EventType.INTERNAL_ERROR, Status.INTERNAL_SERVER_ERROR_500,
                "java.lang.IllegalStateException: secret detail");
        assertTrue(!internal.getMessage().contains("secret detail"), internal.getMessage());
        GatewayException lengthy = TransportErrors.error(EventType.BAD_REQUEST, Status.BAD_REQUEST_400,
                "x".repeat(5000) + "\r\nInjected: header");
        assertTrue(lengthy.getMessage().length() < 300, lengthy.getMessage());
        assertTrue(!lengthy.getMessage().contains("\n"));
    }

    @Test
    void theAnswerIsTheEnvelopeAndClosesTheConnection() {
        DirectHandler.TransportResponse response = TransportErrors.handlers().handler(EventType.BAD_REQUEST).handle(
                DirectHandler.TransportRequest.empty(), EventType.BAD_REQUEST, Status.BAD_REQUEST_400,
                ServerResponseHeaders.create(), "Header size exceeded");
        assertEquals(431, response.status().code());
        assertTrue(!response.keepAlive());
        JsonObject envelope = JsonBodies.parse(response.entity().orElseThrow());
        assertEquals(431, envelope.getInt("status_code"));
        assertEquals("application/json", response.headers().get(io.helidon.http.HeaderNames.CONTENT_TYPE).get());
    }
}
