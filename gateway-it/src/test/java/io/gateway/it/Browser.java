package io.gateway.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * A headless Chromium driven through its ChromeDriver, both from Debian's packages ({@code chromium},
 * {@code chromium-driver}); Selenium never downloads a driver or a browser here. Started with the flags
 * a closed network needs (no background networking, component updates or sync) and a fresh profile.
 * Without the two programs a test that needs them is skipped with a message naming the packages; in CI
 * ({@code CI=true}) it fails instead, since {@code .ci/run} installs them.
 */
final class Browser {

    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("GATEWAY_TEST_CHROMIUM", "/usr/bin/chromium"));
    static final Path DRIVER = Path.of(System.getenv().getOrDefault("GATEWAY_TEST_CHROMEDRIVER",
            "/usr/bin/chromedriver"));

    private Browser() {
    }

    /**
     * Starts a browser; skips the test (fails it in CI) when Chromium or its driver is not installed.
     *
     * @param profile an empty folder for the browser's profile
     * @return the driver; quit it after use
     */
    static ChromeDriver start(Path profile) {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(DRIVER)) {
            String message = "this test needs Debian's chromium and chromium-driver (apt-get install chromium "
                    + "chromium-driver; .ci/run does): " + CHROMIUM + " or " + DRIVER + " is missing";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(message);
            }
            Assumptions.abort(message);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-quic", "--no-first-run", "--disable-extensions",
                "--window-size=1400,1000", "--force-device-scale-factor=1", "--lang=en-US",
                "--user-data-dir=" + profile.toAbsolutePath());
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
        return driver;
    }

    /**
     * The errors the pages wrote to the browser's console since the last call.
     *
     * @param driver the browser
     * @return the SEVERE entries' messages
     */
    static List<String> consoleErrors(ChromeDriver driver) {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .toList();
    }
}
