-- Virtual keys managed through the admin API (docs/governance.md, "Managed virtual keys"), the
-- version every replica polls to see a change, and the audit trail of admin writes. Values are never
-- stored: only the SHA-256 of the current value and, during a rotation's grace, of the previous one.
-- Times are epoch milliseconds (UTC); budgets are decimal text, exact on both back ends.
CREATE TABLE gateway_virtual_key (
    name                TEXT    PRIMARY KEY,
    value_hash          TEXT    NOT NULL UNIQUE,
    previous_hash       TEXT,
    previous_until      INTEGER,
    allowed_models      TEXT    NOT NULL,
    request_limit       INTEGER,
    request_per_seconds INTEGER,
    token_limit         INTEGER,
    token_per_seconds   INTEGER,
    budget_usd          TEXT,
    budget_period       TEXT,
    disabled            INTEGER NOT NULL DEFAULT 0,
    expires_at          INTEGER,
    created_at          INTEGER  NOT NULL,
    updated_at          INTEGER  NOT NULL
);

CREATE TABLE gateway_config_version (
    id      INTEGER PRIMARY KEY,
    version INTEGER  NOT NULL
);
INSERT INTO gateway_config_version (id, version) VALUES (1, 0);

CREATE TABLE gateway_admin_audit (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    ts        INTEGER NOT NULL,
    action    TEXT   NOT NULL,
    target    TEXT   NOT NULL,
    client_ip TEXT
);
CREATE INDEX gateway_admin_audit_ts ON gateway_admin_audit (ts);
