package cli

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pensionaudit/audit/rules"
	"pensionaudit/audit/workspace"
)

// runIn runs the CLI with stdin (the password) and returns code and output.
func runIn(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb}, args)
	return code, out.String(), errb.String()
}

func mustRun(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	code, out, e := runIn(t, stdin, args...)
	if code != 0 {
		t.Fatalf("%v: exit %d\n%s\n%s", args, code, out, e)
	}
	return out
}

func mustFail(t *testing.T, want, stdin string, args ...string) {
	t.Helper()
	code, out, e := runIn(t, stdin, args...)
	if code == 0 || !strings.Contains(e, want) {
		t.Fatalf("%v: want failure mentioning %q, got exit %d\n%s\n%s", args, want, code, out, e)
	}
}

// decideAll takes a sensible decision on every open finding of a period.
func decideAll(t *testing.T, db, period, user, pw string) {
	t.Helper()
	for _, f := range flagsOf(t, db, "--period", period, "--status", "open") {
		args := []string{"decide", "--db", db, "--flag", itoa64(f.ID), "--user", user}
		switch {
		case f.Rule == rules.PaidAfterDeath || f.Rule == rules.ResumedAfterDeath || f.Rule == rules.BackpayAfterDeath || f.Rule == rules.DuplicatePayee:
			args = append(args, "--decision", "confirm", "--action", "recover")
		case f.Rule == rules.AboveStandard || f.Rule == rules.PossibleMatch:
			args = append(args, "--decision", "confirm", "--action", "refer")
		case f.Rule == rules.SharedAccount:
			args = append(args, "--decision", "dismiss", "--reason", "其他", "--note", "同户家属代领，已核实")
		default:
			args = append(args, "--decision", "visit", "--note", "安排入户核实")
		}
		mustRun(t, pw+"\n", args...)
	}
}

func itoa64(i int64) string { b, _ := json.Marshal(i); return string(b) }

func TestWholeMonthThroughTheCLI(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.db")
	facts := importTownship(t, db)
	missing := facts.Missing // did not report in March
	mustRun(t, admPW, "check", "--user", admin, "--db", db, "--period", "2024-03")

	// Later accounts are added by a supervisor, who types their password
	// after the new one (twice).
	mustRun(t, "li-secret\nli-secret\n"+admPW, "user", "add", "--db", db, "--name", "李会计", "--role", "clerk", "--by", admin)
	mustRun(t, "zhang-secret\nzhang-secret\n"+admPW, "user", "add", "--db", db, "--name", "张审核", "--role", "supervisor", "--by", admin)
	mustRun(t, "zhao-secret\nzhao-secret\n"+admPW, "user", "add", "--db", db, "--name", "赵纪检", "--role", "auditor", "--by", admin)
	mustFail(t, "已经存在", "x-secret1\nx-secret1\n"+admPW, "user", "add", "--db", db, "--name", "李会计", "--role", "clerk", "--by", admin)
	var out string

	open := flagsOf(t, db, "--period", "2024-03", "--status", "open")
	first := itoa64(open[0].ID)
	mustFail(t, "密码不对", "wrong\n", "decide", "--db", db, "--flag", first, "--user", "李会计", "--decision", "visit")
	mustFail(t, "查阅人", "zhao-secret\n", "decide", "--db", db, "--flag", first, "--user", "赵纪检", "--decision", "visit")
	// confirming a finding without an overpayment needs the action; one
	// with an overpayment is stopped and its amount is due back
	var noMoney string
	for _, f := range open {
		if !rules.Overpayment(f.Rule) && noMoney == "" {
			noMoney = itoa64(f.ID)
		}
	}
	mustFail(t, "--action", "li-secret\n", "decide", "--db", db, "--flag", noMoney, "--user", "李会计", "--decision", "confirm")
	// Dismissing a death-related finding needs a note.
	var death int64
	for _, f := range open {
		if f.Rule == rules.PaidAfterDeath {
			death = f.ID
		}
	}
	if death == 0 {
		t.Fatal("no paid_after_death finding in March")
	}
	mustFail(t, "--note", "li-secret\n", "decide", "--db", db, "--flag", itoa64(death), "--user", "李会计", "--decision", "dismiss", "--reason", "当月应发")
	mustRun(t, "li-secret\n", "decide", "--db", db, "--flag", itoa64(death), "--user", "李会计", "--decision", "dismiss", "--reason", "上报有误", "--note", "先排除")

	// The clerk cannot sign while findings are open.
	mustFail(t, "没有处理", "li-secret\n", "signoff", "--db", db, "--period", "2024-03", "--user", "李会计")
	decideAll(t, db, "2024-03", "李会计", "li-secret")
	// A decision can be changed before signing; history is kept.
	mustRun(t, "li-secret\n", "decide", "--db", db, "--flag", itoa64(death), "--user", "李会计", "--decision", "confirm", "--action", "recover")
	// a village did not report in March: no signature without a supervisor's note.
	mustFail(t, missing, "li-secret\n", "signoff", "--db", db, "--period", "2024-03", "--user", "李会计")
	mustFail(t, "审核人", "li-secret\n", "village-note", "--db", db, "--period", "2024-03", "--village", missing, "--note", "x", "--user", "李会计")
	mustRun(t, "wang-secret\n", "village-note", "--db", db, "--period", "2024-03", "--village", missing, "--note", "村文书病休，已电话催报", "--user", "王主任")
	out = mustRun(t, "li-secret\n", "signoff", "--db", db, "--period", "2024-03", "--user", "李会计")
	if !strings.Contains(out, "经办人 李会计 已签字") {
		t.Errorf("clerk signature: %s", out)
	}
	// Decisions are frozen once the clerk signed.
	mustFail(t, "已签字", "li-secret\n", "decide", "--db", db, "--flag", first, "--user", "李会计", "--decision", "visit")
	// The same person cannot countersign; an auditor cannot sign.
	mustFail(t, "审核人", "li-secret\n", "signoff", "--db", db, "--period", "2024-03", "--user", "李会计")
	mustFail(t, "查阅人", "zhao-secret\n", "signoff", "--db", db, "--period", "2024-03", "--user", "赵纪检")
	out = mustRun(t, "zhang-secret\n", "signoff", "--db", db, "--period", "2024-03", "--user", "张审核")
	if !strings.Contains(out, "已锁定") {
		t.Errorf("countersignature: %s", out)
	}
	// Locked: imports, checks and decisions for March are refused.
	corrected := filepath.Join(dir, missing+"2024年3月死亡人员名单.csv")
	os.WriteFile(corrected, []byte("姓名,身份证号码,死亡日期\n本月无死亡人员,,\n"), 0o644)
	mustFail(t, "锁定", admPW, "import", "--user", admin, "--db", db, "--kind", "deaths", corrected)
	mustFail(t, "锁定", admPW, "check", "--user", admin, "--db", db, "--period", "2024-03")
	mustFail(t, "锁定", "li-secret\n", "decide", "--db", db, "--flag", first, "--user", "李会计", "--decision", "visit")

	var st []struct {
		Period string `json:"period"`
		Locked bool   `json:"locked"`
		Clerk  *struct {
			User        string `json:"user"`
			Fingerprint string `json:"fingerprint"`
		} `json:"clerk_signoff"`
		Reports []struct {
			Village, State, Note string
		} `json:"reports"`
	}
	json.Unmarshal([]byte(mustRun(t, "", "status", "--db", db, "--period", "2024-03", "--json")), &st)
	if len(st) != 1 || !st[0].Locked || st[0].Clerk == nil || st[0].Clerk.User != "李会计" || len(st[0].Reports) != len(facts.Villages) {
		t.Fatalf("status: %+v", st)
	}
	text := mustRun(t, "", "status", "--db", db)
	if !strings.Contains(text, "逾期") {
		t.Errorf("2024 periods not countersigned are overdue:\n%s", text)
	}
	mustRun(t, "", "verify", "--db", db)

	var ledger []struct {
		Finding     int64       `json:"finding"`
		Due         json.Number `json:"due"`
		Outstanding json.Number `json:"outstanding"`
	}
	json.Unmarshal([]byte(mustRun(t, "", "ledger", "--db", db, "--json")), &ledger)
	if len(ledger) == 0 {
		t.Fatal("empty ledger after confirmed recoveries")
	}
	mustRun(t, "li-secret\n", "recover", "--db", db, "--flag", itoa64(ledger[0].Finding), "--amount", "10.00", "--date", "2024-05-20", "--user", "李会计")
	json.Unmarshal([]byte(mustRun(t, "", "ledger", "--db", db, "--json")), &ledger)
	if fen(t, ledger[0].Due)-fen(t, ledger[0].Outstanding) != 1000 {
		t.Errorf("recovery not booked: %+v", ledger[0])
	}

	// Tampering, as someone with the sqlite3 tool would do it, on copies.
	tamper := func(name string, stmts ...string) {
		t.Helper()
		cp := filepath.Join(dir, name+".db")
		copyDB(t, db, cp)
		raw, err := sql.Open("sqlite", cp)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range stmts {
			if _, err := raw.Exec(s); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
		raw.Close()
		code, out, _ := runIn(t, "", "verify", "--db", cp)
		if code == 0 {
			t.Errorf("verify did not catch %s:\n%s", name, out)
		}
		t.Logf("%s → %s", name, strings.TrimSpace(out))
	}
	tamper("decision", `UPDATE decisions SET decision = 'dismiss', action = '' WHERE id = (SELECT MAX(id) FROM decisions)`)
	tamper("payout", `DELETE FROM payouts WHERE id = (SELECT MIN(id) FROM payouts WHERE month = '2024-03')`)
	tamper("trail", `DROP TRIGGER trail_no_update`, `UPDATE trail SET payload = '{"batch":1}' WHERE seq = 3`)
	tamper("trail-and-trigger-restored", `DROP TRIGGER trail_no_update`, `UPDATE trail SET user_name = '王五' WHERE seq = 5`,
		`CREATE TRIGGER trail_no_update BEFORE UPDATE ON trail BEGIN SELECT RAISE(ABORT, 'trail is append-only'); END`)
	tamper("signoff", `UPDATE signoffs SET user_name = '王主任' WHERE role = 'supervisor'`)
	// The trail refuses edits while its triggers stand.
	raw, _ := sql.Open("sqlite", db)
	if _, err := raw.Exec(`DELETE FROM trail WHERE seq = 1`); err == nil {
		t.Error("trail row deleted")
	}
	raw.Close()

	// A supervisor reopens with a reason; the period can be changed again.
	mustFail(t, "--reason", "zhang-secret\n", "reopen", "--db", db, "--period", "2024-03", "--user", "张审核")
	mustFail(t, "审核人", "li-secret\n", "reopen", "--db", db, "--period", "2024-03", "--user", "李会计", "--reason", "改")
	mustRun(t, "zhang-secret\n", "reopen", "--db", db, "--period", "2024-03", "--user", "张审核", "--reason", missing+"补报")
	mustRun(t, admPW, "import", "--user", admin, "--db", db, "--kind", "deaths", corrected)
	mustRun(t, "", "verify", "--db", db)
}

func TestSameSupervisorCannotSignTwice(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	importTownship(t, db)
	mustRun(t, admPW, "check", "--user", admin, "--db", db, "--period", "2024-01")
	decideAll(t, db, "2024-01", "王主任", "wang-secret")
	mustRun(t, "wang-secret\n", "signoff", "--db", db, "--period", "2024-01", "--user", "王主任")
	mustFail(t, "同一人", "wang-secret\n", "signoff", "--db", db, "--period", "2024-01", "--user", "王主任")
}

func TestFailedLoginsSlowDown(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	mustRun(t, "", "init", "--db", db, "--township", "东风镇")
	mustRun(t, "good-secret\ngood-secret\n", "user", "add", "--db", db, "--name", "王主任", "--role", "supervisor")
	for i := 0; i < 3; i++ {
		mustFail(t, "密码不对", "bad\n", "reopen", "--db", db, "--period", "2022-01", "--user", "王主任", "--reason", "x")
	}
	// After three failures in a row even the right password must wait; the
	// message is the same as for a wrong password or an unknown user.
	mustFail(t, "密码不对", "good-secret\n", "reopen", "--db", db, "--period", "2022-01", "--user", "王主任", "--reason", "x")
	mustFail(t, "密码不对", "good-secret\n", "reopen", "--db", db, "--period", "2022-01", "--user", "不存在", "--reason", "x")
}

func copyDB(t *testing.T, from, to string) {
	t.Helper()
	// checkpoint the WAL so the copy holds everything
	raw, err := sql.Open("sqlite", from)
	if err != nil {
		t.Fatal(err)
	}
	raw.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	raw.Close()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	io.Copy(out, in)
}

func TestDismissedStaysDismissedWhenCheckedAgain(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	importTownship(t, db)
	mustRun(t, admPW, "check", "--user", admin, "--db", db, "--period", "2024-02")
	var shared int64
	for _, f := range flagsOf(t, db, "--period", "2024-02", "--rule", "shared_account") {
		shared = f.ID
	}
	mustRun(t, "wang-secret\n", "decide", "--db", db, "--flag", itoa64(shared), "--user", "王主任", "--decision", "dismiss",
		"--reason", "同名不同人")
	mustRun(t, admPW, "check", "--user", admin, "--db", db, "--period", "2024-02")
	for _, f := range flagsOf(t, db, "--period", "2024-02", "--rule", "shared_account") {
		if f.ID == shared && f.Status != "dismissed" {
			t.Fatalf("dismissed finding reopened by an unchanged re-check: %+v", f)
		}
	}
	if len(flagsOf(t, db, "--period", "2024-02", "--status", "dismissed")) != 1 {
		t.Error("dismissed finding lost")
	}
}

// backup makes and lists backups; restore, by a supervisor, verifies the
// backup and puts it back, and the trail verifies afterwards; a clerk's
// restore is refused.
func TestBackupAndRestoreCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	mustRun(t, "", "demo", "--db", db)
	out := mustRun(t, "", "backup", "--db", db)
	if !strings.Contains(out, "已备份：") || !strings.Contains(out, "demo_备份") {
		t.Fatalf("backup: %s", out)
	}
	backup := strings.TrimSpace(strings.TrimPrefix(out, "已备份："))
	if out := mustRun(t, "", "backup", "list", "--db", db); !strings.Contains(out, backup) || !strings.Contains(out, "手动") {
		t.Errorf("backup list: %s", out)
	}
	f := flagsOf(t, db, "--status", "open")[0]
	mustRun(t, workspace.DemoPassword+"\n", "decide", "--db", db, "--flag", itoa64(f.ID), "--user", workspace.DemoClerk, "--decision", "visit", "--note", "安排入户核实")
	mustFail(t, "审核人", workspace.DemoPassword+"\n", "restore", "--db", db, "--from", backup, "--user", workspace.DemoClerk)
	out = mustRun(t, workspace.DemoPassword+"\n", "restore", "--db", db, "--from", backup, "--user", workspace.DemoSupervisor)
	if !strings.Contains(out, "恢复前的工作区另存为") {
		t.Errorf("restore: %s", out)
	}
	if open := flagsOf(t, db, "--status", "visit"); len(open) != 0 {
		t.Errorf("the decision after the backup survived: %+v", open)
	}
	if out := mustRun(t, "", "verify", "--db", db); !strings.Contains(out, "记录完好") {
		t.Errorf("verify after restore: %s", out)
	}
}

// An edit made with sqlite3: the next write is refused, saying what
// changed; the supervisor's incident (with --reason) lets the work go on.
func TestIncidentCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	mustRun(t, "", "demo", "--db", db)
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	raw.Exec(`INSERT OR REPLACE INTO settings (key, value) VALUES ('shared_account_min', '99')`)
	raw.Close()
	pw := workspace.DemoPassword + "\n"
	mustFail(t, "被本程序以外的方式改动过", pw, "check", "--db", db, "--period", "2024-03", "--user", workspace.DemoClerk)
	mustFail(t, "--reason", pw, "incident", "--db", db, "--user", workspace.DemoSupervisor)
	mustFail(t, "审核人", pw, "incident", "--db", db, "--user", workspace.DemoClerk, "--reason", "我改的")
	out := mustRun(t, pw, "incident", "--db", db, "--user", workspace.DemoSupervisor, "--reason", "县局要求调整参数，已核实")
	if !strings.Contains(out, "设置") {
		t.Errorf("incident: %s", out)
	}
	mustRun(t, pw, "check", "--db", db, "--period", "2024-03", "--user", workspace.DemoClerk)
	if out := mustRun(t, "", "verify", "--db", db); !strings.Contains(out, "记录完好") {
		t.Errorf("verify: %s", out)
	}
}
