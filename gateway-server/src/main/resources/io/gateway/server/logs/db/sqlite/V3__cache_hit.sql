-- Whether the answer came from the response cache, and by which path: the answer's x-bf-cache-hit
-- header (direct or semantic), NULL for an answer from upstream.
ALTER TABLE gateway_request_log ADD COLUMN cache_hit TEXT;
