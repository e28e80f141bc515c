package workspace

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"pensionaudit/audit"
	"pensionaudit/audit/demo"
	"pensionaudit/internal/benchutil"
)

// benchRows is the county-size roster: 1,000,000 rows
// (PENSIONAUDIT_BENCH_ROWS overrides it for a quick run).
func benchRows() int {
	if n, err := strconv.Atoi(os.Getenv("PENSIONAUDIT_BENCH_ROWS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

var (
	rosterOnce sync.Once
	rosterPath string
	rosterErr  error
)

// roster writes one generated roster per process into a temp folder.
func roster(b *testing.B) string {
	b.Helper()
	rosterOnce.Do(func() {
		dir, err := os.MkdirTemp("", "pensionaudit-bench-")
		if err != nil {
			rosterErr = err
			return
		}
		rosterPath = filepath.Join(dir, "青石镇2024年3月发放花名册.xlsx")
		start := time.Now()
		rosterErr = demo.WriteRoster(rosterPath, benchRows(), audit.MakeMonth(2024, 3), 1)
		b.Logf("generated a %d-row roster in %v", benchRows(), time.Since(start))
	})
	if rosterErr != nil {
		b.Fatal(rosterErr)
	}
	return rosterPath
}

// BenchmarkBareExcelizeRows is the yardstick: excelize's streaming reader
// with raw values, doing nothing with them.
func BenchmarkBareExcelizeRows(b *testing.B) {
	p := roster(b)
	benchutil.ResetPeakRSS()
	b.ResetTimer()
	rows := 0
	for b.Loop() {
		f, err := excelize.OpenFile(p)
		if err != nil {
			b.Fatal(err)
		}
		it, err := f.Rows("Sheet1")
		if err != nil {
			b.Fatal(err)
		}
		for it.Next() {
			if _, err := it.Columns(excelize.Options{RawCellValue: true}); err != nil {
				b.Fatal(err)
			}
			rows++
		}
		it.Close()
		f.Close()
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(benchutil.PeakRSSMB(), "peak-RSS-MB")
}

// BenchmarkImportRoster is the whole import: sniffing, header detection,
// every cell parsed and validated, every row and problem stored in SQLite in
// one transaction, the trail entry written. Target: ≥ 60% of the bare read's
// rows/s, peak memory under 400 MB.
func BenchmarkImportRoster(b *testing.B) {
	p := roster(b)
	ctx := context.Background()
	benchutil.ResetPeakRSS()
	b.ResetTimer()
	rows := 0
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		w, err := Init(ctx, filepath.Join(dir, "w.db"), "青石镇", "bench", nil)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := w.Import(ctx, who(w), p, ImportOptions{Kind: audit.KindPayouts})
		if err != nil {
			b.Fatal(err)
		}
		rows += res.Batch.Imported
		b.StopTimer()
		w.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(benchutil.PeakRSSMB(), "peak-RSS-MB")
}

// BenchmarkImportRosterProblems imports a roster where every other row has a
// problem (sex contradicting the ID): problems are streamed to the store, so
// peak memory stays under 400 MB as for a clean roster.
func BenchmarkImportRosterProblems(b *testing.B) {
	dir := b.TempDir()
	p := filepath.Join(dir, "青石镇2024年4月发放花名册.xlsx")
	if err := demo.WriteRosterFlawed(p, benchRows(), audit.MakeMonth(2024, 4), 2, 2); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	benchutil.ResetPeakRSS()
	b.ResetTimer()
	rows, problems := 0, 0
	for b.Loop() {
		b.StopTimer()
		w, err := Init(ctx, filepath.Join(b.TempDir(), "w.db"), "青石镇", "bench", nil)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := w.Import(ctx, who(w), p, ImportOptions{Kind: audit.KindPayouts})
		if err != nil {
			b.Fatal(err)
		}
		rows += res.Batch.Imported
		problems += res.ProblemCount
		b.StopTimer()
		w.Close()
		b.StartTimer()
	}
	if problems < rows/2 {
		b.Fatalf("%d problems for %d rows: the roster is not flawed as intended", problems, rows)
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(problems)/float64(b.N), "problems")
	b.ReportMetric(benchutil.PeakRSSMB(), "peak-RSS-MB")
}
