package workspace

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"pensionaudit/audit"
	"pensionaudit/audit/demo"
	"pensionaudit/audit/rules"
	"pensionaudit/audit/sqlite"
)

// A deregistration reason is read by meaning: 已死亡 or 因病去世 is a death
// (paid after it: found), 户口迁出 is not, and a reason nobody knows is a
// finding of its own for a payee still paid — never silence. Once a
// supervisor says what the word means, the next check follows.
func TestDeregistrationReasonsByMeaning(t *testing.T) {
	ctx := context.Background()
	w := newWS(t)
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(7, 7))
	born := time.Date(1940, 5, 1, 0, 0, 0, 0, time.UTC)
	ids := make([]string, 5)
	for i := range ids {
		ids[i] = demo.NewID(r, "512002", born.AddDate(0, i, 0))
	}
	names := []string{"甲一", "乙二", "丙三", "丁四", "戊五"}
	var roster strings.Builder
	roster.WriteString("姓名,公民身份号码,村(社区),发放年月,发放金额\n")
	for i, id := range ids {
		roster.WriteString(names[i] + "," + id + ",东风村,202403,163.06\n")
	}
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if _, err := w.Import(ctx, who(w), write("花名册_2024-03.csv", roster.String()), ImportOptions{Kind: audit.KindPayouts}); err != nil {
		t.Fatal(err)
	}
	dereg := "姓名,身份证号码,注销日期,注销原因\n" +
		names[0] + "," + ids[0] + ",2024-01-15,已死亡\n" +
		names[1] + "," + ids[1] + ",2024-01-20,因病去世\n" +
		names[2] + "," + ids[2] + ",2024-01-25,户口迁出\n" +
		names[3] + "," + ids[3] + ",2024-02-02,销户(特殊)\n"
	if _, err := w.Import(ctx, who(w), write("派出所注销名单.csv", dereg), ImportOptions{Kind: audit.KindDeregistrations}); err != nil {
		t.Fatal(err)
	}
	p := audit.MakeMonth(2024, 3)
	byRule := func() map[string][]string {
		if _, err := w.Check(ctx, who(w), p, nil); err != nil {
			t.Fatal(err)
		}
		fs, _, err := w.Findings(ctx, audit.FindingFilter{Period: p})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][]string{}
		for _, f := range fs {
			out[f.Rule] = append(out[f.Rule], f.Name)
		}
		return out
	}
	got := byRule()
	if strings.Join(got[rules.PaidAfterDeath], ",") != "甲一,乙二" {
		t.Errorf("paid after death: %v, want 甲一 (已死亡) and 乙二 (因病去世)", got[rules.PaidAfterDeath])
	}
	if strings.Join(got[rules.UnknownDeregReason], ",") != "丁四" {
		t.Errorf("unknown reason: %v, want 丁四 (销户(特殊))", got[rules.UnknownDeregReason])
	}
	for rule, who := range got {
		for _, n := range who {
			if n == "丙三" && rules.DeathRelated(rule) {
				t.Errorf("a payee who moved away flagged %s", rule)
			}
		}
	}
	fs, _, _ := w.Findings(ctx, audit.FindingFilter{Period: p, Rule: rules.UnknownDeregReason})
	if len(fs) != 1 || !strings.Contains(fs[0].Detail, "销户(特殊)") || fs[0].Amount != 16306 {
		t.Fatalf("the unknown reason's finding: %+v", fs)
	}
	// the supervisor says what the word means; the next check follows
	if err := w.SetWordMeaning(ctx, who(w), "销户（特殊）", audit.MeaningYes); err != nil {
		t.Fatal(err)
	}
	got = byRule()
	if strings.Join(got[rules.PaidAfterDeath], ",") != "甲一,乙二,丁四" || len(got[rules.UnknownDeregReason]) != 0 {
		t.Errorf("after the supervisor's word: %v", got)
	}
	// a clerk cannot say what a word means
	clerkName := "李会计"
	sup := who(w)
	if _, err := w.AddUser(ctx, &sup, clerkName, audit.RoleClerk, "li-secret-2024"); err != nil {
		t.Fatal(err)
	}
	clerk, _ := w.Login(ctx, clerkName, "li-secret-2024")
	if err := w.SetWordMeaning(ctx, clerk, "迁出", audit.MeaningYes); err == nil {
		t.Error("a clerk set what a word means")
	}
	verifyOK(t, w, "the word's meaning")
}

// A roster "corrected" by dropping the dead does not close their cases: the
// open paid-after-death stays open with the correction as evidence, a
// decided one keeps its decision; only a person decides.
func TestCorrectionDoesNotCloseDeathFindings(t *testing.T) {
	ctx := context.Background()
	w := newWS(t)
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(9, 9))
	born := time.Date(1938, 2, 1, 0, 0, 0, 0, time.UTC)
	names := []string{"甲一", "乙二", "丙三", "丁四", "戊五", "己六"}
	ids := make([]string, len(names))
	for i := range ids {
		ids[i] = demo.NewID(r, "512002", born.AddDate(0, i, 0))
	}
	roster := func(file string, keep func(i int) bool) string {
		var b strings.Builder
		b.WriteString("姓名,公民身份号码,村(社区),发放年月,发放金额\n")
		for i, id := range ids {
			if keep(i) {
				b.WriteString(names[i] + "," + id + ",东风村,202403,150.00\n")
			}
		}
		p := filepath.Join(dir, file)
		os.WriteFile(p, []byte(b.String()), 0o644)
		return p
	}
	if _, err := w.Import(ctx, who(w), roster("东风村花名册_2024-03.csv", func(int) bool { return true }), ImportOptions{Kind: audit.KindPayouts}); err != nil {
		t.Fatal(err)
	}
	dereg := filepath.Join(dir, "注销名单.csv")
	os.WriteFile(dereg, []byte("姓名,身份证号码,注销日期,注销原因\n"+names[0]+","+ids[0]+",2024-01-15,死亡\n"+names[1]+","+ids[1]+",2024-01-16,死亡\n"), 0o644)
	if _, err := w.Import(ctx, who(w), dereg, ImportOptions{Kind: audit.KindDeregistrations}); err != nil {
		t.Fatal(err)
	}
	p := audit.MakeMonth(2024, 3)
	if _, err := w.Check(ctx, who(w), p, nil); err != nil {
		t.Fatal(err)
	}
	paid, _, _ := w.Findings(ctx, audit.FindingFilter{Period: p, Rule: rules.PaidAfterDeath})
	if len(paid) != 2 {
		t.Fatalf("paid after death: %d, want 2", len(paid))
	}
	if _, err := w.Decide(ctx, who(w), audit.DecideInput{FindingID: paid[0].ID, Decision: audit.DecisionConfirm, Action: audit.ActionStop}); err != nil {
		t.Fatal(err)
	}
	// the "corrected" roster of the month without the two dead payees
	res, err := w.Import(ctx, who(w), roster("东风村花名册_2024-03_更正.csv", func(i int) bool { return i >= 2 }), ImportOptions{Kind: audit.KindPayouts, Period: p})
	if err != nil || res.Batch.Supersedes == 0 {
		t.Fatalf("the correction: %+v %v", res, err)
	}
	if _, err := w.Check(ctx, who(w), p, nil); err != nil {
		t.Fatal(err)
	}
	after, _, _ := w.Findings(ctx, audit.FindingFilter{Period: p, Rule: rules.PaidAfterDeath})
	if len(after) != 2 {
		t.Fatalf("death findings after the correction: %+v", after)
	}
	for _, f := range after {
		switch f.ID {
		case paid[0].ID:
			if f.Status != audit.StatusConfirmed {
				t.Errorf("the decided finding: %s", f.Status)
			}
		default:
			if f.Status != audit.StatusOpen || f.Evidence[len(f.Evidence)-1].Kind != "correction" {
				t.Errorf("the open finding after the correction: %s %+v", f.Status, f.Evidence)
			}
		}
	}
	verifyOK(t, w, "the correction")
}

// Where the village is: a 村民小组 column is never the village (3组 adds no
// village to the township; 东风村3组 is 东风村); with one sheet per village
// and no village column, the sheet's name or a labelled line above the
// header gives it, and the import says which.
func TestVillageFromSheetsAndNotFromGroups(t *testing.T) {
	ctx := context.Background()
	w := newWS(t)
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(3, 3))
	id := func(i int) string { return demo.NewID(r, "512002", time.Date(1945, 1, 1+i, 0, 0, 0, 0, time.UTC)) }
	groups := filepath.Join(dir, "花名册_2024-03.csv")
	os.WriteFile(groups, []byte("姓名,公民身份号码,村民小组,村组,发放年月,发放金额\n"+
		"甲一,"+id(1)+",3组,东风村3组,202403,150.00\n"+
		"乙二,"+id(2)+",12组,东风村12组,202403,150.00\n"), 0o644)
	if _, err := w.Import(ctx, who(w), groups, ImportOptions{Kind: audit.KindPayouts}); err != nil {
		t.Fatal(err)
	}
	vs, _ := w.Villages(ctx)
	if strings.Join(vs, ",") != "东风村" {
		t.Errorf("villages after a roster with group columns: %v", vs)
	}
	// one sheet per village, no village column; one sheet says it above its header
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "桥头村")
	f.NewSheet("柳塘社区")
	f.NewSheet("三")
	row := 1
	put := func(sheet string, cells ...any) {
		f.SetSheetRow(sheet, "A"+strconv.Itoa(row), &cells)
		row++
	}
	n := 10
	for _, sheet := range []string{"桥头村", "柳塘社区", "三"} {
		row = 1
		if sheet == "三" {
			put(sheet, "村（社区）：石岭村")
		}
		put(sheet, "姓名", "公民身份号码", "发放年月", "发放金额")
		put(sheet, "丙"+sheet, id(n), "202403", "150.00")
		n++
	}
	book := filepath.Join(dir, "分村花名册_2024-04.xlsx")
	if err := f.SaveAs(book); err != nil {
		t.Fatal(err)
	}
	res, err := w.Import(ctx, who(w), book, ImportOptions{Kind: audit.KindPayouts, Period: audit.MakeMonth(2024, 3)})
	if err != nil {
		t.Fatal(err)
	}
	var rows0 string
	w.db.SQL().QueryRow(`SELECT group_concat(name || '@' || village, ',') FROM (SELECT name, village FROM payouts WHERE batch_id = ? ORDER BY id)`, res.Batch.ID).Scan(&rows0)
	if rows0 != "丙桥头村@桥头村,丙柳塘社区@柳塘社区,丙三@石岭村" {
		t.Errorf("villages of the rows: %s", rows0)
	}
	if from := res.VillageFrom["三"]; !strings.Contains(from, "村（社区）：石岭村") {
		t.Errorf("where the village came from: %v", res.VillageFrom)
	}
	if from := res.VillageFrom["桥头村"]; !strings.Contains(from, "工作表名") {
		t.Errorf("where the village came from: %v", res.VillageFrom)
	}
}

// A township-wide death list (全镇, or the township's own name, a village
// column per row) is every village's report for its month: no village is
// flagged as not reporting, and the status says where the report came from.
func TestTownshipWideDeathList(t *testing.T) {
	ctx := context.Background()
	w := newWS(t)
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(5, 5))
	id := func(i int) string { return demo.NewID(r, "512002", time.Date(1945, 3, 1+i, 0, 0, 0, 0, time.UTC)) }
	roster := filepath.Join(dir, "花名册_2024-03.csv")
	os.WriteFile(roster, []byte("姓名,公民身份号码,村(社区),发放年月,发放金额\n甲一,"+id(1)+",东风村,202403,150.00\n乙二,"+id(2)+",柳塘村,202403,150.00\n丙三,"+id(3)+",石岭村,202403,150.00\n"), 0o644)
	if _, err := w.Import(ctx, who(w), roster, ImportOptions{Kind: audit.KindPayouts}); err != nil {
		t.Fatal(err)
	}
	list := filepath.Join(dir, "东风镇2024年3月死亡人员名单.csv")
	os.WriteFile(list, []byte("姓名,身份证号码,村(社区),死亡日期\n丁四,"+id(4)+",柳塘村,2024-03-02\n"), 0o644)
	res, err := w.Import(ctx, who(w), list, ImportOptions{Kind: audit.KindDeaths})
	if err != nil {
		t.Fatal(err)
	}
	if res.Batch.Village != "东风镇" {
		t.Errorf("the list's village: %q, want the township", res.Batch.Village)
	}
	p := audit.MakeMonth(2024, 3)
	if _, err := w.Check(ctx, who(w), p, nil); err != nil {
		t.Fatal(err)
	}
	if fs, n, _ := w.Findings(ctx, audit.FindingFilter{Period: p, Rule: rules.MissingVillageReport}); n != 0 {
		t.Errorf("villages flagged as not reporting beside a township-wide list: %+v", fs)
	}
	sts, _ := w.Status(ctx, p)
	for _, r := range sts[0].Reports {
		if r.State != "reported" || !strings.Contains(r.File, "全镇名单") {
			t.Errorf("%s: %s %q", r.Village, r.State, r.File)
		}
	}
	if vs, _ := w.Villages(ctx); strings.Contains(strings.Join(vs, ","), "东风镇") {
		t.Errorf("the township became a village: %v", vs)
	}
}

// A village name the township did not have is said, not slipped in: the
// import lists it for a supervisor to confirm or merge. A village is
// expected to report in the months its people are paid, so a renamed
// village follows the roster and its old name is not "not reported".
func TestNewVillagesAreSaidAndFollowTheRoster(t *testing.T) {
	ctx := context.Background()
	w := newWS(t)
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(17, 17))
	id := func(i int) string { return demo.NewID(r, "512002", time.Date(1947, 6, 1+i, 0, 0, 0, 0, time.UTC)) }
	a, b := id(1), id(2)
	roster := func(month, village string) string {
		p := filepath.Join(dir, "花名册_"+month+".csv")
		m := strings.ReplaceAll(month, "-", "")
		os.WriteFile(p, []byte("姓名,公民身份号码,村(社区),发放年月,发放金额\n甲一,"+a+",东风村,"+m+",150.00\n乙二,"+b+","+village+","+m+",150.00\n"), 0o644)
		return p
	}
	res, err := w.Import(ctx, who(w), roster("2024-03", "桥头村"), ImportOptions{Kind: audit.KindPayouts})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.NewVillages, ",") != "桥头村" || !strings.Contains(strings.Join(res.Understood(), "\n"), "新的村(社区)：桥头村") {
		t.Errorf("the new village is not said: %v\n%s", res.NewVillages, strings.Join(res.Understood(), "\n"))
	}
	vs, confirmed, _ := w.VillageList(ctx)
	if strings.Join(vs, ",") != "东风村,桥头村" || !confirmed["东风村"] || confirmed["桥头村"] {
		t.Errorf("villages %v, confirmed %v", vs, confirmed)
	}
	if err := w.ConfirmVillage(ctx, who(w), "桥头村"); err != nil {
		t.Fatal(err)
	}
	if _, confirmed, _ = w.VillageList(ctx); !confirmed["桥头村"] {
		t.Error("not confirmed")
	}
	// April: 桥头村 is written 桥头社区 now; both report under the new name
	if _, err := w.Import(ctx, who(w), roster("2024-04", "桥头社区"), ImportOptions{Kind: audit.KindPayouts}); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"东风村", "桥头社区"} {
		p := filepath.Join(dir, v+"_2024-04.csv")
		os.WriteFile(p, []byte(v+"2024年4月死亡人员名单\n姓名,身份证号码,死亡日期\n本月无死亡人员\n"), 0o644)
		if _, err := w.Import(ctx, who(w), p, ImportOptions{Kind: audit.KindDeaths, Village: v, Period: audit.MakeMonth(2024, 4)}); err != nil {
			t.Fatal(err)
		}
	}
	p := audit.MakeMonth(2024, 4)
	if _, err := w.Check(ctx, who(w), p, nil); err != nil {
		t.Fatal(err)
	}
	if fs, n, _ := w.Findings(ctx, audit.FindingFilter{Period: p, Rule: rules.MissingVillageReport}); n != 0 {
		t.Errorf("a village no longer paid is flagged as not reporting: %+v", fs)
	}
	// and signing does not wait for the old name's report
	sts, _ := w.Status(ctx, p)
	for _, r := range sts[0].Reports {
		if r.Village == "桥头村" && r.State != "missing" {
			t.Errorf("桥头村: %s", r.State)
		}
	}
	var n int
	if err := w.db.View(ctx, func(tx *sqlite.Tx) error {
		r, err := tx.Readiness(ctx, p)
		n = len(r.Missing)
		return err
	}); err != nil || n != 0 {
		t.Errorf("missing villages for the sign-off: %d %v", n, err)
	}
}

// A file named after the township whose title names a village is that
// village's list, not a township-wide one.
func TestTownshipNameWithVillageTitle(t *testing.T) {
	ctx := context.Background()
	w := newWS(t)
	p := filepath.Join(t.TempDir(), "东风镇2024年3月死亡人员名单.csv")
	os.WriteFile(p, []byte("柳塘村2024年3月死亡人员名单\n姓名,身份证号码,死亡日期\n本月无死亡人员\n"), 0o644)
	res, err := w.Import(ctx, who(w), p, ImportOptions{Kind: audit.KindDeaths})
	if err != nil {
		t.Fatal(err)
	}
	if res.Batch.Village != "柳塘村" {
		t.Errorf("village %q, want 柳塘村 from the title", res.Batch.Village)
	}
}

// The 备注 words the checks would otherwise not read are read: a roster row
// whose note says the payee died is asked about at import, a village list's
// note that doubts a death is asked about and shown beside the finding, a
// 补发 note says which months it covers; the summary counts each.
func TestNotesAreRead(t *testing.T) {
	ctx := context.Background()
	w := newWS(t)
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(9, 9))
	ids := []string{demo.NewID(r, "512002", time.Date(1941, 2, 3, 0, 0, 0, 0, time.UTC)), demo.NewID(r, "512002", time.Date(1942, 3, 4, 0, 0, 0, 0, time.UTC)),
		demo.NewID(r, "512002", time.Date(1943, 4, 5, 0, 0, 0, 0, time.UTC))}
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	roster := "姓名,公民身份号码,村(社区),发放年月,发放金额,发放类型,备注\n" +
		"甲一," + ids[0] + ",东风村,202403,163.06,正常发放,已死亡\n" +
		"乙二," + ids[1] + ",东风村,202403,489.18,补发,补发2024年1-3月\n" +
		"丙三," + ids[2] + ",东风村,202403,163.06,正常发放,\n"
	res, err := w.Import(ctx, who(w), write("花名册_2024-03.csv", roster), ImportOptions{Kind: audit.KindPayouts})
	if err != nil {
		t.Fatal(err)
	}
	asked := false
	for _, p := range res.Problems {
		asked = asked || p.Row == 2 && p.Column == "G" && strings.Contains(p.Reason, "已死亡") && strings.Contains(p.Reason, "请核实")
	}
	said := strings.Join(res.Understood(), "\n")
	if !asked || !strings.Contains(said, "“已死亡”1 行→写明死亡") || !strings.Contains(said, "2024-01 至 2024-03 共 3 个月") {
		t.Errorf("roster notes: problems %+v\n%s", res.Problems, said)
	}
	deaths := "姓名,身份证号码,死亡日期,备注\n丙三," + ids[2] + ",2024-01-04,误报？待核实\n"
	res, err = w.Import(ctx, who(w), write("东风村_2024-02_死亡名单.csv", deaths), ImportOptions{Kind: audit.KindDeaths, Village: "东风村", Period: audit.MakeMonth(2024, 2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Reason, "有疑问") || !strings.Contains(strings.Join(res.Understood(), "\n"), "对死亡有疑问") {
		t.Errorf("a doubted death: %+v %v", res.Problems, res.Understood())
	}
	if _, err := w.Check(ctx, who(w), audit.MakeMonth(2024, 3), nil); err != nil {
		t.Fatal(err)
	}
	fs, _, _ := w.Findings(ctx, audit.FindingFilter{Period: audit.MakeMonth(2024, 3), Rule: rules.PaidAfterDeath})
	shown := false
	for _, f := range fs {
		for _, e := range f.Evidence {
			shown = shown || f.IDNumber == ids[2] && e.Kind == "village_report" && strings.Contains(e.Note, "备注：误报？待核实")
		}
	}
	if !shown {
		t.Errorf("the finding does not show the village's note: %+v", fs)
	}
}
