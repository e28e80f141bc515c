package pages

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

// ReviewPage is the queue: the month's findings paged and filtered in SQL,
// the evidence of the selected one beside them, and the decision by button
// or key (1 确认 · 2 排除 · 3 待实地核查, J/K or ↓/↑ for next/previous); after a
// decision the next undecided finding comes up.
type ReviewPage struct {
	c        Host
	Status   *widget.Select
	Search   *widgets.UndoEntry
	Rule     *widget.Select // 全部问题 or one rule
	Village  *widget.Select // 全部村 or one village
	Sort     *widget.Select
	Table    *widgets.TextTable
	Rows     []audit.FindingRow
	Selected int
	Progress *widget.Label
	Evidence *widget.Label
	Sources  *fyne.Container // a button per piece of evidence with a file row: open the kept file there
	Action   *widget.Select
	Reason   *widget.Select
	Note     *widgets.UndoEntry
	evScroll *container.Scroll
	Confirm  *widget.Button
	Dismiss  *widget.Button
	Visit    *widget.Button
	Check    *widget.Button
	Prev     *widget.Button
	Next     *widget.Button
	Undo     *widget.Button
	AllMonth *widget.Check // decide the same payee's open findings of every month at once
	Done     []int64       // this session's decisions, newest last (for 撤销)
	Offset   int
	Total    int
	Content  fyne.CanvasObject
}

var statusFilter = []string{"未处理", "全部", "已确认", "已排除", "待实地核查"}
var statusIDs = map[string]audit.Status{"未处理": audit.StatusOpen, "全部": "", "已确认": audit.StatusConfirmed, "已排除": audit.StatusDismissed, "待实地核查": audit.StatusVisit}

const AllRules, AllVillages = "全部问题", "全部村(社区)"

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

func NewReviewPage(c Host) *ReviewPage {
	p := &ReviewPage{c: c, Selected: -1, Progress: widget.NewLabel(""), Evidence: widget.NewLabel(""), Note: widgets.NewUndoEntry(true),
		Search: widgets.NewUndoEntry(false),
		Table: widgets.NewTextTable([]string{tr("编号"), tr("问题"), tr("姓名"), tr("身份证号"), tr("村(社区)"), tr("金额(元)"), tr("状态")},
			[]float32{62, 160, 66, 174, 80, 88, 66})}
	p.Evidence.Wrapping = fyne.TextWrapWord
	p.Sources = container.NewVBox()
	p.Progress.TextStyle.Bold = true
	p.Prev = widget.NewButton(tr("上一页"), func() {
		p.Offset = max(p.Offset-reviewPageSize, 0)
		p.Refresh()
	})
	p.Next = widget.NewButton(tr("下一页"), func() {
		if p.Offset+reviewPageSize < p.Total {
			p.Offset += reviewPageSize
			p.Refresh()
		}
	})
	p.Status = widget.NewSelect(statusFilter, func(string) {
		p.Offset = 0
		p.Refresh()
	})
	p.Status.SetSelected("未处理")
	ruleOpts := []string{AllRules}
	for _, r := range workspace.Rules() {
		ruleOpts = append(ruleOpts, workspace.RuleLabel(r))
	}
	refilter := func(string) {
		p.Offset = 0
		p.Refresh()
	}
	p.Rule = widget.NewSelect(ruleOpts, nil)
	p.Rule.SetSelected(AllRules)
	p.Rule.OnChanged = refilter
	p.Village = widget.NewSelect([]string{AllVillages}, nil)
	p.Village.SetSelected(AllVillages)
	if vs, err := c.WS().Villages(c.Ctx()); err == nil {
		p.Village.Options = append(p.Village.Options, vs...)
	}
	p.Village.OnChanged = refilter
	p.Sort = widget.NewSelect(sortOptions, nil)
	p.Sort.SetSelected(sortOptions[0])
	p.Sort.OnChanged = refilter
	p.Search.SetPlaceHolder("姓名、身份证号或账号（按回车查找）")
	p.Search.OnSubmitted = func(string) {
		p.Offset = 0
		p.Refresh()
	}
	p.Action = widget.NewSelect(actionOptions, nil)
	p.Action.SetSelected("止付")
	p.Reason = widget.NewSelect(audit.DismissReasons, nil)
	p.Reason.PlaceHolder = tr("排除理由")
	p.Note.SetPlaceHolder("核实情况（排除与死亡有关的问题时必填）")
	p.Note.SetMinRowsVisible(2)
	p.Confirm = widget.NewButton(tr("1 确认"), func() { p.decide(audit.DecisionConfirm) })
	p.Dismiss = widget.NewButton(tr("2 排除"), func() { p.decide(audit.DecisionDismiss) })
	p.Visit = widget.NewButton(tr("3 实地核查"), func() { p.decide(audit.DecisionVisit) })
	p.Confirm.Importance = widget.DangerImportance
	p.Check = widget.NewButton(tr("运行本月核查"), p.runCheck)
	p.Undo = widget.NewButton(tr("撤销上一条（Ctrl+Z）"), p.UndoLast)
	p.AllMonth = widget.NewCheck("同时处理此人其他月份的同类问题（逐月记录）", nil)
	p.Undo.Disable()
	p.Note.OnUndo, p.Search.OnUndo = p.UndoLast, p.UndoLast // Ctrl+Z in a field is the screen's undo too
	c.Win().Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyZ, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) {
		if c.Current() == Review && !c.Locked() {
			p.UndoLast()
		}
	})
	p.Table.OnSelected = func(id widget.TableCellID) {
		p.SelectRow(id.Row)
		c.Win().Canvas().Unfocus() // 1/2/3 and J/K keep working after a click in the table
	}
	filters := container.NewBorder(nil, nil, container.NewHBox(p.Status, p.Rule, p.Village, p.Sort), container.NewHBox(p.Check), p.Search)
	decide := container.NewVBox(
		widget.NewForm(widget.NewFormItem(tr("确认后"), p.Action), widget.NewFormItem(tr("排除理由"), p.Reason), widget.NewFormItem(tr("说明"), p.Note)),
		p.AllMonth, container.NewGridWithColumns(3, p.Confirm, p.Dismiss, p.Visit), p.Undo,
		widget.NewLabel("键盘：1 确认 · 2 排除 · 3 实地核查\n　　　J/↓ 下一条 · K/↑ 上一条"))
	p.evScroll = container.NewVScroll(container.NewVBox(p.Evidence, p.Sources))
	right := container.NewBorder(nil, decide, nil, nil, p.evScroll)
	split := container.NewHSplit(container.NewBorder(container.NewBorder(nil, nil, nil, container.NewHBox(p.Prev, p.Next), p.Progress), nil, nil, nil, p.Table), right)
	split.Offset = 0.6
	p.Content = container.NewBorder(filters, nil, nil, nil, split)
	return p
}

func (p *ReviewPage) View() fyne.CanvasObject {
	p.c.Win().Canvas().SetOnTypedKey(p.key)
	return p.Content
}

// key handles the review keys when no entry has the focus.
func (p *ReviewPage) key(e *fyne.KeyEvent) {
	p.c.Touch()
	if p.c.Current() != Review || p.c.Locked() {
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
		p.SelectRow(p.Selected + 1)
	case fyne.KeyK, fyne.KeyUp:
		p.SelectRow(p.Selected - 1)
	}
}

func (p *ReviewPage) Refresh() {
	if p.Rule == nil || p.Village == nil || p.Sort == nil {
		return // still being built
	}
	c := p.c
	if c.Period() == 0 {
		p.Progress.SetText("请先在上方选择月份。")
		return
	}
	f := audit.FindingFilter{Period: c.Period(), Status: statusIDs[p.Status.Selected], Search: strings.TrimSpace(p.Search.Text), Limit: reviewPageSize, Offset: p.Offset,
		Rule: ruleOf(p.Rule.Selected), Sort: sortIDs[p.Sort.Selected]}
	if p.Village.Selected != AllVillages {
		f.Village = p.Village.Selected
	}
	var rows []audit.FindingRow
	var total, open, all int
	checked := true
	c.Background(func(ctx context.Context) error {
		var err error
		st, err := c.WS().Status(ctx, c.Period())
		if err != nil {
			return err
		}
		checked = len(st) > 0 && st[0].Checked != ""
		if rows, total, err = c.WS().Findings(ctx, f); err != nil {
			return err
		}
		counts, err := c.WS().StatusCounts(ctx, c.Period())
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
			c.ShowError(err)
			return
		}
		p.Rows, p.Total = rows, total
		if p.Offset > 0 && len(rows) == 0 && total > 0 {
			p.Offset = max(total-reviewPageSize, 0)
			p.Refresh()
			return
		}
		if p.Offset > 0 {
			p.Prev.Enable()
		} else {
			p.Prev.Disable()
		}
		if p.Offset+len(rows) < total {
			p.Next.Enable()
		} else {
			p.Next.Disable()
		}
		out := make([][]string, len(rows))
		for i, r := range rows {
			out[i] = []string{"#" + strconv.FormatInt(r.ID, 10), workspace.RuleLabel(r.Rule), r.Name, workspace.MaskID(r.IDNumber), r.Village, r.Amount.Grouped(), audit.Status(r.Status).Short()}
		}
		p.Table.SetRows(out)
		shown := ""
		if total > len(rows) {
			shown = fmt.Sprintf("（第 %d–%d 条，共 %d 条符合条件）", p.Offset+1, p.Offset+len(rows), total)
		}
		p.Progress.SetText(fmt.Sprintf("%s：已处理 %d / %d %s", c.Period().Label(), all-open, all, shown))
		if len(rows) > 0 {
			p.SelectRow(min(max(p.Selected, 0), len(rows)-1))
		} else {
			p.Selected = -1
			p.Sources.RemoveAll()
			if checked {
				p.Evidence.SetText("没有符合条件的核查结果。")
			} else {
				// an empty queue must not look like a clean month
				p.Evidence.SetText(c.Period().Label() + " 还没有核查：请点右上角“运行本月核查”。")
			}
		}
	})
}

func (p *ReviewPage) SelectRow(i int) {
	if i < 0 || i >= len(p.Rows) {
		return
	}
	p.Selected = i
	r := p.Rows[i]
	p.Table.Mark(i)
	p.Table.Select(widget.TableCellID{Row: i, Col: 0})
	var b strings.Builder
	fmt.Fprintf(&b, "#%d %s\n%s（%s）%s\n\n%s\n", r.ID, workspace.RuleLabel(r.Rule), audit.Escape(r.Name, 0), workspace.MaskID(r.IDNumber), r.Village, r.Detail)
	if r.EvidenceStatus != "" {
		fmt.Fprintf(&b, "\n证据%s：%s\n", audit.EvidenceLabel(r.EvidenceStatus), r.EvidenceNote)
	}
	if len(r.Evidence) > 0 {
		b.WriteString("\n依据：\n")
		for _, e := range r.Evidence {
			where := e.File
			if e.Row > 0 {
				where += fmt.Sprintf(" 第%d行", e.Row)
			}
			date := e.Date
			if e.Until != "" {
				date += " 至 " + e.Until
			}
			line := strings.TrimSpace(strings.Join([]string{evidenceKind(e.Kind), where, e.Month, date, e.Type, e.Note}, " "))
			if e.Amount != nil {
				line += " " + e.Amount.String() + "元"
			}
			if e.Parts != "" {
				line += "，其中 " + e.Parts
			}
			b.WriteString("· " + line + "\n")
		}
	}
	p.Sources.Objects = nil
	for _, e := range r.Evidence {
		if e.File != "" && e.Row > 0 {
			e := e
			btn := widget.NewButton(fmt.Sprintf("查看原文件：%s 第%d行", audit.Escape(e.File, 16), e.Row), func() {
				p.c.ShowSource(0, e.File, e.Sheet, e.Row, "")
			})
			btn.Alignment = widget.ButtonAlignLeading
			p.Sources.Objects = append(p.Sources.Objects, btn)
		}
	}
	p.Sources.Refresh()
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
	p.Evidence.SetText(b.String())
	if p.evScroll != nil {
		p.evScroll.ScrollToTop() // a new finding is read from its top
	}
	if r.IDNumber == "" {
		return
	}
	// the payee's payouts month by month, beside the death month
	base := b.String()
	var lines []audit.PayoutLine
	var months []audit.FindingRow
	p.c.Background(func(ctx context.Context) error {
		var err error
		if lines, err = p.c.WS().PayeeTimeline(ctx, r.IDNumber); err != nil {
			return err
		}
		months, _, err = p.c.WS().Findings(ctx, audit.FindingFilter{Search: r.IDNumber, Rule: r.Rule, Sort: "case", Limit: 60})
		return err
	}, func(err error) {
		if err != nil || p.Selected != i {
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
			p.AllMonth.SetChecked(open > 0)
		} else {
			p.AllMonth.SetChecked(false)
		}
		if len(lines) == 0 {
			p.Evidence.SetText(t.String())
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
		p.Evidence.SetText(t.String())
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
	case "cremation":
		return "火化记录"
	case "death_certificate":
		return "死亡医学证明"
	case "prison":
		return "服刑记录"
	case "other_pension":
		return "其他养老保险"
	case "certification":
		return "资格认证"
	case "funeral_grant":
		return "丧葬补助金"
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
func (p *ReviewPage) decide(decision audit.Verdict) {
	c := p.c
	if p.Selected < 0 || p.Selected >= len(p.Rows) {
		return
	}
	r := p.Rows[p.Selected]
	in := audit.DecideInput{FindingID: r.ID, Decision: decision, Note: p.Note.Text}
	switch decision {
	case audit.DecisionConfirm:
		in.Action = actionIDs[p.Action.Selected]
	case audit.DecisionDismiss:
		in.Reason = p.Reason.Selected
	}
	u := *c.User()
	together := p.AllMonth.Checked && r.IDNumber != ""
	var ids []int64
	c.Background(func(ctx context.Context) error {
		targets := []int64{r.ID}
		if together {
			// the same payee's open findings of the same rule in other
			// months: decided together, each one recorded on its own
			others, _, err := c.WS().Findings(ctx, audit.FindingFilter{Search: r.IDNumber, Rule: r.Rule, Status: audit.StatusOpen, Limit: 100})
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
			d, err := c.WS().Decide(ctx, u, in)
			if err != nil {
				if len(ids) > 0 {
					return audit.Errorf(audit.ErrConflict, "已处理 %d 条，第 %d 条未能处理：%s", len(ids), len(ids)+1, Plain(err))
				}
				return err
			}
			ids = append(ids, d.ID)
		}
		return nil
	}, func(err error) {
		p.Done = append(p.Done, ids...)
		if err != nil {
			c.ShowError(err)
			p.Refresh()
			return
		}
		p.Undo.Enable()
		p.Note.SetText("")
		p.Reason.ClearSelected() // each finding's reason is chosen for it, never carried over
		p.Refresh()
	})
}

// UndoLast takes back this session's latest decision; the finding comes
// back into the queue.
func (p *ReviewPage) UndoLast() {
	c := p.c
	if len(p.Done) == 0 {
		return
	}
	id := p.Done[len(p.Done)-1]
	u := *c.User()
	c.Background(func(ctx context.Context) error {
		_, err := c.WS().UndoDecision(ctx, u, id)
		return err
	}, func(err error) {
		if err != nil {
			c.ShowError(err)
			return
		}
		p.Done = p.Done[:len(p.Done)-1]
		if len(p.Done) == 0 {
			p.Undo.Disable()
			p.Note.OnUndo, p.Search.OnUndo = p.UndoLast, p.UndoLast // Ctrl+Z in a field is the screen's undo too
		}
		p.Refresh()
	})
}

// runCheck checks the month (the same use case as the command line).
func (p *ReviewPage) runCheck() {
	c := p.c
	if c.Period() == 0 {
		return
	}
	p.Check.Disable()
	p.Progress.SetText("正在核查 " + c.Period().Label() + "……")
	var res *audit.CheckResult
	c.Background(func(ctx context.Context) error {
		var err error
		res, err = c.WS().Check(ctx, *c.User(), c.Period(), func(stage string) {
			c.Do(func() { p.Progress.SetText("正在核查：" + stage) })
		})
		return err
	}, func(err error) {
		p.Check.Enable()
		if err != nil {
			c.ShowError(err)
			return
		}
		total := 0
		for _, n := range res.Counts {
			total += n
		}
		p.Refresh()
		c.UpdateStatus()
	})
}
