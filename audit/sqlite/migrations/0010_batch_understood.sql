-- What the import understood of each file (its header, how the amount was
-- taken, where the village came from, the coded values and their meaning),
-- kept with the batch: JSON, a list of lines. '' for files imported before.
ALTER TABLE batches ADD COLUMN understood TEXT NOT NULL DEFAULT '';
