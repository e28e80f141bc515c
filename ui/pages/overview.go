package pages

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"pensionaudit/audit"
	"pensionaudit/audit/workspace"
	"pensionaudit/ui/widgets"
)

// Workspace is what the GUI needs from the workspace (audit/workspace
// implements it).
type Workspace interface {
	Township(ctx context.Context) string
	Villages(ctx context.Context) ([]string, error)
	Batches(ctx context.Context, f audit.BatchFilter) ([]audit.Batch, error)
	Problems(ctx context.Context, f audit.ProblemFilter) ([]audit.ProblemRow, int, error)
	Findings(ctx context.Context, f audit.FindingFilter) ([]audit.FindingRow, int, error)
	Status(ctx context.Context, p audit.Month) ([]*audit.PeriodStatus, error)
	FindingCounts(ctx context.Context, p audit.Month) (map[audit.Status]int, map[string]int, error)
	MonthFigures(ctx context.Context, p audit.Month) (*workspace.MonthFigures, error)
	Sources(ctx context.Context) (*workspace.SourceGrid, error)
}

// overview is the first screen: the workspace at a glance — villages and
// their reports per month, imported files with row counts, and problems.
type overview struct {
	ws       Workspace
	Title    *widget.Label
	Summary  *widget.Label
	Villages *widgets.TextTable
	Files    *widgets.TextTable
	Problems *widgets.TextTable
	Findings *widgets.TextTable
	Months   *widgets.TextTable
	Status   *widget.Label
	Chart    *fyne.Container
	// SourceBox holds the source × month grid (remade with the months)
	SourceBox *fyne.Container
	SourceTab *widgets.TextTable
	Tabs      *container.AppTabs
	Period    func() audit.Month // the month chosen in the toolbar
	Figures   *widgets.TextTable // that month: findings per rule and decision
	Money     *widget.Label      // that month: overpayment found, to recover, recovered
	Batches   []audit.Batch      // the files tab's rows
	ProbRows  []audit.ProblemRow // the problems tab's rows
	ProbOff   int                // the problems tab's page
	ProbPage  *widget.Label
	ProbPrev  *widget.Button
	ProbNext  *widget.Button
	OnProblem func(audit.ProblemRow) // a problem clicked
	Content   fyne.CanvasObject
	async     func(func()) // how load runs its work (the controller's)
	do        func(func()) // how its results reach the widgets
}

const problemPage = 500

func newOverview(ws Workspace) *overview {
	o := &overview{
		ws:       ws,
		Title:    widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		Summary:  widget.NewLabel(""),
		Villages: widgets.NewTextTable([]string{tr("村(社区)"), tr("已报月份"), tr("零报告"), tr("死亡人数")}, []float32{140, 260, 200, 110}),
		Files: widgets.NewTextTable([]string{tr("文件"), tr("类型"), tr("村"), tr("月份"), tr("导入行"), tr("有问题行"), tr("跳过行"), "SHA-256"},
			[]float32{300, 120, 90, 90, 90, 110, 90, 120}),
		Problems: widgets.NewTextTable([]string{tr("文件"), tr("工作表"), tr("行"), tr("列"), tr("原值"), tr("问题"), tr("级别")},
			[]float32{260, 110, 60, 140, 170, 420, 70}),
		Findings: widgets.NewTextTable([]string{tr("编号"), tr("月份"), tr("问题"), tr("姓名"), tr("身份证号"), tr("村"), tr("金额"), tr("状态"), tr("依据")},
			[]float32{70, 80, 130, 80, 170, 90, 100, 110, 600}),
		Months: widgets.NewTextTable([]string{tr("月份"), tr("村报告"), tr("核查结果"), "经办人", "审核人", tr("期限")},
			[]float32{90, 250, 340, 110, 150, 150}),
		Status: widget.NewLabel(""),
		Figures: widgets.NewTextTable([]string{tr("问题"), tr("待处理"), tr("已确认"), tr("已排除"), tr("待实地核查"), tr("合计"), tr("涉及金额(元)")},
			[]float32{200, 90, 90, 90, 110, 80, 140}),
		Money: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
	}
	o.Chart = container.NewStack()
	o.SourceBox = container.NewStack()
	o.ProbPage = widget.NewLabel("")
	o.ProbPrev = widget.NewButton(tr("上一页"), func() { o.ProbOff = max(0, o.ProbOff-problemPage); o.load(context.Background(), nil) })
	o.ProbNext = widget.NewButton(tr("下一页"), func() { o.ProbOff += problemPage; o.load(context.Background(), nil) })
	o.Problems.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(o.ProbRows) && o.OnProblem != nil {
			o.OnProblem(o.ProbRows[id.Row])
		}
		o.Problems.UnselectAll()
	}
	probTab := container.NewBorder(nil, container.NewHBox(o.ProbPrev, o.ProbNext, o.ProbPage), nil, nil, o.Problems)
	o.Tabs = container.NewAppTabs(
		container.NewTabItem(tr("上报一览"), o.Chart),
		container.NewTabItem(tr("各来源"), o.SourceBox),
		container.NewTabItem(tr("本月核查"), container.NewBorder(o.Money, nil, nil, nil, o.Figures)),
		container.NewTabItem(tr("各月核查"), o.Months),
		container.NewTabItem(tr("核查结果"), o.Findings),
		container.NewTabItem(tr("村(社区)"), o.Villages),
		container.NewTabItem(tr("已导入文件"), o.Files),
		container.NewTabItem(tr("问题"), probTab),
	)
	o.Content = container.NewBorder(container.NewVBox(o.Title, o.Summary), o.Status, nil, nil, o.Tabs)
	return o
}

// load reads everything in the background and fills the widgets on the Fyne
// goroutine; done (if not nil) is called after.
func (o *overview) load(ctx context.Context, done func()) {
	run := o.async
	if run == nil {
		run = func(f func()) { go f() }
	}
	run(func() {
		d, err := o.fetch(ctx)
		do := o.do
		if do == nil {
			do = fyne.Do
		}
		do(func() {
			if err != nil {
				o.Status.SetText("读取工作区出错：" + err.Error())
			} else {
				o.show(d)
			}
			if done != nil {
				done()
			}
		})
	})
}

type overviewData struct {
	Township   string
	Villages   []string
	Batches    []audit.Batch
	Problems   []audit.ProblemRow
	TotalProbs int
	Deaths     map[string]int
	Findings   []audit.FindingRow
	TotalFinds int
	Months     []*audit.PeriodStatus
	OpenByVill map[string]int
	Period     audit.Month
	Figures    *workspace.MonthFigures
	Sources    *workspace.SourceGrid
}

func (o *overview) fetch(ctx context.Context) (*overviewData, error) {
	d := &overviewData{Township: o.ws.Township(ctx), Deaths: map[string]int{}}
	var err error
	if d.Villages, err = o.ws.Villages(ctx); err != nil {
		return nil, err
	}
	if d.Batches, err = o.ws.Batches(ctx, audit.BatchFilter{}); err != nil {
		return nil, err
	}
	if d.Problems, d.TotalProbs, err = o.ws.Problems(ctx, audit.ProblemFilter{Limit: problemPage, Offset: o.ProbOff}); err != nil {
		return nil, err
	}
	if d.Findings, d.TotalFinds, err = o.ws.Findings(ctx, audit.FindingFilter{Limit: problemPage}); err != nil {
		return nil, err
	}
	if d.Months, err = o.ws.Status(ctx, 0); err != nil {
		return nil, err
	}
	if _, d.OpenByVill, err = o.ws.FindingCounts(ctx, 0); err != nil {
		return nil, err
	}
	if d.Sources, err = o.ws.Sources(ctx); err != nil {
		return nil, err
	}
	if o.Period != nil {
		if d.Period = o.Period(); d.Period != 0 {
			if d.Figures, err = o.ws.MonthFigures(ctx, d.Period); err != nil {
				return nil, err
			}
		}
	}
	return d, nil
}

func (o *overview) show(d *overviewData) {
	o.Title.SetText(d.Township + " 养老金发放核查工作台")
	reported := map[string][]string{}
	nils := map[string][]string{}
	deaths := map[string]int{}
	var months []string
	seenMonth := map[string]bool{}
	var fileRows [][]string
	for _, b := range d.Batches {
		p := b.Period.String()
		switch b.Kind {
		case audit.KindDeaths:
			reported[b.Village] = append(reported[b.Village], p)
			if b.NilReport {
				nils[b.Village] = append(nils[b.Village], p)
			}
			deaths[b.Village] += b.Imported
		case audit.KindPayouts:
			if !seenMonth[p] {
				seenMonth[p] = true
				months = append(months, p)
			}
		}
		fileRows = append(fileRows, []string{b.FileName, b.Kind.Label(), b.Village, p, strconv.Itoa(b.Imported),
			strconv.Itoa(b.ProblemRows), strconv.Itoa(b.Skipped), b.SHA256[:12]})
	}
	var vrows [][]string
	for _, v := range d.Villages {
		vrows = append(vrows, []string{v, strings.Join(reported[v], " "), strings.Join(nils[v], " "), strconv.Itoa(deaths[v])})
	}
	var prows [][]string
	for _, p := range d.Problems {
		raw := p.Raw
		if p.Field == "id" {
			raw = workspace.MaskID(raw)
		}
		col := p.Column
		if p.Header != "" {
			col += " " + p.Header
		}
		prows = append(prows, []string{p.File, p.Sheet, strconv.Itoa(p.Row), col, raw, p.Reason, p.Level.Label()})
	}
	var frows [][]string
	for _, f := range d.Findings {
		frows = append(frows, []string{"#" + strconv.FormatInt(f.ID, 10), f.Period, workspace.RuleLabel(f.Rule), f.Name, workspace.MaskID(f.IDNumber), f.Village,
			f.Amount.Grouped(), audit.Status(f.Status).Label(), f.Detail})
	}
	o.Findings.SetRows(frows)
	var mrows [][]string
	for _, st := range d.Months {
		counts := map[string]int{}
		for _, r := range st.Reports {
			counts[r.State]++
		}
		reports := fmt.Sprintf("已报 %d · 零报告 %d · 未报 %d", counts["reported"], counts["nil"], counts["missing"])
		finds := fmt.Sprintf("待处理 %d · 已确认 %d · 已排除 %d · 待核查 %d", st.Findings[audit.StatusOpen], st.Findings[audit.StatusConfirmed],
			st.Findings[audit.StatusDismissed], st.Findings[audit.StatusVisit])
		if st.Checked == "" {
			finds = "尚未核查"
		}
		clerk, sup := "未签字", "未签字"
		if st.Clerk != nil {
			clerk = st.Clerk.User
		}
		if st.Supervisor != nil {
			sup = st.Supervisor.User + "（已锁定）"
		}
		due := st.Due
		if st.Overdue {
			due += " 已逾期"
		}
		mrows = append(mrows, []string{st.Period, reports, finds, clerk, sup, due})
	}
	o.Months.SetRows(mrows)
	o.showFigures(d)
	o.Chart.Objects = []fyne.CanvasObject{widgets.ReportGrid(d.Months, d.OpenByVill)}
	o.Chart.Refresh()
	o.showSources(d.Sources)
	o.Villages.SetRows(vrows)
	o.Batches = d.Batches
	o.Files.SetRows(fileRows)
	o.Problems.SetRows(prows)
	o.ProbRows = d.Problems
	o.ProbPage.SetText(fmt.Sprintf("第 %d–%d 个，共 %d 个；点一行查看原文件该行", min(o.ProbOff+1, d.TotalProbs), o.ProbOff+len(d.Problems), d.TotalProbs))
	setEnabled(o.ProbPrev, o.ProbOff > 0)
	setEnabled(o.ProbNext, o.ProbOff+len(d.Problems) < d.TotalProbs)
	o.Summary.SetText(fmt.Sprintf("村(社区) %d 个 · 已导入文件 %d 个 · 发放月份 %s · 导入问题 %d 个 · 核查结果 %d 条",
		len(d.Villages), len(d.Batches), strings.Join(months, "、"), d.TotalProbs, d.TotalFinds))
}

func setEnabled(b *widget.Button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}

// showFigures fills the month tab: findings per rule and decision, and the
// money lines of the sign-off sheet.
func (o *overview) showFigures(d *overviewData) {
	if d.Figures == nil {
		o.Money.SetText("请在上方选择核查月份。")
		o.Figures.SetRows(nil)
		return
	}
	f := d.Figures
	if len(f.Rules) == 0 {
		o.Money.SetText(d.Period.Label() + "：没有核查结果（尚未核查，或核查没有发现问题）。")
	} else {
		o.Money.SetText(fmt.Sprintf("%s：发现多发金额 %s 元 · 应追回 %s 元 · 已追回 %s 元 · 尚欠 %s 元",
			d.Period.Label(), f.Found.Grouped(), f.ToRecover.Grouped(), f.Recovered.Grouped(), (f.ToRecover - f.Recovered).Grouped()))
	}
	var rows [][]string
	for _, r := range f.Rules {
		amount := ""
		if r.Amount != 0 {
			amount = r.Amount.Grouped()
		}
		rows = append(rows, []string{workspace.RuleLabel(r.Rule), strconv.Itoa(r.ByStatus[audit.StatusOpen]), strconv.Itoa(r.ByStatus[audit.StatusConfirmed]),
			strconv.Itoa(r.ByStatus[audit.StatusDismissed]), strconv.Itoa(r.ByStatus[audit.StatusVisit]), strconv.Itoa(r.Total), amount})
	}
	o.Figures.SetRows(rows)
}

// showSources fills the source tab: per source and month, what was loaded
// (✔ with its count), not covered by the files loaded (—), or never loaded
// (✘: its checks did not run).
func (o *overview) showSources(g *workspace.SourceGrid) {
	if g == nil {
		return
	}
	headers := []string{tr("来源")}
	widths := []float32{200}
	for _, m := range g.Months {
		headers = append(headers, m.String())
		widths = append(widths, 110)
	}
	headers = append(headers, tr("说明"))
	widths = append(widths, 300)
	o.SourceTab = widgets.NewTextTable(headers, widths)
	var rows [][]string
	for _, l := range g.Lines {
		rows = append(rows, append(append([]string{l.Kind.Label()}, l.Cells...), l.Note))
	}
	o.SourceTab.SetRows(rows)
	note := widget.NewLabel("✔ 已导入（本月的记录数）　⚠ 有的村没有上报　— 已导入的文件没有覆盖这个月　✘ 没有导入：相应的核查没有进行，不等于没有问题")
	note.Wrapping = fyne.TextWrapWord
	o.SourceBox.Objects = []fyne.CanvasObject{container.NewBorder(note, nil, nil, nil, o.SourceTab)}
	o.SourceBox.Refresh()
}
