// Package dialogs holds the window's dialogs that stand on their own.
package dialogs

import (
	"fmt"
	"path/filepath"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"pensionaudit/audit"
	"pensionaudit/audit/workspace"
	"pensionaudit/ui/widgets"
)

// SourceView shows an imported file at one row, read from the copy the
// workspace kept at import: the sheet's first rows (title, header), then the
// rows around the one asked for, that row selected.
type SourceView struct {
	Excerpt  *workspace.SourceExcerpt
	Nums     []int      // sheet row number of each shown row; 0 = "…"
	Rows     [][]string // cells of each shown row
	target   int        // index in rows of the row asked for, -1 when absent
	Table    *widget.Table
	Caption  *widget.Label
	cols     int
	Selected widget.TableCellID // the cell shown selected
}

// maxShownCols caps the columns shown (a row can have up to 1,000).
const maxShownCols = 40

// NewSourceView lays out an excerpt of a kept file.
func NewSourceView(ex *workspace.SourceExcerpt) *SourceView {
	v := &SourceView{Excerpt: ex, target: -1}
	last := 0
	for i, n := range ex.HeadNum {
		v.Nums, v.Rows, last = append(v.Nums, n), append(v.Rows, ex.Head[i]), n
	}
	for i, n := range ex.RowNums {
		if last > 0 && n > last+1 {
			v.Nums, v.Rows = append(v.Nums, 0), append(v.Rows, nil)
		}
		if n == ex.Target {
			v.target = len(v.Rows)
		}
		v.Nums, v.Rows, last = append(v.Nums, n), append(v.Rows, ex.Rows[i]), n
	}
	cols := 1
	for _, r := range v.Rows {
		cols = max(cols, min(len(r), maxShownCols))
	}
	v.cols = cols
	v.Table = widget.NewTableWithHeaders(
		func() (int, int) { return len(v.Rows), cols },
		widgets.NewCellLabel,
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			l.TextStyle.Bold = id.Row == v.target
			switch {
			case v.Nums[id.Row] == 0:
				l.SetText("…")
			case id.Col < len(v.Rows[id.Row]):
				l.SetText(audit.Escape(workspace.MaskIDCell(v.Rows[id.Row][id.Col]), 200)) // ID numbers masked, as in every list
			default:
				l.SetText("")
			}
		})
	v.Table.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	}
	v.Table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		l := o.(*widget.Label)
		switch {
		case id.Row < 0 && id.Col >= 0:
			l.SetText(workspace.ColName(id.Col))
		case id.Col < 0 && id.Row >= 0 && v.Nums[id.Row] > 0:
			l.SetText(strconv.Itoa(v.Nums[id.Row]))
		default:
			l.SetText("")
		}
	}
	for c := 0; c < cols; c++ {
		v.Table.SetColumnWidth(c, 130)
	}
	v.Table.SetColumnWidth(-1, 70)
	where := fmt.Sprintf("%s · 工作表“%s” · 第 %d 行", filepath.Base(ex.Batch.FileName), ex.Sheet, ex.Target)
	if !ex.Found {
		where += "（该工作表没有这一行）"
	}
	v.Caption = widget.NewLabel(where + "\n导入时保留的原文件副本（SHA-256 " + ex.Batch.SHA256[:min(12, len(ex.Batch.SHA256))] + "…），粗体为该行。")
	v.Caption.Wrapping = fyne.TextWrapWord
	return v
}

// Target is the shown row asked for, -1 when the sheet does not have it.
func (v *SourceView) Target() int { return v.target }

// Select selects the target row's cell in column col (clamped to the shown
// columns) and scrolls to it.
func (v *SourceView) Select(col int) {
	if v.target < 0 {
		return
	}
	cell := widget.TableCellID{Row: v.target, Col: max(0, min(col, v.cols-1))}
	v.Table.Select(cell)
	v.Table.ScrollTo(cell)
	v.Selected = cell
}
