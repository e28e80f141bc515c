package workspace

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"pensionaudit/assets"
	"pensionaudit/audit"
	"pensionaudit/audit/rules"
	"pensionaudit/audit/signing"
	"pensionaudit/audit/sqlite"
)

// worked is a fully worked workspace: users, imports, checks, decisions,
// notes, a recovery; the first month countersigned, the second countersigned
// and reopened, the third checked and partly decided.
type worked struct {
	path          string
	signed        audit.Month // countersigned, standing
	reopened      audit.Month
	open          audit.Month
	code          string // trail code printed on the signed month's sheet
	clerk, sup    string
	unsignedBatch int64 // a roster batch of the open month
	signedBatch   int64 // a roster batch of the signed month
}

var (
	workedOnce sync.Once
	workedWS   worked
	workedErr  error
)

func decideAll(ctx context.Context, w *Workspace, u audit.Session, p audit.Month, limit int) error {
	fs, _, err := w.Findings(ctx, audit.FindingFilter{Period: p})
	if err != nil {
		return err
	}
	for i, f := range fs {
		if limit > 0 && i >= limit {
			break
		}
		if f.Status == audit.StatusWithdrawn {
			continue
		}
		in := audit.DecideInput{FindingID: f.ID}
		switch {
		case rules.DeathRelated(f.Rule) && f.Amount > 0:
			in.Decision, in.Action = audit.DecisionConfirm, audit.ActionRecover
		case rules.DeathRelated(f.Rule):
			in.Decision, in.Action = audit.DecisionConfirm, audit.ActionStop
		case f.Rule == rules.SharedAccount:
			in.Decision, in.Reason, in.Note = audit.DecisionDismiss, "其他", "同户家属代领，已核实"
		default:
			in.Decision, in.Note = audit.DecisionVisit, "安排入户核实"
		}
		if _, err := w.Decide(ctx, u, in); err != nil {
			return err
		}
	}
	return nil
}

func noteMissing(ctx context.Context, w *Workspace, u audit.Session, p audit.Month) error {
	st, err := w.Status(ctx, p)
	if err != nil {
		return err
	}
	for _, s := range st {
		for _, r := range s.Reports {
			if r.State == "missing" {
				if err := w.NoteMissing(ctx, u, p, r.Village, "村文书病休，已电话催报"); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// tamperAnchors is the list of seen heads the tamper tests keep (never the
// developer's own).
var tamperAnchors = filepath.Join(os.TempDir(), "pensionaudit-tamper-config", "anchors.log")

func buildWorked(dir string) (worked, error) {
	ctx := context.Background()
	wk := worked{path: filepath.Join(dir, "worked.db"), clerk: "李会计", sup: "王主任"}
	w, err := BuildDemo(ctx, wk.path, assets.Demo())
	if err != nil {
		return wk, err
	}
	w.KeepAnchors(tamperAnchors)
	defer w.Close()
	demoSup, err := w.Login(ctx, DemoSupervisor, DemoPassword)
	if err != nil {
		return wk, err
	}
	sup, err := w.AddUser(ctx, &demoSup, wk.sup, audit.RoleSupervisor, "wang-secret-2022")
	if err != nil {
		return wk, err
	}
	// each signs with the key their password opens: sessions from Login
	login := func(name, pw string) (audit.Session, error) { return w.Login(ctx, name, pw) }
	supS, err := login(sup.Name, "wang-secret-2022")
	if err != nil {
		return wk, err
	}
	if _, err := w.AddUser(ctx, &supS, wk.clerk, audit.RoleClerk, "li-secret-2022"); err != nil {
		return wk, err
	}
	if _, err := w.AddUser(ctx, &supS, "张审核", audit.RoleSupervisor, "zhang-secret-2022"); err != nil {
		return wk, err
	}
	clerkS, err := login(wk.clerk, "li-secret-2022")
	if err != nil {
		return wk, err
	}
	sup2S, err := login("张审核", "zhang-secret-2022")
	if err != nil {
		return wk, err
	}
	sess := func(u audit.User) audit.Session {
		switch u.Name {
		case wk.sup:
			return supS
		case wk.clerk:
			return clerkS
		}
		return sup2S
	}
	clerk, sup2 := clerkS.User, sup2S.User
	months, err := w.db.RosterMonths(ctx)
	if err != nil || len(months) < 3 {
		return wk, err
	}
	wk.signed, wk.reopened, wk.open = months[0], months[1], months[2]
	for _, p := range months[:2] {
		if err := decideAll(ctx, w, sess(clerk), p, 0); err != nil {
			return wk, err
		}
		if err := noteMissing(ctx, w, sess(sup), p); err != nil {
			return wk, err
		}
		if _, err := w.SignOff(ctx, sess(clerk), p); err != nil {
			return wk, err
		}
		if _, err := w.SignOff(ctx, sess(sup2), p); err != nil {
			return wk, err
		}
	}
	if err := w.Reopen(ctx, sess(sup), wk.reopened, "补报名单到达，需重新核查"); err != nil {
		return wk, err
	}
	if err := decideAll(ctx, w, sess(clerk), wk.open, 2); err != nil {
		return wk, err
	}
	vs, err := w.Villages(ctx)
	if err != nil || len(vs) == 0 {
		return wk, err
	}
	if err := w.NoteMissing(ctx, sess(sup), wk.open, vs[0], "村文书外出，名单下周补报"); err != nil {
		return wk, err
	}
	led, err := w.Ledger(ctx)
	if err != nil {
		return wk, err
	}
	if len(led) > 0 {
		if err := w.Recover(ctx, sess(clerk), led[0].FindingID, w.db.Now(), 100, "家属退回"); err != nil {
			return wk, err
		}
	}
	d, err := w.ReportData(ctx, wk.signed)
	if err != nil {
		return wk, err
	}
	wk.code = d.TrailCode
	db := w.db.SQL()
	db.QueryRow(`SELECT MIN(id) FROM batches WHERE kind = 'payouts' AND period = ?`, wk.open.String()).Scan(&wk.unsignedBatch)
	db.QueryRow(`SELECT MIN(id) FROM batches WHERE kind = 'payouts' AND period = ?`, wk.signed.String()).Scan(&wk.signedBatch)
	r, err := w.Verify(ctx)
	if err != nil {
		return wk, err
	}
	if !r.OK() {
		return wk, &audit.Error{Kind: audit.ErrInvalid, Msg: "worked workspace does not verify: " + strings.Join(r.Problems, "; ")}
	}
	return wk, nil
}

// workedCopy builds the worked workspace once per test binary and gives each
// caller its own copy of the file (anchors in a config folder of the test).
func workedCopy(t *testing.T) (worked, string) {
	t.Helper()
	workedOnce.Do(func() {
		dir, err := os.MkdirTemp("", "pensionaudit-worked-")
		if err != nil {
			workedErr = err
			return
		}
		workedWS, workedErr = buildWorked(dir)
	})
	if workedErr != nil {
		t.Fatal(workedErr)
	}
	data, err := os.ReadFile(workedWS.path)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return workedWS, p
}

// attacker runs SQL on the file the way a clerk with sqlite3 would: no
// foreign keys, no program in between.
func attacker(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("attack %q: %v", s, err)
		}
	}
}

func triggerSQL(t *testing.T, path string) []string {
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		out = append(out, s)
	}
	return out
}

// withoutTriggers wraps statements in dropping and recreating the trail's
// triggers with their exact original text.
func withoutTriggers(t *testing.T, path string, stmts ...string) []string {
	orig := triggerSQL(t, path)
	out := []string{`DROP TRIGGER trail_no_update`, `DROP TRIGGER trail_no_delete`}
	out = append(out, stmts...)
	return append(out, orig...)
}

func verifyReport(t *testing.T, path string) *sqlite.VerifyReport {
	t.Helper()
	w, err := Open(context.Background(), path)
	if err == nil {
		w.KeepAnchors(tamperAnchors)
	}
	if err != nil {
		t.Fatalf("open after tampering: %v", err)
	}
	defer w.db.Close() // a look only: the heads of tampered copies are not recorded in the shared list
	r, err := w.Verify(context.Background())
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return r
}

// The tamper suite: each edit is plain SQL on a copy of a fully worked
// workspace, as an insider with the laptop and sqlite3 would make it; verify
// must report every one, naming what changed.
func TestTamperSuite(t *testing.T) {
	wk, _ := workedCopy(t)
	u, s, o := wk.unsignedBatch, wk.signedBatch, wk.open.String()
	b := func(id int64) string { return itoa(int(id)) }
	type edit struct {
		name  string
		stmts func(path string) []string
		want  string // a phrase the report must contain
	}
	same := func(stmts ...string) func(string) []string { return func(string) []string { return stmts } }
	edits := []edit{
		{"payout amount, unsigned month", same(`UPDATE payouts SET amount_fen = amount_fen + 10000 WHERE id = (SELECT MIN(id) FROM payouts WHERE batch_id = ` + b(u) + `)`), "第 " + b(u) + " 批"},
		{"payout ID of an unsigned month", same(`UPDATE payouts SET id_number = '110101190001010000' WHERE id = (SELECT MAX(id) FROM payouts WHERE batch_id = ` + b(u) + `)`), "导入的数据行"},
		{"payout name", same(`UPDATE payouts SET name = '张冒名' WHERE id = (SELECT MIN(id) FROM payouts WHERE batch_id = ` + b(u) + `)`), "导入的数据行"},
		{"payout account", same(`UPDATE payouts SET account = '6217000000000000000' WHERE id = (SELECT MIN(id) FROM payouts WHERE batch_id = ` + b(u) + `)`), "导入的数据行"},
		{"payout row deleted", same(`DELETE FROM payouts WHERE id = (SELECT MAX(id) FROM payouts WHERE batch_id = ` + b(u) + `)`), "导入的数据行"},
		{"payout row inserted", same(`INSERT INTO payouts (batch_id, sheet, row, village, name, id_raw, id_number, id_ok, sex, account, month, amount_fen, pay_type, pay_raw, status, note, has_error, birth)
			SELECT batch_id, sheet, row + 10000, village, '王新增', id_raw, id_number, id_ok, sex, account, month, amount_fen, pay_type, pay_raw, status, note, has_error, birth FROM payouts WHERE batch_id = ` + b(u) + ` LIMIT 1`), "导入的数据行"},
		{"payout of a signed month", same(`UPDATE payouts SET amount_fen = amount_fen + 1 WHERE id = (SELECT MIN(id) FROM payouts WHERE batch_id = ` + b(s) + `)`), "签字之后被改动过"},
		{"death date moved", same(`UPDATE death_records SET death_date = '2030-01-01' WHERE id = (SELECT MIN(id) FROM death_records)`), "导入的数据行"},
		{"death record ID changed", same(`UPDATE death_records SET id_number = '110101190001010000' WHERE id = (SELECT MAX(id) FROM death_records)`), "导入的数据行"},
		{"death record deleted", same(`DELETE FROM death_records WHERE id = (SELECT MAX(id) FROM death_records)`), "导入的数据行"},
		{"kept copy of an imported file edited", same(`UPDATE source_chunks SET data = x'00' WHERE batch_id = ` + b(u) + ` AND seq = 0`), "第 " + b(u) + " 批"},
		{"problem deleted", same(`DELETE FROM problems WHERE id = (SELECT MIN(id) FROM problems)`), "导入的数据行和问题"},
		{"problem downgraded", same(`UPDATE problems SET level = 'notice' WHERE id = (SELECT MIN(id) FROM problems WHERE level = 'error')`), "导入的数据行和问题"},
		{"finding dismissed by hand", same(`UPDATE findings SET status = 'dismissed' WHERE id = (SELECT MIN(id) FROM findings WHERE period = '` + o + `' AND status = 'open')`), "的核查结果"},
		{"finding amount", same(`UPDATE findings SET amount_fen = 0 WHERE id = (SELECT MIN(id) FROM findings WHERE period = '` + o + `')`), "的核查结果"},
		{"finding deleted", same(`DELETE FROM findings WHERE id = (SELECT MAX(id) FROM findings WHERE period = '` + o + `')`), "的核查结果"},
		{"finding inserted", same(`INSERT INTO findings (period, rule, subject, id_number, name, village, account, amount_fen, months, detail, suggestions, evidence, evidence_hash, first_seen, last_checked)
			VALUES ('` + o + `', 'invalid_id', 'x', '', '某', '某村', '', 0, '[]', '', '[]', '[]', '', '', '')`), "的核查结果"},
		{"decision's user", same(`UPDATE decisions SET user_name = '王主任' WHERE id = (SELECT MIN(id) FROM decisions)`), "处理意见"},
		{"decision changed", same(`UPDATE decisions SET decision = 'dismiss', reason = '其他' WHERE id = (SELECT MAX(id) FROM decisions)`), "处理意见"},
		{"decision taken back by hand", same(`INSERT INTO decision_undos (decision_id, user_name, at) SELECT MAX(id), '李会计', '' FROM decisions`), "撤销的处理意见"},
		{"decision deleted", same(`DELETE FROM decisions WHERE id = (SELECT MAX(id) FROM decisions)`), "处理意见"},
		{"roster superseded by hand", same(`UPDATE batches SET superseded_by = ` + b(s) + ` WHERE id = ` + b(u)), "导入文件清单"},
		{"batch hash", same(`UPDATE batches SET sha256 = '` + strings.Repeat("0", 64) + `' WHERE id = ` + b(u)), "导入文件清单"},
		{"batch deleted with its rows", same(`DELETE FROM payouts WHERE batch_id = `+b(u), `DELETE FROM problems WHERE batch_id = `+b(u), `DELETE FROM batches WHERE id = `+b(u)), "被删除了"},
		{"clerk made supervisor", same(`UPDATE users SET role = 'supervisor' WHERE name = '李会计'`), "用户和密码"},
		{"clerk's hash copied onto supervisor", same(`UPDATE users SET pw_hash = (SELECT pw_hash FROM users WHERE name = '李会计') WHERE name = '王主任'`), "用户和密码"},
		{"user inserted", same(`INSERT INTO users (name, role, pw_hash, created_at) VALUES ('李主任', 'supervisor', 'x', '')`), "用户和密码"},
		{"user deleted", same(`DELETE FROM users WHERE name = '张审核'`), "用户和密码"},
		{"recovery inflated", same(`UPDATE recoveries SET amount_fen = amount_fen + 10000`), "追回台账"},
		{"recovery deleted", same(`DELETE FROM recoveries`), "追回台账"},
		{"recovery inserted", same(`INSERT INTO recoveries (finding_id, on_date, amount_fen, note, user_name, at) SELECT finding_id, on_date, 99999, '', user_name, at FROM recoveries LIMIT 1`), "追回台账"},
		{"missing-report note edited", same(`UPDATE missing_notes SET note = '已上报'`), "缺报说明"},
		{"missing-report note deleted", same(`DELETE FROM missing_notes`), "缺报说明"},
		{"township renamed", same(`UPDATE settings SET value = '别的镇' WHERE key = 'township'`), "设置"},
		{"rule threshold set", same(`INSERT OR REPLACE INTO settings (key, value) VALUES ('survival_age', '200')`), "设置"},
		{"village removed", same(`DELETE FROM villages WHERE name = (SELECT MIN(name) FROM villages)`), "村(社区)名单"},
		{"village added", same(`INSERT INTO villages (name, source, created_at) VALUES ('不存在村', 'config', '')`), "村(社区)名单"},
		{"village's payee count lowered (a raise looks local, a village need not report)", same(`UPDATE batch_villages SET payees = 1`), "各村发放人数"},
		{"village's payee count deleted", same(`DELETE FROM batch_villages WHERE rowid = (SELECT MIN(rowid) FROM batch_villages)`), "各村发放人数"},
		{"mapping planted", same(`INSERT INTO mappings (kind, village, mapping) VALUES ('payouts', '某村', 'id=姓名')`), "列映射"},
		{"check record edited", same(`UPDATE checks SET counts = '{}'`), "核查记录"},
		{"countersignature revoked, no reopen", same(`UPDATE signoffs SET revoked_at = '2022-01-01', revoked_by = '王主任', revoke_reason = 'x' WHERE period = '` + wk.signed.String() + `'`), "签字"},
		{"countersigned month's signatures deleted, then payouts edited", same(`DELETE FROM signoffs WHERE period = '`+wk.signed.String()+`'`,
			`UPDATE payouts SET amount_fen = 1 WHERE batch_id = `+b(s)), "签字"},
		{"signer changed", same(`UPDATE signoffs SET user_name = '李会计' WHERE role = 'supervisor' AND period = '` + wk.signed.String() + `'`), "签字"},
		{"reopened month un-revoked", same(`UPDATE signoffs SET revoked_at = '' WHERE period = '` + wk.reopened.String() + `'`), "签字"},
		{"migration record edited", same(`UPDATE migrations SET applied_at = '2000-01-01T00:00:00Z'`), "数据库版本"},
		{"table planted", same(`CREATE TABLE notes (x TEXT)`, `INSERT INTO notes VALUES ('x')`), "没有任何记录"},
		{"trigger dropped", same(`DROP TRIGGER trail_no_update`), "触发器"},
		{"trigger made a no-op under the same name", same(`DROP TRIGGER trail_no_delete`, `CREATE TRIGGER trail_no_delete BEFORE DELETE ON trail BEGIN SELECT 1; END`), "触发器"},
		{"extra trigger", same(`CREATE TRIGGER hide AFTER INSERT ON decisions BEGIN SELECT 1; END`), "触发器"},
		{"last entry (the recovery) deleted, triggers restored", func(p string) []string {
			return withoutTriggers(t, p, `DELETE FROM trail WHERE seq = (SELECT MAX(seq) FROM trail)`)
		}, "追回台账"},
		{"reopen entry and everything after deleted, triggers restored", func(p string) []string {
			return withoutTriggers(t, p, `DELETE FROM trail WHERE seq >= (SELECT MAX(seq) FROM trail WHERE action = 'reopen')`)
		}, "签字"},
		{"entry in the middle deleted", func(p string) []string {
			return withoutTriggers(t, p, `DELETE FROM trail WHERE seq = 5`)
		}, "记录链"},
		{"entry payload rewritten", func(p string) []string {
			return withoutTriggers(t, p, `UPDATE trail SET payload = replace(payload, '"decision":', '"decision":"dismiss","was":') WHERE seq = (SELECT MIN(seq) FROM trail WHERE action = 'decide')`)
		}, "记录链"},
		{"entry actor rewritten", func(p string) []string {
			return withoutTriggers(t, p, `UPDATE trail SET user_name = '王主任' WHERE seq = (SELECT MIN(seq) FROM trail WHERE action = 'decide')`)
		}, "记录链"},
	}
	if len(edits) < 40 {
		t.Fatalf("only %d edits", len(edits))
	}
	caught, refused, held := 0, 0, 0
	for _, e := range edits {
		t.Run(e.name, func(t *testing.T) {
			_, path := workedCopy(t)
			attacker(t, path, e.stmts(path)...)
			r := verifyReport(t, path)
			if r.OK() {
				t.Fatalf("verify did not notice: %s", e.name)
			}
			all := strings.Join(r.Problems, "\n")
			if !strings.Contains(all, e.want) {
				t.Errorf("report does not say %q:\n%s", e.want, all)
			}
			caught++
			// then one ordinary write of the program (a check, a decision):
			// refused, or at least not laundering the edit — verify still
			// reports it afterwards
			if launderingWrite(t, path, wk) {
				refused++
			} else {
				t.Logf("not refused at the write (the write does not cover it): %s", e.name)
			}
			if r := verifyReport(t, path); r.OK() {
				t.Errorf("one ordinary write laundered the edit: verify now passes")
			} else {
				held++
			}
		})
	}
	t.Logf("verify caught %d of %d edits; the next ordinary write was refused for %d, and verify still reported %d of them after it", caught, len(edits), refused, held)
}

// launderingWrite tries the ordinary writes an insider would use to chain
// over an edit — a decision on the open month, a check of it, an import —
// and reports whether the program refused them as writes over a change
// made outside it (ErrAltered).
func launderingWrite(t *testing.T, path string, wk worked) bool {
	t.Helper()
	ctx := context.Background()
	w, err := Open(ctx, path)
	if err != nil {
		return errors.Is(err, audit.ErrAltered)
	}
	defer w.Close()
	clerk := audit.Session{User: audit.User{Name: wk.clerk, Role: audit.RoleClerk}}
	refusedAll := true
	fs, _, _ := w.Findings(ctx, audit.FindingFilter{Period: wk.open, Status: audit.StatusOpen})
	if len(fs) > 0 {
		_, err := w.Decide(ctx, clerk, audit.DecideInput{FindingID: fs[0].ID, Decision: audit.DecisionVisit, Note: "安排入户核实"})
		refusedAll = refusedAll && errors.Is(err, audit.ErrAltered)

	}
	_, err = w.Check(ctx, clerk, wk.open, nil)
	refusedAll = refusedAll && errors.Is(err, audit.ErrAltered)

	return refusedAll
}

// The chain recomputed from scratch after an edit is internally perfect as
// a chain, but every signature on a month and every reopen covers the hash
// of the entry before it and the data's digests: without the signers'
// passwords the recomputed entries' signatures fail, with no outside
// evidence at all. The heads kept outside the file catch it too, and so
// does the code on the paper when the attacker also deletes that list.
func TestTamperRecomputedChain(t *testing.T) {
	wk, path := workedCopy(t)
	attacker(t, path, `UPDATE payouts SET amount_fen = amount_fen + 10000 WHERE id = (SELECT MIN(id) FROM payouts WHERE batch_id = `+itoa(int(wk.unsignedBatch))+`)`)
	recomputeChain(t, path)
	// without the anchors the file alone is caught by its signatures ...
	anchors := tamperAnchors
	saved, _ := os.ReadFile(anchors)
	os.Remove(anchors)
	r0 := verifyReport(t, path)
	if r0.OK() || !strings.Contains(strings.Join(r0.Problems, "\n"), "签名不对") {
		t.Fatalf("a recomputed chain with no outside evidence: %v", r0.Problems)
	}
	for _, p := range r0.Problems {
		if !strings.Contains(p, "签名不对") {
			t.Errorf("besides the signatures: %s (the recomputation emulation is incomplete)", p)
		}
	}
	// ... but the paper's code is not on the new chain
	w, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	err = w.VerifyAnchor(context.Background(), wk.code)
	w.Close()
	if err == nil || !strings.Contains(err.Error(), "重新计算") {
		t.Errorf("verify --anchor %s: %v", wk.code, err)
	}
	// and with the list of seen heads in place, verify alone reports it
	if err := os.WriteFile(anchors, saved, 0o600); err != nil {
		t.Fatal(err)
	}
	r := verifyReport(t, path)
	if r.OK() || !strings.Contains(strings.Join(r.Problems, "\n"), "本机") {
		t.Errorf("recomputed chain not reported with the anchors present: %v", r.Problems)
	}
	// the honest file passes the paper's code
	w, err = Open(context.Background(), wk.path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.VerifyAnchor(context.Background(), wk.code); err != nil {
		t.Errorf("the honest workspace fails its own code: %v", err)
	}
}

// recomputeChain rewrites every trail entry as a full attacker would: the
// state digests of the current data, and every hash after them.
func recomputeChain(t *testing.T, path string) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	trail, err := db.Trail(ctx)
	if err != nil {
		t.Fatal(err)
	}
	orig := triggerSQL(t, path)
	stmts := []string{`DROP TRIGGER trail_no_update`, `DROP TRIGGER trail_no_delete`}
	prev := strings.Repeat("0", 64)
	for _, e := range trail {
		var payload map[string]any
		json.Unmarshal([]byte(e.Payload), &payload)
		if st, ok := payload["state"].(map[string]any); ok {
			for k := range st {
				if strings.HasPrefix(k, "batch:") {
					d, err := db.ScopeDigest(ctx, k)
					if err != nil {
						t.Fatal(err)
					}
					st[k] = d
				}
			}
		}
		body, _ := json.Marshal(payload)
		e.Payload, e.PrevHash = string(body), prev
		e.Hash = e.ComputeHash()
		prev = e.Hash
		stmts = append(stmts, `UPDATE trail SET payload = '`+strings.ReplaceAll(e.Payload, "'", "''")+`', prev_hash = '`+e.PrevHash+`', hash = '`+e.Hash+`' WHERE seq = `+itoa(int(e.Seq)))
	}
	db.Close()
	attacker(t, path, append(stmts, orig...)...)
}

// After an edit outside the program every write is refused, naming what
// changed, until a supervisor records an incident with a reason: then the
// trail says who explained what, verify passes and the workspace works on.
// A clerk cannot record it; nor can anyone when the accounts themselves
// were edited (the right to record it would be read from the edit) or when
// the trail was — those take a backup.
func TestIncidentUnlocksWrites(t *testing.T) {
	ctx := context.Background()
	wk, path := workedCopy(t)
	attacker(t, path, `INSERT OR REPLACE INTO settings (key, value) VALUES ('survival_age', '200')`)
	w, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	clerk := audit.Session{User: audit.User{Name: wk.clerk, Role: audit.RoleClerk}}
	sup, err := w.Login(ctx, wk.sup, "wang-secret-2022") // the incident is signed with his key
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.Check(ctx, clerk, wk.open, nil)
	if !errors.Is(err, audit.ErrAltered) || !strings.Contains(err.Error(), "设置") || !strings.Contains(err.Error(), "只能查看") {
		t.Fatalf("a write after the edit: %v", err)
	}
	if _, err := w.RecordIncident(ctx, clerk, "我改的"); !errors.Is(err, audit.ErrPermission) {
		t.Errorf("a clerk recorded the incident: %v", err)
	}
	if _, err := w.RecordIncident(ctx, sup, "  "); err == nil {
		t.Error("an incident without a reason")
	}
	changed, err := w.RecordIncident(ctx, sup, "信息中心调整参数时直接改了数据库，已核实并恢复为程序设置")
	if err != nil || len(changed) != 1 || !strings.Contains(changed[0], "设置") {
		t.Fatalf("incident: %v %v", changed, err)
	}
	trail, _ := w.db.Trail(ctx)
	last := trail[len(trail)-1]
	if last.Action != "incident" || last.User != wk.sup || !strings.Contains(last.Payload, "信息中心") || !strings.Contains(last.Payload, "设置") {
		t.Errorf("the trail does not hold the incident: %+v", last)
	}
	verifyOK(t, w, "after the incident")
	if _, err := w.Check(ctx, clerk, wk.open, nil); err != nil {
		t.Errorf("a write after the incident: %v", err)
	}
	if _, err := w.RecordIncident(ctx, sup, "再记一次"); err == nil {
		t.Error("an incident with nothing changed was recorded")
	}

	// the accounts edited (a clerk's hash on the supervisor): no incident
	_, path2 := workedCopy(t)
	attacker(t, path2, `UPDATE users SET pw_hash = (SELECT pw_hash FROM users WHERE name = '李会计') WHERE name = '王主任'`)
	w2, err := Open(ctx, path2)
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	if _, err := w2.RecordIncident(ctx, sup, "没事"); err == nil || !strings.Contains(err.Error(), "备份") {
		t.Errorf("an incident over edited accounts: %v", err)
	}
	// the trail edited: no incident, no write
	_, path3 := workedCopy(t)
	attacker(t, path3, withoutTriggers(t, path3, `UPDATE trail SET user_name = '王主任' WHERE seq = (SELECT MIN(seq) FROM trail WHERE action = 'decide')`)...)
	w3, err := Open(ctx, path3)
	if err != nil {
		t.Fatal(err)
	}
	defer w3.Close()
	if _, err := w3.RecordIncident(ctx, sup, "没事"); !errors.Is(err, audit.ErrAltered) || !strings.Contains(err.Error(), "记录链") {
		t.Errorf("an incident over an edited trail: %v", err)
	}
	if _, err := w3.Check(ctx, clerk, wk.open, nil); !errors.Is(err, audit.ErrAltered) {
		t.Errorf("a write over an edited trail: %v", err)
	}
}

// The Hengnan shape: a clerk copies her password hash onto the supervisor's
// account, logs in as him with her own password and tries to countersign,
// reopen, add an account — every write is refused while the accounts differ
// from what the trail recorded; with his hash put back, nothing was signed
// and verify passes.
func TestSelfCountersignRefused(t *testing.T) {
	ctx := context.Background()
	wk, path := workedCopy(t)
	var his string
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	raw.QueryRow(`SELECT pw_hash FROM users WHERE name = '王主任'`).Scan(&his)
	raw.Close()
	attacker(t, path, `UPDATE users SET pw_hash = (SELECT pw_hash FROM users WHERE name = '李会计') WHERE name = '王主任'`)
	w, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	as, err := w.Login(ctx, wk.sup, "li-secret-2022")
	if err != nil {
		t.Fatalf("the swapped hash did not let her in (the attack's first step): %v", err)
	}
	clerk := audit.Session{User: audit.User{Name: wk.clerk, Role: audit.RoleClerk}}
	tries := map[string]error{}
	_, tries["clerk's signature"] = w.SignOff(ctx, clerk, wk.reopened)
	_, tries["countersignature"] = w.SignOff(ctx, as, wk.reopened)
	tries["reopen"] = w.Reopen(ctx, as, wk.signed, "重新核查")
	_, tries["account"] = w.AddUser(ctx, &as, "赵助理", audit.RoleSupervisor, "zhao-secret-2024")
	tries["rule settings"] = w.SetWordMeaning(ctx, as, "销户", audit.MeaningNo)
	for what, err := range tries {
		if !errors.Is(err, audit.ErrAltered) {
			t.Errorf("%s as the supervisor with the clerk's password: %v", what, err)
		}
	}
	w.Close()
	attacker(t, path, `UPDATE users SET pw_hash = '`+his+`' WHERE name = '王主任'`)
	r := verifyReport(t, path)
	if !r.OK() {
		t.Errorf("after the hash was put back: %v", r.Problems)
	}
	w, _ = Open(ctx, path)
	defer w.Close()
	st, _ := w.Status(ctx, wk.reopened)
	if len(st) > 0 && st[0].Supervisor != nil {
		t.Errorf("a countersignature stands: %+v", st[0].Supervisor)
	}
}

// verify says how far evidence outside the file reaches: the entries after
// the last head this computer saw rest on the file alone, until the code of
// a signed sheet vouches for them; and a workspace of another identity seen
// at the same place is noted (a chain rebuilt whole under a new identity
// escapes a list keyed by identity).
func TestVerifySaysHowFarOutsideEvidenceReaches(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	anchors := filepath.Join(dir, "anchors.log")
	path := filepath.Join(dir, "东风镇.db")
	w, err := Init(ctx, path, "东风镇", "test", []string{"东风村"})
	if err != nil {
		t.Fatal(err)
	}
	w.KeepAnchors(anchors)
	sup := who(w)
	w.RecordHead(ctx)
	for _, v := range []string{"西村", "北村"} {
		if err := w.db.Update(ctx, func(tx *sqlite.Tx) error {
			if err := tx.AddVillages(ctx, "config", []string{v}); err != nil {
				return err
			}
			return tx.AppendTrail(ctx, sup.Name, "villages", map[string]any{"source": "config", "villages": []string{v}})
		}); err != nil {
			t.Fatal(err)
		}
	}
	r, err := w.Verify(ctx)
	if err != nil || !r.OK() || r.Unvouched() != 2 || !strings.Contains(Vouching(r, ""), "最后 2 条记录没有外部校验码佐证") {
		t.Errorf("two entries after the last head seen: %v %+v %q", err, r, Vouching(r, ""))
	}
	head, _ := w.db.Head(ctx)
	r, err = w.VerifyWith(ctx, []string{sqlite.TrailCode(head.Seq, head.Hash)})
	if err != nil || !r.OK() || r.Unvouched() != 0 || !strings.Contains(Vouching(r, ""), "全部记录都有") {
		t.Errorf("with the code of the head: %v %+v %q", err, r, Vouching(r, ""))
	}
	w.Close()
	// the file made anew at the same place: another identity
	for _, s := range []string{"", "-wal", "-shm"} {
		os.Remove(path + s)
	}
	w, err = Init(ctx, path, "东风镇", "test", []string{"东风村"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.KeepAnchors(anchors)
	r, err = w.Verify(ctx)
	if err != nil || !strings.Contains(strings.Join(r.Notes, "\n"), "另一个工作区") || r.Vouched != 0 {
		t.Errorf("a new identity at the same place: %v %+v", err, r)
	}
}

// A countersignature, a reopen, an account or a role needs the supervisor's
// password: forged
// with the program's own code but without his key — unsigned, signed with
// the clerk's own key, or signed with a key for him that the clerk made and
// certified — verify says so. (The forger here writes through the store
// itself, so every digest is right: the strongest forger without the key.)
func TestForgedSignaturesAreCaught(t *testing.T) {
	ctx := context.Background()
	wk, _ := workedCopy(t)
	forge := func(name string, f func(w *Workspace, tx *sqlite.Tx, clerkKey *signing.Key) error, want string) {
		t.Run(name, func(t *testing.T) {
			_, path := workedCopy(t)
			w, err := Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			clerk, err := w.Login(ctx, wk.clerk, "li-secret-2022") // she has her own password, not his
			if err != nil || clerk.Key == nil {
				t.Fatalf("the clerk's login: %v", err)
			}
			if err := w.db.Update(ctx, func(tx *sqlite.Tx) error { return f(w, tx, clerk.Key) }); err != nil {
				t.Fatal(err)
			}
			w.db.Close()
			r := verifyReport(t, path)
			if r.OK() || !strings.Contains(strings.Join(r.Problems, "\n"), want) {
				t.Errorf("verify: %v", r.Problems)
			}
		})
	}
	countersign := func(tx *sqlite.Tx) error {
		return tx.RecordSignoff(ctx, &audit.Signoff{Period: wk.reopened.String(), User: wk.sup, Role: audit.RoleSupervisor, Fingerprint: "x"})
	}
	forge("countersignature, unsigned", func(w *Workspace, tx *sqlite.Tx, _ *signing.Key) error { return countersign(tx) }, "没有签名")
	forge("reopen, unsigned", func(w *Workspace, tx *sqlite.Tx, _ *signing.Key) error {
		_, err := tx.RevokeSignoffs(ctx, wk.sup, wk.signed, "伪造的退回")
		return err
	}, "没有签名")
	forge("countersignature, the clerk's own key", func(w *Workspace, tx *sqlite.Tx, k *signing.Key) error {
		tx.SignWith(k)
		return countersign(tx)
	}, "不是 "+wk.sup+" 本人的签名密钥")
	forge("countersignature, a key for him the clerk made", func(w *Workspace, tx *sqlite.Tx, k *signing.Key) error {
		fake, pub, sealed, err := signing.New("li-secret-2022")
		if err != nil {
			return err
		}
		row := sqlite.KeyRow{User: wk.sup, Pub: pub, Sealed: sealed, CertifiedBy: k.Fingerprint(), Cert: hex.EncodeToString(k.Sign(signing.CertMessage(wk.sup, pub)))}
		if err := tx.AddKey(ctx, wk.clerk, row); err != nil {
			return err
		}
		tx.SignWith(fake)
		return countersign(tx)
	}, "不是审核人")
	forge("countersignature, a new root the clerk made", func(w *Workspace, tx *sqlite.Tx, _ *signing.Key) error {
		fake, pub, sealed, err := signing.New("li-secret-2022")
		if err != nil {
			return err
		}
		row := sqlite.KeyRow{User: wk.sup, Pub: pub, Sealed: sealed, CertifiedBy: fake.Fingerprint(), Cert: hex.EncodeToString(fake.Sign(signing.CertMessage(wk.sup, pub)))}
		if err := tx.AddKey(ctx, wk.clerk, row); err != nil {
			return err
		}
		if err := tx.SetSettings(ctx, map[string]string{"root_key": fake.Fingerprint()}); err != nil {
			return err
		}
		tx.SignWith(fake)
		return countersign(tx)
	}, "根密钥被换过")
	forge("a supervisor's account added without his key", func(w *Workspace, tx *sqlite.Tx, _ *signing.Key) error {
		hash, _ := sqlite.HashPassword("li-secret-2022")
		return tx.InsertUser(ctx, wk.sup, audit.User{Name: "李主任", Role: audit.RoleSupervisor}, hash)
	}, "没有签名")
	forge("the clerk made a supervisor without his key", func(w *Workspace, tx *sqlite.Tx, _ *signing.Key) error {
		role := audit.RoleSupervisor
		return tx.ChangeUser(ctx, wk.sup, wk.clerk, sqlite.UserChange{Role: &role})
	}, "没有签名")
	forge("a missing-report note without his key", func(w *Workspace, tx *sqlite.Tx, _ *signing.Key) error {
		return tx.RecordMissingNote(ctx, wk.sup, wk.open, "龙泉村", "已上报（伪造）")
	}, "没有签名")
	forge("a recovery in the clerk's name without her key", func(w *Workspace, tx *sqlite.Tx, _ *signing.Key) error {
		var finding int64
		w.db.SQL().QueryRow(`SELECT finding_id FROM recoveries LIMIT 1`).Scan(&finding)
		return tx.RecordRecovery(ctx, wk.clerk, finding, time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), 100, "伪造的追回")
	}, "没有签名")
	// and the honest countersignature, from his password, passes
	_, path := workedCopy(t)
	w, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	sup2, err := w.Login(ctx, "张审核", "zhang-secret-2022")
	if err != nil {
		t.Fatal(err)
	}
	clerk, _ := w.Login(ctx, wk.clerk, "li-secret-2022")
	if err := decideAll(ctx, w, clerk, wk.reopened, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SignOff(ctx, clerk, wk.reopened); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SignOff(ctx, audit.Session{User: sup2.User}, wk.reopened); err == nil || !strings.Contains(err.Error(), "重新登录") {
		t.Errorf("a countersignature from a session without his key: %v", err)
	}
	if _, err := w.SignOff(ctx, sup2, wk.reopened); err != nil {
		t.Fatal(err)
	}
	w.db.Close()
	if r := verifyReport(t, path); !r.OK() {
		t.Errorf("the honest countersignature: %v", r.Problems)
	}
}

// The heads this computer saw are listed under the workspace's root signing
// key: a file given a new identity inside it is still found in the list
// (and checked against it).
func TestAnchorsFollowTheRootKey(t *testing.T) {
	ctx := context.Background()
	d := newDemoWS(t)
	w := d.w
	anchors := filepath.Join(t.TempDir(), "anchors.log")
	w.KeepAnchors(anchors)
	if err := w.RecordHead(ctx); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(anchors)
	root := w.RootKey(ctx)
	if root == "" || !strings.HasPrefix(string(data), "root:"+root+"\t") {
		t.Fatalf("listed under %q, root %q", data, root)
	}
	// a new identity written into the file (through the store, chain intact)
	if err := w.db.Update(ctx, func(tx *sqlite.Tx) error {
		if err := tx.SetSettings(ctx, map[string]string{"workspace_id": "00000000000000000000000000000000"}); err != nil {
			return err
		}
		return tx.AppendTrail(ctx, "（程序）", "setting", map[string]string{"key": "workspace_id", "value": "0"})
	}); err != nil {
		t.Fatal(err)
	}
	r, err := w.Verify(ctx)
	if err != nil || r.Anchors == 0 || r.Vouched == 0 {
		t.Errorf("the heads seen are not found under the new identity: %v %+v", err, r)
	}
}
