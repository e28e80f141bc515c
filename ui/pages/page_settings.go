package pages

import (
	"context"
	"fmt"
	"path/filepath"
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

// SettingsPage: accounts (a supervisor adds them) and villages.
type SettingsPage struct {
	c      Host
	Shared *widget.Entry
	Age    *widget.Entry
	Pct    *widget.Entry
	// the other sources' parameters
	CertMonths  *widget.Entry
	OpPct       *widget.Entry
	OpMin       *widget.Entry
	PrisonEntry *widget.Check
	SaveRules   *widget.Button
	Users       *widgets.TextTable
	Name        *widget.Entry
	Role        *widget.Select
	Pw          *widget.Entry
	Add         *widget.Button
	// OwnPassword is everyone's; NewCode a supervisor's (a new recovery code)
	OwnPassword *widget.Button
	NewCode     *widget.Button
	// backups: the list, the one chosen, a backup now, a restore (the
	// restore is a supervisor's and shown only to one)
	Backups    *widgets.TextTable
	BackupList []workspace.BackupInfo
	Chosen     int
	BackupNow  *widget.Button
	Restore    *widget.Button
	Content    fyne.CanvasObject
}

var roleOptions = []string{"经办人", "审核人", "查阅人"}
var roleIDs = map[string]audit.Role{"经办人": audit.RoleClerk, "审核人": audit.RoleSupervisor, "查阅人": audit.RoleAuditor}

func NewSettingsPage(c Host) *SettingsPage {
	p := &SettingsPage{c: c, Users: widgets.NewTextTable([]string{tr("姓名"), tr("角色"), tr("状态"), tr("签名密钥")}, []float32{160, 100, 100, 300}),
		Name: widget.NewEntry(), Pw: widget.NewPasswordEntry(), Role: widget.NewSelect(roleOptions, nil)}
	p.Role.SetSelected("经办人")
	p.Add = widget.NewButton(tr("添加用户"), func() {
		name, role, pw := p.Name.Text, roleIDs[p.Role.Selected], p.Pw.Text
		c.AskPassword("添加用户须由审核人确认", func(sup audit.Session) {
			c.Background(func(ctx context.Context) error {
				_, err := c.WS().AddUser(ctx, &sup, name, role, pw)
				return err
			}, func(err error) {
				if err != nil {
					c.ShowError(err)
					return
				}
				p.Name.SetText("")
				p.Pw.SetText("")
				p.Refresh()
			})
		})
	})
	form := widget.NewForm(widget.NewFormItem(tr("姓名"), p.Name), widget.NewFormItem(tr("角色"), p.Role), widget.NewFormItem(tr("初始密码"), p.Pw))
	p.OwnPassword = widget.NewButton(tr("修改本人密码…"), func() { ChangeOwnPassword(c) })
	p.NewCode = widget.NewButton(tr("生成新的恢复码…"), func() {
		c.Confirm(tr("生成新的恢复码"), "生成新的恢复码后，原来的恢复码立即作废。\n新的恢复码只显示一次，请准备好纸笔。继续？", func() {
			c.AskPassword("生成恢复码须由审核人确认", func(sup audit.Session) {
				var code, root string
				c.Background(func(ctx context.Context) (err error) {
					if code, err = c.WS().NewRecoveryCode(ctx, sup); err != nil {
						return err
					}
					root, err = c.WS().RootAccount(ctx)
					return err
				}, func(err error) {
					if err != nil {
						c.ShowError(err)
						return
					}
					ShowRecoveryCode(c.Win(), root, code)
				})
			})
		})
	})
	size := widget.NewSelect(TextSizes, func(s string) {
		c.App().Preferences().SetString(PrefTextSize, s)
		c.ApplyTheme()
	})
	size.SetSelected(c.App().Preferences().StringWithFallback(PrefTextSize, TextSizes[0]))
	look := widget.NewSelect(Looks, func(s string) {
		c.App().Preferences().SetString(PrefLook, s)
		c.ApplyTheme()
	})
	look.SetSelected(c.App().Preferences().StringWithFallback(PrefLook, Looks[0]))
	language := widget.NewSelect(Languages, func(s string) {
		if s != c.App().Preferences().StringWithFallback(PrefLanguage, Languages[0]) {
			c.App().Preferences().SetString(PrefLanguage, s)
			dialog.NewCustom(tr("语言"), tr("知道了"), widget.NewLabel("重新启动后生效 / Takes effect at the next start"), c.Win()).Show()
		}
	})
	language.SetSelected(c.App().Preferences().StringWithFallback(PrefLanguage, Languages[0]))
	idle := widget.NewSelect(IdleOptions, func(s string) {
		c.App().Preferences().SetString(PrefIdle, s)
		c.SetIdle(s)
	})
	idle.SetSelected(c.App().Preferences().StringWithFallback(PrefIdle, "10 分钟"))
	display := widget.NewForm(widget.NewFormItem(tr("文字大小"), size), widget.NewFormItem(tr("外观"), look), widget.NewFormItem(tr("语言"), language),
		widget.NewFormItem("无操作自动锁屏", idle))
	p.Shared, p.Age, p.Pct = widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	p.CertMonths, p.OpPct, p.OpMin = widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	p.PrisonEntry = widget.NewCheck("入监当月起就暂停（不选：从入监次月起）", nil)
	p.SaveRules = widget.NewButton(tr("保存核查参数"), func() {
		var st workspace.RuleSettings
		var err error
		if st, err = c.WS().RuleSettings(c.Ctx()); err != nil {
			c.ShowError(err)
			return
		}
		for _, f := range []struct {
			e   *widget.Entry
			dst *int
		}{{p.Shared, &st.SharedAccountMin}, {p.Age, &st.SurvivalAge}, {p.Pct, &st.IncreasePct}, {p.CertMonths, &st.CertificationMonths},
			{p.OpPct, &st.OperatorSharePct}, {p.OpMin, &st.OperatorMin}} {
			n, err := strconv.Atoi(strings.TrimSpace(f.e.Text))
			if err != nil {
				c.ShowError(audit.Errorf(audit.ErrInvalid, "“%s”不是整数", f.e.Text))
				return
			}
			*f.dst = n
		}
		st.PrisonFromEntryMonth = p.PrisonEntry.Checked
		c.AskPassword("修改核查参数须由审核人确认", func(sup audit.Session) {
			c.Background(func(ctx context.Context) error { return c.WS().SetRuleSettings(ctx, sup, st) }, func(err error) {
				if err != nil {
					c.ShowError(err)
					return
				}
				p.Refresh()
			})
		})
	})
	ruleForm := widget.NewForm(
		widget.NewFormItem("多人共用账户：几人及以上", p.Shared),
		widget.NewFormItem("高龄待核实：年满几岁", p.Age),
		widget.NewFormItem("超标准发放：比上月增加超过（%）", p.Pct),
		widget.NewFormItem("资格认证：超过几个月未认证", p.CertMonths),
		widget.NewFormItem("服刑期间暂停发放", p.PrisonEntry),
		widget.NewFormItem("经办人集中办理：占当月补发等的（%）", p.OpPct),
		widget.NewFormItem("经办人集中办理：至少几笔", p.OpMin))
	// one scrolling column: the page never makes the window taller than a
	// 1366×768 laptop's screen, whatever the text size
	users := container.NewGridWrap(fyne.NewSize(720, 200), p.Users)
	p.newBackups()
	backups := container.NewGridWrap(fyne.NewSize(720, 200), p.Backups)
	p.Content = container.NewVScroll(container.NewVBox(
		widget.NewLabelWithStyle(tr("显示"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), display, widget.NewSeparator(),
		widget.NewLabelWithStyle(tr("核查规则的参数（审核人修改，下次核查时生效）"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		ruleForm, p.SaveRules, widget.NewSeparator(),
		widget.NewLabelWithStyle(tr("用户（只有审核人可以添加）"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		form, p.Add, users, container.NewHBox(p.OwnPassword, p.NewCode), widget.NewSeparator(),
		widget.NewLabelWithStyle(tr("备份"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widget.NewLabel("每次签字后、每天第一次使用时自动备份到工作区旁的文件夹 "+filepath.Base(workspace.BackupDir(c.WS().Path()))+"，\n旧的备份按类型轮换（每日 7 份，签字 24 份）。恢复须由审核人确认，恢复前先校验备份。"),
		backups, container.NewHBox(p.BackupNow, p.Restore)))
	return p
}

// newBackups makes the backup list and its buttons.
func (p *SettingsPage) newBackups() {
	c := p.c
	p.Chosen = -1
	p.Backups = widgets.NewTextTable([]string{tr("时间"), tr("类型"), tr("说明"), tr("大小")}, []float32{170, 80, 260, 100})
	p.Backups.OnSelected = func(id widget.TableCellID) {
		p.Chosen = id.Row
		p.Backups.Mark(id.Row)
	}
	p.BackupNow = widget.NewButton(tr("立即备份"), func() {
		var path string
		c.Background(func(ctx context.Context) (err error) {
			path, err = c.WS().Backup(ctx, workspace.BackupManual, "")
			return err
		}, func(err error) {
			if err != nil {
				c.ShowError(err)
				return
			}
			dialog.NewCustom(tr("备份"), tr("知道了"), widget.NewLabel("已备份："+filepath.Base(path)), c.Win()).Show()
			p.Refresh()
		})
	})
	p.Restore = widget.NewButton(tr("恢复所选备份…"), p.restoreChosen)
}

// restoreChosen verifies the chosen backup, shows what verify found and,
// once the supervisor confirms, puts it in place of the workspace.
func (p *SettingsPage) restoreChosen() {
	c := p.c
	if p.Chosen < 0 || p.Chosen >= len(p.BackupList) {
		c.ShowError(audit.Errorf(audit.ErrInvalid, "请先在列表中选择要恢复的备份"))
		return
	}
	b := p.BackupList[p.Chosen]
	c.AskPassword("恢复备份须由审核人确认", func(sup audit.Session) {
		var r *workspace.VerifyReport
		c.Background(func(ctx context.Context) (err error) {
			r, err = c.WS().CheckBackup(ctx, b.Path)
			return err
		}, func(err error) {
			if err != nil {
				c.ShowError(err)
				return
			}
			if !r.OK() {
				c.ShowError(audit.Errorf(audit.ErrConflict, "备份 %s 没有通过校验，不能恢复：%s", filepath.Base(b.Path), strings.Join(r.Problems, "；")))
				return
			}
			msg := fmt.Sprintf("备份 %s（%s）校验完好：记录 %d 条，签字 %d 个。\n\n用它替换当前工作区？此后的操作都会放弃；当前工作区会先另存为一份“恢复前”备份，恢复记入操作记录。\n恢复后请重新登录。",
				filepath.Base(b.Path), b.Time.Format("2006-01-02 15:04"), r.Entries, r.Signoffs)
			c.Confirm(tr("恢复备份"), msg, func() {
				var saved string
				c.Background(func(ctx context.Context) (err error) {
					saved, err = c.WS().Restore(ctx, sup, b.Path)
					return err
				}, func(err error) {
					if err != nil {
						c.ShowError(err)
						return
					}
					c.Logout()
					dialog.NewCustom(tr("恢复备份"), tr("知道了"), widget.NewLabel("已恢复。恢复前的工作区另存为 "+filepath.Base(saved)+"。请重新登录。"), c.Win()).Show()
				})
			})
		})
	})
}

func (p *SettingsPage) View() fyne.CanvasObject { return p.Content }

func (p *SettingsPage) Refresh() {
	if p.c.IsSupervisor() {
		p.Add.Enable()
		p.SaveRules.Enable()
		p.PrisonEntry.Enable()
	} else {
		p.Add.Disable()
		p.SaveRules.Disable()
		p.PrisonEntry.Disable()
	}
	if st, err := p.c.WS().RuleSettings(p.c.Ctx()); err == nil {
		p.Shared.SetText(strconv.Itoa(st.SharedAccountMin))
		p.Age.SetText(strconv.Itoa(st.SurvivalAge))
		p.Pct.SetText(strconv.Itoa(st.IncreasePct))
		p.CertMonths.SetText(strconv.Itoa(st.CertificationMonths))
		p.OpPct.SetText(strconv.Itoa(st.OperatorSharePct))
		p.OpMin.SetText(strconv.Itoa(st.OperatorMin))
		p.PrisonEntry.SetChecked(st.PrisonFromEntryMonth)
	}
	if p.c.IsSupervisor() {
		p.Restore.Show()
		p.NewCode.Show()
	} else {
		p.Restore.Hide() // a restore is a supervisor's: a clerk never sees it
		p.NewCode.Hide()
	}
	if list, err := p.c.WS().Backups(); err == nil {
		p.BackupList, p.Chosen = list, -1
		rows := make([][]string, len(list))
		for i, b := range list {
			rows[i] = []string{b.Time.Format("2006-01-02 15:04:05"), b.Kind, b.Note, sizeText(b.Size)}
		}
		p.Backups.SetRows(rows)
	}
	load(p.c, p.c.WS().Accounts, func(users []workspace.Account) {
		var rows [][]string
		for _, u := range users {
			state := "正常"
			if u.Disabled {
				state = "已停用"
			}
			rows = append(rows, []string{u.Name, audit.Role(u.Role).Label(), state, u.KeyState})
		}
		p.Users.SetRows(rows)
	})
}

// sizeText is a file size as a person reads it.
func sizeText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KB", (n+1023)/1024)
}
