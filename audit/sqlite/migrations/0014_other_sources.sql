-- The other sources (issue 21) share the death records' table: every row is
-- a person with an ID and a name, read from a file of one kind (source):
-- cremation and death_certificate rows record deaths (is_death = 1); prison,
-- other_pension, certification and funeral_grant rows do not (is_death = 0).
-- event_date: 火化, 入监, 认证 or 丧葬补助金发放; end_date: 刑满释放;
-- month: the other scheme's pay month; amount_fen: what it paid; reason
-- keeps the place, the way or the scheme as written.
ALTER TABLE death_records ADD COLUMN event_date TEXT NOT NULL DEFAULT '';
ALTER TABLE death_records ADD COLUMN end_date TEXT NOT NULL DEFAULT '';
ALTER TABLE death_records ADD COLUMN month TEXT NOT NULL DEFAULT '';
ALTER TABLE death_records ADD COLUMN amount_fen INTEGER;
-- The roster's operator (经办人/操作员), where it names one.
ALTER TABLE payouts ADD COLUMN operator TEXT NOT NULL DEFAULT '';
-- The new kinds widen two CHECK constraints. SQLite cannot ALTER a CHECK;
-- a constraint that only widens changes nothing on disk, so the tables'
-- definitions are rewritten in place (SQLite's ALTER TABLE documentation,
-- "Making Other Kinds Of Table Schema Changes", for changes that do not
-- touch stored content), the schema read anew (RESET) and its version
-- bumped by the index that follows, so every connection reads it anew.
PRAGMA writable_schema = ON;
UPDATE sqlite_master SET sql = replace(sql, 'CHECK (kind IN (''payouts'', ''deaths'', ''deregistrations''))',
    'CHECK (kind IN (''payouts'', ''deaths'', ''deregistrations'', ''cremation'', ''death-certificates'', ''prison'', ''other-pensions'', ''certifications'', ''funeral-grants''))')
    WHERE type = 'table' AND name = 'batches';
UPDATE sqlite_master SET sql = replace(sql, 'CHECK (source IN (''village'', ''deregistration''))',
    'CHECK (source IN (''village'', ''deregistration'', ''cremation'', ''death_certificate'', ''prison'', ''other_pension'', ''certification'', ''funeral_grant''))')
    WHERE type = 'table' AND name = 'death_records';
PRAGMA writable_schema = RESET;
CREATE INDEX death_records_source ON death_records (source, id_number);
