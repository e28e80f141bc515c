package workspace

import (
	"context"

	"pensionaudit/audit"
	"pensionaudit/audit/sqlite"
)

// Villages lists the township's villages.
func (w *Workspace) Villages(ctx context.Context) ([]string, error) { return w.DB.Villages(ctx) }

// Batches lists imported files.
func (w *Workspace) Batches(ctx context.Context, f sqlite.BatchFilter) ([]audit.Batch, error) {
	return w.DB.Batches(ctx, f)
}

// Problems lists row problems, a page at a time, with the total.
func (w *Workspace) Problems(ctx context.Context, f sqlite.ProblemFilter) ([]sqlite.ProblemRow, int, error) {
	return w.DB.Problems(ctx, f)
}
