package ui

import (
	"context"
	"net/url"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"pensionaudit/audit"
)

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
	pw.OnSubmitted = func(string) { d.Submit() } // Enter confirms, as on the login screen
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
