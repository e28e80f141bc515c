package sheet

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"pensionaudit/audit"
)

// Limits every reader enforces while it streams, never after: whatever a
// file holds, an import's memory stays bounded and a file that breaks a
// limit is refused with a message that says which one.
const (
	// MaxCellChars is the longest cell text that is used; a longer cell is
	// kept as a problem showing its first PreviewChars characters.
	MaxCellChars = 4096
	// PreviewChars is how much of an over-long value a message shows.
	PreviewChars = 64
	// MaxRowCells is the most non-empty cells one row may hold.
	MaxRowCells = 1000
	// MaxColumns is the widest row a spreadsheet can have (XFD).
	MaxColumns = 16384
	// MaxSheetRows is the last row number of an .xlsx sheet.
	MaxSheetRows = 1 << 20
	// MaxDataRows is the most data rows one file may hold.
	MaxDataRows = 2_000_000
	// MaxUnpacked is the largest unpacked part of an .xlsx (sheet XML,
	// shared strings).
	MaxUnpacked = 2 << 30
	// MaxRatio is the highest compression ratio an .xlsx part may have
	// once it has unpacked past ratioFloor bytes. Deflate cannot pass
	// about 1,032:1 and a bomb sits near that; genuine sheets of repeated
	// values reach a few hundred (121:1 was seen in a real workbook), and
	// the limits that bound memory (size, rows, cells, tokens) are checked
	// while streaming whatever the ratio.
	MaxRatio = 500
	// maxToken is the longest single piece of markup or text (one cell's
	// XML, one CSV record) held in memory at once.
	maxToken = 1 << 20
	// maxSharedText bounds the shared-string table of an .xlsx.
	maxSharedText = 160 << 20
	// maxMemFile is the largest HTML, XML 2003 or .xls stream read whole.
	maxMemFile = 128 << 20
	// maxCSVLines bounds the physical rows of a CSV (blank ones included).
	maxCSVLines = 4_000_000
	// maxQuotedLines and maxQuotedBytes bound one quoted CSV field: a stray
	// quote must not swallow the rest of the file into one cell.
	maxQuotedLines = 10
	maxQuotedBytes = 4096
)

// ratioFloor is how much a part unpacks before its ratio is judged (a
// variable only so that a test can judge small parts).
var ratioFloor uint64 = 16 << 20

// ReadError is a reader that could not reach the clean end of a sheet: the
// file is refused as a whole. Row is the last row read completely (0 when
// none was).
type ReadError struct {
	File   string
	Sheet  string
	Row    int
	Reason string
	Err    error // the library's error, if any (never shown)
}

func (e *ReadError) Error() string {
	var b strings.Builder
	b.WriteString("文件 " + e.File)
	if e.Sheet != "" {
		b.WriteString(" 的工作表「" + Escape(e.Sheet, 40) + "」")
	}
	if e.Row > 0 {
		fmt.Fprintf(&b, "读到第 %d 行后", e.Row)
	} else {
		b.WriteString("在读到第一行数据前")
	}
	b.WriteString("无法继续读取：" + e.Reason + "。为避免漏掉人员，整个文件没有导入")
	return b.String()
}

// Unwrap makes errors.Is(err, audit.ErrUnsupported) true.
func (e *ReadError) Unwrap() error { return audit.ErrUnsupported }

// errDamaged is the reason given for a file whose bytes end early or do not
// decompress: the clerk's next step is to fetch or copy it again.
const damagedReason = "文件不完整或已损坏（可能下载或拷贝不完整），请重新获取原文件"

// rowError is a reader's own error for the current position; the iterator
// wraps it into a ReadError with file, sheet and last row.
type rowError struct {
	reason string
	err    error
}

func (e *rowError) Error() string { return e.reason }

func failf(format string, args ...any) error { return &rowError{reason: fmt.Sprintf(format, args...)} }

// damaged wraps a library error (zip, flate, xml, EOF) as the plain reason.
func damaged(err error) error {
	var re *rowError
	if errors.As(err, &re) {
		return err
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return &rowError{reason: damagedReason + "（文件在中途结束）", err: err}
	}
	return &rowError{reason: damagedReason, err: err}
}

// CellIssue is something wrong with one cell that a reader found: text in
// the wrong encoding, or a cell over MaxCellChars. The cell's text is what
// could be read; the row is kept and marked.
type CellIssue struct {
	Col    int // 0-based
	Raw    string
	Reason string
}

// Escape is audit.Escape: text from files shown visibly and cut to max.
func Escape(s string, max int) string { return audit.Escape(s, max) }

// Invisible is audit.Invisible.
func Invisible(r rune) bool { return audit.Invisible(r) }
