package io.gateway.server.core;

/**
 * A reason the gateway cannot start, stated in one line that names the key or plugin at fault and
 * the fix. The launcher prints the message and exits non-zero.
 */
public final class StartupException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message one line: what is wrong and how to fix it
     */
    public StartupException(String message) {
        super(message, null, false, false);
    }
}
