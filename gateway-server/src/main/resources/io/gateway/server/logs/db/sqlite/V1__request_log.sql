-- The request log (docs/operations.md, "The request log"). Times are epoch milliseconds (UTC), costs
-- are in billionths of a USD, so sums are exact and both back ends share one set of queries.
CREATE TABLE gateway_request_log (
    seq                       INTEGER PRIMARY KEY,
    id                      TEXT    NOT NULL,
    ts                        INTEGER NOT NULL,
    operation               TEXT    NOT NULL,
    provider                TEXT,
    model                   TEXT,
    requested_model         TEXT,
    status                  INTEGER NOT NULL,
    stream                  INTEGER NOT NULL,
    latency_ms                INTEGER NOT NULL,
    ttft_ms                 INTEGER,
    input_tokens              INTEGER,
    output_tokens             INTEGER,
    cached_tokens           INTEGER,
    reasoning_tokens        INTEGER,
    cost_nanos                INTEGER,
    virtual_key             TEXT,
    retries                 INTEGER NOT NULL,
    fallback_index          INTEGER NOT NULL,
    error_type              TEXT,
    error_message           TEXT,
    client_ip               TEXT,
    user_agent              TEXT,
    trace_id                TEXT,
    attempts                TEXT,
    request_body            TEXT,
    response_body           TEXT,
    request_body_truncated  INTEGER,
    response_body_truncated INTEGER
);
CREATE INDEX gateway_request_log_ts ON gateway_request_log (ts, seq);
CREATE INDEX gateway_request_log_id ON gateway_request_log (id);

-- One row per upstream attempt, for statistics per provider key; the tokens and cost of a request are
-- on the row of the attempt that served it.
CREATE TABLE gateway_request_attempt (
    seq             INTEGER PRIMARY KEY,
    ts              INTEGER NOT NULL,
    provider        TEXT    NOT NULL,
    model           TEXT,
    requested_model TEXT,
    key_name        TEXT,
    virtual_key     TEXT,
    status          INTEGER NOT NULL,
    latency_ms      INTEGER NOT NULL,
    input_tokens    INTEGER,
    output_tokens   INTEGER,
    cost_nanos      INTEGER
);
CREATE INDEX gateway_request_attempt_ts ON gateway_request_attempt (ts);
