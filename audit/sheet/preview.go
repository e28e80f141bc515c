package sheet

import (
	"pensionaudit/audit"
)

// Preview is what a file looks like before it is imported: the sheet and
// header found, what each column was taken to mean, and the first rows.
type Preview struct {
	Format  Format
	Sheet   string
	Header  []int         // header row numbers
	Labels  []string      // header text of each column
	Cols    map[Field]int // field → column, as detected (with the mapping applied)
	Rows    [][]string    // the first data rows, as read
	RowNums []int
	Found   bool // a header with the kind's required fields was found
}

// FieldsOf lists the fields a kind's table can have, required ones first.
func FieldsOf(k audit.Kind) []Field {
	switch k {
	case audit.KindPayouts:
		return []Field{FieldName, FieldID, FieldAmount, FieldVillage, FieldSex, FieldAccount, FieldMonth, FieldPayType, FieldStatus, FieldNote}
	case audit.KindDeaths:
		return []Field{FieldName, FieldID, FieldDeathDate, FieldVillage, FieldSex, FieldNote}
	}
	return []Field{FieldName, FieldID, FieldReason, FieldDeathDate, FieldDeregDate, FieldVillage, FieldSex, FieldNote}
}

// Required reports whether a kind cannot do without the field.
func Required(k audit.Kind, f Field) bool {
	for _, r := range required(k) {
		if r == f {
			return true
		}
	}
	return false
}

// PreviewFile reads the head of a file (at most headerScanRows + n rows of
// each sheet until a header is found) — nothing is stored.
func PreviewFile(path string, opts Options, n int) (*Preview, error) {
	wb, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer wb.Close()
	p := &Preview{Format: wb.Format()}
	for _, sheet := range wb.Sheets() {
		it, err := wb.Rows(sheet)
		if err != nil {
			return nil, err
		}
		var head []bufRow
		for len(head) < headerScanRows+n && it.Next() {
			r, cells := it.Row()
			head = append(head, bufRow{n: r, cells: append([]string(nil), cells...)})
		}
		err = it.Err()
		it.Close()
		if err != nil {
			return nil, readErr(opts, sheet, 0, err)
		}
		scan := head[:min(len(head), headerScanRows)]
		h, at, ok := findHeader(scan, wb.Merges(sheet), opts)
		if p.Sheet == "" {
			p.Sheet = sheet
			for _, r := range head[:min(len(head), n)] {
				p.Rows = append(p.Rows, r.cells)
				p.RowNums = append(p.RowNums, r.n)
			}
		}
		if !ok {
			continue
		}
		p.Sheet, p.Header, p.Labels, p.Cols, p.Found = sheet, h.Rows, h.Labels, h.Cols, true
		p.Rows, p.RowNums = nil, nil
		for _, r := range head[min(at+len(h.Rows), len(head)):] {
			if len(p.Rows) == n {
				break
			}
			p.Rows = append(p.Rows, r.cells)
			p.RowNums = append(p.RowNums, r.n)
		}
		break
	}
	return p, nil
}
