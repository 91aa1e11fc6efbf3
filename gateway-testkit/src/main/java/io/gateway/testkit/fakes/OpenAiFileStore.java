package io.gateway.testkit.fakes;

import io.gateway.spi.JsonBodies;
import io.gateway.testkit.http.MultipartParts;
import io.gateway.testkit.http.OpenAiPreset;
import io.gateway.testkit.http.RecordedRequest;
import io.gateway.testkit.http.Reply;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The files and batches of a {@link FakeOpenAi}, kept as OpenAI keeps them: uploads with their purpose
 * (a {@code batch} file's lines checked as the Batch API checks them), listed newest first, fetched,
 * deleted; batches that move one step per poll ({@code validating}, {@code in_progress}, then
 * {@code completed} with an output file answering every line) or get cancelled. Thread-safe.
 */
final class OpenAiFileStore {

    static final Set<String> PURPOSES = Set.of("assistants", "batch", "fine-tune", "vision", "user_data", "evals");
    static final Set<String> BATCH_ENDPOINTS = Set.of("/v1/chat/completions", "/v1/embeddings", "/v1/completions",
            "/v1/responses", "/v1/moderations");

    /** A stored file: its bytes are made on demand, so a test can register one larger than memory. */
    private record StoredFile(String id, String filename, String purpose, long bytes, long createdAt,
                              Supplier<InputStream> content) {
        JsonObject json() {
            return FakeJson.object().add("id", id).add("object", "file").add("bytes", bytes)
                    .add("created_at", createdAt).add("filename", filename).add("purpose", purpose)
                    .add("status", "processed").addNull("expires_at").addNull("status_details").build();
        }
    }

    private final Map<String, StoredFile> files = new LinkedHashMap<>();
    private final Map<String, JsonObject> batches = new LinkedHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    // ---------------------------------------------------------------- files

    /** {@code POST /v1/files}. */
    synchronized Reply upload(RecordedRequest request) {
        MultipartParts form;
        try {
            form = MultipartParts.parse(request.header("content-type"), request.body());
        } catch (MultipartParts.Malformed e) {
            throw OpenAiRequests.invalid(null, null, e.getMessage());
        }
        MultipartParts.Part file = form.part("file").filter(MultipartParts.Part::isFile).orElseThrow(() ->
                OpenAiRequests.invalid("file", "missing_required_parameter", "Missing required parameter: 'file'."));
        String purpose = form.text("purpose");
        if (purpose == null) {
            throw OpenAiRequests.invalid("purpose", "missing_required_parameter",
                    "Missing required parameter: 'purpose'.");
        }
        if (!PURPOSES.contains(purpose)) {
            throw OpenAiRequests.invalid("purpose", "invalid_value", "Invalid value for 'purpose': '" + purpose
                    + "'. Supported values are: " + PURPOSES.stream().sorted().toList());
        }
        if (purpose.equals("batch")) {
            checkBatchInput(file.data());
        }
        byte[] data = file.data();
        StoredFile stored = new StoredFile("file-" + Long.toHexString(0x1000 + ids.incrementAndGet()),
                file.filename(), purpose, data.length, Instant.now().getEpochSecond(),
                () -> new ByteArrayInputStream(data));
        files.put(stored.id(), stored);
        return Reply.json(200, stored.json());
    }

    /** Registers a file whose content is made as it is read, for downloads larger than memory. */
    synchronized String add(String filename, String purpose, long bytes, Supplier<InputStream> content) {
        StoredFile stored = new StoredFile("file-" + Long.toHexString(0x1000 + ids.incrementAndGet()), filename,
                purpose, bytes, Instant.now().getEpochSecond(), content);
        files.put(stored.id(), stored);
        return stored.id();
    }

    /** Each line of a batch input: a JSON object with custom_id, method POST, a known url, a body. */
    private static void checkBatchInput(byte[] data) {
        String[] lines = new String(data, StandardCharsets.UTF_8).split("\n");
        int count = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].trim();
            if (line.isEmpty()) {
                continue;
            }
            count++;
            JsonObject item;
            try {
                item = JsonBodies.parse(line);
            } catch (RuntimeException e) {
                throw OpenAiRequests.invalid("file", "invalid_file_format", "Invalid file format for Batch API. "
                        + "Line " + (i + 1) + " is not a JSON object.");
            }
            if (FakeJson.text(item, "custom_id") == null || !"POST".equals(FakeJson.text(item, "method"))
                    || !BATCH_ENDPOINTS.contains(FakeJson.text(item, "url"))
                    || !(item.get("body") instanceof JsonObject)) {
                throw OpenAiRequests.invalid("file", "invalid_file_format", "Invalid file format for Batch API. "
                        + "Line " + (i + 1) + " needs custom_id, method POST, a batch url and a body.");
            }
        }
        if (count == 0) {
            throw OpenAiRequests.invalid("file", "invalid_file_format", "Invalid file format for Batch API. The "
                    + "file has no requests.");
        }
    }

    /** {@code GET /v1/files}. */
    synchronized Reply list(RecordedRequest request) {
        String purpose = request.queryParameter("purpose");
        String after = request.queryParameter("after");
        int limit = intParameter(request, "limit", 10_000);
        boolean ascending = "asc".equals(request.queryParameter("order"));
        List<StoredFile> all = new ArrayList<>(files.values());
        if (!ascending) {
            java.util.Collections.reverse(all);
        }
        return Reply.json(200, page(all.stream().filter(f -> purpose == null || f.purpose().equals(purpose))
                .map(StoredFile::json).toList(), after, limit));
    }

    /** {@code GET /v1/files/{id}}. */
    synchronized Reply retrieve(String id) {
        return Reply.json(200, file(id).json());
    }

    /** {@code DELETE /v1/files/{id}}. */
    synchronized Reply delete(String id) {
        file(id);
        files.remove(id);
        return Reply.json(200, FakeJson.object().add("id", id).add("object", "file").add("deleted", true).build());
    }

    /** {@code GET /v1/files/{id}/content}: the bytes, made as they are written. */
    synchronized Reply content(String id) {
        StoredFile file = file(id);
        return Reply.generated(200, "application/octet-stream", file.bytes(), file.content());
    }

    private StoredFile file(String id) {
        StoredFile file = files.get(id);
        if (file == null) {
            throw new FakeJson.Rejection(404, null, "No such File object: " + id);
        }
        return file;
    }

    // ---------------------------------------------------------------- batches

    /** {@code POST /v1/batches}. */
    synchronized Reply createBatch(JsonObject body) {
        String input = FakeJson.text(body, "input_file_id");
        if (input == null) {
            throw OpenAiRequests.invalid("input_file_id", "missing_required_parameter",
                    "Missing required parameter: 'input_file_id'.");
        }
        String endpoint = FakeJson.text(body, "endpoint");
        if (endpoint == null || !BATCH_ENDPOINTS.contains(endpoint)) {
            throw OpenAiRequests.invalid("endpoint", "invalid_value", "Invalid value for 'endpoint': '" + endpoint
                    + "'. Supported values are: " + BATCH_ENDPOINTS.stream().sorted().toList());
        }
        if (!"24h".equals(FakeJson.text(body, "completion_window"))) {
            throw OpenAiRequests.invalid("completion_window", "invalid_value",
                    "Invalid value for 'completion_window': only '24h' is supported.");
        }
        StoredFile file = files.get(input);
        if (file == null) {
            throw OpenAiRequests.invalid("input_file_id", "invalid_value", "No such File object: " + input);
        }
        if (!file.purpose().equals("batch")) {
            throw OpenAiRequests.invalid("input_file_id", "invalid_value", "The file " + input + " has purpose '"
                    + file.purpose() + "'; a batch input needs purpose 'batch'.");
        }
        long now = Instant.now().getEpochSecond();
        String id = "batch_" + Long.toHexString(0x1000 + ids.incrementAndGet());
        JsonObjectBuilder batch = FakeJson.object().add("id", id).add("object", "batch").add("endpoint", endpoint)
                .addNull("errors").add("input_file_id", input).add("completion_window", "24h")
                .add("status", "validating").addNull("output_file_id").addNull("error_file_id")
                .add("created_at", now).addNull("in_progress_at").add("expires_at", now + 86_400)
                .addNull("finalizing_at").addNull("completed_at").addNull("failed_at").addNull("expired_at")
                .addNull("cancelling_at").addNull("cancelled_at")
                .add("request_counts", counts(0, 0, 0));
        JsonValue metadata = body.get("metadata");
        batch.add("metadata", metadata instanceof JsonObject object ? object : JsonValue.NULL);
        batches.put(id, batch.build());
        return Reply.json(200, batches.get(id));
    }

    /** {@code GET /v1/batches/{id}}: each poll moves the batch one step on. */
    synchronized Reply retrieveBatch(String id) {
        JsonObject batch = batch(id);
        long now = Instant.now().getEpochSecond();
        JsonObjectBuilder next = FakeJson.object(batch);
        switch (FakeJson.text(batch, "status")) {
            case "validating" -> next.add("status", "in_progress").add("in_progress_at", now);
            case "in_progress" -> complete(batch, next, now);
            case "cancelling" -> next.add("status", "cancelled").add("cancelled_at", now);
            default -> {
            }
        }
        batches.put(id, next.build());
        return Reply.json(200, batch);
    }

    /** Answers every input line, writes the output file, and marks the batch completed. */
    private void complete(JsonObject batch, JsonObjectBuilder next, long now) {
        StoredFile input = files.get(FakeJson.text(batch, "input_file_id"));
        StringBuilder output = new StringBuilder();
        int total = 0;
        try (InputStream in = input.content().get()) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                total++;
                JsonObject item = JsonBodies.parse(line.trim());
                JsonObject body = item.getJsonObject("body");
                String model = FakeJson.text(body, "model");
                JsonObject answer = FakeJson.object().add("id", "chatcmpl-batch-" + total)
                        .add("object", "chat.completion").add("created", now).add("model", model == null ? "" : model)
                        .add("choices", FakeJson.array().add(FakeJson.object().add("index", 0)
                                .add("message", FakeJson.object().add("role", "assistant").add("content",
                                        OpenAiPreset.TEXT)).add("finish_reason", "stop")))
                        .add("usage", FakeJson.object().add("prompt_tokens", OpenAiPreset.PROMPT_TOKENS)
                                .add("completion_tokens", 6).add("total_tokens", OpenAiPreset.PROMPT_TOKENS + 6))
                        .build();
                output.append(FakeJson.object().add("id", "batch_req_" + total)
                        .add("custom_id", FakeJson.text(item, "custom_id"))
                        .add("response", FakeJson.object().add("status_code", 200)
                                .add("request_id", "req_" + total).add("body", answer))
                        .addNull("error").build()).append('\n');
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        byte[] bytes = output.toString().getBytes(StandardCharsets.UTF_8);
        String outputId = add("batch_output.jsonl", "batch_output", bytes.length, () -> new ByteArrayInputStream(bytes));
        next.add("status", "completed").add("finalizing_at", now).add("completed_at", now)
                .add("output_file_id", outputId).add("request_counts", counts(total, total, 0));
    }

    /** {@code POST /v1/batches/{id}/cancel}. */
    synchronized Reply cancelBatch(String id) {
        JsonObject batch = batch(id);
        String status = FakeJson.text(batch, "status");
        if (!status.equals("validating") && !status.equals("in_progress")) {
            throw new FakeJson.Rejection(409, null, "Cannot cancel a batch with status '" + status + "'.");
        }
        JsonObject cancelling = FakeJson.object(batch).add("status", "cancelling")
                .add("cancelling_at", Instant.now().getEpochSecond()).build();
        batches.put(id, cancelling);
        return Reply.json(200, cancelling);
    }

    /** {@code GET /v1/batches}: newest first. */
    synchronized Reply listBatches(RecordedRequest request) {
        List<JsonObject> all = new ArrayList<>(batches.values());
        java.util.Collections.reverse(all);
        return Reply.json(200, page(all, request.queryParameter("after"), intParameter(request, "limit", 20)));
    }

    private JsonObject batch(String id) {
        JsonObject batch = batches.get(id);
        if (batch == null) {
            throw new FakeJson.Rejection(404, null, "No batch found with id '" + id + "'.");
        }
        return batch;
    }

    private static JsonObject counts(int total, int completed, int failed) {
        return FakeJson.object().add("total", total).add("completed", completed).add("failed", failed).build();
    }

    private static JsonObject page(List<JsonObject> items, String after, int limit) {
        int start = 0;
        if (after != null) {
            for (int i = 0; i < items.size(); i++) {
                if (after.equals(FakeJson.text(items.get(i), "id"))) {
                    start = i + 1;
                }
            }
        }
        List<JsonObject> page = items.subList(Math.min(start, items.size()), Math.min(items.size(), start + limit));
        JsonArrayBuilder data = FakeJson.array();
        page.forEach(data::add);
        JsonObjectBuilder list = FakeJson.object().add("object", "list").add("data", data);
        if (page.isEmpty()) {
            list.addNull("first_id").addNull("last_id");
        } else {
            list.add("first_id", FakeJson.text(page.get(0), "id")).add("last_id",
                    FakeJson.text(page.get(page.size() - 1), "id"));
        }
        return list.add("has_more", start + page.size() < items.size()).build();
    }

    private static int intParameter(RecordedRequest request, String name, int fallback) {
        String value = request.queryParameter(name);
        if (value == null) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed < 1) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw OpenAiRequests.invalid(name, "invalid_value", "Invalid '" + name + "': expected a positive "
                    + "integer.");
        }
    }

}
