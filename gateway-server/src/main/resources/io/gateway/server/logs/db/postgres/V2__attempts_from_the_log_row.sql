-- The statistics per provider key read the attempts column of each request's row (a JSON array of
-- {provider, model, key, status, ms, fallback}), which V1 already wrote for every request; the table
-- of one row per attempt repeated it, and writing it was a fifth of the log's cost per request
-- (docs/performance.md, finding 22).
DROP TABLE IF EXISTS gateway_request_attempt;

-- Replicas of the previous version (during a rolling upgrade) still insert into and delete from that
-- name in the transactions that write their log rows: a view that takes and discards their writes
-- keeps those transactions, and so their entries, working. Their per-key statistics read nothing until
-- they are upgraded. A later version drops the view.
CREATE VIEW gateway_request_attempt AS
    SELECT CAST(NULL AS BIGINT) AS seq, CAST(NULL AS BIGINT) AS ts, CAST(NULL AS TEXT) AS provider,
           CAST(NULL AS TEXT) AS model, CAST(NULL AS TEXT) AS requested_model, CAST(NULL AS TEXT) AS key_name,
           CAST(NULL AS TEXT) AS virtual_key, CAST(NULL AS INTEGER) AS status, CAST(NULL AS BIGINT) AS latency_ms,
           CAST(NULL AS BIGINT) AS input_tokens, CAST(NULL AS BIGINT) AS output_tokens,
           CAST(NULL AS BIGINT) AS cost_nanos
    WHERE false;
CREATE RULE gateway_request_attempt_insert AS ON INSERT TO gateway_request_attempt DO INSTEAD NOTHING;
CREATE RULE gateway_request_attempt_delete AS ON DELETE TO gateway_request_attempt DO INSTEAD NOTHING;
