package cli

import (
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// The CLI contract of the other sources: import --kind for each, no month
// or village asked; the rows' dates read whatever their form; a bad row
// kept and shown; the new rules in flags --json, each finding weighed.
func TestOtherSourcesOnTheCommandLine(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	importTownship(t, db)
	dir := t.TempDir()
	// payees of the demo township's March roster
	rows := [][]string{}
	w, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	r, err := w.Query(`SELECT name, id_number FROM payouts WHERE month = '2024-03' AND pay_type = '正常发放' ORDER BY id LIMIT 6 OFFSET 150`)
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
		var n, id string
		r.Scan(&n, &id)
		rows = append(rows, []string{n, id})
	}
	r.Close()
	w.Close()
	if len(rows) < 6 {
		t.Fatalf("%d payees", len(rows))
	}
	write := func(name, text string, gbk bool) string {
		p := filepath.Join(dir, name)
		b := []byte(text)
		if gbk {
			b, _ = simplifiedchinese.GBK.NewEncoder().Bytes(b)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a, b, c, d, e, f := rows[0], rows[1], rows[2], rows[3], rows[4], rows[5]
	files := map[string]string{
		"cremation": write("火化.csv", "某县殡仪馆火化登记\r\n死者姓名,公民身份号码,火化时间,殡仪馆名称\r\n"+a[0]+","+a[1]+",2024年1月5日,某县殡仪馆\r\n合计,1人\r\n", true),
		"death-certificates": write("证明.csv", "姓名,身份证号,死亡日期,死亡地点\n"+a[0]+","+a[1]+",2024/1/4,家中\n"+
			"某某,11010519491231002X,2024-13-40,医院\n", false),
		"prison":         write("服刑.csv", "姓名,身份证号码,入监时间,释放日期\n"+b[0]+","+b[1]+",20231101,\n", false),
		"other-pensions": write("职工.csv", "姓名,身份证号码,发放年月,险种\n"+c[0]+","+c[1]+",202403,机关事业单位养老保险\n", false),
		"certifications": write("认证.csv", "姓名,身份证号码,认证日期,认证方式\n"+d[0]+","+d[1]+",2022-12-01,社区上门\n", false),
		"funeral-grants": write("丧葬.csv", "姓名,身份证号码,发放日期,金额\n"+e[0]+","+e[1]+",2024-02-01,2000\n"+f[0]+","+f[1]+",2024-03-02,2000\n", false),
	}
	for kind, path := range files {
		out := mustRun(t, admPW, "import", "--db", db, "--user", admin, "--kind", kind, path)
		if !strings.Contains(out, "✔") {
			t.Errorf("%s: %s", kind, out)
		}
	}
	// the bad date is kept, with file, row and column named
	probs := mustRun(t, "", "problems", "--db", db)
	if !strings.Contains(probs, "证明.csv") || !strings.Contains(probs, "2024-13-40") {
		t.Errorf("the bad death date is not shown: %s", probs)
	}
	mustRun(t, admPW, "check", "--db", db, "--period", "2024-03", "--user", admin)
	var fs []struct {
		Rule, Name, Period string
		IDNumber           string `json:"id_number"`
		Status             string `json:"evidence_status"`
		Note               string `json:"evidence_note"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, "", "flags", "--db", db, "--period", "2024-03", "--json")), &fs); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, x := range fs {
		if x.Status != "confirmed" && x.Status != "to_verify" {
			t.Errorf("%s %s: evidence_status %q", x.Rule, x.Name, x.Status)
		}
		got[x.Rule+" "+x.IDNumber] = x.Status
	}
	for _, want := range []struct{ rule, id, status string }{
		{"paid_after_death", a[1], "confirmed"}, // cremation and certificate agree
		{"paid_while_imprisoned", b[1], "to_verify"},
		{"paid_by_two_schemes", c[1], "confirmed"},
		{"certification_overdue", d[1], "to_verify"},
		{"paid_after_funeral_grant", e[1], "to_verify"},
		{"funeral_grant_without_death", f[1], "to_verify"},
	} {
		if s, ok := got[want.rule+" "+want.id]; !ok || s != want.status {
			t.Errorf("%s of %s: %q (found %v), want %s", want.rule, want.id, s, ok, want.status)
		}
	}
}

// Another office's headers, named by the words they contain (罪犯身份证件号码,
// 实际入监时间, 预计刑满释放时间); a title line naming a 社区 is not a village,
// and the list belongs to no month.
func TestPrisonListInOtherWords(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	initDB(t, db)
	p := filepath.Join(t.TempDir(), "2024年3月司法所社区矫正及在押人员信息表.csv")
	writeFile(t, p, "司法所社区矫正及在押人员信息表\n序号,罪犯姓名,罪犯身份证件号码,实际入监时间,预计刑满释放时间,罪名\n1,韩秀英,512002192803038859,2023年12月5日,2026年12月4日,盗窃罪\n")
	out := mustRun(t, admPW, "import", "--db", db, "--user", admin, "--kind", "prison", p)
	for _, want := range []string{"在押服刑人员名单，导入 1 行", "入监日期←D列“实际入监时间”", "刑满释放日期←E列“预计刑满释放时间”", "身份证号码←C列“罪犯身份证件号码”"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "在押服刑人员名单，2024年3月") || strings.Contains(out, "司法所社区，") {
		t.Errorf("a month or a village read into a dated list:\n%s", out)
	}
}

// A certification list with a result column: 通过 read as passed, 未通过
// and a word not known said at import (and never taken as a sign of life);
// a funeral grant list's 死亡日期 is read.
func TestCertificationResultsAndGrantDeaths(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	initDB(t, db)
	dir := t.TempDir()
	cert := filepath.Join(dir, "认证.csv")
	writeFile(t, cert, "姓名,身份证号码,认证时间,认证方式,认证结果\n甲,430422196112112507,2024-02-01,人脸识别,通过\n乙,11010519491231002X,2024-02-01,人脸识别,未通过\n丙,110105194912310037,2024-02-01,人脸识别,待复核\n")
	out := mustRun(t, admPW, "import", "--db", db, "--user", admin, "--kind", "certifications", cert)
	for _, want := range []string{"认证结果←E列“认证结果”", "没有通过", "“待复核”不认识"} {
		if !strings.Contains(out, want) {
			t.Errorf("certifications: %q missing:\n%s", want, out)
		}
	}
	grants := filepath.Join(dir, "丧葬.csv")
	writeFile(t, grants, "姓名,身份证号码,死亡日期,发放日期,金额\n甲,430422196112112507,2024-01-12,2024-01-20,2000\n")
	out = mustRun(t, admPW, "import", "--db", db, "--user", admin, "--kind", "funeral-grants", grants)
	if !strings.Contains(out, "死亡日期←C列“死亡日期”") || strings.Contains(out, "没有用到的列") {
		t.Errorf("funeral grants:\n%s", out)
	}
}
