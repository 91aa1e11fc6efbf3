-- The statistics per provider key read the attempts column of each request's row (a JSON array of
-- {provider, model, key, status, ms, fallback}), which V1 already wrote for every request; the table
-- of one row per attempt repeated it, and writing it was a fifth of the log's cost per request
-- (docs/performance.md, finding 22).
DROP INDEX IF EXISTS gateway_request_attempt_ts;
DROP TABLE IF EXISTS gateway_request_attempt;

-- A gateway of the previous version on the same database (during an upgrade) still inserts into and
-- deletes from that name in the transactions that write its log rows: a view that takes and discards
-- its writes keeps those transactions, and so its entries, working. Its per-key statistics read
-- nothing until it is upgraded. A later version drops the view.
CREATE VIEW gateway_request_attempt (seq, ts, provider, model, requested_model, key_name, virtual_key, status,
                                     latency_ms, input_tokens, output_tokens, cost_nanos) AS
    SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL WHERE 0;
CREATE TRIGGER gateway_request_attempt_insert INSTEAD OF INSERT ON gateway_request_attempt
BEGIN
    SELECT 1;
END;
CREATE TRIGGER gateway_request_attempt_delete INSTEAD OF DELETE ON gateway_request_attempt
BEGIN
    SELECT 1;
END;
