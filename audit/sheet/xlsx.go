package sheet

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// The .xlsx reader streams each sheet's XML straight out of the zip with
// encoding/xml, so that it can prove it reached the sheet's clean end (the
// closing </worksheet> and the zip entry's CRC, which archive/zip checks only
// at EOF) and enforce the limits while it reads: no temporary files, memory
// bounded by maxToken and the shared-string limit whatever the file holds.

type xlsxSheet struct {
	name string
	file *zip.File
}

type xlsxBook struct {
	zr     *zip.ReadCloser
	sheets []xlsxSheet
	sst    *sharedStrings
	d1904  bool
	merges map[string][]Merge
	notes  []string
}

// zipParts indexes the parts of a package by name, and by lower-case name
// for writers that disagree with their own relationships about case.
type zipParts struct {
	exact map[string]*zip.File
	lower map[string]*zip.File
}

func (z zipParts) get(name string) *zip.File {
	name = strings.TrimPrefix(name, "/")
	if f := z.exact[name]; f != nil {
		return f
	}
	return z.lower[strings.ToLower(name)]
}

func openXLSX(p string) (wb Workbook, err error) {
	zr, err := zip.OpenReader(p)
	if err != nil {
		return nil, damaged(err)
	}
	defer func() {
		if err != nil {
			zr.Close()
		}
	}()
	parts := zipParts{exact: map[string]*zip.File{}, lower: map[string]*zip.File{}}
	for _, f := range zr.File {
		name := strings.ReplaceAll(f.Name, "\\", "/") // some writers use backslashes
		if parts.lower[strings.ToLower(name)] != nil {
			// two parts of one name: which one Excel reads is not defined,
			// and a second copy is how a file is altered behind a viewer's back
			return nil, failf("文件内部有两个同名的部件“%s”：文件可能被改动过或已损坏，不知道该读哪一个", Escape(name, 60))
		}
		parts.exact[name] = f
		parts.lower[strings.ToLower(name)] = f
	}
	if parts.get("EncryptedPackage") != nil {
		return nil, errEncrypted
	}
	wbPath := "xl/workbook.xml"
	if rels, err := readRels(parts, "_rels/.rels", ""); err == nil {
		for _, r := range rels {
			if strings.HasSuffix(r.typ, "/officeDocument") && r.target != "" {
				wbPath = r.target
			}
		}
	}
	b := &xlsxBook{zr: zr, merges: map[string][]Merge{}}
	wbFile := parts.get(wbPath)
	if wbFile == nil {
		return nil, failf("不是 Excel 工作簿（压缩包中没有 workbook.xml）")
	}
	type sheetRef struct{ name, rid, state string }
	var refs []sheetRef
	err = walkPart(wbFile, func(dec *xml.Decoder, t xml.Token) error {
		e, ok := t.(xml.StartElement)
		if !ok {
			return nil
		}
		switch e.Name.Local {
		case "workbookPr":
			// the workbook's own (an x14/x15 workbookPr inside extLst says
			// nothing of the date system and must not reset it)
			if strings.HasSuffix(e.Name.Space, "/spreadsheetml/2006/main") || strings.HasSuffix(e.Name.Space, "ooxml/spreadsheetml/main") || e.Name.Space == "" {
				v := attr(e, "date1904")
				b.d1904 = v == "1" || v == "true"
			}
		case "sheet":
			refs = append(refs, sheetRef{attr(e, "name"), attr(e, "id"), attr(e, "state")})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	relsPath := path.Join(path.Dir(wbPath), "_rels", path.Base(wbPath)+".rels")
	rels, err := readRels(parts, relsPath, path.Dir(wbPath))
	if err != nil {
		return nil, err
	}
	byID := map[string]rel{}
	var sstPath string
	for _, r := range rels {
		byID[r.id] = r
		if strings.HasSuffix(r.typ, "/sharedStrings") {
			sstPath = r.target
		}
	}
	for _, s := range refs {
		if s.state == "hidden" || s.state == "veryHidden" {
			b.notes = append(b.notes, "工作表「"+Escape(s.name, 40)+"」是隐藏的，没有读取：如其中有名单，请在表格软件中取消隐藏后重新导入")
			continue
		}
		r, ok := byID[s.rid]
		if !ok || !strings.HasSuffix(r.typ, "/worksheet") {
			if ok && !strings.HasSuffix(r.typ, "/chartsheet") {
				b.notes = append(b.notes, "工作表「"+Escape(s.name, 40)+"」是宏表或对话框表，不是数据表，没有读取")
			}
			continue // chart sheets hold no rows
		}
		f := parts.get(r.target)
		if r.target == "" || f == nil {
			b.notes = append(b.notes, "工作表「"+Escape(s.name, 40)+"」在文件中找不到内容，已跳过")
			continue
		}
		b.sheets = append(b.sheets, xlsxSheet{name: s.name, file: f})
	}
	if sstPath != "" {
		if f := parts.get(sstPath); f != nil {
			if b.sst, err = readSharedStrings(f); err != nil {
				return nil, err
			}
		}
	}
	for _, s := range b.sheets {
		b.merges[s.name] = mergesIn(s.file)
	}
	return b, nil
}

func (b *xlsxBook) Format() Format { return FormatXLSX }
func (b *xlsxBook) Sheets() []string {
	out := make([]string, len(b.sheets))
	for i, s := range b.sheets {
		out[i] = s.name
	}
	return out
}
func (b *xlsxBook) Date1904() bool          { return b.d1904 }
func (b *xlsxBook) Merges(s string) []Merge { return b.merges[s] }
func (b *xlsxBook) Close() error            { return b.zr.Close() }

// Notes lists what the reader skipped (sheets without content).
func (b *xlsxBook) Notes() []string { return b.notes }

type rel struct{ id, typ, target string }

// readRels reads a relationships part; targets are resolved against base.
func readRels(parts zipParts, name, base string) ([]rel, error) {
	f := parts.get(name)
	if f == nil {
		return nil, failf("压缩包中缺少 %s", name)
	}
	var out []rel
	err := walkPart(f, func(dec *xml.Decoder, t xml.Token) error {
		if e, ok := t.(xml.StartElement); ok && e.Name.Local == "Relationship" {
			if attr(e, "TargetMode") == "External" {
				return nil
			}
			target := attr(e, "Target")
			switch {
			case target == "":
			case strings.HasPrefix(target, "/"):
				target = strings.TrimPrefix(target, "/")
			default:
				target = path.Join(base, target)
			}
			out = append(out, rel{attr(e, "Id"), attr(e, "Type"), target})
		}
		return nil
	})
	return out, err
}

// partReader is a zip part opened for streaming: it counts what it unpacks
// and enforces the size, ratio and token limits as it goes.
type partReader struct {
	rc         io.ReadCloser
	compressed uint64
	n          uint64 // bytes unpacked so far
	tokenStart *int64 // where the decoder's current token began
	err        error
}

func openPart(f *zip.File) (*partReader, error) {
	if f.UncompressedSize64 > MaxUnpacked {
		return nil, failf("压缩包中的 %s 解压后有 %s，超过 2 GB 的上限", path.Base(f.Name), sizeText(f.UncompressedSize64))
	}
	rc, err := f.Open()
	if err != nil {
		return nil, damaged(err)
	}
	return &partReader{rc: rc, compressed: f.CompressedSize64}, nil
}

func (r *partReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	n, err := r.rc.Read(p)
	r.n += uint64(n)
	switch {
	case r.n > MaxUnpacked:
		r.err = failf("表格解压后超过 2 GB 的上限")
	case r.n > ratioFloor && r.compressed > 0 && r.n/r.compressed > MaxRatio:
		r.err = failf("表格的压缩比超过 %d:1（解压后异常巨大，疑似“压缩炸弹”）", MaxRatio)
	case r.tokenStart != nil && int64(r.n)-*r.tokenStart > maxToken+128<<10:
		r.err = failf("有一段内容超过 1 MB 没有分隔（单元格或标记过长）")
	}
	if r.err != nil {
		return n, r.err
	}
	if err != nil && err != io.EOF {
		return n, damaged(err)
	}
	return n, err
}

func (r *partReader) Close() error { return r.rc.Close() }

func sizeText(n uint64) string {
	switch {
	case n >= 1<<30:
		return strconv.FormatUint(n>>30, 10) + " GB"
	case n >= 1<<20:
		return strconv.FormatUint(n>>20, 10) + " MB"
	}
	return strconv.FormatUint(n>>10, 10) + " KB"
}

// xmlDecoder reads a part token by token, bounding each token and the depth.
type xmlDecoder struct {
	*xml.Decoder
	pr    *partReader
	start int64
	depth int
}

func newXMLDecoder(pr *partReader) *xmlDecoder {
	d := &xmlDecoder{pr: pr}
	d.Decoder = xml.NewDecoder(bufio.NewReaderSize(pr, 64<<10))
	pr.tokenStart = &d.start
	return d
}

// next returns the next token, or io.EOF at the clean end of the document.
func (d *xmlDecoder) next() (xml.Token, error) {
	d.start = d.InputOffset()
	t, err := d.Token()
	if err != nil {
		if err == io.EOF {
			if d.depth != 0 {
				return nil, damaged(io.ErrUnexpectedEOF)
			}
			return nil, io.EOF
		}
		var re *rowError
		if errors.As(err, &re) {
			return nil, err
		}
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			if strings.Contains(se.Msg, "unexpected EOF") {
				return nil, damaged(io.ErrUnexpectedEOF)
			}
			return nil, &rowError{reason: "表格内部的 XML 结构有错（标记不完整、不配对或含有非法字符）：" + damagedReason, err: err}
		}
		return nil, damaged(err)
	}
	switch t.(type) {
	case xml.StartElement:
		d.depth++
		if d.depth > 64 {
			return nil, failf("表格内部的 XML 嵌套过深，不是正常的表格文件")
		}
	case xml.EndElement:
		d.depth--
	}
	return t, nil
}

// walkPart streams a small part (workbook, relationships) to its clean end.
func walkPart(f *zip.File, fn func(*xml.Decoder, xml.Token) error) error {
	pr, err := openPart(f)
	if err != nil {
		return err
	}
	defer pr.Close()
	d := newXMLDecoder(pr)
	for {
		t, err := d.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(d.Decoder, t); err != nil {
			return err
		}
	}
}

// sharedStrings holds the table compactly: one text buffer and offsets.
type sharedStrings struct {
	text []byte
	ends []uint32
}

func (s *sharedStrings) get(i int) (string, bool) {
	if s == nil || i < 0 || i >= len(s.ends) {
		return "", false
	}
	start := uint32(0)
	if i > 0 {
		start = s.ends[i-1]
	}
	return decodeXString(string(s.text[start:s.ends[i]])), true
}

// decodeXString undoes OOXML's escapes for characters XML cannot hold:
// _x000D_ is a carriage return, _x005F_ a literal underscore.
func decodeXString(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if i+7 <= len(s) && s[i] == '_' && s[i+1] == 'x' && s[i+6] == '_' {
			if v, err := strconv.ParseUint(s[i+2:i+6], 16, 16); err == nil {
				b.WriteRune(rune(v))
				i += 7
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// readSharedStrings reads every <si>: its <t> text, or its rich-text runs'
// <t> texts joined; phonetic guides (<rPh>) are not part of the value.
func readSharedStrings(f *zip.File) (*sharedStrings, error) {
	pr, err := openPart(f)
	if err != nil {
		return nil, err
	}
	defer pr.Close()
	d := newXMLDecoder(pr)
	s := &sharedStrings{}
	inSI, inT, phonetic := false, false, 0
	for {
		t, err := d.next()
		if err == io.EOF {
			return s, nil
		}
		if err != nil {
			return nil, err
		}
		switch e := t.(type) {
		case xml.StartElement:
			switch e.Name.Local {
			case "si", "sstItem": // sstItem: Excel 2007 beta files
				inSI = true
			case "t":
				inT = inSI && phonetic == 0
			case "rPh":
				phonetic++
			}
		case xml.EndElement:
			switch e.Name.Local {
			case "si", "sstItem":
				inSI = false
				if len(s.text) > maxSharedText {
					return nil, failf("共享文字表超过 %d MB 的上限", maxSharedText>>20)
				}
				s.ends = append(s.ends, uint32(len(s.text)))
			case "t":
				inT = false
			case "rPh":
				phonetic--
			}
		case xml.CharData:
			if inT {
				s.text = append(s.text, e...)
			}
		}
	}
}

func (b *xlsxBook) Rows(sheet string) (RowIter, error) {
	for _, s := range b.sheets {
		if s.name == sheet {
			pr, err := openPart(s.file)
			if err != nil {
				return nil, err
			}
			return &xlsxRows{pr: pr, dec: newXMLDecoder(pr), sst: b.sst}, nil
		}
	}
	return nil, failf("没有名为「%s」的工作表", Escape(sheet, 40))
}

// xlsxRows yields the rows of <sheetData> in order. Rows without cells are
// yielded too (empty), so that numbering and the blank-row logic match what
// the clerk sees.
type xlsxRows struct {
	pr      *partReader
	dec     *xmlDecoder
	sst     *sharedStrings
	n       int // current row number
	last    int // last row number yielded
	dimRows int // last row the <dimension> declares, 0 if none
	cells   []string
	// repeat: the row being read has a number already read. Some writers
	// emit a row twice (an empty <row r="1"/> beside the real one, or the
	// same row again); an empty or identical repeat is nothing new and is
	// passed over, any other is refused. prev keeps the last row yielded.
	repeat bool
	prev   []string
	done   bool
	ended  bool // </sheetData> seen
	err    error

	cell    strings.Builder
	cellCol int
	cellTyp string
	inV     bool
	inIS    int // inside <is>, counting nested <t>
	inT     bool
	phon    int
}

func (r *xlsxRows) fail(err error) bool {
	r.err = err
	r.done = true
	return false
}

// Next reads up to the next </row>. At </sheetData> it drains the rest of
// the part to EOF so that the zip CRC is checked and the XML is proven whole.
func (r *xlsxRows) Next() bool {
	if r.done {
		return false
	}
	inRow := false
	nonEmpty := 0
	for {
		t, err := r.dec.next()
		if err == io.EOF {
			r.done = true
			if r.pr.n == 0 || !r.ended {
				return r.fail(damaged(io.ErrUnexpectedEOF))
			}
			// an empty sheet may still declare a range; rows cut from a
			// sheet that had them may not
			if r.dimRows > 0 && r.last > 0 && r.last < r.dimRows {
				return r.fail(failf("工作表声明的范围到第 %d 行，但最后一行是第 %d 行：文件可能被截断或改动过", r.dimRows, r.last))
			}
			return false
		}
		if err != nil {
			return r.fail(err)
		}
		switch e := t.(type) {
		case xml.StartElement:
			switch e.Name.Local {
			case "dimension":
				if _, m, ok := strings.Cut(attr(e, "ref"), ":"); ok {
					if _, row, err := excelize.CellNameToCoordinates(m); err == nil && row > 1 {
						r.dimRows = row
					}
				}
			case "row":
				n := r.last + 1
				if v := attr(e, "r"); v != "" {
					k, err := strconv.Atoi(v)
					if err != nil || k < 1 {
						return r.fail(failf("第 %d 行之后的行号“%s”不正确：文件可能已损坏或被改动过", r.last, Escape(v, 20)))
					}
					n = k
				}
				r.repeat = n <= r.last
				if r.repeat {
					r.prev = append(r.prev[:0], r.cells...)
				}
				if n > MaxSheetRows {
					return r.fail(failf("行号 %d 超过表格的最大行数 %d", n, MaxSheetRows))
				}
				r.n, inRow, nonEmpty = n, true, 0
				r.cells = r.cells[:0]
			case "c":
				if !inRow {
					return r.fail(failf("第 %d 行之后有不在任何行内的单元格：文件可能已损坏或被改动过", r.last))
				}
				col := len(r.cells)
				if ref := attr(e, "r"); ref != "" {
					c, row, err := excelize.CellNameToCoordinates(ref)
					if err != nil || row != r.n {
						return r.fail(failf("第 %d 行的单元格位置“%s”不正确：文件可能已损坏或被改动过", r.n, Escape(ref, 20)))
					}
					col = c - 1
				}
				if col < len(r.cells) {
					return r.fail(failf("第 %d 行的单元格 %s 出现了两次或顺序错乱：文件可能已损坏或被改动过", r.n, colName(col)))
				}
				if col >= MaxColumns {
					return r.fail(failf("第 %d 行超过表格的最大列数 %d", r.n, MaxColumns))
				}
				r.cellCol, r.cellTyp = col, attr(e, "t")
				r.cell.Reset()
			case "v":
				r.inV = true
			case "is":
				r.inIS++
			case "t":
				r.inT = r.inIS > 0 && r.phon == 0
			case "rPh":
				r.phon++
			}
		case xml.CharData:
			if r.inV || r.inT {
				r.cell.Write(e)
			}
		case xml.EndElement:
			switch e.Name.Local {
			case "v":
				r.inV = false
			case "is":
				r.inIS--
			case "t":
				r.inT = false
			case "rPh":
				r.phon--
			case "c":
				v, err := r.value()
				if err != nil {
					return r.fail(err)
				}
				for len(r.cells) < r.cellCol {
					r.cells = append(r.cells, "")
				}
				r.cells = append(r.cells, v)
				if v != "" {
					if nonEmpty++; nonEmpty > MaxRowCells {
						return r.fail(failf("第 %d 行有超过 %d 个非空单元格，不是正常的名单", r.n, MaxRowCells))
					}
				}
			case "row":
				if r.repeat && r.n == r.last && allEmpty(r.prev) {
					// an empty row, then the same row with its values: the
					// values are the row (yielded again, as the clerk sees it)
					r.repeat = false
					return true
				}
				if r.repeat {
					if !r.sameAsBefore() {
						return r.fail(failf("第 %d 行出现了两次、内容不同（或行的顺序错乱，行号必须递增）：文件可能已损坏或被改动过", r.n))
					}
					r.cells = append(r.cells[:0], r.prev...)
					r.n, r.repeat, inRow = r.last, false, false
					continue
				}
				r.last = r.n
				return true
			case "sheetData":
				r.ended = true
			}
		}
	}
}

// sameAsBefore reports whether a repeated row adds nothing: it has no
// value, or it repeats the row just read cell for cell.
func (r *xlsxRows) sameAsBefore() bool {
	if allEmpty(r.cells) {
		return true
	}
	if r.n != r.last {
		return false
	}
	for i := range max(len(r.cells), len(r.prev)) {
		var a, b string
		if i < len(r.cells) {
			a = r.cells[i]
		}
		if i < len(r.prev) {
			b = r.prev[i]
		}
		if a != b {
			return false
		}
	}
	return true
}

func allEmpty(cells []string) bool {
	for _, c := range cells {
		if c != "" {
			return false
		}
	}
	return true
}

func (r *xlsxRows) value() (string, error) {
	v := r.cell.String()
	switch r.cellTyp {
	case "s":
		if strings.TrimSpace(v) == "" {
			return "", nil // <c t="s"/>: an empty cell with a string type
		}
		i, err := strconv.Atoi(strings.TrimSpace(v))
		s, ok := r.sst.get(i)
		if err != nil || !ok {
			return "", failf("第 %d 行 %s 列引用的共享文字不存在（编号“%s”）：文件可能已损坏或被改动过", r.n, colName(r.cellCol), Escape(v, 20))
		}
		return s, nil
	case "inlineStr":
		return decodeXString(v), nil
	case "b": // as .xls gives them
		switch strings.TrimSpace(v) {
		case "1", "true":
			return "TRUE", nil
		case "0", "false":
			return "FALSE", nil
		}
	case "", "n": // a number: in the same form as .xls gives it; an integer's
		// digits are kept as the file holds them (a program may have written
		// all 18 digits of an ID number, more than a float keeps)
		if t := strings.TrimSpace(v); t != "" && !allDigitsSigned(t) && !shortDecimal(t) {
			if f, err := strconv.ParseFloat(t, 64); err == nil {
				return FormatNumber(f), nil
			}
		}
	}
	return v, nil
}

// shortDecimal reports whether s is already a number as FormatNumber writes
// it: an optional minus, an integer part without leading zeros, a fraction
// without trailing zeros, at most 15 significant digits, no exponent (the
// common case — 189.11 — skips two conversions).
func shortDecimal(s string) bool {
	s = strings.TrimPrefix(s, "-")
	intPart, frac, dot := strings.Cut(s, ".")
	if intPart == "" || (len(intPart) > 1 && intPart[0] == '0') || !allDigitsSigned(intPart) || strings.HasPrefix(intPart, "-") {
		return false
	}
	sig := len(intPart)
	if intPart == "0" {
		sig = 0
	}
	if dot {
		if frac == "" || frac[len(frac)-1] == '0' || !allDigitsSigned(frac) || strings.HasPrefix(frac, "-") {
			return false
		}
		if sig == 0 {
			sig = len(strings.TrimLeft(frac, "0"))
		} else {
			sig += len(frac)
		}
	}
	return sig <= 15
}

func allDigitsSigned(s string) bool {
	s = strings.TrimPrefix(s, "-")
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func (r *xlsxRows) Row() (int, []string) { return r.n, r.cells }
func (r *xlsxRows) Issues() []CellIssue  { return nil }
func (r *xlsxRows) Err() error           { return r.err }
func (r *xlsxRows) Close() error         { return r.pr.Close() }

// mergesIn reads the merged ranges of a sheet by scanning its XML for
// <mergeCell ref="..."/> without building the sheet in memory. Damage is not
// judged here: the row reader reads the same part and refuses it.
func mergesIn(f *zip.File) []Merge {
	pr, err := openPart(f)
	if err != nil {
		return nil
	}
	defer pr.Close()
	var out []Merge
	needle := []byte("mergeCell ")
	var carry []byte
	buf := make([]byte, 1<<16)
	for {
		n, err := io.ReadFull(pr, buf)
		chunk := append(carry, buf[:n]...)
		for {
			i := bytes.Index(chunk, needle)
			if i < 0 {
				break
			}
			end := bytes.IndexByte(chunk[i:], '>')
			if end < 0 {
				break
			}
			tag := chunk[i : i+end]
			if j := bytes.Index(tag, []byte(`ref="`)); j >= 0 {
				ref := tag[j+5:]
				if k := bytes.IndexByte(ref, '"'); k >= 0 {
					if m, ok := parseRange(string(ref[:k])); ok && len(out) < 100000 {
						out = append(out, m)
					}
				}
			}
			chunk = chunk[i+end:]
		}
		keep := min(len(chunk), 512)
		carry = append(carry[:0], chunk[len(chunk)-keep:]...)
		if err != nil {
			break
		}
	}
	return out
}

func parseRange(ref string) (Merge, bool) {
	a, b, ok := strings.Cut(ref, ":")
	if !ok {
		return Merge{}, false
	}
	c1, r1, err1 := excelize.CellNameToCoordinates(a)
	c2, r2, err2 := excelize.CellNameToCoordinates(b)
	if err1 != nil || err2 != nil {
		return Merge{}, false
	}
	return Merge{R1: r1, C1: c1 - 1, R2: r2, C2: c2 - 1}, true
}
