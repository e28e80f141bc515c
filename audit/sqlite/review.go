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
	"pensionaudit/audit/rules"
)

// Decisions a reviewer can take.
const (
	DecisionConfirm = "confirm"
	DecisionDismiss = "dismiss"
	DecisionVisit   = "visit"
)

// Actions of a confirmed finding.
const (
	ActionStop    = "stop"
	ActionRecover = "recover"
	ActionRefer   = "refer"
)

// DismissReasons are the standard reasons to dismiss a finding.
var DismissReasons = []string{"同名不同人", "上报有误", "当月应发", "重复记录", "其他"}

// DecisionLabel and ActionLabel are the Chinese words.
func DecisionLabel(d string) string {
	switch d {
	case DecisionConfirm:
		return "确认"
	case DecisionDismiss:
		return "排除"
	case DecisionVisit:
		return "待实地核查"
	}
	return d
}

// ActionLabel is an action in Chinese.
func ActionLabel(a string) string {
	switch a {
	case ActionStop:
		return "止付"
	case ActionRecover:
		return "追回"
	case ActionRefer:
		return "移交"
	}
	return a
}

// Decision is one decision on a finding (the latest one counts).
type Decision struct {
	ID           int64     `json:"id"`
	FindingID    int64     `json:"finding_id"`
	Decision     string    `json:"decision"`
	Action       string    `json:"action,omitempty"`
	Reason       string    `json:"reason,omitempty"`
	Note         string    `json:"note,omitempty"`
	Amount       audit.Fen `json:"-"`
	User         string    `json:"user"`
	At           string    `json:"at"`
	EvidenceHash string    `json:"evidence_hash"`
}

// DecideInput is what a reviewer submits.
type DecideInput struct {
	FindingID int64
	Decision  string
	Action    string
	Reason    string
	Note      string
	Amount    *audit.Fen // recover: defaults to the finding's amount
}

type querier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// lockState tells whether a period is signed by the clerk and countersigned.
func lockState(ctx context.Context, q querier, p string) (clerk, supervisor *Signoff, err error) {
	rows, err := q.QueryContext(ctx, `SELECT id, period, role, user_name, at, fingerprint, batches FROM signoffs
		WHERE period = ? AND revoked_at = '' ORDER BY id`, p)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var s Signoff
		var batches string
		if err := rows.Scan(&s.ID, &s.Period, &s.Role, &s.User, &s.At, &s.Fingerprint, &batches); err != nil {
			return nil, nil, err
		}
		json.Unmarshal([]byte(batches), &s.Batches)
		if s.Role == RoleClerk {
			c := s
			clerk = &c
		} else {
			c := s
			supervisor = &c
		}
	}
	return clerk, supervisor, rows.Err()
}

// ErrIfLocked refuses changes to a countersigned period.
func (db *DB) ErrIfLocked(ctx context.Context, p audit.Month) error {
	if p == 0 {
		return nil
	}
	_, sup, err := lockState(ctx, db.db, p.String())
	if err != nil {
		return err
	}
	if sup != nil {
		return audit.Errorf(audit.ErrLocked, "%s 已由审核人 %s 复核签字并锁定，不能再导入或修改；如确需修改，请审核人先退回（reopen）并写明原因", p.Label(), sup.User)
	}
	return nil
}

// Decide records a decision on a finding, by an authenticated clerk or
// supervisor, until the period is signed.
func (db *DB) Decide(ctx context.Context, u User, in DecideInput) (*Decision, error) {
	if u.Role != RoleClerk && u.Role != RoleSupervisor {
		return nil, audit.Errorf(audit.ErrPermission, "%s 是查阅人，只能查看，不能处理核查结果", u.Name)
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var f struct {
		period, rule, status, hash string
		amount                     int64
	}
	err = tx.QueryRowContext(ctx, `SELECT period, rule, status, evidence_hash, amount_fen FROM findings WHERE id = ?`, in.FindingID).
		Scan(&f.period, &f.rule, &f.status, &f.hash, &f.amount)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, audit.Errorf(audit.ErrNotFound, "没有编号为 %d 的核查结果", in.FindingID)
	}
	if err != nil {
		return nil, err
	}
	if f.status == StatusWithdrawn {
		return nil, audit.Errorf(audit.ErrConflict, "第 %d 条核查结果已撤销（数据更正后不再成立），无需处理", in.FindingID)
	}
	clerk, sup, err := lockState(ctx, tx, f.period)
	if err != nil {
		return nil, err
	}
	if sup != nil {
		return nil, audit.Errorf(audit.ErrLocked, "%s 已复核签字锁定，不能修改处理意见；请审核人先退回（reopen）", f.period)
	}
	if clerk != nil {
		return nil, audit.Errorf(audit.ErrLocked, "%s 经办人 %s 已签字，不能修改处理意见；请审核人先退回（reopen）", f.period, clerk.User)
	}
	d := Decision{FindingID: in.FindingID, Decision: in.Decision, Note: strings.TrimSpace(in.Note), User: u.Name, At: db.now(), EvidenceHash: f.hash}
	switch in.Decision {
	case DecisionConfirm:
		switch in.Action {
		case ActionStop, ActionRefer:
		case ActionRecover:
			d.Amount = audit.Fen(f.amount)
			if in.Amount != nil {
				d.Amount = *in.Amount
			}
			if d.Amount <= 0 {
				return nil, audit.Errorf(audit.ErrInvalid, "追回金额必须大于零（用 --amount 指定）")
			}
		default:
			return nil, audit.Errorf(audit.ErrInvalid, "确认时须用 --action 选择处理方式：stop（止付）、recover（追回）或 refer（移交）")
		}
		d.Action = in.Action
	case DecisionDismiss:
		ok := false
		for _, r := range DismissReasons {
			ok = ok || r == in.Reason
		}
		if !ok {
			return nil, audit.Errorf(audit.ErrInvalid, "排除时须用 --reason 选择理由：%s", strings.Join(DismissReasons, "、"))
		}
		if (rules.DeathRelated(f.rule) || in.Reason == "其他") && d.Note == "" {
			return nil, audit.Errorf(audit.ErrInvalid, "排除与死亡有关的核查结果（或理由为“其他”）时，须用 --note 写明核实情况")
		}
		d.Reason = in.Reason
	case DecisionVisit:
	default:
		return nil, audit.Errorf(audit.ErrInvalid, "处理意见 %q 不对：应为 confirm（确认）、dismiss（排除）或 visit（待实地核查）", in.Decision)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO decisions (finding_id, decision, action, reason, note, amount_fen, user_name, at, evidence_hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, d.FindingID, d.Decision, d.Action, d.Reason, d.Note, int64(d.Amount), d.User, d.At, d.EvidenceHash)
	if err != nil {
		return nil, err
	}
	d.ID, _ = res.LastInsertId()
	status := map[string]string{DecisionConfirm: StatusConfirmed, DecisionDismiss: StatusDismissed, DecisionVisit: StatusVisit}[d.Decision]
	if _, err := tx.ExecContext(ctx, `UPDATE findings SET status = ? WHERE id = ?`, status, d.FindingID); err != nil {
		return nil, err
	}
	if err := db.appendTrail(ctx, tx, u.Name, "decide", decisionPayload(&d), findingsScope(f.period)); err != nil {
		return nil, err
	}
	return &d, tx.Commit()
}

// decisionPayload is what the trail keeps of a decision; verify compares the
// decisions table with it.
func decisionPayload(d *Decision) map[string]any {
	return map[string]any{"decision_id": d.ID, "finding": d.FindingID, "decision": d.Decision, "action": d.Action, "reason": d.Reason,
		"note_sha256": sha(d.Note), "amount_fen": int64(d.Amount), "evidence_hash": d.EvidenceHash}
}

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// Signoff is a signature on a period.
type Signoff struct {
	ID          int64   `json:"id"`
	Period      string  `json:"period"`
	Role        string  `json:"role"`
	User        string  `json:"user"`
	At          string  `json:"at"`
	Fingerprint string  `json:"fingerprint"`
	Batches     []int64 `json:"batches"`
}

// inputBatches are the current batches a period's check reads: its roster
// and the month before, death reports up to the month, deregistrations.
func inputBatches(ctx context.Context, q querier, p audit.Month) ([]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT id FROM batches WHERE superseded_by IS NULL AND (
		(kind = 'payouts' AND period IN (?, ?)) OR (kind = 'deaths' AND period <= ?) OR kind = 'deregistrations') ORDER BY id`,
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

// SignOff signs a period: first the clerk (经办人), then a different
// supervisor (审核人), whose countersignature locks the period.
func (db *DB) SignOff(ctx context.Context, u User, p audit.Month) (*Signoff, error) {
	if u.Role == RoleAuditor {
		return nil, audit.Errorf(audit.ErrPermission, "%s 是查阅人，不能签字", u.Name)
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	clerk, sup, err := lockState(ctx, tx, p.String())
	if err != nil {
		return nil, err
	}
	if sup != nil {
		return nil, audit.Errorf(audit.ErrConflict, "%s 已由 %s 复核签字，无需再签", p.Label(), sup.User)
	}
	s := &Signoff{Period: p.String(), User: u.Name, At: db.now()}
	if clerk == nil {
		if err := db.readyToSign(ctx, tx, p); err != nil {
			return nil, err
		}
		s.Role = RoleClerk
		if s.Batches, err = inputBatches(ctx, tx, p); err != nil {
			return nil, err
		}
	} else {
		if u.Role != RoleSupervisor {
			return nil, audit.Errorf(audit.ErrPermission, "经办人 %s 已签字；复核签字须由审核人（supervisor）进行", clerk.User)
		}
		if u.Name == clerk.User {
			return nil, audit.Errorf(audit.ErrPermission, "复核签字的审核人不能与签字的经办人是同一人（%s）", u.Name)
		}
		s.Role = RoleSupervisor
		s.Batches = clerk.Batches
		now, err := fingerprint(ctx, tx, p, s.Batches)
		if err != nil {
			return nil, err
		}
		if now != clerk.Fingerprint {
			return nil, audit.Errorf(audit.ErrConflict, "经办人签字后，%s 的数据或处理意见有变动（指纹不符）；请退回后由经办人重新签字", p.Label())
		}
	}
	if s.Fingerprint, err = fingerprint(ctx, tx, p, s.Batches); err != nil {
		return nil, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO signoffs (period, role, user_name, at, batches, fingerprint) VALUES (?, ?, ?, ?, ?, ?)`,
		s.Period, s.Role, s.User, s.At, jsonString(s.Batches), s.Fingerprint)
	if err != nil {
		return nil, err
	}
	s.ID, _ = res.LastInsertId()
	var head string
	if err := tx.QueryRowContext(ctx, `SELECT hash FROM trail ORDER BY seq DESC LIMIT 1`).Scan(&head); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if err := db.appendTrail(ctx, tx, u.Name, "signoff", map[string]any{"signoff": s.ID, "period": s.Period, "role": s.Role,
		"batches": s.Batches, "fingerprint": s.Fingerprint, "head": head}); err != nil {
		return nil, err
	}
	return s, tx.Commit()
}

// readyToSign refuses a clerk's signature while the check is stale, a
// finding is undecided, or a village has neither a report nor a note.
func (db *DB) readyToSign(ctx context.Context, tx *sql.Tx, p audit.Month) error {
	var lastCheck sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT MAX(at) FROM checks WHERE period = ?`, p.String()).Scan(&lastCheck); err != nil {
		return err
	}
	if !lastCheck.Valid {
		return audit.Errorf(audit.ErrConflict, "%s 还没有核查过，请先运行核查（check）", p.Label())
	}
	batches, err := inputBatches(ctx, tx, p)
	if err != nil {
		return err
	}
	for _, id := range batches {
		var at string
		if err := tx.QueryRowContext(ctx, `SELECT imported_at FROM batches WHERE id = ?`, id).Scan(&at); err != nil {
			return err
		}
		if at > lastCheck.String {
			return audit.Errorf(audit.ErrConflict, "核查之后又导入了文件（第 %d 批），请重新核查 %s 后再签字", id, p.Label())
		}
	}
	var open int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM findings WHERE period = ? AND status = 'open'`, p.String()).Scan(&open); err != nil {
		return err
	}
	if open > 0 {
		return audit.Errorf(audit.ErrConflict, "%s 还有 %d 条核查结果没有处理，全部处理后才能签字", p.Label(), open)
	}
	missing, err := missingVillages(ctx, tx, p)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return audit.Errorf(audit.ErrConflict, "%s 没有收到 %s 的死亡人员名单（也没有零报告），也没有审核人说明原因；请催报，或由审核人用 village-note 记录原因",
			p.Label(), strings.Join(missing, "、"))
	}
	return nil
}

// missingVillages are the villages with neither a report for p nor a note.
func missingVillages(ctx context.Context, q querier, p audit.Month) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT v.name FROM villages v WHERE v.source IN ('roster', 'config')
		AND NOT EXISTS (SELECT 1 FROM batches b WHERE b.kind = 'deaths' AND b.period = ?1 AND b.village = v.name AND b.superseded_by IS NULL)
		AND NOT EXISTS (SELECT 1 FROM missing_notes n WHERE n.period = ?1 AND n.village = v.name) ORDER BY v.name`, p.String())
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

// NoteMissing records a supervisor's note on why a village's report is missing.
func (db *DB) NoteMissing(ctx context.Context, u User, p audit.Month, village, note string) error {
	if u.Role != RoleSupervisor {
		return audit.Errorf(audit.ErrPermission, "缺报说明须由审核人（supervisor）记录")
	}
	if strings.TrimSpace(note) == "" || strings.TrimSpace(village) == "" {
		return audit.Errorf(audit.ErrInvalid, "请用 --village 和 --note 写明哪个村、为什么没有上报")
	}
	if err := db.ErrIfLocked(ctx, p); err != nil {
		return err
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO missing_notes (period, village, note, user_name, at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (period, village) DO UPDATE SET note = excluded.note, user_name = excluded.user_name, at = excluded.at`,
		p.String(), village, note, u.Name, db.now()); err != nil {
		return err
	}
	if err := db.appendTrail(ctx, tx, u.Name, "missing_note", map[string]string{"period": p.String(), "village": village, "note_sha256": sha(note)}); err != nil {
		return err
	}
	return tx.Commit()
}

// Reopen revokes a period's signatures, with a supervisor's reason.
func (db *DB) Reopen(ctx context.Context, u User, p audit.Month, reason string) error {
	if u.Role != RoleSupervisor {
		return audit.Errorf(audit.ErrPermission, "只有审核人（supervisor）可以退回已签字的月份")
	}
	if strings.TrimSpace(reason) == "" {
		return audit.Errorf(audit.ErrInvalid, "退回须用 --reason 写明原因")
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE signoffs SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE period = ? AND revoked_at = ''`,
		db.now(), u.Name, reason, p.String())
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return audit.Errorf(audit.ErrConflict, "%s 没有签字，无需退回", p.Label())
	}
	if err := db.appendTrail(ctx, tx, u.Name, "reopen", map[string]string{"period": p.String(), "reason": reason}); err != nil {
		return err
	}
	return tx.Commit()
}

// Signoffs lists a period's signatures (revoked ones too when all is set).
func (db *DB) Signoffs(ctx context.Context, p audit.Month) (clerk, supervisor *Signoff, err error) {
	return lockState(ctx, db.db, p.String())
}

// VillageReport is a village's report state for a period.
type VillageReport struct {
	Village string `json:"village"`
	State   string `json:"state"` // reported, nil, missing
	Rows    int    `json:"rows"`
	Note    string `json:"note,omitempty"`
	File    string `json:"file,omitempty"`
}

// PeriodStatus is the state of one month.
type PeriodStatus struct {
	Period     string          `json:"period"`
	Reports    []VillageReport `json:"reports"`
	Findings   map[string]int  `json:"findings"` // by status
	Checked    string          `json:"checked_at,omitempty"`
	Clerk      *Signoff        `json:"clerk_signoff"`
	Supervisor *Signoff        `json:"supervisor_signoff"`
	Locked     bool            `json:"locked"`
	Due        string          `json:"due"` // countersignature due by
	Overdue    bool            `json:"overdue"`
}

// Status describes a period: reports, findings, sign-off, deadline.
func (db *DB) Status(ctx context.Context, p audit.Month) (*PeriodStatus, error) {
	st := &PeriodStatus{Period: p.String(), Findings: map[string]int{}}
	villages := map[string]*VillageReport{}
	var order []string
	add := func(v string) *VillageReport {
		if r, ok := villages[v]; ok {
			return r
		}
		r := &VillageReport{Village: v, State: "missing"}
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
	err = db.eachRow(ctx, `SELECT village, nil_report, imported_rows, file_name FROM batches WHERE kind = 'deaths' AND period = ? AND superseded_by IS NULL ORDER BY village`,
		[]any{p.String()}, func(r *sql.Rows) error {
			var v, file string
			var nilRep, n int
			if err := r.Scan(&v, &nilRep, &n, &file); err != nil {
				return err
			}
			// a village may have a list and a later 补报 list: add them up
			x := add(v)
			x.Rows += n
			x.File = strings.TrimPrefix(x.File+"、"+file, "、")
			switch {
			case nilRep == 0:
				x.State = "reported"
			case x.State == "missing":
				x.State = "nil"
			}
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
		var s string
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

// LedgerEntry is a confirmed overpayment to recover.
type LedgerEntry struct {
	FindingID   int64     `json:"finding"`
	Period      string    `json:"period"`
	Rule        string    `json:"rule"`
	Name        string    `json:"name"`
	IDNumber    string    `json:"id_number"`
	Village     string    `json:"village"`
	Due         audit.Fen `json:"-"`
	Recovered   audit.Fen `json:"-"`
	Outstanding audit.Fen `json:"-"`
	ConfirmedAt string    `json:"confirmed_at"`
	ConfirmedBy string    `json:"confirmed_by"`
	AgeDays     int       `json:"age_days"`
}

// MarshalJSON writes money as numbers of yuan with two decimals.
func (e LedgerEntry) MarshalJSON() ([]byte, error) {
	type plain LedgerEntry
	return json.Marshal(struct {
		plain
		Due         json.Number `json:"due"`
		Recovered   json.Number `json:"recovered"`
		Outstanding json.Number `json:"outstanding"`
	}{plain(e), json.Number(e.Due.String()), json.Number(e.Recovered.String()), json.Number(e.Outstanding.String())})
}

// Ledger lists findings whose current decision is "confirm, recover".
func (db *DB) Ledger(ctx context.Context) ([]LedgerEntry, error) {
	var out []LedgerEntry
	now := db.Now()
	err := db.eachRow(ctx, `SELECT f.id, f.period, f.rule, f.name, f.id_number, f.village, d.amount_fen, d.at, d.user_name,
			COALESCE((SELECT SUM(amount_fen) FROM recoveries r WHERE r.finding_id = f.id), 0)
		FROM findings f JOIN decisions d ON d.id = (SELECT MAX(id) FROM decisions WHERE finding_id = f.id
			AND id NOT IN (SELECT decision_id FROM decision_undos))
		WHERE f.status = 'confirmed' AND d.decision = 'confirm' AND d.action = 'recover' ORDER BY f.period, f.id`, nil, func(r *sql.Rows) error {
		var e LedgerEntry
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

// Recover records money recovered on a ledger entry.
func (db *DB) Recover(ctx context.Context, u User, findingID int64, on time.Time, amount audit.Fen, note string) error {
	if u.Role == RoleAuditor {
		return audit.Errorf(audit.ErrPermission, "查阅人不能登记追回")
	}
	if amount <= 0 {
		return audit.Errorf(audit.ErrInvalid, "追回金额必须大于零")
	}
	entries, err := db.Ledger(ctx)
	if err != nil {
		return err
	}
	var e *LedgerEntry
	for i := range entries {
		if entries[i].FindingID == findingID {
			e = &entries[i]
		}
	}
	if e == nil {
		return audit.Errorf(audit.ErrNotFound, "第 %d 条不是已确认追回的核查结果", findingID)
	}
	if amount > e.Outstanding {
		return audit.Errorf(audit.ErrInvalid, "追回金额 %s 元超过尚欠的 %s 元", amount, e.Outstanding)
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO recoveries (finding_id, on_date, amount_fen, note, user_name, at) VALUES (?, ?, ?, ?, ?, ?)`,
		findingID, on.Format("2006-01-02"), int64(amount), note, u.Name, db.now())
	if err != nil {
		return err
	}
	id, _ := res.LastInsertId()
	if err := db.appendTrail(ctx, tx, u.Name, "recover", map[string]any{"recovery": id, "finding": findingID, "date": on.Format("2006-01-02"),
		"amount_fen": int64(amount)}); err != nil {
		return err
	}
	return tx.Commit()
}

// LatestDecisions returns the current decision of each finding of a period.
func (db *DB) LatestDecisions(ctx context.Context, p audit.Month) (map[int64]Decision, error) {
	out := map[int64]Decision{}
	err := db.eachRow(ctx, `SELECT d.id, d.finding_id, d.decision, d.action, d.reason, d.note, d.amount_fen, d.user_name, d.at, d.evidence_hash
		FROM decisions d JOIN findings f ON f.id = d.finding_id
		WHERE f.period = ? AND d.id = (SELECT MAX(id) FROM decisions WHERE finding_id = d.finding_id
			AND id NOT IN (SELECT decision_id FROM decision_undos))`, []any{p.String()}, func(r *sql.Rows) error {
		var d Decision
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
	all, err := db.Batches(ctx, BatchFilter{IncludeOld: true})
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

// UndoDecision takes back a decision — the latest standing one on its
// finding, by the same person (or a supervisor), while the month is not
// signed. The decision stays in the history; the finding returns to the
// state of the decision before it (or to open); the trail records it.
func (db *DB) UndoDecision(ctx context.Context, u User, decisionID int64) (*Decision, error) {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var d Decision
	var period string
	err = tx.QueryRowContext(ctx, `SELECT d.id, d.finding_id, d.decision, d.user_name, f.period FROM decisions d JOIN findings f ON f.id = d.finding_id
		WHERE d.id = ? AND d.id NOT IN (SELECT decision_id FROM decision_undos)`, decisionID).Scan(&d.ID, &d.FindingID, &d.Decision, &d.User, &period)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, audit.Errorf(audit.ErrNotFound, "没有可以撤销的第 %d 条处理意见", decisionID)
	}
	if err != nil {
		return nil, err
	}
	if d.User != u.Name && u.Role != RoleSupervisor {
		return nil, audit.Errorf(audit.ErrPermission, "这条处理意见是 %s 做的，只有本人或审核人可以撤销", d.User)
	}
	var latest int64
	if err := tx.QueryRowContext(ctx, `SELECT MAX(id) FROM decisions WHERE finding_id = ? AND id NOT IN (SELECT decision_id FROM decision_undos)`,
		d.FindingID).Scan(&latest); err != nil {
		return nil, err
	}
	if latest != d.ID {
		return nil, audit.Errorf(audit.ErrConflict, "核查结果 #%d 之后又有新的处理意见，只能撤销最新的一条", d.FindingID)
	}
	clerk, sup, err := lockState(ctx, tx, period)
	if err != nil {
		return nil, err
	}
	if clerk != nil || sup != nil {
		return nil, audit.Errorf(audit.ErrLocked, "%s 已签字，不能撤销处理意见；请审核人先退回（reopen）", period)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO decision_undos (decision_id, user_name, at) VALUES (?, ?, ?)`, d.ID, u.Name, db.now()); err != nil {
		return nil, err
	}
	status := StatusOpen
	var prev sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT decision FROM decisions WHERE finding_id = ? AND id NOT IN (SELECT decision_id FROM decision_undos)
		ORDER BY id DESC LIMIT 1`, d.FindingID).Scan(&prev); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if prev.Valid {
		status = map[string]string{DecisionConfirm: StatusConfirmed, DecisionDismiss: StatusDismissed, DecisionVisit: StatusVisit}[prev.String]
	}
	if _, err := tx.ExecContext(ctx, `UPDATE findings SET status = ? WHERE id = ?`, status, d.FindingID); err != nil {
		return nil, err
	}
	if err := db.appendTrail(ctx, tx, u.Name, "undo", map[string]any{"decision_id": d.ID, "finding": d.FindingID, "status": status},
		findingsScope(period)); err != nil {
		return nil, err
	}
	return &d, tx.Commit()
}

// PayoutLine is one payout of a payee, for the review screen's timeline.
type PayoutLine struct {
	Month   string
	Amount  audit.Fen
	PayType string
	Account string
	Village string
	File    string
	Row     int
}

// PayeeTimeline lists every current payout to an ID number, oldest first
// (at most limit lines).
func (db *DB) PayeeTimeline(ctx context.Context, id string, limit int) ([]PayoutLine, error) {
	var out []PayoutLine
	err := db.eachRow(ctx, `SELECT p.month, COALESCE(p.amount_fen, 0), p.pay_type, p.account, p.village, b.file_name, p.row
		FROM payouts p JOIN batches b ON b.id = p.batch_id
		WHERE p.id_number = ? AND b.superseded_by IS NULL ORDER BY p.month, p.id LIMIT ?`, []any{id, limit}, func(r *sql.Rows) error {
		var l PayoutLine
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
