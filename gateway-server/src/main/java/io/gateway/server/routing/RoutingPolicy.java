package io.gateway.server.routing;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;

/**
 * The router's rules, as pure decisions on what happened: whether a failed attempt is retried, the key
 * rotated at once, or the target given up; and whether a target's failure is a reason to try the next
 * fallback. No state, no clock, no I/O: the table in {@code RoutingPolicyTest} is the specification.
 */
public final class RoutingPolicy {

    /** What to do after a failed attempt on one target. */
    public enum Action {
        /** The upstream refused the key (401/402/403): take it out for this request and use another at once. */
        ROTATE_KEY,
        /** A passing failure (connection, timeout, invalid answer, 429, 5xx): back off, then try again. */
        RETRY,
        /** Give this target up: not retryable, or out of retries. */
        GIVE_UP
    }

    /**
     * One failed attempt, as far as the rules care.
     *
     * @param status       the HTTP status of the failure
     * @param retryable    whether the error is marked retryable (connection failures, timeouts, 429, 5xx)
     * @param gatewayError whether the gateway itself failed (not the upstream)
     * @param ownAuth      whether it is the gateway's own authentication failure (an empty key), not the
     *                     upstream refusing one
     * @param keyHasValue  whether the attempt carried a key (keyless providers have none to rotate)
     */
    public record Failure(int status, boolean retryable, boolean gatewayError, boolean ownAuth, boolean keyHasValue) {

        /**
         * The facts of an exception.
         *
         * @param e           the failure
         * @param keyHasValue whether the attempt carried a key
         * @return the facts
         */
        public static Failure of(GatewayException e, boolean keyHasValue) {
            return new Failure(e.status(), e.errorCode().retryable(), e.errorCode().gatewayError(),
                    e.errorCode() == ErrorCode.AUTHENTICATION, keyHasValue);
        }
    }

    private RoutingPolicy() {
    }

    /**
     * What to do after a failed attempt.
     *
     * @param failure    the failure
     * @param retries    retries already made on this target (key rotations do not count)
     * @param maxRetries the provider's {@code max-retries}
     * @return the action
     */
    public static Action afterFailure(Failure failure, int retries, int maxRetries) {
        if (refusedKey(failure)) {
            return Action.ROTATE_KEY;
        }
        if (!failure.retryable() || retries >= maxRetries) {
            return Action.GIVE_UP;
        }
        return Action.RETRY;
    }

    /**
     * Whether the upstream refused the key itself, so that it is dead for the rest of the request.
     *
     * @param failure the failure
     * @return {@code true} for an upstream 401, 402 or 403 on a key that has a value
     */
    public static boolean refusedKey(Failure failure) {
        int status = failure.status();
        return !failure.gatewayError() && !failure.ownAuth() && failure.keyHasValue()
                && (status == 401 || status == 402 || status == 403);
    }

    /**
     * Whether a target's final failure is a reason to try the next fallback: the provider failed
     * (5xx, timeouts, connection failures, 429, refused keys), not the request (other 4xx).
     *
     * @param e the target's final failure
     * @return {@code true} to fall back
     */
    public static boolean fallBack(GatewayException e) {
        int status = e.status();
        return e.errorCode().retryable() || status >= 500 || status == 429 || status == 401 || status == 402
                || status == 403;
    }

    /**
     * Whether a retry should prefer another key than the one that failed: after a 429, when the client
     * did not pin a key.
     *
     * @param failure the failure
     * @param pinned  whether the client pinned a key with {@code x-bf-api-key}
     * @return {@code true} to avoid the key on the next attempt
     */
    public static boolean avoidKeyOnRetry(Failure failure, boolean pinned) {
        return failure.status() == 429 && !pinned;
    }
}
