package io.gateway.server.keys;

import io.gateway.server.config.ConfigBlock;
import io.gateway.server.logs.LogSettings;
import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.middleware.ManagedVirtualKey;
import io.gateway.spi.middleware.UsageReport;
import io.gateway.spi.middleware.VirtualKeyDirectory;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbConfig;
import jakarta.json.bind.config.PropertyNamingStrategy;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Virtual keys managed at run time: what the admin routes create, change, rotate and delete, kept in
 * the gateway's database ({@link KeyStore}) and lent to middleware as a live {@link VirtualKeyDirectory}.
 *
 * <p>Every replica polls the database's version row once a second on a thread of its own (never on a
 * request's) and reloads the keys when it changed, so a change made on any replica holds everywhere
 * within about two seconds; the replica that made it installs it at once. A database that does not
 * answer makes polls fail (counted, logged once until it answers again) while the last keys keep
 * serving. Values exist only in the answer that issues them: the store and the directory hold
 * digests. Every write is recorded in the audit trail in the same transaction.
 *
 * <p>Created once by the server at start-up and closed at shutdown; thread-safe.
 */
public final class ManagedKeys implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("gateway.keys");

    /**
     * The pool and the migrations log through SLF4J (to java.util.logging); as for the request log, their
     * routine INFO lines say nothing an operator needs. Held here, since java.util.logging keeps loggers
     * weakly and would forget the level; the keys start before the request log does.
     */
    private static final List<java.util.logging.Logger> QUIET = java.util.stream.Stream.of("com.zaxxer.hikari",
            "org.flywaydb").map(java.util.logging.Logger::getLogger).toList();

    static {
        for (java.util.logging.Logger logger : QUIET) {
            logger.setLevel(java.util.logging.Level.WARNING);
        }
    }

    /** 409: a key of that name exists, or it is declared in the configuration file. */
    static final ErrorCode CONFLICT = new ErrorCode(409, "conflict_error", "conflict", false, false);

    /** The longest grace a rotation may give the old value. */
    static final Duration MAX_GRACE = Duration.ofDays(30);

    private static final Jsonb JSON = JsonbBuilder.create(new JsonbConfig()
            .withPropertyNamingStrategy(PropertyNamingStrategy.LOWER_CASE_WITH_UNDERSCORES));

    private static final ManagedKeys OFF = new ManagedKeys(null, null, Clock.systemUTC(), null);

    private final KeyStore store;
    private final KeyDirectory directory;
    private final Clock clock;
    private final LogSettings settings;
    private final ScheduledExecutorService poller;
    private final AtomicLong polls = new AtomicLong();
    private final AtomicLong pollFailures = new AtomicLong();
    private final AtomicLong reloads = new AtomicLong();
    private final CountDownLatch firstLoad = new CountDownLatch(1);
    private volatile String problem;

    private ManagedKeys(KeyStore store, KeyDirectory directory, Clock clock, LogSettings settings) {
        this.store = store;
        this.directory = directory;
        this.clock = clock;
        this.settings = settings;
        this.poller = store == null ? null : Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "gateway-keys-poll");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Managed keys off: no database is configured ({@code gateway.logs.store: none}).
     *
     * @return the off switch
     */
    public static ManagedKeys off() {
        return OFF;
    }

    /**
     * Starts managed keys on the database of {@code gateway.logs}: opens and migrates it, loads the keys
     * (waiting for that at most {@code wait}, so a database that is down does not stop the gateway),
     * and polls the version row every {@code pollEvery}.
     *
     * @param settings  the database
     * @param clock     the clock of rotations' grace, expiries and the audit trail
     * @param pollEvery how often the version row is read
     * @param wait      how long start-up waits for the first load
     * @return the running keys, or {@link #off()} for {@code store: none}
     */
    public static ManagedKeys start(LogSettings settings, Clock clock, Duration pollEvery, Duration wait) {
        if (!settings.enabled()) {
            return OFF;
        }
        ManagedKeys keys = new ManagedKeys(new KeyStore(settings), new KeyDirectory(clock), clock, settings);
        keys.poller.scheduleWithFixedDelay(keys::poll, 0, pollEvery.toMillis(), TimeUnit.MILLISECONDS);
        try {
            if (!keys.firstLoad.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "managed virtual keys: " + settings.describe() + " did not answer"
                        + " within " + wait.toSeconds() + "s (" + keys.problem + "); keys from the configuration work,"
                        + " managed ones answer 503 until it does");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return keys;
    }

    /**
     * Whether keys can be managed (a database is configured).
     *
     * @return {@code false} with {@code gateway.logs.store: none}
     */
    public boolean enabled() {
        return store != null;
    }

    /**
     * The live view lent to middleware.
     *
     * @return the directory; {@link VirtualKeyDirectory#empty()} when off
     */
    public VirtualKeyDirectory directory() {
        return store == null ? VirtualKeyDirectory.empty() : directory;
    }

    /** Reads the version row and reloads the keys when it moved. Runs on the poll thread. */
    private void poll() {
        try {
            if (!store.ready()) {
                store.open();
            }
            long version = store.version();
            if (version != directory.version() || !directory.loaded()) {
                refresh();
            }
            polls.incrementAndGet();
            if (problem != null) {
                LOG.log(System.Logger.Level.INFO, "managed virtual keys: " + settings.describe() + " answers again");
                problem = null;
            }
            firstLoad.countDown();
        } catch (SQLException | RuntimeException e) {
            pollFailures.incrementAndGet();
            String reason = message(e);
            if (problem == null) {
                LOG.log(System.Logger.Level.WARNING, "managed virtual keys: cannot read " + settings.describe() + " ("
                        + reason + "); the keys last read keep working, changes made elsewhere arrive once it answers");
            }
            problem = reason;
        }
    }

    /** Loads every key and installs them when they are newer than the directory's. */
    private void refresh() throws SQLException {
        KeyStore.Snapshot snapshot = store.all();
        if (directory.install(snapshot.version(), snapshot.keys())) {
            reloads.incrementAndGet();
        }
    }

    // ------------------------------------------------------------------ the admin API

    /**
     * {@code GET /admin/virtual-keys}: file keys, then managed keys, each with its usage.
     *
     * @param files   the keys of the configuration file
     * @param reports the usage reports of middleware
     * @return {@code {"data": [...]}} as UTF-8 JSON
     */
    public byte[] list(FileKeys files, List<UsageReport> reports) {
        Map<String, KeyDocument.Usage> usage = usage(reports);
        List<KeyDocument> data = new ArrayList<>();
        files.keys().values().forEach(key -> data.add(withUsage(key, usage.get(key.name()))));
        if (store != null) {
            for (StoredKey key : ready(() -> store.all().keys())) {
                if (!files.contains(key.name())) {
                    data.add(document(key, usage.get(key.name())));
                }
            }
        }
        return json(Map.of("data", data));
    }

    /**
     * {@code GET /admin/virtual-keys/{name}}.
     *
     * @param name    the name
     * @param files   the keys of the configuration file
     * @param reports the usage reports of middleware
     * @return the key as UTF-8 JSON
     * @throws GatewayException 404 when there is no such key
     */
    public byte[] get(String name, FileKeys files, List<UsageReport> reports) {
        KeyDocument file = files.keys().get(name);
        if (file != null) {
            return json(withUsage(file, usage(reports).get(name)));
        }
        StoredKey key = store == null ? null : ready(() -> store.find(name)).orElse(null);
        if (key == null) {
            throw notFound(name);
        }
        return json(document(key, usage(reports).get(name)));
    }

    /**
     * {@code POST /admin/virtual-keys}: a new key with a new random value.
     *
     * @param body     the request
     * @param files    the keys of the configuration file
     * @param clientIp the admin's address
     * @return the key with its value, as UTF-8 JSON
     * @throws GatewayException 400 for a bad body, 409 when the name is taken, 503 without the database
     */
    public byte[] create(JsonObject body, FileKeys files, String clientIp) {
        requireStore();
        KeyChanges changes = KeyChanges.forCreate(body);
        String name = changes.name();
        if (files.contains(name)) {
            throw new GatewayException(CONFLICT, "virtual key '" + name + "' is declared in " + files.file()
                    + "; choose another name, or change that key in the file", "name", null, null);
        }
        Instant now = clock.instant();
        ManagedVirtualKey key = changes.applyTo(ManagedVirtualKey.builder(name).build(), now);
        String value = KeyValues.generate();
        StoredKey stored = new StoredKey(key, KeyValues.hash(value), null, 0, now);
        boolean created = ready(() -> store.insert(stored, audit("virtual_key.create", name, clientIp)));
        if (!created) {
            throw new GatewayException(CONFLICT, "a virtual key named '" + name + "' exists already; choose another "
                    + "name, or change it with PATCH /admin/virtual-keys/" + name, "name", null, null);
        }
        refreshAfterWrite();
        return json(issued(stored, value, null));
    }

    /**
     * {@code PATCH /admin/virtual-keys/{name}}: changes models, limits, budget, {@code disabled},
     * {@code expires_at}; counters stay (they are named by the key's name).
     *
     * @param name     the name
     * @param body     the changes
     * @param files    the keys of the configuration file
     * @param reports  the usage reports of middleware
     * @param clientIp the admin's address
     * @return the changed key as UTF-8 JSON
     * @throws GatewayException 400, 404, 409 for a file key, 503 without the database
     */
    public byte[] update(String name, JsonObject body, FileKeys files, List<UsageReport> reports, String clientIp) {
        requireStore();
        refuseFileKey(name, files);
        KeyChanges changes = KeyChanges.forPatch(body);
        Instant now = clock.instant();
        StoredKey changed = ready(() -> store.update(name, current -> new StoredKey(
                changes.applyTo(current.key(), current.key().createdAt()), current.valueHash(), current.previousHash(),
                current.previousUntil(), now), audit("virtual_key.update", name, clientIp))).orElseThrow(() -> notFound(name));
        refreshAfterWrite();
        return json(document(changed, usage(reports).get(name)));
    }

    /**
     * {@code POST /admin/virtual-keys/{name}/rotate}: a new value; the old one keeps working for the
     * grace the body asks ({@code {"grace": "10m"}}, none by default), then answers 401.
     *
     * @param name     the name
     * @param body     the request ({@code grace}), may be empty
     * @param files    the keys of the configuration file
     * @param clientIp the admin's address
     * @return the key with its new value as UTF-8 JSON
     * @throws GatewayException 400, 404, 409 for a file key, 503 without the database
     */
    public byte[] rotate(String name, JsonObject body, FileKeys files, String clientIp) {
        requireStore();
        refuseFileKey(name, files);
        Duration grace = grace(body);
        String value = KeyValues.generate();
        String hash = KeyValues.hash(value);
        Instant now = clock.instant();
        long until = now.toEpochMilli() + grace.toMillis();
        StoredKey rotated = ready(() -> store.update(name, current -> new StoredKey(current.key(), hash,
                grace.isZero() ? null : current.valueHash(), grace.isZero() ? 0 : until, now),
                audit("virtual_key.rotate", name, clientIp))).orElseThrow(() -> notFound(name));
        refreshAfterWrite();
        return json(issued(rotated, value, grace.isZero() ? null : Instant.ofEpochMilli(until)));
    }

    /**
     * {@code DELETE /admin/virtual-keys/{name}}: the key answers 401 from then on (on every replica within
     * two seconds). Its counters expire with their windows.
     *
     * @param name     the name
     * @param files    the keys of the configuration file
     * @param clientIp the admin's address
     * @throws GatewayException 404, 409 for a file key, 503 without the database
     */
    public void delete(String name, FileKeys files, String clientIp) {
        requireStore();
        refuseFileKey(name, files);
        if (!ready(() -> store.delete(name, audit("virtual_key.delete", name, clientIp)))) {
            throw notFound(name);
        }
        refreshAfterWrite();
    }

    /**
     * Records an admin write that is not about keys (a configuration reload), when a database is
     * configured; a failure is logged, not thrown (the write happened).
     *
     * @param action   e.g. {@code config.reload}
     * @param target   what it was done to
     * @param clientIp the admin's address, or {@code null}
     */
    public void record(String action, String target, String clientIp) {
        if (store == null) {
            return;
        }
        try {
            ready(() -> {
                store.record(audit(action, target, clientIp));
                return null;
            });
        } catch (GatewayException e) {
            LOG.log(System.Logger.Level.WARNING, "audit trail: " + action + " of " + target + " not recorded: "
                    + e.getMessage());
        }
    }

    /**
     * {@code GET /admin/audit}: the newest admin writes.
     *
     * @param limit  the {@code limit} parameter (1 to 1000, default 100), or {@code null}
     * @param before the {@code before} parameter (the previous page's {@code next_before}), or {@code null}
     * @return {@code {"data": [...], "next_before": n | null}} as UTF-8 JSON
     * @throws GatewayException 400 for bad parameters, 404 without a database, 503 when it does not answer
     */
    public byte[] audit(String limit, String before) {
        requireStore();
        int count = 100;
        Long cursor = null;
        try {
            if (limit != null) {
                count = Integer.parseInt(limit);
            }
            if (before != null) {
                cursor = Long.parseLong(before);
            }
        } catch (NumberFormatException e) {
            throw KeyChanges.invalid(limit != null && !limit.matches("\\d+") ? "limit" : "before",
                    "must be a whole number");
        }
        if (count < 1 || count > 1000) {
            throw KeyChanges.invalid("limit", "must be between 1 and 1000");
        }
        Long page = cursor;
        int size = count;
        List<AuditEntry> entries = ready(() -> store.audit(size + 1, page));
        boolean more = entries.size() > size;
        List<AuditEntry> shown = more ? entries.subList(0, size) : entries;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("data", shown);
        body.put("next_before", more ? shown.getLast().seq() : null);
        return JSON.toJson(body).getBytes(StandardCharsets.UTF_8);
    }

    private void refuseFileKey(String name, FileKeys files) {
        if (files.contains(name)) {
            throw new GatewayException(CONFLICT, "virtual key '" + name + "' is declared in " + files.file()
                    + " and cannot be changed through the API; change or remove it in the file", null, null, null);
        }
    }

    private static Duration grace(JsonObject body) {
        for (String field : body.keySet()) {
            if (!field.equals("grace")) {
                throw KeyChanges.invalid(KeyChanges.printable(field), "is not a field here; the field is grace");
            }
        }
        JsonValue value = body.get("grace");
        if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
            return Duration.ZERO;
        }
        Duration grace = value instanceof JsonString text ? ConfigBlock.parseDuration(text.getString()) : null;
        if (grace == null || grace.isNegative() || grace.compareTo(MAX_GRACE) > 0) {
            throw KeyChanges.invalid("grace", "must be a duration from 0s to 30d, written like \"10m\" or \"1h\": how "
                    + "long the old value keeps working");
        }
        return grace;
    }

    private AuditEntry audit(String action, String target, String clientIp) {
        return new AuditEntry(0, clock.instant(), action, target, clientIp);
    }

    private void refreshAfterWrite() {
        try {
            refresh();
        } catch (SQLException | RuntimeException e) {
            // the write is committed; the next poll installs it
            LOG.log(System.Logger.Level.WARNING, "managed virtual keys: reloading after a write failed (" + message(e)
                    + "); the next poll retries");
        }
    }

    private void requireStore() {
        if (store == null) {
            throw GatewayException.of(ErrorCode.NOT_FOUND, "managed virtual keys need the gateway's database: set "
                    + "gateway.logs.store to sqlite or postgres (docs/governance.md, managed virtual keys)");
        }
    }

    /** A database call, or a 503 saying why the database cannot be used. */
    @FunctionalInterface
    private interface Call<T> {
        T run() throws SQLException;
    }

    private <T> T ready(Call<T> call) {
        if (!store.ready()) {
            throw GatewayException.of(ErrorCode.STORE_UNAVAILABLE, "the gateway's database (" + settings.describe()
                    + ") is not open" + (problem == null ? " yet; try again in a moment" : ": " + problem));
        }
        try {
            return call.run();
        } catch (SQLException | RuntimeException e) {
            if (e instanceof GatewayException gateway) {
                throw gateway;
            }
            LOG.log(System.Logger.Level.WARNING, "managed virtual keys: a database call failed: " + message(e));
            throw GatewayException.of(ErrorCode.STORE_UNAVAILABLE, "the gateway's database did not answer: "
                    + message(e) + "; try again");
        }
    }

    private static GatewayException notFound(String name) {
        return GatewayException.of(ErrorCode.NOT_FOUND, "no virtual key named '" + KeyChanges.printable(name)
                + "'; GET /admin/virtual-keys lists them");
    }

    private static String message(Exception e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String text = String.valueOf(cause.getMessage());
        int newline = text.indexOf('\n');
        return cause.getClass().getSimpleName() + ": " + (newline < 0 ? text : text.substring(0, newline));
    }

    // ------------------------------------------------------------------ documents

    private static byte[] json(Object document) {
        return JSON.toJson(document).getBytes(StandardCharsets.UTF_8);
    }

    private static KeyDocument withUsage(KeyDocument key, KeyDocument.Usage usage) {
        return new KeyDocument(key.name(), key.source(), key.allowedModels(), key.rateLimit(), key.budget(),
                key.disabled(), key.expiresAt(), key.createdAt(), key.updatedAt(), usage);
    }

    private static KeyDocument document(StoredKey stored, KeyDocument.Usage usage) {
        ManagedVirtualKey key = stored.key();
        return new KeyDocument(key.name(), "api", key.allowedModels(), rateLimit(key),
                key.budget().map(b -> new KeyDocument.Budget(b.usd(), b.period())).orElse(null), key.disabled(),
                key.expiresAt().orElse(null), key.createdAt(), stored.updatedAt(), usage);
    }

    private static IssuedKey issued(StoredKey stored, String value, Instant previousUntil) {
        ManagedVirtualKey key = stored.key();
        return new IssuedKey(key.name(), "api", value, key.allowedModels(), rateLimit(key),
                key.budget().map(b -> new KeyDocument.Budget(b.usd(), b.period())).orElse(null), key.disabled(),
                key.expiresAt().orElse(null), key.createdAt(), stored.updatedAt(), previousUntil);
    }

    private static KeyDocument.RateLimit rateLimit(ManagedVirtualKey key) {
        if (key.requestLimit().isEmpty() && key.tokenLimit().isEmpty()) {
            return null;
        }
        return new KeyDocument.RateLimit(key.requestLimit().map(ManagedVirtualKey.Limit::count).orElse(null),
                key.requestLimit().map(l -> windowText(l.per())).orElse(null),
                key.tokenLimit().map(ManagedVirtualKey.Limit::count).orElse(null),
                key.tokenLimit().map(l -> windowText(l.per())).orElse(null));
    }

    /**
     * A window the way the configuration writes it.
     *
     * @param window whole seconds
     * @return e.g. {@code 1m}, {@code 1h}, {@code 90s}
     */
    static String windowText(Duration window) {
        long seconds = window.toSeconds();
        if (seconds % 86_400 == 0) {
            return seconds / 86_400 + "d";
        }
        if (seconds % 3_600 == 0) {
            return seconds / 3_600 + "h";
        }
        if (seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }

    /**
     * Each key's usage from the reports of middleware that count virtual keys ({@code virtual_keys} with
     * {@code requests.count}, {@code tokens.count} and {@code spend.usd}: the governance report). A
     * report that fails (its state store is down) leaves usage unknown rather than failing the listing.
     */
    private static Map<String, KeyDocument.Usage> usage(List<UsageReport> reports) {
        Map<String, KeyDocument.Usage> usage = new HashMap<>();
        for (UsageReport report : reports) {
            JsonObject body;
            try {
                body = report.usage();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "usage report " + report.name() + " failed: " + e.getMessage());
                continue;
            }
            if (body == null || !(body.get("virtual_keys") instanceof jakarta.json.JsonArray keys)) {
                continue;
            }
            for (JsonValue value : keys) {
                if (value instanceof JsonObject key && key.get("name") instanceof JsonString name) {
                    usage.putIfAbsent(name.getString(), new KeyDocument.Usage(count(key, "requests"),
                            count(key, "tokens"), spend(key)));
                }
            }
        }
        return usage;
    }

    private static long count(JsonObject key, String field) {
        return key.get(field) instanceof JsonObject counter && counter.get("count") instanceof JsonNumber number
                ? number.longValue() : 0;
    }

    private static BigDecimal spend(JsonObject key) {
        if (key.get("spend") instanceof JsonObject spend) {
            JsonValue usd = spend.get("usd");
            if (usd instanceof JsonNumber number) {
                return number.bigDecimalValue();
            }
            if (usd instanceof JsonString text) {
                try {
                    return new BigDecimal(text.getString());
                } catch (NumberFormatException e) {
                    return BigDecimal.ZERO;
                }
            }
        }
        return BigDecimal.ZERO;
    }

    // ------------------------------------------------------------------ metrics and shutdown

    /**
     * Polls of the version row that answered.
     *
     * @return the count since start
     */
    public long polls() {
        return polls.get();
    }

    /**
     * Polls that failed (the database did not answer).
     *
     * @return the count since start
     */
    public long pollFailures() {
        return pollFailures.get();
    }

    /**
     * Times a new version of the keys was installed.
     *
     * @return the count since start
     */
    public long reloads() {
        return reloads.get();
    }

    /**
     * The version of the keys in use.
     *
     * @return the version row's value when last loaded; -1 before the first load
     */
    public long version() {
        return store == null ? 0 : directory.version();
    }

    /** Stops polling and closes the pool. */
    @Override
    public void close() {
        if (poller != null) {
            poller.shutdownNow();
            try {
                poller.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (store != null) {
            store.close();
        }
    }

    /**
     * Never a value.
     *
     * @return a description
     */
    @Override
    public String toString() {
        return "ManagedKeys[" + (settings == null ? "off" : settings.describe()) + "]";
    }
}
