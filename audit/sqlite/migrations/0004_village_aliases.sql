-- A village renamed or merged into another: the old name (a typo, 东风村委会
-- for 东风村, a garbled import) never comes back from a later roster.
CREATE TABLE village_aliases (
    alias      TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    user_name  TEXT NOT NULL,
    at         TEXT NOT NULL
);
