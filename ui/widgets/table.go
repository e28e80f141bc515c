// Package widgets holds the window's reusable widgets: read-only tables
// whose rows come a page at a time from SQL, and the village report grid.
package widgets

import (
	"image/color"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"pensionaudit/audit"
)

// TextTable is a read-only table with Chinese column headers whose rows are
// replaced as a whole (pages come from SQL, never a million rows at once).
type TextTable struct {
	*widget.Table
	headers []string
	rows    [][]string
	marked  int // the row shown as chosen across every column, -1 for none
	widths  []float32
}

// NewTextTable makes a table with the headers and column widths.
func NewTextTable(headers []string, widths []float32) *TextTable {
	t := &TextTable{headers: headers, marked: -1, widths: widths}
	t.Table = widget.NewTableWithHeaders(
		func() (int, int) { return len(t.rows), len(t.headers) },
		func() fyne.CanvasObject {
			return container.NewStack(canvas.NewRectangle(color.Transparent), NewCellLabel())
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			st := o.(*fyne.Container)
			bg, l := st.Objects[0].(*canvas.Rectangle), st.Objects[1].(*widget.Label)
			var fill color.Color = color.Transparent
			if id.Row == t.marked {
				fill = theme.Color(theme.ColorNameSelection)
			}
			if bg.FillColor != fill {
				bg.FillColor = fill
				bg.Refresh()
			}
			if id.Row < len(t.rows) && id.Col < len(t.rows[id.Row]) {
				l.SetText(audit.Escape(t.rows[id.Row][id.Col], 200)) // text from files shown visibly
			} else {
				l.SetText("")
			}
		})
	t.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		l := o.(*widget.Label)
		switch {
		case id.Row < 0 && id.Col >= 0 && id.Col < len(t.headers):
			l.SetText(t.headers[id.Col])
		case id.Col < 0 && id.Row >= 0:
			l.SetText(strconv.Itoa(id.Row + 1))
		default:
			l.SetText("")
		}
	}
	t.ShowHeaderColumn = false // row numbers mean nothing to a clerk; IDs do
	for i, w := range widths {
		t.SetColumnWidth(i, w)
	}
	return t
}

// NewCellLabel is a table or list cell: one line, cut with an ellipsis.
func NewCellLabel() fyne.CanvasObject {
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

// SetRows replaces the content; call on the Fyne goroutine.
func (t *TextTable) SetRows(rows [][]string) {
	t.rows, t.marked = rows, -1
	t.Refresh()
}

// Mark shows row as the chosen one across all its columns (the table's own
// selection marks one cell only); -1 marks none.
func (t *TextTable) Mark(row int) {
	if row != t.marked {
		t.marked = row
		t.Refresh()
	}
}

// Marked is the row shown as chosen, -1 for none.
func (t *TextTable) Marked() int { return t.marked }

// Widths returns the column widths the table was made with.
func (t *TextTable) Widths() []float32 { return t.widths }

// Rows returns the current content (for tests).
func (t *TextTable) Rows() [][]string { return t.rows }

// Headers returns the column headers.
func (t *TextTable) Headers() []string { return t.headers }
