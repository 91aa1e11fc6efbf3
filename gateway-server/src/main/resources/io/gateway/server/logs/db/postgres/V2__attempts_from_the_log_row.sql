-- The statistics per provider key read the attempts column of each request's row (a JSON array of
-- {provider, model, key, status, ms, fallback}), which V1 already wrote for every request; the table
-- of one row per attempt repeated it, and writing it was a fifth of the log's cost per request
-- (docs/performance.md, finding 22).
DROP INDEX IF EXISTS gateway_request_attempt_ts;
DROP TABLE IF EXISTS gateway_request_attempt;
