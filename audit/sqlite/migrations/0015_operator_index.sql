-- The month's back-payments, resumptions and raises that name an operator,
-- found without reading a county's million rows of the month.
CREATE INDEX payouts_special ON payouts (month) WHERE operator <> '' AND pay_type IN ('补发', '恢复发放', '待遇调整');
