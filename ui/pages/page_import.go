package pages

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
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

// kindOptions are every kind's Chinese name, in audit.Kinds' order.
var kindOptions, kindIDs = func() ([]string, map[string]audit.Kind) {
	var opts []string
	ids := map[string]audit.Kind{}
	for _, k := range audit.Kinds {
		opts = append(opts, k.Label())
		ids[k.Label()] = k
	}
	return opts, ids
}()

func KindOption(k audit.Kind) string {
	for o, id := range kindIDs {
		if id == k {
			return o
		}
	}
	return kindOptions[0]
}

// ImportFile is one file on the import list with what it is taken to be;
// each file's kind, village, month and column mapping can be changed.
type ImportFile struct {
	Path    string
	Kind    audit.Kind
	Village string
	Period  string // as typed, YYYY-MM; "" = from the file
	Why     string // how the kind was told
	Mapping workspace.Mapping
}

// ImportPage: choose files (or drop them on the window); each file's kind,
// village and month are guessed and can be changed, with a preview of its
// header and the meaning of each column; import with progress and 取消;
// then every problem, each opening the file at its row.
type ImportPage struct {
	c        Host
	Files    []*ImportFile
	Sel      int // the file shown in the form and preview, -1 none
	List     *widget.Table
	Path     *widget.Entry
	Kind     *widget.Select
	Village  *widget.Entry
	Period   *widget.Entry
	Why      *widget.Label
	Start    *widget.Button
	Cancel   *widget.Button
	Progress *widget.ProgressBar
	Speed    *widget.Label
	Results  *widget.Label
	Problems *widgets.TextTable
	Refs     []SourceRef // where each problem is, to open the kept file there
	Tabs     *container.AppTabs
	Stop     context.CancelFunc
	Content  fyne.CanvasObject
	Filling  bool // the form is being filled from a file, not edited

	// preview of the selected file: header, column meanings, first rows
	PreviewInfo *widget.Label
	MapBox      *fyne.Container
	Sample      *widgets.TextTable
	SampleBox   *fyne.Container
	FieldSel    map[workspace.Field]*widget.Select
}

const previewHint = "加入文件后，点列表中的文件：这里显示找到的表头和前几行；每个字段对应哪一列可以改。"

func NewImportPage(c Host) *ImportPage {
	p := &ImportPage{c: c, Sel: -1, Path: widget.NewEntry(), Village: widget.NewEntry(), Period: widget.NewEntry(), Why: widget.NewLabel(""),
		Progress: widget.NewProgressBar(), Speed: widget.NewLabel(""), Results: widget.NewLabel(""),
		Problems: widgets.NewTextTable([]string{tr("文件"), tr("工作表"), tr("行"), tr("列"), tr("原值"), tr("问题"), tr("级别")}, []float32{220, 90, 60, 130, 150, 500, 60})}
	p.Results.Wrapping = fyne.TextWrapWord
	p.Problems.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(p.Refs) && p.Refs[id.Row].Row > 0 {
			r := p.Refs[id.Row]
			c.ShowSource(r.Batch, r.File, r.Sheet, r.Row, r.Col)
		}
		p.Problems.UnselectAll()
	}
	// the form edits the selected file
	p.Kind = widget.NewSelect(kindOptions, func(s string) {
		if f := p.current(); f != nil && !p.Filling && f.Kind != kindIDs[s] {
			f.Kind, f.Mapping, f.Why = kindIDs[s], nil, "已手动选择"
			p.List.Refresh()
			p.preview()
		}
	})
	p.Village.OnChanged = func(s string) {
		if f := p.current(); f != nil && !p.Filling {
			f.Village = strings.TrimSpace(s)
			p.List.Refresh()
		}
	}
	p.Village.OnSubmitted = func(string) { p.preview() } // the village's remembered mapping
	p.Period.OnChanged = func(s string) {
		if f := p.current(); f != nil && !p.Filling {
			f.Period = strings.TrimSpace(s)
			p.List.Refresh()
		}
	}
	p.Path.SetPlaceHolder("文件路径（也可以把文件或文件夹拖到窗口上）")
	p.Kind.PlaceHolder = tr("选择文件类型")
	p.Village.SetPlaceHolder("从文件名或标题识别")
	p.Period.SetPlaceHolder("YYYY-MM，不填则从文件识别")
	p.List = widget.NewTableWithHeaders(func() (int, int) { return len(p.Files), 4 },
		widgets.NewCellLabel, func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			if id.Row >= len(p.Files) {
				l.SetText("")
				return
			}
			f := p.Files[id.Row]
			switch id.Col {
			case 0:
				l.SetText(audit.Escape(filepath.Base(f.Path), 80))
			case 1:
				l.SetText(KindOption(f.Kind))
			case 2:
				l.SetText(orDash(f.Village, f.Kind == audit.KindDeaths || f.Kind == audit.KindDeregistrations))
			case 3:
				l.SetText(orDash(f.Period, true))
			}
		})
	listHeaders := []string{tr("文件"), tr("类型"), tr("村(社区)"), tr("月份")}
	p.List.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	p.List.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		l := o.(*widget.Label)
		if id.Row < 0 && id.Col >= 0 && id.Col < len(listHeaders) {
			l.SetText(listHeaders[id.Col])
		} else {
			l.SetText("")
		}
	}
	p.List.ShowHeaderColumn = false
	for i, w := range []float32{270, 130, 100, 90} {
		p.List.SetColumnWidth(i, w)
	}
	p.List.OnSelected = func(id widget.TableCellID) { p.SelectFile(id.Row) }
	p.PreviewInfo = widget.NewLabel(previewHint)
	p.PreviewInfo.Wrapping = fyne.TextWrapWord
	p.MapBox = container.NewGridWithColumns(4)
	p.SampleBox = container.NewStack()
	add := widget.NewButton(tr("加入"), func() {
		p.AddFiles(p.Path.Text)
		p.Path.SetText("")
	})
	p.Path.OnSubmitted = func(string) { add.OnTapped() }
	choose := widget.NewButton(tr("选择文件…"), func() {
		dialog.ShowFileOpen(func(rc fyne.URIReadCloser, err error) {
			if err != nil || rc == nil {
				return
			}
			path := rc.URI().Path()
			rc.Close()
			p.AddFiles(path)
		}, c.Win())
	})
	folder := widget.NewButton(tr("选择文件夹…"), func() {
		dialog.ShowFolderOpen(func(lu fyne.ListableURI, err error) {
			if err != nil || lu == nil {
				return
			}
			p.Dropped([]fyne.URI{lu})
		}, c.Win())
	})
	remove := widget.NewButton(tr("移出所选"), func() {
		if p.Sel >= 0 && p.Sel < len(p.Files) {
			p.Files = slices.Delete(p.Files, p.Sel, p.Sel+1)
			p.List.UnselectAll()
			p.SelectFile(min(p.Sel, len(p.Files)-1))
		}
	})
	clear := widget.NewButton(tr("清空"), func() {
		p.Files = nil
		p.List.UnselectAll()
		p.SelectFile(-1)
	})
	p.Start = widget.NewButton(tr("开始导入"), p.run)
	p.Start.Importance = widget.HighImportance
	p.Cancel = widget.NewButton(tr("取消"), func() {
		if p.Stop != nil {
			p.Stop()
		}
	})
	p.Cancel.Disable()

	toolbar := container.NewBorder(nil, nil, container.NewHBox(choose, folder), container.NewHBox(add, remove, clear), p.Path)
	form := widget.NewForm(
		widget.NewFormItem(tr("类型"), container.NewBorder(nil, nil, nil, p.Why, p.Kind)),
		widget.NewFormItem(tr("村(社区)"), p.Village),
		widget.NewFormItem(tr("月份"), p.Period),
	)
	filesAndForm := container.NewHSplit(p.List, container.NewBorder(form, nil, nil, nil, container.NewVScroll(p.PreviewInfo)))
	filesAndForm.Offset = 0.5
	previewPart := container.NewBorder(p.MapBox, nil, nil, nil, p.SampleBox)
	body := container.NewVSplit(filesAndForm, previewPart)
	body.Offset = 0.45
	runBar := container.NewVBox(container.NewBorder(nil, nil, nil, container.NewHBox(p.Start, p.Cancel), p.Progress), p.Speed)
	choosing := container.NewBorder(toolbar, runBar, nil, nil, body)

	export := widget.NewButton(tr("导出问题（CSV）"), p.exportProblems)
	resultsTop := container.NewVBox(container.NewGridWrap(fyne.NewSize(1180, 110), container.NewVScroll(p.Results)),
		container.NewBorder(nil, nil, nil, export,
			widget.NewLabelWithStyle("导入发现的问题（点一行查看原文件该行）", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})))
	results := container.NewBorder(resultsTop, nil, nil, nil, p.Problems)
	p.Tabs = container.NewAppTabs(
		container.NewTabItem(tr("选择文件"), choosing),
		container.NewTabItem(tr("导入结果与问题"), results),
	)
	p.Content = p.Tabs
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

func (p *ImportPage) View() fyne.CanvasObject { return p.Content }
func (p *ImportPage) Refresh()                {}

// current is the selected file, nil when none.
func (p *ImportPage) current() *ImportFile {
	if p.Sel >= 0 && p.Sel < len(p.Files) {
		return p.Files[p.Sel]
	}
	return nil
}

// selectFile shows file i in the form and its preview (-1: none).
func (p *ImportPage) SelectFile(i int) {
	p.Sel = i
	f := p.current()
	p.Filling = true
	defer func() { p.Filling = false }()
	if f == nil {
		p.Sel = -1
		p.Kind.ClearSelected()
		p.Village.SetText("")
		p.Period.SetText("")
		p.Why.SetText("")
		p.PreviewInfo.SetText(previewHint)
		p.MapBox.RemoveAll()
		p.SampleBox.RemoveAll()
		p.List.Refresh()
		return
	}
	p.Kind.SetSelected(KindOption(f.Kind))
	p.Village.SetText(f.Village)
	p.Period.SetText(f.Period)
	p.Why.SetText(f.Why)
	p.List.Refresh()
	p.preview()
}

// dropped puts files (or the spreadsheets of a dropped folder) on the
// import list.
func (p *ImportPage) Dropped(uris []fyne.URI) {
	var paths []string
	for _, u := range uris {
		if u.Scheme() != "file" {
			continue
		}
		path := u.Path()
		if st, err := os.Stat(path); err == nil && st.IsDir() {
			paths = append(paths, tablesIn(path)...)
			continue
		}
		paths = append(paths, path)
	}
	p.AddFiles(strings.Join(paths, "\n"))
}

// tablesIn lists the spreadsheets in a folder and its subfolders (村 by
// 村, month by month, as cadres send them), in name order.
func tablesIn(dir string) []string {
	var out []string
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return nil // an unreadable folder: the rest still counts
		}
		if d.Type().IsRegular() && tableFile(d.Name()) {
			out = append(out, path)
		}
		return nil
	})
	return out
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
func (p *ImportPage) AddFiles(text string) {
	var paths []string
	for _, f := range strings.Split(text, "\n") {
		if f = strings.TrimSpace(f); f != "" && !slices.ContainsFunc(p.Files, func(x *ImportFile) bool { return x.Path == f }) && !slices.Contains(paths, f) {
			paths = append(paths, f)
		}
	}
	if len(paths) == 0 {
		return
	}
	c := p.c
	var added []*ImportFile
	c.Background(func(ctx context.Context) error {
		for _, path := range paths {
			g := c.WS().GuessFile(ctx, path)
			f := &ImportFile{Path: path, Kind: g.Kind, Village: g.Village, Why: g.Why}
			if g.Period != 0 {
				f.Period = g.Period.String()
			}
			added = append(added, f)
		}
		return nil
	}, func(error) {
		first := len(p.Files)
		p.Files = append(p.Files, added...)
		p.List.Refresh()
		p.List.Select(widget.TableCellID{Row: first, Col: 0})
		p.Tabs.SelectIndex(0)
	})
}

// preview shows how the selected file would be read, with a dropdown per
// field to change which column means what (remembered for the village on
// import).
func (p *ImportPage) preview() {
	c := p.c
	f := p.current()
	if f == nil {
		return
	}
	kind, village, mapping := f.Kind, f.Village, f.Mapping
	var pv *workspace.Preview
	c.Background(func(ctx context.Context) error {
		var err error
		pv, mapping, err = c.WS().Preview(ctx, f.Path, kind, village, mapping)
		return err
	}, func(err error) {
		if p.current() != f {
			return // another file was selected meanwhile
		}
		p.MapBox.RemoveAll()
		p.SampleBox.RemoveAll()
		name := audit.Escape(filepath.Base(f.Path), 80)
		if err != nil {
			p.PreviewInfo.SetText("✘ " + name + "：" + Plain(err))
			return
		}
		if !pv.Found {
			p.PreviewInfo.SetText(fmt.Sprintf("✘ %s：在工作表「%s」的前 20 行没有找到%s的表头。请确认类型选对了；下面是文件的前几行。",
				name, audit.Escape(pv.Sheet, 40), KindOption(kind)))
		} else {
			rows := make([]string, len(pv.Header))
			for i, r := range pv.Header {
				rows[i] = strconv.Itoa(r)
			}
			text := fmt.Sprintf("%s：工作表「%s」第 %s 行是表头。下面每个字段（＊为必需）对应哪一列，可以修改；修改后导入时会按村记住。",
				name, audit.Escape(pv.Sheet, 40), strings.Join(rows, "、"))
			switch {
			case len(pv.AmountAsk) > 0:
				// several columns could each be the amount paid: the clerk
				// chooses, the program never guesses
				text = "✘ 有几列都可能是发放金额：" + strings.Join(pv.AmountAsk, "、") + "。请在下面“发放金额”一项选出实际发放的那一列，选好后才能导入。\n" + text
			case pv.AmountRule != "":
				text += "\n发放金额：" + pv.AmountRule
			}
			p.PreviewInfo.SetText(text)
		}
		labels := append([]string{"（没有这一列）"}, nonEmpty(pv.Labels)...)
		p.FieldSel = map[workspace.Field]*widget.Select{}
		for _, fld := range workspace.FieldsOf(kind) {
			fld := fld
			sel := widget.NewSelect(labels, nil)
			switch col, ok := pv.Cols[fld]; {
			case ok && col < len(pv.Labels):
				sel.Selected = strings.TrimSpace(pv.Labels[col])
			case fld == workspace.FieldAmount && len(pv.AmountAsk) > 0 && f.Mapping[fld] == "":
				sel.PlaceHolder = "✘ 请选择" // a question, not a default (the preview above names the candidates)
			default:
				sel.Selected = "（没有这一列）"
			}
			sel.OnChanged = func(choice string) {
				if f.Mapping == nil {
					f.Mapping = workspace.Mapping{}
				}
				if choice == "（没有这一列）" {
					delete(f.Mapping, fld)
				} else {
					f.Mapping[fld] = choice
				}
			}
			name := fld.Label()
			if workspace.Required(kind, fld) {
				name += "＊"
			}
			p.FieldSel[fld] = sel
			p.MapBox.Add(container.NewBorder(nil, nil, widget.NewLabel(name), nil, sel))
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
			p.Sample = widgets.NewTextTable(headers, widths)
			p.Sample.SetRows(maskIDCells(pv.Rows))
			p.SampleBox.Add(p.Sample)
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
func (p *ImportPage) run() {
	c := p.c
	if len(p.Files) == 0 {
		c.ShowError(audit.Errorf(audit.ErrInvalid, "请先加入要导入的文件"))
		return
	}
	type job struct {
		f      *ImportFile
		period audit.Month
	}
	var jobs []job
	for _, f := range p.Files {
		var m audit.Month
		if f.Period != "" {
			var err error
			if m, err = audit.ParseMonth(f.Period); err != nil {
				c.ShowError(audit.Errorf(audit.ErrInvalid, "%s 的月份“%s”看不懂：请写成 2024-03 这样，或者不填", filepath.Base(f.Path), f.Period))
				return
			}
		}
		jobs = append(jobs, job{f, m})
	}
	ctx, stop := context.WithCancel(c.Ctx())
	p.Stop = stop
	p.Start.Disable()
	p.Cancel.Enable()
	p.Progress.SetValue(0)
	var lines []string
	var rows [][]string
	var refs []SourceRef
	var failed []*ImportFile
	started := time.Now()
	c.Async(func() {
		defer stop()
		for i, j := range jobs {
			f := j.f
			name := filepath.Base(f.Path)
			fi := i
			res, err := c.WS().Import(ctx, *c.User(), f.Path, workspace.ImportOptions{Kind: f.Kind, Village: f.Village, Period: j.period, Map: f.Mapping,
				Progress: func(n int) {
					rate := float64(n) / max(time.Since(started).Seconds(), 0.001)
					c.Do(func() {
						p.Speed.SetText(fmt.Sprintf("正在导入 %s（第 %d / %d 个文件）：已读 %d 行，每秒 %.0f 行", name, fi+1, len(jobs), n, rate))
					})
				}})
			if err != nil {
				failed = append(failed, f)
				lines = append(lines, "✘ "+name+"：未导入。"+Plain(err))
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
					refs = append(refs, SourceRef{Batch: b.ID, File: q.File, Sheet: q.Sheet, Row: q.Row, Col: q.Column})
				}
			}
			c.Do(func() { p.Progress.SetValue(float64(fi+1) / float64(len(jobs))) })
			if ctx.Err() != nil {
				for _, rest := range jobs[i+1:] {
					failed = append(failed, rest.f)
				}
				lines = append(lines, "已取消：其余文件没有导入，仍在列表中。")
				break
			}
		}
		c.Do(func() {
			p.Results.SetText(strings.Join(lines, "\n"))
			p.Problems.SetRows(rows)
			p.Refs = refs
			p.Speed.SetText("")
			p.Start.Enable()
			p.Cancel.Disable()
			p.Files = failed
			p.List.UnselectAll()
			p.SelectFile(-1)
			p.Tabs.SelectIndex(1)
			c.LoadMonths()
		})
	})
}

// exportProblems saves the problems table as a CSV (cells that would be
// formulas are written as text).
func (p *ImportPage) exportProblems() {
	c := p.c
	rows := p.Problems.Rows()
	if len(rows) == 0 {
		c.ShowError(audit.Errorf(audit.ErrInvalid, "还没有可导出的问题"))
		return
	}
	dialog.ShowFolderOpen(func(lu fyne.ListableURI, err error) {
		if err != nil || lu == nil {
			return
		}
		path := filepath.Join(lu.Path(), "导入问题_"+time.Now().Format("20060102_150405")+".csv")
		c.Background(func(ctx context.Context) error {
			return c.WS().WriteOutput(ctx, path, false, func(w io.Writer) error {
				w.Write([]byte("\xef\xbb\xbf"))
				cw := csv.NewWriter(w)
				cw.Write(p.Problems.Headers())
				for _, r := range rows {
					cw.Write(workspace.SafeCSVRow(r))
				}
				cw.Flush()
				return cw.Error()
			})
		}, func(err error) {
			if err != nil {
				c.ShowError(err)
				return
			}
			p.Results.SetText(p.Results.Text + "\n已导出问题到 " + path)
		})
	}, c.Win())
}
