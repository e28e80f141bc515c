package workspace

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"pensionaudit/audit"
	"pensionaudit/audit/demo"
	"pensionaudit/audit/idcard"
	"pensionaudit/internal/benchutil"
)

// countyWorkspace stores one month of n payout rows and d death records
// (a fifth of them payees who died two months earlier), straight through
// the store, as the import would leave them.
func countyWorkspace(b *testing.B, n, d int) (*Workspace, audit.Month) {
	b.Helper()
	ctx := context.Background()
	w, err := Init(ctx, filepath.Join(b.TempDir(), "county.db"), "青石镇", "bench", nil)
	if err != nil {
		b.Fatal(err)
	}
	p := audit.MakeMonth(2024, 3)
	r := rand.New(rand.NewPCG(7, 7))
	people := demo.People(r, n, "512002", []string{"石岭村", "白沙村", "桃源社区", "龙泉村", "东山村", "西河村"})
	it, err := w.db.BeginImport(ctx, &audit.Batch{FileName: "roster.xlsx", SHA256: "bench-roster", Kind: audit.KindPayouts, Format: "xlsx", Period: p})
	if err != nil {
		b.Fatal(err)
	}
	for i, x := range people {
		rec := &audit.Record{Sheet: "Sheet1", Row: i + 3, Village: x.Village, Name: x.Name, ID: idcard.Normalize(x.ID), Account: x.Account,
			Month: p, Amount: x.Amount, HasAmount: true, PayType: audit.PayNormal, PayRaw: "正常发放"}
		if err := it.Add(ctx, rec); err != nil {
			b.Fatal(err)
		}
	}
	if err := it.Commit(ctx); err != nil {
		b.Fatal(err)
	}
	it, err = w.db.BeginImport(ctx, &audit.Batch{FileName: "deregistrations.xlsx", SHA256: "bench-deaths", Kind: audit.KindDeregistrations, Format: "xlsx"})
	if err != nil {
		b.Fatal(err)
	}
	others := demo.People(r, d, "512003", []string{"外乡"})
	for i := 0; i < d; i++ {
		x := others[i]
		if i%5 == 0 {
			x = people[r.IntN(len(people))]
		}
		rec := &audit.Record{Sheet: "Sheet1", Row: i + 2, Name: x.Name, ID: idcard.Normalize(x.ID), Reason: "死亡",
			DeathDate: time.Date(2024, 1, 1+r.IntN(28), 0, 0, 0, 0, time.UTC)}
		if err := it.Add(ctx, rec); err != nil {
			b.Fatal(err)
		}
	}
	if err := it.Commit(ctx); err != nil {
		b.Fatal(err)
	}
	return w, p
}

// BenchmarkCheckCounty: one period of 1,000,000 payout rows against 50,000
// deaths. Target: under 3 s per check and 500 MB peak memory.
func BenchmarkCheckCounty(b *testing.B) {
	n, d := benchRows(), 50_000
	start := time.Now()
	w, p := countyWorkspace(b, n, d)
	defer w.Close()
	b.Logf("stored %d payouts and %d deaths in %v", n, d, time.Since(start))
	ctx := context.Background()
	benchutil.ResetPeakRSS()
	b.ResetTimer()
	var found int
	for b.Loop() {
		res, err := w.Check(ctx, who(w), p, nil)
		if err != nil {
			b.Fatal(err)
		}
		found = 0
		for _, c := range res.Counts {
			found += c
		}
	}
	b.ReportMetric(benchutil.PeakRSSMB(), "peak-RSS-MB")
	b.ReportMetric(float64(found), "findings")
	_ = fmt.Sprint
}

// BenchmarkReviewQueue is what the review screen asks for on a checked
// month of 1,000,000 payout rows: the first page of open findings (target
// < 300 ms) and a filter change — a name search and a rule (< 200 ms).
func BenchmarkReviewQueue(b *testing.B) {
	w, p := countyWorkspace(b, benchRows(), 50_000)
	defer w.Close()
	ctx := context.Background()
	if _, err := w.Check(ctx, who(w), p, nil); err != nil {
		b.Fatal(err)
	}
	_, total, _ := w.Findings(ctx, audit.FindingFilter{Period: p, Limit: 1})
	b.Logf("%d findings in the month", total)
	benchutil.ResetPeakRSS()
	b.Run("first-page", func(b *testing.B) {
		for b.Loop() {
			rows, _, err := w.Findings(ctx, audit.FindingFilter{Period: p, Status: audit.StatusOpen, Limit: 200})
			if err != nil || len(rows) == 0 {
				b.Fatal(err)
			}
		}
	})
	b.Run("filter-change", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := w.Findings(ctx, audit.FindingFilter{Period: p, Status: audit.StatusOpen, Search: "王", Limit: 200}); err != nil {
				b.Fatal(err)
			}
			if _, _, err := w.Findings(ctx, audit.FindingFilter{Period: p, Rule: "shared_account", Limit: 200}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(benchutil.PeakRSSMB(), "peak-RSS-MB")
}
