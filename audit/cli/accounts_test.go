package cli

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The actor of every write is an authenticated user, never an environment
// variable; user add follows the documented stdin contract.
func TestActorIsAuthenticated(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	initDB(t, db)
	t.Setenv("PENSIONAUDIT_USER", "王主任")
	t.Setenv("USER", "王主任")
	csv := filepath.Join(t.TempDir(), "roster_2022-07.csv")
	writeFile(t, csv, "姓名,公民身份号码,发放年月,发放金额\n张三,430422196112112507,202207,120.00\n")
	// no --user: refused, whatever the environment says
	mustFail(t, "--user", "", "import", "--db", db, "--kind", "payouts", csv)
	mustFail(t, "--user", "", "check", "--db", db, "--period", "2022-07")
	// a clerk is added by the supervisor: new password twice, then the
	// supervisor's
	mustRun(t, "li-secret-1\nli-secret-1\n"+admPW, "user", "add", "--db", db, "--name", "李会计", "--role", "clerk", "--by", admin)
	mustFail(t, "审核人", "x-secret-12\nx-secret-12\n", "user", "add", "--db", db, "--name", "李主任", "--role", "supervisor")
	mustFail(t, "密码不对", "x-secret-12\nx-secret-12\nguess-guess\n", "user", "add", "--db", db, "--name", "李主任", "--role", "supervisor", "--by", admin)
	mustFail(t, "不是有效的审核人", "x-secret-12\nx-secret-12\nli-secret-1\n", "user", "add", "--db", db, "--name", "李主任", "--role", "supervisor", "--by", "李会计")
	mustFail(t, "不一致", "x-secret-12\nx-secret-13\n"+admPW, "user", "add", "--db", db, "--name", "李主任", "--role", "supervisor", "--by", admin)
	mustFail(t, "8 个字符", "123456\n123456\n"+admPW, "user", "add", "--db", db, "--name", "李主任", "--role", "supervisor", "--by", admin)
	mustRun(t, "li-secret-1\n", "import", "--db", db, "--user", "李会计", "--kind", "payouts", csv)
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var who string
	raw.QueryRow(`SELECT user_name FROM trail WHERE action = 'import'`).Scan(&who)
	if who != "李会计" {
		t.Errorf("import recorded as %q, want the authenticated 李会计", who)
	}
	var n int
	raw.QueryRow(`SELECT COUNT(*) FROM trail WHERE user_name = '' OR user_name IN ('root', 'runner')`).Scan(&n)
	if n != 0 {
		t.Errorf("%d trail entries without an authenticated actor", n)
	}
	// role changes, resets and disabling need the supervisor too
	mustFail(t, "不是有效的审核人", "li-secret-1\n", "user", "role", "--db", db, "--name", "李会计", "--role", "supervisor", "--by", "李会计")
	mustRun(t, admPW, "user", "disable", "--db", db, "--name", "李会计", "--by", admin)
	mustFail(t, "密码不对", "li-secret-1\n", "check", "--db", db, "--period", "2022-07", "--user", "李会计")
	out := mustRun(t, "", "user", "list", "--db", db)
	if !strings.Contains(out, "李会计\t经办人\t已停用") {
		t.Errorf("user list: %s", out)
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A 查阅人 can change nothing through the command line either: every
// command that writes refuses the auditor with the role's reason, and the
// file is byte for byte the same afterwards.
func TestAuditorRefusedOnTheCommandLine(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	importTownship(t, db)
	mustRun(t, admPW, "check", "--db", db, "--period", "2024-03", "--user", admin)
	mustRun(t, "zhao-secret-1\nzhao-secret-1\n"+admPW, "user", "add", "--db", db, "--name", "赵查阅", "--role", "auditor", "--by", admin)
	mustRun(t, "li-secret-1\nli-secret-1\n"+admPW, "user", "add", "--db", db, "--name", "李会计", "--role", "clerk", "--by", admin)
	flags := flagsOf(t, db, "--period", "2024-03", "--status", "open")
	if len(flags) == 0 {
		t.Fatal("no open findings")
	}
	id := itoa64(flags[0].ID)
	csv := filepath.Join(t.TempDir(), "roster_2024-04.csv")
	writeFile(t, csv, "姓名,公民身份号码,发放年月,发放金额\n张三,430422196112112507,202404,120.00\n")
	state := func() string {
		raw, err := sql.Open("sqlite", db)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		var n int
		var head string
		raw.QueryRow(`SELECT COUNT(*), MAX(hash) FROM trail`).Scan(&n, &head)
		var rows int
		raw.QueryRow(`SELECT (SELECT COUNT(*) FROM batches) + (SELECT COUNT(*) FROM findings) + (SELECT COUNT(*) FROM decisions) +
			(SELECT COUNT(*) FROM signoffs) + (SELECT COUNT(*) FROM missing_notes) + (SELECT COUNT(*) FROM recoveries) +
			(SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM villages) + (SELECT COUNT(*) FROM checks)`).Scan(&rows)
		return itoa64(int64(n)) + " " + head + " " + itoa64(int64(rows))
	}
	before := state()
	aud := "zhao-secret-1\n"
	as := func(args ...string) []string { return append(args, "--db", db, "--user", "赵查阅") }
	for _, args := range [][]string{
		as("import", "--kind", "payouts", csv),
		as("check", "--period", "2024-03"),
		as("decide", "--flag", id, "--decision", "visit"),
		as("signoff", "--period", "2024-03"),
		as("reopen", "--period", "2024-03", "--reason", "试图退回"),
		as("village-note", "--period", "2024-03", "--village", "龙泉村", "--note", "试图说明"),
		as("recover", "--flag", id, "--amount", "1.00", "--date", "2024-05-01"),
		as("village", "rename", "--from", "龙泉村", "--to", "龙泉新村"),
	} {
		mustFail(t, "查阅人", aud, args...)
	}
	mustFail(t, "查阅人", "x-secret-123\nx-secret-123\n"+aud, "user", "add", "--db", db, "--name", "钱新人", "--role", "supervisor", "--by", "赵查阅")
	mustFail(t, "查阅人", aud, "user", "role", "--db", db, "--name", "赵查阅", "--role", "supervisor", "--by", "赵查阅")
	mustFail(t, "查阅人", aud, "user", "disable", "--db", db, "--name", admin, "--by", "赵查阅")
	if after := state(); after != before {
		t.Errorf("the auditor changed the workspace: %s → %s", before, after)
	}
	// the reading commands still work for the auditor's eyes
	mustRun(t, "", "status", "--db", db, "--period", "2024-03")
	mustRun(t, "", "verify", "--db", db)
}

// verify says when nothing outside the file vouches for it: no head seen by
// this computer and no code from the paper.
func TestVerifySaysWhenNothingOutsideVouches(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	initDB(t, db)
	if out := mustRun(t, "", "verify", "--db", db); !strings.Contains(out, "没有任何文件之外的凭据") {
		t.Errorf("verify without anchors:\n%s", out)
	}
	anchors := filepath.Join(t.TempDir(), "anchors.log")
	env := func() (Env, *strings.Builder) {
		var out strings.Builder
		return Env{Stdin: strings.NewReader(admPW), Stdout: &out, Stderr: &out, Anchors: anchors}, &out
	}
	e, _ := env()
	csv := filepath.Join(t.TempDir(), "roster_2022-07.csv")
	writeFile(t, csv, "姓名,公民身份号码,发放年月,发放金额\n张三,430422196112112507,202207,120.00\n")
	if code := Run(context.Background(), e, []string{"import", "--db", db, "--user", admin, "--kind", "payouts", csv}); code != 0 {
		t.Fatal("import")
	}
	e, out := env()
	Run(context.Background(), e, []string{"verify", "--db", db})
	if strings.Contains(out.String(), "没有任何文件之外的凭据") || !strings.Contains(out.String(), "全部记录都有文件之外的凭据佐证") {
		t.Errorf("verify with this computer's heads:\n%s", out.String())
	}
}

// The recovery code is printed once with the first account; recover-root
// takes it (code, then the new password twice) and prints the next one;
// user passwd without --by changes one's own password.
func TestRecoveryCodeOnTheCommandLine(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	if code, _, e := run(t, "init", "--db", db, "--township", "东风镇"); code != 0 {
		t.Fatal(e)
	}
	out := mustRun(t, admPW+admPW, "user", "add", "--db", db, "--name", admin, "--role", "supervisor")
	code := codeIn(t, out)
	if strings.Contains(mustRun(t, "", "user", "list", "--db", db), code) {
		t.Error("the code shown again")
	}
	mustFail(t, "恢复码不对", "ABCD-EFGH-JKMN-PQRS-TUVW-XYZ2\nnew-secret-42\nnew-secret-42\n", "recover-root", "--db", db)
	out = mustRun(t, code+"\nnew-secret-42\nnew-secret-42\n", "recover-root", "--db", db)
	next := codeIn(t, out)
	if next == code || !strings.Contains(out, admin) {
		t.Errorf("recover-root: %s", out)
	}
	mustFail(t, "密码不对", admPW, "check", "--db", db, "--period", "2022-07", "--user", admin)
	mustRun(t, "wang-secret-3\nwang-secret-3\nnew-secret-42\n", "user", "passwd", "--db", db, "--name", admin)
	newer := codeIn(t, mustRun(t, "wang-secret-3\n", "recovery-code", "--db", db, "--user", admin))
	mustFail(t, "恢复码不对", next+"\nnew-secret-43\nnew-secret-43\n", "recover-root", "--db", db)
	mustRun(t, newer+"\nnew-secret-44\nnew-secret-44\n", "recover-root", "--db", db)
	if out := mustRun(t, "", "verify", "--db", db); !strings.Contains(out, "完好") {
		t.Errorf("verify: %s", out)
	}
}

// codeIn finds the recovery code a command printed.
func codeIn(t *testing.T, out string) string {
	t.Helper()
	for _, f := range strings.Fields(out) {
		if len(f) == 29 && strings.Count(f, "-") == 5 {
			return f
		}
	}
	t.Fatalf("no recovery code in %s", out)
	return ""
}
