package ui

import (
	"context"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"pensionaudit/audit"
	"pensionaudit/audit/workspace"
	"pensionaudit/ui/pages"
)

// login is the per-workspace sign-in; for a workspace without accounts it
// asks for the first supervisor instead.
type login struct {
	first    bool
	name     *widget.Entry
	names    *widget.Select
	password *widget.Entry
	again    *widget.Entry
	submit   *widget.Button
	message  *widget.Label
	content  fyne.CanvasObject
}

func (c *Controller) showLogin() {
	l := &login{name: widget.NewEntry(), password: widget.NewPasswordEntry(), again: widget.NewPasswordEntry(), message: widget.NewLabel("")}
	l.message.Wrapping = fyne.TextWrapWord
	var users []audit.User
	c.background(func(ctx context.Context) error {
		var err error
		users, err = c.ws.Users(ctx)
		return err
	}, func(err error) {
		if err != nil {
			c.showError(err)
			return
		}
		c.buildLogin(l, users)
	})
}

func (c *Controller) buildLogin(l *login, users []audit.User) {
	town := c.ws.Township(c.ctx)
	l.first = len(users) == 0
	var form *widget.Form
	if l.first {
		l.submit = widget.NewButton(tr("设为审核人并登录"), func() { c.submitFirst(l) })
		form = widget.NewForm(
			widget.NewFormItem(tr("审核人姓名"), l.name),
			widget.NewFormItem(tr("密码"), l.password),
			widget.NewFormItem(tr("再输一遍"), l.again),
		)
		l.message.SetText("这个工作区还没有账户。第一个账户是审核人（负责复核签字、添加经办人）。密码至少 8 个字符。")
	} else {
		var names []string
		for _, u := range users {
			if !u.Disabled {
				names = append(names, u.Name)
			}
		}
		l.names = widget.NewSelect(names, func(s string) { l.name.SetText(s) })
		l.names.PlaceHolder = tr("选择姓名")
		// the only account, or who logged in here last time
		last := c.app.Preferences().String(prefLastUser + c.path)
		switch {
		case len(names) == 1:
			l.names.SetSelected(names[0])
		case slices.Contains(names, last):
			l.names.SetSelected(last)
		}
		l.submit = widget.NewButton(tr("登录"), func() { c.submitLogin(l) })
		form = widget.NewForm(
			widget.NewFormItem(tr("姓名"), l.names),
			widget.NewFormItem(tr("密码"), l.password),
		)
		l.password.OnSubmitted = func(string) { c.submitLogin(l) }
		if c.demo {
			l.message.SetText("演示工作区：审核人“" + workspace.DemoSupervisor + "”，经办人“" + workspace.DemoClerk + "”，密码都是 " + workspace.DemoPassword)
		}
	}
	l.submit.Importance = widget.HighImportance
	back := widget.NewButton(tr("换一个工作区"), func() {
		c.closeWorkspace()
		c.showWelcome()
	})
	var forgot fyne.CanvasObject = widget.NewLabel("")
	if !l.first && !c.demo {
		b := widget.NewButton(tr("忘记密码？"), c.forgotPassword)
		b.Importance = widget.LowImportance
		forgot = b
	}
	title := widget.NewLabelWithStyle(town+" · 养老金发放核查工作台", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	path := widget.NewLabelWithStyle(c.path, fyne.TextAlignCenter, fyne.TextStyle{})
	box := container.NewVBox(title, path, form, l.submit, forgot, l.message, back)
	l.content = container.NewCenter(container.NewGridWrap(fyne.NewSize(520, 420), box))
	c.login = l
	c.win.SetContent(l.content)
	c.win.Canvas().Focus(l.password)
	c.shown(pageLogin)
}

func (c *Controller) submitLogin(l *login) {
	name, pw := l.name.Text, l.password.Text
	if name == "" {
		c.showError(audit.Errorf(audit.ErrInvalid, "请选择姓名"))
		return
	}
	var u audit.Session
	c.background(func(ctx context.Context) error {
		var err error
		u, err = c.ws.Login(ctx, name, pw)
		return err
	}, func(err error) {
		l.password.SetText("")
		if err != nil {
			l.message.SetText(pages.Plain(err))
			c.showError(err)
			return
		}
		c.loggedIn(u)
	})
}

func (c *Controller) submitFirst(l *login) {
	if l.password.Text != l.again.Text {
		c.showError(audit.Errorf(audit.ErrInvalid, "两次输入的密码不一致"))
		return
	}
	name, pw := l.name.Text, l.password.Text
	var u audit.Session
	var code string
	c.background(func(ctx context.Context) error {
		if _, err := c.ws.AddUser(ctx, nil, name, audit.RoleSupervisor, pw); err != nil {
			return err
		}
		code = c.ws.RecoveryCode()
		var err error
		u, err = c.ws.Login(ctx, name, pw)
		return err
	}, func(err error) {
		if err == nil {
			c.loggedIn(u)
		}
		if code != "" { // the one time it is shown, whatever happened after
			pages.ShowRecoveryCode(c.win, name, code)
		}
		if err != nil {
			c.showError(err)
		}
	})
}

// forgotPassword: a clerk's forgotten password is reset by a supervisor;
// the root supervisor's, with the recovery code printed when the workspace
// was made.
func (c *Controller) forgotPassword() {
	code, pw, again := widget.NewEntry(), widget.NewPasswordEntry(), widget.NewPasswordEntry()
	code.SetPlaceHolder("XXXX-XXXX-XXXX-XXXX-XXXX-XXXX")
	info := widget.NewLabel("经办人、查阅人忘记密码：请审核人在“设置”中重设。\n第一位审核人（根密钥）忘记密码：输入建工作区时打印的恢复码，设一个新密码。")
	info.Wrapping = fyne.TextWrapWord
	items := []*widget.FormItem{widget.NewFormItem("", info), widget.NewFormItem(tr("恢复码"), code),
		widget.NewFormItem(tr("新密码"), pw), widget.NewFormItem(tr("再输一遍"), again)}
	d := dialog.NewForm(tr("用恢复码重设密码"), tr("重设"), tr("取消"), items, func(ok bool) {
		if !ok {
			return
		}
		if pw.Text != again.Text {
			c.showError(audit.Errorf(audit.ErrInvalid, "两次输入的新密码不一致"))
			return
		}
		typed, next := code.Text, pw.Text
		var name, newCode string
		c.background(func(ctx context.Context) (err error) {
			name, newCode, err = c.ws.RecoverRoot(ctx, typed, next)
			return err
		}, func(err error) {
			if err != nil {
				c.showError(err)
				return
			}
			pages.ShowRecoveryCode(c.win, name, newCode)
			if c.login != nil && c.login.names != nil {
				c.login.names.SetSelected(name)
			}
		})
	}, c.win)
	d.Resize(fyne.NewSize(560, 380))
	d.Show()
}
