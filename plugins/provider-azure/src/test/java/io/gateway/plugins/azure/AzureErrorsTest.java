package io.gateway.plugins.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import io.gateway.testkit.fakes.FakeAzure;

/** The error mapping on its own, over the shapes Azure and what sits in front of it answer. */
class AzureErrorsTest {

    private static GatewayException map(int status, String body) {
        return AzureErrors.toException(status, body.getBytes(StandardCharsets.UTF_8), Headers.empty());
    }

    @Test
    void chatContentFilter() {
        GatewayException error = map(400, FakeAzure.contentFilterBody());
        assertEquals(400, error.status());
        assertEquals("invalid_request_error", error.errorCode().type());
        assertEquals("content_filter", error.errorCode().code());
        assertEquals("prompt", error.param());
    }

    @Test
    void imageContentFilterSpellings() {
        assertEquals("content_filter", map(400, FakeAzure.imageContentFilterBody()).errorCode().code());
        GatewayException output = map(400, "{\"error\":{\"code\":\"contentFilter\",\"message\":\"Your task failed as a "
                + "result of our safety system.\"}}");
        assertEquals("content_filter", output.errorCode().code());
        assertEquals("Your task failed as a result of our safety system.", output.getMessage());
    }

    @Test
    void aPolicyViolationInnerErrorIsAContentFilterWhateverTheOuterCode() {
        GatewayException error = map(400, "{\"error\":{\"code\":\"BadRequest\",\"message\":\"filtered\","
                + "\"innererror\":{\"code\":\"ResponsibleAIPolicyViolation\"}}}");
        assertEquals("content_filter", error.errorCode().code());
    }

    @Test
    void aContentFilterKeepsAnExplicitType() {
        GatewayException error = map(400, "{\"error\":{\"code\":\"content_filter\",\"type\":\"content_policy\","
                + "\"message\":\"m\"}}");
        assertEquals("content_policy", error.errorCode().type());
        assertEquals("content_filter", error.errorCode().code());
    }

    @Test
    void otherCodesAreCopied() {
        GatewayException error = map(404, FakeAzure.errorBody("DeploymentNotFound", FakeAzure.DEPLOYMENT_NOT_FOUND).toString());
        assertEquals("DeploymentNotFound", error.errorCode().code());
        assertEquals("not_found_error", error.errorCode().type());
        GatewayException numeric = map(429, "{\"error\":{\"code\":429,\"message\":\"slow down\"}}");
        assertEquals("429", numeric.errorCode().code(), "a numeric code becomes a string");
        assertNull(map(400, "{\"error\":{\"message\":\"bad\"}}").errorCode().code());
    }

    @Test
    void textAndHtmlBodiesBecomeTheMessage() {
        GatewayException error = map(502, "<html><body>Bad Gateway</body></html>");
        assertEquals(502, error.status());
        assertEquals("<html><body>Bad Gateway</body></html>", error.getMessage());
        assertTrue(error.errorCode().retryable());
        assertEquals("the provider answered HTTP 503", map(503, "").getMessage());
    }

    @Test
    void aVeryLongMessageIsCut() {
        GatewayException error = map(400, "{\"error\":{\"message\":\"" + "x".repeat(5000) + "\"}}");
        assertEquals(2001, error.getMessage().length());
    }

    @Test
    void aNonErrorStatusIsABadUpstreamResponse() {
        GatewayException error = map(302, "moved");
        assertEquals(ErrorCode.BAD_UPSTREAM_RESPONSE, error.errorCode());
        assertEquals("the provider answered HTTP 302: moved", error.getMessage());
    }

    @Test
    void stringErrorsAndTopLevelFields() {
        GatewayException error = map(400, "{\"error\":\"bad things\",\"type\":\"t\",\"code\":\"c\"}");
        assertEquals("bad things", error.getMessage());
        assertEquals("t", error.errorCode().type());
        assertEquals("c", error.errorCode().code());
    }
}
