package ui

import (
	"context"
	"fmt"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"pensionaudit/audit"
	"pensionaudit/ui/pages"
)

// Screen names (also what tests wait for).
const (
	pageWelcome  = "welcome"
	pageLogin    = "login"
	pageOverview = "overview"
	pageImport   = "import"
	pageReview   = "review"
	pageSignoff  = "signoff"
	pageReports  = "reports"
	pageTrail    = "trail"
	pageSettings = "settings"
)

// page is one screen of the main window (ui/pages).
type page = pages.Page

// navPage is a screen of the navigation: its id, its label and how it is
// made the first time it is shown.
type navPage struct {
	id, label string
	make      func(*Controller) page
}

var navPages = []navPage{
	{pageOverview, "月度总览", func(c *Controller) page { return pages.NewOverviewPage(c) }},
	{pageImport, "导入文件", func(c *Controller) page { return pages.NewImportPage(c) }},
	{pageReview, "逐条核查", func(c *Controller) page { return pages.NewReviewPage(c) }},
	{pageSignoff, "签字", func(c *Controller) page { return pages.NewSignoffPage(c) }},
	{pageReports, "报表打印", func(c *Controller) page { return pages.NewReportsPage(c) }},
	{pageTrail, "操作记录", func(c *Controller) page { return pages.NewTrailPage(c) }},
	{pageSettings, "设置", func(c *Controller) page { return pages.NewSettingsPage(c) }},
}

// frame is the main window: navigation on the left, a toolbar with the
// period, the screen, and a status bar with workspace, user, role and the
// period's state.
type frame struct {
	c       *Controller
	nav     *widget.List
	period  *widget.Select
	months  []audit.Month
	status  *widget.Label
	banner  *widget.Label // the deadline, when the month is overdue
	body    *fyne.Container
	pages   map[string]page
	current string
	busy    bool // inside show: selecting the nav item must not re-enter
	content fyne.CanvasObject
}

func newFrame(c *Controller) *frame {
	f := &frame{c: c, pages: map[string]page{}, status: widget.NewLabel(""), body: container.NewStack()}
	f.nav = widget.NewList(func() int { return len(navPages) }, func() fyne.CanvasObject {
		return widget.NewLabel("")
	}, func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(tr(navPages[i].label)) })
	f.nav.OnSelected = func(i widget.ListItemID) { f.show(navPages[i].id) }
	f.period = widget.NewSelect(nil, func(s string) {
		for _, m := range f.months {
			if m.Label() == s {
				c.period = m
			}
		}
		f.updateStatus()
		if p := f.pages[f.current]; p != nil {
			p.Refresh()
		}
	})
	f.period.PlaceHolder = tr("选择月份")
	who := widget.NewLabel(fmt.Sprintf("%s（%s）", c.user.Name, audit.Role(c.user.Role).Label()))
	logout := widget.NewButton(tr("退出登录"), c.logout)
	toolbar := container.NewBorder(nil, nil, container.NewHBox(widget.NewLabel(tr("核查月份：")), container.NewGridWrap(fyne.NewSize(170, 40), f.period)),
		container.NewHBox(who, logout))
	f.banner = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	f.banner.Importance = widget.DangerImportance
	f.banner.Wrapping = fyne.TextWrapWord // long lines wrap instead of widening the window
	f.banner.Hide()
	f.status.Truncation = fyne.TextTruncateEllipsis // a long status line is cut, never wider than the screen
	f.content = container.NewBorder(container.NewVBox(toolbar, f.banner), f.status, container.NewGridWrap(fyne.NewSize(130, 400), f.nav), nil, f.body)
	f.loadMonths()
	return f
}

// loadMonths fills the period selector: every month with a roster or a
// death report, newest selected.
func (f *frame) loadMonths() {
	load(f.c, f.c.ws.RosterMonths, func(months []audit.Month) {
		f.months = months
		var labels []string
		for i := len(months) - 1; i >= 0; i-- {
			labels = append(labels, months[i].Label())
		}
		f.period.Options = labels
		if f.c.period == 0 && len(months) > 0 {
			f.period.SetSelected(months[len(months)-1].Label())
		} else if f.c.period != 0 {
			f.period.SetSelected(f.c.period.Label())
		}
		f.period.Refresh()
		f.updateStatus()
	})
}

func (f *frame) updateStatus() {
	c := f.c
	base := fmt.Sprintf("工作区：%s（%s）　用户：%s（%s）", c.ws.Township(c.ctx), c.path, c.user.Name, audit.Role(c.user.Role).Label())
	if c.period == 0 {
		f.status.SetText(base + "　未选择月份")
		return
	}
	f.status.SetText(base + "　" + c.period.Label())
	f.banner.Hide()
	p := c.period
	var st []*audit.PeriodStatus
	c.background(func(ctx context.Context) error {
		var err error
		st, err = c.ws.Status(ctx, p)
		return err
	}, func(err error) {
		if err != nil || len(st) == 0 || c.period != p {
			return
		}
		s := st[0]
		word := "未签字"
		switch {
		case s.Supervisor != nil:
			word = "已复核签字（锁定）"
		case s.Clerk != nil:
			word = "经办人已签字，待复核"
		}
		if s.Overdue {
			word += "，已逾期（应在 " + s.Due + " 前复核签字）"
		}
		f.status.SetText(base + "　" + p.Label() + "：" + word)
		if s.Overdue && s.Supervisor == nil {
			f.banner.SetText(fmt.Sprintf("%s 已逾期：应在 %s 前完成核查并复核签字（每月 10 日前处理上月）", p.Label(), s.Due))
			f.banner.Show()
		}
	})
}

// show switches to a screen (creating it the first time).
func (f *frame) show(id string) {
	if f.busy {
		return
	}
	f.busy = true
	defer func() { f.busy = false }()
	f.c.touch()
	i := slices.IndexFunc(navPages, func(np navPage) bool { return np.id == id })
	if i < 0 {
		return
	}
	p, ok := f.pages[id]
	if !ok {
		p = navPages[i].make(f.c)
		f.pages[id] = p
	}
	f.current = id
	f.body.Objects = []fyne.CanvasObject{p.View()}
	f.body.Refresh()
	f.nav.Select(i)
	p.Refresh()
	// keys go to the screen (the review queue's 1/2/3, J/K), not to the
	// navigation list that was just clicked
	f.c.win.Canvas().Unfocus()
	f.c.shown(id)
}
