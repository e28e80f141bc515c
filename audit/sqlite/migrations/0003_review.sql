-- Users, decisions, the monthly sign-off, notes on missing village reports,
-- and recoveries of confirmed overpayments.
CREATE TABLE users (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    role         TEXT NOT NULL CHECK (role IN ('clerk', 'supervisor', 'auditor')),
    pw_hash      TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL DEFAULT '',
    failed       INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT NOT NULL DEFAULT ''
);

CREATE TABLE decisions (
    id            INTEGER PRIMARY KEY,
    finding_id    INTEGER NOT NULL REFERENCES findings (id),
    decision      TEXT    NOT NULL CHECK (decision IN ('confirm', 'dismiss', 'visit')),
    action        TEXT    NOT NULL DEFAULT '',
    reason        TEXT    NOT NULL DEFAULT '',
    note          TEXT    NOT NULL DEFAULT '',
    amount_fen    INTEGER NOT NULL DEFAULT 0,
    user_name     TEXT    NOT NULL,
    at            TEXT    NOT NULL,
    evidence_hash TEXT    NOT NULL
);
CREATE INDEX decisions_finding ON decisions (finding_id, id);

CREATE TABLE signoffs (
    id            INTEGER PRIMARY KEY,
    period        TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('clerk', 'supervisor')),
    user_name     TEXT NOT NULL,
    at            TEXT NOT NULL,
    batches       TEXT NOT NULL,          -- JSON array of the input batch ids
    fingerprint   TEXT NOT NULL,
    revoked_at    TEXT NOT NULL DEFAULT '',
    revoked_by    TEXT NOT NULL DEFAULT '',
    revoke_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX signoffs_period ON signoffs (period, id);

CREATE TABLE missing_notes (
    period    TEXT NOT NULL,
    village   TEXT NOT NULL,
    note      TEXT NOT NULL,
    user_name TEXT NOT NULL,
    at        TEXT NOT NULL,
    PRIMARY KEY (period, village)
);

CREATE TABLE recoveries (
    id         INTEGER PRIMARY KEY,
    finding_id INTEGER NOT NULL REFERENCES findings (id),
    on_date    TEXT    NOT NULL,
    amount_fen INTEGER NOT NULL,
    note       TEXT    NOT NULL DEFAULT '',
    user_name  TEXT    NOT NULL,
    at         TEXT    NOT NULL
);
