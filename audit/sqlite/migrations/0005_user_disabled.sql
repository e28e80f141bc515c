-- Accounts can be disabled (never deleted: the trail names them).
ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
