package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"pensionaudit/audit"
	"pensionaudit/audit/workspace"
	"pensionaudit/ui/widgets"
)

// reviewPage is the queue: the month's findings paged and filtered in SQL,
// the evidence of the selected one beside them, and the decision by button
// or key (1 确认 · 2 排除 · 3 待实地核查, J/K or ↓/↑ for next/previous); after a
// decision the next undecided finding comes up.
type reviewPage struct {
	c        *Controller
	status   *widget.Select
	search   *widget.Entry
	rule     *widget.Select // 全部问题 or one rule
	village  *widget.Select // 全部村 or one village
	sort     *widget.Select
	table    *widgets.TextTable
	rows     []audit.FindingRow
	selected int
	progress *widget.Label
	evidence *widget.Label
	sources  *fyne.Container // a button per piece of evidence with a file row: open the kept file there
	action   *widget.Select
	reason   *widget.Select
	note     *widget.Entry
	confirm  *widget.Button
	dismiss  *widget.Button
	visit    *widget.Button
	check    *widget.Button
	prev     *widget.Button
	next     *widget.Button
	undo     *widget.Button
	allMonth *widget.Check // decide the same payee's open findings of every month at once
	done     []int64       // this session's decisions, newest last (for 撤销)
	offset   int
	total    int
	content  fyne.CanvasObject
}

var statusFilter = []string{"未处理", "全部", "已确认", "已排除", "待实地核查"}
var statusIDs = map[string]audit.Status{"未处理": audit.StatusOpen, "全部": "", "已确认": audit.StatusConfirmed, "已排除": audit.StatusDismissed, "待实地核查": audit.StatusVisit}

const allRules, allVillages = "全部问题", "全部村(社区)"

var sortOptions = []string{"按类型排序", "按金额排序", "按村排序", "按姓名排序"}
var sortIDs = map[string]string{"按类型排序": "", "按金额排序": "amount", "按村排序": "village", "按姓名排序": "name"}

// ruleOf is the rule a label of the rule filter means ("" for all).
func ruleOf(label string) string {
	for _, r := range workspace.Rules() {
		if workspace.RuleLabel(r) == label {
			return r
		}
	}
	return ""
}

var actionOptions = []string{"止付", "追回", "移交"}
var actionIDs = map[string]audit.Action{"止付": audit.ActionStop, "追回": audit.ActionRecover, "移交": audit.ActionRefer}

const reviewPageSize = 200

func newReviewPage(c *Controller) *reviewPage {
	p := &reviewPage{c: c, selected: -1, progress: widget.NewLabel(""), evidence: widget.NewLabel(""), note: widget.NewMultiLineEntry(),
		search: widget.NewEntry(),
		table: widgets.NewTextTable([]string{tr("编号"), tr("问题"), tr("姓名"), tr("身份证号"), tr("村(社区)"), tr("金额(元)"), tr("状态")},
			[]float32{54, 128, 72, 174, 84, 80, 80})}
	p.evidence.Wrapping = fyne.TextWrapWord
	p.sources = container.NewVBox()
	p.progress.TextStyle.Bold = true
	p.prev = widget.NewButton(tr("上一页"), func() {
		p.offset = max(p.offset-reviewPageSize, 0)
		p.refresh()
	})
	p.next = widget.NewButton(tr("下一页"), func() {
		if p.offset+reviewPageSize < p.total {
			p.offset += reviewPageSize
			p.refresh()
		}
	})
	p.status = widget.NewSelect(statusFilter, func(string) {
		p.offset = 0
		p.refresh()
	})
	p.status.SetSelected("未处理")
	ruleOpts := []string{allRules}
	for _, r := range workspace.Rules() {
		ruleOpts = append(ruleOpts, workspace.RuleLabel(r))
	}
	refilter := func(string) {
		p.offset = 0
		p.refresh()
	}
	p.rule = widget.NewSelect(ruleOpts, nil)
	p.rule.SetSelected(allRules)
	p.rule.OnChanged = refilter
	p.village = widget.NewSelect([]string{allVillages}, nil)
	p.village.SetSelected(allVillages)
	if vs, err := c.ws.Villages(c.ctx); err == nil {
		p.village.Options = append(p.village.Options, vs...)
	}
	p.village.OnChanged = refilter
	p.sort = widget.NewSelect(sortOptions, nil)
	p.sort.SetSelected(sortOptions[0])
	p.sort.OnChanged = refilter
	p.search.SetPlaceHolder("姓名、身份证号或账号")
	p.search.OnSubmitted = func(string) {
		p.offset = 0
		p.refresh()
	}
	p.action = widget.NewSelect(actionOptions, nil)
	p.action.SetSelected("止付")
	p.reason = widget.NewSelect(audit.DismissReasons, nil)
	p.reason.PlaceHolder = tr("排除理由")
	p.note.SetPlaceHolder("核实情况（排除与死亡有关的问题时必填）")
	p.note.SetMinRowsVisible(2)
	p.confirm = widget.NewButton(tr("1 确认"), func() { p.decide(audit.DecisionConfirm) })
	p.dismiss = widget.NewButton(tr("2 排除"), func() { p.decide(audit.DecisionDismiss) })
	p.visit = widget.NewButton(tr("3 待实地核查"), func() { p.decide(audit.DecisionVisit) })
	p.confirm.Importance = widget.DangerImportance
	p.check = widget.NewButton(tr("运行本月核查"), p.runCheck)
	p.undo = widget.NewButton(tr("撤销上一条（Ctrl+Z）"), p.undoLast)
	p.allMonth = widget.NewCheck("同时处理此人其他月份未处理的同类问题（每条分别记录）", nil)
	p.undo.Disable()
	c.win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyZ, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) {
		if c.frame != nil && c.frame.current == pageReview && !c.locked {
			p.undoLast()
		}
	})
	p.table.OnSelected = func(id widget.TableCellID) {
		p.selectRow(id.Row)
		c.win.Canvas().Unfocus() // 1/2/3 and J/K keep working after a click in the table
	}
	filters := container.NewBorder(nil, nil, container.NewHBox(p.status, p.rule, p.village, p.sort), container.NewHBox(p.check), p.search)
	decide := container.NewVBox(
		widget.NewForm(widget.NewFormItem(tr("确认后"), p.action), widget.NewFormItem(tr("排除理由"), p.reason), widget.NewFormItem(tr("说明"), p.note)),
		p.allMonth, container.NewGridWithColumns(3, p.confirm, p.dismiss, p.visit), p.undo,
		widget.NewLabel("键盘：1 确认 · 2 排除 · 3 待实地核查 · J/↓ 下一条 · K/↑ 上一条"))
	right := container.NewBorder(nil, decide, nil, nil, container.NewVScroll(container.NewVBox(p.evidence, p.sources)))
	split := container.NewHSplit(container.NewBorder(container.NewBorder(nil, nil, nil, container.NewHBox(p.prev, p.next), p.progress), nil, nil, nil, p.table), right)
	split.Offset = 0.6
	p.content = container.NewBorder(filters, nil, nil, nil, split)
	return p
}

func (p *reviewPage) view() fyne.CanvasObject {
	p.c.win.Canvas().SetOnTypedKey(p.key)
	return p.content
}

// key handles the review keys when no entry has the focus.
func (p *reviewPage) key(e *fyne.KeyEvent) {
	p.c.touch()
	if p.c.frame == nil || p.c.frame.current != pageReview || p.c.locked {
		return
	}
	switch e.Name {
	case fyne.Key1:
		p.decide(audit.DecisionConfirm)
	case fyne.Key2:
		p.decide(audit.DecisionDismiss)
	case fyne.Key3:
		p.decide(audit.DecisionVisit)
	case fyne.KeyJ, fyne.KeyDown:
		p.selectRow(p.selected + 1)
	case fyne.KeyK, fyne.KeyUp:
		p.selectRow(p.selected - 1)
	}
}

func (p *reviewPage) refresh() {
	if p.rule == nil || p.village == nil || p.sort == nil {
		return // still being built
	}
	c := p.c
	if c.period == 0 {
		p.progress.SetText("请先在上方选择月份。")
		return
	}
	f := audit.FindingFilter{Period: c.period, Status: statusIDs[p.status.Selected], Search: strings.TrimSpace(p.search.Text), Limit: reviewPageSize, Offset: p.offset,
		Rule: ruleOf(p.rule.Selected), Sort: sortIDs[p.sort.Selected]}
	if p.village.Selected != allVillages {
		f.Village = p.village.Selected
	}
	var rows []audit.FindingRow
	var total, open, all int
	checked := true
	c.background(func(ctx context.Context) error {
		var err error
		st, err := c.ws.Status(ctx, c.period)
		if err != nil {
			return err
		}
		checked = len(st) > 0 && st[0].Checked != ""
		if rows, total, err = c.ws.Findings(ctx, f); err != nil {
			return err
		}
		counts, err := c.ws.StatusCounts(ctx, c.period)
		if err != nil {
			return err
		}
		for s, n := range counts {
			if s != "withdrawn" {
				all += n
			}
		}
		open = counts[audit.StatusOpen]
		return nil
	}, func(err error) {
		if err != nil {
			c.showError(err)
			return
		}
		p.rows, p.total = rows, total
		if p.offset > 0 && len(rows) == 0 && total > 0 {
			p.offset = max(total-reviewPageSize, 0)
			p.refresh()
			return
		}
		if p.offset > 0 {
			p.prev.Enable()
		} else {
			p.prev.Disable()
		}
		if p.offset+len(rows) < total {
			p.next.Enable()
		} else {
			p.next.Disable()
		}
		out := make([][]string, len(rows))
		for i, r := range rows {
			out[i] = []string{"#" + strconv.FormatInt(r.ID, 10), workspace.RuleLabel(r.Rule), r.Name, workspace.MaskID(r.IDNumber), r.Village, r.Amount.Grouped(), audit.Status(r.Status).Label()}
		}
		p.table.SetRows(out)
		shown := ""
		if total > len(rows) {
			shown = fmt.Sprintf("（第 %d–%d 条，共 %d 条符合条件）", p.offset+1, p.offset+len(rows), total)
		}
		p.progress.SetText(fmt.Sprintf("%s：已处理 %d / %d %s", c.period.Label(), all-open, all, shown))
		if len(rows) > 0 {
			p.selectRow(min(max(p.selected, 0), len(rows)-1))
		} else {
			p.selected = -1
			p.sources.RemoveAll()
			if checked {
				p.evidence.SetText("没有符合条件的核查结果。")
			} else {
				// an empty queue must not look like a clean month
				p.evidence.SetText(c.period.Label() + " 还没有核查：请点右上角“运行本月核查”。")
			}
		}
	})
}

func (p *reviewPage) selectRow(i int) {
	if i < 0 || i >= len(p.rows) {
		return
	}
	p.selected = i
	r := p.rows[i]
	p.table.Select(widget.TableCellID{Row: i, Col: 0})
	var b strings.Builder
	fmt.Fprintf(&b, "#%d %s\n%s（%s）%s\n\n%s\n", r.ID, workspace.RuleLabel(r.Rule), audit.Escape(r.Name, 0), workspace.MaskID(r.IDNumber), r.Village, r.Detail)
	if len(r.Evidence) > 0 {
		b.WriteString("\n依据：\n")
		for _, e := range r.Evidence {
			where := e.File
			if e.Row > 0 {
				where += fmt.Sprintf(" 第%d行", e.Row)
			}
			line := strings.TrimSpace(strings.Join([]string{evidenceKind(e.Kind), where, e.Month, e.Date, e.Type, e.Note}, " "))
			if e.Amount != nil {
				line += " " + e.Amount.String() + "元"
			}
			b.WriteString("· " + line + "\n")
		}
	}
	p.sources.Objects = nil
	for _, e := range r.Evidence {
		if e.File != "" && e.Row > 0 {
			e := e
			btn := widget.NewButton(fmt.Sprintf("查看原文件：%s 第%d行", audit.Escape(e.File, 40), e.Row), func() {
				p.c.showSource(0, e.File, e.Sheet, e.Row, "")
			})
			btn.Alignment = widget.ButtonAlignLeading
			p.sources.Objects = append(p.sources.Objects, btn)
		}
	}
	p.sources.Refresh()
	if len(r.Suggestions) > 0 {
		b.WriteString("\n可能是同一人：" + strings.Join(r.Suggestions, "、") + "\n")
	}
	if r.Rule == "possible_match" && len(r.Evidence) >= 2 {
		b.WriteString("\n逐项比较（✔ 相同，✘ 不同）：\n")
		field := func(label string, get func(e audit.Evidence) string) {
			var vals []string
			same := true
			for i, e := range r.Evidence {
				v := get(e)
				if i > 0 && v != get(r.Evidence[0]) {
					same = false
				}
				if v == "" {
					v = "（空）"
				}
				vals = append(vals, audit.Escape(v, 40))
			}
			mark := "✔"
			if !same {
				mark = "✘"
			}
			fmt.Fprintf(&b, "%s %s：%s\n", mark, label, strings.Join(vals, " ｜ "))
		}
		field("来源", func(e audit.Evidence) string { return evidenceKind(e.Kind) })
		field("姓名", func(e audit.Evidence) string { return e.Name })
		field("身份证号", func(e audit.Evidence) string { return workspace.MaskID(e.ID) })
		field("出生日期", func(e audit.Evidence) string {
			if len(e.ID) >= 14 {
				return e.ID[6:14]
			}
			return ""
		})
		field("村(社区)", func(e audit.Evidence) string { return e.Village })
	}
	b.WriteString("\n当前状态：" + audit.Status(r.Status).Label())
	p.evidence.SetText(b.String())
	if r.IDNumber == "" {
		return
	}
	// the payee's payouts month by month, beside the death month
	base := b.String()
	var lines []audit.PayoutLine
	var months []audit.FindingRow
	p.c.background(func(ctx context.Context) error {
		var err error
		if lines, err = p.c.ws.PayeeTimeline(ctx, r.IDNumber); err != nil {
			return err
		}
		months, _, err = p.c.ws.Findings(ctx, audit.FindingFilter{Search: r.IDNumber, Rule: r.Rule, Sort: "case", Limit: 60})
		return err
	}, func(err error) {
		if err != nil || p.selected != i {
			return
		}
		var t strings.Builder
		t.WriteString(base)
		// one case: this person, this rule, every month
		var inCase []audit.FindingRow
		for _, f := range months {
			if f.Case == r.Case {
				inCase = append(inCase, f)
			}
		}
		if len(inCase) > 1 {
			var total audit.Fen
			open := 0
			t.WriteString("\n\n同一案件（此人此类问题各月，共 " + strconv.Itoa(len(inCase)) + " 个月）：\n")
			for _, f := range inCase {
				total += f.Amount
				if f.Status == audit.StatusOpen && f.ID != r.ID {
					open++
				}
				fmt.Fprintf(&t, "· %s %s元 %s\n", f.Period, f.Amount.Grouped(), f.Status.Label())
			}
			fmt.Fprintf(&t, "合计 %s 元", total.Grouped())
			// decide the case at once by default; each month is recorded on its own
			p.allMonth.SetChecked(open > 0)
		} else {
			p.allMonth.SetChecked(false)
		}
		if len(lines) == 0 {
			p.evidence.SetText(t.String())
			return
		}
		t.WriteString("\n\n此人各月发放：\n")
		lastAccount := ""
		for _, l := range lines {
			acct := ""
			if lastAccount != "" && l.Account != lastAccount {
				acct = "（账号变更）"
			}
			lastAccount = l.Account
			fmt.Fprintf(&t, "· %s %s %s元%s\n", l.Month, l.PayType, l.Amount.Grouped(), acct)
		}
		p.evidence.SetText(t.String())
	})
}

func evidenceKind(k string) string {
	switch k {
	case "payout":
		return "发放记录"
	case "payee":
		return "领取人（花名册）"
	case "village_report":
		return "村死亡名单"
	case "deregistration":
		return "户籍注销"
	case "report_status":
		return "上报情况"
	case "correction":
		return "数据更正"
	case "roster_change":
		return "整体变化"
	}
	return k
}

// decide records the decision on the selected finding and moves on.
func (p *reviewPage) decide(decision audit.Verdict) {
	c := p.c
	if p.selected < 0 || p.selected >= len(p.rows) {
		return
	}
	r := p.rows[p.selected]
	in := audit.DecideInput{FindingID: r.ID, Decision: decision, Note: p.note.Text}
	switch decision {
	case audit.DecisionConfirm:
		in.Action = actionIDs[p.action.Selected]
	case audit.DecisionDismiss:
		in.Reason = p.reason.Selected
	}
	u := *c.user
	together := p.allMonth.Checked && r.IDNumber != ""
	var ids []int64
	c.background(func(ctx context.Context) error {
		targets := []int64{r.ID}
		if together {
			// the same payee's open findings of the same rule in other
			// months: decided together, each one recorded on its own
			others, _, err := c.ws.Findings(ctx, audit.FindingFilter{Search: r.IDNumber, Rule: r.Rule, Status: audit.StatusOpen, Limit: 100})
			if err != nil {
				return err
			}
			for _, o := range others {
				if o.ID != r.ID && o.IDNumber == r.IDNumber {
					targets = append(targets, o.ID)
				}
			}
		}
		for _, id := range targets {
			in.FindingID = id
			d, err := c.ws.Decide(ctx, u, in)
			if err != nil {
				if len(ids) > 0 {
					return audit.Errorf(audit.ErrConflict, "已处理 %d 条，第 %d 条未能处理：%s", len(ids), len(ids)+1, plain(err))
				}
				return err
			}
			ids = append(ids, d.ID)
		}
		return nil
	}, func(err error) {
		p.done = append(p.done, ids...)
		if err != nil {
			c.showError(err)
			p.refresh()
			return
		}
		p.undo.Enable()
		p.note.SetText("")
		p.refresh()
	})
}

// undoLast takes back this session's latest decision; the finding comes
// back into the queue.
func (p *reviewPage) undoLast() {
	c := p.c
	if len(p.done) == 0 {
		return
	}
	id := p.done[len(p.done)-1]
	u := *c.user
	c.background(func(ctx context.Context) error {
		_, err := c.ws.UndoDecision(ctx, u, id)
		return err
	}, func(err error) {
		if err != nil {
			c.showError(err)
			return
		}
		p.done = p.done[:len(p.done)-1]
		if len(p.done) == 0 {
			p.undo.Disable()
		}
		p.refresh()
	})
}

// runCheck checks the month (the same use case as the command line).
func (p *reviewPage) runCheck() {
	c := p.c
	if c.period == 0 {
		return
	}
	p.check.Disable()
	p.progress.SetText("正在核查 " + c.period.Label() + "……")
	var res *audit.CheckResult
	c.background(func(ctx context.Context) error {
		var err error
		res, err = c.ws.Check(ctx, *c.user, c.period, func(stage string) {
			c.do(func() { p.progress.SetText("正在核查：" + stage) })
		})
		return err
	}, func(err error) {
		p.check.Enable()
		if err != nil {
			c.showError(err)
			return
		}
		total := 0
		for _, n := range res.Counts {
			total += n
		}
		p.refresh()
		c.frame.updateStatus()
	})
}
