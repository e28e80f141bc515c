package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"pensionaudit/audit"
)

// overviewPage is the month at a glance (the overview built earlier).
type overviewPage struct {
	c *Controller
	o *overview
}

func newOverviewPage(c *Controller) *overviewPage {
	o := newOverview(c.ws)
	o.async, o.do = c.async, c.do
	o.period = func() audit.Month { return c.period }
	o.files.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(o.batches) {
			c.openSource(o.batches[id.Row])
		}
		o.files.UnselectAll()
	}
	o.onProblem = func(p audit.ProblemRow) {
		if p.Row > 0 {
			c.showSource(p.BatchID, p.File, p.Sheet, p.Row, p.Column)
		}
	}
	return &overviewPage{c: c, o: o}
}

func (p *overviewPage) view() fyne.CanvasObject { return p.o.content }
func (p *overviewPage) refresh()                { p.o.load(p.c.ctx, nil) }
