package io.gateway.plugins.vertex;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.spi.upstream.UpstreamClient;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The OAuth access tokens of one Google credential: fetched on first use, cached, and fetched anew
 * {@link #REFRESH_MARGIN} before they expire, so a request never goes out with a token that runs out on
 * the way. Expiry is kept on the plugin's clock (the lifetime Google granted, counted from when the token
 * arrived), so it behaves the same under a test clock.
 *
 * <p>One fetch at a time: the first caller that finds the token due fetches it under a lock; while the
 * cached token is still valid the others go on with it, and only when there is none (or it expired) do
 * they wait for the fetch. Callers that find a fresh token never lock. When a fetch fails while the
 * cached token is still valid, the cached token is used (and the fetch is tried again by the next call).
 * A token Google refused ({@link #invalidate}) is dropped at once. Thread-safe.
 */
final class AccessTokens {

    /** How long before its expiry a token is replaced. */
    static final Duration REFRESH_MARGIN = Duration.ofMinutes(5);

    private record Token(String value, Instant expiresAt) {
    }

    private final String owner;
    private final VertexCredentials source;
    private final Clock clock;
    private final ReentrantLock fetching = new ReentrantLock();
    private volatile Token current;
    private volatile Instant fetchDeadline;
    private final UpstreamHttpTransport transport;
    private GoogleCredentials credentials;
    private long fetches;

    /**
     * @param owner  names the provider and key in messages, e.g. {@code provider vertex, key main}
     * @param source where the credential comes from
     * @param clock  the plugin's clock
     * @param client the provider's upstream client, which the auth library's own requests take too
     */
    AccessTokens(String owner, VertexCredentials source, Clock clock, UpstreamClient client) {
        this.owner = owner + " (" + source + ")";
        this.source = source;
        this.clock = clock;
        this.transport = new UpstreamHttpTransport(client, this::fetchDeadline);
    }

    /**
     * When a request of the auth library started now must be done: the call's deadline, at most
     * {@link UpstreamHttpTransport#TOKEN_TIMEOUT} away.
     */
    Instant fetchDeadline() {
        Instant bound = Instant.now().plus(UpstreamHttpTransport.TOKEN_TIMEOUT);
        Instant call = fetchDeadline;
        return call != null && call.isBefore(bound) ? call : bound;
    }

    /**
     * A valid access token for a call.
     *
     * @param call the call that needs it; its deadline bounds a fetch
     * @return the token, for {@code Authorization: Bearer}
     * @throws GatewayException 401 when Google refuses the credential or none is found, 502 or 504 when its
     *                          token endpoint cannot be reached in time
     */
    String token(ProviderCall call) {
        Token token = current;
        Instant seen = clock.instant();
        if (token != null && seen.isBefore(token.expiresAt().minus(REFRESH_MARGIN))) {
            return token.value();
        }
        if (token != null && seen.isBefore(token.expiresAt())) {
            if (!fetching.tryLock()) {
                return token.value(); // another call is replacing it; this one still serves meanwhile
            }
        } else {
            fetching.lock();
        }
        try {
            token = current;
            Instant now = clock.instant();
            if (token != null && now.isBefore(token.expiresAt().minus(REFRESH_MARGIN))) {
                return token.value();
            }
            try {
                current = fetch(call);
                return current.value();
            } catch (GatewayException e) {
                if (token != null && now.isBefore(token.expiresAt())) {
                    return token.value(); // still good for a while: the next call tries again
                }
                throw e;
            }
        } finally {
            fetching.unlock();
        }
    }

    /**
     * Drops a token Google refused (401), so that the next call fetches a new one.
     *
     * @param value the token that was refused
     */
    void invalidate(String value) {
        Token token = current;
        if (token != null && token.value().equals(value)) {
            current = null;
        }
    }

    /**
     * How many tokens were fetched so far.
     *
     * @return the count
     */
    long fetches() {
        fetching.lock();
        try {
            return fetches;
        } finally {
            fetching.unlock();
        }
    }

    private Token fetch(ProviderCall call) {
        fetchDeadline = call.deadline();
        try {
            if (credentials == null) {
                credentials = source.load(transport);
            }
            long before = System.currentTimeMillis();
            AccessToken fetched = credentials.refreshAccessToken();
            fetches++;
            if (fetched == null || fetched.getTokenValue() == null || fetched.getTokenValue().isEmpty()) {
                throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "Google's token endpoint answered no"
                        + " access token for " + owner);
            }
            // the lifetime Google granted, counted on the plugin's clock from now
            Duration lifetime = fetched.getExpirationTime() == null ? Duration.ofHours(1)
                    : Duration.ofMillis(Math.max(0, fetched.getExpirationTime().getTime() - before));
            return new Token(fetched.getTokenValue(), clock.instant().plus(lifetime));
        } catch (IOException e) {
            throw refused(e);
        } catch (GatewayException e) {
            throw e.withMessage("fetching an access token for " + owner + " from Google: " + e.getMessage());
        } finally {
            fetchDeadline = null;
        }
    }

    /** The auth library's failure: Google refused the credential, or none was found. */
    private GatewayException refused(IOException e) {
        GatewayException transport = cause(e);
        if (transport != null) {
            return transport.withMessage("fetching an access token for " + owner + " from Google: "
                    + transport.getMessage());
        }
        String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return GatewayException.upstream(401, "authentication_error", "invalid_credentials",
                "Google refused the credentials of " + owner + ": " + reason + "; check the service account key,"
                        + " or the Application Default Credentials of the gateway's environment", null,
                io.gateway.spi.Headers.empty());
    }

    private static GatewayException cause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof GatewayException gateway) {
                return gateway;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "AccessTokens[" + owner + "]";
    }
}
