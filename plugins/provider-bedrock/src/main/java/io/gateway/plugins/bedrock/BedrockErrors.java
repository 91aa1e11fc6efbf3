package io.gateway.plugins.bedrock;

import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.upstream.ErrorFields;
import jakarta.json.JsonObject;
import java.util.Locale;

/**
 * Bedrock's errors as {@link GatewayException}s, with the upstream message kept.
 *
 * <p>Bedrock answers an error with a status, the exception's name in the {@code x-amzn-ErrorType}
 * header ({@code ValidationException:http://internal.amazon.com/coral/...}) and
 * {@code {"message": "..."}} (some answers name it in {@code __type} or write {@code Message}). The
 * client gets the exception's name as {@code error.code} and a status from it:
 * {@code ValidationException} 400, {@code AccessDeniedException} 403, {@code ResourceNotFoundException}
 * 404, {@code ThrottlingException} and {@code ServiceQuotaExceededException} 429,
 * {@code ModelNotReadyException} and {@code ServiceUnavailableException} 503 (Bedrock sends 429 for a
 * model that is not ready, which is the upstream's state, not the client's rate), and the upstream's
 * status for the others ({@code ModelTimeoutException} 408, {@code ModelErrorException} 424,
 * {@code InternalServerException} 500, the signature errors 403). A stream that fails after its 200
 * sends the same exceptions as event-stream messages ({@link #fromStream}). Stateless.
 */
final class BedrockErrors {

    /** The header naming the exception. */
    static final String ERROR_TYPE_HEADER = "x-amzn-errortype";

    private BedrockErrors() {
    }

    /**
     * An error answer; the provider's {@link io.gateway.toolkit.upstream.ErrorParser}.
     *
     * @param status  the upstream status
     * @param body    the body, possibly empty or not JSON (a proxy's page)
     * @param relayed the relayed headers, {@code x-amzn-ErrorType} among them
     * @return the exception to throw
     */
    static GatewayException fromResponse(int status, byte[] body, Headers relayed) {
        String type = exceptionName(relayed.first(ERROR_TYPE_HEADER).orElse(null));
        JsonObject json = ErrorFields.jsonOf(body);
        String message;
        if (json != null) {
            if (type == null) {
                type = exceptionName(Json.text(json, "__type"));
            }
            message = Json.text(json, "message");
            if (message == null) {
                message = Json.text(json, "Message");
            }
        } else {
            message = ErrorFields.textOf(body);
        }
        Headers forClient = relayed.without(ERROR_TYPE_HEADER);
        if (status < 400 || status > 599) {
            return new ErrorFields(null, type, message, null, null).toException(status, forClient);
        }
        int mapped = statusFor(type, status);
        return GatewayException.upstream(mapped, null, type, message(message, type, mapped), null, forClient);
    }

    /**
     * An exception message of an event stream ({@code :message-type: exception}).
     *
     * @param exceptionType the {@code :exception-type} header, e.g. {@code throttlingException}
     * @param payload       the message's JSON payload, may be {@code null}
     * @param relayed       headers for the client
     * @return the exception to throw
     */
    static GatewayException fromStream(String exceptionType, JsonObject payload, Headers relayed) {
        String type = exceptionType == null || exceptionType.isEmpty() ? null
                : Character.toUpperCase(exceptionType.charAt(0)) + exceptionType.substring(1);
        int status = statusFor(type, Json.intField(payload, "originalStatusCode", 500));
        String message = Json.text(payload, "message");
        if (message == null) {
            message = Json.text(payload, "originalMessage");
        }
        return GatewayException.upstream(status, null, type, message(message, type, status), null, relayed);
    }

    /**
     * An error message of an event stream ({@code :message-type: error}).
     *
     * @param code    the {@code :error-code} header
     * @param message the {@code :error-message} header
     * @param relayed headers for the client
     * @return the exception to throw
     */
    static GatewayException fromStreamError(String code, String message, Headers relayed) {
        String type = exceptionName(code);
        int status = statusFor(type, 500);
        return GatewayException.upstream(status, null, type, message(message, type, status), null, relayed);
    }

    /** {@code ValidationException:http://internal...} and {@code aws.protocoltests#Name} are {@code ...Exception}. */
    static String exceptionName(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String name = value.strip();
        int colon = name.indexOf(':');
        if (colon >= 0) {
            name = name.substring(0, colon);
        }
        int hash = name.lastIndexOf('#');
        if (hash >= 0) {
            name = name.substring(hash + 1);
        }
        return name.isEmpty() ? null : name;
    }

    /**
     * The status the client sees for an exception.
     *
     * @param type     the exception's name, may be {@code null}
     * @param upstream the upstream's status
     * @return the status
     */
    static int statusFor(String type, int upstream) {
        if (type == null) {
            return upstream;
        }
        return switch (type.toLowerCase(Locale.ROOT)) {
            case "validationexception", "serializationexception" -> 400;
            case "accessdeniedexception" -> 403;
            case "resourcenotfoundexception" -> 404;
            case "throttlingexception", "servicequotaexceededexception", "toomanyrequestsexception" -> 429;
            case "modelnotreadyexception", "serviceunavailableexception" -> 503;
            case "internalserverexception" -> 500;
            case "modelstreamerrorexception", "modelerrorexception" -> upstream >= 400 && upstream != 500 ? upstream : 424;
            case "modeltimeoutexception" -> 408;
            default -> upstream;
        };
    }

    private static String message(String message, String type, int status) {
        if (message != null && !message.isBlank()) {
            return message;
        }
        return "bedrock answered HTTP " + status + (type == null ? "" : " (" + type + ")");
    }
}
