package workspace

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pensionaudit/assets"
	"pensionaudit/audit"
	"pensionaudit/audit/rules"
)

// demoWS is the demo township in a temporary file with its supervisor and
// clerk logged in, and a second supervisor for countersigning.
type demoWS struct {
	w                *Workspace
	sup, clerk, sup2 audit.Session
	months           []audit.Month
	dir              string
}

func newDemoWS(t *testing.T) *demoWS {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	w, err := BuildDemo(ctx, filepath.Join(dir, "demo.db"), assets.Demo())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	d := &demoWS{w: w, dir: dir}
	login := func(name, pw string) audit.Session {
		s, err := w.Login(ctx, name, pw)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	d.sup, d.clerk = login(DemoSupervisor, DemoPassword), login(DemoClerk, DemoPassword)
	if _, err := w.AddUser(ctx, &d.sup, "张审核", audit.RoleSupervisor, "zhang-secret-2024"); err != nil {
		t.Fatal(err)
	}
	d.sup2 = login("张审核", "zhang-secret-2024")
	if d.months, err = w.RosterMonths(ctx); err != nil || len(d.months) < 2 {
		t.Fatalf("demo months: %v %v", d.months, err)
	}
	return d
}

// signByClerk decides every finding of p, notes the missing villages and
// signs p as the clerk.
func (d *demoWS) signByClerk(t *testing.T, p audit.Month) {
	t.Helper()
	ctx := context.Background()
	if err := decideAll(ctx, d.w, d.clerk, p, 0); err != nil {
		t.Fatal(err)
	}
	if err := noteMissing(ctx, d.w, d.sup, p); err != nil {
		t.Fatal(err)
	}
	if _, err := d.w.SignOff(ctx, d.clerk, p); err != nil {
		t.Fatal(err)
	}
}

// counts is every table's row count and the trail's head: what "nothing
// changed" means.
func counts(t *testing.T, w *Workspace) string {
	t.Helper()
	var b strings.Builder
	for _, table := range []string{"batches", "payouts", "death_records", "problems", "findings", "decisions", "decision_undos", "signoffs",
		"missing_notes", "recoveries", "users", "villages", "village_aliases", "settings", "mappings", "checks", "trail"} {
		var n int
		if err := w.db.SQL().QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		b.WriteString(table + "=" + itoa(n) + " ")
	}
	var head string
	w.db.SQL().QueryRow(`SELECT hash FROM trail ORDER BY seq DESC LIMIT 1`).Scan(&head)
	return b.String() + head
}

// A 查阅人 (auditor) reads and changes nothing: every use case that writes
// refuses the session with ErrPermission, and not a row of the file moves —
// also when the session claims another role, and also for a clerk demoted
// to auditor after logging in.
func TestAuditorChangesNothing(t *testing.T) {
	ctx := context.Background()
	d := newDemoWS(t)
	w := d.w
	if _, err := w.AddUser(ctx, &d.sup, "赵查阅", audit.RoleAuditor, "zhao-secret-2024"); err != nil {
		t.Fatal(err)
	}
	aud, err := w.Login(ctx, "赵查阅", "zhao-secret-2024")
	if err != nil {
		t.Fatal(err)
	}
	// the clerk signs the first month so that countersign and reopen have
	// something to refuse
	p := d.months[0]
	d.signByClerk(t, p)
	fs, _, _ := w.Findings(ctx, audit.FindingFilter{Period: d.months[1], Limit: 1})
	if len(fs) == 0 {
		t.Fatal("the demo's second month has no findings")
	}
	var decision int64
	w.db.SQL().QueryRow(`SELECT MAX(id) FROM decisions`).Scan(&decision)
	vs, _ := w.Villages(ctx)
	roster := filepath.Join(d.dir, "roster_2024-09.csv")
	os.WriteFile(roster, []byte("姓名,公民身份号码,发放年月,发放金额\n张三,430422196112112507,202409,120.00\n"), 0o644)
	writes := func(s audit.Session) map[string]error {
		return map[string]error{
			"import": func() error {
				_, err := w.Import(ctx, s, roster, ImportOptions{Kind: audit.KindPayouts})
				return err
			}(),
			"check": func() error { _, err := w.Check(ctx, s, d.months[1], nil); return err }(),
			"decide": func() error {
				_, err := w.Decide(ctx, s, audit.DecideInput{FindingID: fs[0].ID, Decision: audit.DecisionVisit})
				return err
			}(),
			"undo":        func() error { _, err := w.UndoDecision(ctx, s, decision); return err }(),
			"countersign": func() error { _, err := w.SignOff(ctx, s, p); return err }(),
			"sign":        func() error { _, err := w.SignOff(ctx, s, d.months[1]); return err }(),
			"reopen":      w.Reopen(ctx, s, p, "查阅人试图退回"),
			"note":        w.NoteMissing(ctx, s, d.months[1], vs[0], "查阅人试图说明"),
			"recover":     w.Recover(ctx, s, fs[0].ID, w.Now(), 100, "查阅人试图登记"),
			"rename":      func() error { _, err := w.RenameVillage(ctx, s, vs[0], vs[0]+"新"); return err }(),
			"rules":       w.SetRuleSettings(ctx, s, func() rules.Settings { x := rules.DefaultSettings(); x.IncreasePct, x.SurvivalAge = 10, 90; return x }()),
			"add user": func() error {
				_, err := w.AddUser(ctx, &s, "钱新人", audit.RoleSupervisor, "qian-secret-2024")
				return err
			}(),
			"set role":  w.SetRole(ctx, s, "赵查阅", audit.RoleSupervisor),
			"password":  w.ResetPassword(ctx, s, DemoSupervisor, "taken-over-2024"),
			"disable":   w.SetDisabled(ctx, s, DemoSupervisor, true),
			"self role": w.SetRole(ctx, s, s.Name, audit.RoleClerk),
		}
	}
	before := counts(t, w)
	for what, err := range writes(aud) {
		if !errors.Is(err, audit.ErrPermission) {
			t.Errorf("auditor %s: %v, want a permission refusal", what, err)
		}
	}
	// a session that claims more than the account has
	forged := audit.Session{User: audit.User{Name: "赵查阅", Role: audit.RoleSupervisor}}
	for what, err := range writes(forged) {
		if !errors.Is(err, audit.ErrPermission) {
			t.Errorf("forged supervisor session %s: %v", what, err)
		}
	}
	if after := counts(t, w); after != before {
		t.Errorf("an auditor changed the workspace:\n%s\n%s", before, after)
	}
	// a clerk demoted while logged in keeps a session, not the role
	if err := w.SetRole(ctx, d.sup, DemoClerk, audit.RoleAuditor); err != nil {
		t.Fatal(err)
	}
	before = counts(t, w)
	if _, err := w.Decide(ctx, d.clerk, audit.DecideInput{FindingID: fs[0].ID, Decision: audit.DecisionVisit}); !errors.Is(err, audit.ErrPermission) {
		t.Errorf("demoted clerk decided: %v", err)
	}
	if _, err := w.Check(ctx, d.clerk, d.months[1], nil); !errors.Is(err, audit.ErrPermission) {
		t.Errorf("demoted clerk checked: %v", err)
	}
	if after := counts(t, w); after != before {
		t.Errorf("a demoted clerk changed the workspace")
	}
	verifyOK(t, w, "after the refusals")
}

// A check that read a month before its countersignature must not write
// into it after: the countersign commits between the check's reading and
// its saving (the hook holds the check there), and the save, which reads
// the lock again inside its own write transaction, refuses.
func TestCheckRacingCountersign(t *testing.T) {
	ctx := context.Background()
	d := newDemoWS(t)
	w := d.w
	p := d.months[0]
	d.signByClerk(t, p)
	// the clerk's check of the same month is about to save when the
	// supervisor countersigns
	var signErr error
	w.afterCheckRead = func() {
		w.afterCheckRead = nil
		_, signErr = w.SignOff(ctx, d.sup2, p)
	}
	before := findingState(t, w, p)
	_, err := w.Check(ctx, d.clerk, p, nil)
	if signErr != nil {
		t.Fatalf("countersign during the check: %v", signErr)
	}
	if !errors.Is(err, audit.ErrLocked) {
		t.Fatalf("check saved into a month countersigned meanwhile: %v", err)
	}
	if after := findingState(t, w, p); after != before {
		t.Errorf("the findings of the locked month changed:\n%s\n%s", before, after)
	}
	verifyOK(t, w, "after the refused check")

	// a file imported while a check reads: the check's result is not saved
	q := d.months[1]
	w.afterCheckRead = func() {
		w.afterCheckRead = nil
		if _, err := w.Import(ctx, d.clerk, deathList(t, d.dir, "late"), ImportOptions{Kind: audit.KindDeaths, Village: firstVillage(t, w), Period: q}); err != nil {
			t.Errorf("import during the check: %v", err)
		}
	}
	if _, err := w.Check(ctx, d.clerk, q, nil); !errors.Is(err, audit.ErrStale) {
		t.Errorf("check over a file imported meanwhile: %v, want ErrStale", err)
	}
	if _, err := w.Check(ctx, d.clerk, q, nil); err != nil {
		t.Errorf("the check again: %v", err)
	}
}

// The same race, with the check's save waiting on a write lock that another
// connection holds while the countersign is taken on it — the way a second
// window or program would: the save, once it gets the lock, sees the
// countersignature.
func TestCheckWaitsOnHeldLock(t *testing.T) {
	ctx := context.Background()
	d := newDemoWS(t)
	w := d.w
	p := d.months[0]
	d.signByClerk(t, p)
	other, err := Open(ctx, w.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	// a raw connection takes the write lock after the check has read
	lock, err := w.db.SQL().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	saved := make(chan error, 1)
	w.afterCheckRead = func() {
		w.afterCheckRead = nil
		if _, err := lock.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
			t.Error(err)
		}
		// the countersign waits for the lock in its own goroutine, the
		// check's save in this one: release the lock once both wait
		go func() {
			_, err := other.SignOff(ctx, d.sup2, p)
			saved <- err
		}()
		time.Sleep(300 * time.Millisecond)
		lock.ExecContext(ctx, `ROLLBACK`)
		if err := <-saved; err != nil {
			t.Errorf("countersign: %v", err)
		}
	}
	before := findingState(t, w, p)
	if _, err := w.Check(ctx, d.clerk, p, nil); !errors.Is(err, audit.ErrLocked) {
		t.Fatalf("check saved into a month countersigned while it waited: %v", err)
	}
	if after := findingState(t, w, p); after != before {
		t.Error("the findings of the locked month changed")
	}
	verifyOK(t, w, "after the held lock")
}

// A death list for a month the clerk has signed is still accepted; it then
// blocks the countersign until the month is checked again, and after the
// check the changed month goes back to the clerk.
func TestCountersignWaitsForNewFiles(t *testing.T) {
	ctx := context.Background()
	d := newDemoWS(t)
	w := d.w
	p := d.months[0]
	d.signByClerk(t, p)
	if _, err := w.Import(ctx, d.clerk, deathList(t, d.dir, "补报"), ImportOptions{Kind: audit.KindDeaths, Village: firstVillage(t, w), Period: p}); err != nil {
		t.Fatalf("a death list for a month only the clerk signed: %v", err)
	}
	if _, err := w.SignOff(ctx, d.sup2, p); !errors.Is(err, audit.ErrStale) || !strings.Contains(err.Error(), "重新核查") {
		t.Fatalf("countersign over a file the check has not seen: %v", err)
	}
	if _, err := w.Check(ctx, d.clerk, p, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SignOff(ctx, d.sup2, p); !errors.Is(err, audit.ErrConflict) || !strings.Contains(err.Error(), "退回") {
		t.Fatalf("countersign over what the clerk did not sign: %v", err)
	}
	if err := w.Reopen(ctx, d.sup, p, "补报名单到达"); err != nil {
		t.Fatal(err)
	}
	d.signByClerk(t, p)
	if _, err := w.SignOff(ctx, d.sup2, p); err != nil {
		t.Fatalf("countersign after the clerk signed again: %v", err)
	}
	verifyOK(t, w, "after the countersign")
}

// The mapping an import was told is saved with the import, in its
// transaction: a refused import leaves no mapping behind, a stored one
// always has it.
func TestMappingSavedWithTheImport(t *testing.T) {
	ctx := context.Background()
	w := newWS(t)
	path := filepath.Join(t.TempDir(), "东风村_2022-02.csv")
	os.WriteFile(path, []byte("名字,证件号码,死亡日期\n张三,430422196112112507,2022-02-04\n"), 0o644)
	m, err := ParseMapping("name=名字,id=证件号码")
	if err != nil {
		t.Fatal(err)
	}
	// refused: the month is countersigned? no — cancelled before it commits
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := w.Import(cctx, who(w), path, ImportOptions{Kind: audit.KindDeaths, Village: "东风村", Map: m}); err == nil {
		t.Fatal("cancelled import succeeded")
	}
	if saved, _ := w.db.Mapping(ctx, audit.KindDeaths, "东风村"); saved != "" {
		t.Errorf("a refused import left its mapping: %q", saved)
	}
	if _, err := w.Import(ctx, who(w), path, ImportOptions{Kind: audit.KindDeaths, Village: "东风村", Map: m}); err != nil {
		t.Fatal(err)
	}
	if saved, _ := w.db.Mapping(ctx, audit.KindDeaths, "东风村"); saved != m.String() {
		t.Errorf("mapping after the import: %q, want %q", saved, m.String())
	}
	var entries int
	w.db.SQL().QueryRow(`SELECT COUNT(*) FROM trail WHERE action = 'mapping'`).Scan(&entries)
	if entries != 1 {
		t.Errorf("%d mapping entries in the trail, want 1", entries)
	}
	verifyOK(t, w, "after the mapping")
}

// The anchors file is the one given: a workspace given none keeps none,
// and one given a file writes its head there and nowhere else.
func TestAnchorsWhereInjected(t *testing.T) {
	ctx := context.Background()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	w := newWS(t)
	w.Close()
	if _, err := os.Stat(filepath.Join(home, ".config")); !os.IsNotExist(err) {
		t.Errorf("a workspace with no anchors file wrote into the configuration folder: %v", err)
	}
	anchors := filepath.Join(t.TempDir(), "anchors.log")
	w2, err := Open(ctx, w.Path())
	if err != nil {
		t.Fatal(err)
	}
	w2.KeepAnchors(anchors)
	who(w2)
	if _, err := w2.workspaceID(ctx, true); err != nil {
		t.Fatal(err)
	}
	w2.Close()
	data, err := os.ReadFile(anchors)
	if err != nil || !strings.Contains(string(data), "\t") {
		t.Errorf("no head recorded in the given file: %q %v", data, err)
	}
	if _, err := os.Stat(filepath.Join(home, ".config")); !os.IsNotExist(err) {
		t.Errorf("the configuration folder was touched: %v", err)
	}
}

func findingState(t *testing.T, w *Workspace, p audit.Month) string {
	t.Helper()
	var n, open int
	var last string
	w.db.SQL().QueryRow(`SELECT COUNT(*), COALESCE(SUM(status = 'open'), 0), COALESCE(MAX(last_checked), '') FROM findings WHERE period = ?`, p.String()).Scan(&n, &open, &last)
	var checks int
	w.db.SQL().QueryRow(`SELECT COUNT(*) FROM checks WHERE period = ?`, p.String()).Scan(&checks)
	return itoa(n) + "/" + itoa(open) + "/" + last + "/" + itoa(checks)
}

func firstVillage(t *testing.T, w *Workspace) string {
	t.Helper()
	vs, err := w.Villages(context.Background())
	if err != nil || len(vs) == 0 {
		t.Fatal("no villages", err)
	}
	return vs[0]
}

// deathList writes a one-person death list (its name makes its bytes unique).
func deathList(t *testing.T, dir, tag string) string {
	t.Helper()
	p := filepath.Join(dir, "死亡名单_"+tag+".csv")
	if err := os.WriteFile(p, []byte("姓名,身份证号码,死亡日期,备注\n张三,430422196112112507,2024-01-04,"+tag+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Money on paper is money in the findings: confirming an overpayment makes
// it due back whatever action is chosen (止付, 移交, or none), and the signed
// sheet's found / to recover / recovered / outstanding equal the sums over
// the month's findings and recoveries.
func TestConfirmedOverpaymentIsDueBack(t *testing.T) {
	ctx := context.Background()
	d := newDemoWS(t)
	w := d.w
	p := d.months[len(d.months)-1]
	fs, _, _ := w.Findings(ctx, audit.FindingFilter{Period: p})
	var found, due audit.Fen
	actions := []audit.Action{"", audit.ActionStop, audit.ActionRefer}
	k := 0
	var recoverOn int64
	for _, f := range fs {
		in := audit.DecideInput{FindingID: f.ID}
		switch {
		case rules.Overpayment(f.Rule) && f.Amount > 0:
			found += f.Amount
			due += f.Amount
			in.Decision, in.Action = audit.DecisionConfirm, actions[k%len(actions)]
			k++
			recoverOn = f.ID
		case rules.DeathRelated(f.Rule):
			in.Decision, in.Action = audit.DecisionConfirm, audit.ActionStop
		default:
			in.Decision, in.Note = audit.DecisionVisit, "安排入户核实"
		}
		if _, err := w.Decide(ctx, d.clerk, in); err != nil {
			t.Fatalf("%s #%d: %v", f.Rule, f.ID, err)
		}
	}
	if k < 2 {
		t.Fatalf("the demo month has %d overpayments", k)
	}
	if err := w.Recover(ctx, d.clerk, recoverOn, w.Now(), 5000, "家属退回"); err != nil {
		t.Fatal(err)
	}
	if err := noteMissing(ctx, w, d.sup, p); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SignOff(ctx, d.clerk, p); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SignOff(ctx, d.sup2, p); err != nil {
		t.Fatal(err)
	}
	data, err := w.ReportData(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	tot := data.Totals()
	if tot.Found != found || tot.ToRecover != due || tot.Recovered != 5000 || tot.ToRecover-tot.Recovered != due-5000 {
		t.Errorf("sheet: found %s, to recover %s, recovered %s; findings: found %s, due %s, recovered 50.00", tot.Found, tot.ToRecover, tot.Recovered, found, due)
	}
}
