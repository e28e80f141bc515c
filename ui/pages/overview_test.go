package pages

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"pensionaudit/assets"
	"pensionaudit/audit"
	"pensionaudit/audit/workspace"
)

func TestOverviewShowsDemoWorkspace(t *testing.T) {
	a := test.NewTempApp(t)
	_ = a
	ctx := context.Background()
	ws, err := workspace.BuildDemo(ctx, filepath.Join(t.TempDir(), "demo.db"), assets.Demo())
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	o := newOverview(ws)
	o.Period = func() audit.Month { return audit.MakeMonth(2024, 3) }
	w := test.NewWindow(o.Content)
	defer w.Close()
	done := make(chan struct{})
	o.load(ctx, func() { close(done) })
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("overview did not load")
	}
	if got := o.Title.Text; !strings.Contains(got, "青石镇") {
		t.Errorf("title = %q", got)
	}
	if n := len(o.Villages.Rows()); n != 4 {
		t.Errorf("villages = %d", n)
	}
	if n := len(o.Files.Rows()); n != 21 {
		t.Errorf("files = %d", n)
	}
	// 龙泉村 did not report in March; the table says which months it reported.
	for _, r := range o.Villages.Rows() {
		if r[0] == "龙泉村" && r[1] != "2024-01 2024-02" {
			t.Errorf("龙泉村 reported %q", r[1])
		}
	}
	// The typo ID shows as a problem, masked; April's pension on March's
	// roster is asked about.
	probs := o.Problems.Rows()
	if len(probs) != 2 || !strings.Contains(probs[1][4], "********") || !strings.Contains(probs[1][5], "校验位") ||
		!strings.Contains(probs[0][5], "不是文件所属月份") {
		t.Errorf("problems = %v", probs)
	}
	if !strings.Contains(o.Summary.Text, "导入问题 2 个") {
		t.Errorf("summary = %q", o.Summary.Text)
	}
	// every source, per month: loaded, not covered or never loaded
	src := o.SourceTab.Rows()
	if len(src) != len(audit.Kinds) {
		t.Fatalf("sources = %v", src)
	}
	for _, r := range src {
		switch r[0] {
		case "在押服刑人员名单":
			if r[1] != "✔ 2 人在押" || r[3] != "✔ 1 人在押" { // one released in January
				t.Errorf("prison in January: %v", r)
			}
		case "死亡医学证明":
			if r[1] != "✔ 2 条" || r[2] != "— 未覆盖" {
				t.Errorf("death certificates: %v", r)
			}
		case "户籍注销名单":
			if !strings.Contains(r[4], "2023-12-30 至 2024-02-24") {
				t.Errorf("deregistrations: %v", r)
			}
		}
	}
	// The demo months are checked: the planted death still paid shows, masked.
	found := false
	for _, r := range o.Findings.Rows() {
		if r[2] == "死亡后仍发放" && strings.Contains(r[4], "********") {
			found = true
		}
	}
	if !found {
		t.Errorf("findings tab lacks a paid-after-death finding: %v", o.Findings.Rows())
	}
	if n := len(o.Months.Rows()); n != 3 {
		t.Errorf("months = %d", n)
	}
	// the month chosen: findings per rule and decision, the money found
	fig, _ := ws.MonthFigures(ctx, audit.MakeMonth(2024, 3))
	if rows := o.Figures.Rows(); len(rows) == 0 || len(rows) != len(fig.Rules) || rows[0][0] != "死亡后仍发放" {
		t.Errorf("month figures = %v", rows)
	}
	if !strings.Contains(o.Money.Text, "2024年3月：发现多发金额 "+fig.Found.Grouped()+" 元") || fig.Found == 0 {
		t.Errorf("money line = %q (found %v)", o.Money.Text, fig.Found)
	}
}
