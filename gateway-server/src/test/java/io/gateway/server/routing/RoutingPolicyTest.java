package io.gateway.server.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gateway.server.routing.RoutingPolicy.Action;
import io.gateway.server.routing.RoutingPolicy.Failure;
import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The router's rules as a table: each row is one failure and what the router must do about it. */
class RoutingPolicyTest {

    @ParameterizedTest(name = "{0}: retries {1}/{2} → {3}")
    @CsvSource({
        // failure,                    retries, max, action
        "upstream-401,                 0, 2, ROTATE_KEY",
        "upstream-402,                 0, 2, ROTATE_KEY",
        "upstream-403,                 2, 2, ROTATE_KEY",   // rotating is not a retry: no budget needed
        "keyless-401,                  0, 2, GIVE_UP",      // no key to rotate
        "own-empty-key-401,            0, 2, GIVE_UP",      // the gateway's own 'no API key'
        "upstream-429,                 0, 2, RETRY",
        "upstream-429,                 2, 2, GIVE_UP",
        "upstream-500,                 0, 1, RETRY",
        "upstream-529,                 0, 1, RETRY",
        "upstream-503,                 1, 1, GIVE_UP",
        "connection-failed,            0, 3, RETRY",
        "timeout,                      0, 3, RETRY",
        "invalid-upstream-response,    0, 3, RETRY",
        "upstream-400,                 0, 3, GIVE_UP",
        "upstream-404,                 0, 3, GIVE_UP",
        "upstream-422,                 0, 3, GIVE_UP",
        "request-dropped,              0, 3, GIVE_UP",      // the queue was full: no upstream call to retry
        "internal,                     0, 3, GIVE_UP",
        "upstream-500,                 0, 0, GIVE_UP",      // max-retries 0: one attempt only
    })
    void afterAFailedAttempt(String failure, int retries, int maxRetries, Action expected) {
        assertEquals(expected, RoutingPolicy.afterFailure(failure(failure), retries, maxRetries));
    }

    @ParameterizedTest(name = "{0} → fall back: {1}")
    @CsvSource({
        "upstream-500, true",
        "upstream-529, true",
        "upstream-429, true",
        "upstream-401, true",
        "upstream-402, true",
        "upstream-403, true",
        "connection-failed, true",
        "timeout, true",
        "invalid-upstream-response, true",
        "credentials-exhausted, true",
        "internal, true",
        "upstream-400, false",  // the request is wrong; another provider would refuse it too
        "upstream-404, false",
        "upstream-422, false",
        "request-dropped, true",
    })
    void afterATargetFailed(String failure, boolean fallBack) {
        assertEquals(fallBack, RoutingPolicy.fallBack(exception(failure)));
    }

    @ParameterizedTest(name = "{0}, pinned {1} → avoid the key: {2}")
    @CsvSource({
        "upstream-429, false, true",
        "upstream-429, true, false",   // a pinned key is the only choice
        "upstream-500, false, false",
        "timeout, false, false",
    })
    void aRetryAvoidsARateLimitedKey(String failure, boolean pinned, boolean avoid) {
        assertEquals(avoid, RoutingPolicy.avoidKeyOnRetry(failure(failure), pinned));
    }

    private static Failure failure(String name) {
        return Failure.of(exception(name), !name.startsWith("keyless"));
    }

    private static GatewayException exception(String name) {
        if (name.startsWith("upstream-")) {
            int status = Integer.parseInt(name.substring("upstream-".length()));
            return GatewayException.upstream(status, null, null, "upstream said no", null, null);
        }
        if (name.startsWith("keyless-")) {
            return GatewayException.upstream(Integer.parseInt(name.substring("keyless-".length())), null, null,
                    "no credentials", null, null);
        }
        return GatewayException.of(switch (name) {
            case "own-empty-key-401" -> ErrorCode.AUTHENTICATION;
            case "connection-failed" -> ErrorCode.PROVIDER_CONNECTION_FAILED;
            case "timeout" -> ErrorCode.TIMEOUT;
            case "invalid-upstream-response" -> ErrorCode.BAD_UPSTREAM_RESPONSE;
            case "request-dropped" -> ErrorCode.REQUEST_DROPPED;
            case "credentials-exhausted" -> ErrorCode.CREDENTIALS_EXHAUSTED;
            case "internal" -> ErrorCode.INTERNAL;
            default -> throw new IllegalArgumentException(name);
        }, name);
    }
}
