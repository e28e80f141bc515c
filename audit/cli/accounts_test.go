package cli

import (
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
