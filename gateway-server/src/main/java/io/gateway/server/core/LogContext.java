package io.gateway.server.core;

/**
 * The request a thread is working on, for log records: the HTTP handler sets it for the time it
 * handles a request (middleware and providers run on that thread), the JSON log format reads it.
 */
public final class LogContext {

    private static final ThreadLocal<String> REQUEST_ID = new ThreadLocal<>();

    private LogContext() {
    }

    /**
     * Marks the current thread as working on a request.
     *
     * @param requestId the request id
     */
    public static void set(String requestId) {
        REQUEST_ID.set(requestId);
    }

    /** The current thread no longer works on a request. */
    public static void clear() {
        REQUEST_ID.remove();
    }

    /**
     * The request the current thread works on.
     *
     * @return the request id, or {@code null}
     */
    public static String requestId() {
        return REQUEST_ID.get();
    }
}
