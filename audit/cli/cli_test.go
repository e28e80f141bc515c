package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"pensionaudit/audit"
	"pensionaudit/audit/demo"
	"pensionaudit/audit/sqlite"
)

const samples = "../../../shared/samples"

// admin is the workspace's first account (a supervisor), made by initDB;
// imports and checks run as admin with its password on standard input.
const (
	admin = "王主任"
	admPW = "wang-secret\n"
)

// initDB makes a workspace and its first account.
func initDB(t *testing.T, db string) {
	t.Helper()
	if code, _, e := run(t, "init", "--db", db, "--township", "东风镇"); code != 0 {
		t.Fatalf("init: %d %s", code, e)
	}
	if code, out, e := runIn(t, admPW+admPW, "user", "add", "--db", db, "--name", admin, "--role", "supervisor"); code != 0 {
		t.Fatalf("first account: %d %s %s", code, out, e)
	}
}

// run executes the CLI as a user would and returns exit code and output.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb}, args)
	return code, out.String(), errb.String()
}

// needSamples skips a test that checks the shared sample township (the
// files beside the project, with their answer key) when it is not there.
func needSamples(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(samples); err != nil {
		t.Skip("跳过：没有 ../shared/samples（共享样本只在项目旁边有时才核对）")
	}
}

// importTownship imports the project's own demo township (audit/demo:
// 青石镇, January–March 2024, with its planted cases) through the command
// line, every kind in one command.
func importTownship(t *testing.T, db string) demo.Facts {
	t.Helper()
	initDB(t, db)
	files, err := demo.Township(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	byKind := map[audit.Kind][]string{}
	for _, f := range files {
		byKind[f.Kind] = append(byKind[f.Kind], f.Path)
	}
	for _, k := range []audit.Kind{audit.KindPayouts, audit.KindDeaths, audit.KindDeregistrations} {
		args := append([]string{"import", "-db", db, "--user", admin, "--kind", string(k)}, byKind[k]...)
		if code, out, e := runIn(t, admPW, args...); code != 0 {
			t.Fatalf("import %s: exit %d\n%s\n%s", k, code, out, e)
		}
	}
	return demo.TownshipFacts()
}

// importSamples imports every sample file through the command line.
func importSamples(t *testing.T, db string) {
	t.Helper()
	initDB(t, db)
	payouts, _ := filepath.Glob(filepath.Join(samples, "payouts_*"))
	deaths, _ := filepath.Glob(filepath.Join(samples, "deaths", "*"))
	for _, c := range []struct {
		kind  string
		files []string
	}{{"payouts", payouts}, {"deaths", deaths}, {"deregistrations", []string{filepath.Join(samples, "deregistrations.xlsx")}}} {
		args := append([]string{"import", "-db", db, "--user", admin, "--kind", c.kind}, c.files...)
		if code, out, e := runIn(t, admPW, args...); code != 0 {
			t.Fatalf("import %s: exit %d\n%s\n%s", c.kind, code, out, e)
		}
	}
}

func TestImportAllSamples(t *testing.T) {
	needSamples(t)
	db := filepath.Join(t.TempDir(), "w.db")
	importSamples(t, db)

	code, out, _ := run(t, "problems", "--db", db, "--json")
	if code != 0 {
		t.Fatal(out)
	}
	var probs []audit.ProblemRow
	if err := json.Unmarshal([]byte(out), &probs); err != nil {
		t.Fatal(err)
	}
	// Exactly the planted problems: the typo ID (error) and the 15-digit ID (notice).
	var got []string
	for _, p := range probs {
		got = append(got, p.File+":"+p.Column+strconv.Itoa(p.Row)+":"+string(p.Level))
	}
	want := []string{"新民社区_2022-02.csv:D4:error", "樟树村_2022-03.xlsx:D3:notice"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("problems = %v, want %v", got, want)
	}
	if probs[0].Raw != "430422193610106975" || probs[0].Kind != "deaths" || probs[0].Village != "新民社区" {
		t.Errorf("typo problem = %+v", probs[0])
	}

	s, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	count := func(q string) int {
		var n int
		if err := s.SQL().QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(`SELECT COUNT(*) FROM payouts`); n != 1190+1184+1179+1179+1181+1176 {
		t.Errorf("payout rows = %d", n)
	}
	if n := count(`SELECT COUNT(*) FROM batches WHERE kind='deaths' AND nil_report=1`); n != 17 {
		t.Errorf("nil reports = %d", n)
	}
	if n := count(`SELECT COUNT(*) FROM death_records WHERE source='deregistration' AND is_death=1`); n != 39 {
		t.Errorf("deregistered deaths = %d", n)
	}
	// The typo row is kept, marked, with its raw value.
	if n := count(`SELECT COUNT(*) FROM death_records WHERE id_raw='430422193610106975' AND id_ok=0 AND has_error=1 AND name='陆刚'`); n != 1 {
		t.Errorf("typo row kept: %d", n)
	}
	if n := count(`SELECT COUNT(DISTINCT month) FROM payouts`); n != 6 {
		t.Errorf("months = %d", n)
	}
	if n := count(`SELECT COUNT(*) FROM villages`); n != 6 {
		t.Errorf("villages = %d", n)
	}
	// 荷叶村 did not report in April and May: no batch, not even a nil report.
	if n := count(`SELECT COUNT(*) FROM batches WHERE village='荷叶村' AND period IN ('2022-04','2022-05')`); n != 0 {
		t.Errorf("荷叶村 April/May batches = %d", n)
	}
}

func TestImportRefusals(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.db")
	f := filepath.Join(dir, "东风村2022年1月死亡人员名单.csv")
	os.WriteFile(f, []byte("序号,姓名,性别,身份证号码,死亡日期\n1,夏兰英,女,430422196112112507,2021-12-04\n2,陆刚,男,430422193610106675,2022-01-13\n"), 0o644)
	if code, _, _ := runIn(t, admPW, "import", "--user", admin, "--db", db, "--kind", "deaths", f); code == 0 {
		t.Fatal("import into a workspace that does not exist succeeded")
	}
	initDB(t, db)
	if code, out, e := runIn(t, admPW, "import", "--user", admin, "--db", db, "--kind", "deaths", f); code != 0 {
		t.Fatal(out, e)
	}
	code, _, e := runIn(t, admPW, "import", "--user", admin, "--db", db, "--kind", "deaths", f)
	if code == 0 || !strings.Contains(e, "已经导入过") {
		t.Fatalf("same file twice: %d %q", code, e)
	}
	// A corrected file for the same village and month supersedes the first.
	corrected := filepath.Join(dir, "东风村2022年1月死亡人员名单(更正).csv")
	os.WriteFile(corrected, []byte("序号,姓名,身份证号码,死亡日期\n1,夏兰英,430422196112112507,2021-12-04\n"), 0o644)
	code, out, e := runIn(t, admPW, "import", "--user", admin, "--db", db, "--kind", "deaths", corrected)
	if code != 0 || !strings.Contains(out, "取代旧文件") {
		t.Fatalf("corrected file: %d %s %s", code, out, e)
	}
	// Bad period, unknown format, missing village, no header.
	if code, _, e := runIn(t, admPW, "import", "--user", admin, "--db", db, "--kind", "deaths", "--period", "2022-13", f); code == 0 || !strings.Contains(e, "YYYY-MM") {
		t.Errorf("bad period: %d %s", code, e)
	}
	junk := filepath.Join(dir, "照片.xls")
	os.WriteFile(junk, []byte{0x89, 'P', 'N', 'G', 0, 0, 0, 0}, 0o644)
	if code, _, e := runIn(t, admPW, "import", "--user", admin, "--db", db, "--kind", "deaths", "--village", "东风村", junk); code == 0 || !strings.Contains(e, "不是可识别的表格") {
		t.Errorf("unknown format: %d %s", code, e)
	}
	noVillage := filepath.Join(dir, "2022年2月死亡名单.csv")
	os.WriteFile(noVillage, []byte("姓名,身份证号码,死亡日期\n张三,430422196112112507,2022-02-04\n"), 0o644)
	if code, _, e := runIn(t, admPW, "import", "--user", admin, "--db", db, "--kind", "deaths", noVillage); code == 0 || !strings.Contains(e, "--village") {
		t.Errorf("missing village: %d %s", code, e)
	}
	noHeader := filepath.Join(dir, "石岭村2022年2月.csv")
	os.WriteFile(noHeader, []byte("甲,乙,丙\n1,2,3\n"), 0o644)
	if code, _, e := runIn(t, admPW, "import", "--user", admin, "--db", db, "--kind", "deaths", noHeader); code == 0 || !strings.Contains(e, "找不到") {
		t.Errorf("no header: %d %s", code, e)
	}
	// The refused files left nothing behind.
	s, _ := sqlite.Open(context.Background(), db)
	defer s.Close()
	var n int
	s.SQL().QueryRow(`SELECT COUNT(*) FROM batches`).Scan(&n)
	if n != 2 {
		t.Errorf("batches after refusals = %d, want 2", n)
	}
}

func TestImportMappingRemembered(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.db")
	initDB(t, db)
	f1 := filepath.Join(dir, "石岭村2022年1月.csv")
	os.WriteFile(f1, []byte("人名,证号,走的日子\n张三,430422196112112507,2022-01-04\n"), 0o644)
	code, out, e := runIn(t, admPW, "import", "--user", admin, "--db", db, "--kind", "deaths", "--map", "name=人名,id=证号,death_date=走的日子", f1)
	if code != 0 || !strings.Contains(out, "导入 1 行") {
		t.Fatalf("mapped import: %d %s %s", code, out, e)
	}
	f2 := filepath.Join(dir, "石岭村2022年2月.csv")
	os.WriteFile(f2, []byte("人名,证号,走的日子\n李四,430422195608181114,2022-02-04\n"), 0o644)
	code, out, e = runIn(t, admPW, "import", "--user", admin, "--db", db, "--kind", "deaths", f2)
	if code != 0 || !strings.Contains(out, "上次的列映射") {
		t.Fatalf("remembered mapping: %d %s %s", code, out, e)
	}
}

func TestSupplementIsKeptBesideTheFirstList(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.db")
	initDB(t, db)
	first := filepath.Join(dir, "石岭村2022年3月死亡人员名单.csv")
	os.WriteFile(first, []byte("姓名,身份证号码,死亡日期\n张三,430422196112112507,2022-03-04\n李四,430422195608181114,2022-03-09\n"), 0o644)
	late := filepath.Join(dir, "石岭村2022年3月死亡人员名单（补报）.csv")
	os.WriteFile(late, []byte("姓名,身份证号码,死亡日期\n王五,43042219290707610X,2022-03-20\n"), 0o644)
	runIn(t, admPW, "import", "--user", admin, "--db", db, "--kind", "deaths", first)
	code, out, e := runIn(t, admPW, "import", "--user", admin, "--db", db, "--kind", "deaths", late)
	if code != 0 || !strings.Contains(out, "补充名单") || strings.Contains(out, "取代") {
		t.Fatalf("late list: %d %s %s", code, out, e)
	}
	s, _ := sqlite.Open(context.Background(), db)
	defer s.Close()
	var n int
	s.SQL().QueryRow(`SELECT COUNT(*) FROM death_records d JOIN batches b ON b.id = d.batch_id WHERE b.superseded_by IS NULL`).Scan(&n)
	if n != 3 {
		t.Errorf("current death records = %d, want 3", n)
	}
}

// A mistyped option is said in Chinese, with the command's usage.
func TestFlagErrorsInChinese(t *testing.T) {
	for args, want := range map[string]string{
		"report --user 李会计": "这个命令没有选项 -user",
		"check --db":        "选项 -db 后面缺少值",
	} {
		_, _, got := run(t, strings.Fields(args)...)
		if !strings.Contains(got, want) || !strings.Contains(got, "用法：pensionaudit") || strings.Contains(got, "flag provided") {
			t.Errorf("%s: %q, want %q and the usage", args, got, want)
		}
	}
}
