package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pensionaudit/audit/internal/pgtest"
)

// The CLI contract of the county level: fingerprint's last line, bundle
// of a countersigned month, county init / user add / enrol / import /
// status --json / flags --json, on SQLite and PostgreSQL.
func TestCountyOnTheCommandLine(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.db")
	if code, _, e := run(t, "init", "--db", db, "--township", "东风镇", "--villages", "东风村"); code != 0 {
		t.Fatal(e)
	}
	mustRun(t, admPW+admPW, "user", "add", "--db", db, "--name", admin, "--role", "supervisor")
	mustRun(t, "li-secret-1\nli-secret-1\n"+admPW, "user", "add", "--db", db, "--name", "李会计", "--role", "clerk", "--by", admin)
	roster := filepath.Join(dir, "东风镇2024年3月养老金发放花名册.csv")
	writeFile(t, roster, "村(社区),姓名,公民身份号码,发放年月,发放金额\n东风村,张三,430422196112112507,202403,163.06\n东风村,李四,11010519491231002X,202403,120.00\n")
	deaths := filepath.Join(dir, "东风村2024年3月死亡人员名单.csv")
	writeFile(t, deaths, "东风村2024年3月死亡人员名单\n序号,姓名,身份证号码,死亡日期\n,本月无死亡人员\n")
	mustRun(t, "li-secret-1\n", "import", "--db", db, "--user", "李会计", "--kind", "payouts", roster)
	mustRun(t, "li-secret-1\n", "import", "--db", db, "--user", "李会计", "--kind", "deaths", "--village", "东风村", deaths)
	mustRun(t, "li-secret-1\n", "check", "--db", db, "--period", "2024-03", "--user", "李会计")
	out := filepath.Join(dir, "东风镇_2024-03.pabundle")
	mustFail(t, "复核签字", "li-secret-1\n", "bundle", "--db", db, "--period", "2024-03", "--user", "李会计", "--out", out)
	mustRun(t, "li-secret-1\n", "signoff", "--db", db, "--period", "2024-03", "--user", "李会计")
	mustRun(t, admPW, "signoff", "--db", db, "--period", "2024-03", "--user", admin)
	mustRun(t, "li-secret-1\n", "bundle", "--db", db, "--period", "2024-03", "--user", "李会计", "--out", out)
	lines := strings.Split(strings.TrimSpace(mustRun(t, "", "fingerprint", "--db", db)), "\n")
	fp := lines[len(lines)-1]
	if len(fp) != 32 {
		t.Fatalf("fingerprint's last line %q", fp)
	}
	for _, st := range pgtest.Stores(t) {
		t.Run(st.Name, func(t *testing.T) {
			c := st.DSN
			mustRun(t, "", "county", "init", "--db", c, "--county", "雁江区")
			mustRun(t, "xian-secret-1\nxian-secret-1\n", "county", "user", "add", "--db", c, "--name", "县审核", "--role", "supervisor")
			mustRun(t, "xian-secret-1\n", "county", "enrol", "--db", c, "--township", "东风镇", "--fingerprint", fp, "--user", "县审核")
			mustRun(t, "xian-secret-1\n", "county", "enrol", "--db", c, "--township", "西河镇", "--fingerprint", strings.Repeat("ab", 16), "--user", "县审核")
			mustFail(t, "密码", "wrong-secret\n", "county", "import", "--db", c, "--user", "县审核", out)
			got := mustRun(t, "xian-secret-1\n", "county", "import", "--db", c, "--user", "县审核", dir)
			if !strings.Contains(got, "✔") || !strings.Contains(got, "东风镇 2024-03") {
				t.Errorf("import: %s", got)
			}
			// again: refused, exit non-zero
			mustFail(t, "被拒绝", "xian-secret-1\n", "county", "import", "--db", c, "--user", "县审核", out)
			var cells []struct{ Township, Period, State string }
			if err := json.Unmarshal([]byte(mustRun(t, "", "county", "status", "--db", c, "--json")), &cells); err != nil {
				t.Fatal(err)
			}
			states := map[string]string{}
			for _, x := range cells {
				states[x.Township+" "+x.Period] = x.State
			}
			if states["东风镇 2024-03"] == "" || states["东风镇 2024-03"] == "missing" || states["西河镇 2024-03"] != "missing" || len(cells) != 2 {
				t.Errorf("status: %v", cells)
			}
			for _, ext := range []string{".pdf", ".xlsx"} {
				f := filepath.Join(t.TempDir(), "汇总表"+ext)
				mustRun(t, "", "county", "report", "--db", c, "--out", f)
				if st, err := os.Stat(f); err != nil || st.Size() < 1000 {
					t.Errorf("county report %s: %v", ext, err)
				}
			}
			var flags []map[string]any
			if err := json.Unmarshal([]byte(mustRun(t, "", "county", "flags", "--db", c, "--period", "2024-03", "--json")), &flags); err != nil || len(flags) != 0 {
				t.Errorf("flags: %v %v", flags, err)
			}
		})
	}
}
