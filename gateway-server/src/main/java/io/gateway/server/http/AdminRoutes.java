package io.gateway.server.http;

import io.gateway.server.config.ConfigNode;
import io.gateway.server.config.ReadTracker;
import io.gateway.server.plugin.LoadedPlugin;
import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Secret;
import io.gateway.spi.middleware.UsageReport;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The admin API under {@code /admin}: loaded plugins, usage reports of middleware, and the effective
 * configuration with every secret redacted. Bearer {@code gateway.admin.token}, compared in constant
 * time; without a configured token the endpoints answer 404 as if they did not exist.
 */
public final class AdminRoutes {

    private static final Set<String> SECRET_NAMES = Set.of("value", "token", "password", "secret", "api-key",
            "apikey", "key", "authorization");
    private static final Pattern URL_PASSWORD = Pattern.compile("(://[^:/@]*:)[^@/]+@");

    private final Secret token;
    private final List<LoadedPlugin> plugins;
    private final Supplier<List<UsageReport>> reporters;
    private final Supplier<ConfigNode.ObjectNode> config;
    private final Supplier<ReadTracker> tracker;

    /**
     * The admin routes.
     *
     * @param token     the admin token; empty turns the API off
     * @param plugins   loaded plugins
     * @param reporters middleware that report usage
     * @param config    the configuration tree
     * @param tracker   which keys were read as secrets
     */
    public AdminRoutes(Secret token, List<LoadedPlugin> plugins, Supplier<List<UsageReport>> reporters,
                       ConfigNode.ObjectNode config, ReadTracker tracker) {
        this(token, plugins, reporters, () -> config, () -> tracker);
    }

    /**
     * The admin routes over a configuration that a reload may replace.
     *
     * @param token     the admin token; empty turns the API off
     * @param plugins   loaded plugins
     * @param reporters middleware that report usage
     * @param config    the configuration tree in use
     * @param tracker   which keys of it were read as secrets
     */
    public AdminRoutes(Secret token, List<LoadedPlugin> plugins, Supplier<List<UsageReport>> reporters,
                       Supplier<ConfigNode.ObjectNode> config, Supplier<ReadTracker> tracker) {
        this.token = token;
        this.plugins = List.copyOf(plugins);
        this.reporters = reporters;
        this.config = config;
        this.tracker = tracker;
    }

    /**
     * Registers the routes.
     *
     * @param routing the routing builder
     */
    public void register(HttpRouting.Builder routing) {
        routing.get("/admin/plugins", (req, res) -> guarded(req, res, this::pluginsBody));
        routing.get("/admin/usage", (req, res) -> guarded(req, res, this::usageBody));
        routing.get("/admin/config", (req, res) -> guarded(req, res, this::configBody));
    }

    private void guarded(ServerRequest req, ServerResponse res, Supplier<JsonObject> body) {
        guardedBytes(req, res, () -> JsonBodies.toBytes(body.get()));
    }

    /**
     * Answers an admin request: 404 when no admin token is configured, 401 without the right bearer
     * token, else the body as {@code application/json} (a {@code GatewayException} from it becomes its
     * error envelope).
     *
     * @param req  the request
     * @param res  the response
     * @param body the answer's UTF-8 JSON, computed only once the caller is authorised
     */
    void guardedBytes(ServerRequest req, ServerResponse res, Supplier<byte[]> body) {
        guardedAnswer(req, res, () -> new Answer(200, body.get()));
    }

    /**
     * An admin answer with its status.
     *
     * @param status the HTTP status (200, 201, 204)
     * @param body   the UTF-8 JSON, or {@code null} for none (204)
     */
    record Answer(int status, byte[] body) {
    }

    /**
     * Answers an admin request as {@link #guardedBytes} does, with the status the answer names.
     *
     * @param req    the request
     * @param res    the response
     * @param answer the answer, computed only once the caller is authorised
     */
    void guardedAnswer(ServerRequest req, ServerResponse res, Supplier<Answer> answer) {
        String requestId = ExchangeReader.requestId(req);
        if (token.isEmpty()) {
            AnswerWriter.error(res, requestId, GatewayException.of(ErrorCode.NOT_FOUND, "no route "
                    + req.prologue().method().text() + " "
                    + req.path().path() + "; the OpenAI routes live under /openai/v1/, /openai/ and /v1/"),
                    null, null, null, 0);
            return;
        }
        String presented = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        String candidate = presented.regionMatches(true, 0, "Bearer ", 0, 7) ? presented.substring(7).trim() : null;
        if (!token.matches(candidate)) {
            res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
            AnswerWriter.error(res, requestId, GatewayException.of(ErrorCode.AUTHENTICATION,
                    "the admin API needs Authorization: Bearer <gateway.admin.token>"), null, null, null, 0);
            return;
        }
        try {
            Answer done = answer.get();
            res.status(Status.create(done.status()));
            if (done.body() == null) {
                res.send();
            } else {
                res.header(HeaderNames.CONTENT_TYPE, "application/json");
                res.send(done.body());
            }
        } catch (GatewayException e) {
            AnswerWriter.error(res, requestId, e, null, null, null, 0);
        } catch (RuntimeException | LinkageError e) {
            System.getLogger("gateway.admin").log(System.Logger.Level.ERROR, "admin request " + requestId
                    + " failed", e);
            AnswerWriter.error(res, requestId, GatewayException.of(ErrorCode.INTERNAL, "the admin request "
                    + "failed unexpectedly; the log has details under request id " + requestId), null, null, null, 0);
        }
    }

    private JsonObject pluginsBody() {
        JsonArrayBuilder data = JsonBodies.provider().createArrayBuilder();
        for (LoadedPlugin plugin : plugins) {
            data.add(JsonBodies.provider().createObjectBuilder()
                    .add("id", plugin.id())
                    .add("directory", plugin.directory().getFileName().toString())
                    .add("jars", JsonBodies.provider().createArrayBuilder(plugin.jars()))
                    .add("providers", JsonBodies.provider().createArrayBuilder(plugin.providerTypes()))
                    .add("middleware", JsonBodies.provider().createArrayBuilder(plugin.middlewareTypes()))
                    .add("state_stores", JsonBodies.provider().createArrayBuilder(plugin.stateStoreTypes())));
        }
        return JsonBodies.provider().createObjectBuilder().add("object", "list").add("data", data).build();
    }

    private JsonObject usageBody() {
        JsonObjectBuilder body = JsonBodies.provider().createObjectBuilder();
        for (UsageReport reporter : reporters.get()) {
            body.add(reporter.name(), reporter.usage());
        }
        return body.build();
    }

    private JsonObject configBody() {
        ReadTracker secrets = tracker.get();
        return (JsonObject) redacted("", config.get(), false, secrets);
    }

    private JsonValue redacted(String path, ConfigNode node, boolean secretContext, ReadTracker tracker) {
        return switch (node) {
            case ConfigNode.ObjectNode object -> {
                JsonObjectBuilder builder = JsonBodies.provider().createObjectBuilder();
                for (Map.Entry<String, ConfigNode> field : object.fields().entrySet()) {
                    String child = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
                    boolean secret = secretContext || field.getKey().equals("extra-headers")
                            || field.getKey().equals("headers")
                            || field.getKey().equals("virtual-keys");
                    builder.add(field.getKey(), redacted(child, field.getValue(), secret, tracker));
                }
                yield builder.build();
            }
            case ConfigNode.ListNode list -> {
                JsonArrayBuilder builder = JsonBodies.provider().createArrayBuilder();
                for (int i = 0; i < list.items().size(); i++) {
                    builder.add(redacted(path + "[" + i + "]", list.items().get(i), secretContext, tracker));
                }
                yield builder.build();
            }
            case ConfigNode.ValueNode value -> {
                String name = path.substring(path.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
                boolean secret = tracker.isSecret(path) || SECRET_NAMES.contains(name)
                        || secretContext && !name.equals("name") && !name.equals("allowed-models");
                if (secret) {
                    yield JsonBodies.provider().createValue(value.value().isEmpty() ? "" : "****");
                }
                yield JsonBodies.provider().createValue(URL_PASSWORD.matcher(value.value()).replaceAll("$1****@"));
            }
        };
    }
}
