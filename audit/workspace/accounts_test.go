package workspace

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"pensionaudit/audit"
	"pensionaudit/audit/sqlite"
)

// as and sess make a session of an account the test has just made.
func as(u audit.User) *audit.Session  { return &audit.Session{User: u} }
func sess(u audit.User) audit.Session { return audit.Session{User: u} }

// Only the first account is made without authentication; every later one,
// and every change to an account, needs an enabled supervisor.
func TestAccountsNeedASupervisor(t *testing.T) {
	ctx := context.Background()
	w := newBareWS(t)
	sup, err := w.AddUser(ctx, nil, "王主任", audit.RoleClerk, "wang-secret-1")
	if err != nil || sup.Role != audit.RoleSupervisor {
		t.Fatalf("first account: %+v %v (it must become a supervisor)", sup, err)
	}
	if _, err := w.AddUser(ctx, nil, "李主任", audit.RoleSupervisor, "li-secret-12"); !errors.Is(err, audit.ErrPermission) {
		t.Fatalf("a second account without a supervisor: %v", err)
	}
	supS := mustLogin(t, w, "王主任", "wang-secret-1") // his acts are signed with the key his password opens
	clerk, err := w.AddUser(ctx, supS, "李会计", audit.RoleClerk, "li-secret-12")
	if err != nil {
		t.Fatal(err)
	}
	// a clerk creates a supervisor to countersign their own month: refused
	if _, err := w.AddUser(ctx, as(clerk), "李主任", audit.RoleSupervisor, "li-secret-12"); !errors.Is(err, audit.ErrPermission) {
		t.Errorf("a clerk added a supervisor: %v", err)
	}
	if err := w.SetRole(ctx, sess(clerk), "李会计", audit.RoleSupervisor); !errors.Is(err, audit.ErrPermission) {
		t.Errorf("a clerk promoted themselves: %v", err)
	}
	if err := w.ResetPassword(ctx, sess(clerk), "王主任", "taken-over-1"); !errors.Is(err, audit.ErrPermission) {
		t.Errorf("a clerk reset the supervisor's password: %v", err)
	}
	// a forged User value with the supervisor role does not help: the role
	// is checked in the store
	forged := audit.Session{User: audit.User{Name: "李会计", Role: audit.RoleSupervisor}}
	if _, err := w.AddUser(ctx, &forged, "李主任", audit.RoleSupervisor, "li-secret-12"); !errors.Is(err, audit.ErrPermission) {
		t.Errorf("a forged supervisor added an account: %v", err)
	}
	// the last supervisor cannot be disabled or demoted
	if err := w.SetDisabled(ctx, *supS, "王主任", true); !errors.Is(err, audit.ErrConflict) {
		t.Errorf("the last supervisor disabled: %v", err)
	}
	// a disabled account cannot log in; the message is the usual one
	if err := w.SetDisabled(ctx, *supS, "李会计", true); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Login(ctx, "李会计", "li-secret-12"); err == nil || !strings.Contains(err.Error(), "用户名或密码不对") {
		t.Errorf("disabled account logged in: %v", err)
	}
	var n int
	w.db.SQL().QueryRow(`SELECT COUNT(*) FROM trail WHERE action IN ('user_add', 'user_disable') AND user_name = '王主任'`).Scan(&n)
	if n != 3 {
		t.Errorf("trail names the supervisor in %d account entries, want 3", n)
	}
	verifyOK(t, w, "accounts")
}

// Names are NFC and trimmed; invisible characters and look-alikes are
// refused; weak passwords are refused.
func TestNamesAndPasswords(t *testing.T) {
	ctx := context.Background()
	w := newBareWS(t)
	sup, err := w.AddUser(ctx, nil, " 王主任 ", audit.RoleSupervisor, "wang-secret-1")
	if err != nil || sup.Name != "王主任" {
		t.Fatalf("trimmed name: %+v %v", sup, err)
	}
	supS := mustLogin(t, w, "王主任", "wang-secret-1")
	for _, name := range []string{"王主任\u200b", "\u202e王主任", "王\x00主任", "王主任\u2060"} {
		if _, err := w.AddUser(ctx, supS, name, audit.RoleSupervisor, "some-secret-1"); !errors.Is(err, audit.ErrInvalid) {
			t.Errorf("name %q accepted: %v", name, err)
		}
	}
	if _, err := w.AddUser(ctx, supS, "Wang", audit.RoleClerk, "some-secret-1"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"王 主任", "王主任　", "ＷＡＮＧ", "wang", "WANG "} {
		if _, err := w.AddUser(ctx, supS, name, audit.RoleClerk, "some-secret-1"); !errors.Is(err, audit.ErrDuplicate) {
			t.Errorf("look-alike %q accepted: %v", name, err)
		}
	}
	for _, pw := range []string{"123456", "      ", "1234567", "aaaaaaaa", "12345678", "Password", "88888888", "woaini1314"} {
		if _, err := w.AddUser(ctx, supS, "赵"+pw, audit.RoleClerk, pw); !errors.Is(err, audit.ErrInvalid) {
			t.Errorf("password %q accepted: %v", pw, err)
		}
	}
}

// Forty wrong passwords sent at once: every one is counted, and the
// back-off then holds even for the right password. An unknown user gets the
// same message as a wrong password.
func TestParallelWrongPasswords(t *testing.T) {
	ctx := context.Background()
	w := newBareWS(t)
	if _, err := w.AddUser(ctx, nil, "王主任", audit.RoleSupervisor, "wang-secret-1"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	msgs := make(chan string, 40)
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := w.Login(ctx, "王主任", "wrong-guess-1")
			if err == nil {
				msgs <- "logged in"
				return
			}
			msgs <- err.Error()
		}()
	}
	wg.Wait()
	close(msgs)
	for m := range msgs {
		if !strings.Contains(m, "用户名或密码不对") {
			t.Errorf("attempt: %s", m)
		}
	}
	var failed int
	w.db.SQL().QueryRow(`SELECT failed FROM users WHERE name = '王主任'`).Scan(&failed)
	if failed != 40 {
		t.Errorf("failure counter = %d after 40 parallel attempts, want 40", failed)
	}
	if _, err := w.Login(ctx, "王主任", "wang-secret-1"); err == nil {
		t.Error("the back-off did not hold: the right password got in straight after 40 failures")
	}
	_, e1 := w.Login(ctx, "没有这个人", "wrong-guess-1")
	_, e2 := w.Login(ctx, "王主任", "wrong-guess-1")
	if e1 == nil || e2 == nil || e1.Error() != e2.Error() {
		t.Errorf("unknown user %q and wrong password %q must read the same", e1, e2)
	}
}

// An upgrade (a migration applied to a workspace that already has a trail)
// is recorded in the trail: verify does not take it for tampering. The
// workspace is a real one of an earlier version (testdata/v0010_demo.db:
// the demo township built by the program as of migration 0010); the
// upgrade counts each older roster's payees per village (0011) and keeps
// amount parts (0012), and the workspace works on.
func TestUpgradeIsRecorded(t *testing.T) {
	ctx := context.Background()
	path, data := oldWorkspace(t)
	w, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var n, counts int
	w.db.SQL().QueryRow(`SELECT COUNT(*) FROM trail WHERE action = 'migrate'`).Scan(&n)
	w.db.SQL().QueryRow(`SELECT COUNT(*) FROM batch_villages`).Scan(&counts)
	if n < 2 || counts == 0 {
		t.Errorf("%d migrate entries (want one per migration since 0010), %d per-village counts backfilled", n, counts)
	}
	verifyOK(t, w, "upgrade")
	s, err := w.Login(ctx, DemoClerk, DemoPassword)
	if err != nil {
		t.Fatal(err)
	}
	months, _ := w.RosterMonths(ctx)
	if _, err := w.Check(ctx, s, months[len(months)-1], nil); err != nil {
		t.Errorf("a check after the upgrade: %v", err)
	}
	verifyOK(t, w, "a check after the upgrade")

	// the same old workspace with a migration's row deleted by hand (so
	// that the program would re-run it): tampering, not an upgrade — the
	// upgrade does not record it and verify and every write say so
	path2 := filepath.Join(t.TempDir(), "old2.db")
	os.WriteFile(path2, data, 0o644)
	raw, err := sql.Open("sqlite", path2)
	if err != nil {
		t.Fatal(err)
	}
	raw.Exec(`DELETE FROM migrations WHERE name = 'migrations/0010_batch_understood.sql'`)
	raw.Close()
	if _, err := Open(ctx, path2); !errors.Is(err, audit.ErrAltered) || !strings.Contains(err.Error(), "数据库版本") {
		t.Errorf("opening it to write: %v", err)
	}
	w2, err := OpenReadOnly(ctx, path2)
	if err != nil {
		t.Fatalf("opening it to read: %v", err)
	}
	defer w2.Close()
	r, _ := w2.Verify(ctx)
	if r == nil || r.OK() || !strings.Contains(strings.Join(r.Problems, "\n"), "数据库版本") {
		t.Errorf("a deleted migration row passed verify: %+v", r)
	}
}

// A decision is taken back only by its author or a supervisor, only the
// latest on its finding, never in a signed month; the history stays.
func TestUndoDecision(t *testing.T) {
	ctx := context.Background()
	wk, path := workedCopy(t)
	w, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	clerk, err := w.Login(ctx, wk.clerk, "li-secret-2022")
	if err != nil {
		t.Fatal(err)
	}
	fs, _, _ := w.Findings(ctx, audit.FindingFilter{Period: wk.open, Status: audit.StatusOpen, Limit: 2})
	if len(fs) < 2 {
		t.Fatal("need two open findings")
	}
	d1, err := w.Decide(ctx, clerk, audit.DecideInput{FindingID: fs[0].ID, Decision: audit.DecisionVisit, Note: "入户"})
	if err != nil {
		t.Fatal(err)
	}
	d2, err := w.Decide(ctx, clerk, audit.DecideInput{FindingID: fs[0].ID, Decision: audit.DecisionVisit, Note: "再次入户"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.UndoDecision(ctx, clerk, d1.ID); !errors.Is(err, audit.ErrConflict) {
		t.Errorf("undid a decision that is not the latest: %v", err)
	}
	other, _ := w.AddUser(ctx, mustLogin(t, w, wk.sup, "wang-secret-2022"), "赵会计", audit.RoleClerk, "zhao-secret-1")
	if _, err := w.UndoDecision(ctx, sess(other), d2.ID); !errors.Is(err, audit.ErrPermission) {
		t.Errorf("another clerk undid a decision: %v", err)
	}
	if _, err := w.UndoDecision(ctx, clerk, d2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.UndoDecision(ctx, clerk, d1.ID); err != nil {
		t.Fatal(err)
	}
	f, _, _ := w.Findings(ctx, audit.FindingFilter{Period: wk.open, Search: fs[0].Name, Limit: 50})
	for _, x := range f {
		if x.ID == fs[0].ID && x.Status != audit.StatusOpen {
			t.Errorf("status after undoing both: %s", x.Status)
		}
	}
	var n int
	w.db.SQL().QueryRow(`SELECT COUNT(*) FROM decisions WHERE finding_id = ?`, fs[0].ID).Scan(&n)
	if n != 2 {
		t.Errorf("history has %d decisions, want both kept", n)
	}
	// a signed month: refused
	var signedDecision int64
	w.db.SQL().QueryRow(`SELECT MAX(d.id) FROM decisions d JOIN findings f ON f.id = d.finding_id WHERE f.period = ?`, wk.signed.String()).Scan(&signedDecision)
	if _, err := w.UndoDecision(ctx, clerk, signedDecision); !errors.Is(err, audit.ErrLocked) {
		t.Errorf("undo in a signed month: %v", err)
	}
	verifyOK(t, w, "undo")
}

func mustLogin(t *testing.T, w *Workspace, name, pw string) *audit.Session {
	t.Helper()
	u, err := w.Login(context.Background(), name, pw)
	if err != nil {
		t.Fatal(err)
	}
	return &u
}

// Rule thresholds: a supervisor changes them (trail entry), a clerk cannot,
// nonsense is refused, the next check uses them.
func TestRuleSettings(t *testing.T) {
	ctx := context.Background()
	w := newBareWS(t)
	w.AddUser(ctx, nil, "王主任", audit.RoleSupervisor, "wang-secret-1")
	supS := mustLogin(t, w, "王主任", "wang-secret-1")
	clerk, _ := w.AddUser(ctx, supS, "李会计", audit.RoleClerk, "li-secret-12")
	st, err := w.RuleSettings(ctx)
	if err != nil || st.SharedAccountMin != 3 {
		t.Fatalf("defaults: %+v %v", st, err)
	}
	st.SharedAccountMin = 4
	if err := w.SetRuleSettings(ctx, sess(clerk), st); !errors.Is(err, audit.ErrPermission) {
		t.Errorf("a clerk changed the rules: %v", err)
	}
	bad := st
	bad.SurvivalAge = 30
	if err := w.SetRuleSettings(ctx, *supS, bad); !errors.Is(err, audit.ErrInvalid) {
		t.Errorf("survival age 30 accepted: %v", err)
	}
	if err := w.SetRuleSettings(ctx, *supS, st); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.RuleSettings(ctx); got.SharedAccountMin != 4 {
		t.Errorf("after saving: %+v", got)
	}
	verifyOK(t, w, "rule settings")
}

// A workspace made before signing keys upgrades in place: each account gets
// its key at its next login; the first supervisor to log in becomes the
// root (until then verify says the signatures are not rooted); a clerk's
// key is certified at a supervisor's next login, and her signature on a
// month is checked up to the root from then on.
func TestKeysComeAtTheNextLogin(t *testing.T) {
	ctx := context.Background()
	path, _ := oldWorkspace(t)
	w, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	notes := func() string {
		r, err := w.Verify(ctx)
		if err != nil || !r.OK() {
			t.Fatalf("verify: %v %+v", err, r)
		}
		return strings.Join(r.Notes, "\n")
	}
	if !strings.Contains(notes(), "还没有根密钥") || w.RootKey(ctx) != "" {
		t.Errorf("before any login: %q", notes())
	}
	clerk, err := w.Login(ctx, DemoClerk, DemoPassword)
	if err != nil || clerk.Key == nil {
		t.Fatalf("the clerk's first login: %v", err)
	}
	if w.RootKey(ctx) != "" {
		t.Error("a clerk's key became the root")
	}
	sup, err := w.Login(ctx, DemoSupervisor, DemoPassword)
	if err != nil || sup.Key == nil || w.RootKey(ctx) != sup.Key.Fingerprint() {
		t.Fatalf("the supervisor's first login: %v, root %q", err, w.RootKey(ctx))
	}
	if n, _ := w.db.PendingKeyCount(ctx); n != 0 {
		t.Errorf("%d keys still wait after the supervisor's login", n)
	}
	if strings.Contains(notes(), "根密钥") {
		t.Errorf("after the root: %q", notes())
	}
	// the clerk signs a month with her (now certified) key: verify checks it
	months, _ := w.RosterMonths(ctx)
	p := months[len(months)-1]
	if _, err := w.Check(ctx, clerk, p, nil); err != nil {
		t.Fatal(err)
	}
	if err := decideAll(ctx, w, clerk, p, 0); err != nil {
		t.Fatal(err)
	}
	if err := noteMissing(ctx, w, sup, p); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SignOff(ctx, clerk, p); err != nil {
		t.Fatal(err)
	}
	trail, _ := w.db.Trail(ctx)
	if last := trail[len(trail)-1]; last.Action != "signoff" || !strings.Contains(last.Payload, `"sig"`) {
		t.Errorf("the signature on the month is not signed: %+v", last)
	}
	if n := notes(); strings.Contains(n, "没有审核人认证") {
		t.Errorf("after the signature: %q", n)
	}
}

// oldWorkspace copies the workspace the program of migration 0010 made
// (testdata/v0010_demo.db) to a file of the test; data is its bytes.
func oldWorkspace(t *testing.T) (path string, data []byte) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "v0010_demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), "old.db")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, data
}

// A certificate counts by the certifier's role when it was given: the first
// supervisor, demoted later by another, leaves the keys he certified (his
// own, the root, among them) valid, and what they signed stays checkable;
// a key a clerk "certifies" is still refused.
func TestDemotedSupervisorsCertificatesStand(t *testing.T) {
	ctx := context.Background()
	w := newBareWS(t)
	if _, err := w.AddUser(ctx, nil, "王主任", audit.RoleSupervisor, "wang-secret-1"); err != nil {
		t.Fatal(err)
	}
	wang := mustLogin(t, w, "王主任", "wang-secret-1")
	if _, err := w.AddUser(ctx, wang, "李会计", audit.RoleClerk, "li-secret-12"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.AddUser(ctx, wang, "赵主任", audit.RoleSupervisor, "zhao-secret-1"); err != nil {
		t.Fatal(err)
	}
	zhao := mustLogin(t, w, "赵主任", "zhao-secret-1")
	if err := w.SetRole(ctx, *zhao, "王主任", audit.RoleClerk); err != nil {
		t.Fatal(err)
	}
	verifyOK(t, w, "after the root's account is demoted")
	// a key the demoted account certifies today (through the store, with
	// its trail entry): refused, though his older certificates stand
	wangNow := mustLogin(t, w, "王主任", "wang-secret-1")
	_, row, err := newKey("李会计", "li-secret-99", wangNow.Key, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.db.Update(ctx, func(tx *sqlite.Tx) error { return tx.AddKey(ctx, "王主任", row) }); err != nil {
		t.Fatal(err)
	}
	r, err := w.Verify(ctx)
	if err != nil || r.OK() || !strings.Contains(strings.Join(r.Problems, "\n"), "当时不是审核人") {
		t.Fatalf("a certificate by an account that was no supervisor passed: %v %+v", err, r)
	}
}
