package io.gateway.plugins.redis;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.state.StateStore;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.ThreadFactoryProvider;
import io.netty.channel.ConnectTimeoutException;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * A {@link StateStore} in Redis, with the semantics of the server's in-memory store, every operation
 * atomic in Redis.
 *
 * <p>One thread-safe Lettuce connection is shared by all callers (Lettuce multiplexes commands on
 * it). It is opened lazily: if Redis cannot be reached when the gateway starts, the store still
 * comes up and each call tries to connect again. Once connected, Lettuce reconnects by itself after
 * a connection loss; while it is disconnected, commands are rejected at once rather than queued, so
 * callers get a 503 ({@link ErrorCode#STORE_UNAVAILABLE}) quickly instead of waiting for Redis.
 */
final class RedisStateStore implements StateStore {

    /** Replace the value only if it is the expected one; byte-exact, since Lua strings are binary. */
    private static final Script COMPARE_AND_SET = new Script("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              if tonumber(ARGV[3]) > 0 then
                redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
              else
                redis.call('SET', KEYS[1], ARGV[2])
              end
              return 1
            end
            return 0
            """);

    /**
     * Add to a counter; a counter this call creates gets the TTL, one that exists keeps its own, so a
     * window counter expires at the end of its window. The result is read back with GET because Lua
     * numbers are doubles and would round counters beyond 2^53.
     */
    private static final Script INCREMENT = new Script("""
            local created = redis.call('EXISTS', KEYS[1]) == 0
            redis.call('INCRBY', KEYS[1], ARGV[1])
            if created and tonumber(ARGV[2]) > 0 then
              redis.call('PEXPIRE', KEYS[1], ARGV[2])
            end
            return redis.call('GET', KEYS[1])
            """);

    /**
     * The common head of the hold scripts: Redis's own clock in milliseconds (one clock for every
     * replica), and {@code purge}, which drops the expired holds of {@code KEYS[2]} and answers the
     * amount still held. A hold set is a hash: {@code h:<id>} = {@code "<amount> <expiresAt>"}, {@code t}
     * = the sum of the holds, {@code e} = no later than the earliest expiry, so the holds are only
     * scanned when one may have expired. Numbers are written with {@code %.0f}: Lua's own formatting
     * would switch to exponents above 10^14.
     */
    private static final String HOLDS_HEAD = """
            if redis.replicate_commands then redis.replicate_commands() end
            local time = redis.call('TIME')
            local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
            local holds = KEYS[2]
            local function num(x) return string.format('%.0f', x) end
            local function purge()
              local total = tonumber(redis.call('HGET', holds, 't') or '0')
              local earliest = tonumber(redis.call('HGET', holds, 'e') or '0')
              if earliest == 0 or earliest > now then return total end
              local all = redis.call('HGETALL', holds)
              total = 0
              local soonest = 0
              local live = 0
              for i = 1, #all, 2 do
                if string.sub(all[i], 1, 2) == 'h:' then
                  local amount, expires = string.match(all[i + 1], '^(%d+) (%d+)$')
                  if tonumber(expires) <= now then
                    redis.call('HDEL', holds, all[i])
                  else
                    total = total + tonumber(amount)
                    live = live + 1
                    if soonest == 0 or tonumber(expires) < soonest then soonest = tonumber(expires) end
                  end
                end
              end
              if live == 0 then
                redis.call('DEL', holds)
              else
                redis.call('HSET', holds, 't', num(total))
                redis.call('HSET', holds, 'e', num(soonest))
              end
              return total
            end
            """;

    /**
     * Hold {@code ARGV[2]} as {@code h:ARGV[1]} for {@code ARGV[4]} ms if the counter {@code KEYS[1]}
     * plus the live holds plus it stays within {@code ARGV[3]}; a held id is renewed instead. The hold
     * set lives at least as long as its newest hold.
     */
    private static final Script RESERVE = new Script(HOLDS_HEAD + """
            local held = purge()
            local field = 'h:' .. ARGV[1]
            local expires = now + tonumber(ARGV[4])
            local existing = redis.call('HGET', holds, field)
            if existing then
              local amount, old = string.match(existing, '^(%d+) (%d+)$')
              if tonumber(old) < expires then redis.call('HSET', holds, field, amount .. ' ' .. num(expires)) end
            else
              local settled = tonumber(redis.call('GET', KEYS[1]) or '0')
              if not settled then return redis.error_reply('ERR value is not an integer or out of range') end
              local amount = tonumber(ARGV[2])
              if settled + held + amount > tonumber(ARGV[3]) then return 0 end
              redis.call('HSET', holds, field, ARGV[2] .. ' ' .. num(expires))
              redis.call('HSET', holds, 't', num(held + amount))
              local earliest = tonumber(redis.call('HGET', holds, 'e') or '0')
              if earliest == 0 or expires < earliest then redis.call('HSET', holds, 'e', num(expires)) end
            end
            if redis.call('PTTL', holds) < tonumber(ARGV[4]) then redis.call('PEXPIRE', holds, ARGV[4]) end
            return 1
            """);

    /**
     * Remove the hold {@code h:ARGV[1]} (if still there) and add {@code ARGV[2]} to the counter as
     * {@link #INCREMENT} does (TTL {@code ARGV[3]} when created), in one step; answer the counter.
     */
    private static final Script SETTLE = new Script("""
            local holds = KEYS[2]
            local field = 'h:' .. ARGV[1]
            local existing = redis.call('HGET', holds, field)
            if existing then
              redis.call('HDEL', holds, field)
              if redis.call('HLEN', holds) <= 2 then
                redis.call('DEL', holds)
              else
                local total = tonumber(redis.call('HGET', holds, 't') or '0')
                    - tonumber(string.match(existing, '^(%d+) '))
                redis.call('HSET', holds, 't', string.format('%.0f', math.max(total, 0)))
              end
            end
            if ARGV[2] ~= '0' then
              local created = redis.call('EXISTS', KEYS[1]) == 0
              redis.call('INCRBY', KEYS[1], ARGV[2])
              if created and tonumber(ARGV[3]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
            end
            return redis.call('GET', KEYS[1])
            """);

    /** The amount of the live holds of {@code KEYS[2]} ({@code KEYS[1]} is the counter, unused). */
    private static final Script RESERVED = new Script(HOLDS_HEAD + """
            return num(purge())
            """);

    /** Appended to a counter's key for the key of its hold set, as the SPI's default does. */
    private static final String HOLDS_SUFFIX = "#holds";

    /** Longer TTLs are cut to this: Redis refuses expiry times that overflow its clock. */
    private static final Duration MAX_TTL = Duration.ofDays(365L * 100);

    private static final byte[] NO_TTL = {'0'};

    private static final Pattern HOLD_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    /**
     * Lettuce's encoder logs every byte it sends at FINEST (trace), and the connection handshake
     * (HELLO ... AUTH user password) is sent that way. Its logger is capped at FINER so that no
     * logging configuration can write the password; the reference keeps the setting alive.
     */
    private static final java.util.logging.Logger WIRE_TRACE = capWireTrace();

    /** Lettuce's message when a handshake failed before its connect listener ran. */
    private static final String HANDSHAKE_RACE = "RedisHandshakeHandler not registered";
    /**
     * Lettuce's message when the channel went inactive before the handshake finished. Its handshake
     * handler closes the channel on a failure and records the failure only when the close has
     * completed; when that listener runs after the channel-inactive event, this message replaces
     * Redis's answer.
     */
    private static final String HANDSHAKE_CLOSED = "Connection closed prematurely";
    private static final int HANDSHAKE_RACE_RETRIES = 2;

    private static final int UNKNOWN = 0;
    private static final int UP = 1;
    private static final int DOWN = 2;

    private final RedisSettings settings;
    private final System.Logger logger;
    private final ClassLoader pluginLoader;
    private final ClientResources resources;
    private final RedisClient client;
    private final AtomicInteger health = new AtomicInteger(UNKNOWN);
    private final Object lock = new Object();

    /** The connection once established; Lettuce keeps it and reconnects it until {@link #close()}. */
    private volatile RedisCommands<byte[], byte[]> commands;
    private StatefulRedisConnection<byte[], byte[]> connection;
    private CompletableFuture<StatefulRedisConnection<byte[], byte[]>> connecting;
    private boolean closed;

    RedisStateStore(RedisSettings settings, System.Logger logger) {
        this.settings = settings;
        this.logger = logger;
        this.pluginLoader = RedisStateStore.class.getClassLoader();
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .threadFactoryProvider(threadFactories(pluginLoader))
                // Retry soon after Redis returns: at most one attempt a second while it is away.
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2,
                        TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources);
        this.client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(settings.connectTimeout())
                        .keepAlive(true)
                        .tcpNoDelay(true)
                        .build())
                .timeoutOptions(TimeoutOptions.enabled(settings.commandTimeout()))
                .build());
    }

    private static java.util.logging.Logger capWireTrace() {
        java.util.logging.Logger wire = java.util.logging.Logger.getLogger("io.lettuce.core.protocol.CommandEncoder");
        try {
            if (wire.getLevel() == null || wire.getLevel().intValue() < java.util.logging.Level.FINER.intValue()) {
                wire.setLevel(java.util.logging.Level.FINER);
            }
        } catch (SecurityException e) {
            // no permission to configure logging: nothing to cap
        }
        return wire;
    }

    /**
     * Threads that Lettuce and Netty create (event loops, the timer) are daemons whose context class
     * loader is the plugin's, whichever thread happened to cause their creation.
     */
    private static ThreadFactoryProvider threadFactories(ClassLoader loader) {
        return poolName -> {
            ThreadFactory netty = new DefaultThreadFactory(poolName, true);
            return runnable -> {
                Thread thread = netty.newThread(runnable);
                thread.setContextClassLoader(loader);
                return thread;
            };
        };
    }

    /** Starts the first connection attempt in the background; failures are logged, not thrown. */
    void start() {
        logger.log(System.Logger.Level.INFO, "redis state store at {0}{1}, database {2}, key prefix ''{3}''",
                settings.where(), settings.uri().isSsl() ? " (TLS)" : "", settings.uri().getDatabase(),
                settings.keyPrefix());
        inPluginLoader(() -> {
            CompletableFuture<StatefulRedisConnection<byte[], byte[]>> attempt;
            synchronized (lock) {
                attempt = connectingLocked();
            }
            attempt.whenComplete((connected, failure) -> {
                if (failure == null) {
                    markUp();
                } else if (health.compareAndSet(UNKNOWN, DOWN)) {
                    logger.log(System.Logger.Level.WARNING, "the redis state store at " + settings.where()
                            + " is unavailable at start-up: " + settings.scrub(reason(unwrap(failure)))
                            + "; the gateway starts anyway, and requests that need shared state fail with 503 "
                            + "until Redis can be reached");
                }
            });
            return null;
        });
    }

    @Override
    public Optional<byte[]> get(String key) {
        byte[] k = key(key);
        return call(redis -> Optional.ofNullable(redis.get(k)));
    }

    @Override
    public void put(String key, byte[] value, Duration ttl) {
        byte[] k = key(key);
        Objects.requireNonNull(value, "value");
        long millis = ttlMillis(ttl);
        call(redis -> millis > 0 ? redis.set(k, value, SetArgs.Builder.px(millis)) : redis.set(k, value));
    }

    @Override
    public boolean putIfAbsent(String key, byte[] value, Duration ttl) {
        byte[] k = key(key);
        Objects.requireNonNull(value, "value");
        long millis = ttlMillis(ttl);
        SetArgs args = millis > 0 ? SetArgs.Builder.nx().px(millis) : SetArgs.Builder.nx();
        return call(redis -> "OK".equals(redis.set(k, value, args)));
    }

    @Override
    public boolean compareAndSet(String key, byte[] expected, byte[] value, Duration ttl) {
        byte[] k = key(key);
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(value, "value");
        byte[] millis = ttlArgument(ttl);
        Long replaced = call(redis -> COMPARE_AND_SET.run(redis, ScriptOutputType.INTEGER, k, expected, value, millis));
        return replaced != null && replaced == 1L;
    }

    @Override
    public long increment(String key, long delta, Duration ttl) {
        byte[] k = key(key);
        byte[] amount = Long.toString(delta).getBytes(StandardCharsets.US_ASCII);
        byte[] millis = ttlArgument(ttl);
        byte[] value = call(redis -> INCREMENT.run(redis, ScriptOutputType.VALUE, k, amount, millis));
        if (value == null) {
            throw GatewayException.of(ErrorCode.INTERNAL, "the redis state store returned no counter value");
        }
        return counterValue(value);
    }

    @Override
    public boolean reserve(String key, String id, long amount, long limit, Duration holdTtl) {
        checkHoldId(id);
        if (amount < 0 || limit < 0) {
            throw new IllegalArgumentException("a hold's amount and limit must not be negative: " + amount + ", " + limit);
        }
        if (holdTtl == null || holdTtl.isZero() || holdTtl.isNegative()) {
            throw new IllegalArgumentException("a hold needs a positive time to live: " + holdTtl);
        }
        byte[][] keys = {key(key), key(key + HOLDS_SUFFIX)};
        byte[] field = id.getBytes(StandardCharsets.US_ASCII);
        byte[] held = ascii(amount);
        byte[] most = ascii(limit);
        byte[] millis = ascii(ttlMillis(holdTtl));
        Long done = call(redis -> RESERVE.run(redis, ScriptOutputType.INTEGER, keys, field, held, most, millis));
        return done != null && done == 1L;
    }

    @Override
    public long settle(String key, String id, long amount, Duration ttl) {
        checkHoldId(id);
        byte[][] keys = {key(key), key(key + HOLDS_SUFFIX)};
        byte[] field = id.getBytes(StandardCharsets.US_ASCII);
        byte[] used = ascii(amount);
        byte[] millis = ttlArgument(ttl);
        byte[] value = call(redis -> SETTLE.run(redis, ScriptOutputType.VALUE, keys, field, used, millis));
        return value == null ? 0 : counterValue(value);
    }

    @Override
    public long reserved(String key) {
        byte[][] keys = {key(key), key(key + HOLDS_SUFFIX)};
        byte[] value = call(redis -> RESERVED.run(redis, ScriptOutputType.VALUE, keys));
        return value == null ? 0 : counterValue(value);
    }

    private static byte[] ascii(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

    private static long counterValue(byte[] value) {
        try {
            return Long.parseLong(new String(value, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            throw GatewayException.of(ErrorCode.INTERNAL, "a state entry used as a counter is not a number");
        }
    }

    private static void checkHoldId(String id) {
        if (id == null || !HOLD_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("a hold's id is 1 to 128 letters, digits, '-', '_', '.' or ':': " + id);
        }
    }

    @Override
    public boolean delete(String key) {
        byte[] k = key(key);
        Long removed = call(redis -> redis.del(k));
        return removed != null && removed > 0;
    }

    /** Closes the connection and shuts the client down within about two seconds. */
    @Override
    public void close() {
        StatefulRedisConnection<byte[], byte[]> open;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            open = connection;
            connection = null;
            commands = null;
        }
        inPluginLoader(() -> {
            try {
                if (open != null) {
                    open.close();
                }
            } catch (RuntimeException e) {
                logger.log(System.Logger.Level.DEBUG, "closing the redis connection failed: "
                        + settings.scrub(e.getMessage()));
            }
            try {
                client.shutdown(Duration.ofMillis(50), Duration.ofSeconds(2));
                resources.shutdown(50, 2000, TimeUnit.MILLISECONDS).get(3, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                logger.log(System.Logger.Level.DEBUG, "shutting the redis client down failed: "
                        + settings.scrub(String.valueOf(e.getMessage())));
            }
            return null;
        });
    }

    private byte[] key(String key) {
        Objects.requireNonNull(key, "key");
        return (settings.keyPrefix() + key).getBytes(StandardCharsets.UTF_8);
    }

    static long ttlMillis(Duration ttl) {
        if (ttl == null || ttl.isZero() || ttl.isNegative()) {
            return 0;
        }
        if (ttl.compareTo(MAX_TTL) > 0) {
            return MAX_TTL.toMillis();
        }
        return Math.max(1, ttl.toMillis());
    }

    private static byte[] ttlArgument(Duration ttl) {
        long millis = ttlMillis(ttl);
        return millis == 0 ? NO_TTL : Long.toString(millis).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Runs one operation on the shared connection in the plugin's class loader and turns every
     * failure to reach Redis into a 503.
     */
    private <T> T call(Function<RedisCommands<byte[], byte[]>, T> operation) {
        return inPluginLoader(() -> {
            RedisCommands<byte[], byte[]> redis = commands();
            T result;
            try {
                result = operation.apply(redis);
            } catch (RedisCommandExecutionException e) {
                String message = String.valueOf(e.getMessage());
                if (message.contains("not an integer") || message.contains("overflow")) {
                    markUp();
                    throw new GatewayException(ErrorCode.INTERNAL, message.contains("overflow")
                            ? "a state counter would overflow" : "a state entry used as a counter is not a number",
                            null, null, e);
                }
                throw unavailable(e);
            } catch (RedisException e) {
                throw unavailable(e);
            }
            markUp();
            return result;
        });
    }

    private <T> T inPluginLoader(Supplier<T> action) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        if (previous == pluginLoader) {
            return action.get();
        }
        thread.setContextClassLoader(pluginLoader);
        try {
            return action.get();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** The shared connection's commands, connecting first if no connection was ever established. */
    private RedisCommands<byte[], byte[]> commands() {
        RedisCommands<byte[], byte[]> established = commands;
        if (established != null) {
            return established;
        }
        CompletableFuture<StatefulRedisConnection<byte[], byte[]>> attempt;
        synchronized (lock) {
            if (closed) {
                throw unavailable("the store is closed", null);
            }
            if (commands != null) {
                return commands;
            }
            attempt = connectingLocked();
        }
        long budget = settings.connectTimeout().plus(settings.commandTimeout()).toMillis() + 500;
        try {
            return attempt.get(budget, TimeUnit.MILLISECONDS).sync();
        } catch (ExecutionException e) {
            throw unavailable(unwrap(e));
        } catch (TimeoutException e) {
            throw unavailable("no connection within " + budget + " ms", null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted while connecting", null);
        }
    }

    /**
     * The connection attempt in flight, or a new one. Concurrent callers share one attempt, so an
     * outage costs one connection attempt at a time, not one per request. Called holding the lock.
     */
    private CompletableFuture<StatefulRedisConnection<byte[], byte[]>> connectingLocked() {
        if (connecting != null && !connecting.isDone()) {
            return connecting;
        }
        CompletableFuture<StatefulRedisConnection<byte[], byte[]>> attempt = connectOnce();
        // Lettuce races with a handshake that fails fast (a wrong password answered at once): when
        // the handshake handler is gone before Lettuce looks for it, the connect fails with
        // "RedisHandshakeHandler not registered"; when the channel-inactive event of its own close
        // comes first, with "Connection closed prematurely". Either way Redis's answer is lost. One
        // more attempt normally reports the answer itself (WRONGPASS, NOAUTH, ...); a Redis that
        // really closes every new connection costs two extra attempts.
        for (int retry = 0; retry < HANDSHAKE_RACE_RETRIES; retry++) {
            attempt = attempt.exceptionallyCompose(failure -> isHandshakeRace(failure)
                    ? connectOnce()
                    : CompletableFuture.failedFuture(failure));
        }
        connecting = attempt.thenApply(this::adopt);
        return connecting;
    }

    private CompletableFuture<StatefulRedisConnection<byte[], byte[]>> connectOnce() {
        try {
            return client.connectAsync(ByteArrayCodec.INSTANCE, settings.uri()).toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Whether one of Lettuce's handshake races ("handshake handler not registered", "connection
     * closed prematurely") is the failure or one of its causes.
     */
    private static boolean isHandshakeRace(Throwable failure) {
        Throwable current = failure;
        for (int depth = 0; depth < 20 && current != null; depth++) {
            if (current instanceof IllegalStateException && HANDSHAKE_RACE.equals(current.getMessage())) {
                return true;
            }
            if (current instanceof RedisConnectionException && HANDSHAKE_CLOSED.equals(current.getMessage())) {
                return true;
            }
            if (current.getCause() == current) {
                break;
            }
            current = current.getCause();
        }
        return false;
    }

    private StatefulRedisConnection<byte[], byte[]> adopt(StatefulRedisConnection<byte[], byte[]> fresh) {
        synchronized (lock) {
            if (closed) {
                fresh.closeAsync();
                throw new RedisException("the store is closed");
            }
            if (connection == null) {
                connection = fresh;
                commands = fresh.sync();
                return fresh;
            }
            // Attempts do not overlap (a new one starts only when none is in flight and none
            // succeeded), so this is defensive: keep the first connection, close the second.
            fresh.closeAsync();
            return connection;
        }
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable current = failure;
        while ((current instanceof ExecutionException || current instanceof CompletionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    private GatewayException unavailable(Throwable failure) {
        return unavailable(reason(failure), failure);
    }

    private GatewayException unavailable(String reason, Throwable cause) {
        String clean = settings.scrub(reason);
        if (health.getAndSet(DOWN) != DOWN) {
            logger.log(System.Logger.Level.WARNING, "the redis state store at " + settings.where()
                    + " is unavailable: " + clean + "; requests that need shared state fail with 503 until it is back");
        }
        return new GatewayException(ErrorCode.STORE_UNAVAILABLE, "the redis state store at " + settings.where()
                + " is unavailable: " + clean + "; the request needs shared state", null, null,
                cause == null ? null : new RedisUnavailable(clean, cause.getClass().getName()));
    }

    private void markUp() {
        if (health.get() == UP) {
            return;
        }
        int before = health.getAndSet(UP);
        if (before == DOWN) {
            logger.log(System.Logger.Level.INFO, "the redis state store at " + settings.where() + " is available again");
        } else if (before == UNKNOWN) {
            logger.log(System.Logger.Level.INFO, "connected to the redis state store at " + settings.where());
        }
    }

    /** A short description of why Redis cannot be used, for clients and logs; may still hold secrets. */
    private String reason(Throwable failure) {
        if (failure instanceof RedisCommandTimeoutException) {
            return "no answer within command-timeout " + human(settings.commandTimeout());
        }
        Throwable root = failure;
        for (int depth = 0; depth < 20 && root.getCause() != null && root.getCause() != root; depth++) {
            if (root instanceof RedisCommandExecutionException) {
                break;
            }
            root = root.getCause();
        }
        if (root instanceof RedisCommandExecutionException) {
            return "redis answered " + root.getMessage();
        }
        if (root instanceof ConnectTimeoutException || root instanceof SocketTimeoutException) {
            return "no connection within connect-timeout " + human(settings.connectTimeout());
        }
        if (root instanceof ConnectException) {
            return "connection refused";
        }
        if (root instanceof UnknownHostException) {
            return "unknown host";
        }
        if (root instanceof SSLException) {
            return "TLS failed (" + root.getMessage() + ")";
        }
        if (root instanceof ClosedChannelException) {
            return "the connection was closed";
        }
        if (root instanceof RedisCommandTimeoutException) {
            return "no answer within command-timeout " + human(settings.commandTimeout());
        }
        if (root instanceof RedisConnectionException && HANDSHAKE_CLOSED.equals(root.getMessage())) {
            return "the connection was closed during the handshake (check the user, password and database in the URL, "
                    + "and that Redis accepts more clients)";
        }
        if (isHandshakeRace(root)) {
            return "the connection handshake failed (check the user, password and database in the URL)";
        }
        String message = root.getMessage();
        if (message != null && message.startsWith("Currently not connected")) {
            return "not connected (reconnecting)";
        }
        return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
    }

    private static String human(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    /**
     * The cause recorded in a 503: the reason without secrets and the name of the Lettuce exception.
     * The Lettuce exception itself is not kept, so no message of a library can carry a secret into
     * a log.
     */
    static final class RedisUnavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RedisUnavailable(String reason, String exceptionClass) {
            super(exceptionClass + ": " + reason, null, false, false);
        }
    }

    /** A Lua script run by its SHA-1, loaded with EVAL the first time Redis does not know it. */
    private static final class Script {
        private final String text;
        private final String sha;

        Script(String text) {
            this.text = text;
            try {
                this.sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                        .digest(text.getBytes(StandardCharsets.UTF_8))).toLowerCase(Locale.ROOT);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-1 is missing from the JDK", e);
            }
        }

        <T> T run(RedisCommands<byte[], byte[]> redis, ScriptOutputType type, byte[] key, byte[]... args) {
            return run(redis, type, new byte[][] {key}, args);
        }

        <T> T run(RedisCommands<byte[], byte[]> redis, ScriptOutputType type, byte[][] keys, byte[]... args) {
            try {
                return redis.evalsha(sha, type, keys, args);
            } catch (RedisNoScriptException e) {
                return redis.eval(text, type, keys, args);
            }
        }
    }
}
