package io.gateway.server.async;

import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

/**
 * One async job as stored: its state, owner, lease and, once finished, the result body or the error
 * envelope with the status the synchronous call would have answered.
 *
 * @param id          the job id
 * @param operation   the operation
 * @param status      {@link #QUEUED}, {@link #RUNNING}, {@link #COMPLETED} or {@link #FAILED}
 * @param createdAt   epoch millis of submission
 * @param owner       the submitting client's identity, or {@code null}
 * @param ttlSeconds  how long the finished result is kept
 * @param leaseUntil  epoch millis until which the worker holds the job (running jobs)
 * @param httpStatus  the status of the result (finished jobs)
 * @param result      the result body or error envelope (finished jobs), else {@code null}
 * @param provider    the provider that served (completed jobs), else {@code null}
 * @param model       the model it served (completed jobs), else {@code null}
 * @param delivered   whether a poll already delivered the finished result
 */
record Job(String id, Operation operation, String status, long createdAt, String owner, long ttlSeconds,
           long leaseUntil, int httpStatus, JsonObject result, String provider, String model, boolean delivered) {

    static final String QUEUED = "queued";
    static final String RUNNING = "running";
    static final String COMPLETED = "completed";
    static final String FAILED = "failed";

    static Job queued(String id, Operation operation, long now, String owner, long ttlSeconds) {
        return new Job(id, operation, QUEUED, now, owner, ttlSeconds, 0, 0, null, null, null, false);
    }

    Job running(long leaseUntil) {
        return new Job(id, operation, RUNNING, createdAt, owner, ttlSeconds, leaseUntil, 0, null, null, null, false);
    }

    Job completed(int status, JsonObject body, String servedBy, String servedModel) {
        return new Job(id, operation, COMPLETED, createdAt, owner, ttlSeconds, 0, status, body, servedBy, servedModel,
                false);
    }

    Job markDelivered() {
        return new Job(id, operation, status, createdAt, owner, ttlSeconds, leaseUntil, httpStatus, result, provider,
                model, true);
    }

    Job failed(int status, JsonObject envelope) {
        return new Job(id, operation, FAILED, createdAt, owner, ttlSeconds, 0, status, envelope, null, null, false);
    }

    /**
     * The body a poll answers while the job is not finished: the Responses API's shape for
     * {@code responses}, a generic job object for the other routes.
     */
    JsonObject pendingBody() {
        JsonObjectBuilder body = JsonBodies.provider().createObjectBuilder().add("id", id);
        boolean running = status.equals(RUNNING);
        if (operation == Operation.RESPONSES) {
            body.add("object", "response")
                    .add("status", running ? "in_progress" : "queued")
                    .add("created_at", createdAt / 1000);
        } else {
            body.add("object", "async_job")
                    .add("status", running ? "processing" : "pending")
                    .add("created_at", createdAt / 1000);
        }
        return body.build();
    }

    byte[] toBytes() {
        JsonObjectBuilder json = JsonBodies.provider().createObjectBuilder()
                .add("id", id)
                .add("operation", operation.name())
                .add("status", status)
                .add("created_at", createdAt)
                .add("ttl_seconds", ttlSeconds)
                .add("lease_until", leaseUntil)
                .add("http_status", httpStatus);
        if (owner != null) {
            json.add("owner", owner);
        }
        if (result != null) {
            json.add("result", result);
        }
        if (provider != null) {
            json.add("provider", provider);
        }
        if (model != null) {
            json.add("model", model);
        }
        json.add("delivered", delivered);
        return JsonBodies.toBytes(json.build());
    }

    static Job parse(byte[] bytes) {
        JsonObject json = JsonBodies.parse(bytes);
        JsonValue result = json.get("result");
        return new Job(json.getString("id"), Operation.valueOf(json.getString("operation")),
                json.getString("status"), json.getJsonNumber("created_at").longValue(),
                json.containsKey("owner") ? json.getString("owner") : null,
                json.getJsonNumber("ttl_seconds").longValue(), json.getJsonNumber("lease_until").longValue(),
                json.getInt("http_status"), result instanceof JsonObject object ? object : null,
                json.containsKey("provider") ? json.getString("provider") : null,
                json.containsKey("model") ? json.getString("model") : null, json.getBoolean("delivered", false));
    }
}
