package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func flagsOf(t *testing.T, db string, args ...string) []flagJSON {
	t.Helper()
	code, out, e := run(t, append([]string{"flags", "--db", db, "--json"}, args...)...)
	if code != 0 {
		t.Fatal(e)
	}
	var fs []flagJSON
	if err := json.Unmarshal([]byte(out), &fs); err != nil {
		t.Fatal(err)
	}
	return fs
}

func TestCheckIsIdempotentAndFollowsCorrections(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.db")
	facts := importTownship(t, db)
	for _, m := range []string{"2024-02", "2024-03"} {
		if code, out, e := runIn(t, admPW, "check", "--user", admin, "--db", db, "--period", m); code != 0 {
			t.Fatal(out, e)
		}
	}
	before := flagsOf(t, db)
	code, out, _ := runIn(t, admPW, "check", "--user", admin, "--db", db, "--period", "2024-03")
	if code != 0 || !strings.Contains(out, "新增 0，证据变化需重新处理 0") {
		t.Fatalf("second check changed something:\n%s", out)
	}
	again := flagsOf(t, db)
	b1, _ := json.Marshal(before)
	b2, _ := json.Marshal(again)
	if string(b1) != string(b2) {
		t.Fatal("findings differ after running check again")
	}
	// the village sends a corrected February list with the mistyped ID fixed
	fixed := filepath.Join(dir, facts.TypoVillage+"2024年2月死亡人员名单（更正）.csv")
	os.WriteFile(fixed, []byte("序号,姓名,性别,身份证号码,死亡日期,备注\n1,"+facts.TypoName+","+facts.TypoSex+","+facts.TypoID+","+
		facts.TypoDeath.Format("2006/1/2")+",\n"), 0o644)
	if code, out, e := runIn(t, admPW, "import", "--user", admin, "--db", db, "--kind", "deaths", fixed); code != 0 || !strings.Contains(out, "取代旧文件") {
		t.Fatal(out, e)
	}
	for _, m := range []string{"2024-02", "2024-03"} {
		if code, out, e := runIn(t, admPW, "check", "--user", admin, "--db", db, "--period", m); code != 0 {
			t.Fatal(out, e)
		}
	}
	after := flagsOf(t, db)
	for _, f := range after {
		if f.Rule == "invalid_id" || f.Rule == "possible_match" {
			t.Errorf("finding not withdrawn after the correction: %+v", f)
		}
	}
	withdrawn := flagsOf(t, db, "--status", "withdrawn")
	rulesWithdrawn := map[string]bool{}
	for _, f := range withdrawn {
		rulesWithdrawn[f.Rule] = true
	}
	if !rulesWithdrawn["invalid_id"] || !rulesWithdrawn["possible_match"] {
		t.Errorf("withdrawn = %+v", withdrawn)
	}
	// the payee's March overpayment is still there, under the same number, now
	// with the village report as evidence too.
	var id1, id2 int64
	var ev2 int
	for _, f := range before {
		if f.Rule == "paid_after_death" && f.IDNumber == facts.TypoID && f.Period == "2024-03" {
			id1 = f.ID
		}
	}
	for _, f := range after {
		if f.Rule == "paid_after_death" && f.IDNumber == facts.TypoID && f.Period == "2024-03" {
			id2, ev2 = f.ID, len(f.Evidence)
		}
	}
	if id1 == 0 || id1 != id2 || ev2 < 3 {
		t.Errorf("finding number %d → %d, evidence %d", id1, id2, ev2)
	}
}

// flags --json keeps one entry per month with that month's amount, each
// carrying its case (rule and person): a person's months share one case.
func TestFlagsCarryTheirCase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	importTownship(t, db)
	for _, p := range []string{"2024-01", "2024-02", "2024-03"} {
		mustRun(t, admPW, "check", "--db", db, "--period", p, "--user", admin)
	}
	byCase := map[string][]string{}
	for _, f := range flagsOf(t, db) {
		if f.Case == "" || !strings.HasPrefix(f.Case, f.Rule+":") {
			t.Fatalf("finding #%d has case %q", f.ID, f.Case)
		}
		byCase[f.Case] = append(byCase[f.Case], f.Period)
	}
	multi := 0
	for _, months := range byCase {
		if len(months) > 1 {
			multi++
		}
	}
	if multi == 0 {
		t.Errorf("no case spans months: %v", byCase)
	}
}

// What an import understood is kept with the file: `files` says it later.
func TestFilesSayWhatWasUnderstood(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	importTownship(t, db)
	out := mustRun(t, "", "files", "--db", db)
	if !strings.Contains(out, "是表头") || !strings.Contains(out, "发放金额：取") || !strings.Contains(out, "户籍注销名单") {
		t.Errorf("files:\n%s", out)
	}
}
