-- The review screen shows a payee's payouts of every month as a timeline.
CREATE INDEX payouts_id_month ON payouts (id_number, month);
