-- How many payout rows each roster holds per village and pay month, kept at
-- import: the check asks how many people a village has on the month's
-- roster (is a raise widespread? must the village report?) without
-- scanning a county's million rows.
CREATE TABLE batch_villages (
    batch_id INTEGER NOT NULL REFERENCES batches (id),
    village  TEXT    NOT NULL,
    month    TEXT    NOT NULL,
    payees   INTEGER NOT NULL,
    PRIMARY KEY (batch_id, village, month)
);

-- rosters imported before: counted once, here, from their rows
INSERT INTO batch_villages (batch_id, village, month, payees)
    SELECT p.batch_id, p.village, p.month, COUNT(DISTINCT p.id_number)
    FROM payouts p JOIN batches b ON b.id = p.batch_id AND b.kind = 'payouts'
    GROUP BY p.batch_id, p.village, p.month;
