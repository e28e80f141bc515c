package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"pensionaudit/audit"
	"pensionaudit/audit/workspace"
)

// The controller is the pages' Host (ui/pages): the session, the chosen
// month, the long jobs and the dialogs that span pages.

func (c *Controller) Ctx() context.Context     { return c.ctx }
func (c *Controller) WS() *workspace.Workspace { return c.ws }
func (c *Controller) Period() audit.Month      { return c.period }
func (c *Controller) User() *audit.Session     { return c.user }
func (c *Controller) Win() fyne.Window         { return c.win }
func (c *Controller) App() fyne.App            { return c.app }
func (c *Controller) Async(f func())           { c.async(f) }
func (c *Controller) Do(f func())              { c.do(f) }
func (c *Controller) ShowError(err error)      { c.showError(err) }
func (c *Controller) OpenSource(b audit.Batch) { c.openSource(b) }
func (c *Controller) IsSupervisor() bool       { return c.isSupervisor() }
func (c *Controller) Locked() bool             { return c.locked }
func (c *Controller) ApplyTheme()              { c.applyTheme() }
func (c *Controller) Touch()                   { c.touch() }
func (c *Controller) Logout()                  { c.logout() }

// Confirm asks a yes/no question; then runs on yes.
func (c *Controller) Confirm(title, msg string, then func()) {
	if c.answerConfirm != nil {
		if c.answerConfirm(title) {
			then()
		}
		return
	}
	l := widget.NewLabel(msg)
	l.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(title, "确定", tr("取消"), l, func(ok bool) {
		if ok {
			then()
		}
	}, c.win)
	d.Resize(fyne.NewSize(600, 300))
	d.Show()
}
func (c *Controller) SetIdle(choice string) { c.idle = idleOf(choice) }
func (c *Controller) Background(work func(context.Context) error, done func(error)) {
	c.background(work, done)
}
func (c *Controller) AskPassword(title string, then func(audit.Session)) { c.askPassword(title, then) }
func (c *Controller) ShowSource(batch int64, file, sheet string, row int, col string) {
	c.showSource(batch, file, sheet, row, col)
}

// Current is the page on screen ("" before login).
func (c *Controller) Current() string {
	if c.frame == nil {
		return ""
	}
	return c.frame.current
}

// UpdateStatus refreshes the status bar.
func (c *Controller) UpdateStatus() {
	if c.frame != nil {
		c.frame.updateStatus()
	}
}

// LoadMonths reloads the months of the toolbar (after an import).
func (c *Controller) LoadMonths() {
	if c.frame != nil {
		c.frame.loadMonths()
	}
}
