-- The workspace of one township: imported files (batches), their rows, the
-- problems found in them, and the append-only, hash-chained trail.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE villages (
    name       TEXT PRIMARY KEY,
    source     TEXT NOT NULL,          -- roster, report, config
    created_at TEXT NOT NULL
);

CREATE TABLE batches (
    id            INTEGER PRIMARY KEY,
    file_name     TEXT    NOT NULL,
    sha256        TEXT    NOT NULL UNIQUE,
    kind          TEXT    NOT NULL CHECK (kind IN ('payouts', 'deaths', 'deregistrations')),
    format        TEXT    NOT NULL,
    village       TEXT    NOT NULL DEFAULT '',
    period        TEXT    NOT NULL DEFAULT '',
    sheets        TEXT    NOT NULL DEFAULT '',
    imported_by   TEXT    NOT NULL DEFAULT '',
    imported_at   TEXT    NOT NULL,
    data_rows     INTEGER NOT NULL DEFAULT 0,
    imported_rows INTEGER NOT NULL DEFAULT 0,
    problem_rows  INTEGER NOT NULL DEFAULT 0,
    skipped_rows  INTEGER NOT NULL DEFAULT 0,
    nil_report    INTEGER NOT NULL DEFAULT 0,
    superseded_by INTEGER REFERENCES batches (id)
);
CREATE INDEX batches_key ON batches (kind, village, period);

CREATE TABLE payouts (
    id         INTEGER PRIMARY KEY,
    batch_id   INTEGER NOT NULL REFERENCES batches (id),
    sheet      TEXT    NOT NULL,
    row        INTEGER NOT NULL,
    village    TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    id_raw     TEXT    NOT NULL,
    id_number  TEXT    NOT NULL,       -- normalised; the cleaned text when invalid
    id_ok      INTEGER NOT NULL,
    sex        TEXT    NOT NULL,
    account    TEXT    NOT NULL,
    month      TEXT    NOT NULL,       -- YYYY-MM
    amount_fen INTEGER,                -- NULL when the amount could not be read
    pay_type   TEXT    NOT NULL,
    pay_raw    TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    note       TEXT    NOT NULL,
    has_error  INTEGER NOT NULL
);
CREATE INDEX payouts_batch ON payouts (batch_id);

-- Village death reports and external deregistrations alike.
CREATE TABLE death_records (
    id         INTEGER PRIMARY KEY,
    batch_id   INTEGER NOT NULL REFERENCES batches (id),
    source     TEXT    NOT NULL CHECK (source IN ('village', 'deregistration')),
    sheet      TEXT    NOT NULL,
    row        INTEGER NOT NULL,
    village    TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    id_raw     TEXT    NOT NULL,
    id_number  TEXT    NOT NULL,
    id_ok      INTEGER NOT NULL,
    sex        TEXT    NOT NULL,
    death_date TEXT    NOT NULL,       -- YYYY-MM-DD or ''
    dereg_date TEXT    NOT NULL,
    reason     TEXT    NOT NULL,
    is_death   INTEGER NOT NULL,
    note       TEXT    NOT NULL,
    has_error  INTEGER NOT NULL
);
CREATE INDEX death_records_batch ON death_records (batch_id);

CREATE TABLE problems (
    id       INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES batches (id),
    sheet    TEXT    NOT NULL,
    row      INTEGER NOT NULL,
    col      TEXT    NOT NULL,
    header   TEXT    NOT NULL,
    field    TEXT    NOT NULL,
    raw      TEXT    NOT NULL,
    reason   TEXT    NOT NULL,
    level    TEXT    NOT NULL
);
CREATE INDEX problems_batch ON problems (batch_id);

-- Column mappings that worked, per kind and village.
CREATE TABLE mappings (
    kind    TEXT NOT NULL,
    village TEXT NOT NULL,
    mapping TEXT NOT NULL,
    PRIMARY KEY (kind, village)
);

CREATE TABLE trail (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    user_name TEXT NOT NULL,
    action    TEXT NOT NULL,
    payload   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE TRIGGER trail_no_update BEFORE UPDATE ON trail
BEGIN
    SELECT RAISE(ABORT, 'trail is append-only');
END;
CREATE TRIGGER trail_no_delete BEFORE DELETE ON trail
BEGIN
    SELECT RAISE(ABORT, 'trail is append-only');
END;
