package ui

import (
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"pensionaudit/audit"
)

// textTable is a read-only table with Chinese column headers whose rows are
// replaced as a whole (pages come from SQL, never a million rows at once).
type textTable struct {
	*widget.Table
	headers []string
	rows    [][]string
}

func newTextTable(headers []string, widths []float32) *textTable {
	t := &textTable{headers: headers}
	t.Table = widget.NewTableWithHeaders(
		func() (int, int) { return len(t.rows), len(t.headers) },
		newCellLabel,
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
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

// newCellLabel is a table or list cell: one line, cut with an ellipsis.
func newCellLabel() fyne.CanvasObject {
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

// SetRows replaces the content; call on the Fyne goroutine.
func (t *textTable) SetRows(rows [][]string) {
	t.rows = rows
	t.Refresh()
}

// Rows returns the current content (for tests).
func (t *textTable) Rows() [][]string { return t.rows }
