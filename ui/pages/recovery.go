package pages

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"pensionaudit/audit"
)

// ShowRecoveryCode shows a recovery code the one time it is shown: the
// dialog closes only on the button that says it has been written down.
func ShowRecoveryCode(win fyne.Window, root, code string) {
	big := widget.NewLabelWithStyle(code, fyne.TextAlignCenter, fyne.TextStyle{Monospace: true, Bold: true})
	big.SizeName = "headingText"
	info := widget.NewLabel("这是工作区的恢复码，只显示这一次。请抄在纸上或打印，锁进柜子，不要存在这台电脑上。\n" +
		root + " 忘记密码时，在登录界面点“忘记密码”，用它重设密码。\n别人拿到恢复码就能重设 " + root + " 的密码：请像公章一样保管。")
	info.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustom(tr("恢复码"), tr("我已抄下"), container.NewVBox(info, big), win)
	d.Resize(fyne.NewSize(560, 300))
	d.Show()
}

// ChangeOwnPassword asks the current password and a new one (twice) and
// changes the logged-in person's password; the signing key stays the same.
func ChangeOwnPassword(c Host) {
	u := c.User()
	if u == nil {
		return
	}
	name := u.Name
	current, pw, again := widget.NewPasswordEntry(), widget.NewPasswordEntry(), widget.NewPasswordEntry()
	items := []*widget.FormItem{widget.NewFormItem(tr("现在的密码"), current), widget.NewFormItem(tr("新密码"), pw), widget.NewFormItem(tr("再输一遍"), again)}
	d := dialog.NewForm(tr("修改本人密码")+"："+name, tr("修改"), tr("取消"), items, func(ok bool) {
		if !ok {
			return
		}
		if pw.Text != again.Text {
			c.ShowError(audit.Errorf(audit.ErrInvalid, "两次输入的新密码不一致"))
			return
		}
		cur, next := current.Text, pw.Text
		c.Background(func(ctx context.Context) error { return c.WS().ChangePassword(ctx, name, cur, next) }, func(err error) {
			if err != nil {
				c.ShowError(err)
				return
			}
			dialog.NewCustom(tr("修改本人密码"), tr("知道了"), widget.NewLabel("密码已修改（签名密钥不变）。下次登录请用新密码。"), c.Win()).Show()
		})
	}, c.Win())
	d.Resize(fyne.NewSize(480, 260))
	d.Show()
}
