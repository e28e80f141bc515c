package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"

	"pensionaudit/audit"
)

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
	notes     *fyne.Container // the supervisor's missing-report note (hidden from others)
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
	p.notes = notes
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
		// roles shape the screen: a clerk sees no supervisor's control, an
		// auditor (查阅人) no control that writes
		role := c.user.Role
		show(p.notes, role == audit.RoleSupervisor)
		show(p.reason, role == audit.RoleSupervisor)
		show(p.reopen, role == audit.RoleSupervisor)
		show(p.sign, role == audit.RoleSupervisor || (role == audit.RoleClerk && s.Clerk == nil))
	})
}

// show shows or hides a control.
func show(o fyne.CanvasObject, visible bool) {
	if visible {
		o.Show()
	} else {
		o.Hide()
	}
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
