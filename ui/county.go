package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"pensionaudit/audit"
	"pensionaudit/audit/county"
	"pensionaudit/audit/county/countygen"
	"pensionaudit/audit/county/countysheet"
	"pensionaudit/audit/idcard"
	"pensionaudit/ui/pages"
	"pensionaudit/ui/widgets"
)

// CountyWindow is the county mode's window (县级): who reported which month
// and when, what they found and recovered, the cross-township findings, the
// import of townships' report files and the enrolment of townships.
type CountyWindow struct {
	ctx   context.Context
	win   fyne.Window
	store *county.Store
	name  string // the county
	user  *county.User
	sync  bool // tests: work runs on the calling goroutine

	// login
	Names    *widget.Select
	Password *widget.Entry
	Login    *widget.Button
	// Hint is shown on the login screen (the demo county's accounts)
	Hint string
	// main
	Tabs      *container.AppTabs
	Grid      *widgets.TextTable // remade with the months, inside GridBox
	GridBox   *fyne.Container
	Rate      *widget.Label
	Flags     *widgets.TextTable
	Totals    *widgets.TextTable
	Path      *widget.Entry
	ImportBtn *widget.Button
	Progress  *widget.ProgressBar
	Results   *widget.Label
	Towns     *widgets.TextTable
	// the county sheet: where to write it (.pdf or .xlsx)
	SheetPath *widget.Entry
	SheetBtn  *widget.Button
	SheetMsg  *widget.Label
	TownName  *widget.Entry
	TownFP    *widget.Entry
	EnrolBtn  *widget.Button
	lastError string
	busy      atomic.Bool
}

// RunCounty opens the county window on a store.
func RunCounty(ctx context.Context, a fyne.App, s *county.Store, hint string, sync bool) (fyne.Window, *CountyWindow) {
	a.Settings().SetTheme(Theme{})
	a.SetIcon(Icon)
	applyLanguage(a)
	c := &CountyWindow{ctx: ctx, store: s, sync: sync, Hint: hint}
	c.name, _ = s.County(ctx)
	c.win = a.NewWindow(c.name + " · " + tr("县级养老金核查汇总"))
	c.win.Resize(fyne.NewSize(1366, 768))
	c.showLogin()
	return c.win, c
}

func (c *CountyWindow) background(work func(context.Context) error, done func(error)) {
	if c.sync {
		done(work(c.ctx))
		return
	}
	go func() {
		err := work(c.ctx)
		fyne.Do(func() { done(err) })
	}()
}

func (c *CountyWindow) showError(err error) {
	c.lastError = pages.Plain(err)
	if c.sync {
		return
	}
	dialog.NewCustom(tr("无法完成"), tr("知道了"), widget.NewLabel(c.lastError), c.win).Show()
}

func (c *CountyWindow) showLogin() {
	names, _ := c.store.Users(c.ctx)
	c.Names, c.Password = widget.NewSelect(names, nil), widget.NewPasswordEntry()
	c.Names.PlaceHolder = tr("选择姓名")
	if len(names) > 0 {
		c.Names.SetSelectedIndex(0)
	}
	c.Login = widget.NewButton(tr("登录"), func() {
		name, pw := c.Names.Selected, c.Password.Text
		var u *county.User
		c.background(func(ctx context.Context) (err error) { u, err = c.store.Login(ctx, name, pw); return err }, func(err error) {
			c.Password.SetText("")
			if err != nil {
				c.showError(err)
				return
			}
			c.user = u
			c.showMain()
		})
	})
	c.Login.Importance = widget.HighImportance
	c.Password.OnSubmitted = func(string) { c.Login.OnTapped() }
	title := widget.NewLabelWithStyle(c.name+" · 城乡居民养老保险发放核查汇总（县级）", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	hint := widget.NewLabel(c.Hint)
	hint.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(title, widget.NewForm(widget.NewFormItem(tr("姓名"), c.Names), widget.NewFormItem(tr("密码"), c.Password)), c.Login, hint)
	c.win.SetContent(container.NewCenter(container.NewGridWrap(fyne.NewSize(520, 300), box)))
	c.win.Canvas().Focus(c.Password)
}

func (c *CountyWindow) showMain() {
	c.Grid = widgets.NewTextTable([]string{tr("乡镇")}, []float32{140})
	c.GridBox = container.NewStack(c.Grid)
	c.Rate = widget.NewLabel("")
	c.Rate.Wrapping = fyne.TextWrapWord
	c.Flags = widgets.NewTextTable([]string{tr("月份"), tr("问题"), tr("姓名"), tr("身份证号"), tr("涉及乡镇"), tr("金额(元)"), tr("说明")},
		[]float32{80, 200, 80, 170, 240, 110, 440})
	c.Totals = widgets.NewTextTable([]string{tr("乡镇"), tr("月份"), tr("上报情况"), tr("复核签字时间"), tr("核查结果"), tr("发现多发(元)"), tr("应追回(元)"), tr("已追回(元)"), tr("尚欠(元)"), tr("按问题和状态")},
		[]float32{90, 80, 100, 150, 80, 110, 110, 110, 100, 400})
	c.Path = widget.NewEntry()
	c.Path.SetPlaceHolder("上报文件（.pabundle）或所在文件夹，例如 E:\\各乡镇上报\\2024年3月")
	c.Progress = widget.NewProgressBar()
	c.Progress.Hide()
	c.Results = widget.NewLabel("")
	c.Results.Wrapping = fyne.TextWrapWord
	c.ImportBtn = widget.NewButton(tr("导入上报文件"), c.importFiles)
	c.ImportBtn.Importance = widget.HighImportance
	choose := widget.NewButton(tr("选择文件夹…"), func() {
		dialog.NewFolderOpen(func(lu fyne.ListableURI, err error) {
			if err == nil && lu != nil {
				c.Path.SetText(lu.Path())
			}
		}, c.win).Show()
	})
	c.Towns = widgets.NewTextTable([]string{tr("乡镇"), tr("根密钥指纹"), tr("登记时间"), tr("登记人")}, []float32{140, 330, 200, 100})
	c.TownName, c.TownFP = widget.NewEntry(), widget.NewEntry()
	c.TownFP.SetPlaceHolder("签字表上印的根密钥指纹（32 位）")
	c.EnrolBtn = widget.NewButton(tr("登记乡镇"), func() {
		name, fp := c.TownName.Text, c.TownFP.Text
		c.background(func(ctx context.Context) error { return c.store.Enrol(ctx, c.user, name, fp) }, func(err error) {
			if err != nil {
				c.showError(err)
				return
			}
			c.TownName.SetText("")
			c.TownFP.SetText("")
			c.refresh()
		})
	})
	if c.user.Role != audit.RoleSupervisor {
		c.EnrolBtn.Disable()
	}
	if c.user.Role == audit.RoleAuditor {
		c.ImportBtn.Disable()
	}
	c.SheetPath = widget.NewEntry()
	c.SheetPath.SetPlaceHolder("汇总表保存为，例如 D:\\县级\\汇总表.pdf（或 .xlsx）")
	c.SheetMsg = widget.NewLabel("")
	c.SheetBtn = widget.NewButton(tr("生成汇总表"), c.writeSheet)
	legend := widget.NewLabel("按时：次月 10 日前复核签字并上报　逾期：10 日后　未上报：县里没有收到　重报：退回后重新签字上报（取代先前的）")
	c.Tabs = container.NewAppTabs(
		container.NewTabItem(tr("上报情况"), container.NewBorder(container.NewVBox(legend, c.Rate),
			container.NewVBox(container.NewBorder(nil, nil, nil, c.SheetBtn, c.SheetPath), c.SheetMsg), nil, nil, c.GridBox)),
		container.NewTabItem(tr("跨乡镇问题"), c.Flags),
		container.NewTabItem(tr("各乡镇核查和追回"), c.Totals),
		container.NewTabItem(tr("导入上报文件"), container.NewVBox(container.NewBorder(nil, nil, nil, choose, c.Path), c.ImportBtn, c.Progress, c.Results)),
		container.NewTabItem(tr("乡镇登记"), container.NewBorder(widget.NewForm(widget.NewFormItem(tr("乡镇"), c.TownName),
			widget.NewFormItem(tr("根密钥指纹"), c.TownFP), widget.NewFormItem("", c.EnrolBtn)), nil, nil, nil, c.Towns)),
	)
	who := widget.NewLabel(fmt.Sprintf("%s（%s）", c.user.Name, c.user.Role.Label()))
	top := container.NewBorder(nil, nil, widget.NewLabelWithStyle(c.name+" 城乡居民养老保险发放核查汇总", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), who)
	c.win.SetContent(container.NewBorder(top, nil, nil, nil, c.Tabs))
	c.refresh()
}

// countyData is what the screens show.
type countyData struct {
	grid  *county.Grid
	flags []county.Finding
	towns []county.Township
}

func (c *CountyWindow) refresh() {
	var d countyData
	c.background(func(ctx context.Context) (err error) {
		if d.grid, err = c.store.Status(ctx, 0); err != nil {
			return err
		}
		if d.flags, err = c.store.Flags(ctx, 0); err != nil {
			return err
		}
		d.towns, err = c.store.Townships(ctx)
		return err
	}, func(err error) {
		if err != nil {
			c.showError(err)
			return
		}
		c.show(&d)
	})
}

var stateMark = map[string]string{county.OnTime: "✔ 按时", county.Late: "⏰ 逾期", county.Missing: "✘ 未上报", county.Reopened: "↻ 重报"}

func (c *CountyWindow) show(d *countyData) {
	g := d.grid
	headers := []string{tr("乡镇")}
	widths := []float32{140}
	for _, m := range g.Months {
		headers = append(headers, m)
		widths = append(widths, 110)
	}
	grid := widgets.NewTextTable(headers, widths)
	var rows, totals [][]string
	for _, t := range g.Townships {
		row := []string{t}
		for _, m := range g.Months {
			cell := g.Cells[t][m]
			row = append(row, stateMark[cell.State])
			if cell.State != county.Missing {
				totals = append(totals, []string{t, m, county.StateLabel(cell.State), audit.LocalTime(cell.SignedAt), strconv.Itoa(cell.Findings),
					cell.Found.Grouped(), cell.ToRecover.Grouped(), cell.Recovered.Grouped(), (cell.ToRecover - cell.Recovered).Grouped(), cell.ByRule})
			} else {
				totals = append(totals, []string{t, m, county.StateLabel(cell.State), "", "", "", "", "", "", ""})
			}
		}
		rows = append(rows, row)
	}
	grid.SetRows(rows)
	c.Grid = grid
	c.GridBox.Objects = []fyne.CanvasObject{grid}
	c.GridBox.Refresh()
	var rate []string
	for _, m := range g.Months {
		rate = append(rate, fmt.Sprintf("%s 上报 %d/%d、按时 %d", m, g.Reported[m], len(g.Townships), g.OnTime[m]))
	}
	c.Rate.SetText("上报率：" + strings.Join(rate, "；") + "（未上报多的乡镇排在前面）")
	c.Totals.SetRows(totals)
	var frows [][]string
	for _, f := range d.flags {
		frows = append(frows, []string{f.Period, county.RuleLabel(f.Rule), f.Name, idcard.Mask(f.IDNumber), strings.Join(f.Townships, "、"), f.Amount.Grouped(),
			strings.ReplaceAll(f.Detail, f.IDNumber, idcard.Mask(f.IDNumber))})
	}
	c.Flags.SetRows(frows)
	var trows [][]string
	for _, t := range d.towns {
		trows = append(trows, []string{t.Name, t.Fingerprint, audit.LocalTime(t.EnrolledAt), t.EnrolledBy})
	}
	c.Towns.SetRows(trows)
}

// importFiles imports the report files of a folder (or one file), with
// progress; the refused ones are said with their reason.
func (c *CountyWindow) importFiles() {
	path := strings.TrimSpace(c.Path.Text)
	if path == "" || !c.busy.CompareAndSwap(false, true) {
		return
	}
	files, err := county.Files([]string{path})
	if err != nil {
		c.busy.Store(false)
		c.showError(err)
		return
	}
	c.Progress.Show()
	c.Progress.SetValue(0)
	c.ImportBtn.Disable()
	var results []county.FileResult
	c.background(func(ctx context.Context) (err error) {
		results, err = c.store.ImportFiles(ctx, c.user, files, func(done, total int) {
			v := float64(done) / float64(total)
			if c.sync {
				c.Progress.SetValue(v)
			} else {
				fyne.Do(func() { c.Progress.SetValue(v) })
			}
		})
		return err
	}, func(err error) {
		c.busy.Store(false)
		c.ImportBtn.Enable()
		if err != nil {
			c.showError(err)
		}
		refused := 0
		lines := make([]string, len(results))
		for i, r := range results {
			if r.Err != nil {
				refused++
			}
			lines[i] = r.Line()
		}
		c.Results.SetText(fmt.Sprintf("共 %d 个文件，%d 个未导入。\n", len(files), refused) + strings.Join(lines, "\n"))
		c.refresh()
	})
}

// writeSheet writes the county sheet (PDF, or Excel by the name's ending).
func (c *CountyWindow) writeSheet() {
	path := strings.TrimSpace(c.SheetPath.Text)
	if path == "" {
		c.showError(audit.Errorf(audit.ErrInvalid, "请写明汇总表保存到哪个文件（.pdf 或 .xlsx）"))
		return
	}
	c.background(func(ctx context.Context) error {
		return countysheet.Write(ctx, c.store, 0, path, false)
	}, func(err error) {
		if err != nil {
			c.showError(err)
			return
		}
		c.SheetMsg.SetText("已生成 " + path)
	})
}

// openCountyDemo opens the county window on a demo county (a SQLite file
// in the cache folder, made anew): what a county office sees of its
// townships' reports, without a server.
func (c *Controller) openCountyDemo() {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	path := filepath.Join(dir, "pensionaudit", "county-demo.db")
	os.MkdirAll(filepath.Dir(path), 0o755)
	var s *county.Store
	c.background(func(ctx context.Context) error {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(path + suffix)
		}
		var err error
		if s, err = county.Open(ctx, path); err != nil {
			return err
		}
		if err := countygen.Demo(ctx, s); err != nil {
			s.Close()
			return err
		}
		return nil
	}, func(err error) {
		if err != nil {
			c.showError(err)
			return
		}
		w, _ := RunCounty(c.ctx, c.app, s, "演示县：县审核（审核人）、县经办（经办人），密码都是 "+countygen.DemoPassword, c.sync)
		w.SetOnClosed(func() { s.Close() })
		w.Show()
	})
}
