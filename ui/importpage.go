package ui

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"pensionaudit/audit"
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
	refs     []sourceRef // where each problem is, to open the kept file there
	stop     context.CancelFunc
	content  fyne.CanvasObject

	// preview of the selected file: header, column meanings, first rows
	previewInfo *widget.Label
	mapBox      *fyne.Container
	sample      *textTable
	sampleBox   *fyne.Container
	mapping     workspace.Mapping
	fieldSel    map[workspace.Field]*widget.Select
}

func newImportPage(c *Controller) *importPage {
	p := &importPage{c: c, path: widget.NewEntry(), village: widget.NewEntry(), period: widget.NewEntry(),
		progress: widget.NewProgressBar(), speed: widget.NewLabel(""), results: widget.NewLabel(""),
		problems: newTextTable([]string{tr("文件"), tr("工作表"), tr("行"), tr("列"), tr("原值"), tr("问题"), tr("级别")}, []float32{200, 90, 60, 110, 150, 480, 60})}
	p.results.Wrapping = fyne.TextWrapWord
	p.problems.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(p.refs) && p.refs[id.Row].row > 0 {
			r := p.refs[id.Row]
			c.showSource(r.batch, r.file, r.sheet, r.row)
		}
		p.problems.UnselectAll()
	}
	p.kind = widget.NewSelect(kindOptions, func(string) {
		p.mapping = nil
		if len(p.files) > 0 {
			p.preview(p.files[0])
		}
	})
	p.kind.SetSelected(kindOptions[0])
	p.path.SetPlaceHolder("文件路径；也可以把文件拖到窗口上")
	p.village.SetPlaceHolder("死亡名单的村（可不填：从文件名或标题识别）")
	p.period.SetPlaceHolder("月份 YYYY-MM（可不填：从文件识别）")
	p.list = widget.NewList(func() int { return len(p.files) }, func() fyne.CanvasObject {
		l := widget.NewLabel("")
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}, func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(filepath.Base(p.files[i])) })
	p.list.OnSelected = func(i widget.ListItemID) { p.preview(p.files[i]) }
	p.previewInfo = widget.NewLabel("加入文件后，这里显示找到的表头和前几行；每一列的含义可以改。")
	p.previewInfo.Wrapping = fyne.TextWrapWord
	p.mapBox = container.NewGridWithColumns(4)
	p.sampleBox = container.NewStack()
	add := widget.NewButton(tr("加入"), func() {
		p.addFiles(p.path.Text)
		p.path.SetText("")
	})
	choose := widget.NewButton(tr("选择文件…"), func() {
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
	clear := widget.NewButton(tr("清空"), func() {
		p.files = nil
		p.list.Refresh()
	})
	p.start = widget.NewButton(tr("开始导入"), p.run)
	p.start.Importance = widget.HighImportance
	p.cancel = widget.NewButton(tr("取消"), func() {
		if p.stop != nil {
			p.stop()
		}
	})
	p.cancel.Disable()
	form := widget.NewForm(
		widget.NewFormItem(tr("文件"), container.NewBorder(nil, nil, nil, container.NewHBox(add, choose, clear), p.path)),
		widget.NewFormItem(tr("类型"), p.kind),
		widget.NewFormItem(tr("村(社区)"), p.village),
		widget.NewFormItem(tr("月份"), p.period),
	)
	top := container.NewVBox(form, container.NewGridWithColumns(2, container.NewGridWrap(fyne.NewSize(480, 90), p.list), p.previewInfo),
		p.mapBox, container.NewGridWrap(fyne.NewSize(1100, 170), p.sampleBox))
	export := widget.NewButton(tr("导出问题（CSV）"), p.exportProblems)
	run := container.NewVBox(container.NewBorder(nil, nil, nil, container.NewHBox(p.start, p.cancel), p.progress), p.speed, p.results,
		container.NewBorder(nil, nil, nil, export,
			widget.NewLabelWithStyle("导入发现的问题（文件、工作表、行、列、原值、原因；点一行查看原文件该行）", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})))
	split := container.NewVSplit(container.NewVScroll(top), container.NewBorder(run, nil, nil, nil, p.problems))
	split.Offset = 0.55
	p.content = split
	return p
}

func (p *importPage) view() fyne.CanvasObject { return p.content }
func (p *importPage) refresh()                {}

// dropped puts files (or the spreadsheets of a dropped folder) on the
// import list.
func (p *importPage) dropped(uris []fyne.URI) {
	var paths []string
	for _, u := range uris {
		if u.Scheme() != "file" {
			continue
		}
		path := u.Path()
		if st, err := os.Stat(path); err == nil && st.IsDir() {
			entries, _ := os.ReadDir(path)
			for _, e := range entries {
				if e.Type().IsRegular() && tableFile(e.Name()) {
					paths = append(paths, filepath.Join(path, e.Name()))
				}
			}
			continue
		}
		paths = append(paths, path)
	}
	p.addFiles(strings.Join(paths, "\n"))
}

// tableFile reports whether a name looks like a table we read.
func tableFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx", ".xlsm", ".xls", ".csv", ".txt", ".htm", ".html", ".xml":
		return !strings.HasPrefix(name, "~$") // Excel's lock files
	}
	return false
}

func (p *importPage) addFiles(text string) {
	first := len(p.files) == 0
	for _, f := range strings.Split(text, "\n") {
		if f = strings.TrimSpace(f); f != "" && !slices.Contains(p.files, f) {
			p.files = append(p.files, f)
		}
	}
	p.list.Refresh()
	if first && len(p.files) > 0 {
		p.preview(p.files[0])
	}
}

// preview shows how the file would be read, with a dropdown per field to
// change which column means what (remembered for the village on import).
func (p *importPage) preview(path string) {
	c := p.c
	kind := kindIDs[p.kind.Selected]
	village := strings.TrimSpace(p.village.Text)
	var pv *workspace.Preview
	var mapping workspace.Mapping
	c.background(func(ctx context.Context) error {
		var err error
		pv, mapping, err = c.ws.Preview(ctx, path, kind, village, p.mapping)
		return err
	}, func(err error) {
		p.mapBox.Objects = nil
		p.sampleBox.Objects = nil
		if err != nil {
			p.previewInfo.SetText("✘ " + filepath.Base(path) + "：" + plain(err))
			p.mapBox.Refresh()
			p.sampleBox.Refresh()
			return
		}
		if !pv.Found {
			p.previewInfo.SetText(fmt.Sprintf("✘ %s：在工作表「%s」的前 20 行没有找到%s的表头。请确认类型选对了；下面是文件的前几行。",
				filepath.Base(path), pv.Sheet, p.kind.Selected))
		} else {
			rows := make([]string, len(pv.Header))
			for i, r := range pv.Header {
				rows[i] = strconv.Itoa(r)
			}
			p.previewInfo.SetText(fmt.Sprintf("%s：工作表「%s」第 %s 行是表头。下面每个字段对应哪一列，可以修改；修改后导入时会按村记住。",
				filepath.Base(path), pv.Sheet, strings.Join(rows, "、")))
		}
		p.mapping = mapping
		labels := append([]string{"（没有这一列）"}, nonEmpty(pv.Labels)...)
		p.fieldSel = map[workspace.Field]*widget.Select{}
		for _, f := range workspace.FieldsOf(kind) {
			f := f
			sel := widget.NewSelect(labels, func(choice string) {
				if p.mapping == nil {
					p.mapping = workspace.Mapping{}
				}
				if choice == "（没有这一列）" {
					delete(p.mapping, f)
				} else {
					p.mapping[f] = choice
				}
			})
			if col, ok := pv.Cols[f]; ok && col < len(pv.Labels) {
				sel.Selected = strings.TrimSpace(pv.Labels[col])
			} else {
				sel.Selected = "（没有这一列）"
			}
			name := f.Label()
			if workspace.Required(kind, f) {
				name += "＊"
			}
			p.fieldSel[f] = sel
			p.mapBox.Add(container.NewBorder(nil, nil, widget.NewLabel(name), nil, sel))
		}
		headers := pv.Labels
		if len(headers) == 0 && len(pv.Rows) > 0 {
			for i := range pv.Rows[0] {
				headers = append(headers, workspace.ColName(i))
			}
		}
		if len(headers) > 0 {
			widths := make([]float32, len(headers))
			for i := range widths {
				widths[i] = 120
			}
			p.sample = newTextTable(headers, widths)
			p.sample.SetRows(pv.Rows)
			p.sampleBox.Add(p.sample)
		}
		p.mapBox.Refresh()
		p.sampleBox.Refresh()
	})
}

func nonEmpty(labels []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range labels {
		if l = strings.TrimSpace(l); l != "" && !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
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
	mapping := p.changedMapping()
	ctx, stop := context.WithCancel(c.ctx)
	p.stop = stop
	p.start.Disable()
	p.cancel.Enable()
	p.progress.SetValue(0)
	var lines []string
	var rows [][]string
	var refs []sourceRef
	started := time.Now()
	c.async(func() {
		defer stop()
		for i, f := range files {
			name := filepath.Base(f)
			fi := i
			res, err := c.ws.Import(ctx, f, workspace.ImportOptions{Kind: kind, Village: village, Period: period, User: c.user.Name, Map: mapping,
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
						raw = workspace.MaskID(raw)
					}
					rows = append(rows, []string{q.File, q.Sheet, strconv.Itoa(q.Row), q.Column + " " + q.Header, raw, q.Reason, q.Level.Label()})
					refs = append(refs, sourceRef{batch: b.ID, file: q.File, sheet: q.Sheet, row: q.Row})
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
			p.refs = refs
			p.speed.SetText("")
			p.start.Enable()
			p.cancel.Disable()
			p.files, p.mapping = nil, nil
			p.list.Refresh()
			p.mapBox.Objects, p.sampleBox.Objects = nil, nil
			p.mapBox.Refresh()
			p.sampleBox.Refresh()
			p.previewInfo.SetText("加入文件后，这里显示找到的表头和前几行；每一列的含义可以改。")
			if c.frame != nil {
				c.frame.loadMonths()
			}
		})
	})
}

// changedMapping is the mapping to import with: nil when the user kept what
// was detected (or remembered), so nothing new is remembered.
func (p *importPage) changedMapping() workspace.Mapping {
	if len(p.mapping) == 0 {
		return nil
	}
	return p.mapping
}

// exportProblems saves the problems table as a CSV (cells that would be
// formulas are written as text).
func (p *importPage) exportProblems() {
	c := p.c
	rows := p.problems.Rows()
	if len(rows) == 0 {
		c.showError(audit.Errorf(audit.ErrInvalid, "还没有可导出的问题"))
		return
	}
	dialog.ShowFolderOpen(func(lu fyne.ListableURI, err error) {
		if err != nil || lu == nil {
			return
		}
		path := filepath.Join(lu.Path(), "导入问题_"+time.Now().Format("20060102_150405")+".csv")
		c.background(func(ctx context.Context) error {
			return c.ws.WriteOutput(ctx, path, false, func(w ioWriter) error {
				w.Write([]byte("\xef\xbb\xbf"))
				cw := csv.NewWriter(w)
				cw.Write(p.problems.headers)
				for _, r := range rows {
					cw.Write(workspace.SafeCSVRow(r))
				}
				cw.Flush()
				return cw.Error()
			})
		}, func(err error) {
			if err != nil {
				c.showError(err)
				return
			}
			p.results.SetText(p.results.Text + "\n已导出问题到 " + path)
		})
	}, c.win)
}
