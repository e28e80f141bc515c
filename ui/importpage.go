package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"pensionaudit/audit"
	"pensionaudit/audit/idcard"
	"pensionaudit/audit/workspace"
)

var kindOptions = []string{"发放花名册", "村死亡人员名单", "户籍注销名单"}
var kindIDs = map[string]audit.Kind{"发放花名册": audit.KindPayouts, "村死亡人员名单": audit.KindDeaths, "户籍注销名单": audit.KindDeregistrations}

// importPage: choose files (or drop them on the window), say what they are,
// import with progress and 取消, then see every problem.
type importPage struct {
	c        *Controller
	files    []string
	list     *widget.List
	path     *widget.Entry
	kind     *widget.Select
	village  *widget.Entry
	period   *widget.Entry
	start    *widget.Button
	cancel   *widget.Button
	progress *widget.ProgressBar
	speed    *widget.Label
	results  *widget.Label
	problems *textTable
	stop     context.CancelFunc
	content  fyne.CanvasObject
}

func newImportPage(c *Controller) *importPage {
	p := &importPage{c: c, path: widget.NewEntry(), village: widget.NewEntry(), period: widget.NewEntry(),
		progress: widget.NewProgressBar(), speed: widget.NewLabel(""), results: widget.NewLabel(""),
		problems: newTextTable([]string{"文件", "工作表", "行", "列", "原值", "问题", "级别"}, []float32{200, 90, 60, 110, 150, 480, 60})}
	p.results.Wrapping = fyne.TextWrapWord
	p.kind = widget.NewSelect(kindOptions, nil)
	p.kind.SetSelected(kindOptions[0])
	p.path.SetPlaceHolder("文件路径；也可以把文件拖到窗口上")
	p.village.SetPlaceHolder("死亡名单的村（可不填：从文件名或标题识别）")
	p.period.SetPlaceHolder("月份 YYYY-MM（可不填：从文件识别）")
	p.list = widget.NewList(func() int { return len(p.files) }, func() fyne.CanvasObject {
		l := widget.NewLabel("")
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}, func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(filepath.Base(p.files[i])) })
	add := widget.NewButton("加入", func() {
		p.addFiles(p.path.Text)
		p.path.SetText("")
	})
	choose := widget.NewButton("选择文件…", func() {
		d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
			if err != nil || rc == nil {
				return
			}
			path := rc.URI().Path()
			rc.Close()
			p.addFiles(path)
		}, c.win)
		d.Show()
	})
	clear := widget.NewButton("清空", func() {
		p.files = nil
		p.list.Refresh()
	})
	p.start = widget.NewButton("开始导入", p.run)
	p.start.Importance = widget.HighImportance
	p.cancel = widget.NewButton("取消", func() {
		if p.stop != nil {
			p.stop()
		}
	})
	p.cancel.Disable()
	c.win.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) {
		for _, u := range uris {
			p.addFiles(u.Path())
		}
		if c.frame != nil {
			c.frame.show(pageImport)
		}
	})
	form := widget.NewForm(
		widget.NewFormItem("文件", container.NewBorder(nil, nil, nil, container.NewHBox(add, choose, clear), p.path)),
		widget.NewFormItem("类型", p.kind),
		widget.NewFormItem("村(社区)", p.village),
		widget.NewFormItem("月份", p.period),
	)
	top := container.NewVBox(form, container.NewGridWrap(fyne.NewSize(600, 90), p.list),
		container.NewBorder(nil, nil, nil, container.NewHBox(p.start, p.cancel), p.progress), p.speed, p.results)
	p.content = container.NewBorder(top, nil, nil, nil, p.problems)
	return p
}

func (p *importPage) view() fyne.CanvasObject { return p.content }
func (p *importPage) refresh()                {}

func (p *importPage) addFiles(text string) {
	for _, f := range strings.Split(text, "\n") {
		if f = strings.TrimSpace(f); f != "" {
			p.files = append(p.files, f)
		}
	}
	p.list.Refresh()
}

// run imports the chosen files one after another, off the UI goroutine.
func (p *importPage) run() {
	c := p.c
	if len(p.files) == 0 {
		c.showError(audit.Errorf(audit.ErrInvalid, "请先加入要导入的文件"))
		return
	}
	var period audit.Month
	if s := strings.TrimSpace(p.period.Text); s != "" {
		m, err := audit.ParseMonth(s)
		if err != nil {
			c.showError(err)
			return
		}
		period = m
	}
	kind := kindIDs[p.kind.Selected]
	village := strings.TrimSpace(p.village.Text)
	files := append([]string(nil), p.files...)
	ctx, stop := context.WithCancel(c.ctx)
	p.stop = stop
	p.start.Disable()
	p.cancel.Enable()
	p.progress.SetValue(0)
	var lines []string
	var rows [][]string
	started := time.Now()
	c.async(func() {
		defer stop()
		for i, f := range files {
			name := filepath.Base(f)
			fi := i
			res, err := c.ws.Import(ctx, f, workspace.ImportOptions{Kind: kind, Village: village, Period: period, User: c.user.Name,
				Progress: func(n int) {
					rate := float64(n) / max(time.Since(started).Seconds(), 0.001)
					c.do(func() {
						p.speed.SetText(fmt.Sprintf("正在导入 %s：已读 %d 行，每秒 %.0f 行", name, n, rate))
					})
				}})
			if err != nil {
				lines = append(lines, "✘ "+name+"：未导入。"+plain(err))
			} else {
				b := res.Batch
				lines = append(lines, fmt.Sprintf("✔ %s：%s %s %s，导入 %d 行，其中有问题 %d 行（第 %d 批）", name, b.Kind.Label(), b.Village, b.Period.Label(), b.Imported, b.ProblemRows, b.ID))
				if more := res.ProblemCount - len(res.Problems); more > 0 {
					lines = append(lines, fmt.Sprintf("  另有 %d 个问题未列出，可在“月度总览 → 问题”中查看全部", more))
				}
				for _, q := range res.Problems {
					raw := q.Raw
					if q.Field == "id" {
						raw = idcard.Mask(raw)
					}
					rows = append(rows, []string{q.File, q.Sheet, strconv.Itoa(q.Row), q.Column + " " + q.Header, raw, q.Reason, q.Level.Label()})
				}
			}
			c.do(func() { p.progress.SetValue(float64(fi+1) / float64(len(files))) })
			if ctx.Err() != nil {
				break
			}
		}
		c.do(func() {
			p.results.SetText(strings.Join(lines, "\n"))
			p.problems.SetRows(rows)
			p.speed.SetText("")
			p.start.Enable()
			p.cancel.Disable()
			p.files = nil
			p.list.Refresh()
			if c.frame != nil {
				c.frame.loadMonths()
			}
		})
	})
}
