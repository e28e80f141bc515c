package workspace

import (
	"context"
	"errors"

	"pensionaudit/audit"
	"pensionaudit/audit/rules"
	"pensionaudit/audit/sqlite"
)

// VillageList lists the township's villages and which a supervisor has
// confirmed (or configured); the others only a roster brought.
func (w *Workspace) VillageList(ctx context.Context) ([]string, map[string]bool, error) {
	return w.db.VillageList(ctx)
}

// ConfirmVillage confirms a village a roster brought (a supervisor).
func (w *Workspace) ConfirmVillage(ctx context.Context, s audit.Session, name string) error {
	return w.act(ctx, s, audit.ActRenameVillage, func(tx *sqlite.Tx, u audit.User) error {
		if err := tx.ConfirmVillage(ctx, name); errors.Is(err, audit.ErrNotFound) {
			return audit.Errorf(audit.ErrNotFound, "本乡镇没有名为「%s」的村(社区)", audit.Escape(name, 40))
		} else if err != nil {
			return err
		}
		return tx.AppendTrail(ctx, u.Name, "village_confirm", map[string]string{"village": name})
	})
}

// Villages lists the township's villages.
func (w *Workspace) Villages(ctx context.Context) ([]string, error) { return w.db.Villages(ctx) }

// Batches lists imported files.
func (w *Workspace) Batches(ctx context.Context, f audit.BatchFilter) ([]audit.Batch, error) {
	return w.db.Batches(ctx, f)
}

// Problems lists row problems, a page at a time, with the total.
func (w *Workspace) Problems(ctx context.Context, f audit.ProblemFilter) ([]audit.ProblemRow, int, error) {
	return w.db.Problems(ctx, f)
}

// RuleFigures is one rule's findings in a month, by status, and the
// overpayment they name (for rules that name one).
type RuleFigures struct {
	Rule     string
	ByStatus map[audit.Status]int
	Total    int
	Amount   audit.Fen
}

// MonthFigures is a month at a glance: findings per rule and decision, the
// overpayment found, to recover and recovered (as the sign-off sheet sums
// them).
type MonthFigures struct {
	Rules                       []RuleFigures
	Found, ToRecover, Recovered audit.Fen
}

// MonthFigures sums a period's findings and recoveries.
func (w *Workspace) MonthFigures(ctx context.Context, p audit.Month) (*MonthFigures, error) {
	counts, err := w.db.RuleStatusCounts(ctx, p)
	if err != nil {
		return nil, err
	}
	by := map[string]*RuleFigures{}
	m := &MonthFigures{}
	for _, c := range counts {
		f := by[c.Rule]
		if f == nil {
			f = &RuleFigures{Rule: c.Rule, ByStatus: map[audit.Status]int{}}
			by[c.Rule] = f
		}
		f.ByStatus[c.Status] += c.Count
		f.Total += c.Count
		if rules.Overpayment(c.Rule) {
			f.Amount += c.Amount
			m.Found += c.Amount
		}
	}
	for _, r := range rules.All {
		if f := by[r]; f != nil {
			m.Rules = append(m.Rules, *f)
		}
	}
	ledger, err := w.db.Ledger(ctx)
	if err != nil {
		return nil, err
	}
	for _, e := range ledger {
		if e.Period == p.String() {
			m.ToRecover += e.Due
			m.Recovered += e.Recovered
		}
	}
	return m, nil
}
