package ui

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"pensionaudit/audit"
	"pensionaudit/audit/workspace"
)

// sourceView shows an imported file at one row, read from the copy the
// workspace kept at import: the sheet's first rows (title, header), then the
// rows around the one asked for, that row selected.
type sourceView struct {
	ex       *workspace.SourceExcerpt
	nums     []int      // sheet row number of each shown row; 0 = "…"
	rows     [][]string // cells of each shown row
	target   int        // index in rows of the row asked for, -1 when absent
	table    *widget.Table
	caption  *widget.Label
	cols     int
	selected widget.TableCellID // the cell shown selected
}

// sourceRef is a row of an imported file.
type sourceRef struct {
	batch       int64
	file, sheet string
	row         int
	col         string // column letter, "" for the whole row
}

// maxShownCols caps the columns shown (a row can have up to 1,000).
const maxShownCols = 40

func newSourceView(ex *workspace.SourceExcerpt) *sourceView {
	v := &sourceView{ex: ex, target: -1}
	last := 0
	for i, n := range ex.HeadNum {
		v.nums, v.rows, last = append(v.nums, n), append(v.rows, ex.Head[i]), n
	}
	for i, n := range ex.RowNums {
		if last > 0 && n > last+1 {
			v.nums, v.rows = append(v.nums, 0), append(v.rows, nil)
		}
		if n == ex.Target {
			v.target = len(v.rows)
		}
		v.nums, v.rows, last = append(v.nums, n), append(v.rows, ex.Rows[i]), n
	}
	cols := 1
	for _, r := range v.rows {
		cols = max(cols, min(len(r), maxShownCols))
	}
	v.cols = cols
	v.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(v.rows), cols },
		newCellLabel,
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			l.TextStyle.Bold = id.Row == v.target
			switch {
			case v.nums[id.Row] == 0:
				l.SetText("…")
			case id.Col < len(v.rows[id.Row]):
				l.SetText(audit.Escape(workspace.MaskIDCell(v.rows[id.Row][id.Col]), 200)) // ID numbers masked, as in every list
			default:
				l.SetText("")
			}
		})
	v.table.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	}
	v.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		l := o.(*widget.Label)
		switch {
		case id.Row < 0 && id.Col >= 0:
			l.SetText(workspace.ColName(id.Col))
		case id.Col < 0 && id.Row >= 0 && v.nums[id.Row] > 0:
			l.SetText(strconv.Itoa(v.nums[id.Row]))
		default:
			l.SetText("")
		}
	}
	for c := 0; c < cols; c++ {
		v.table.SetColumnWidth(c, 130)
	}
	v.table.SetColumnWidth(-1, 70)
	where := fmt.Sprintf("%s · 工作表“%s” · 第 %d 行", filepath.Base(ex.Batch.FileName), ex.Sheet, ex.Target)
	if !ex.Found {
		where += "（该工作表没有这一行）"
	}
	v.caption = widget.NewLabel(where + "\n导入时保留的原文件副本（SHA-256 " + ex.Batch.SHA256[:min(12, len(ex.Batch.SHA256))] + "…），粗体为该行。")
	v.caption.Wrapping = fyne.TextWrapWord
	return v
}

// Target is the shown row asked for, -1 when the sheet does not have it.
func (v *sourceView) Target() int { return v.target }

// showSource opens an imported file at a row (and column, a letter, when a
// problem names one): batchID, or 0 with the file's name as evidence gives it. Reading up to a row far down a big file takes a
// while: a dialog shows it can be cancelled.
func (c *Controller) showSource(batchID int64, file, sheetName string, row int, col string) {
	ctx, cancel := context.WithCancel(c.ctx)
	var wait dialog.Dialog
	if !c.sync {
		bar := widget.NewProgressBarInfinite()
		wait = dialog.NewCustom(tr("正在读取原文件副本"), tr("取消"), container.NewVBox(
			widget.NewLabel(fmt.Sprintf("%s 第 %d 行", file, row)), bar), c.win)
		wait.SetOnClosed(cancel)
		wait.Show()
	}
	var ex *workspace.SourceExcerpt
	c.background(func(context.Context) error {
		var err error
		ex, err = c.ws.SourceAt(ctx, batchID, file, sheetName, row)
		return err
	}, func(err error) {
		if wait != nil {
			wait.SetOnClosed(nil)
			wait.Hide()
		}
		cancel()
		if err != nil {
			if ctx.Err() == nil {
				c.showError(err)
			}
			return
		}
		c.lastSource = newSourceView(ex)
		v := c.lastSource
		open := widget.NewButton(tr("用表格软件打开整个文件"), func() {
			u := &url.URL{Scheme: "file", Path: filepath.ToSlash(ex.Path)}
			if c.sync || c.app.OpenURL(u) != nil {
				dialog.NewInformation(tr("原文件副本"), "已取出到：\n"+ex.Path, c.win).Show()
			}
		})
		d := dialog.NewCustom(tr("原文件"), tr("关闭"), container.NewBorder(v.caption, container.NewHBox(open), nil, nil, v.table), c.win)
		d.Resize(fyne.NewSize(1100, 600))
		d.Show()
		if v.target >= 0 { // the row, and the problem's column when it has one
			cell := widget.TableCellID{Row: v.target, Col: max(0, min(workspace.ColIndex(col), v.cols-1))}
			v.table.Select(cell)
			v.table.ScrollTo(cell)
			v.selected = cell
		}
	})
}
