package io.gateway.server.core;

import java.util.function.Supplier;

/**
 * Runs code with a class loader as the thread's context class loader and puts the previous one back:
 * every call from the server into a plugin runs with the plugin's loader (libraries inside plugins
 * look resources up through it), and every call from a plugin back into the server with the server's
 * (Helidon looks its services up through it).
 */
public final class PluginCalls {

    private PluginCalls() {
    }

    /**
     * Calls {@code action} with {@code loader} as context class loader.
     *
     * @param loader the loader
     * @param action what to run
     * @param <T>    the result type
     * @return the action's result
     */
    public static <T> T call(ClassLoader loader, Supplier<T> action) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        if (previous == loader) {
            return action.get();
        }
        thread.setContextClassLoader(loader);
        try {
            return action.get();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /**
     * Runs {@code action} with {@code loader} as context class loader.
     *
     * @param loader the loader
     * @param action what to run
     */
    public static void run(ClassLoader loader, Runnable action) {
        call(loader, () -> {
            action.run();
            return null;
        });
    }
}
