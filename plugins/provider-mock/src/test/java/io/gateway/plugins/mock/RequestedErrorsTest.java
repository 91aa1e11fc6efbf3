package io.gateway.plugins.mock;

import static io.gateway.plugins.mock.Fixtures.complete;
import static io.gateway.plugins.mock.Fixtures.provider;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.GatewayException;
import io.gateway.spi.Operation;
import io.gateway.spi.provider.Provider;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RequestedErrorsTest {

    private final Provider provider = provider();

    @Test
    void error429IsARetryableRateLimitWithRetryAfter() {
        GatewayException e = fail("error-429", false);

        assertEquals(429, e.status());
        assertEquals("rate_limit_error", e.errorCode().type());
        assertEquals("rate_limit_exceeded", e.errorCode().code());
        assertEquals("mock error 429 requested", e.getMessage());
        assertTrue(e.errorCode().retryable());
        assertFalse(e.errorCode().gatewayError(), "an upstream's error, not the gateway's");
        assertEquals(Optional.of("1"), e.headers().first("retry-after"));
        assertEquals(Optional.of(Duration.ofSeconds(1)), e.retryAfter());
    }

    @Test
    void error500IsARetryableServerErrorWithoutRetryAfter() {
        GatewayException e = fail("error-500", false);

        assertEquals(500, e.status());
        assertEquals("api_error", e.errorCode().type());
        assertEquals("server_error", e.errorCode().code());
        assertTrue(e.errorCode().retryable());
        assertTrue(e.headers().isEmpty());
    }

    @Test
    void error503CarriesRetryAfterAndError401IsNotRetryable() {
        assertEquals(Optional.of("1"), fail("error-503", false).headers().first("retry-after"));
        GatewayException unauthorized = fail("error-401", false);
        assertEquals(401, unauthorized.status());
        assertEquals("authentication_error", unauthorized.errorCode().type());
        assertFalse(unauthorized.errorCode().retryable());
    }

    @Test
    void streamsFailBeforeTheirFirstEvent() {
        GatewayException e = fail("error-502", true);

        assertEquals(502, e.status());
    }

    @Test
    void everyOperationWithAModelHonoursTheErrorModel() {
        for (Operation operation : Operation.values()) {
            if (operation == Operation.LIST_MODELS) {
                continue;
            }
            GatewayException e = assertThrows(GatewayException.class, () -> provider.call(
                    Fixtures.call(operation, "{\"model\":\"error-404\"}")), operation.name());
            assertEquals(404, e.status(), operation.name());
        }
    }

    @Test
    void otherNamesAreOrdinaryModels() {
        for (String model : new String[] {"error-200", "error-42", "error-4290", "my-error-500"}) {
            String body = "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
            assertEquals(model, complete(provider, Operation.CHAT_COMPLETION, body).getString("model"));
        }
    }

    private GatewayException fail(String model, boolean stream) {
        String body = "{\"model\":\"" + model + "\",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
        return assertThrows(GatewayException.class,
                () -> provider.call(Fixtures.call(Operation.CHAT_COMPLETION, body)));
    }
}
