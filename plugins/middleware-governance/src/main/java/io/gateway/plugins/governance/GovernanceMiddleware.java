package io.gateway.plugins.governance;

import io.gateway.spi.middleware.AttributeKey;
import io.gateway.spi.middleware.Chain;
import io.gateway.spi.ErrorCode;
import io.gateway.spi.middleware.Exchange;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.middleware.Middleware;
import io.gateway.spi.ModelRef;
import io.gateway.spi.Operation;
import io.gateway.spi.PluginMetrics;
import io.gateway.spi.PriceList;
import io.gateway.spi.Response;
import io.gateway.spi.state.StateStore;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.StreamOutcome;
import io.gateway.spi.middleware.RequestOutcome;
import io.gateway.spi.middleware.ManagedVirtualKey;
import io.gateway.spi.middleware.UsageReport;
import io.gateway.spi.middleware.VirtualKeyDirectory;
import io.gateway.spi.TokenUsage;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.openai.OpenAiRequests;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Authenticates each request by its virtual key and enforces that key's rules before anything goes
 * upstream: allowed models, request rate, token rate and budget. After a successful answer it adds the
 * tokens used and their cost to the key's counters.
 *
 * <p>All counters live in the {@link StateStore}: the request rate is one atomic increment per
 * request, whose result alone decides admission, so a limit holds exactly across replicas sharing a
 * store. Token limits and budgets are <em>reserved, then settled</em>: before the call the request's
 * worst case ({@link Estimator}: its input estimated from the body, its output capped by the request
 * or the model's maximum) is held against the key's window and budget with one atomic
 * {@link StateStore#reserve} each, and refused when it does not fit; after the answer (a stream at its
 * end, an async job when its worker finished, a failure at once) the hold is replaced by what was used
 * ({@link StateStore#settle}). A limit is therefore passed only by what the estimates of the requests
 * in flight fell short. Holds are renewed while their request runs ({@code reservation-lease}) and
 * expire when its replica dies. Nothing is cached locally but the names of the current period's
 * counters. Every key is counted, also one without limits: its requests and tokens per usage period
 * (its budget's, else a calendar month), for the usage report.
 *
 * <p>What counts as a virtual key: {@code x-bf-vk} always; a bearer token, {@code x-api-key} or
 * {@code api-key} only when it starts with the configured prefix ({@code sk-bf-} by default), because
 * SDKs send their {@code apiKey} in {@code Authorization} even when it is a placeholder.
 *
 * <p>Keys come from two places: the {@code virtual-keys} of the configuration, and the keys the gateway
 * manages through its admin API ({@link VirtualKeyDirectory}, lent by the server), which are governed
 * exactly alike: a presented value is looked for among the configured keys first, then in the
 * directory. A managed key is turned into the same {@link VirtualKey} once per change of it; its
 * counters are named by its name, like a configured key's, so they survive changes to its limits.
 * A managed key named like a configured one is ignored (the configured key wins).
 *
 * <p>Secrets: the key a client sends is compared in constant time against every configured key, and
 * the credential headers are removed from every request before it goes on, whatever their value.
 * Messages, logs and the usage report name keys, never their values, and never show a header value or
 * a body.
 */
final class GovernanceMiddleware implements Middleware, UsageReport {

    static final String VIRTUAL_KEY_HEADER = "x-bf-vk";
    static final String AUTHORIZATION = "authorization";
    static final String API_KEY_HEADER = "x-api-key";
    /** The header Azure OpenAI clients send their key in, on the gateway's Azure-style routes. */
    static final String AZURE_KEY_HEADER = "api-key";
    /** What {@code virtual-key-prefix} is when not configured: the prefix of Bifrost's virtual keys. */
    static final String DEFAULT_PREFIX = "sk-bf-";
    static final String INVALID_KEY = "the virtual key is not valid";

    /**
     * The usage period of a key without a budget: its spend, and its requests and tokens when it has no
     * limit for them, are still counted for the usage report, per calendar month.
     */
    private static final BudgetPeriod DEFAULT_USAGE_PERIOD = BudgetPeriod.MONTH;
    /** Period counters outlive their period by this much, so a late write never starts a fresh counter. */
    private static final Duration PERIOD_GRACE = Duration.ofHours(1);

    private final boolean requireKey;
    private final String prefix;
    private final String missingKey;
    private final List<Governed> keys;
    private final Set<String> fileNames;
    private final VirtualKeyDirectory directory;
    /** Managed keys as governed, by name; rebuilt when the directory hands out a changed key. */
    private final ConcurrentHashMap<String, Governed> managed = new ConcurrentHashMap<>();
    private final StateStore store;
    private final Clock clock;
    private final System.Logger logger;
    private final PluginMetrics metrics;
    private final PriceList prices;
    private final Estimator estimator;
    private final Duration lease;
    /** Set while counting the requests of keys without a request limit fails, so that is logged once. */
    private final AtomicBoolean countingFails = new AtomicBoolean();
    /** Set while renewing holds fails, so that is logged once. */
    private final AtomicBoolean renewalFails = new AtomicBoolean();
    /** Admitted requests that hold something, until settled: their holds are renewed while they run. */
    private final Set<Reservation> live = ConcurrentHashMap.newKeySet();
    private final Object renewerLock = new Object();
    private ScheduledExecutorService renewer;
    private boolean closed;

    GovernanceMiddleware(boolean requireKey, String prefix, List<VirtualKey> keys, StateStore store,
                         Clock clock, System.Logger logger, PluginMetrics metrics, PriceList prices,
                         Estimator estimator, Duration lease) {
        this(requireKey, prefix, keys, VirtualKeyDirectory.empty(), store, clock, logger, metrics, prices, estimator,
                lease);
    }

    GovernanceMiddleware(boolean requireKey, String prefix, List<VirtualKey> keys, VirtualKeyDirectory directory,
                         StateStore store, Clock clock, System.Logger logger, PluginMetrics metrics, PriceList prices,
                         Estimator estimator, Duration lease) {
        this.directory = directory;
        this.fileNames = keys.stream().map(VirtualKey::name).collect(java.util.stream.Collectors.toUnmodifiableSet());
        this.prices = prices;
        this.estimator = estimator;
        this.lease = lease;
        this.requireKey = requireKey;
        this.prefix = prefix;
        this.missingKey = missingKeyMessage(prefix);
        this.keys = keys.stream().map(Governed::new).toList();
        this.store = store;
        this.clock = clock;
        this.logger = logger;
        this.metrics = metrics;
    }

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        String presented = presentedKey(exchange.headers(), prefix);
        if (presented == null) {
            if (requireKey) {
                throw rejected("authentication", GatewayException.of(ErrorCode.AUTHENTICATION, missingKey));
            }
            // No virtual key: a placeholder an SDK sends (Bearer unused) goes no further than a real one.
            Headers headers = exchange.headers();
            Headers stripped = withoutCredentials(headers);
            return chain.proceed(stripped == headers ? exchange : exchange.withHeaders(stripped));
        }
        Governed governed = identify(presented);
        if (governed == null) {
            governed = identifyManaged(presented);
        }
        VirtualKey key = governed.key;
        checkModels(key, exchange);
        // MCP tool calls cost nothing the gateway prices: they count against the request rate only
        boolean tools = exchange.operation() == Operation.MCP || exchange.operation() == Operation.MCP_TOOL_EXECUTE;
        boolean billable = exchange.operation() != Operation.LIST_MODELS && !tools;
        long now = clock.millis();
        Reservation reservation = null;
        if (billable && exchange.model() == null) {
            // an async poll: it costs nothing, so it holds nothing, but a spent key is refused as before
            checkBudget(governed, now);
            checkTokens(key, now);
        } else if (billable) {
            reservation = reserve(governed, exchange, now);
        }
        try {
            // Last of the checks, so requests refused for another reason do not use up the rate.
            countRequest(governed, now);
        } catch (RuntimeException e) {
            release(reservation, exchange.requestId());
            throw e;
        }

        Exchange forwarded = exchange.withHeaders(withoutCredentials(exchange.headers()))
                .withAttribute(AttributeKey.CLIENT_IDENTITY, key.name())
                .withAttribute(AttributeKey.TOOL_ACCESS, key.allowedTools());
        boolean hideUsageChunk = false;
        if (exchange.stream() && (exchange.operation() == Operation.CHAT_COMPLETION
                || exchange.operation() == Operation.TEXT_COMPLETION)
                && !OpenAiRequests.includeUsage(exchange.body())) {
            // OpenAI-type upstreams report a stream's usage only when asked; ask, and hide the answer.
            forwarded = forwarded.withBody(withIncludeUsage(exchange.body()));
            hideUsageChunk = true;
        }

        Response response;
        try {
            response = chain.proceed(forwarded);
        } catch (RuntimeException | Error e) {
            // a failure costs nothing: the holds go at once
            release(reservation, exchange.requestId());
            throw e;
        }
        if (tools) {
            return response;
        }
        if (!billable) {
            return onlyAllowedModels(key, response);
        }
        if (reservation == null) {
            // an async poll: the job was charged when it finished, on whichever replica ran it
            return response;
        }
        Reservation admitted = reservation;
        return switch (response) {
            case Response.Complete complete -> {
                if (exchange.outcome().asyncDelivery() == RequestOutcome.AsyncDelivery.SUBMITTED) {
                    // charged when the job's worker finishes, polled or not; the holds live until then
                    String requestId = exchange.requestId();
                    if (!exchange.outcome().onAsyncJobFinished(done -> settle(admitted, done, requestId))) {
                        release(admitted, requestId);
                    }
                } else if (complete.status() >= 200 && complete.status() < 300) {
                    settle(admitted, exchange.outcome(), exchange.requestId());
                } else {
                    release(admitted, exchange.requestId());
                }
                yield complete;
            }
            case Response.Binary binary -> {
                // audio and file contents report no tokens; what the gateway priced by units (speech
                // characters) is known before the bytes pass, and the upstream has billed it
                if (binary.status() >= 200 && binary.status() < 300) {
                    settle(admitted, exchange.outcome(), exchange.requestId());
                } else {
                    release(admitted, exchange.requestId());
                }
                yield binary;
            }
            case Response.Streaming streaming -> {
                StreamUsage usage = new StreamUsage(admitted, exchange, hideUsageChunk);
                yield streaming.withEvents(streaming.events().map(usage::observe).onComplete(usage::complete));
            }
        };
    }

    // ---------------------------------------------------------------- reserve, then settle

    /**
     * Holds the request's worst case against the key's budget and token window, each with one atomic
     * reservation, or refuses it (402 for the budget, 429 for tokens) with nothing held. A key without
     * a budget or token limit holds nothing; its usage is still counted when it is settled.
     */
    private Reservation reserve(Governed governed, Exchange exchange, long now) {
        VirtualKey key = governed.key;
        UsagePeriod period = governed.period(now);
        Budget budget = key.budget();
        RateLimit tokens = key.tokens();
        Estimator.Estimate estimate = budget == null && tokens == null ? null
                : estimator.estimate(exchange.operation(), exchange.body(), exchange.model(), prices);
        Reservation.Counter spend = budget == null
                ? new Reservation.Counter(period.spendCounter(), 0, -1, period.ttl(now))
                // at least one micro-dollar (and one token below): a spent budget refuses even a request its
                // estimate prices at nothing (a model billed by units the price list does not know)
                : new Reservation.Counter(period.spendCounter(), Math.max(1, estimate.microUsd()), budget.microUsd(),
                        period.ttl(now));
        Reservation.Counter tokenCounter = tokens == null
                ? new Reservation.Counter(period.tokenCounter(), 0, -1, period.ttl(now))
                : new Reservation.Counter(windowKey("gov:tok:", key, tokens.window(now)), Math.max(1, estimate.tokens()),
                        tokens.limit(), tokens.per());
        Reservation reservation = new Reservation(key.name(), tokenCounter, spend, now + renewEvery());
        if (!reservation.holds()) {
            return reservation;
        }
        if (spend.held() && !store.reserve(spend.counter(), reservation.id(), spend.amount(), spend.limit(), lease)) {
            throw budgetRefusal(governed, period, estimate, exchange);
        }
        boolean held;
        try {
            held = !tokenCounter.held() || store.reserve(tokenCounter.counter(), reservation.id(),
                    tokenCounter.amount(), tokenCounter.limit(), lease);
        } catch (RuntimeException e) {
            release(reservation, exchange.requestId());
            throw e;
        }
        if (!held) {
            release(reservation, exchange.requestId());
            throw tokenRefusal(key, tokens, tokenCounter, estimate, exchange, now);
        }
        live.add(reservation);
        startRenewer();
        return reservation;
    }

    private GatewayException budgetRefusal(Governed governed, UsagePeriod period, Estimator.Estimate estimate,
                                           Exchange exchange) {
        Budget budget = governed.key.budget();
        String name = governed.key.name();
        long spent = read(period.spendCounter());
        String message;
        if (spent >= budget.microUsd()) {
            message = "virtual key '" + name + "' has spent its budget of $" + plain(budget.usd()) + " for "
                    + period.id() + "; it renews at " + Instant.ofEpochMilli(period.end());
        } else if (estimate.microUsd() > budget.microUsd()) {
            message = "a request to " + printable(exchange.model().toString()) + " may cost up to $" + usd(estimate.microUsd())
                    + " (" + worstCase(estimate) + "), more than the whole budget of $" + plain(budget.usd())
                    + " of virtual key '" + name + "' for " + period.id() + "; send a shorter request or a lower "
                    + capField(exchange.operation());
        } else {
            long held = store.reserved(period.spendCounter());
            message = "virtual key '" + name + "' has $" + usd(Math.max(0, budget.microUsd() - spent - held))
                    + " of its budget of $" + plain(budget.usd()) + " for " + period.id() + " left besides $"
                    + usd(held) + " held by requests in flight, and a request to "
                    + printable(exchange.model().toString()) + " may cost up to $" + usd(estimate.microUsd()) + " ("
                    + worstCase(estimate) + "); retry when they finished, or send a lower "
                    + capField(exchange.operation());
        }
        return rejected("budget", GatewayException.of(ErrorCode.BUDGET_EXCEEDED, message));
    }

    private GatewayException tokenRefusal(VirtualKey key, RateLimit limit, Reservation.Counter counter,
                                          Estimator.Estimate estimate, Exchange exchange, long now) {
        long used = read(counter.counter());
        long retry = limit.secondsLeft(now);
        String message;
        if (used >= limit.limit()) {
            message = "virtual key '" + key.name() + "' has used its token limit of " + limit.limit() + " tokens per "
                    + limit.perText() + "; retry in " + retry + "s";
        } else if (estimate.tokens() > limit.limit()) {
            message = "this request may use up to " + estimate.tokens() + " tokens (" + worstCase(estimate)
                    + "), more than the token limit of " + limit.limit() + " tokens per " + limit.perText()
                    + " of virtual key '" + key.name() + "'; send a shorter request or a lower "
                    + capField(exchange.operation());
        } else {
            long held = store.reserved(counter.counter());
            if (used + estimate.tokens() <= limit.limit()) {
                // only requests in flight stand in the way, and they end soon
                retry = 1;
            }
            message = "virtual key '" + key.name() + "' has " + Math.max(0, limit.limit() - used - held) + " of its "
                    + limit.limit() + " tokens per " + limit.perText() + " left besides " + held
                    + " held by requests in flight, and this request may use up to " + estimate.tokens() + " ("
                    + worstCase(estimate) + "); retry in " + retry + "s, or send a lower "
                    + capField(exchange.operation());
        }
        return rejected("tokens", new GatewayException(ErrorCode.RATE_LIMITED, message, null,
                Headers.of("retry-after", Long.toString(retry)), null));
    }

    private static String worstCase(Estimator.Estimate estimate) {
        return "about " + estimate.inputTokens() + " input tokens and up to " + estimate.outputTokens() + " output tokens"
                + (estimate.capped() ? "" : ", the gateway's default-max-output-tokens, as the request states no cap");
    }

    private static String capField(Operation operation) {
        return switch (operation) {
            case RESPONSES -> "max_output_tokens";
            case CHAT_COMPLETION -> "max_completion_tokens";
            case IMAGE_GENERATION -> "n";
            default -> "max_tokens";
        };
    }

    private static String usd(long micros) {
        return plain(BigDecimal.valueOf(micros, 6)).toPlainString();
    }

    /** Replaces the request's holds with what its outcome says it used (nothing without usage). */
    private void settle(Reservation reservation, RequestOutcome outcome, String requestId) {
        TokenUsage usage = outcome.usage().orElse(null);
        if (usage == null && outcome.costUsd().isEmpty()) {
            release(reservation, requestId);
            return;
        }
        if (!reservation.end()) {
            return;
        }
        live.remove(reservation);
        // answers priced by units (speech, transcriptions, images) report no tokens but have a cost
        long tokens = usage == null ? 0 : Math.max(0, usage.totalTokens());
        long cost = costMicros(outcome);
        try {
            charge(reservation.tokens(), reservation.id(), tokens);
            charge(reservation.spend(), reservation.id(), cost);
        } catch (RuntimeException e) {
            logger.log(System.Logger.Level.WARNING, "governance: the usage of request " + printable(requestId)
                    + " could not be charged to virtual key '" + reservation.key() + "' (" + reason(e) + ")");
        }
    }

    /** Adds what was used to a counter, in place of its hold when it has one. */
    private void charge(Reservation.Counter counter, String id, long amount) {
        if (counter.held()) {
            store.settle(counter.counter(), id, amount, counter.ttl());
        } else if (amount > 0) {
            store.increment(counter.counter(), amount, counter.ttl());
        }
    }

    /**
     * Gives the request's holds back, charging nothing. A store failure here is logged: the holds then
     * expire after {@code reservation-lease}.
     */
    private void release(Reservation reservation, String requestId) {
        if (reservation == null || !reservation.end()) {
            return;
        }
        live.remove(reservation);
        for (Reservation.Counter counter : new Reservation.Counter[] {reservation.spend(), reservation.tokens()}) {
            if (!counter.held()) {
                continue;
            }
            try {
                store.settle(counter.counter(), reservation.id(), 0, null);
            } catch (RuntimeException e) {
                logger.log(System.Logger.Level.WARNING, "governance: the hold of request " + printable(requestId)
                        + " on virtual key '" + reservation.key() + "' could not be released (" + reason(e)
                        + "); it expires within " + lease.toSeconds() + "s");
            }
        }
    }

    private long renewEvery() {
        return Math.max(1, lease.toMillis() / 3);
    }

    private void startRenewer() {
        synchronized (renewerLock) {
            if (renewer != null || closed) {
                return;
            }
            renewer = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "governance-renewals");
                thread.setDaemon(true);
                return thread;
            });
            long every = renewEvery();
            renewer.scheduleWithFixedDelay(this::renewDue, every, every, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Renews the holds of the requests still running whose renewal is due, so they outlive
     * {@code reservation-lease} only while their request does. Runs on the renewal thread every third
     * of the lease; a failure is logged once until renewing works again (holds then expire early, which
     * only frees capacity sooner than planned).
     */
    void renewDue() {
        long now = clock.millis();
        long every = renewEvery();
        for (Reservation reservation : live) {
            try {
                reservation.renewing(now, every, () -> {
                    for (Reservation.Counter counter : new Reservation.Counter[] {reservation.spend(),
                        reservation.tokens()}) {
                        if (counter.held()) {
                            store.reserve(counter.counter(), reservation.id(), counter.amount(), counter.limit(), lease);
                        }
                    }
                });
                if (renewalFails.compareAndSet(true, false)) {
                    logger.log(System.Logger.Level.INFO, "governance: holds of requests in flight are renewed again");
                }
            } catch (RuntimeException e) {
                if (renewalFails.compareAndSet(false, true)) {
                    logger.log(System.Logger.Level.WARNING, "governance: the holds of requests in flight cannot be"
                            + " renewed (" + reason(e) + ", first for virtual key '" + reservation.key() + "'); they"
                            + " expire after reservation-lease " + lease.toSeconds() + "s if this goes on");
                }
            }
        }
    }

    /**
     * Requests holding something now, for tests.
     *
     * @return the count
     */
    int inFlight() {
        return live.size();
    }

    @Override
    public void close() {
        synchronized (renewerLock) {
            closed = true;
            if (renewer != null) {
                renewer.shutdownNow();
            }
        }
    }

    /**
     * The 401 message for a request without a virtual key, telling the client where to send one.
     *
     * @param prefix the configured {@code virtual-key-prefix}
     * @return the message
     */
    static String missingKeyMessage(String prefix) {
        return "a virtual key is required: send it as x-bf-vk, or as Authorization: Bearer, x-api-key or api-key,"
                + " where only values starting with '" + prefix + "' are taken for virtual keys";
    }

    /**
     * The virtual key the client sent: {@code x-bf-vk} whatever its value, else the first of a bearer
     * token, {@code x-api-key} and {@code api-key} (Azure OpenAI clients) that starts with the prefix.
     * SDKs always send {@code Authorization}, with a placeholder when the gateway holds the real keys;
     * values without the prefix are therefore no virtual key. Nothing is copied unless it is one.
     *
     * @return the key, or {@code null} when none was sent
     */
    static String presentedKey(Headers headers, String prefix) {
        Optional<String> virtualKey = headers.first(VIRTUAL_KEY_HEADER);
        if (virtualKey.isPresent()) {
            String trimmed = virtualKey.get().trim();
            if (!trimmed.isEmpty()) {
                return trimmed;
            }
        }
        String bearer = bearerKey(headers.first(AUTHORIZATION), prefix);
        if (bearer != null) {
            return bearer;
        }
        String apiKey = prefixed(headers.first(API_KEY_HEADER), prefix);
        return apiKey != null ? apiKey : prefixed(headers.first(AZURE_KEY_HEADER), prefix);
    }

    /** The token of {@code Bearer <token>} when it starts with the prefix. */
    private static String bearerKey(Optional<String> header, String prefix) {
        if (header.isEmpty()) {
            return null;
        }
        String value = header.get();
        int scheme = skipSpaces(value, 0);
        int separator = scheme + 6;
        if (separator >= value.length() || !value.regionMatches(true, scheme, "Bearer", 0, 6)
                || !Character.isWhitespace(value.charAt(separator))) {
            return null;
        }
        return prefixedAt(value, skipSpaces(value, separator), prefix);
    }

    /** A whole header value when it starts with the prefix, leading and trailing spaces aside. */
    private static String prefixed(Optional<String> header, String prefix) {
        return header.isEmpty() ? null : prefixedAt(header.get(), skipSpaces(header.get(), 0), prefix);
    }

    private static String prefixedAt(String value, int from, String prefix) {
        if (!value.startsWith(prefix, from)) {
            return null;
        }
        int end = value.length();
        while (end > from && value.charAt(end - 1) <= ' ') {
            end--;
        }
        return value.substring(from, end);
    }

    /** The index of the first character at or after {@code from} that {@link String#trim} would keep. */
    private static int skipSpaces(String value, int from) {
        int i = from;
        while (i < value.length() && value.charAt(i) <= ' ') {
            i++;
        }
        return i;
    }

    /**
     * The configured key a client's key equals. Every configured key is compared, each in constant
     * time, so how long this takes says nothing about which key, or how much of one, matched.
     */
    private Governed identify(String presented) {
        Governed found = null;
        for (Governed governed : keys) {
            boolean matches = governed.key.value().matches(presented);
            if (matches && found == null) {
                found = governed;
            }
        }
        return found;
    }

    /**
     * The managed key a client's key equals, as governed; refuses the request when there is none, or
     * the key is disabled or expired, and answers 503 while the directory has not been loaded yet (the
     * key may well exist).
     */
    private Governed identifyManaged(String presented) {
        ManagedVirtualKey key = directory.find(presented).orElse(null);
        if (key == null || fileNames.contains(key.name())) {
            if (!directory.loaded()) {
                throw rejected("authentication", GatewayException.of(ErrorCode.STORE_UNAVAILABLE, "the virtual keys"
                        + " managed through the admin API are not loaded yet (the gateway's database has not answered);"
                        + " retry in a moment"));
            }
            throw rejected("authentication", GatewayException.of(ErrorCode.AUTHENTICATION, INVALID_KEY));
        }
        if (key.disabled()) {
            throw rejected("authentication", GatewayException.of(ErrorCode.AUTHENTICATION, "virtual key '" + key.name()
                    + "' is disabled; ask the gateway's admin to enable it"));
        }
        Instant now = clock.instant();
        if (key.expiredAt(now)) {
            throw rejected("authentication", GatewayException.of(ErrorCode.AUTHENTICATION, "virtual key '" + key.name()
                    + "' expired at " + key.expiresAt().orElseThrow() + "; ask the gateway's admin for a new one"));
        }
        return governed(key);
    }

    /** The governed form of a managed key, built once per change of the key (instances are immutable). */
    private Governed governed(ManagedVirtualKey key) {
        Governed cached = managed.get(key.name());
        if (cached != null && cached.source == key) {
            return cached;
        }
        Governed built = new Governed(ManagedKeys.toVirtualKey(key), key);
        managed.put(key.name(), built);
        if (managed.size() > 2 * Math.max(16, directory.keys().size())) {
            // deleted keys leave entries behind; drop those the directory no longer has
            Set<String> current = new java.util.HashSet<>();
            directory.keys().forEach(k -> current.add(k.name()));
            managed.keySet().retainAll(current);
        }
        return built;
    }

    private static Headers withoutCredentials(Headers headers) {
        return headers.without(VIRTUAL_KEY_HEADER).without(AUTHORIZATION).without(API_KEY_HEADER)
                .without(AZURE_KEY_HEADER);
    }

    /** The requested model and every fallback the request names must be allowed, or it would be a way around. */
    private void checkModels(VirtualKey key, Exchange exchange) {
        if (key.allowsEveryModel()) {
            return;
        }
        ModelRef model = exchange.model();
        if (model == null && exchange.operation() == Operation.PASSTHROUGH) {
            // a provider's own endpoint without a model: only for a key that may use all of its models
            String provider = exchange.parameters().getOrDefault("provider", "");
            if (!key.allows(provider + "/*")) {
                throw rejected("model", new GatewayException(ErrorCode.PERMISSION_DENIED, "virtual key '" + key.name()
                        + "' may not call provider '" + printable(provider) + "' without a model: a passthrough call"
                        + " that names no model needs a key allowed every model of the provider ('" + printable(provider)
                        + "/*')", null, null, null));
            }
            return;
        }
        if (model != null && !key.allows(model.toString())) {
            throw rejected("model", new GatewayException(ErrorCode.PERMISSION_DENIED, "model '" + model
                    + "' is not allowed for virtual key '" + key.name() + "'", "model", null, null));
        }
        if (exchange.body().get("fallbacks") instanceof JsonArray fallbacks) {
            for (JsonValue value : fallbacks) {
                if (!(value instanceof JsonString text)) {
                    continue;
                }
                ModelRef fallback;
                try {
                    fallback = ModelRef.parse(text.getString());
                } catch (IllegalArgumentException e) {
                    continue;
                }
                if (!key.allows(fallback.toString())) {
                    throw rejected("model", new GatewayException(ErrorCode.PERMISSION_DENIED, "fallback model '"
                            + fallback + "' is not allowed for virtual key '" + key.name() + "'", "fallbacks",
                            null, null));
                }
            }
        }
    }

    private void checkBudget(Governed governed, long now) {
        Budget budget = governed.key.budget();
        if (budget == null) {
            return;
        }
        UsagePeriod period = governed.period(now);
        long spent = read(period.spendCounter());
        if (spent >= budget.microUsd()) {
            throw rejected("budget", GatewayException.of(ErrorCode.BUDGET_EXCEEDED, "virtual key '"
                    + governed.key.name() + "' has spent its budget of $" + plain(budget.usd()) + " for "
                    + period.id() + "; it renews at " + Instant.ofEpochMilli(period.end())));
        }
    }

    private void checkTokens(VirtualKey key, long now) {
        RateLimit limit = key.tokens();
        if (limit == null) {
            return;
        }
        long used = read(windowKey("gov:tok:", key, limit.window(now)));
        if (used >= limit.limit()) {
            long retry = limit.secondsLeft(now);
            throw rejected("tokens", new GatewayException(ErrorCode.RATE_LIMITED, "virtual key '" + key.name()
                    + "' has used its token limit of " + limit.limit() + " tokens per " + limit.perText()
                    + "; retry in " + retry + "s", null, Headers.of("retry-after", Long.toString(retry)), null));
        }
    }

    private void countRequest(Governed governed, long now) {
        VirtualKey key = governed.key;
        RateLimit limit = key.requests();
        if (limit == null) {
            countUnlimitedRequest(governed, now);
            return;
        }
        long count = store.increment(windowKey("gov:req:", key, limit.window(now)), 1, limit.per());
        if (count > limit.limit()) {
            long retry = limit.secondsLeft(now);
            throw rejected("requests", new GatewayException(ErrorCode.RATE_LIMITED, "virtual key '" + key.name()
                    + "' has reached its rate limit of " + limit.limit() + " requests per " + limit.perText()
                    + "; retry in " + retry + "s", null, Headers.of("retry-after", Long.toString(retry)), null));
        }
    }

    /**
     * Counts a request of a key without a request limit, for the usage report only. Nothing is decided
     * by this count, so a store failure here does not fail the request: it is logged once, when
     * counting starts failing, and the report undercounts until the store answers again.
     */
    private void countUnlimitedRequest(Governed governed, long now) {
        UsagePeriod period = governed.period(now);
        try {
            store.increment(period.requestCounter(), 1, period.ttl(now));
        } catch (RuntimeException e) {
            if (countingFails.compareAndSet(false, true)) {
                logger.log(System.Logger.Level.WARNING, "governance: requests of virtual keys without a request"
                        + " limit cannot be counted (" + reason(e) + ", first for virtual key '"
                        + governed.key.name() + "'); they still pass, and the usage report undercounts them until"
                        + " the state store answers again");
            }
            return;
        }
        if (countingFails.get()) {
            countingFails.set(false);
            logger.log(System.Logger.Level.INFO, "governance: requests of virtual keys without a request limit"
                    + " are counted again");
        }
    }

    private static String reason(RuntimeException e) {
        return e instanceof GatewayException gateway
                ? gateway.status() + " " + gateway.errorCode().type() : e.getClass().getSimpleName();
    }

    private GatewayException rejected(String reason, GatewayException error) {
        metrics.count("governance.rejections", 1, "reason", reason);
        return error;
    }

    private static JsonObject withIncludeUsage(JsonObject body) {
        JsonObject existing = Json.objectField(body, "stream_options");
        JsonObjectBuilder options = existing != null ? Json.object(existing) : Json.object();
        options.add("include_usage", true);
        return Json.object(body).add("stream_options", options).build();
    }

    /** A model list shows only what the key may use. */
    private static Response onlyAllowedModels(VirtualKey key, Response response) {
        if (key.allowsEveryModel() || !(response instanceof Response.Complete complete)) {
            return response;
        }
        JsonObject body = complete.body();
        if (!(body.get("data") instanceof JsonArray data)) {
            return response;
        }
        JsonArrayBuilder kept = Json.array();
        for (JsonValue item : data) {
            if (item instanceof JsonObject model && model.get("id") instanceof JsonString id
                    && key.allows(id.getString())) {
                kept.add(model);
            }
        }
        return complete.withBody(Json.object(body).add("data", kept).build());
    }

    /**
     * What the answer cost in micro-dollars, as the gateway priced it ({@code gateway.pricing}) at the
     * model that served; a model without a price costs 0 (the gateway warns about it once).
     */
    private static long costMicros(RequestOutcome outcome) {
        return outcome.costUsd()
                .map(usd -> usd.movePointRight(6).setScale(0, RoundingMode.HALF_UP).longValue())
                .filter(micros -> micros > 0)
                .orElse(0L);
    }

    private static String windowKey(String prefix, VirtualKey key, long window) {
        return prefix + key.name() + ":" + window;
    }

    private long read(String counter) {
        Optional<byte[]> value = store.get(counter);
        if (value.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(new String(value.get(), StandardCharsets.US_ASCII).trim());
        } catch (NumberFormatException e) {
            throw GatewayException.of(ErrorCode.INTERNAL, "a governance counter in the state store is not a number");
        }
    }

    /** Client-chosen text (a model name, a request id) goes into log lines only without control characters. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), 200));
        for (int i = 0; i < text.length() && i < 200; i++) {
            char c = text.charAt(i);
            out.append(c < ' ' || c == 127 || c == '\u2028' || c == '\u2029' ? '?' : c);
        }
        return out.toString();
    }

    private static BigDecimal plain(BigDecimal value) {
        return new BigDecimal(value.stripTrailingZeros().toPlainString());
    }

    @Override
    public Optional<UsageReport> usageReport() {
        return Optional.of(this);
    }

    @Override
    public String name() {
        return "governance";
    }

    /**
     * Every key (configured, then managed) with its counts in the current windows and usage period. A count with a limit
     * is the limit's window; without one it is the usage period's (which the entry then names). Tokens
     * and spend show what is settled and what requests in flight hold besides.
     */
    @Override
    public JsonObject usage() {
        long now = clock.millis();
        JsonArrayBuilder entries = Json.array();
        List<Governed> reported = new java.util.ArrayList<>(keys);
        for (ManagedVirtualKey key : directory.keys()) {
            if (!fileNames.contains(key.name())) {
                reported.add(governed(key));
            }
        }
        for (Governed governed : reported) {
            VirtualKey key = governed.key;
            UsagePeriod period = governed.period(now);
            long spent = read(period.spendCounter());
            JsonObjectBuilder spend = Json.object()
                    .add("usd", plain(BigDecimal.valueOf(spent, 6)))
                    .add("reserved_usd", plain(BigDecimal.valueOf(store.reserved(period.spendCounter()), 6)));
            if (key.budget() == null) {
                spend.addNull("budget_usd");
            } else {
                spend.add("budget_usd", plain(key.budget().usd()));
            }
            spend.add("period", governed.usagePeriod.text()).add("period_id", period.id());
            JsonArrayBuilder allowed = Json.array();
            key.allowedModels().forEach(glob -> allowed.add(glob.pattern()));
            JsonArrayBuilder tools = Json.array();
            key.allowedTools().globs().forEach(tools::add);
            entries.add(Json.object()
                    .add("name", key.name())
                    .add("requests", count("gov:req:", governed, key.requests(), period, period.requestCounter(), now))
                    .add("tokens", count("gov:tok:", governed, key.tokens(), period, period.tokenCounter(), now))
                    .add("spend", spend)
                    .add("allowed_models", allowed)
                    .add("allowed_tools", tools));
        }
        return Json.object().add("virtual_keys", entries).build();
    }

    /**
     * A count in the report: in the limit's window, or without a limit in the usage period; tokens with
     * what requests in flight hold besides ({@code reserved}).
     */
    private JsonObjectBuilder count(String prefix, Governed governed, RateLimit limit, UsagePeriod period,
                                    String periodCounter, long now) {
        JsonObjectBuilder count = Json.object();
        String counter = limit == null ? periodCounter : windowKey(prefix, governed.key, limit.window(now));
        count.add("count", read(counter));
        if (prefix.equals("gov:tok:")) {
            count.add("reserved", store.reserved(counter));
        }
        if (limit == null) {
            return count.addNull("limit").addNull("window_seconds")
                    .add("period", governed.usagePeriod.text()).add("period_id", period.id());
        }
        return count.add("limit", limit.limit())
                .add("window_seconds", limit.windowSeconds());
    }

    /**
     * A configured key and its usage period: its budget's, else a calendar month. The names of the
     * period's counters are built once per period, not per request.
     */
    private static final class Governed {
        final VirtualKey key;
        /** The managed key this was built from, or {@code null} for a configured key. */
        final ManagedVirtualKey source;
        final BudgetPeriod usagePeriod;
        private volatile UsagePeriod current;

        Governed(VirtualKey key) {
            this(key, null);
        }

        Governed(VirtualKey key, ManagedVirtualKey source) {
            this.key = key;
            this.source = source;
            this.usagePeriod = key.budget() == null ? DEFAULT_USAGE_PERIOD : key.budget().period();
        }

        /** The usage period holding {@code now}; racing callers at a turn may both build it, harmlessly. */
        UsagePeriod period(long now) {
            UsagePeriod period = current;
            if (period == null || now < period.start() || now >= period.end()) {
                period = UsagePeriod.of(key.name(), usagePeriod, now);
                current = period;
            }
            return period;
        }
    }

    /**
     * One period of a key's usage, with the store keys of its counters: spend always, requests and
     * tokens for a key without a limit for them.
     *
     * @param start          epoch millis the period begins
     * @param end            epoch millis the next one begins
     * @param id             e.g. {@code 2026-11}
     * @param requestCounter {@code gov:req:<name>:<id>}
     * @param tokenCounter   {@code gov:tok:<name>:<id>}
     * @param spendCounter   {@code gov:usd:<name>:<id>}
     */
    private record UsagePeriod(long start, long end, String id, String requestCounter, String tokenCounter,
                               String spendCounter) {

        static UsagePeriod of(String name, BudgetPeriod period, long now) {
            Instant instant = Instant.ofEpochMilli(now);
            String id = period.id(instant);
            return new UsagePeriod(period.start(instant).toEpochMilli(), period.end(instant).toEpochMilli(), id,
                    "gov:req:" + name + ":" + id, "gov:tok:" + name + ":" + id, "gov:usd:" + name + ":" + id);
        }

        /**
         * Until the period ends, plus a grace, so a late write never starts a fresh counter; at least a
         * second (a request that outlived its period and the grace settles into a counter that goes at once).
         */
        Duration ttl(long now) {
            return Duration.ofMillis(Math.max(1000, end - now + PERIOD_GRACE.toMillis()));
        }
    }

    /**
     * What one stream has reported so far. {@link #observe} runs on the consumer's thread; {@link
     * #complete} may run on another (a client disconnect closes the stream from elsewhere).
     */
    private final class StreamUsage {
        private final Reservation reservation;
        private final Exchange exchange;
        private final boolean hideUsageChunk;

        StreamUsage(Reservation reservation, Exchange exchange, boolean hideUsageChunk) {
            this.reservation = reservation;
            this.exchange = exchange;
            this.hideUsageChunk = hideUsageChunk;
        }

        /** Drops the usage-only chunk the client did not ask for (the server read its usage already). */
        StreamEvent observe(StreamEvent event) {
            if (!hideUsageChunk || event.isDone() || !UsageChunks.mayHoldUsage(event.data())) {
                return event;
            }
            JsonObject json;
            try {
                json = event.json();
            } catch (GatewayException e) {
                return event;
            }
            return UsageChunks.isUsageOnlyChunk(json) ? null : event;
        }

        /**
         * Settles the stream once it ended, whichever way: with its usage if it arrived, else by giving
         * its holds back (a stream that failed before reporting usage costs nothing).
         */
        void complete(StreamOutcome outcome) {
            settle(reservation, exchange.outcome(), exchange.requestId());
        }
    }
}
