package workspace

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pensionaudit/assets"
	"pensionaudit/audit"
)

// Each demo file's kind, village and month are told from its name; renamed
// to say nothing, its kind is still told from its header.
func TestGuessFile(t *testing.T) {
	ctx := context.Background()
	w, err := Init(ctx, filepath.Join(t.TempDir(), "w.db"), "青石镇", "test", []string{"白沙村", "石岭村", "桃源社区", "龙泉村"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	dir := t.TempDir()
	entries, _ := fs.ReadDir(assets.Demo(), ".")
	if len(entries) == 0 {
		t.Fatal("no demo files")
	}
	for i, e := range entries {
		data, _ := fs.ReadFile(assets.Demo(), e.Name())
		want := audit.KindPayouts
		switch name := e.Name(); {
		case strings.Contains(name, "火化"):
			want = audit.KindCremation
		case strings.Contains(name, "医学证明"):
			want = audit.KindDeathCertificates
		case strings.Contains(name, "服刑"):
			want = audit.KindPrison
		case strings.Contains(name, "职工"):
			want = audit.KindOtherPensions
		case strings.Contains(name, "资格认证"):
			want = audit.KindCertifications
		case strings.Contains(name, "丧葬"):
			want = audit.KindFuneralGrants
		case strings.Contains(name, "注销"):
			want = audit.KindDeregistrations
		case strings.Contains(name, "死亡"):
			want = audit.KindDeaths
		}
		p := filepath.Join(dir, e.Name())
		os.WriteFile(p, data, 0o600)
		g := w.GuessFile(ctx, p)
		if g.Kind != want {
			t.Errorf("%s: kind %s (%s), want %s", e.Name(), g.Kind, g.Why, want)
		}
		if want == audit.KindDeaths && (g.Village == "" || !strings.HasPrefix(e.Name(), g.Village)) {
			t.Errorf("%s: village %q", e.Name(), g.Village)
		}
		if !want.Dated() && g.Period == 0 {
			t.Errorf("%s: no month", e.Name())
		}
		anon := filepath.Join(dir, "附件"+string(rune('A'+i))+filepath.Ext(e.Name()))
		os.WriteFile(anon, data, 0o600)
		if g := w.GuessFile(ctx, anon); g.Kind != want || g.Why != "按表头识别" || g.Period != 0 {
			t.Errorf("%s renamed: kind %s (%s), month %v; want %s from the header", e.Name(), g.Kind, g.Why, g.Period, want)
		}
	}
	// a roster whose amount is a question (发放金额 beside 补发金额) is still
	// a roster, not a death list with a name and an ID
	anon := filepath.Join(dir, "附件Z.csv")
	os.WriteFile(anon, []byte("村(社区),姓名,公民身份号码,发放年月,发放金额,补发金额\n龙泉村,张三,430422196112112507,202404,163.06,0\n"), 0o600)
	if g := w.GuessFile(ctx, anon); g.Kind != audit.KindPayouts {
		t.Errorf("a roster with two amount columns read as %s (%s)", g.Kind, g.Why)
	}
}

// A month's figures on the overview are the sign-off sheet's: findings per
// rule (by status) and the money lines, summed in SQL.
func TestMonthFiguresAgreeWithTheSheet(t *testing.T) {
	ctx := context.Background()
	w, err := BuildDemo(ctx, filepath.Join(t.TempDir(), "demo.db"), assets.Demo())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	months, _ := w.db.RosterMonths(ctx)
	checkedSome := false
	for _, p := range months {
		fig, err := w.MonthFigures(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		d, err := w.ReportData(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		byRule := d.ByRule()
		if len(fig.Rules) != len(byRule) {
			t.Fatalf("%s: %d rules, the sheet %d", p, len(fig.Rules), len(byRule))
		}
		for i, r := range byRule {
			f := fig.Rules[i]
			if f.Rule != r.Rule || f.Total != r.Count || f.Amount != r.Amount {
				t.Errorf("%s %s: %d findings %v, the sheet %d %v", p, r.Rule, f.Total, f.Amount, r.Count, r.Amount)
			}
			sum := 0
			for _, n := range f.ByStatus {
				sum += n
			}
			if sum != f.Total {
				t.Errorf("%s %s: statuses add to %d of %d", p, r.Rule, sum, f.Total)
			}
		}
		tot := d.Totals()
		if fig.Found != tot.Found || fig.ToRecover != tot.ToRecover || fig.Recovered != tot.Recovered {
			t.Errorf("%s: money %v/%v/%v, the sheet %v/%v/%v", p, fig.Found, fig.ToRecover, fig.Recovered, tot.Found, tot.ToRecover, tot.Recovered)
		}
		checkedSome = checkedSome || fig.Found > 0
	}
	if !checkedSome {
		t.Error("no month of the demo has an overpayment")
	}
}
