package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"strings"
	"time"

	"pensionaudit/audit"
)

type querier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// lockState tells whether a period is signed by the clerk and countersigned.
func lockState(ctx context.Context, q querier, p string) (clerk, supervisor *audit.Signoff, err error) {
	rows, err := q.QueryContext(ctx, `SELECT id, period, role, user_name, at, fingerprint, batches FROM signoffs
		WHERE period = ? AND revoked_at = '' ORDER BY id`, p)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var s audit.Signoff
		var batches string
		if err := rows.Scan(&s.ID, &s.Period, &s.Role, &s.User, &s.At, &s.Fingerprint, &batches); err != nil {
			return nil, nil, err
		}
		json.Unmarshal([]byte(batches), &s.Batches)
		if s.Role == audit.RoleClerk {
			c := s
			clerk = &c
		} else {
			c := s
			supervisor = &c
		}
	}
	return clerk, supervisor, rows.Err()
}

// FindingFacts reads what deciding on a finding needs; audit.ErrNotFound
// when there is no such finding.
func (t *Tx) FindingFacts(ctx context.Context, id int64) (audit.FindingFacts, error) {
	f := audit.FindingFacts{ID: id}
	var period string
	var amount int64
	err := t.tx.QueryRowContext(ctx, `SELECT period, rule, status, evidence_hash, amount_fen FROM findings WHERE id = ?`, id).
		Scan(&period, &f.Rule, &f.Status, &f.EvidenceHash, &amount)
	if errors.Is(err, sql.ErrNoRows) {
		return f, audit.ErrNotFound
	}
	f.Period, _ = audit.ParseMonth(period)
	f.Amount = audit.Fen(amount)
	return f, err
}

// RecordDecision stores a decision (by d.User at the transaction's time),
// sets its finding's status and appends the trail entry.
func (t *Tx) RecordDecision(ctx context.Context, d *audit.Decision, p audit.Month) error {
	if err := t.Guard(ctx, findingsScope(p.String())); err != nil {
		return err
	}
	d.At = t.now
	res, err := t.tx.ExecContext(ctx, `INSERT INTO decisions (finding_id, decision, action, reason, note, amount_fen, user_name, at, evidence_hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, d.FindingID, d.Decision, d.Action, d.Reason, d.Note, int64(d.Amount), d.User, d.At, d.EvidenceHash)
	if err != nil {
		return err
	}
	d.ID, _ = res.LastInsertId()
	if _, err := t.tx.ExecContext(ctx, `UPDATE findings SET status = ? WHERE id = ?`, d.Decision.Status(), d.FindingID); err != nil {
		return err
	}
	return t.AppendTrail(ctx, d.User, "decide", decisionPayload(d), findingsScope(p.String()))
}

// decisionPayload is what the trail keeps of a decision; verify compares the
// decisions table with it.
func decisionPayload(d *audit.Decision) map[string]any {
	return map[string]any{"decision_id": d.ID, "finding": d.FindingID, "decision": d.Decision, "action": d.Action, "reason": d.Reason,
		"note_sha256": sha(d.Note), "amount_fen": int64(d.Amount), "evidence_hash": d.EvidenceHash}
}

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// inputBatches are the current batches a period's check reads: its roster
// and the month before, death reports up to the month, deregistrations.
func inputBatches(ctx context.Context, q querier, p audit.Month) ([]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT id FROM batches WHERE superseded_by IS NULL AND (
		(kind = 'payouts' AND period IN (?, ?)) OR (kind = 'deaths' AND period <= ?) OR kind NOT IN ('payouts', 'deaths')) ORDER BY id`,
		p.String(), (p - 1).String(), p.String())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// Fingerprint is SHA-256 over the period's input files (their hashes and the
// rows stored from them), its findings, their decisions and the notes on
// missing reports: any later change to any of them changes it.
func fingerprint(ctx context.Context, q querier, p audit.Month, batches []int64) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "period %s\n", p)
	for _, id := range batches {
		var sum, kind string
		if err := q.QueryRowContext(ctx, `SELECT sha256, kind FROM batches WHERE id = ?`, id).Scan(&sum, &kind); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				fmt.Fprintf(h, "batch %d missing\n", id)
				continue
			}
			return "", err
		}
		fmt.Fprintf(h, "batch %d %s %s\n", id, sum, kind)
		table := "payouts"
		cols := "id, sheet, row, village, name, id_raw, id_number, id_ok, sex, account, month, amount_fen, pay_type, pay_raw, status, note, has_error"
		if kind != string(audit.KindPayouts) {
			table = "death_records"
			cols = "id, source, sheet, row, village, name, id_raw, id_number, id_ok, sex, death_date, dereg_date, reason, is_death, note, has_error"
		}
		if err := hashRows(ctx, q, h, `SELECT `+cols+` FROM `+table+` WHERE batch_id = ? ORDER BY id`, id); err != nil {
			return "", err
		}
	}
	if err := hashRows(ctx, q, h, `SELECT id, rule, subject, id_number, amount_fen, months, evidence_hash, status FROM findings WHERE period = ? ORDER BY id`, p.String()); err != nil {
		return "", err
	}
	if err := hashRows(ctx, q, h, `SELECT d.id, d.finding_id, d.decision, d.action, d.reason, d.note, d.amount_fen, d.user_name, d.at, d.evidence_hash
		FROM decisions d JOIN findings f ON f.id = d.finding_id WHERE f.period = ? ORDER BY d.id`, p.String()); err != nil {
		return "", err
	}
	if err := hashRows(ctx, q, h, `SELECT village, note, user_name, at FROM missing_notes WHERE period = ? ORDER BY village`, p.String()); err != nil {
		return "", err
	}
	// decisions taken back (hashed only when there are any, so that earlier
	// fingerprints stay what they were)
	var undone int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM decision_undos u JOIN decisions d ON d.id = u.decision_id
		JOIN findings f ON f.id = d.finding_id WHERE f.period = ?`, p.String()).Scan(&undone); err != nil {
		return "", err
	}
	if undone > 0 {
		if err := hashRows(ctx, q, h, `SELECT u.decision_id, u.user_name, u.at FROM decision_undos u JOIN decisions d ON d.id = u.decision_id
			JOIN findings f ON f.id = d.finding_id WHERE f.period = ? ORDER BY u.decision_id`, p.String()); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func hashRows(ctx context.Context, q querier, h hash.Hash, query string, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for _, v := range vals {
			s := fmt.Sprint(v)
			if b, ok := v.([]byte); ok {
				s = string(b)
			}
			fmt.Fprintf(h, "%d:%s|", len(s), s)
		}
		h.Write([]byte{'\n'})
	}
	return rows.Err()
}

// Fingerprint recomputes a period's fingerprint over the given batches.
func (db *DB) Fingerprint(ctx context.Context, p audit.Month, batches []int64) (string, error) {
	return fingerprint(ctx, db.db, p, batches)
}

// RecordSignoff stores a signature and appends its trail entry, which
// carries the trail head it was given on.
func (t *Tx) RecordSignoff(ctx context.Context, s *audit.Signoff) error {
	s.At = t.now
	res, err := t.tx.ExecContext(ctx, `INSERT INTO signoffs (period, role, user_name, at, batches, fingerprint) VALUES (?, ?, ?, ?, ?, ?)`,
		s.Period, s.Role, s.User, s.At, jsonString(s.Batches), s.Fingerprint)
	if err != nil {
		return err
	}
	s.ID, _ = res.LastInsertId()
	var head string
	if err := t.tx.QueryRowContext(ctx, `SELECT hash FROM trail ORDER BY seq DESC LIMIT 1`).Scan(&head); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	return t.AppendTrail(ctx, s.User, "signoff", map[string]any{"signoff": s.ID, "period": s.Period, "role": s.Role,
		"batches": s.Batches, "fingerprint": s.Fingerprint, "head": head})
}

// readiness reads the month's sign-off preconditions: the last check and
// the newest batch it had read, the input batches imported after it, the
// open findings, the villages with neither report nor note.
func readiness(ctx context.Context, q querier, p audit.Month) (audit.Readiness, error) {
	r := audit.Readiness{Period: p}
	var lastAt sql.NullString
	var upto sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT at, upto_batch FROM checks WHERE period = ? ORDER BY id DESC LIMIT 1`, p.String()).Scan(&lastAt, &upto)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return r, err
	}
	r.Checked = lastAt.Valid
	if r.Checked {
		batches, err := inputBatches(ctx, q, p)
		if err != nil {
			return r, err
		}
		for _, id := range batches {
			stale := id > upto.Int64
			if !upto.Valid { // a check made before checks recorded what they read
				var at string
				if err := q.QueryRowContext(ctx, `SELECT imported_at FROM batches WHERE id = ?`, id).Scan(&at); err != nil {
					return r, err
				}
				stale = at > lastAt.String
			}
			if stale {
				r.Stale = append(r.Stale, id)
			}
		}
	}
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM findings WHERE period = ? AND status = 'open'`, p.String()).Scan(&r.Open); err != nil {
		return r, err
	}
	r.Missing, err = missingVillages(ctx, q, p)
	return r, err
}

// missingVillages are the villages with neither a report for p nor a note.
func missingVillages(ctx context.Context, q querier, p audit.Month) ([]string, error) {
	// a village is expected to report in the months its people are paid
	// (a renamed or merged village follows the roster); a roster that says
	// no village at all leaves every village of the township expected
	rows, err := q.QueryContext(ctx, `SELECT v.name FROM villages v WHERE v.source IN ('roster', 'config')
		AND (v.name IN (SELECT bv.village FROM batch_villages bv JOIN batches pb ON pb.id = bv.batch_id AND pb.superseded_by IS NULL WHERE bv.month = ?1)
			OR NOT EXISTS (SELECT 1 FROM batch_villages bv JOIN batches pb ON pb.id = bv.batch_id AND pb.superseded_by IS NULL
				WHERE bv.month = ?1 AND bv.village <> ''))
		AND NOT EXISTS (SELECT 1 FROM batches b WHERE b.kind = 'deaths' AND b.period = ?1 AND b.village = v.name AND b.superseded_by IS NULL)
		AND NOT EXISTS (SELECT 1 FROM missing_notes n WHERE n.period = ?1 AND n.village = v.name)
		AND NOT EXISTS (SELECT 1 FROM batches b WHERE b.kind = 'deaths' AND b.period = ?1 AND b.superseded_by IS NULL
			AND b.village = (SELECT value FROM settings WHERE key = 'township')) ORDER BY v.name`, p.String())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// RecordMissingNote stores (or replaces) the note on why a village's
// report for p is missing, and appends its trail entry.
func (t *Tx) RecordMissingNote(ctx context.Context, user string, p audit.Month, village, note string) error {
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO missing_notes (period, village, note, user_name, at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (period, village) DO UPDATE SET note = excluded.note, user_name = excluded.user_name, at = excluded.at`,
		p.String(), village, note, user, t.now); err != nil {
		return err
	}
	return t.AppendTrail(ctx, user, "missing_note", map[string]string{"period": p.String(), "village": village, "note_sha256": sha(note)})
}

// RevokeSignoffs revokes a month's standing signatures with the reason and
// appends the trail entry; it reports how many it revoked (none: no entry).
func (t *Tx) RevokeSignoffs(ctx context.Context, user string, p audit.Month, reason string) (int, error) {
	res, err := t.tx.ExecContext(ctx, `UPDATE signoffs SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE period = ? AND revoked_at = ''`,
		t.now, user, reason, p.String())
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	if n == 0 {
		return 0, nil
	}
	return int(n), t.AppendTrail(ctx, user, "reopen", map[string]string{"period": p.String(), "reason": reason})
}

// Signoffs lists a period's signatures (revoked ones too when all is set).
func (db *DB) Signoffs(ctx context.Context, p audit.Month) (clerk, supervisor *audit.Signoff, err error) {
	return lockState(ctx, db.db, p.String())
}

// Status describes a period: reports, findings, sign-off, deadline.
func (db *DB) Status(ctx context.Context, p audit.Month) (*audit.PeriodStatus, error) {
	st := &audit.PeriodStatus{Period: p.String(), Findings: map[audit.Status]int{}}
	villages := map[string]*audit.VillageReport{}
	var order []string
	add := func(v string) *audit.VillageReport {
		if r, ok := villages[v]; ok {
			return r
		}
		r := &audit.VillageReport{Village: v, State: "missing"}
		villages[v] = r
		order = append(order, v)
		return r
	}
	err := db.eachRow(ctx, `SELECT name FROM villages WHERE source IN ('roster', 'config') ORDER BY name`, nil, func(r *sql.Rows) error {
		var v string
		if err := r.Scan(&v); err != nil {
			return err
		}
		add(v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	township, _ := db.Setting(ctx, "township")
	err = db.eachRow(ctx, `SELECT village, nil_report, imported_rows, file_name FROM batches WHERE kind = 'deaths' AND period = ? AND superseded_by IS NULL ORDER BY village`,
		[]any{p.String()}, func(r *sql.Rows) error {
			var v, file string
			var nilRep, n int
			if err := r.Scan(&v, &nilRep, &n, &file); err != nil {
				return err
			}
			mark := func(x *audit.VillageReport, file string) {
				x.File = strings.TrimPrefix(x.File+"、"+file, "、")
				switch {
				case nilRep == 0:
					x.State = "reported"
				case x.State == "missing":
					x.State = "nil"
				}
			}
			if v != "" && v == township {
				// a township-wide list is every village's report
				for _, name := range order {
					if name != township {
						mark(villages[name], "（全镇名单）"+file)
					}
				}
				return nil
			}
			// a village may have a list and a later 补报 list: add them up
			x := add(v)
			x.Rows += n
			mark(x, file)
			return nil
		})
	if err != nil {
		return nil, err
	}
	err = db.eachRow(ctx, `SELECT village, note FROM missing_notes WHERE period = ?`, []any{p.String()}, func(r *sql.Rows) error {
		var v, note string
		if err := r.Scan(&v, &note); err != nil {
			return err
		}
		add(v).Note = note
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, v := range order {
		st.Reports = append(st.Reports, *villages[v])
	}
	err = db.eachRow(ctx, `SELECT status, COUNT(*) FROM findings WHERE period = ? GROUP BY status`, []any{p.String()}, func(r *sql.Rows) error {
		var s audit.Status
		var n int
		if err := r.Scan(&s, &n); err != nil {
			return err
		}
		st.Findings[s] = n
		return nil
	})
	if err != nil {
		return nil, err
	}
	var checked sql.NullString
	if err := db.db.QueryRowContext(ctx, `SELECT MAX(at) FROM checks WHERE period = ?`, p.String()).Scan(&checked); err != nil {
		return nil, err
	}
	st.Checked = checked.String
	if st.Clerk, st.Supervisor, err = lockState(ctx, db.db, p.String()); err != nil {
		return nil, err
	}
	st.Locked = st.Supervisor != nil
	// Due: the 10th of the following month, end of day (local time).
	next := p + 1
	due := time.Date(next.Year(), time.Month(next.Mon()), 10, 23, 59, 59, 0, time.Local)
	st.Due = due.Format("2006-01-02")
	st.Overdue = !st.Locked && db.Now().After(due)
	return st, nil
}

// Ledger lists findings whose current decision is "confirm, recover".
func (db *DB) Ledger(ctx context.Context) ([]audit.LedgerEntry, error) {
	return ledger(ctx, db.db, db.Now(), 0)
}

// ledger lists the ledger's entries (one finding's when finding is not 0).
func ledger(ctx context.Context, q querier, now time.Time, finding int64) ([]audit.LedgerEntry, error) {
	var out []audit.LedgerEntry
	err := eachRow(ctx, q, `SELECT f.id, f.period, f.rule, f.name, f.id_number, f.village, d.amount_fen, d.at, d.user_name,
			COALESCE((SELECT SUM(amount_fen) FROM recoveries r WHERE r.finding_id = f.id), 0)
		FROM findings f JOIN decisions d ON d.id = (SELECT MAX(id) FROM decisions WHERE finding_id = f.id
			AND id NOT IN (SELECT decision_id FROM decision_undos))
		WHERE f.status = 'confirmed' AND d.decision = 'confirm' AND d.amount_fen > 0 AND (?1 = 0 OR f.id = ?1)
		ORDER BY f.period, f.id`, []any{finding}, func(r *sql.Rows) error {
		var e audit.LedgerEntry
		var due, rec int64
		if err := r.Scan(&e.FindingID, &e.Period, &e.Rule, &e.Name, &e.IDNumber, &e.Village, &due, &e.ConfirmedAt, &e.ConfirmedBy, &rec); err != nil {
			return err
		}
		e.Due, e.Recovered, e.Outstanding = audit.Fen(due), audit.Fen(rec), audit.Fen(due-rec)
		if t, err := time.Parse(time.RFC3339Nano, e.ConfirmedAt); err == nil {
			e.AgeDays = int(now.Sub(t).Hours() / 24)
		}
		out = append(out, e)
		return nil
	})
	return out, err
}

// LedgerEntry is one finding's ledger entry, nil when it is not a
// confirmed recovery.
func (t *Tx) LedgerEntry(ctx context.Context, finding int64) (*audit.LedgerEntry, error) {
	es, err := ledger(ctx, t.tx, t.db.Now(), finding)
	if err != nil || len(es) == 0 {
		return nil, err
	}
	return &es[0], nil
}

// RecordRecovery stores money recovered on a finding and appends the trail entry.
func (t *Tx) RecordRecovery(ctx context.Context, user string, findingID int64, on time.Time, amount audit.Fen, note string) error {
	res, err := t.tx.ExecContext(ctx, `INSERT INTO recoveries (finding_id, on_date, amount_fen, note, user_name, at) VALUES (?, ?, ?, ?, ?, ?)`,
		findingID, on.Format("2006-01-02"), int64(amount), note, user, t.now)
	if err != nil {
		return err
	}
	id, _ := res.LastInsertId()
	return t.AppendTrail(ctx, user, "recover", map[string]any{"recovery": id, "finding": findingID, "date": on.Format("2006-01-02"),
		"amount_fen": int64(amount)})
}

// LatestDecisions returns the current decision of each finding of a period.
func (db *DB) LatestDecisions(ctx context.Context, p audit.Month) (map[int64]audit.Decision, error) {
	out := map[int64]audit.Decision{}
	err := db.eachRow(ctx, `SELECT d.id, d.finding_id, d.decision, d.action, d.reason, d.note, d.amount_fen, d.user_name, d.at, d.evidence_hash
		FROM decisions d JOIN findings f ON f.id = d.finding_id
		WHERE f.period = ? AND d.id = (SELECT MAX(id) FROM decisions WHERE finding_id = d.finding_id
			AND id NOT IN (SELECT decision_id FROM decision_undos))`, []any{p.String()}, func(r *sql.Rows) error {
		var d audit.Decision
		var amount int64
		if err := r.Scan(&d.ID, &d.FindingID, &d.Decision, &d.Action, &d.Reason, &d.Note, &amount, &d.User, &d.At, &d.EvidenceHash); err != nil {
			return err
		}
		d.Amount = audit.Fen(amount)
		out[d.FindingID] = d
		return nil
	})
	return out, err
}

// InputBatches lists the batches a period's check reads (or, for a signed
// period, the batches its signature covers).
func (db *DB) InputBatches(ctx context.Context, p audit.Month) ([]audit.Batch, error) {
	ids, err := inputBatches(ctx, db.db, p)
	if err != nil {
		return nil, err
	}
	if clerk, _, err := lockState(ctx, db.db, p.String()); err == nil && clerk != nil {
		ids = clerk.Batches
	}
	all, err := db.Batches(ctx, audit.BatchFilter{IncludeOld: true})
	if err != nil {
		return nil, err
	}
	want := map[int64]bool{}
	for _, id := range ids {
		want[id] = true
	}
	var out []audit.Batch
	for _, b := range all {
		if want[b.ID] {
			out = append(out, b)
		}
	}
	return out, nil
}

// StandingDecision reads a decision not taken back, its finding's month,
// and whether it is the latest standing one on its finding; audit.ErrNotFound
// when there is none.
func (t *Tx) StandingDecision(ctx context.Context, decisionID int64) (d audit.Decision, p audit.Month, latest bool, err error) {
	var period string
	err = t.tx.QueryRowContext(ctx, `SELECT d.id, d.finding_id, d.decision, d.user_name, f.period FROM decisions d JOIN findings f ON f.id = d.finding_id
		WHERE d.id = ? AND d.id NOT IN (SELECT decision_id FROM decision_undos)`, decisionID).Scan(&d.ID, &d.FindingID, &d.Decision, &d.User, &period)
	if errors.Is(err, sql.ErrNoRows) {
		return d, 0, false, audit.ErrNotFound
	}
	if err != nil {
		return d, 0, false, err
	}
	p, _ = audit.ParseMonth(period)
	var max int64
	if err := t.tx.QueryRowContext(ctx, `SELECT MAX(id) FROM decisions WHERE finding_id = ? AND id NOT IN (SELECT decision_id FROM decision_undos)`,
		d.FindingID).Scan(&max); err != nil {
		return d, p, false, err
	}
	return d, p, max == d.ID, nil
}

// RecordUndo takes a decision back: it stays in the history, its finding
// returns to the status of the decision before it (or to open), and the
// trail records it. It returns the finding's new status.
func (t *Tx) RecordUndo(ctx context.Context, user string, d audit.Decision, p audit.Month) (audit.Status, error) {
	if err := t.Guard(ctx, findingsScope(p.String())); err != nil {
		return "", err
	}
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO decision_undos (decision_id, user_name, at) VALUES (?, ?, ?)`, d.ID, user, t.now); err != nil {
		return "", err
	}
	status := audit.StatusOpen
	var prev sql.NullString
	if err := t.tx.QueryRowContext(ctx, `SELECT decision FROM decisions WHERE finding_id = ? AND id NOT IN (SELECT decision_id FROM decision_undos)
		ORDER BY id DESC LIMIT 1`, d.FindingID).Scan(&prev); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	if prev.Valid {
		status = audit.Verdict(prev.String).Status()
	}
	if _, err := t.tx.ExecContext(ctx, `UPDATE findings SET status = ? WHERE id = ?`, status, d.FindingID); err != nil {
		return "", err
	}
	return status, t.AppendTrail(ctx, user, "undo", map[string]any{"decision_id": d.ID, "finding": d.FindingID, "status": status},
		findingsScope(p.String()))
}

// PayeeTimeline lists every current payout to an ID number, oldest first
// (at most limit lines).
func (db *DB) PayeeTimeline(ctx context.Context, id string, limit int) ([]audit.PayoutLine, error) {
	var out []audit.PayoutLine
	err := db.eachRow(ctx, `SELECT p.month, COALESCE(p.amount_fen, 0), p.pay_type, p.account, p.village, b.file_name, p.row
		FROM payouts p JOIN batches b ON b.id = p.batch_id
		WHERE p.id_number = ? AND b.superseded_by IS NULL ORDER BY p.month, p.id LIMIT ?`, []any{id, limit}, func(r *sql.Rows) error {
		var l audit.PayoutLine
		var fen int64
		if err := r.Scan(&l.Month, &fen, &l.PayType, &l.Account, &l.Village, &l.File, &l.Row); err != nil {
			return err
		}
		l.Amount = audit.Fen(fen)
		out = append(out, l)
		return nil
	})
	return out, err
}
