-- What a payout's amount is made of when the roster splits it (基础养老金 +
-- 个人账户养老金, a 合计, deductions), each column with its value as read:
-- the evidence shown beside the amount. '' for an amount in one column.
ALTER TABLE payouts ADD COLUMN amount_parts TEXT NOT NULL DEFAULT '';
