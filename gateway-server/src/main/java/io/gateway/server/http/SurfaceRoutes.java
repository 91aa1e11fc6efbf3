package io.gateway.server.http;

import io.gateway.server.core.ClientBody;
import io.gateway.server.core.RequestFiles;
import io.gateway.server.core.ServerOutcome;
import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.ModelRef;
import io.gateway.spi.MultipartForm;
import io.gateway.spi.Operation;
import io.gateway.spi.middleware.Exchange;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The routes of the rest of the OpenAI surface: audio (speech, transcriptions, translations), image
 * edits and variations, files, batches and moderations, under every prefix of
 * {@link InferenceRoutes#PREFIXES}. Each request is read by its kind of body — JSON, a multipart form
 * ({@link FormReader}, files spooled into the request's {@link RequestFiles}), or none (the path's id
 * and the query become the exchange's parameters) — within the route's {@link BodyLimits}, and then
 * served by {@link InferenceRoutes} like every other route.
 *
 * <p>Ids of files and batches the gateway returns are prefixed with the provider that holds them
 * ({@code openai/file-abc}); a client may send them back unencoded ({@code files/openai/file-abc}), so
 * every route with an id is also served with a provider segment before it.
 */
final class SurfaceRoutes {

    /** The kind of request body a route takes. */
    enum Body { JSON, FORM, NONE }

    /**
     * One route.
     *
     * @param operation the operation
     * @param method    the HTTP method
     * @param path      the path below the prefix, {@code {id}} for the resource id
     * @param body      the kind of body
     */
    record Route(Operation operation, String method, String path, Body body) {
    }

    /** Every route, in the order they must be registered (a literal segment before a parameter). */
    static final List<Route> ROUTES = List.of(
            new Route(Operation.SPEECH, "POST", "audio/speech", Body.JSON),
            new Route(Operation.TRANSCRIPTION, "POST", "audio/transcriptions", Body.FORM),
            new Route(Operation.TRANSLATION, "POST", "audio/translations", Body.FORM),
            new Route(Operation.IMAGE_EDIT, "POST", "images/edits", Body.FORM),
            new Route(Operation.IMAGE_VARIATION, "POST", "images/variations", Body.FORM),
            new Route(Operation.MODERATION, "POST", "moderations", Body.JSON),
            new Route(Operation.FILE_UPLOAD, "POST", "files", Body.FORM),
            new Route(Operation.FILE_LIST, "GET", "files", Body.NONE),
            new Route(Operation.FILE_CONTENT, "GET", "files/{id}/content", Body.NONE),
            new Route(Operation.FILE_RETRIEVE, "GET", "files/{id}", Body.NONE),
            new Route(Operation.FILE_DELETE, "DELETE", "files/{id}", Body.NONE),
            new Route(Operation.BATCH_CREATE, "POST", "batches", Body.JSON),
            new Route(Operation.BATCH_LIST, "GET", "batches", Body.NONE),
            new Route(Operation.BATCH_CANCEL, "POST", "batches/{id}/cancel", Body.NONE),
            new Route(Operation.BATCH_RETRIEVE, "GET", "batches/{id}", Body.NONE));

    private static final Map<Operation, String> PATHS = new EnumMap<>(Operation.class);

    static {
        for (Route route : ROUTES) {
            PATHS.put(route.operation(), route.path());
        }
    }

    private final InferenceRoutes routes;
    private final BodyLimits limits;
    private final Path spool;

    SurfaceRoutes(InferenceRoutes routes, BodyLimits limits, Path spool) {
        this.routes = routes;
        this.limits = limits;
        this.spool = spool;
    }

    /**
     * The path of an operation of this surface below a prefix.
     *
     * @param operation the operation
     * @return e.g. {@code audio/transcriptions}, or {@code null} for an operation served elsewhere
     */
    static String path(Operation operation) {
        String path = PATHS.get(operation);
        return path == null ? null : path.replace("{id}", "{" + io.gateway.server.core.OperationKinds
                .idParameter(operation) + "}");
    }

    /**
     * A request's spool.
     *
     * @return a new, empty one
     */
    RequestFiles files() {
        return new RequestFiles(spool);
    }

    /**
     * Registers every route under every prefix; each path also answers other methods with 405.
     *
     * @param routing the routing builder
     */
    void register(HttpRouting.Builder routing) {
        // the paths in registration order, each with its routes: the id-only shapes first, then the same
        // shapes with the provider segment (files/{id}/content before files/{provider}/{id})
        Map<String, List<Route>> shapes = new LinkedHashMap<>();
        for (Route route : ROUTES) {
            shapes.computeIfAbsent(route.path(), p -> new ArrayList<>()).add(route);
        }
        for (Route route : ROUTES) {
            if (route.path().contains("{id}")) {
                shapes.computeIfAbsent(route.path().replace("{id}", "{provider}/{id}"), p -> new ArrayList<>())
                        .add(route);
            }
        }
        for (String prefix : InferenceRoutes.PREFIXES) {
            shapes.forEach((shape, served) -> {
                String path = prefix + shape;
                for (Route route : served) {
                    routing.route(Method.create(route.method()), path, (req, res) -> serve(route, path, req, res));
                }
                String allowed = String.join(", ", served.stream().map(Route::method).toList());
                routing.any(path, (req, res) -> routes.methodNotAllowed(served.get(0).operation(), allowed, req, res,
                        ApiFormat.OPENAI));
            });
        }
    }

    private void serve(Route route, String path, ServerRequest req, ServerResponse res) {
        routes.handle(route.operation(), path, req, res, ApiFormat.OPENAI,
                (requestId, receivedAt, outcome, files) -> read(route, req, requestId, receivedAt, outcome, files));
    }

    /**
     * Reads one request of a route into an exchange.
     *
     * @throws GatewayException 4xx for a body that is too large, malformed or misses what the route needs
     * @throws IOException      when the client went away while sending its body
     */
    Exchange read(Route route, ServerRequest req, String requestId, Instant receivedAt, ServerOutcome outcome,
                  RequestFiles files) throws IOException {
        Operation operation = route.operation();
        Headers headers = ExchangeReader.headersOf(req);
        Map<String, String> parameters = parameters(route, req);
        long contentLength = req.headers().contentLength().orElse(-1);
        long limit = limits.of(route.path());
        if (req.headers().contains(HeaderNames.create("x-bf-async-id"))) {
            // a poll: the job id is in the header; whatever body came is not looked at
            return Exchange.create(requestId, operation, JsonValue.EMPTY_JSON_OBJECT, headers, receivedAt, outcome)
                    .withParameters(parameters);
        }
        switch (route.body()) {
            case NONE -> {
                return Exchange.create(requestId, operation, JsonValue.EMPTY_JSON_OBJECT, headers, receivedAt, outcome)
                        .withParameters(parameters);
            }
            case JSON -> {
                byte[] bytes = RequestBodies.read(req.content().inputStream(), contentLength, limit);
                JsonObject body = RequestBodies.parse(bytes);
                requested(outcome, JsonBodies.string(body, "model"));
                SurfaceBodies.validate(operation, body);
                return Exchange.create(requestId, operation, body, headers, receivedAt, outcome)
                        .withParameters(parameters).withAttribute(ClientBody.KEY, new ClientBody(body, bytes));
            }
            default -> {
                MultipartForm form = FormReader.read(req.content().inputStream(),
                        req.headers().first(HeaderNames.CONTENT_TYPE).orElse(null), contentLength, limit,
                        route.path(), files);
                requested(outcome, form.field("model").orElse(null));
                SurfaceBodies.validate(operation, form);
                return Exchange.create(requestId, operation, JsonValue.EMPTY_JSON_OBJECT, headers, receivedAt, outcome)
                        .withForm(form).withParameters(parameters);
            }
        }
    }

    /** The path's id (with its provider segment, when the client sent one) and the query's parameters. */
    private static Map<String, String> parameters(Route route, ServerRequest req) {
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String name : req.query().names()) {
            parameters.put(name, req.query().get(name));
        }
        String idName = io.gateway.server.core.OperationKinds.idParameter(route.operation());
        if (idName != null) {
            var path = req.path().pathParameters();
            String id = path.get("id");
            if (path.contains("provider")) {
                id = path.get("provider") + "/" + id;
            }
            if (id.isBlank()) {
                throw GatewayException.of(ErrorCode.NOT_FOUND, "the path names no " + idName);
            }
            parameters.put(idName, id);
        }
        return parameters;
    }

    private static void requested(ServerOutcome outcome, String model) {
        if (model != null && !model.isBlank()) {
            try {
                outcome.requested(ModelRef.parse(model));
            } catch (IllegalArgumentException ignored) {
                // validation names the problem
            }
        }
    }
}
