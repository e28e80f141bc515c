package pages

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"pensionaudit/audit"
)

// OverviewPage is the month at a glance (the overview built earlier).
type OverviewPage struct {
	c Host
	o *overview
}

func NewOverviewPage(c Host) *OverviewPage {
	o := newOverview(c.WS())
	o.async, o.do = c.Async, c.Do
	o.Period = func() audit.Month { return c.Period() }
	o.Files.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(o.Batches) {
			c.OpenSource(o.Batches[id.Row])
		}
		o.Files.UnselectAll()
	}
	o.OnProblem = func(p audit.ProblemRow) {
		if p.Row > 0 {
			c.ShowSource(p.BatchID, p.File, p.Sheet, p.Row, p.Column)
		}
	}
	return &OverviewPage{c: c, o: o}
}

func (p *OverviewPage) View() fyne.CanvasObject { return p.o.Content }
func (p *OverviewPage) Refresh()                { p.o.load(p.c.Ctx(), nil) }

// Tabs are the overview's tabs (the window's screenshots switch them).
func (p *OverviewPage) Tabs() *container.AppTabs { return p.o.Tabs }
