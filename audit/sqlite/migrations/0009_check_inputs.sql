-- The newest batch a check had read: a sign-off compares the month's input
-- batches with it (not with clock times, which a fixed or wrong clock makes
-- equal). NULL for checks made before this version.
ALTER TABLE checks ADD COLUMN upto_batch INTEGER;
