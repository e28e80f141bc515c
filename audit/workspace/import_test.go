package workspace

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"pensionaudit/audit"
	"pensionaudit/audit/demo"
)

// A cancelled import leaves nothing behind: one file, one transaction.
func TestImportCancelledMidwayStoresNothing(t *testing.T) {
	src := filepath.Join(t.TempDir(), "东风镇2022年1月发放花名册.xlsx")
	if err := demo.WriteRoster(src, 3000, audit.MakeMonth(2022, 1), 1); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w, err := Init(ctx, filepath.Join(t.TempDir(), "w.db"), "东风镇", "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var seen []int
	_, err = w.Import(ctx, who(w), src, ImportOptions{Kind: audit.KindPayouts, Progress: func(n int) {
		seen = append(seen, n)
		cancel()
	}})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "没有保存任何数据") {
		t.Fatalf("err = %v, want cancellation", err)
	}
	if len(seen) == 0 || seen[0] != 1000 {
		t.Errorf("progress reports = %v", seen)
	}
	bs, err := w.Batches(context.Background(), audit.BatchFilter{IncludeOld: true})
	if err != nil || len(bs) != 0 {
		t.Fatalf("batches after a cancelled import: %v %v", bs, err)
	}
	var n int
	w.db.SQL().QueryRow(`SELECT COUNT(*) FROM payouts`).Scan(&n)
	if n != 0 {
		t.Errorf("%d payout rows left behind", n)
	}
	// The same file imports afterwards: the cancelled attempt did not count.
	if _, err := w.Import(context.Background(), who(w), src, ImportOptions{Kind: audit.KindPayouts}); err != nil {
		t.Fatal(err)
	}
}
