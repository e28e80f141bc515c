package ui

import (
	"context"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"pensionaudit/audit"
	"pensionaudit/audit/workspace"
	"pensionaudit/ui/widgets"
)

// settingsPage: accounts (a supervisor adds them) and villages.
type settingsPage struct {
	c         *Controller
	shared    *widget.Entry
	age       *widget.Entry
	pct       *widget.Entry
	saveRules *widget.Button
	users     *widgets.TextTable
	name      *widget.Entry
	role      *widget.Select
	pw        *widget.Entry
	add       *widget.Button
	content   fyne.CanvasObject
}

var roleOptions = []string{"经办人", "审核人", "查阅人"}
var roleIDs = map[string]audit.Role{"经办人": audit.RoleClerk, "审核人": audit.RoleSupervisor, "查阅人": audit.RoleAuditor}

func newSettingsPage(c *Controller) *settingsPage {
	p := &settingsPage{c: c, users: widgets.NewTextTable([]string{tr("姓名"), tr("角色"), tr("状态")}, []float32{160, 100, 100}),
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
