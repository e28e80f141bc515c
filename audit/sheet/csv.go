package sheet

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// DecodeText turns bytes into UTF-8: valid UTF-8 (with or without BOM) stays,
// anything else is read as GB18030, the superset of GBK and GB2312. It is
// used for small texts (HTML pages, XML declarations); CSV files go through
// the streaming reader below, which decides the encoding once per file.
func DecodeText(data []byte) (string, string) {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		dec := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
		if out, err := dec.Bytes(data); err == nil {
			return string(out), "UTF-16"
		}
	}
	data = bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
	if utf8.Valid(data) {
		return string(data), "UTF-8"
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil {
		return strings.ToValidUTF8(string(data), "\uFFFD"), "unknown"
	}
	return string(out), "GB18030"
}

// Encoding is how a CSV file's bytes are read: one encoding per file.
type Encoding string

// The encodings a CSV may have.
const (
	EncUTF8    Encoding = "UTF-8"
	EncGB18030 Encoding = "GB18030"
	EncUTF16LE Encoding = "UTF-16LE"
	EncUTF16BE Encoding = "UTF-16BE"
)

type csvBook struct {
	src  io.ReaderAt
	file *os.File // nil for a CSV held in memory
	name string
	enc  Encoding
	bom  int
	sep  byte
	size int64
	// notes are said once for the file (an encoding that does not look
	// like the one it was read in)
	notes []string
}

// Notes are the file's notices.
func (b *csvBook) Notes() []string { return b.notes }

func openCSV(p string) (Workbook, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	name := strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))
	b, err := newCSVBook(f, st.Size(), name)
	if err != nil {
		f.Close()
		return nil, err
	}
	b.file = f
	return b, nil
}

func newCSVBook(src io.ReaderAt, size int64, name string) (*csvBook, error) {
	enc, bom, err := detectEncoding(src, size)
	if err != nil {
		return nil, err
	}
	var notes []string
	if enc == encNotGBK {
		enc = EncGB18030
		notes = append(notes, "这个 CSV 文件不像 GBK 编码的中文（多半是西文 Windows-1252 等编码）：按 GBK 读出的文字可能是乱码，"+
			"请核对姓名等文字，或在表格软件中另存为 UTF-8 编码的 CSV 后重新导入")
	}
	head := make([]byte, 16<<10)
	n, _ := src.ReadAt(head, 0)
	head = head[bom:max(n, bom)]
	if enc == EncUTF16LE || enc == EncUTF16BE {
		head, _ = utf16Decoder(enc).Bytes(head[:len(head)&^1])
	}
	return &csvBook{src: src, name: name, enc: enc, bom: bom, sep: guessSeparator(head), size: size, notes: notes}, nil
}

func utf16Decoder(enc Encoding) *transformDecoder {
	e := unicode.LittleEndian
	if enc == EncUTF16BE {
		e = unicode.BigEndian
	}
	return &transformDecoder{unicode.UTF16(e, unicode.IgnoreBOM).NewDecoder()}
}

type transformDecoder struct{ t transform.Transformer }

func (d *transformDecoder) Bytes(b []byte) ([]byte, error) {
	out, _, err := transform.Bytes(d.t, b)
	return out, err
}

// detectEncoding decides the file's one encoding: a BOM says it; otherwise
// every line with non-ASCII bytes votes for UTF-8 (valid UTF-8) or GB18030
// (not valid UTF-8), read in one streaming pass. Lines in the minority
// encoding become cell problems when the rows are read.
func detectEncoding(f io.ReaderAt, size int64) (Encoding, int, error) {
	var bom [3]byte
	n, _ := f.ReadAt(bom[:], 0)
	switch {
	case n >= 3 && bom == [3]byte{0xEF, 0xBB, 0xBF}:
		return EncUTF8, 3, nil
	case n >= 2 && bom[0] == 0xFF && bom[1] == 0xFE:
		return EncUTF16LE, 2, nil
	case n >= 2 && bom[0] == 0xFE && bom[1] == 0xFF:
		return EncUTF16BE, 2, nil
	}
	br := bufio.NewReaderSize(io.NewSectionReader(f, 0, size), 64<<10)
	var utf8Lines, gbLines int
	var gbCommon, gbRare int // double bytes as common GB2312 characters, or as rare ones
	var line []byte
	for {
		frag, err := br.ReadSlice('\n')
		if len(line)+len(frag) <= maxToken {
			line = append(line, frag...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil && err != io.EOF {
			return "", 0, err
		}
		if hasNonASCII(line) {
			if utf8.Valid(line) {
				utf8Lines++
			} else {
				gbLines++
				for i := 0; i < len(line); i++ {
					if line[i] < 0x81 || i+1 >= len(line) {
						continue
					}
					if line[i] >= 0xA1 && line[i+1] >= 0xA1 {
						gbCommon++
					} else {
						gbRare++
					}
					i++
				}
			}
		}
		line = line[:0]
		if err == io.EOF {
			break
		}
	}
	if gbLines == 0 || utf8Lines > gbLines {
		return EncUTF8, 0, nil
	}
	if gbRare > gbCommon {
		return encNotGBK, 0, nil
	}
	return EncGB18030, 0, nil
}

// encNotGBK is detectEncoding's "GB18030, but it does not look like it":
// most double bytes would be rare characters, as Latin text in cp1252 reads.
const encNotGBK Encoding = "not-GBK"

func hasNonASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// looksUTF8 tells a UTF-8 Chinese text inside a GBK file: valid UTF-8 with
// at least one three-byte CJK character. Real GBK text almost never is.
func looksUTF8(b []byte) bool {
	if !hasNonASCII(b) || !utf8.Valid(b) {
		return false
	}
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if size == 3 && r >= 0x3000 && r <= 0x9FFF {
			return true
		}
		b = b[size:]
	}
	return false
}

func (b *csvBook) Format() Format        { return FormatCSV }
func (b *csvBook) Sheets() []string      { return []string{b.name} }
func (b *csvBook) Merges(string) []Merge { return nil }
func (b *csvBook) Date1904() bool        { return false }
func (b *csvBook) Close() error {
	if b.file != nil {
		return b.file.Close()
	}
	return nil
}
func (b *csvBook) Encoding() Encoding { return b.enc }
func (b *csvBook) Rows(s string) (RowIter, error) {
	if s != b.name {
		return nil, failf("没有名为「%s」的工作表", Escape(s, 40))
	}
	cr := &countReader{r: io.NewSectionReader(b.src, int64(b.bom), b.size-int64(b.bom)), n: int64(b.bom)}
	var r io.Reader = cr
	if b.enc == EncUTF16LE || b.enc == EncUTF16BE {
		r = transform.NewReader(cr, utf16Decoder(b.enc).t)
	}
	return &csvRows{cr: cr, br: bufio.NewReaderSize(r, 64<<10), book: b, line: 1}, nil
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// csvRows parses records straight from the bytes (quotes, separators and line
// ends are ASCII in every encoding we accept), then decodes each field.
type csvRows struct {
	completed int // fields completed in the current record
	cr        *countReader
	br        *bufio.Reader
	book      *csvBook
	line      int // physical line the next record starts on
	n         int // row number of the current record (its first line)
	cells     []string
	issues    []CellIssue
	buf       []byte
	done      bool
	err       error
}

func (r *csvRows) fail(err error) bool {
	r.err, r.done = err, true
	return false
}

// Next reads one record. Row numbers are the physical line the record starts
// on, as the clerk sees them when the file is opened in Excel.
func (r *csvRows) Next() bool {
	if r.done {
		return false
	}
	sep := r.book.sep
	r.n = r.line
	r.buf = r.buf[:0]
	starts := []int{0}
	nonEmpty := 0
	endField := func() error {
		start := starts[len(starts)-1]
		if len(r.buf) > start {
			if nonEmpty++; nonEmpty > MaxRowCells {
				return failf("第 %d 行有超过 %d 个非空单元格，不是正常的名单", r.n, MaxRowCells)
			}
		}
		if len(starts) > MaxColumns {
			return failf("第 %d 行超过表格的最大列数 %d", r.n, MaxColumns)
		}
		starts = append(starts, len(r.buf))
		return nil
	}
	atFieldStart := true
	for {
		c, err := r.br.ReadByte()
		if err == io.EOF {
			if len(r.buf) == 0 && len(starts) == 1 {
				r.done = true
				if r.cr.n != r.book.size {
					return r.fail(failf("文件在读取时大小改变了（%d 字节，读到 %d 字节）", r.book.size, r.cr.n))
				}
				return false
			}
			if err := endField(); err != nil {
				return r.fail(err)
			}
			r.done = true
			break
		}
		if err != nil {
			return r.fail(damaged(err))
		}
		if len(r.buf) > maxToken {
			return r.fail(failf("第 %d 行超过 1 MB，不是正常的名单行", r.n))
		}
		if c == '"' && atFieldStart {
			r.completed = len(starts) - 1
			if err := r.quoted(); err != nil {
				return r.fail(err)
			}
			atFieldStart = false
			continue
		}
		atFieldStart = false
		switch c {
		case sep:
			if err := endField(); err != nil {
				return r.fail(err)
			}
			atFieldStart = true
			continue
		case '\r':
			if next, err := r.br.Peek(1); err == nil && next[0] == '\n' {
				r.br.ReadByte()
			}
			fallthrough
		case '\n':
			r.line++
			if r.line > maxCSVLines {
				return r.fail(failf("文件超过 %d 行的上限", maxCSVLines))
			}
			if err := endField(); err != nil {
				return r.fail(err)
			}
		default:
			r.buf = append(r.buf, c)
			continue
		}
		break
	}
	r.cells, r.issues = r.cells[:0], r.issues[:0]
	for i := 0; i+1 < len(starts); i++ {
		r.cells = append(r.cells, r.decode(i, r.buf[starts[i]:starts[i+1]]))
	}
	return true
}

// quoted reads a quoted field after its opening quote. A field that runs on
// for more than maxQuotedLines lines or MaxCellChars characters is a stray
// quote, reported at the row and column where it opened.
//
// A quoted field may hold line breaks (a note on two lines), but a line
// inside it with the separators of a whole row is rows swallowed by a
// stray quote: the file is refused rather than read with payees missing.
func (r *csvRows) quoted() error {
	startLine := r.line
	col := r.completed
	chars := 0
	seps := -1 // separators on the current line inside the quote (-1: still the field's first line)
	swallowed := func() error {
		return failf("第 %d 行 %s 列的引号里跨行的内容含有整行的数据（第 %d 行有 %d 个分隔符）：多半是多了一个引号，把后面的行吞进了这一格",
			startLine, colName(col), r.line, seps)
	}
	for {
		c, err := r.br.ReadByte()
		if err == io.EOF {
			return failf("第 %d 行 %s 列的引号没有闭合（到文件末尾也没有找到配对的引号）", startLine, colName(col))
		}
		if err != nil {
			return damaged(err)
		}
		switch c {
		case '"':
			next, err := r.br.Peek(1)
			if err == nil && next[0] == '"' {
				r.br.ReadByte()
				r.buf = append(r.buf, '"')
				chars++
				continue
			}
			if err == nil && next[0] != r.book.sep && next[0] != '\n' && next[0] != '\r' {
				return failf("第 %d 行 %s 列的引号不配对（引号后面紧跟着“%s”）", r.line, colName(col), Escape(string(next[0]), 0))
			}
			if seps >= 2 {
				return swallowed()
			}
			return nil
		case '\n':
			if seps >= 2 {
				return swallowed()
			}
			r.line++
			seps = 0
		case '\r':
			if seps >= 2 {
				return swallowed()
			}
			// a line break inside a cell is kept as \n, whatever the
			// writer's (CR LF, or a lone CR)
			if next, err := r.br.Peek(1); err == nil && next[0] == '\n' {
				continue
			}
			r.line++
			seps = 0
			c = '\n'
		case r.book.sep:
			if seps >= 0 {
				seps++
			}
		}
		if c < 0x80 || c >= 0xC0 {
			chars++
		}
		r.buf = append(r.buf, c)
		if r.line-startLine >= maxQuotedLines || chars > MaxCellChars {
			return failf("第 %d 行 %s 列的引号没有闭合：引号内的内容跨了 %d 行、%d 个字符以上，可能是多了一个引号，后面的行被吞进了这一格",
				startLine, colName(col), r.line-startLine+1, chars)
		}
	}
}

func (r *csvRows) decode(col int, b []byte) string {
	switch r.book.enc {
	case EncGB18030:
		if !hasNonASCII(b) {
			return string(b)
		}
		if looksUTF8(b) {
			r.issues = append(r.issues, CellIssue{Col: col, Raw: string(b),
				Reason: "这一格的文字是 UTF-8 编码，与文件其余部分（GBK）不一致：文件可能由两个来源拼接而成，请在表格软件中统一另存后重新导入"})
			return string(b)
		}
		out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b)
		if err != nil || bytes.ContainsRune(out, utf8.RuneError) {
			s := strings.ToValidUTF8(string(out), "\uFFFD")
			r.issues = append(r.issues, CellIssue{Col: col, Raw: s, Reason: "这一格有无法按 GBK 编码读取的字节，文字可能是乱码"})
			return s
		}
		return string(out)
	case EncUTF8:
		if !utf8.Valid(b) {
			s := strings.ToValidUTF8(string(b), "\uFFFD")
			r.issues = append(r.issues, CellIssue{Col: col, Raw: s,
				Reason: "这一格有不是 UTF-8 编码的字节（疑似混入了 GBK 编码的文字），文字可能是乱码：请在表格软件中统一另存后重新导入"})
			return s
		}
	default:
		if bytes.ContainsRune(b, utf8.RuneError) {
			r.issues = append(r.issues, CellIssue{Col: col, Raw: string(b), Reason: "这一格有无法按 UTF-16 编码读取的字节，文字可能是乱码"})
		}
	}
	return string(b)
}

func (r *csvRows) Row() (int, []string) { return r.n, r.cells }
func (r *csvRows) Issues() []CellIssue  { return r.issues }
func (r *csvRows) Err() error           { return r.err }
func (r *csvRows) Close() error         { return nil }

// guessSeparator picks tab, comma or semicolon by which is most frequent in
// the first lines.
func guessSeparator(head []byte) byte {
	best, bestN := byte(','), 0
	for _, sep := range []byte{',', '\t', ';'} {
		if n := bytes.Count(head, []byte{sep}); n > bestN {
			best, bestN = sep, n
		}
	}
	return best
}

// ParseCSV reads a CSV held in memory into rows indexed by line (rows[i]
// starts on line i+1), with the same streaming reader as files.
func ParseCSV(data []byte) ([][]string, error) {
	b, err := newCSVBook(bytes.NewReader(data), int64(len(data)), "csv")
	if err != nil {
		return nil, err
	}
	it, err := b.Rows("csv")
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var rows [][]string
	for it.Next() {
		n, cells := it.Row()
		for len(rows) < n-1 {
			rows = append(rows, nil)
		}
		rows = append(rows, append([]string(nil), cells...))
	}
	return rows, it.Err()
}
