// Package sheet reads the tables that township staff really receive —
// .xlsx/.xlsm, legacy .xls (BIFF8 and BIFF5/7), HTML tables and Excel 2003
// XML saved as .xls, and CSV/TXT in UTF-8, GBK or UTF-16 — into rows of text cells, finds the header,
// maps columns by their many local names, and parses IDs, dates and amounts.
package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"pensionaudit/audit"
)

// Format is a sniffed file format.
type Format string

// The formats we read.
const (
	FormatXLSX Format = "xlsx"
	FormatXLS  Format = "xls"
	FormatHTML Format = "html"
	FormatCSV  Format = "csv"
)

// Merge is a merged range: rows are 1-based, columns 0-based, inclusive.
type Merge struct{ R1, C1, R2, C2 int }

// Workbook is an opened file of any format.
type Workbook interface {
	Format() Format
	Sheets() []string
	// Rows iterates a sheet's rows in order; cells are text as stored
	// (numbers in their shortest decimal form, dates as serial numbers).
	Rows(sheet string) (RowIter, error)
	Merges(sheet string) []Merge
	Date1904() bool
	Close() error
}

// RowIter walks the rows of one sheet.
type RowIter interface {
	Next() bool
	// Row returns the 1-based row number and the cells of the current row.
	Row() (int, []string)
	// Issues lists what is wrong with cells of the current row (text in
	// another encoding); the row is still yielded.
	Issues() []CellIssue
	// Err is nil only when the iterator reached the clean end of the sheet
	// (the file's own end marker); anything else means rows may be missing.
	Err() error
	Close() error
}

// Sniff tells the format from the first bytes, whatever the extension.
func Sniff(head []byte) (Format, bool) {
	switch {
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return FormatXLS, true
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return FormatXLSX, true
	}
	if bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}) {
		return FormatCSV, true // Excel's "Unicode text": UTF-16 with a BOM, tab separated
	}
	trim := bytes.TrimLeft(bytes.TrimPrefix(head, []byte{0xEF, 0xBB, 0xBF}), " \t\r\n")
	low := bytes.ToLower(trim[:min(len(trim), 512)])
	for _, p := range []string{"<html", "<table", "<!doctype html", "<?xml", "<meta", "<head"} {
		if bytes.HasPrefix(low, []byte(p)) {
			if p == "<?xml" && !bytes.Contains(low, []byte("<html")) {
				if isSpreadsheetML(head) {
					return FormatXML2003, true
				}
				return "", false // other XML: not a table we know
			}
			return FormatHTML, true
		}
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return "", false
	}
	return FormatCSV, true
}

// oldBIFF reports whether head starts like an Excel 2.x, 3.0 or 4.0 file: a
// bare BIFF2/3/4 BOF record (not inside an OLE container).
func oldBIFF(head []byte) bool {
	if len(head) < 8 || head[0] != 0x09 || head[3] != 0 {
		return false
	}
	switch head[1] {
	case 0x00, 0x02, 0x04: // BOF of BIFF2, BIFF3, BIFF4
		return head[2] >= 4 && head[2] <= 16
	}
	return false
}

// Open sniffs and opens a file. Every error is a Chinese sentence naming the
// file; the library's own words never reach the user.
func Open(path string) (Workbook, error) {
	name := filepath.Base(path)
	f, err := os.Open(path)
	if err != nil {
		return nil, audit.Errorf(audit.ErrUnsupported, "无法打开文件 %s：%s", name, osReason(err))
	}
	head := make([]byte, 4096)
	n, err := io.ReadFull(f, head)
	st, serr := f.Stat()
	f.Close()
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, audit.Errorf(audit.ErrUnsupported, "无法读取文件 %s：%s", name, osReason(err))
	}
	if n == 0 {
		return nil, audit.Errorf(audit.ErrUnsupported, "文件 %s 是空文件", name)
	}
	format, ok := Sniff(head[:n])
	if !ok && oldBIFF(head[:n]) {
		return nil, audit.Errorf(audit.ErrUnsupported, "文件 %s 是 Excel 2.x–4.0（1987–1994 年）的旧格式，本程序不能读取：请在 WPS 或 Excel 中打开它，另存为 .xlsx 后再导入", name)
	}
	if !ok {
		return nil, audit.Errorf(audit.ErrUnsupported, "文件 %s 不是可识别的表格（支持 .xlsx、.xls、网页或 XML 表格 .xls、.csv/.txt）", name)
	}
	if (format == FormatHTML || format == FormatXML2003) && serr == nil && st.Size() > maxMemFile {
		return nil, audit.Errorf(audit.ErrUnsupported, "文件 %s 有 %s，网页或 XML 格式的表格最大 %d MB：请在表格软件中另存为 .xlsx 后再导入",
			name, sizeText(uint64(st.Size())), maxMemFile>>20)
	}
	var wb Workbook
	switch format {
	case FormatXLSX:
		wb, err = openXLSX(path)
	case FormatXLS:
		wb, err = openXLS(path)
	case FormatHTML:
		wb, err = openHTML(path)
	case FormatXML2003:
		wb, err = openXML2003(path)
	default:
		wb, err = openCSV(path)
	}
	var re *ReadError
	if errors.As(err, &re) {
		re.File = name
		return nil, re
	}
	if errors.Is(err, errEncrypted) { // an encrypted .xlsx is an OLE file too: no format named
		return nil, audit.Errorf(audit.ErrUnsupported, "文件 %s 无法读取：%s", name, errEncrypted.Error())
	}
	if err != nil {
		return nil, audit.Errorf(audit.ErrUnsupported, "文件 %s（%s 格式）无法读取：%s", name, formatLabel(format), openReason(err))
	}
	return wb, nil
}

func formatLabel(f Format) string {
	switch f {
	case FormatXLSX:
		return "Excel .xlsx"
	case FormatXLS:
		return "Excel 97-2003 .xls"
	case FormatHTML:
		return "网页表格"
	case FormatXML2003:
		return "Excel 2003 XML 表格"
	}
	return "CSV 文本"
}

// openReason turns a reader's error into its Chinese reason: our own errors
// are already Chinese; a library's (zip, mscfb, xml, io) becomes "damaged".
func openReason(err error) string {
	var re *rowError
	if errors.As(err, &re) {
		return re.reason
	}
	var ae *audit.Error
	if errors.As(err, &ae) {
		return ae.Msg
	}
	if errors.Is(err, errEncrypted) || errors.Is(err, errNoTable) || errors.Is(err, errBIFF) {
		return err.Error()
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return osReason(err)
	}
	return damagedReason
}

// osReason says in Chinese why the system refused a file.
func osReason(err error) string {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "文件不存在"
	case errors.Is(err, os.ErrPermission):
		return "没有读取权限（文件可能正被其他程序占用，或需要管理员权限）"
	}
	return "系统无法读取该文件（可能是U盘或网络盘已断开）"
}

// memBook is a workbook held in memory (xls, csv, html are small by nature).
type memBook struct {
	format Format
	names  []string
	sheets map[string][][]string
	merges map[string][]Merge
	d1904  bool
}

func (m *memBook) Format() Format          { return m.format }
func (m *memBook) Sheets() []string        { return m.names }
func (m *memBook) Merges(s string) []Merge { return m.merges[s] }
func (m *memBook) Date1904() bool          { return m.d1904 }
func (m *memBook) Close() error            { return nil }
func (m *memBook) Rows(s string) (RowIter, error) {
	rows, ok := m.sheets[s]
	if !ok {
		return nil, fmt.Errorf("没有名为 %q 的工作表", s)
	}
	return &memRows{rows: rows}, nil
}

type memRows struct {
	rows [][]string
	i    int
}

func (r *memRows) Next() bool {
	if r.i >= len(r.rows) {
		return false
	}
	r.i++
	return true
}
func (r *memRows) Row() (int, []string) { return r.i, r.rows[r.i-1] }
func (r *memRows) Issues() []CellIssue  { return nil }
func (r *memRows) Err() error           { return nil }
func (r *memRows) Close() error         { return nil }
