package ui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"pensionaudit/audit"
	"pensionaudit/ui/pages"
)

// defaultIdle is how long the window may go without use before it locks.
const defaultIdle = 10 * time.Minute

// idleOf reads an idle option ("10 分钟").
func idleOf(s string) time.Duration {
	var m int
	if _, err := fmt.Sscanf(s, "%d", &m); err != nil || m <= 0 {
		return defaultIdle
	}
	return time.Duration(m) * time.Minute
}

// touch records that the user did something.
func (c *Controller) touch() { c.lastUse.Store(time.Now().UnixNano()) }

// idleFor is how long the window has not been used.
func (c *Controller) idleFor() time.Duration {
	return time.Since(time.Unix(0, c.lastUse.Load()))
}

// watchIdle locks the screen after c.idle without use, checked every few
// seconds for the life of the app.
func (c *Controller) watchIdle() {
	go func() {
		t := time.NewTicker(15 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-c.ctx.Done():
				return
			case <-t.C:
				fyne.Do(c.checkIdle)
			}
		}
	}()
}

// checkIdle locks when the session has been idle too long (on the Fyne
// goroutine).
func (c *Controller) checkIdle() {
	if c.user != nil && c.frame != nil && !c.locked && c.idleFor() > c.idle {
		c.lock()
	}
}

// lockScreen asks the same user's password to return to where they were.
type lockScreen struct {
	password *widget.Entry
	unlock   *widget.Button
	message  *widget.Label
}

func (c *Controller) lock() {
	c.locked = true
	c.wipeKey() // the unlock's password opens it again
	l := &lockScreen{password: widget.NewPasswordEntry(), message: widget.NewLabel("")}
	l.message.Wrapping = fyne.TextWrapWord
	l.unlock = widget.NewButton(tr("解锁"), func() {
		pw := l.password.Text
		l.password.SetText("")
		var u audit.Session
		c.background(func(ctx context.Context) error {
			var err error
			u, err = c.ws.Login(ctx, c.user.Name, pw)
			return err
		}, func(err error) {
			if err != nil {
				l.message.SetText(pages.Plain(err))
				return
			}
			c.user = &u
			c.locked = false
			c.touch()
			c.win.SetContent(c.frame.content)
			c.shown(c.frame.current)
		})
	})
	l.unlock.Importance = widget.HighImportance
	l.password.OnSubmitted = func(string) { l.unlock.OnTapped() }
	out := widget.NewButton(tr("退出登录"), c.logout)
	title := widget.NewLabelWithStyle(tr("屏幕已锁定"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	info := widget.NewLabel(fmt.Sprintf("%d 分钟没有操作，为保护名单中的个人信息已锁定。%s 请输入密码继续；别人请先退出登录。",
		int(c.idle.Minutes()), c.user.Name))
	info.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(title, info, widget.NewForm(widget.NewFormItem(tr("密码"), l.password)), l.unlock, l.message, out)
	c.lockView = l
	c.win.SetContent(container.NewCenter(container.NewGridWrap(fyne.NewSize(520, 360), box)))
	c.win.Canvas().Focus(l.password)
	c.shown("locked")
}
