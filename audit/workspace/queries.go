package workspace

import (
	"context"
	"errors"
	"fmt"

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

// SourceLine is one source's row of the overview's source grid.
type SourceLine struct {
	Kind  audit.Kind
	Cells []string // one per month of SourceGrid.Months
	Note  string   // the dates its files cover, or why nothing is checked
}

// SourceGrid is, per source and month, what was loaded and what is
// missing: a source never loaded raises nothing, and says so.
type SourceGrid struct {
	Months []audit.Month
	Lines  []SourceLine
}

// Sources makes the source grid over the months that have a roster.
func (w *Workspace) Sources(ctx context.Context) (*SourceGrid, error) {
	months, err := w.db.RosterMonths(ctx)
	if err != nil {
		return nil, Friendly(err)
	}
	villages, err := w.db.Villages(ctx)
	if err != nil {
		return nil, Friendly(err)
	}
	counts, spans, err := w.db.SourceCells(ctx, months)
	if err != nil {
		return nil, Friendly(err)
	}
	g := &SourceGrid{Months: months}
	for _, k := range audit.Kinds {
		l := SourceLine{Kind: k}
		sp := spans[k]
		loaded := sp[0] != "" || len(counts[k]) > 0
		for _, m := range months {
			n := counts[k][m]
			var cell string
			switch {
			case k == audit.KindPayouts:
				cell = fmt.Sprintf("✔ %d 人", n)
			case k == audit.KindDeaths && n >= len(villages):
				cell = fmt.Sprintf("✔ %d/%d 村", n, len(villages))
			case k == audit.KindDeaths && n > 0:
				cell = fmt.Sprintf("⚠ %d/%d 村", n, len(villages)) // some villages have not reported
			case k == audit.KindDeaths:
				cell = "✘ 无村上报"
			case !loaded:
				cell = "✘ 未导入"
			case k == audit.KindPrison:
				cell = fmt.Sprintf("✔ %d 人在押", n)
			case m.String() < sp[0][:7] || m.String() > sp[1][:7]:
				cell = "— 未覆盖"
			default:
				cell = fmt.Sprintf("✔ %d 条", n)
			}
			l.Cells = append(l.Cells, cell)
		}
		switch {
		case k == audit.KindPayouts || k == audit.KindDeaths:
			l.Note = "按月导入"
		case !loaded:
			l.Note = "没有导入：相应的核查没有进行"
		default:
			l.Note = "记录日期 " + sp[0] + " 至 " + sp[1]
		}
		g.Lines = append(g.Lines, l)
	}
	return g, nil
}
