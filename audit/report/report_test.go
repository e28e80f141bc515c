package report_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"pensionaudit/audit"
	"pensionaudit/audit/demo"
	"pensionaudit/audit/internal/golden"
	"pensionaudit/audit/report"
	"pensionaudit/audit/rules"
	"pensionaudit/audit/workspace"
)

// clock is a fixed clock that ticks one second per reading, so that every
// hash and timestamp is the same on every run.
func clock() func() time.Time {
	t := time.Date(2024, 4, 8, 9, 0, 0, 0, time.UTC)
	return func() time.Time { t = t.Add(time.Second); return t }
}

// signedMonth builds the project's demo township (audit/demo) with March
// 2024 checked, decided and signed by a clerk and a supervisor.
func signedMonth(t *testing.T) (*workspace.Workspace, audit.Month) {
	t.Helper()
	ctx := context.Background()
	w, err := workspace.InitAt(ctx, filepath.Join(t.TempDir(), "w.db"), "青石镇", "test", nil, clock())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	files, err := demo.Township(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.AddUser(ctx, nil, "王主任", audit.RoleSupervisor, "wang-secret"); err != nil {
		t.Fatal(err)
	}
	sup := login(t, w, "王主任", "wang-secret")
	w.AddUser(ctx, &sup, "李会计", audit.RoleClerk, "li-secret")
	w.AddUser(ctx, &sup, "张审核", audit.RoleSupervisor, "zhang-secret")
	clerk, sup2 := login(t, w, "李会计", "li-secret"), login(t, w, "张审核", "zhang-secret")
	for _, f := range files {
		if _, err := w.Import(ctx, clerk, f.Path, workspace.ImportOptions{Kind: f.Kind}); err != nil {
			t.Fatal(err)
		}
	}
	p := audit.MakeMonth(2024, 3)
	if _, err := w.Check(ctx, clerk, p, nil); err != nil {
		t.Fatal(err)
	}
	fs, _, _ := w.Findings(ctx, audit.FindingFilter{Period: p})
	for _, f := range fs {
		in := audit.DecideInput{FindingID: f.ID}
		switch {
		case rules.DeathRelated(f.Rule):
			in.Decision, in.Action = audit.DecisionConfirm, audit.ActionRecover
		case f.Rule == rules.SharedAccount:
			in.Decision, in.Reason, in.Note = audit.DecisionDismiss, "其他", "同户家属代领，已核实"
		case f.Rule == rules.AboveStandard:
			in.Decision, in.Action = audit.DecisionConfirm, audit.ActionStop
		default:
			in.Decision, in.Note = audit.DecisionVisit, "安排入户核实"
		}
		if _, err := w.Decide(ctx, clerk, in); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.NoteMissing(ctx, sup, p, demo.TownshipFacts().Missing, "村文书病休，已电话催报"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SignOff(ctx, clerk, p); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SignOff(ctx, sup2, p); err != nil {
		t.Fatal(err)
	}
	return w, p
}

func login(t *testing.T, w *workspace.Workspace, name, pw string) audit.Session {
	t.Helper()
	s, err := w.Login(context.Background(), name, pw)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// trailCodeRe matches the trail code and hash printed on a sheet (they
// cover the users table, whose password hashes are salted at random) and
// the root key's fingerprint (a key made at random): they differ from run to
// run (the test checks them against verify instead).
var trailCodeRe = regexp.MustCompile(`(记录链校验码：|输入校验码 |对应记录的哈希 |根密钥指纹：)[0-9A-Fa-f-]+`)

func checkGolden(t *testing.T, name, got string) {
	got = trailCodeRe.ReplaceAllString(got, "${1}…")
	t.Helper()
	// what is printed for people says each rule in Chinese, never its code
	for _, r := range rules.All {
		if strings.Contains(got, r) {
			t.Errorf("%s prints the rule code %q", name, r)
		}
	}
	golden.Check(t, filepath.Join("testdata", name+".golden"), got)
}

// xlsxText dumps every non-empty cell of every sheet.
func xlsxText(t *testing.T, data []byte) string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	for _, sh := range f.GetSheetList() {
		fmt.Fprintf(&b, "== %s\n", sh)
		rows, _ := f.GetRows(sh)
		for i, r := range rows {
			if strings.TrimSpace(strings.Join(r, "")) == "" {
				continue
			}
			fmt.Fprintf(&b, "%d: %s\n", i+1, strings.Join(r, " | "))
		}
	}
	return b.String()
}

func TestSignoffSheet(t *testing.T) {
	w, p := signedMonth(t)
	ctx := context.Background()
	d, err := w.ReportData(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	tr, err := report.SignoffPDF(d, report.Options{}, &buf)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	text := tr.Text()
	// The printed fingerprint is the one verify recomputes.
	sts, _ := w.Status(ctx, p)
	clerk, sup := sts[0].Clerk, sts[0].Supervisor
	fp, err := w.Fingerprint(ctx, p, clerk.Batches)
	if err != nil {
		t.Fatal(err)
	}
	if sup.Fingerprint != fp || !strings.Contains(text, fp) {
		t.Fatalf("fingerprint printed %v, recomputed %s", strings.Contains(text, fp), fp)
	}
	r, _ := w.Verify(ctx)
	if !r.OK() {
		t.Fatalf("verify: %v", r.Problems)
	}
	// the root key's fingerprint on the paper is the workspace's, as verify
	// reads it: what an auditor compares with the file
	if r.RootKey == "" || !strings.Contains(text, "根密钥指纹："+r.RootKey) {
		t.Errorf("root key %q not on the sheet", r.RootKey)
	}
	// The code on the paper is the countersignature's trail entry, and
	// verify --anchor accepts it.
	m := regexp.MustCompile(`记录链校验码：(\d+-[0-9A-F]{16})`).FindStringSubmatch(text)
	if m == nil {
		t.Fatal("no trail code on the sheet")
	}
	if err := w.VerifyAnchor(ctx, m[1]); err != nil {
		t.Errorf("printed code %s not accepted: %v", m[1], err)
	}
	for _, want := range []string{"青石镇 2024年3月", "李会计", "张审核", demo.TownshipFacts().Missing, "村文书病休", "第 1 页 共", "512002********", "同户家属代领"} {
		if !strings.Contains(text, want) {
			t.Errorf("sheet lacks %q", want)
		}
	}
	if strings.Contains(text, demo.TownshipFacts().PaidID) || strings.Contains(text, "DRAFT") {
		t.Error("full ID or DRAFT mark on a signed, masked sheet")
	}
	for i, pg := range tr.Pages {
		if !strings.Contains(strings.Join(pg.Lines, "\n"), fmt.Sprintf("第 %d 页 共 %d 页", i+1, len(tr.Pages))) {
			t.Errorf("page %d has no page number", i+1)
		}
	}
	checkGolden(t, "signoff_2024-03.txt", text)
	if *golden.Update {
		os.WriteFile(filepath.Join(t.TempDir(), "signoff.pdf"), buf.Bytes(), 0o644)
	}
}

func TestUnsignedSheetIsMarkedDraft(t *testing.T) {
	w, _ := signedMonth(t)
	ctx := context.Background()
	d, err := w.ReportData(ctx, audit.MakeMonth(2024, 2))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	tr, err := report.SignoffPDF(d, report.Options{Unmask: true}, &buf)
	if err != nil {
		t.Fatal(err)
	}
	for i, pg := range tr.Pages {
		if !strings.Contains(strings.Join(pg.Lines, "\n"), "未签字 DRAFT") {
			t.Errorf("page %d lacks the DRAFT mark", i+1)
		}
	}
}

func TestThousandFindingsPaginateWithHeaders(t *testing.T) {
	d := &report.Data{Township: "青石镇", Period: audit.MakeMonth(2024, 3), Printed: time.Date(2024, 4, 5, 10, 0, 0, 0, time.UTC),
		Status: &audit.PeriodStatus{Period: "2024-03"}, Decisions: map[int64]audit.Decision{}, Fingerprint: strings.Repeat("ab", 32)}
	for i := 1; i <= 1000; i++ {
		d.Findings = append(d.Findings, audit.FindingRow{ID: int64(i), Period: "2024-03", Rule: rules.PaidAfterDeath, Name: "张三",
			IDNumber: "512002195001011234", Village: "石岭村", Amount: audit.Fen(10000 + i), Months: []string{"2024-03"}})
		d.Decisions[int64(i)] = audit.Decision{FindingID: int64(i), Decision: audit.DecisionConfirm, Action: audit.ActionRecover}
	}
	var buf bytes.Buffer
	tr, err := report.SignoffPDF(d, report.Options{}, &buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Pages) < 20 {
		t.Fatalf("1000 findings on %d pages", len(tr.Pages))
	}
	header := "编号 | 姓名 | 身份证号 | 村(社区) | 月份 | 问题 | 金额（元） | 处理"
	rows := 0
	for i, pg := range tr.Pages {
		body := strings.Join(pg.Lines, "\n")
		n := strings.Count(body, "| 512002********1234 |")
		rows += n
		if n > 0 && !strings.Contains(body, header) {
			t.Errorf("page %d has finding rows but no table header", i+1)
		}
		if !strings.Contains(body, fmt.Sprintf("第 %d 页 共 %d 页", i+1, len(tr.Pages))) {
			t.Errorf("page %d: no page number", i+1)
		}
	}
	if rows != 1000 {
		t.Errorf("%d finding rows printed, want 1000", rows)
	}
	if !strings.Contains(tr.Text(), "发现多发金额：105,005.00 元") {
		t.Errorf("total: %s", tr.Text()[len(tr.Text())-600:])
	}
}

func TestExcelExports(t *testing.T) {
	w, p := signedMonth(t)
	ctx := context.Background()
	d, err := w.ReportData(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"stoplist", func(b *bytes.Buffer) error { return report.StopListXLSX(d, b) }},
		{"ledger", func(b *bytes.Buffer) error { return report.LedgerXLSX(d, report.Options{}, b) }},
		{"findings", func(b *bytes.Buffer) error { return report.FindingsXLSX(d, report.Options{}, b) }},
		{"notices", func(b *bytes.Buffer) error { return report.NoticesXLSX(d, b) }},
	} {
		var buf bytes.Buffer
		if err := c.write(&buf); err != nil {
			t.Fatal(c.name, err)
		}
		checkGolden(t, c.name+"_2024-03.txt", xlsxText(t, buf.Bytes()))
	}
	// The stop list carries full IDs for the payout system; printed lists mask them.
	var stop, led bytes.Buffer
	report.StopListXLSX(d, &stop)
	report.LedgerXLSX(d, report.Options{}, &led)
	if !strings.Contains(xlsxText(t, stop.Bytes()), demo.TownshipFacts().PaidID) {
		t.Error("stop list without full ID")
	}
	if strings.Contains(xlsxText(t, led.Bytes()), demo.TownshipFacts().PaidID) {
		t.Error("ledger prints a full ID")
	}
	f, _ := excelize.OpenReader(bytes.NewReader(stop.Bytes()))
	layout, _ := f.GetPageLayout("止付名单")
	if layout.Size == nil || *layout.Size != 9 || layout.FitToWidth == nil || *layout.FitToWidth != 1 {
		t.Errorf("page layout %+v", layout)
	}
	hf, _ := f.GetHeaderFooter("止付名单")
	if !strings.Contains(hf.OddFooter, "&P") || !strings.Contains(hf.OddFooter, "审核人") {
		t.Errorf("footer %q", hf.OddFooter)
	}
}

func TestRareCharactersAreReportedNotDropped(t *testing.T) {
	d := &report.Data{Township: "青石镇", Period: audit.MakeMonth(2024, 3), Printed: time.Date(2024, 4, 5, 10, 0, 0, 0, time.UTC),
		Status: &audit.PeriodStatus{Period: "2024-03"}, Decisions: map[int64]audit.Decision{1: {Decision: audit.DecisionConfirm, Action: audit.ActionStop}},
		Fingerprint: strings.Repeat("cd", 32),
		Findings: []audit.FindingRow{{ID: 1, Rule: rules.PaidAfterDeath, Name: "王\U000F0001华", IDNumber: "512002195001011234", Village: "石岭村",
			Months: []string{"2024-03"}, Amount: 100}}}
	var buf bytes.Buffer
	tr, err := report.SignoffPDF(d, report.Options{}, &buf)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(tr.Text(), "王\U000F0001华") {
		t.Error("name dropped from the sheet")
	}
	if len(tr.Warnings) == 0 || !strings.Contains(tr.Warnings[0], "王\U000F0001华") {
		t.Errorf("missing glyph not reported: %v", tr.Warnings)
	}
	// 𠮷 (CJK Ext. B, outside the BMP) cannot be embedded by fpdf: printed
	// as 〓 and reported, and the PDF is still written.
	d.Findings[0].Name = "𠮷田"
	buf.Reset()
	tr, err = report.SignoffPDF(d, report.Options{}, &buf)
	if err != nil || buf.Len() == 0 || len(tr.Warnings) == 0 || !strings.Contains(tr.Warnings[0], "𠮷田") {
		t.Errorf("Ext. B name: %v %v", err, tr.Warnings)
	}
}
