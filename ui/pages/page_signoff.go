package pages

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"

	"pensionaudit/audit"
)

// SignoffPage lists the preconditions and signs.
type SignoffPage struct {
	c         Host
	QrImage   *canvas.Image
	Missing   *widget.Select
	NoteText  *widget.Entry
	NoteBtn   *widget.Button
	Checklist *widget.Label
	State     *widget.Label
	Sign      *widget.Button
	Reopen    *widget.Button
	// Report writes the countersigned month's report to the county
	Report  *widget.Button
	Notes   *fyne.Container // the supervisor's missing-report note (hidden from others)
	Reason  *widget.Entry
	Content fyne.CanvasObject
}

func NewSignoffPage(c Host) *SignoffPage {
	p := &SignoffPage{c: c, Checklist: widget.NewLabel(""), State: widget.NewLabel(""), Reason: widget.NewEntry()}
	p.Checklist.Wrapping = fyne.TextWrapWord
	p.State.Wrapping = fyne.TextWrapWord
	p.Reason.SetPlaceHolder("退回原因（审核人填写）")
	p.Sign = widget.NewButton(tr("签字"), func() {
		c.AskPassword("签字："+c.Period().Label(), func(u audit.Session) {
			c.Background(func(ctx context.Context) error {
				_, err := c.WS().SignOff(ctx, u, c.Period())
				return err
			}, func(err error) {
				if err != nil {
					c.ShowError(err)
				} else {
					msg := u.Name + " 已为 " + c.Period().Label() + " 签字。"
					switch path, err := c.WS().LastBackup(); {
					case err != nil:
						msg += "\n\n自动备份没有完成：" + Plain(err) + "\n请在“设置 → 备份”中立即备份一次。"
					case path != "":
						msg += "\n\n已自动备份：" + filepath.Base(path)
					}
					dialog.NewCustom("已签字", tr("知道了"), widget.NewLabel(msg), c.Win()).Show()
				}
				p.Refresh()
				c.UpdateStatus()
			})
		})
	})
	p.Sign.Importance = widget.HighImportance
	p.Reopen = widget.NewButton(tr("退回（重新打开这个月）"), func() {
		reason := strings.TrimSpace(p.Reason.Text)
		c.AskPassword("退回："+c.Period().Label(), func(u audit.Session) {
			c.Background(func(ctx context.Context) error { return c.WS().Reopen(ctx, u, c.Period(), reason) }, func(err error) {
				if err != nil {
					c.ShowError(err)
				}
				p.Refresh()
				c.UpdateStatus()
			})
		})
	})
	p.Missing = widget.NewSelect(nil, nil)
	p.Missing.PlaceHolder = "未上报的村"
	p.NoteText = widget.NewEntry()
	p.NoteText.SetPlaceHolder("未上报的原因（审核人填写），例如：村文书病休，已电话催报")
	p.NoteBtn = widget.NewButton(tr("记录缺报说明"), func() {
		village, note := p.Missing.Selected, strings.TrimSpace(p.NoteText.Text)
		if village == "" || note == "" {
			c.ShowError(audit.Errorf(audit.ErrInvalid, "请选择村并写明原因"))
			return
		}
		c.AskPassword("缺报说明："+village, func(u audit.Session) {
			c.Background(func(ctx context.Context) error { return c.WS().NoteMissing(ctx, u, c.Period(), village, note) }, func(err error) {
				if err != nil {
					c.ShowError(err)
					return
				}
				p.NoteText.SetText("")
				p.Refresh()
			})
		})
	})
	notes := container.NewBorder(nil, nil, p.Missing, p.NoteBtn, p.NoteText)
	p.Notes = notes
	p.QrImage = canvas.NewImageFromImage(nil)
	p.QrImage.FillMode = canvas.ImageFillContain
	p.QrImage.SetMinSize(fyne.NewSize(140, 140))
	p.QrImage.Hide()
	p.Report = widget.NewButton(tr("上报县级：生成上报文件"), p.writeReport)
	p.Report.Hide()
	p.Content = container.NewVScroll(container.NewVBox(
		widget.NewLabelWithStyle(tr("签字前须满足的条件"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), p.Checklist, notes,
		widget.NewSeparator(), container.NewBorder(nil, nil, nil, p.QrImage, p.State), p.Sign, p.Report, widget.NewSeparator(), p.Reason, p.Reopen))
	return p
}

func (p *SignoffPage) View() fyne.CanvasObject { return p.Content }

func (p *SignoffPage) Refresh() {
	c := p.c
	if c.Period() == 0 {
		p.Checklist.SetText("请先在上方选择月份。")
		return
	}
	var st []*audit.PeriodStatus
	var open int
	var wide []audit.FindingRow // roster- or village-wide findings: the supervisor sees them before countersigning
	c.Background(func(ctx context.Context) error {
		var err error
		if st, err = c.WS().Status(ctx, c.Period()); err != nil {
			return err
		}
		if _, open, err = c.WS().Findings(ctx, audit.FindingFilter{Period: c.Period(), Status: audit.StatusOpen, Limit: 1}); err != nil {
			return err
		}
		all, _, err := c.WS().Findings(ctx, audit.FindingFilter{Period: c.Period(), Rule: "above_standard", Limit: 500})
		for _, f := range all {
			if f.IDNumber == "" {
				wide = append(wide, f)
			}
		}
		return err
	}, func(err error) {
		if err != nil || len(st) == 0 {
			c.ShowError(err)
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
		p.Missing.Options = missing
		if len(missing) > 0 {
			p.Missing.SetSelected(missing[0])
		} else {
			p.Missing.ClearSelected()
		}
		if c.IsSupervisor() && len(missing) > 0 {
			p.NoteBtn.Enable()
		} else {
			p.NoteBtn.Disable()
		}
		for _, f := range wide {
			lines = append(lines, fmt.Sprintf("⚠ 整体变化（请审核人特别留意）：%s——%s", f.Status.Label(), f.Detail))
		}
		p.Checklist.SetText(strings.Join(lines, "\n"))
		p.showQR("")
		switch {
		case s.Supervisor != nil:
			p.showQR(s.Supervisor.Fingerprint)
			p.State.SetText(fmt.Sprintf("经办人 %s 已签字；审核人 %s 已复核签字，本月已锁定。\n数据指纹：%s", s.Clerk.User, s.Supervisor.User, s.Supervisor.Fingerprint))
			p.Sign.Disable()
		case s.Clerk != nil:
			p.showQR(s.Clerk.Fingerprint)
			p.State.SetText(fmt.Sprintf("经办人 %s 已签字，等待另一位审核人复核签字（签字人本人不能复核）。\n数据指纹：%s", s.Clerk.User, s.Clerk.Fingerprint))
			p.Sign.SetText(tr("复核签字（审核人）"))
			p.Sign.Enable()
		default:
			p.State.SetText("本月还没有签字。")
			p.Sign.SetText(tr("经办人签字"))
			p.Sign.Enable()
		}
		if c.IsSupervisor() && s.Clerk != nil {
			p.Reopen.Enable()
		} else {
			p.Reopen.Disable()
		}
		// roles shape the screen: a clerk sees no supervisor's control, an
		// auditor (查阅人) no control that writes
		role := c.User().Role
		show(p.Notes, role == audit.RoleSupervisor)
		show(p.Reason, role == audit.RoleSupervisor)
		show(p.Reopen, role == audit.RoleSupervisor)
		show(p.Sign, role == audit.RoleSupervisor || (role == audit.RoleClerk && s.Clerk == nil))
		show(p.Report, s.Supervisor != nil && role != audit.RoleAuditor)
	})
}

// writeReport writes the countersigned month's report to the county (a
// .pabundle signed with the person's key) into the folder beside the
// workspace, to be copied to the county.
func (p *SignoffPage) writeReport() {
	c := p.c
	period := c.Period()
	var path string
	c.Background(func(ctx context.Context) error {
		data, err := c.WS().Bundle(ctx, *c.User(), period)
		if err != nil {
			return err
		}
		ws := c.WS().Path()
		dir := strings.TrimSuffix(ws, filepath.Ext(ws)) + "_上报"
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return audit.Errorf(audit.ErrIO, "无法建立文件夹 %s：%v", dir, err)
		}
		path = filepath.Join(dir, fmt.Sprintf("%s_%s_%s.pabundle", c.WS().Township(ctx), period, time.Now().Format("20060102-150405")))
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return audit.Errorf(audit.ErrIO, "无法写入 %s：%v", path, err)
		}
		return nil
	}, func(err error) {
		if err != nil {
			c.ShowError(err)
			return
		}
		l := widget.NewLabel("已生成 " + period.Label() + " 的上报文件：\n" + path + "\n\n请把它交给县城乡居民养老保险局（拷贝到U盘或按县里的要求发送）。\n县里凭签字表上印的根密钥指纹核对文件。")
		l.Wrapping = fyne.TextWrapWord
		d := dialog.NewCustom(tr("上报县级"), tr("知道了"), l, c.Win())
		d.Resize(fyne.NewSize(620, 260))
		d.Show()
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
func (p *SignoffPage) showQR(fp string) {
	if fp == "" {
		p.QrImage.Hide()
		return
	}
	code, err := qr.Encode(fp, qr.M, qr.Auto)
	if err != nil {
		p.QrImage.Hide()
		return
	}
	if code, err = barcode.Scale(code, 280, 280); err != nil {
		p.QrImage.Hide()
		return
	}
	p.QrImage.Image = code
	p.QrImage.Show()
	p.QrImage.Refresh()
}
