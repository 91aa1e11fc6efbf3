package io.gateway.spi;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The one exception of the gateway: every failure a client can see, rendered by the server as the
 * error envelope with {@link ErrorCode#status()}.
 *
 * <p>Messages are shown to clients: say what went wrong and what to do, and never include a key, a
 * stack trace or a request body. Instances are immutable; the {@code with*} methods return copies.
 */
public final class GatewayException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient ErrorCode errorCode;
    private final String param;
    private final transient Headers headers;

    /**
     * Creates an exception.
     *
     * @param errorCode what kind of failure, not {@code null}
     * @param message   a message for the client, not {@code null}
     * @param param     the request field at fault ({@code error.param}), may be {@code null}
     * @param headers   upstream headers to pass to the client (rate-limit headers, Retry-After)
     * @param cause     the underlying cause, never shown to clients, may be {@code null}
     */
    public GatewayException(ErrorCode errorCode, String message, String param, Headers headers, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause, false, false);
        this.errorCode = Objects.requireNonNull(errorCode, "errorCode");
        this.param = param;
        this.headers = headers == null ? Headers.empty() : headers;
    }

    /**
     * A failure with a code and a message.
     *
     * @param errorCode the code
     * @param message   the client-facing message
     * @return the exception
     */
    public static GatewayException of(ErrorCode errorCode, String message) {
        return new GatewayException(errorCode, message, null, null, null);
    }

    /**
     * A 400 naming the request field at fault.
     *
     * @param message the client-facing message
     * @param param   the field, e.g. {@code messages}
     * @return the exception
     */
    public static GatewayException invalidRequest(String message, String param) {
        return new GatewayException(ErrorCode.INVALID_REQUEST, message, param, null, null);
    }

    /**
     * An error answered by a provider, with its status and error fields.
     *
     * @param status  upstream HTTP status
     * @param type    upstream {@code error.type}, may be {@code null}
     * @param code    upstream {@code error.code}, may be {@code null}
     * @param message upstream {@code error.message}
     * @param param   upstream {@code error.param}, may be {@code null}
     * @param headers upstream headers worth passing on, may be {@code null}
     * @return the exception
     */
    public static GatewayException upstream(int status, String type, String code, String message, String param,
                                            Headers headers) {
        return new GatewayException(ErrorCode.upstream(status, type, code),
                message == null || message.isBlank() ? "the provider answered HTTP " + status : message,
                param, headers, null);
    }

    /**
     * What kind of failure this is.
     *
     * @return the error code
     */
    public ErrorCode errorCode() {
        return errorCode;
    }

    /**
     * The HTTP status for the client.
     *
     * @return the status
     */
    public int status() {
        return errorCode.status();
    }

    /**
     * The request field at fault.
     *
     * @return {@code error.param}, or {@code null}
     */
    public String param() {
        return param;
    }

    /**
     * Headers to pass to the client with the error (for example {@code retry-after},
     * {@code x-ratelimit-*} from the upstream).
     *
     * @return headers, never {@code null}
     */
    public Headers headers() {
        return headers;
    }

    /**
     * The delay the upstream asked for in {@code Retry-After} (seconds form), if any.
     *
     * @return the delay, or empty
     */
    public Optional<Duration> retryAfter() {
        Optional<String> value = headers.first("retry-after-ms");
        try {
            if (value.isPresent()) {
                return Optional.of(Duration.ofMillis((long) Double.parseDouble(value.get().trim())));
            }
            value = headers.first("retry-after");
            if (value.isPresent()) {
                return Optional.of(Duration.ofMillis((long) (Double.parseDouble(value.get().trim()) * 1000)));
            }
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /**
     * A copy with other headers.
     *
     * @param newHeaders headers to carry
     * @return a new exception
     */
    public GatewayException withHeaders(Headers newHeaders) {
        return new GatewayException(errorCode, getMessage(), param, newHeaders, getCause());
    }

    /**
     * A copy with another message.
     *
     * @param newMessage the client-facing message
     * @return a new exception
     */
    public GatewayException withMessage(String newMessage) {
        return new GatewayException(errorCode, newMessage, param, headers, getCause());
    }
}
