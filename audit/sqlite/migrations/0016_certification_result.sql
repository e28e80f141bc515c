-- A qualification certification's result as written (通过, 未通过 …): one
-- that did not pass is no sign of life and no certification.
ALTER TABLE death_records ADD COLUMN result TEXT NOT NULL DEFAULT '';
