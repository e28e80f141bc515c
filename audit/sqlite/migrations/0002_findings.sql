-- Findings of the monthly check, one row per period, rule and subject, kept
-- across re-checks so that decisions on unchanged findings stay.
-- The check reads a month through these: per payee (dead, duplicated,
-- aged, raised), per account (shared), by name and birth date (possible
-- matches), and the few rows whose ID is invalid.
CREATE INDEX payouts_month_id ON payouts (month, id_number, pay_type, amount_fen);
CREATE INDEX payouts_month_account ON payouts (month, account, id_number);
ALTER TABLE payouts ADD COLUMN birth TEXT NOT NULL DEFAULT '';  -- YYYYMMDD from the (usable part of the) ID
CREATE INDEX payouts_name_birth ON payouts (name, birth);
CREATE INDEX payouts_bad_id ON payouts (month) WHERE id_ok = 0;
CREATE INDEX death_records_id ON death_records (id_number);

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
