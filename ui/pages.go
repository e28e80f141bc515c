package ui

import (
	"context"
	"errors"
	"net/url"
	"path/filepath"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"

	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"pensionaudit/audit"
	"pensionaudit/audit/workspace"
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

// askPassword asks the logged-in user to type their password again before a
// signature or another act that carries their name.
func (c *Controller) askPassword(title string, then func(audit.Session)) {
	if c.promptPassword != nil { // tests answer the prompt themselves
		c.checkPassword(c.promptPassword(title), then)
		return
	}
	pw := widget.NewPasswordEntry()
	d := dialog.NewForm(title, "确定", tr("取消"), []*widget.FormItem{
		widget.NewFormItem(tr("姓名"), widget.NewLabel(c.user.Name)),
		widget.NewFormItem(tr("密码"), pw),
	}, func(ok bool) {
		if ok {
			c.checkPassword(pw.Text, then)
		}
	}, c.win)
	d.Resize(fyne.NewSize(420, 220))
	d.Show()
	c.win.Canvas().Focus(pw)
}

// openSource takes the kept copy of an imported file (its exact bytes) out
// to the user's cache folder and opens it in the system's viewer.
func (c *Controller) openSource(b audit.Batch) {
	load(c, func(ctx context.Context) (string, error) { return c.ws.ExtractSource(ctx, b.ID) }, func(path string) {
		u := &url.URL{Scheme: "file", Path: filepath.ToSlash(path)}
		if c.sync || c.app.OpenURL(u) != nil {
			dialog.NewCustom(tr("原文件副本"), tr("知道了"), widget.NewLabel("导入时保留的原文件副本已取出：\n"+path), c.win).Show()
		}
	})
}

// checkPassword logs the session's user in again with pw.
func (c *Controller) checkPassword(pw string, then func(audit.Session)) {
	load(c, func(ctx context.Context) (audit.Session, error) { return c.ws.Login(ctx, c.user.Name, pw) }, then)
}

// signoffPage lists the preconditions and signs.
type signoffPage struct {
	c         *Controller
	qrImage   *canvas.Image
	missing   *widget.Select
	noteText  *widget.Entry
	noteBtn   *widget.Button
	checklist *widget.Label
	state     *widget.Label
	sign      *widget.Button
	reopen    *widget.Button
	reason    *widget.Entry
	content   fyne.CanvasObject
}

func newSignoffPage(c *Controller) *signoffPage {
	p := &signoffPage{c: c, checklist: widget.NewLabel(""), state: widget.NewLabel(""), reason: widget.NewEntry()}
	p.checklist.Wrapping = fyne.TextWrapWord
	p.state.Wrapping = fyne.TextWrapWord
	p.reason.SetPlaceHolder("退回原因（审核人填写）")
	p.sign = widget.NewButton(tr("签字"), func() {
		c.askPassword("签字："+c.period.Label(), func(u audit.Session) {
			c.background(func(ctx context.Context) error {
				_, err := c.ws.SignOff(ctx, u, c.period)
				return err
			}, func(err error) {
				if err != nil {
					c.showError(err)
				} else {
					dialog.NewCustom("已签字", tr("知道了"), widget.NewLabel(u.Name+" 已为 "+c.period.Label()+" 签字。"), c.win).Show()
				}
				p.refresh()
				c.frame.updateStatus()
			})
		})
	})
	p.sign.Importance = widget.HighImportance
	p.reopen = widget.NewButton(tr("退回（重新打开这个月）"), func() {
		reason := strings.TrimSpace(p.reason.Text)
		c.askPassword("退回："+c.period.Label(), func(u audit.Session) {
			c.background(func(ctx context.Context) error { return c.ws.Reopen(ctx, u, c.period, reason) }, func(err error) {
				if err != nil {
					c.showError(err)
				}
				p.refresh()
				c.frame.updateStatus()
			})
		})
	})
	p.missing = widget.NewSelect(nil, nil)
	p.missing.PlaceHolder = "未上报的村"
	p.noteText = widget.NewEntry()
	p.noteText.SetPlaceHolder("未上报的原因（审核人填写），例如：村文书病休，已电话催报")
	p.noteBtn = widget.NewButton(tr("记录缺报说明"), func() {
		village, note := p.missing.Selected, strings.TrimSpace(p.noteText.Text)
		if village == "" || note == "" {
			c.showError(audit.Errorf(audit.ErrInvalid, "请选择村并写明原因"))
			return
		}
		c.askPassword("缺报说明："+village, func(u audit.Session) {
			c.background(func(ctx context.Context) error { return c.ws.NoteMissing(ctx, u, c.period, village, note) }, func(err error) {
				if err != nil {
					c.showError(err)
					return
				}
				p.noteText.SetText("")
				p.refresh()
			})
		})
	})
	notes := container.NewBorder(nil, nil, p.missing, p.noteBtn, p.noteText)
	p.qrImage = canvas.NewImageFromImage(nil)
	p.qrImage.FillMode = canvas.ImageFillContain
	p.qrImage.SetMinSize(fyne.NewSize(140, 140))
	p.qrImage.Hide()
	p.content = container.NewVScroll(container.NewVBox(
		widget.NewLabelWithStyle(tr("签字前须满足的条件"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), p.checklist, notes,
		widget.NewSeparator(), container.NewBorder(nil, nil, nil, p.qrImage, p.state), p.sign, widget.NewSeparator(), p.reason, p.reopen))
	return p
}

func (p *signoffPage) view() fyne.CanvasObject { return p.content }

func (p *signoffPage) refresh() {
	c := p.c
	if c.period == 0 {
		p.checklist.SetText("请先在上方选择月份。")
		return
	}
	var st []*audit.PeriodStatus
	var open int
	c.background(func(ctx context.Context) error {
		var err error
		if st, err = c.ws.Status(ctx, c.period); err != nil {
			return err
		}
		_, open, err = c.ws.Findings(ctx, audit.FindingFilter{Period: c.period, Status: audit.StatusOpen, Limit: 1})
		return err
	}, func(err error) {
		if err != nil || len(st) == 0 {
			c.showError(err)
			return
		}
		s := st[0]
		var lines []string
		mark := func(ok bool, text string) {
			if ok {
				lines = append(lines, "✔ "+text)
			} else {
				lines = append(lines, "✘ "+text)
			}
		}
		mark(s.Checked != "", "本月已核查（"+audit.LocalTime(s.Checked)+"）")
		if open == 0 {
			mark(true, "没有未处理的核查结果")
		} else {
			mark(false, fmt.Sprintf("没有未处理的核查结果（还有 %d 条未处理：到“逐条核查”处理）", open))
		}
		var missing []string
		for _, r := range s.Reports {
			if r.State == "missing" && r.Note == "" {
				missing = append(missing, r.Village)
			}
		}
		mark(len(missing) == 0, "每个村都已上报或有审核人的缺报说明"+map[bool]string{true: "", false: "（未上报：" + strings.Join(missing, "、") + "；审核人可在下面记录原因）"}[len(missing) == 0])
		p.missing.Options = missing
		if len(missing) > 0 {
			p.missing.SetSelected(missing[0])
		} else {
			p.missing.ClearSelected()
		}
		if c.isSupervisor() && len(missing) > 0 {
			p.noteBtn.Enable()
		} else {
			p.noteBtn.Disable()
		}
		p.checklist.SetText(strings.Join(lines, "\n"))
		p.showQR("")
		switch {
		case s.Supervisor != nil:
			p.showQR(s.Supervisor.Fingerprint)
			p.state.SetText(fmt.Sprintf("经办人 %s 已签字；审核人 %s 已复核签字，本月已锁定。\n数据指纹：%s", s.Clerk.User, s.Supervisor.User, s.Supervisor.Fingerprint))
			p.sign.Disable()
		case s.Clerk != nil:
			p.showQR(s.Clerk.Fingerprint)
			p.state.SetText(fmt.Sprintf("经办人 %s 已签字，等待另一位审核人复核签字（签字人本人不能复核）。\n数据指纹：%s", s.Clerk.User, s.Clerk.Fingerprint))
			p.sign.SetText(tr("复核签字（审核人）"))
			p.sign.Enable()
		default:
			p.state.SetText("本月还没有签字。")
			p.sign.SetText(tr("经办人签字"))
			p.sign.Enable()
		}
		if c.isSupervisor() && s.Clerk != nil {
			p.reopen.Enable()
		} else {
			p.reopen.Disable()
		}
	})
}

// showQR shows the fingerprint as a QR code beside its text (hidden when
// there is none), the same code the sign-off sheet prints.
func (p *signoffPage) showQR(fp string) {
	if fp == "" {
		p.qrImage.Hide()
		return
	}
	code, err := qr.Encode(fp, qr.M, qr.Auto)
	if err != nil {
		p.qrImage.Hide()
		return
	}
	if code, err = barcode.Scale(code, 280, 280); err != nil {
		p.qrImage.Hide()
		return
	}
	p.qrImage.Image = code
	p.qrImage.Show()
	p.qrImage.Refresh()
}

// reportsPage writes the PDF and Excel sheets of audit/report.
type reportsPage struct {
	c       *Controller
	kind    *widget.Select
	path    *widget.Entry
	result  *widget.Label
	content fyne.CanvasObject
}

// reportKinds are the sheets in the order offered (extensions from
// workspace.ReportKinds).
var reportKinds = []struct{ id, label string }{
	{"signoff", "签字表（PDF）"},
	{"findings", "核查结果（Excel）"},
	{"stoplist", "止付名单（Excel）"},
	{"ledger", "追回台账（Excel）"},
	{"notices", "催报通知（Excel）"},
}

func newReportsPage(c *Controller) *reportsPage {
	p := &reportsPage{c: c, path: widget.NewEntry(), result: widget.NewLabel("")}
	p.result.Wrapping = fyne.TextWrapWord
	var labels []string
	for _, k := range reportKinds {
		labels = append(labels, k.label)
	}
	p.kind = widget.NewSelect(labels, nil)
	p.kind.SetSelectedIndex(0)
	p.path.SetPlaceHolder("保存为哪个文件，例如 D:\\核查\\签字表.pdf")
	choose := widget.NewButton(tr("选择文件夹…"), func() {
		dialog.ShowFolderOpen(func(lu fyne.ListableURI, err error) {
			if err != nil || lu == nil {
				return
			}
			k := reportKinds[p.kind.SelectedIndex()]
			p.path.SetText(filepath.Join(lu.Path(), c.ws.Township(c.ctx)+c.period.String()+strings.SplitN(k.label, "（", 2)[0]+workspace.ReportKinds[k.id]))
		}, c.win)
	})
	save := widget.NewButton(tr("生成"), func() { p.write(false) })
	save.Importance = widget.HighImportance
	p.content = container.NewVBox(
		widget.NewForm(widget.NewFormItem(tr("报表"), p.kind), widget.NewFormItem(tr("保存到"), container.NewBorder(nil, nil, nil, choose, p.path))),
		save, p.result)
	return p
}

func (p *reportsPage) view() fyne.CanvasObject { return p.content }
func (p *reportsPage) refresh()                {}

func (p *reportsPage) write(force bool) {
	c := p.c
	k := reportKinds[p.kind.SelectedIndex()]
	path := strings.TrimSpace(p.path.Text)
	if path == "" || c.period == 0 {
		c.showError(audit.Errorf(audit.ErrInvalid, "请选择月份和保存位置"))
		return
	}
	if ext := workspace.ReportKinds[k.id]; !strings.HasSuffix(strings.ToLower(path), ext) {
		path += ext
	}
	var written workspace.Written
	c.background(func(ctx context.Context) error {
		var err error
		written, err = c.ws.WriteReport(ctx, c.period, k.id, path, force, false)
		return err
	}, func(err error) {
		if errors.Is(err, audit.ErrExists) {
			dialog.NewCustomConfirm("文件已存在", "覆盖", "不要覆盖", widget.NewLabel("“"+path+"”已经存在，要覆盖吗？"), func(ok bool) {
				if ok {
					p.write(true)
				}
			}, c.win).Show()
			return
		}
		if err != nil {
			c.showError(err)
			return
		}
		msg := "已生成 " + path
		if written.Draft && k.id == "signoff" {
			msg += "\n注意：本月尚未复核签字，这是草稿（页面上有“草稿”字样），不能作为正式签字表。"
		}
		p.result.SetText(msg)
	})
}

// trailPage lists the trail and verifies it.
type trailPage struct {
	c       *Controller
	verify  *widget.Button
	table   *textTable
	result  *widget.Label
	anchor  *widget.Entry
	content fyne.CanvasObject
}

func newTrailPage(c *Controller) *trailPage {
	p := &trailPage{c: c, result: widget.NewLabel(""), anchor: widget.NewEntry(),
		table: newTextTable([]string{tr("序号"), tr("时间"), tr("操作人"), tr("操作"), tr("内容")}, []float32{60, 150, 110, 110, 700})}
	p.result.Wrapping = fyne.TextWrapWord
	p.anchor.SetPlaceHolder("签字表上的记录链校验码（可不填）")
	verify := widget.NewButton(tr("校验"), func() {
		code := strings.TrimSpace(p.anchor.Text)
		var r *workspace.VerifyReport
		var anchorErr error
		c.background(func(ctx context.Context) error {
			var err error
			if r, err = c.ws.Verify(ctx); err != nil {
				return err
			}
			if code != "" {
				anchorErr = c.ws.VerifyAnchor(ctx, code)
			}
			return nil
		}, func(err error) {
			if err != nil {
				c.showError(err)
				return
			}
			problems := r.Problems
			if anchorErr != nil {
				problems = append(problems, plain(anchorErr))
			}
			if len(problems) == 0 {
				p.result.Importance = widget.SuccessImportance
				p.result.SetText(fmt.Sprintf("记录完好：%d 条记录，%d 处数据与记录一致，%d 个签字的数据指纹一致。当前校验码 %s", r.Entries, r.Scopes, r.Signoffs, r.HeadCode))
			} else {
				p.result.Importance = widget.DangerImportance
				p.result.SetText("发现篡改或损坏：\n✘ " + strings.Join(problems, "\n✘ "))
			}
		})
	})
	verify.Importance = widget.HighImportance
	p.verify = verify
	p.content = container.NewBorder(container.NewVBox(container.NewBorder(nil, nil, nil, verify, p.anchor), p.result), nil, nil, nil, p.table)
	return p
}

func (p *trailPage) view() fyne.CanvasObject { return p.content }

func (p *trailPage) refresh() {
	load(p.c, p.c.ws.Trail, func(entries []workspace.TrailEntry) {
		rows := make([][]string, 0, len(entries))
		for i := len(entries) - 1; i >= 0; i-- {
			e := entries[i]
			rows = append(rows, []string{strconv.FormatInt(e.Seq, 10), audit.LocalTime(e.At), e.User, actionLabel(e.Action), payloadSummary(e.Payload)})
		}
		p.table.SetRows(rows)
	})
}

var actionLabels = map[string]string{"import": "导入", "check": "核查", "decide": "处理", "signoff": tr("签字"), "reopen": "退回", "user_add": tr("添加用户"),
	"user_role": "修改角色", "user_password": "重设密码", "user_disable": "停用账户", "user_enable": "启用账户", "missing_note": "缺报说明",
	"recover": "追回登记", "setting": tr("设置"), "villages": "村名单", "village_rename": "村改名", "mapping": "列映射", "state_baseline": "数据库升级", "migrate": "数据库升级"}

func actionLabel(a string) string {
	if l, ok := actionLabels[a]; ok {
		return l
	}
	return a
}

// payloadSummary shows a trail entry's content in words: known fields in
// Chinese, digests and hashes left out (verify checks them).
func payloadSummary(p string) string {
	var m map[string]any
	if err := json.Unmarshal([]byte(p), &m); err != nil {
		return p
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		label, ok := payloadLabels[k]
		if !ok {
			continue
		}
		v := m[k]
		switch x := v.(type) {
		case bool:
			v = map[bool]string{true: "是", false: "否"}[x]
		case string:
			if x == "" {
				continue
			}
			switch k {
			case "kind":
				x = audit.Kind(x).Label()
			case "role":
				x = audit.Role(x).Label()
			case "decision":
				x = audit.Verdict(x).Label()
			case "action":
				x = audit.Action(x).Label()
			}
			v = audit.Escape(x, 60)
		case map[string]any:
			var sub []string
			for sk, sv := range x {
				sub = append(sub, fmt.Sprintf("%s %v", workspace.RuleLabel(sk), sv))
			}
			sort.Strings(sub)
			v = strings.Join(sub, "，")
		}
		parts = append(parts, fmt.Sprintf("%s：%v", label, v))
	}
	return strings.Join(parts, "；")
}

var payloadLabels = map[string]string{
	"batch": "批次", "file": tr("文件"), "kind": tr("类型"), "village": tr("村"), "period": tr("月份"), "rows": "行数", "problem_rows": tr("有问题行"),
	"nil_report": tr("零报告"), "supersedes": "取代批次", "decision_id": "处理编号", "finding": tr("核查结果"), "decision": "处理", "action": "处理方式",
	"reason": "理由", "amount_fen": "金额(分)", "signoff": "签字编号", "role": tr("角色"), "name": tr("姓名"), "counts": "各规则结果", "new": "新增",
	"changed": "变化", "withdrawn": "撤销", "recovery": "追回编号", "date": "日期", "from": "原名", "to": "新名", "merged": "合并",
	"key": "设置项", "value": "值", "villages": tr("村"), "source": "来源", "mapping": "列映射", "scopes": "数据范围", "migration": "升级步骤",
}

// settingsPage: accounts (a supervisor adds them) and villages.
type settingsPage struct {
	c         *Controller
	shared    *widget.Entry
	age       *widget.Entry
	pct       *widget.Entry
	saveRules *widget.Button
	users     *textTable
	name      *widget.Entry
	role      *widget.Select
	pw        *widget.Entry
	add       *widget.Button
	content   fyne.CanvasObject
}

var roleOptions = []string{"经办人", "审核人", "查阅人"}
var roleIDs = map[string]audit.Role{"经办人": audit.RoleClerk, "审核人": audit.RoleSupervisor, "查阅人": audit.RoleAuditor}

func newSettingsPage(c *Controller) *settingsPage {
	p := &settingsPage{c: c, users: newTextTable([]string{tr("姓名"), tr("角色"), tr("状态")}, []float32{160, 100, 100}),
		name: widget.NewEntry(), pw: widget.NewPasswordEntry(), role: widget.NewSelect(roleOptions, nil)}
	p.role.SetSelected("经办人")
	p.add = widget.NewButton(tr("添加用户"), func() {
		name, role, pw := p.name.Text, roleIDs[p.role.Selected], p.pw.Text
		c.askPassword("添加用户须由审核人确认", func(sup audit.Session) {
			c.background(func(ctx context.Context) error {
				_, err := c.ws.AddUser(ctx, &sup, name, role, pw)
				return err
			}, func(err error) {
				if err != nil {
					c.showError(err)
					return
				}
				p.name.SetText("")
				p.pw.SetText("")
				p.refresh()
			})
		})
	})
	form := widget.NewForm(widget.NewFormItem(tr("姓名"), p.name), widget.NewFormItem(tr("角色"), p.role), widget.NewFormItem(tr("初始密码"), p.pw))
	size := widget.NewSelect(textSizes, func(s string) {
		c.app.Preferences().SetString(prefTextSize, s)
		c.applyTheme()
	})
	size.SetSelected(c.app.Preferences().StringWithFallback(prefTextSize, textSizes[0]))
	look := widget.NewSelect(looks, func(s string) {
		c.app.Preferences().SetString(prefLook, s)
		c.applyTheme()
	})
	look.SetSelected(c.app.Preferences().StringWithFallback(prefLook, looks[0]))
	language := widget.NewSelect(languages, func(s string) {
		if s != c.app.Preferences().StringWithFallback(prefLanguage, languages[0]) {
			c.app.Preferences().SetString(prefLanguage, s)
			dialog.NewCustom(tr("语言"), tr("知道了"), widget.NewLabel("重新启动后生效 / Takes effect at the next start"), c.win).Show()
		}
	})
	language.SetSelected(c.app.Preferences().StringWithFallback(prefLanguage, languages[0]))
	idle := widget.NewSelect(idleOptions, func(s string) {
		c.app.Preferences().SetString(prefIdle, s)
		c.idle = idleOf(s)
	})
	idle.SetSelected(c.app.Preferences().StringWithFallback(prefIdle, "10 分钟"))
	display := widget.NewForm(widget.NewFormItem(tr("文字大小"), size), widget.NewFormItem(tr("外观"), look), widget.NewFormItem(tr("语言"), language),
		widget.NewFormItem("无操作自动锁屏", idle))
	p.shared, p.age, p.pct = widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	p.saveRules = widget.NewButton(tr("保存核查参数"), func() {
		var st workspace.RuleSettings
		var err error
		if st, err = c.ws.RuleSettings(c.ctx); err != nil {
			c.showError(err)
			return
		}
		for _, f := range []struct {
			e   *widget.Entry
			dst *int
		}{{p.shared, &st.SharedAccountMin}, {p.age, &st.SurvivalAge}, {p.pct, &st.IncreasePct}} {
			n, err := strconv.Atoi(strings.TrimSpace(f.e.Text))
			if err != nil {
				c.showError(audit.Errorf(audit.ErrInvalid, "“%s”不是整数", f.e.Text))
				return
			}
			*f.dst = n
		}
		c.askPassword("修改核查参数须由审核人确认", func(sup audit.Session) {
			c.background(func(ctx context.Context) error { return c.ws.SetRuleSettings(ctx, sup, st) }, func(err error) {
				if err != nil {
					c.showError(err)
					return
				}
				p.refresh()
			})
		})
	})
	ruleForm := widget.NewForm(
		widget.NewFormItem("多人共用账户：几人及以上", p.shared),
		widget.NewFormItem("高龄待核实：年满几岁", p.age),
		widget.NewFormItem("超标准发放：比上月增加超过（%）", p.pct))
	p.content = container.NewBorder(container.NewVBox(
		widget.NewLabelWithStyle(tr("显示"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), display, widget.NewSeparator(),
		widget.NewLabelWithStyle(tr("核查规则的参数（审核人修改，下次核查时生效）"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		ruleForm, p.saveRules, widget.NewSeparator(),
		widget.NewLabelWithStyle(tr("用户（只有审核人可以添加）"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		form, p.add), nil, nil, nil, p.users)
	return p
}

func (p *settingsPage) view() fyne.CanvasObject { return p.content }

func (p *settingsPage) refresh() {
	if p.c.isSupervisor() {
		p.add.Enable()
		p.saveRules.Enable()
	} else {
		p.add.Disable()
		p.saveRules.Disable()
	}
	if st, err := p.c.ws.RuleSettings(p.c.ctx); err == nil {
		p.shared.SetText(strconv.Itoa(st.SharedAccountMin))
		p.age.SetText(strconv.Itoa(st.SurvivalAge))
		p.pct.SetText(strconv.Itoa(st.IncreasePct))
	}
	load(p.c, p.c.ws.Users, func(users []audit.User) {
		var rows [][]string
		for _, u := range users {
			state := "正常"
			if u.Disabled {
				state = "已停用"
			}
			rows = append(rows, []string{u.Name, audit.Role(u.Role).Label(), state})
		}
		p.users.SetRows(rows)
	})
}

var _ = workspace.ShownProblems
