package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"pensionaudit/audit"
	"pensionaudit/audit/idcard"
	"pensionaudit/audit/rules"
)

// interner shares the many repeated strings of a roster (villages, sheets,
// pay types) so a million rows do not hold a million copies.
type interner map[string]string

func (in interner) get(s string) string {
	if v, ok := in[s]; ok {
		return v
	}
	in[s] = s
	return s
}

// CheckedWith reads the rules' parameters the period's latest check used
// (from its trail entry); ok is false for a check made before they were
// recorded, or none.
func (db *DB) CheckedWith(ctx context.Context, p audit.Month) (s rules.Settings, ok bool, err error) {
	var payload string
	err = db.db.QueryRowContext(ctx, `SELECT payload FROM trail WHERE action = 'check' AND json_extract(payload, '$.period') = ?
		ORDER BY seq DESC LIMIT 1`, p.String()).Scan(&payload)
	if errors.Is(err, sql.ErrNoRows) {
		return s, false, nil
	}
	if err != nil {
		return s, false, err
	}
	var x struct {
		Settings *rules.Settings `json:"settings"`
	}
	if json.Unmarshal([]byte(payload), &x) != nil || x.Settings == nil {
		return s, false, nil
	}
	return *x.Settings, true, nil
}

// Settings reads the township's rule thresholds.
func (db *DB) RuleSettings(ctx context.Context) (rules.Settings, error) {
	return ruleSettings(ctx, db.db)
}

func ruleSettings(ctx context.Context, q querier) (rules.Settings, error) {
	s := rules.DefaultSettings()
	for key, dst := range map[string]*int{"increase_pct": &s.IncreasePct, "shared_account_min": &s.SharedAccountMin, "survival_age": &s.SurvivalAge,
		"certification_months": &s.CertificationMonths, "operator_share_pct": &s.OperatorSharePct, "operator_min": &s.OperatorMin} {
		v, err := settingOf(ctx, q, key)
		if err != nil {
			return s, err
		}
		if n, err := strconv.Atoi(v); err == nil {
			*dst = n
		}
	}
	v, err := settingOf(ctx, q, "cap_fen")
	if err != nil {
		return s, err
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		s.CapFen = audit.Fen(n)
	}
	if v, err = settingOf(ctx, q, "prison_from_entry_month"); err != nil {
		return s, err
	}
	s.PrisonFromEntryMonth = v == "1"
	return s, nil
}

// SaveRuleSettings stores the township's rule thresholds (validated by the
// caller) and appends the trail entry. A later check uses them.
func (t *Tx) SaveRuleSettings(ctx context.Context, user string, s rules.Settings) error {
	values := map[string]string{"increase_pct": strconv.Itoa(s.IncreasePct), "shared_account_min": strconv.Itoa(s.SharedAccountMin),
		"survival_age": strconv.Itoa(s.SurvivalAge), "cap_fen": strconv.FormatInt(int64(s.CapFen), 10),
		"certification_months": strconv.Itoa(s.CertificationMonths), "operator_share_pct": strconv.Itoa(s.OperatorSharePct),
		"operator_min": strconv.Itoa(s.OperatorMin), "prison_from_entry_month": map[bool]string{true: "1", false: "0"}[s.PrisonFromEntryMonth]}
	if err := t.SetSettings(ctx, values); err != nil {
		return err
	}
	return t.AppendTrail(ctx, user, "rule_settings", values)
}

// RosterMonths lists the months that have a current payout roster.
func (db *DB) RosterMonths(ctx context.Context) ([]audit.Month, error) {
	return rosterMonths(ctx, db.db)
}

func rosterMonths(ctx context.Context, q querier) ([]audit.Month, error) {
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT period FROM batches WHERE kind = 'payouts' AND superseded_by IS NULL AND period <> '' ORDER BY period`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []audit.Month
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		if m, err := audit.ParseMonth(s); err == nil {
			out = append(out, m)
		}
	}
	return out, rows.Err()
}

// CheckInput gathers what the rules need for period p from current batches.
//
// A county roster has a million rows but only a few of them can raise a
// finding, so the SQL narrows them down first, through the indexes, to the
// payees the rules could flag — the dead, possible namesakes of the dead,
// the duplicated, the aged, the raised, those on shared accounts, those with
// invalid IDs — and loads all of this month's rows of exactly those payees
// (and accounts). The rules then decide on complete data for each of them.
//
// Everything is read in one read transaction — one snapshot of the file —
// and upto is the newest batch that snapshot holds: saving the check
// (SaveFindings) refuses when a file was imported meanwhile, and a sign-off
// knows which files the check has seen.
func (db *DB) CheckInput(ctx context.Context, p audit.Month) (in *rules.Input, upto int64, err error) {
	in = &rules.Input{Period: p, Payees: map[string]*rules.Payee{}, Reported: map[string]bool{}}
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN DEFERRED`); err != nil {
		return nil, 0, err
	}
	defer conn.ExecContext(context.Background(), `ROLLBACK`)
	if upto, err = newestBatch(ctx, conn); err != nil { // the snapshot starts here
		return nil, 0, err
	}
	if in.Settings, err = ruleSettings(ctx, conn); err != nil {
		return nil, 0, err
	}
	if in.RosterMonths, err = rosterMonths(ctx, conn); err != nil {
		return nil, 0, err
	}
	words, err := wordMeanings(ctx, conn)
	if err != nil {
		return nil, 0, err
	}
	c := &checkConn{conn: conn, ctx: ctx}
	defer c.exec(`DROP TABLE IF EXISTS temp.chk_ids; DROP TABLE IF EXISTS temp.chk_dead; DROP TABLE IF EXISTS temp.chk_acct; DROP TABLE IF EXISTS temp.chk_months;
		DROP TABLE IF EXISTS temp.chk_reason`)
	c.exec(`DROP TABLE IF EXISTS temp.chk_ids; DROP TABLE IF EXISTS temp.chk_dead; DROP TABLE IF EXISTS temp.chk_acct; DROP TABLE IF EXISTS temp.chk_months;
		DROP TABLE IF EXISTS temp.chk_reason;
		CREATE TEMP TABLE chk_reason (reason TEXT PRIMARY KEY, meaning INTEGER NOT NULL) WITHOUT ROWID;
		CREATE TEMP TABLE chk_ids (id TEXT PRIMARY KEY) WITHOUT ROWID;
		CREATE TEMP TABLE chk_dead (id TEXT PRIMARY KEY) WITHOUT ROWID;
		CREATE TEMP TABLE chk_acct (account TEXT PRIMARY KEY) WITHOUT ROWID;
		CREATE TEMP TABLE chk_months (month TEXT PRIMARY KEY) WITHOUT ROWID`)
	for _, m := range in.RosterMonths {
		c.exec(`INSERT OR IGNORE INTO chk_months VALUES (?)`, m.String())
	}
	files := map[int64]string{}
	c.each(`SELECT id, file_name FROM batches WHERE superseded_by IS NULL`, nil, func(r *sql.Rows) error {
		var id int64
		var name string
		if err := r.Scan(&id, &name); err != nil {
			return err
		}
		files[id] = name
		return nil
	})
	// what each deregistration reason means, with the supervisor's words
	meanings := map[string]audit.Meaning{}
	c.each(`SELECT DISTINCT reason FROM death_records WHERE source = 'deregistration'`, nil, func(r *sql.Rows) error {
		var reason string
		if err := r.Scan(&reason); err != nil {
			return err
		}
		meanings[reason] = audit.DeathMeaning(reason, words)
		c.exec(`INSERT OR IGNORE INTO chk_reason VALUES (?, ?)`, reason, int(meanings[reason]))
		return nil
	})
	c.loadDeaths(in, files, meanings)
	month := p.String()
	s := in.Settings
	// The payees this month who may be flagged: the dead, and those whose
	// 户籍 was cancelled for a reason nobody can read.
	c.exec(`INSERT OR IGNORE INTO chk_dead SELECT d.id_number FROM death_records d JOIN batches b ON b.id = d.batch_id
		WHERE b.superseded_by IS NULL AND ` + deadSQL + ` AND d.id_ok = 1`)
	c.exec(`INSERT OR IGNORE INTO chk_ids SELECT p.id_number FROM chk_dead d CROSS JOIN payouts p WHERE p.month = ? AND p.id_number = d.id`, month)
	// the few deregistrations with an unrecognised reason first, then their
	// rows of the month by index (CROSS JOIN keeps SQLite from scanning the
	// month's roster for them: 0.9 s of a county's check)
	c.exec(`INSERT OR IGNORE INTO chk_ids SELECT p.id_number FROM death_records d JOIN batches b ON b.id = d.batch_id AND b.superseded_by IS NULL
		JOIN chk_reason r ON r.reason = d.reason AND r.meaning = ? CROSS JOIN payouts p
		WHERE p.month = ? AND p.id_number = d.id_number AND d.source = 'deregistration' AND d.id_ok = 1`, int(audit.MeaningUnknown), month)
	c.exec(`INSERT OR IGNORE INTO chk_ids SELECT id_number FROM payouts WHERE month = ? GROUP BY id_number HAVING COUNT(*) > 1`, month)
	if s.SurvivalAge > 0 {
		born := time.Date(p.Year()-s.SurvivalAge, time.Month(p.Mon())+1, 0, 0, 0, 0, 0, time.UTC).Format("20060102")
		c.exec(`INSERT OR IGNORE INTO chk_ids SELECT id_number FROM payouts WHERE month = ? AND length(id_number) = 18
			AND substr(id_number, 7, 8) BETWEEN '18500101' AND ?`, month, born)
	}
	if s.CapFen > 0 {
		c.exec(`INSERT OR IGNORE INTO chk_ids SELECT id_number FROM payouts WHERE month = ? AND pay_type <> '补发'
			GROUP BY id_number HAVING SUM(amount_fen) > ?`, month, int64(s.CapFen))
	}
	if s.IncreasePct > 0 {
		// any rise beyond the threshold over last month's regular total (per-type
		// de-duplication is the rule's job; this only narrows)
		c.exec(`INSERT OR IGNORE INTO chk_ids
			SELECT cur.id_number FROM (SELECT id_number, SUM(amount_fen) AS s FROM payouts WHERE month = ? AND pay_type <> '补发' GROUP BY id_number) cur
			JOIN (SELECT id_number, SUM(amount_fen) AS s FROM payouts WHERE month = ? AND pay_type <> '补发' GROUP BY id_number) prev
			ON prev.id_number = cur.id_number WHERE prev.s > 0 AND cur.s * 100 > prev.s * (100 + ?)`, month, (p - 1).String(), s.IncreasePct)
	}
	minShared := max(2, min(s.SharedAccountMin, 3))
	c.exec(`INSERT OR IGNORE INTO chk_acct SELECT account FROM payouts WHERE month = ? AND account <> ''
		GROUP BY account HAVING COUNT(DISTINCT id_number) >= ?`, month, minShared)
	// Namesakes of the dead whose ID is invalid or not a payee's: same name and
	// birth date (or, without a usable birth date, same name and village).
	c.exec(`CREATE TEMP TABLE IF NOT EXISTS chk_cand (id TEXT PRIMARY KEY) WITHOUT ROWID; DELETE FROM chk_cand`)
	defer c.exec(`DROP TABLE IF EXISTS temp.chk_cand`)
	c.exec(`CREATE TEMP TABLE IF NOT EXISTS chk_unm (name TEXT, birth TEXT, village TEXT); DELETE FROM chk_unm`)
	defer c.exec(`DROP TABLE IF EXISTS temp.chk_unm`)
	c.exec(`INSERT INTO chk_unm SELECT DISTINCT d.name, CASE WHEN length(d.id_number) >= 14 THEN substr(d.id_number, 7, 8) ELSE '' END, d.village
		FROM death_records d JOIN batches b ON b.id = d.batch_id AND b.superseded_by IS NULL
		WHERE ` + deadSQL + ` AND (d.id_ok = 0 OR NOT EXISTS (SELECT 1 FROM chk_months m CROSS JOIN payouts q
			WHERE q.month = m.month AND q.id_number = d.id_number))`)
	c.exec(`INSERT OR IGNORE INTO chk_cand SELECT p.id_number FROM chk_unm u CROSS JOIN payouts p
		WHERE p.name = u.name AND p.birth = u.birth AND u.birth <> '' AND p.id_ok = 1
		AND p.month IN (SELECT month FROM chk_months)`)
	c.exec(`INSERT OR IGNORE INTO chk_cand SELECT p.id_number FROM chk_unm u CROSS JOIN payouts p
		WHERE p.name = u.name AND u.birth = '' AND p.village = u.village AND p.id_ok = 1 AND p.month IN (SELECT month FROM chk_months)`)
	if c.hasWildNames() {
		c.exec(`INSERT OR IGNORE INTO chk_cand SELECT p.id_number
			FROM death_records d JOIN batches b ON b.id = d.batch_id AND b.superseded_by IS NULL
			JOIN payouts p ON p.name LIKE replace(replace(d.name, '?', '_'), '？', '_')
			WHERE ` + deadSQL + ` AND (instr(d.name, '?') > 0 OR instr(d.name, '？') > 0) AND p.id_ok = 1`)
	}
	c.exec(`INSERT OR IGNORE INTO chk_ids SELECT id FROM chk_cand`)
	// The other sources: payees this month found in a prison list, another
	// scheme's roster of the month or a funeral grant; those whose last
	// certification is overdue; the month's back-payments, resumptions and
	// raises that name their operator.
	c.exec(`INSERT OR IGNORE INTO chk_ids SELECT p.id_number FROM death_records d JOIN batches b ON b.id = d.batch_id AND b.superseded_by IS NULL
		CROSS JOIN payouts p WHERE p.month = ? AND p.id_number = d.id_number AND d.id_ok = 1
		AND (d.source IN ('prison', 'funeral_grant') OR (d.source = 'other_pension' AND d.month = ?))`, month, month)
	if s.CertificationMonths > 0 {
		monthEnd := time.Date(p.Year(), time.Month(p.Mon())+1, 0, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
		due := p - audit.Month(s.CertificationMonths)
		threshold := time.Date(due.Year(), time.Month(due.Mon()), 1, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
		c.exec(`INSERT OR IGNORE INTO chk_ids SELECT d.id_number FROM death_records d JOIN batches b ON b.id = d.batch_id AND b.superseded_by IS NULL
			WHERE d.source = 'certification' AND d.id_ok = 1 AND d.event_date <> '' AND d.event_date <= ?
			GROUP BY d.id_number HAVING MAX(CASE WHEN d.result = '' THEN d.event_date END) < ? OR MAX(d.result) <> ''`, monthEnd, threshold)
	}
	c.exec(`INSERT OR IGNORE INTO chk_ids SELECT id_number FROM payouts INDEXED BY payouts_special WHERE month = ? AND operator <> ''
		AND pay_type IN ('补发', '恢复发放', '待遇调整')`, month)
	// This month's rows of those payees and accounts, and rows with invalid IDs.
	strs := interner{}
	c.each(`SELECT p.id, p.batch_id, p.sheet, p.row, p.village, p.name, p.id_raw, p.id_number, p.id_ok, p.account, p.amount_fen,
			p.pay_type, p.pay_raw, p.note, p.amount_parts, b.period, p.operator
		FROM payouts p JOIN batches b ON b.id = p.batch_id AND b.superseded_by IS NULL
		WHERE p.id IN (
			SELECT q.id FROM chk_ids i CROSS JOIN payouts q WHERE q.month = ?1 AND q.id_number = i.id
			UNION SELECT q.id FROM chk_acct a CROSS JOIN payouts q WHERE q.month = ?1 AND q.account = a.account
			UNION SELECT q.id FROM payouts q WHERE q.month = ?1 AND q.id_ok = 0)
		ORDER BY p.id`, []any{month}, func(r *sql.Rows) error {
		var x rules.Payout
		var batch int64
		var amount sql.NullInt64
		var payType, roster string
		if err := r.Scan(&x.RowID, &batch, &x.Sheet, &x.Row, &x.Village, &x.Name, &x.IDRaw, &x.ID, &x.IDOK, &x.Account, &amount,
			&payType, &x.PayRaw, &x.Note, &x.AmountParts, &roster, &x.Operator); err != nil {
			return err
		}
		x.RosterMonth, _ = audit.ParseMonth(roster)
		x.Operator = strs.get(x.Operator)
		x.File, x.Sheet, x.Village = files[batch], strs.get(x.Sheet), strs.get(x.Village)
		x.PayType, x.PayRaw = audit.PayType(strs.get(payType)), strs.get(x.PayRaw)
		x.Month, x.Amount, x.HasAmount = p, audit.Fen(amount.Int64), amount.Valid
		if !x.IDOK {
			x.IDReason = idcard.Normalize(x.IDRaw).Reason
		}
		in.Payouts = append(in.Payouts, x)
		return nil
	})
	for i := range in.Payouts {
		x := &in.Payouts[i]
		if x.IDOK && in.Payees[x.ID] == nil {
			in.Payees[x.ID] = &rules.Payee{ID: x.ID, Name: x.Name, Village: x.Village}
		}
	}
	// Payees of any month who may be the dead, their namesakes, or what an
	// invalid ID was meant to be.
	c.exec(`CREATE TEMP TABLE IF NOT EXISTS chk_look (id TEXT PRIMARY KEY) WITHOUT ROWID; DELETE FROM chk_look;
		INSERT OR IGNORE INTO chk_look SELECT id FROM chk_dead; INSERT OR IGNORE INTO chk_look SELECT id FROM chk_cand`)
	defer c.exec(`DROP TABLE IF EXISTS temp.chk_look`)
	for _, raw := range invalidIDs(in) {
		for _, v := range variants(raw) {
			c.exec(`INSERT OR IGNORE INTO chk_look VALUES (?)`, v)
		}
	}
	c.each(`SELECT p.id_number, p.name, p.village FROM chk_look l CROSS JOIN payouts p INDEXED BY payouts_month_id
		JOIN batches b ON b.id = p.batch_id AND b.superseded_by IS NULL
		WHERE p.month IN (SELECT month FROM chk_months) AND p.id_number = l.id AND p.id_ok = 1
		ORDER BY p.month DESC`, nil, func(r *sql.Rows) error {
		var id, name, village string
		if err := r.Scan(&id, &name, &village); err != nil {
			return err
		}
		if in.Payees[id] == nil {
			in.Payees[id] = &rules.Payee{ID: id, Name: name, Village: strs.get(village)}
		}
		return nil
	})
	// The month before: regular (non-补发) totals of the loaded payees.
	prev := p - 1
	for _, m := range in.RosterMonths {
		if m == prev {
			in.Previous = map[string]audit.Fen{}
		}
	}
	if in.Previous != nil {
		c.each(`SELECT p.id_number, SUM(p.amount_fen) FROM chk_ids i CROSS JOIN payouts p
			JOIN batches b ON b.id = p.batch_id AND b.superseded_by IS NULL WHERE p.month = ? AND p.id_number = i.id AND p.pay_type <> '补发'
			GROUP BY p.id_number`,
			[]any{prev.String()}, func(r *sql.Rows) error {
				var id string
				var sum sql.NullInt64
				if err := r.Scan(&id, &sum); err != nil {
					return err
				}
				in.Previous[id] = audit.Fen(sum.Int64)
				return nil
			})
	}
	in.PaidByVillage = map[string]int{}
	// from the counts kept at import (migration 0011 counted the older ones);
	// a village on two rosters of the month (a 补发 roster beside the regular
	// one) is counted from its rows, so that nobody is counted twice
	var shared []string
	c.each(`SELECT bv.village, SUM(bv.payees), COUNT(*) FROM batch_villages bv JOIN batches b ON b.id = bv.batch_id AND b.superseded_by IS NULL
		WHERE bv.month = ? GROUP BY bv.village`, []any{month}, func(r *sql.Rows) error {
		var v string
		var n, rosters int
		if err := r.Scan(&v, &n, &rosters); err != nil {
			return err
		}
		in.PaidByVillage[v] = n
		if rosters > 1 {
			shared = append(shared, v)
		}
		return nil
	})
	for _, v := range shared {
		c.each(`SELECT COUNT(DISTINCT p.id_number) FROM payouts p JOIN batches b ON b.id = p.batch_id AND b.superseded_by IS NULL
			WHERE p.month = ? AND p.village = ?`, []any{month, v}, func(r *sql.Rows) error {
			var n int
			err := r.Scan(&n)
			in.PaidByVillage[v] = n
			return err
		})
	}
	c.each(`SELECT name FROM villages WHERE source IN ('roster', 'config') ORDER BY name`, nil, func(r *sql.Rows) error {
		var v string
		if err := r.Scan(&v); err != nil {
			return err
		}
		in.Villages = append(in.Villages, v)
		return nil
	})
	c.each(`SELECT DISTINCT village FROM batches WHERE kind = 'deaths' AND period = ? AND superseded_by IS NULL`,
		[]any{month}, func(r *sql.Rows) error {
			var v string
			if err := r.Scan(&v); err != nil {
				return err
			}
			in.Reported[v] = true
			return nil
		})
	// a township-wide list (its batch carries the township's name) is every
	// village's report for the month
	if township, _ := settingOf(ctx, conn, "township"); township != "" && in.Reported[township] {
		for _, v := range in.Villages {
			in.Reported[v] = true
		}
	}
	c.loadSources(in, files)
	// rows of this month's rosters that pay a later month (前移发放时间):
	// the later months from the counts kept at import, then those months'
	// rows of these rosters by the month's index
	var later []string
	c.each(`SELECT DISTINCT bv.month FROM batch_villages bv JOIN batches b ON b.id = bv.batch_id AND b.superseded_by IS NULL
		WHERE b.kind = 'payouts' AND b.period = ?1 AND bv.month > ?1 ORDER BY 1`, []any{month}, func(r *sql.Rows) error {
		var m string
		later = append(later, m)
		return r.Scan(&later[len(later)-1])
	})
	for _, lm := range later {
		c.loadAdvance(in, files, p, month, lm)
	}
	if c.err != nil {
		return nil, 0, c.err
	}
	return in, upto, nil
}

// loadAdvance reads the rows of month p's rosters that pay month later.
func (c *checkConn) loadAdvance(in *rules.Input, files map[int64]string, p audit.Month, month, later string) {
	c.each(`SELECT p.id, p.batch_id, p.sheet, p.row, p.village, p.name, p.id_number, p.id_ok, p.account, p.amount_fen, p.month, p.pay_type, p.pay_raw
		FROM payouts p INDEXED BY payouts_month_id JOIN batches b ON b.id = p.batch_id
		WHERE p.month = ?2 AND b.kind = 'payouts' AND b.superseded_by IS NULL AND b.period = ?1 ORDER BY p.id`, []any{month, later}, func(r *sql.Rows) error {
		var x rules.Payout
		var batch int64
		var amount sql.NullInt64
		var m, payType string
		if err := r.Scan(&x.RowID, &batch, &x.Sheet, &x.Row, &x.Village, &x.Name, &x.ID, &x.IDOK, &x.Account, &amount, &m, &payType, &x.PayRaw); err != nil {
			return err
		}
		x.File, x.RosterMonth, x.PayType = files[batch], p, audit.PayType(payType)
		x.Month, _ = audit.ParseMonth(m)
		x.Amount, x.HasAmount = audit.Fen(amount.Int64), amount.Valid
		in.Advance = append(in.Advance, x)
		return nil
	})
}

// loadSources reads the other sources' rows of the IDs the check looks at,
// and every funeral grant (a grant for someone no death source knows is a
// finding of its own).
func (c *checkConn) loadSources(in *rules.Input, files map[int64]string) {
	c.each(`SELECT d.id, d.batch_id, d.source, d.sheet, d.row, d.village, d.name, d.id_number, d.id_ok, d.event_date, d.end_date, d.month,
			d.amount_fen, d.reason, d.note, d.death_date, d.result
		FROM death_records d JOIN batches b ON b.id = d.batch_id AND b.superseded_by IS NULL
		WHERE d.source = 'funeral_grant'
		OR (d.source IN ('prison', 'other_pension', 'certification') AND d.id_number IN (SELECT id FROM chk_ids))
		ORDER BY d.id`, nil, func(r *sql.Rows) error {
		var x rules.SourceRow
		var batch int64
		var start, end, m, died string
		var amount sql.NullInt64
		if err := r.Scan(&x.RowID, &batch, &x.Source, &x.Sheet, &x.Row, &x.Village, &x.Name, &x.ID, &x.IDOK, &start, &end, &m,
			&amount, &x.Detail, &x.Note, &died, &x.Result); err != nil {
			return err
		}
		x.Died, _ = time.Parse("2006-01-02", died)
		x.File = files[batch]
		x.Start, _ = time.Parse("2006-01-02", start)
		x.End, _ = time.Parse("2006-01-02", end)
		x.Month, _ = audit.ParseMonth(m)
		x.Amount, x.HasAmount = audit.Fen(amount.Int64), amount.Valid
		in.Sources = append(in.Sources, x)
		return nil
	})
}

// checkConn runs the check's queries on one connection (its temp tables are
// per connection) and keeps the first error.
type checkConn struct {
	conn *sql.Conn
	ctx  context.Context
	err  error
}

func (c *checkConn) exec(q string, args ...any) {
	if c.err != nil {
		return
	}
	_, c.err = c.conn.ExecContext(c.ctx, q, args...)
}

func (c *checkConn) each(q string, args []any, fn func(*sql.Rows) error) {
	if c.err != nil {
		return
	}
	rows, err := c.conn.QueryContext(c.ctx, q, args...)
	if err != nil {
		c.err = err
		return
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			c.err = err
			return
		}
	}
	c.err = rows.Err()
}

func (c *checkConn) hasWildNames() bool {
	var n int
	if c.err == nil {
		c.err = c.conn.QueryRowContext(c.ctx, `SELECT COUNT(*) FROM death_records WHERE instr(name, '?') > 0 OR instr(name, '？') > 0`).Scan(&n)
	}
	return n > 0
}

// deadSQL is "this death record says a death": a village's report always
// does; a deregistration when its reason means death (chk_reason, with the
// supervisor's words).
const deadSQL = `(d.source IN ('village', 'cremation', 'death_certificate') OR EXISTS (SELECT 1 FROM chk_reason r WHERE r.reason = d.reason AND r.meaning = 1))`

// wordMeanings are the supervisor's words for this workspace: settings
// death_word:<word> = yes, no or unknown.
func wordMeanings(ctx context.Context, q querier) (map[string]audit.Meaning, error) {
	out := map[string]audit.Meaning{}
	err := eachRow(ctx, q, `SELECT key, value FROM settings WHERE key LIKE 'death_word:%'`, nil, func(r *sql.Rows) error {
		var k, v string
		if err := r.Scan(&k, &v); err != nil {
			return err
		}
		m, err := audit.ParseMeaning(v)
		if err == nil {
			out[strings.TrimPrefix(k, "death_word:")] = m
		}
		return nil
	})
	return out, err
}

// WordMeanings lists the supervisor's words (normalised word → meaning).
func (db *DB) WordMeanings(ctx context.Context) (map[string]audit.Meaning, error) {
	return wordMeanings(ctx, db.db)
}

// SaveWordMeaning sets what a word means for this workspace and appends the
// trail entry.
func (t *Tx) SaveWordMeaning(ctx context.Context, user, word string, m audit.Meaning) error {
	v := map[audit.Meaning]string{audit.MeaningYes: "yes", audit.MeaningNo: "no", audit.MeaningUnknown: "unknown"}[m]
	if err := t.SetSettings(ctx, map[string]string{"death_word:" + word: v}); err != nil {
		return err
	}
	return t.AppendTrail(ctx, user, "word_meaning", map[string]string{"word": word, "meaning": v})
}

func (c *checkConn) loadDeaths(in *rules.Input, files map[int64]string, meanings map[string]audit.Meaning) {
	c.each(`SELECT d.id, d.batch_id, d.source, d.sheet, d.row, d.village, d.name, d.id_raw, d.id_number, d.id_ok, d.sex,
			d.death_date, d.dereg_date, d.reason, d.is_death, b.period, d.note, d.event_date
		FROM death_records d JOIN batches b ON b.id = d.batch_id WHERE b.superseded_by IS NULL
		AND d.source IN ('village', 'deregistration', 'cremation', 'death_certificate') ORDER BY d.id`, nil, func(r *sql.Rows) error {
		var x rules.Death
		var batch, isDeath int64
		var death, dereg, period, event string
		if err := r.Scan(&x.RowID, &batch, &x.Source, &x.Sheet, &x.Row, &x.Village, &x.Name, &x.IDRaw, &x.ID, &x.IDOK, &x.Sex,
			&death, &dereg, &x.Reason, &isDeath, &period, &x.Note, &event); err != nil {
			return err
		}
		if dereg == "" {
			dereg = event // a cremation's date bounds the death as a deregistration's does
		}
		x.File = files[batch]
		x.IsDeath = isDeath == 1
		if x.Source == "deregistration" {
			x.IsDeath, x.Unknown = meanings[x.Reason] == audit.MeaningYes, meanings[x.Reason] == audit.MeaningUnknown
		}
		x.DeathDate, _ = time.Parse("2006-01-02", death)
		x.DeregDate, _ = time.Parse("2006-01-02", dereg)
		x.Period, _ = audit.ParseMonth(period)
		if !x.IDOK {
			x.IDReason = idcard.Normalize(x.IDRaw).Reason
		}
		in.Deaths = append(in.Deaths, x)
		return nil
	})
}

// invalidIDs lists the raw invalid IDs of the loaded payouts and deaths.
func invalidIDs(in *rules.Input) []string {
	var out []string
	for _, p := range in.Payouts {
		if !p.IDOK {
			out = append(out, p.IDRaw)
		}
	}
	for _, d := range in.Deaths {
		if !d.IDOK {
			out = append(out, d.IDRaw)
		}
	}
	return out
}

// variants are the valid IDs one character away from raw (see idcard.Suggest).
func variants(raw string) []string {
	return idcard.Suggest(raw, func(string) bool { return true })
}

func (db *DB) eachRow(ctx context.Context, q string, args []any, fn func(*sql.Rows) error) error {
	return eachRow(ctx, db.db, q, args, fn)
}

// eachRow calls fn for every row of a query, on the database or inside a
// transaction.
func eachRow(ctx context.Context, qr querier, q string, args []any, fn func(*sql.Rows) error) error {
	rows, err := qr.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// stringsOf returns a one-column query's values.
func stringsOf(ctx context.Context, qr querier, q string, args ...any) ([]string, error) {
	var out []string
	err := eachRow(ctx, qr, q, args, func(r *sql.Rows) error {
		var s string
		if err := r.Scan(&s); err != nil {
			return err
		}
		out = append(out, s)
		return nil
	})
	return out, err
}

const (
	findingInsert = `INSERT INTO findings (period, rule, subject, id_number, name, village, account, amount_fen, months,
		detail, suggestions, evidence, evidence_hash, status, first_seen, last_checked) VALUES `
	findingValues = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)`
	findingCols   = 15
	findingBatch  = 40
)

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// SaveCheck stores the findings of a check of period p, idempotently: an
// unchanged finding keeps its number and status; a finding whose evidence
// changed is reopened; a finding that no longer arises is withdrawn.
//
// upto is the newest batch the check read (from CheckInput); the check is
// recorded with it.
//
// A finding of a sticky rule (sticky reports which) that no longer arises
// while the death records it rests on still stand — a corrected roster
// that no longer lists the dead, say — is not withdrawn: it keeps its
// status, and an open one gets the correction as evidence, for a person to
// decide. It is withdrawn when its death records were themselves corrected,
// or when another sticky finding of this check names the same person (a
// possible match become a paid-after-death).
func (t *Tx) SaveFindings(ctx context.Context, p audit.Month, user string, fs []rules.Finding, upto int64, settings rules.Settings, sticky func(rule string) bool) (*audit.CheckResult, error) {
	if err := t.Guard(ctx, findingsScope(p.String())); err != nil {
		return nil, err
	}
	tx := t.tx
	type old struct {
		id     int64
		rule   string
		person string
		hash   string
		status audit.Status
		seen   bool
	}
	existing := map[string]*old{}
	rows, err := tx.QueryContext(ctx, `SELECT id, rule, subject, id_number, evidence_hash, status FROM findings WHERE period = ?`, p.String())
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var o old
		var rule, subject string
		if err := rows.Scan(&o.id, &rule, &subject, &o.person, &o.hash, &o.status); err != nil {
			rows.Close()
			return nil, err
		}
		o.rule = rule
		existing[rule+"\x00"+subject] = &o
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	now := t.now
	res := &audit.CheckResult{Period: p, Counts: map[string]int{}}
	ins, err := tx.PrepareContext(ctx, findingInsert+findingValues)
	if err != nil {
		return nil, err
	}
	defer ins.Close()
	insN, err := tx.PrepareContext(ctx, findingInsert+strings.Repeat(findingValues+", ", findingBatch-1)+findingValues)
	if err != nil {
		return nil, err
	}
	defer insN.Close()
	upd, err := tx.PrepareContext(ctx, `UPDATE findings SET id_number = ?, name = ?, village = ?, account = ?, amount_fen = ?, months = ?,
		detail = ?, suggestions = ?, evidence = ?, evidence_hash = ?, status = ?, last_checked = ? WHERE id = ?`)
	if err != nil {
		return nil, err
	}
	defer upd.Close()
	var pending []any
	flush := func(all bool) error {
		for len(pending) >= findingBatch*findingCols || (all && len(pending) > 0) {
			n := min(len(pending)/findingCols, findingBatch)
			stmt := ins
			if n == findingBatch {
				stmt = insN
			} else {
				n = 1
			}
			if _, err := stmt.ExecContext(ctx, pending[:n*findingCols]...); err != nil {
				return err
			}
			pending = pending[n*findingCols:]
		}
		return nil
	}
	for i := range fs {
		f := &fs[i]
		res.Counts[f.Rule]++
		enc := f.Encode()
		args := []any{f.IDNumber, f.Name, f.Village, f.Account, int64(f.Amount), enc.Months, f.Detail, enc.Suggestions, enc.Evidence, enc.Hash}
		o := existing[f.Rule+"\x00"+f.Subject]
		switch {
		case o == nil:
			pending = append(append(append(pending, p.String(), f.Rule, f.Subject), args...), now, now)
			if err := flush(false); err != nil {
				return nil, err
			}
			res.New++
		default:
			o.seen = true
			status := o.status
			switch {
			case o.hash == enc.Hash && status != audit.StatusWithdrawn:
				res.Kept++ // unchanged: last_checked is set for all below
				continue
			case o.hash != enc.Hash:
				status = audit.StatusOpen
				res.Changed++
			default:
				status = audit.StatusOpen
				res.New++
			}
			if _, err := upd.ExecContext(ctx, append(args, status, now, o.id)...); err != nil {
				return nil, err
			}
		}
	}
	if err := flush(true); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE findings SET last_checked = ? WHERE period = ? AND status <> 'withdrawn'`, now, p.String()); err != nil {
		return nil, err
	}
	covered := map[string]bool{} // people a sticky finding of this check names
	for i := range fs {
		if sticky != nil && sticky(fs[i].Rule) && fs[i].IDNumber != "" {
			covered[fs[i].IDNumber] = true
		}
	}
	for _, o := range existing {
		if !o.seen && o.status != audit.StatusWithdrawn && sticky != nil && sticky(o.rule) && (o.person == "" || !covered[o.person]) {
			stands, err := t.deathEvidenceStands(ctx, o.id)
			if err != nil {
				return nil, err
			}
			if stands {
				if o.status == audit.StatusOpen {
					if err := t.noteCorrection(ctx, o.id, p); err != nil {
						return nil, err
					}
				}
				res.Kept++
				continue
			}
		}
		if !o.seen && o.status != audit.StatusWithdrawn {
			if _, err := tx.ExecContext(ctx, `UPDATE findings SET status = ?, last_checked = ? WHERE id = ?`, audit.StatusWithdrawn, now, o.id); err != nil {
				return nil, err
			}
			res.Withdrawn++
		}
	}
	counts := jsonString(res.Counts)
	if _, err := tx.ExecContext(ctx, `INSERT INTO checks (period, at, user_name, counts, upto_batch) VALUES (?, ?, ?, ?, ?)`,
		p.String(), now, user, counts, upto); err != nil {
		return nil, err
	}
	if err := t.AppendTrail(ctx, user, "check", map[string]any{"period": p.String(), "counts": res.Counts, "new": res.New,
		"changed": res.Changed, "withdrawn": res.Withdrawn, "settings": settings}, findingsScope(p.String())); err != nil {
		return nil, err
	}
	return res, nil
}

// deathEvidenceStands reports whether a death record a finding names as
// evidence is still in a current (not superseded) file.
func (t *Tx) deathEvidenceStands(ctx context.Context, id int64) (bool, error) {
	var ev string
	if err := t.tx.QueryRowContext(ctx, `SELECT evidence FROM findings WHERE id = ?`, id).Scan(&ev); err != nil {
		return false, err
	}
	var list []audit.Evidence
	if err := json.Unmarshal([]byte(ev), &list); err != nil {
		return false, err
	}
	for _, e := range list {
		switch e.Kind {
		case "village_report", "deregistration", "cremation", "death_certificate":
		default:
			continue
		}
		var n int
		err := t.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM death_records d JOIN batches b ON b.id = d.batch_id
			WHERE b.superseded_by IS NULL AND b.file_name = ? AND d.row = ? AND d.id_number = ?`, e.File, e.Row, e.ID).Scan(&n)
		if err != nil || n > 0 {
			return n > 0, err
		}
	}
	return false, nil
}

// noteCorrection adds to a finding that no longer arises the evidence that
// the data behind it changed (once), and says so in its text.
func (t *Tx) noteCorrection(ctx context.Context, id int64, p audit.Month) error {
	var ev, detail string
	if err := t.tx.QueryRowContext(ctx, `SELECT evidence, detail FROM findings WHERE id = ?`, id).Scan(&ev, &detail); err != nil {
		return err
	}
	var list []audit.Evidence
	if err := json.Unmarshal([]byte(ev), &list); err != nil {
		return err
	}
	for _, e := range list {
		if e.Kind == "correction" {
			return nil
		}
	}
	note := "更正后的数据中这一问题已不再出现（如更正的花名册不再列出此人）：死亡有关的问题不会因更正而自动撤销，请核实后处理"
	list = append(list, audit.Evidence{Kind: "correction", Month: p.String(), Note: note})
	b, err := json.Marshal(list)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(b)
	_, err = t.tx.ExecContext(ctx, `UPDATE findings SET evidence = ?, evidence_hash = ?, detail = ?, last_checked = ? WHERE id = ?`,
		string(b), hex.EncodeToString(sum[:]), detail+"。"+note, t.now, id)
	return err
}

// Findings lists findings a page at a time, with the total matching count.
func (db *DB) Findings(ctx context.Context, f audit.FindingFilter) ([]audit.FindingRow, int, error) {
	where := ` WHERE 1=1`
	var args []any
	if f.Period != 0 {
		where += ` AND period = ?`
		args = append(args, f.Period.String())
	}
	if f.Rule != "" {
		where += ` AND rule = ?`
		args = append(args, f.Rule)
	}
	if f.Status != "" {
		where += ` AND status = ?`
		args = append(args, f.Status)
	} else {
		where += ` AND status <> 'withdrawn'`
	}
	if f.Village != "" {
		where += ` AND village = ?`
		args = append(args, f.Village)
	}
	if s := strings.TrimSpace(f.Search); s != "" {
		where += ` AND (instr(name, ?) > 0 OR instr(id_number, ?) > 0 OR instr(account, ?) > 0)`
		args = append(args, s, s, s)
	}
	var total int
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM findings`+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	order := "CASE rule"
	for i, r := range rules.All {
		order += fmt.Sprintf(" WHEN '%s' THEN %d", r, i)
	}
	order += " END"
	q := `SELECT id, period, rule, id_number, name, village, account, amount_fen, months, status, detail, suggestions, evidence, evidence_hash, subject
		FROM findings` + where + ` ORDER BY `
	switch f.Sort {
	case "amount":
		q += `amount_fen DESC, period, id`
	case "village":
		q += `village, period, ` + order + `, id`
	case "name":
		q += `name, id_number, period, id`
	case "case":
		q += order + `, id_number, subject, period, id`
	default:
		q += `period, ` + order + `, id`
	}
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d OFFSET %d`, f.Limit, f.Offset)
	}
	var out []audit.FindingRow
	err := db.eachRow(ctx, q, args, func(r *sql.Rows) error {
		var x audit.FindingRow
		var months, sug, ev, subject string
		var amount int64
		if err := r.Scan(&x.ID, &x.Period, &x.Rule, &x.IDNumber, &x.Name, &x.Village, &x.Account, &amount, &months, &x.Status,
			&x.Detail, &sug, &ev, &x.Hash, &subject); err != nil {
			return err
		}
		x.Case = audit.CaseOf(x.Rule, x.IDNumber, subject)
		x.Amount = audit.Fen(amount)
		if err := json.Unmarshal([]byte(months), &x.Months); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(sug), &x.Suggestions); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(ev), &x.Evidence); err != nil {
			return err
		}
		x.EvidenceStatus, x.EvidenceNote = rules.Weigh(x.Rule, x.Evidence)
		out = append(out, x)
		return nil
	})
	return out, total, err
}

// StatusCounts counts a period's findings (every period's when p is 0) by
// status: what the review queue's "已处理 37 / 52" needs, and no more.
func (db *DB) StatusCounts(ctx context.Context, p audit.Month) (map[audit.Status]int, error) {
	byStatus := map[audit.Status]int{}
	where, args := "", []any{}
	if p != 0 {
		where, args = " WHERE period = ?", []any{p.String()}
	}
	err := db.eachRow(ctx, `SELECT status, COUNT(*) FROM findings`+where+` GROUP BY status`, args, func(r *sql.Rows) error {
		var s audit.Status
		var n int
		if err := r.Scan(&s, &n); err != nil {
			return err
		}
		byStatus[s] = n
		return nil
	})
	return byStatus, err
}

// FindingCounts counts a period's findings by status (all periods when p
// is zero), and the open ones by village — what the screens show as totals,
// without loading the findings.
func (db *DB) FindingCounts(ctx context.Context, p audit.Month) (byStatus map[audit.Status]int, openByVillage map[string]int, err error) {
	openByVillage = map[string]int{}
	if byStatus, err = db.StatusCounts(ctx, p); err != nil {
		return nil, nil, err
	}
	var args []any
	if p != 0 {
		args = []any{p.String()}
	}
	and := " WHERE status = 'open'"
	if p != 0 {
		and = " WHERE period = ? AND status = 'open'"
	}
	err = db.eachRow(ctx, `SELECT village, COUNT(*) FROM findings`+and+` GROUP BY village`, args, func(r *sql.Rows) error {
		var v string
		var n int
		if err := r.Scan(&v, &n); err != nil {
			return err
		}
		openByVillage[v] = n
		return nil
	})
	return byStatus, openByVillage, err
}

// RuleStatusCounts counts a period's findings by rule and status (withdrawn
// ones left out), in one aggregate query.
func (db *DB) RuleStatusCounts(ctx context.Context, p audit.Month) ([]audit.RuleStatusCount, error) {
	var out []audit.RuleStatusCount
	err := db.eachRow(ctx, `SELECT rule, status, COUNT(*), COALESCE(SUM(amount_fen), 0) FROM findings
		WHERE period = ? AND status <> 'withdrawn' GROUP BY rule, status`, []any{p.String()}, func(r *sql.Rows) error {
		var c audit.RuleStatusCount
		var amount int64
		if err := r.Scan(&c.Rule, &c.Status, &c.Count, &amount); err != nil {
			return err
		}
		c.Amount = audit.Fen(amount)
		out = append(out, c)
		return nil
	})
	return out, err
}
