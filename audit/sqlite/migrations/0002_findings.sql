-- Findings of the monthly check, one row per period, rule and subject, kept
-- across re-checks so that decisions on unchanged findings stay.
CREATE INDEX payouts_month ON payouts (month);

CREATE TABLE findings (
    id            INTEGER PRIMARY KEY,
    period        TEXT    NOT NULL,
    rule          TEXT    NOT NULL,
    subject       TEXT    NOT NULL,
    id_number     TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    village       TEXT    NOT NULL,
    account       TEXT    NOT NULL,
    amount_fen    INTEGER NOT NULL,
    months        TEXT    NOT NULL,        -- JSON array of YYYY-MM
    detail        TEXT    NOT NULL,
    suggestions   TEXT    NOT NULL,        -- JSON array
    evidence      TEXT    NOT NULL,        -- JSON array
    evidence_hash TEXT    NOT NULL,
    status        TEXT    NOT NULL DEFAULT 'open',   -- open, confirmed, dismissed, visit, withdrawn
    first_seen    TEXT    NOT NULL,
    last_checked  TEXT    NOT NULL,
    UNIQUE (period, rule, subject)
);
CREATE INDEX findings_period ON findings (period, rule, status);

CREATE TABLE checks (
    id         INTEGER PRIMARY KEY,
    period     TEXT NOT NULL,
    at         TEXT NOT NULL,
    user_name  TEXT NOT NULL,
    counts     TEXT NOT NULL              -- JSON: rule → findings
);
