package sheet

import (
	"context"
	"path/filepath"
	"slices"
	"strings"

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
	// AmountRule says how a roster's amount paid is taken (its columns);
	// AmountAsk lists the columns that could each be it when the header
	// cannot say which — the person must choose one (never a guess).
	AmountRule string
	AmountAsk  []string
}

// FieldsOf lists the fields a kind's table can have, required ones first.
func FieldsOf(k audit.Kind) []Field {
	switch k {
	case audit.KindPayouts:
		return []Field{FieldName, FieldID, FieldAmount, FieldVillage, FieldSex, FieldAccount, FieldMonth, FieldPayType, FieldStatus, FieldNote, FieldOperator}
	case audit.KindDeaths:
		return []Field{FieldName, FieldID, FieldDeathDate, FieldVillage, FieldSex, FieldNote}
	case audit.KindCremation:
		return []Field{FieldName, FieldID, FieldCremDate, FieldDeathDate, FieldPlace, FieldVillage, FieldSex, FieldNote}
	case audit.KindDeathCertificates:
		return []Field{FieldName, FieldID, FieldDeathDate, FieldPlace, FieldVillage, FieldSex, FieldNote}
	case audit.KindPrison:
		return []Field{FieldName, FieldID, FieldJailStart, FieldJailEnd, FieldVillage, FieldSex, FieldNote}
	case audit.KindOtherPensions:
		return []Field{FieldName, FieldID, FieldMonth, FieldScheme, FieldAmount, FieldVillage, FieldSex, FieldNote}
	case audit.KindCertifications:
		return []Field{FieldName, FieldID, FieldCertDate, FieldCertMethod, FieldCertResult, FieldVillage, FieldSex, FieldNote}
	case audit.KindFuneralGrants:
		return []Field{FieldName, FieldID, FieldGrantDate, FieldDeathDate, FieldAmount, FieldVillage, FieldSex, FieldNote}
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
		p.AmountAsk = h.AmountAsk
		if h.Amount != nil {
			p.AmountRule = h.Amount.Rule
		}
		p.Rows, p.RowNums = nil, nil
		for _, r := range head[min(at+len(h.Rows), len(head)):] {
			if len(p.Rows) == n {
				break
			}
			p.Rows = append(p.Rows, showDates(r.cells, h.Cols, wb.Date1904()))
			p.RowNums = append(p.RowNums, r.n)
		}
		break
	}
	return p, nil
}

// Excerpt is a few rows of one sheet around a row of interest, as stored in
// the file (for showing a problem or a piece of evidence "at the row").
type Excerpt struct {
	Sheet   string
	Target  int        // the row asked for
	Found   bool       // the sheet has that row
	Head    [][]string // the sheet's first rows (its title and header), when not in Rows
	HeadNum []int
	Rows    [][]string // rows Target-before … Target+after that exist
	RowNums []int
}

// headRows is how many of a sheet's first rows an excerpt shows for context.
const headRows = 4

// ReadExcerpt streams sheetName (the first sheet when empty) up to
// row+after and keeps only what it shows; cancelled through ctx.
func ReadExcerpt(ctx context.Context, path, sheetName string, row, before, after int) (*Excerpt, error) {
	wb, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer wb.Close()
	sheets := wb.Sheets()
	if sheetName == "" && len(sheets) > 0 {
		sheetName = sheets[0]
	}
	if !slices.Contains(sheets, sheetName) {
		return nil, audit.Errorf(audit.ErrNotFound, "文件 %s 中没有工作表“%s”", filepath.Base(path), sheetName)
	}
	it, err := wb.Rows(sheetName)
	if err != nil {
		return nil, readErr(Options{File: filepath.Base(path)}, sheetName, 0, err)
	}
	defer it.Close()
	e := &Excerpt{Sheet: sheetName, Target: row}
	last := 0
	for it.Next() {
		if last%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		n, cells := it.Row()
		last = n
		if n > row+after {
			break
		}
		switch {
		case n >= row-before:
			e.Rows = append(e.Rows, append([]string(nil), cells...))
			e.RowNums = append(e.RowNums, n)
			e.Found = e.Found || n == row
		case n <= headRows:
			e.Head = append(e.Head, append([]string(nil), cells...))
			e.HeadNum = append(e.HeadNum, n)
		}
	}
	if last <= row+after {
		if err := it.Err(); err != nil {
			return nil, readErr(Options{File: filepath.Base(path)}, sheetName, last, err)
		}
	}
	return e, nil
}

// showDates writes a date column's serial numbers (44513, as a date cell
// holds it) as the date they are, so the preview shows what the import will
// read; other cells stay as they are.
func showDates(cells []string, cols map[Field]int, date1904 bool) []string {
	out := append([]string(nil), cells...)
	for _, f := range DateFields {
		c, ok := cols[f]
		if !ok || c >= len(out) {
			continue
		}
		v := strings.TrimSpace(out[c])
		if v == "" || strings.Trim(v, "0123456789.") != "" || (allASCIIDigits(v) && len(v) == 8) {
			continue // text dates and 20240105 are shown as written
		}
		if d, err := ParseDate(v, date1904); err == nil {
			out[c] = d.Format("2006-01-02")
		}
	}
	if c, ok := cols[FieldMonth]; ok && c < len(out) {
		if v := strings.TrimSpace(out[c]); v != "" && !strings.Contains(v, ".") && len(v) == 5 && allASCIIDigits(v) {
			if m, err := ParseMonth(v, date1904); err == nil {
				out[c] = m.String()
			}
		}
	}
	return out
}
