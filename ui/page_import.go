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
	"pensionaudit/ui/widgets"
)

var kindOptions = []string{"发放花名册", "村死亡人员名单", "户籍注销名单"}
var kindIDs = map[string]audit.Kind{"发放花名册": audit.KindPayouts, "村死亡人员名单": audit.KindDeaths, "户籍注销名单": audit.KindDeregistrations}

func kindOption(k audit.Kind) string {
	for o, id := range kindIDs {
		if id == k {
			return o
		}
	}
	return kindOptions[0]
}

// importFile is one file on the import list with what it is taken to be;
// each file's kind, village, month and column mapping can be changed.
type importFile struct {
	path    string
	kind    audit.Kind
	village string
	period  string // as typed, YYYY-MM; "" = from the file
	why     string // how the kind was told
	mapping workspace.Mapping
}

// importPage: choose files (or drop them on the window); each file's kind,
// village and month are guessed and can be changed, with a preview of its
// header and the meaning of each column; import with progress and 取消;
// then every problem, each opening the file at its row.
type importPage struct {
	c        *Controller
	files    []*importFile
	sel      int // the file shown in the form and preview, -1 none
	list     *widget.Table
	path     *widget.Entry
	kind     *widget.Select
	village  *widget.Entry
	period   *widget.Entry
	why      *widget.Label
	start    *widget.Button
	cancel   *widget.Button
	progress *widget.ProgressBar
	speed    *widget.Label
	results  *widget.Label
	problems *widgets.TextTable
	refs     []sourceRef // where each problem is, to open the kept file there
	tabs     *container.AppTabs
	stop     context.CancelFunc
	content  fyne.CanvasObject
	filling  bool // the form is being filled from a file, not edited

	// preview of the selected file: header, column meanings, first rows
	previewInfo *widget.Label
	mapBox      *fyne.Container
	sample      *widgets.TextTable
	sampleBox   *fyne.Container
	fieldSel    map[workspace.Field]*widget.Select
}

const previewHint = "加入文件后，点列表中的文件：这里显示找到的表头和前几行；每个字段对应哪一列可以改。"

func newImportPage(c *Controller) *importPage {
	p := &importPage{c: c, sel: -1, path: widget.NewEntry(), village: widget.NewEntry(), period: widget.NewEntry(), why: widget.NewLabel(""),
		progress: widget.NewProgressBar(), speed: widget.NewLabel(""), results: widget.NewLabel(""),
		problems: widgets.NewTextTable([]string{tr("文件"), tr("工作表"), tr("行"), tr("列"), tr("原值"), tr("问题"), tr("级别")}, []float32{220, 90, 60, 130, 150, 500, 60})}
	p.results.Wrapping = fyne.TextWrapWord
	p.problems.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(p.refs) && p.refs[id.Row].row > 0 {
			r := p.refs[id.Row]
			c.showSource(r.batch, r.file, r.sheet, r.row, r.col)
		}
		p.problems.UnselectAll()
	}
	// the form edits the selected file
	p.kind = widget.NewSelect(kindOptions, func(s string) {
		if f := p.current(); f != nil && !p.filling && f.kind != kindIDs[s] {
			f.kind, f.mapping, f.why = kindIDs[s], nil, "已手动选择"
			p.list.Refresh()
			p.preview()
		}
	})
	p.village.OnChanged = func(s string) {
		if f := p.current(); f != nil && !p.filling {
			f.village = strings.TrimSpace(s)
			p.list.Refresh()
		}
	}
	p.village.OnSubmitted = func(string) { p.preview() } // the village's remembered mapping
	p.period.OnChanged = func(s string) {
		if f := p.current(); f != nil && !p.filling {
			f.period = strings.TrimSpace(s)
			p.list.Refresh()
		}
	}
	p.path.SetPlaceHolder("文件路径（也可以把文件或文件夹拖到窗口上）")
	p.village.SetPlaceHolder("从文件名或标题识别")
	p.period.SetPlaceHolder("YYYY-MM，不填则从文件识别")
	p.list = widget.NewTableWithHeaders(func() (int, int) { return len(p.files), 4 },
		widgets.NewCellLabel, func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			if id.Row >= len(p.files) {
				l.SetText("")
				return
			}
			f := p.files[id.Row]
			switch id.Col {
			case 0:
				l.SetText(audit.Escape(filepath.Base(f.path), 80))
			case 1:
				l.SetText(kindOption(f.kind))
			case 2:
				l.SetText(orDash(f.village, f.kind != audit.KindPayouts))
			case 3:
				l.SetText(orDash(f.period, true))
			}
		})
	listHeaders := []string{tr("文件"), tr("类型"), tr("村(社区)"), tr("月份")}
	p.list.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	p.list.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		l := o.(*widget.Label)
		if id.Row < 0 && id.Col >= 0 && id.Col < len(listHeaders) {
			l.SetText(listHeaders[id.Col])
		} else {
			l.SetText("")
		}
	}
	p.list.ShowHeaderColumn = false
	for i, w := range []float32{270, 130, 100, 90} {
		p.list.SetColumnWidth(i, w)
	}
	p.list.OnSelected = func(id widget.TableCellID) { p.selectFile(id.Row) }
	p.previewInfo = widget.NewLabel(previewHint)
	p.previewInfo.Wrapping = fyne.TextWrapWord
	p.mapBox = container.NewGridWithColumns(4)
	p.sampleBox = container.NewStack()
	add := widget.NewButton(tr("加入"), func() {
		p.addFiles(p.path.Text)
		p.path.SetText("")
	})
	p.path.OnSubmitted = func(string) { add.OnTapped() }
	choose := widget.NewButton(tr("选择文件…"), func() {
		dialog.ShowFileOpen(func(rc fyne.URIReadCloser, err error) {
			if err != nil || rc == nil {
				return
			}
			path := rc.URI().Path()
			rc.Close()
			p.addFiles(path)
		}, c.win)
	})
	folder := widget.NewButton(tr("选择文件夹…"), func() {
		dialog.ShowFolderOpen(func(lu fyne.ListableURI, err error) {
			if err != nil || lu == nil {
				return
			}
			p.dropped([]fyne.URI{lu})
		}, c.win)
	})
	remove := widget.NewButton(tr("移出所选"), func() {
		if p.sel >= 0 && p.sel < len(p.files) {
			p.files = slices.Delete(p.files, p.sel, p.sel+1)
			p.list.UnselectAll()
			p.selectFile(min(p.sel, len(p.files)-1))
		}
	})
	clear := widget.NewButton(tr("清空"), func() {
		p.files = nil
		p.list.UnselectAll()
		p.selectFile(-1)
	})
	p.start = widget.NewButton(tr("开始导入"), p.run)
	p.start.Importance = widget.HighImportance
	p.cancel = widget.NewButton(tr("取消"), func() {
		if p.stop != nil {
			p.stop()
		}
	})
	p.cancel.Disable()

	toolbar := container.NewBorder(nil, nil, container.NewHBox(choose, folder), container.NewHBox(add, remove, clear), p.path)
	form := widget.NewForm(
		widget.NewFormItem(tr("类型"), container.NewBorder(nil, nil, nil, p.why, p.kind)),
		widget.NewFormItem(tr("村(社区)"), p.village),
		widget.NewFormItem(tr("月份"), p.period),
	)
	filesAndForm := container.NewHSplit(p.list, container.NewBorder(form, nil, nil, nil, container.NewVScroll(p.previewInfo)))
	filesAndForm.Offset = 0.5
	previewPart := container.NewBorder(p.mapBox, nil, nil, nil, p.sampleBox)
	body := container.NewVSplit(filesAndForm, previewPart)
	body.Offset = 0.45
	runBar := container.NewVBox(container.NewBorder(nil, nil, nil, container.NewHBox(p.start, p.cancel), p.progress), p.speed)
	choosing := container.NewBorder(toolbar, runBar, nil, nil, body)

	export := widget.NewButton(tr("导出问题（CSV）"), p.exportProblems)
	resultsTop := container.NewVBox(container.NewGridWrap(fyne.NewSize(1180, 110), container.NewVScroll(p.results)),
		container.NewBorder(nil, nil, nil, export,
			widget.NewLabelWithStyle("导入发现的问题（点一行查看原文件该行）", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})))
	results := container.NewBorder(resultsTop, nil, nil, nil, p.problems)
	p.tabs = container.NewAppTabs(
		container.NewTabItem(tr("选择文件"), choosing),
		container.NewTabItem(tr("导入结果与问题"), results),
	)
	p.content = p.tabs
	return p
}

func orDash(s string, fromFile bool) string {
	if s != "" {
		return s
	}
	if fromFile {
		return "（从文件识别）"
	}
	return "—"
}

func (p *importPage) view() fyne.CanvasObject { return p.content }
func (p *importPage) refresh()                {}

// current is the selected file, nil when none.
func (p *importPage) current() *importFile {
	if p.sel >= 0 && p.sel < len(p.files) {
		return p.files[p.sel]
	}
	return nil
}

// selectFile shows file i in the form and its preview (-1: none).
func (p *importPage) selectFile(i int) {
	p.sel = i
	f := p.current()
	p.filling = true
	defer func() { p.filling = false }()
	if f == nil {
		p.sel = -1
		p.kind.ClearSelected()
		p.village.SetText("")
		p.period.SetText("")
		p.why.SetText("")
		p.previewInfo.SetText(previewHint)
		p.mapBox.RemoveAll()
		p.sampleBox.RemoveAll()
		p.list.Refresh()
		return
	}
	p.kind.SetSelected(kindOption(f.kind))
	p.village.SetText(f.village)
	p.period.SetText(f.period)
	p.why.SetText(f.why)
	p.list.Refresh()
	p.preview()
}

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

// addFiles puts paths (one per line) on the list, each with its guessed
// kind, village and month, and selects the first one added.
func (p *importPage) addFiles(text string) {
	var paths []string
	for _, f := range strings.Split(text, "\n") {
		if f = strings.TrimSpace(f); f != "" && !slices.ContainsFunc(p.files, func(x *importFile) bool { return x.path == f }) && !slices.Contains(paths, f) {
			paths = append(paths, f)
		}
	}
	if len(paths) == 0 {
		return
	}
	c := p.c
	var added []*importFile
	c.background(func(ctx context.Context) error {
		for _, path := range paths {
			g := c.ws.GuessFile(ctx, path)
			f := &importFile{path: path, kind: g.Kind, village: g.Village, why: g.Why}
			if g.Period != 0 {
				f.period = g.Period.String()
			}
			added = append(added, f)
		}
		return nil
	}, func(error) {
		first := len(p.files)
		p.files = append(p.files, added...)
		p.list.Refresh()
		p.list.Select(widget.TableCellID{Row: first, Col: 0})
		p.tabs.SelectIndex(0)
	})
}

// preview shows how the selected file would be read, with a dropdown per
// field to change which column means what (remembered for the village on
// import).
func (p *importPage) preview() {
	c := p.c
	f := p.current()
	if f == nil {
		return
	}
	kind, village, mapping := f.kind, f.village, f.mapping
	var pv *workspace.Preview
	c.background(func(ctx context.Context) error {
		var err error
		pv, mapping, err = c.ws.Preview(ctx, f.path, kind, village, mapping)
		return err
	}, func(err error) {
		if p.current() != f {
			return // another file was selected meanwhile
		}
		p.mapBox.RemoveAll()
		p.sampleBox.RemoveAll()
		name := audit.Escape(filepath.Base(f.path), 80)
		if err != nil {
			p.previewInfo.SetText("✘ " + name + "：" + plain(err))
			return
		}
		if !pv.Found {
			p.previewInfo.SetText(fmt.Sprintf("✘ %s：在工作表「%s」的前 20 行没有找到%s的表头。请确认类型选对了；下面是文件的前几行。",
				name, audit.Escape(pv.Sheet, 40), kindOption(kind)))
		} else {
			rows := make([]string, len(pv.Header))
			for i, r := range pv.Header {
				rows[i] = strconv.Itoa(r)
			}
			p.previewInfo.SetText(fmt.Sprintf("%s：工作表「%s」第 %s 行是表头。下面每个字段（＊为必需）对应哪一列，可以修改；修改后导入时会按村记住。",
				name, audit.Escape(pv.Sheet, 40), strings.Join(rows, "、")))
		}
		labels := append([]string{"（没有这一列）"}, nonEmpty(pv.Labels)...)
		p.fieldSel = map[workspace.Field]*widget.Select{}
		for _, fld := range workspace.FieldsOf(kind) {
			fld := fld
			sel := widget.NewSelect(labels, nil)
			if col, ok := pv.Cols[fld]; ok && col < len(pv.Labels) {
				sel.Selected = strings.TrimSpace(pv.Labels[col])
			} else {
				sel.Selected = "（没有这一列）"
			}
			sel.OnChanged = func(choice string) {
				if f.mapping == nil {
					f.mapping = workspace.Mapping{}
				}
				if choice == "（没有这一列）" {
					delete(f.mapping, fld)
				} else {
					f.mapping[fld] = choice
				}
			}
			name := fld.Label()
			if workspace.Required(kind, fld) {
				name += "＊"
			}
			p.fieldSel[fld] = sel
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
			p.sample = widgets.NewTextTable(headers, widths)
			p.sample.SetRows(maskIDCells(pv.Rows))
			p.sampleBox.Add(p.sample)
		}
	})
}

// maskIDCells masks the ID numbers of rows shown on screen.
func maskIDCells(rows [][]string) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = make([]string, len(r))
		for j, cell := range r {
			out[i][j] = workspace.MaskIDCell(cell)
		}
	}
	return out
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

// run imports the listed files one after another, off the UI goroutine,
// each with its own kind, village, month and mapping. Files that could not be
// imported stay on the list, to be corrected and tried again.
func (p *importPage) run() {
	c := p.c
	if len(p.files) == 0 {
		c.showError(audit.Errorf(audit.ErrInvalid, "请先加入要导入的文件"))
		return
	}
	type job struct {
		f      *importFile
		period audit.Month
	}
	var jobs []job
	for _, f := range p.files {
		var m audit.Month
		if f.period != "" {
			var err error
			if m, err = audit.ParseMonth(f.period); err != nil {
				c.showError(audit.Errorf(audit.ErrInvalid, "%s 的月份“%s”看不懂：请写成 2024-03 这样，或者不填", filepath.Base(f.path), f.period))
				return
			}
		}
		jobs = append(jobs, job{f, m})
	}
	ctx, stop := context.WithCancel(c.ctx)
	p.stop = stop
	p.start.Disable()
	p.cancel.Enable()
	p.progress.SetValue(0)
	var lines []string
	var rows [][]string
	var refs []sourceRef
	var failed []*importFile
	started := time.Now()
	c.async(func() {
		defer stop()
		for i, j := range jobs {
			f := j.f
			name := filepath.Base(f.path)
			fi := i
			res, err := c.ws.Import(ctx, *c.user, f.path, workspace.ImportOptions{Kind: f.kind, Village: f.village, Period: j.period, Map: f.mapping,
				Progress: func(n int) {
					rate := float64(n) / max(time.Since(started).Seconds(), 0.001)
					c.do(func() {
						p.speed.SetText(fmt.Sprintf("正在导入 %s（第 %d / %d 个文件）：已读 %d 行，每秒 %.0f 行", name, fi+1, len(jobs), n, rate))
					})
				}})
			if err != nil {
				failed = append(failed, f)
				lines = append(lines, "✘ "+name+"：未导入。"+plain(err))
			} else {
				b := res.Batch
				lines = append(lines, fmt.Sprintf("✔ %s：%s %s %s，导入 %d 行，其中有问题 %d 行（第 %d 批）", name, b.Kind.Label(), b.Village, b.Period.Label(), b.Imported, b.ProblemRows, b.ID))
				for _, u := range res.Understood() {
					lines = append(lines, "  "+u)
				}
				if more := res.ProblemCount - len(res.Problems); more > 0 {
					lines = append(lines, fmt.Sprintf("  另有 %d 个问题未列出，可在“月度总览 → 问题”中查看全部", more))
				}
				for _, q := range res.Problems {
					raw := q.Raw
					if q.Field == "id" {
						raw = workspace.MaskID(raw)
					}
					rows = append(rows, []string{q.File, q.Sheet, strconv.Itoa(q.Row), q.Column + " " + q.Header, raw, q.Reason, q.Level.Label()})
					refs = append(refs, sourceRef{batch: b.ID, file: q.File, sheet: q.Sheet, row: q.Row, col: q.Column})
				}
			}
			c.do(func() { p.progress.SetValue(float64(fi+1) / float64(len(jobs))) })
			if ctx.Err() != nil {
				for _, rest := range jobs[i+1:] {
					failed = append(failed, rest.f)
				}
				lines = append(lines, "已取消：其余文件没有导入，仍在列表中。")
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
			p.files = failed
			p.list.UnselectAll()
			p.selectFile(-1)
			p.tabs.SelectIndex(1)
			if c.frame != nil {
				c.frame.loadMonths()
			}
		})
	})
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
				cw.Write(p.problems.Headers())
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
