package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"pensionaudit/audit"
	"pensionaudit/audit/county"
	"pensionaudit/audit/county/countygen"
)

// The county window on the demo county: the grid with the township that
// skipped a month first, the cross-township findings masked, the totals;
// a folder of report files imported with progress, a damaged one refused
// with its reason.
func TestCountyWindow(t *testing.T) {
	a := test.NewTempApp(t)
	ctx := context.Background()
	s, err := county.Open(ctx, filepath.Join(t.TempDir(), "county.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := countygen.Demo(ctx, s); err != nil {
		t.Fatal(err)
	}
	w, c := RunCounty(ctx, a, s, "", true)
	defer w.Close()
	c.Names.SetSelected("县经办")
	test.Type(c.Password, countygen.DemoPassword)
	test.Tap(c.Login)
	if c.user == nil || c.Grid == nil {
		t.Fatalf("not logged in: %q", c.lastError)
	}
	rows := c.Grid.Rows()
	if len(rows) != 6 || rows[0][0] != "第02镇" || rows[0][2] != "✘ 未上报" {
		t.Errorf("grid: %v", rows)
	}
	if !strings.Contains(c.Rate.Text, "2024-02 上报 5/6") {
		t.Errorf("rate: %q", c.Rate.Text)
	}
	flags := c.Flags.Rows()
	if len(flags) == 0 || !strings.Contains(flags[0][3], "********") || strings.Contains(strings.Join(flags[0], " "), flags[0][3][:6]+"19") {
		t.Errorf("flags: %v", flags)
	}
	found := false
	for _, r := range c.Totals.Rows() {
		if r[0] == "第04镇" && r[1] == "2024-03" && r[2] == "退回后重报" && r[8] != "0.00" && r[9] == "死亡后仍发放 已确认 2" {
			found = true
		}
	}
	if !found {
		t.Errorf("totals lack 第04镇's reopened March with money outstanding: %v", c.Totals.Rows())
	}
	if !c.EnrolBtn.Disabled() {
		t.Error("a clerk may enrol townships")
	}
	// the county sheet from the window
	sheet := filepath.Join(t.TempDir(), "汇总表.pdf")
	c.SheetPath.SetText(sheet)
	test.Tap(c.SheetBtn)
	if st, err := os.Stat(sheet); err != nil || st.Size() < 1000 || !strings.Contains(c.SheetMsg.Text, "已生成") {
		t.Errorf("county sheet: %v %q", err, c.lastError)
	}
	// May's reports of two townships, one damaged
	dir := t.TempDir()
	for i := 0; i < 2; i++ {
		tw, _ := countygen.NewTownship(i + 10)
		if err := s.Enrol(ctx, &county.User{Name: "县审核", Role: audit.RoleSupervisor}, tw.Name, tw.Fingerprint()); err != nil {
			t.Fatal(err)
		}
		data, err := tw.Month(audit.MakeMonth(2024, 5), 50, 0, 0, time.Date(2024, 6, 5, 9, 0, 0, 0, time.Local))
		if err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			data = data[:len(data)/2]
		}
		os.WriteFile(filepath.Join(dir, tw.Name+".pabundle"), data, 0o600)
	}
	c.Path.SetText(dir)
	test.Tap(c.ImportBtn)
	if !strings.Contains(c.Results.Text, "共 2 个文件，1 个未导入") || !strings.Contains(c.Results.Text, "✔ 第11镇.pabundle") ||
		!strings.Contains(c.Results.Text, "✘ 第12镇.pabundle") || c.Progress.Value != 1 {
		t.Errorf("import: %q (progress %v)", c.Results.Text, c.Progress.Value)
	}
}

// The welcome screen opens the demo county in its own window (make run
// reaches the county level with no server).
func TestWelcomeOpensTheDemoCounty(t *testing.T) {
	a := test.NewTempApp(t)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	w, c := run(context.Background(), a, nil, true)
	defer w.Close()
	before := len(a.Driver().AllWindows())
	test.Tap(c.welcome.county)
	if c.lastError != "" || len(a.Driver().AllWindows()) != before+1 {
		t.Fatalf("county window: %q, %d windows", c.lastError, len(a.Driver().AllWindows()))
	}
}
