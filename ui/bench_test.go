package ui

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"pensionaudit/audit"
	"pensionaudit/audit/demo"
	"pensionaudit/audit/workspace"
	"pensionaudit/internal/benchutil"
	"pensionaudit/ui/pages"
)

func benchRows() int {
	if n, err := strconv.Atoi(os.Getenv("PENSIONAUDIT_BENCH_ROWS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// BenchmarkReviewScreen opens the review screen of a checked month of
// 1,000,000 payout rows in the real widgets (Fyne's test driver) and changes
// its filter. Targets: first page < 300 ms, filter change < 200 ms, peak RSS
// of the whole process < 400 MB.
func BenchmarkReviewScreen(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	roster := filepath.Join(dir, "青石镇2024年3月发放花名册.xlsx")
	if err := demo.WriteRosterFlawed(roster, benchRows(), audit.MakeMonth(2024, 3), 5, 0); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(dir, "w.db")
	ws, err := workspace.Init(ctx, path, "青石镇", "bench", nil)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := ws.AddUser(ctx, nil, "王主任", audit.RoleSupervisor, "wang-secret-1"); err != nil {
		b.Fatal(err)
	}
	sup, err := ws.Login(ctx, "王主任", "wang-secret-1")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := ws.Import(ctx, sup, roster, workspace.ImportOptions{Kind: audit.KindPayouts}); err != nil {
		b.Fatal(err)
	}
	if _, err := ws.Check(ctx, sup, audit.MakeMonth(2024, 3), nil); err != nil {
		b.Fatal(err)
	}
	ws.Close()
	// measure the window, not the generator and the import above
	benchutil.ResetPeakRSS()
	before := benchutil.PeakRSSMB() // what the process holds before the window opens (SQLite's allocator keeps its arena)
	a := test.NewTempApp(b)
	b.Setenv("XDG_CONFIG_HOME", b.TempDir())
	w, c := run(ctx, a, nil, true)
	defer w.Close()
	c.openWorkspace(path)
	c.login.names.SetSelected("王主任")
	c.login.password.SetText("wang-secret-1")
	c.submitLogin(c.login)
	if c.frame == nil {
		b.Fatal(c.lastError)
	}
	b.ResetTimer()
	var first, filter time.Duration
	for b.Loop() {
		start := time.Now()
		c.frame.show(pageReview)
		rp := c.frame.pages[pageReview].(*pages.ReviewPage)
		first += time.Since(start)
		if len(rp.Rows) == 0 {
			b.Fatal("no findings on the first page")
		}
		start = time.Now()
		rp.Search.SetText("王")
		rp.Search.OnSubmitted("王")
		rp.Status.SetSelected("全部")
		filter += time.Since(start) / 2
		rp.Search.SetText("")
		rp.Status.SetSelected("未处理")
		c.frame.show(pageOverview)
	}
	b.ReportMetric(float64(first.Milliseconds())/float64(b.N), "first-page-ms")
	b.ReportMetric(float64(filter.Milliseconds())/float64(b.N), "filter-ms")
	b.ReportMetric(benchutil.PeakRSSMB(), "peak-RSS-MB")
	b.ReportMetric(before, "RSS-before-window-MB")
}
