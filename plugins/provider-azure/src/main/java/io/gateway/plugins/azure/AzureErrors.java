package io.gateway.plugins.azure;

import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.openai.OpenAiErrors;
import io.gateway.toolkit.upstream.ErrorFields;
import jakarta.json.JsonObject;
import java.util.Set;

/**
 * Turns an Azure OpenAI error answer into a {@link GatewayException} with the upstream status and
 * its {@code error.type/code/message/param}.
 *
 * <p>Azure answers {@code {"error": {"code", "message", "type"?, "param"?, ...}}}, with codes such
 * as {@code "401"}, {@code "429"}, {@code DeploymentNotFound} or {@code content_filter}, which the
 * OpenAI-compatible reading of the toolkit takes as they are. Its content filter has several
 * spellings: chat and completions send {@code code: content_filter} with
 * {@code innererror: {code: ResponsibleAIPolicyViolation, content_filter_result}}; image generation
 * sends {@code content_policy_violation} or {@code contentFilter} with {@code inner_error}. All of
 * them become {@code code: content_filter}, with the upstream status (400) and {@code param} kept.
 * API Management in front of a resource answers {@code {"statusCode": 401, "message": ...}}, and
 * gateways may answer plain text; both still give a useful message.
 */
final class AzureErrors {

    /** The {@code error.code} every Azure content-filter rejection gets. */
    static final String CONTENT_FILTER = "content_filter";

    private static final Set<String> CONTENT_FILTER_CODES =
            Set.of(CONTENT_FILTER, "contentFilter", "content_policy_violation");
    private static final String POLICY_VIOLATION = "ResponsibleAIPolicyViolation";

    private AzureErrors() {
    }

    static GatewayException toException(int status, byte[] body, Headers headers) {
        ErrorFields fields = OpenAiErrors.fields(body);
        if (contentFilter(fields)) {
            fields = fields.withCode(CONTENT_FILTER);
        }
        return fields.toException(status, headers);
    }

    private static boolean contentFilter(ErrorFields fields) {
        JsonObject error = fields.error();
        return error != null && (fields.code() != null && CONTENT_FILTER_CODES.contains(fields.code())
                || POLICY_VIOLATION.equals(Json.text(Json.objectField(error, "innererror"), "code"))
                || POLICY_VIOLATION.equals(Json.text(Json.objectField(error, "inner_error"), "code")));
    }
}
