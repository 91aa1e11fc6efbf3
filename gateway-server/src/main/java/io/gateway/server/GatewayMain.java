package io.gateway.server;

import io.gateway.server.core.StartupException;

import io.gateway.server.config.GatewayConfig;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Command-line entry point: {@code gateway [--config FILE]}. Without {@code --config}, reads
 * {@code conf/gateway.yaml} below the distribution folder ({@code -Dgateway.home}). A start-up
 * failure prints one line to standard error and exits with status 2.
 */
public final class GatewayMain {

    private GatewayMain() {
    }

    /**
     * Starts the gateway and blocks until it is stopped.
     *
     * @param args command-line arguments
     */
    public static void main(String[] args) {
        LogFormatter.setDefaultFormat();
        LogFormatter.install();
        Path home = Path.of(System.getProperty("gateway.home", ".")).toAbsolutePath().normalize();
        Path configFile = home.resolve("conf/gateway.yaml");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> {
                    if (i + 1 >= args.length) {
                        fail("--config needs a file: gateway --config FILE");
                    }
                    configFile = Path.of(args[++i]).toAbsolutePath();
                }
                case String arg when arg.startsWith("--config=") -> {
                    if (arg.length() == "--config=".length()) {
                        fail("--config needs a file: gateway --config FILE");
                    }
                    configFile = Path.of(arg.substring("--config=".length())).toAbsolutePath();
                }
                case "--help", "-h" -> {
                    System.out.println("usage: gateway [--config FILE]   (default: conf/gateway.yaml)");
                    return;
                }
                default -> fail("unknown argument '" + args[i] + "'; usage: gateway [--config FILE]");
            }
        }
        GatewayServer server;
        try {
            GatewayConfig config = GatewayConfig.load(configFile, System.getenv(), home);
            server = GatewayServer.start(config);
        } catch (StartupException e) {
            fail(e.getMessage());
            return;
        }
        // again: Helidon re-reads a logging.properties it finds when the server starts
        LogFormatter.install();
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> server.reloadOnSignal());
        } catch (IllegalArgumentException e) {
            // no SIGHUP on this platform: the file watcher and POST /admin/reload still reload
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "gateway-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void fail(String message) {
        System.err.println("gateway: " + message);
        System.exit(2);
    }
}
