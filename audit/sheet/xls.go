package sheet

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/richardlehane/mscfb"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

var (
	errNoTable   = errors.New("文件中没有表格")
	errEncrypted = errors.New("文件已加密：设置了打开密码，或被 Excel 用内置的默认密码保护（这种文件在 Excel 里打开时不问密码）。" +
		"本程序不解密文件：请在 Excel 或 WPS 中打开它，另存为一个新的 .xlsx（另存时不设密码）后再导入")
	errBIFF = errors.New("不是可读取的 Excel 97-2003 (.xls) 文件")
)

// BIFF5/8 sheets hold at most 256 columns and 65,536 rows.
const (
	maxBIFFCols = 256
	maxBIFFRows = 65536
)

// BIFF record types we read.
const (
	recBOF         = 0x0809
	recEOF         = 0x000A
	recBoundSheet  = 0x0085
	recCodepage    = 0x0042
	recFont        = 0x0031
	recDateMode    = 0x0022
	recFilePass    = 0x002F
	recSST         = 0x00FC
	recContinue    = 0x003C
	recLabelSST    = 0x00FD
	recLabel       = 0x0204
	recRString     = 0x00D6
	recRK          = 0x027E
	recMulRK       = 0x00BD
	recNumber      = 0x0203
	recFormula     = 0x0006
	recFormula4    = 0x0406 // Excel 4's FORMULA, still found inside some BIFF8 files
	recString      = 0x0207
	recBoolErr     = 0x0205
	recMergedCells = 0x00E5
)

// openXLS reads a legacy .xls: an OLE2 compound file holding a BIFF8 (Excel
// 97–2003) or BIFF5/7 (Excel 5/95) "Workbook" or "Book" stream.
func openXLS(p string) (Workbook, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return readXLS(f, st.Size())
}

// ParseXLS reads a legacy .xls held in memory.
func ParseXLS(data []byte) (Workbook, error) { return readXLS(bytes.NewReader(data), int64(len(data))) }

// checkOLEHeader bounds the compound file's sector counts by the file size
// before mscfb trusts them: a damaged header must fail fast, not allocate or
// loop over billions of sectors.
func checkOLEHeader(r io.ReaderAt, size int64) error {
	h := make([]byte, 76)
	if _, err := r.ReadAt(h, 0); err != nil {
		return fmt.Errorf("%w：文件头不完整", errBIFF)
	}
	shift := binary.LittleEndian.Uint16(h[30:])
	if shift != 9 && shift != 12 {
		return fmt.Errorf("%w：文件头已损坏", errBIFF)
	}
	sectors := size >> shift
	for _, off := range []int{40, 44, 64, 72} { // directory, FAT, mini FAT, DIFAT sector counts
		if int64(binary.LittleEndian.Uint32(h[off:])) > sectors+1 {
			return fmt.Errorf("%w：文件头已损坏（扇区数超出文件大小）", errBIFF)
		}
	}
	return nil
}

func readXLS(r io.ReaderAt, size int64) (wb Workbook, err error) {
	if err := checkOLEHeader(r, size); err != nil {
		return nil, err
	}
	defer func() {
		// mscfb trusts sector tables; a damaged file must not take the program down
		if p := recover(); p != nil {
			wb, err = nil, &rowError{reason: damagedReason + "（.xls 的内部结构不一致）", err: fmt.Errorf("%v", p)}
		}
	}()
	doc, err := mscfb.New(r)
	if err != nil {
		return nil, &rowError{reason: damagedReason + "（无法读取 .xls 的内部目录）", err: err}
	}
	var stream []byte
	encrypted := false
	for entry, err := doc.Next(); err == nil; entry, err = doc.Next() {
		switch strings.ToLower(entry.Name) {
		case "encryptedpackage", "encryptioninfo":
			encrypted = true
		case "workbook", "book":
			if stream != nil {
				continue
			}
			if entry.Size > maxMemFile {
				return nil, failf("Workbook 数据流有 %s，超过 %d MB 的上限", sizeText(uint64(entry.Size)), maxMemFile>>20)
			}
			stream, err = io.ReadAll(io.LimitReader(entry, maxMemFile+1))
			if err != nil {
				return nil, damaged(err)
			}
			if int64(len(stream)) != entry.Size {
				return nil, failf("Workbook 数据流应有 %d 字节，只读到 %d 字节：%s", entry.Size, len(stream), damagedReason)
			}
		}
	}
	if encrypted {
		return nil, errEncrypted
	}
	if stream == nil {
		return nil, fmt.Errorf("%w：找不到 Workbook 数据流", errBIFF)
	}
	return parseBIFF(stream)
}

type biffRecord struct {
	typ  uint16
	data []byte
}

// readRecords splits the stream into records. It stops at a record whose
// declared length runs past the end of the stream (padding, or a stream cut
// short): every substream must then still reach its own EOF record, so a
// short stream is caught where it matters.
func readRecords(stream []byte) []biffRecord {
	var recs []biffRecord
	for len(stream) >= 4 {
		typ := binary.LittleEndian.Uint16(stream)
		n := int(binary.LittleEndian.Uint16(stream[2:]))
		stream = stream[4:]
		if n > len(stream) {
			break
		}
		recs = append(recs, biffRecord{typ, stream[:n]})
		stream = stream[n:]
	}
	return recs
}

type biffBook struct {
	cp      uint16 // the CODEPAGE record's value, 0 when there is none
	biff8   bool
	enc     encoding.Encoding
	sst     []string
	formats map[uint16]string
}

// parseBIFF walks the globals substream, then each worksheet substream.
func parseBIFF(stream []byte) (Workbook, error) {
	recs := readRecords(stream)
	if len(recs) == 0 || recs[0].typ != recBOF || len(recs[0].data) < 4 {
		return nil, errBIFF
	}
	version := binary.LittleEndian.Uint16(recs[0].data)
	// BIFF8's BOF has 16 bytes; BIFF5/7's has 8 and a version 0x05xx (Mac
	// Excel 5 writes 0x0580).
	biff8 := version == 0x0600 || (version>>8 != 0x05 && len(recs[0].data) >= 16)
	bb := &biffBook{biff8: biff8, enc: charmap.Windows1252, formats: map[uint16]string{}}
	if !biff8 && version>>8 != 0x05 {
		return nil, fmt.Errorf("%w：BIFF 版本 %#x 不认识（Excel 5.0 以前的格式），请在 WPS 或 Excel 中另存为 .xlsx", errBIFF, version)
	}
	out := &memBook{format: FormatXLS, sheets: map[string][][]string{}, merges: map[string][]Merge{}}
	type bsheet struct {
		name string
		pos  uint32
		nth  int // its place among all BOUNDSHEET records
	}
	bounds := 0
	var sheets []bsheet
	// Globals: up to the first EOF.
	i := 1
	globalsEnded := false
	fontSeen, fontCharset := false, byte(0)
	for ; i < len(recs); i++ {
		r := recs[i]
		switch r.typ {
		case recEOF:
			globalsEnded = true
			goto globalsDone
		case recFilePass:
			return nil, errEncrypted
		case recFont:
			if len(r.data) > 12 && !fontSeen {
				fontSeen, fontCharset = true, r.data[12]
			}
		case recCodepage:
			if len(r.data) >= 2 {
				bb.cp = binary.LittleEndian.Uint16(r.data)
				bb.enc = codepage(bb.cp)
			}
		case recDateMode:
			if len(r.data) >= 2 {
				out.d1904 = binary.LittleEndian.Uint16(r.data) == 1
			}
		case recBoundSheet:
			bounds++
			if len(r.data) < 8 || r.data[5] != 0 { // only worksheets
				continue
			}
			var name string
			if bb.biff8 {
				name, _ = bb.unicodeString(r.data[6:], 1)
			} else {
				n := int(r.data[6])
				name = bb.decode(r.data[7:min(len(r.data), 7+n)])
			}
			if r.data[4] != 0 { // hidden
				continue
			}
			sheets = append(sheets, bsheet{name, binary.LittleEndian.Uint32(r.data), bounds - 1})
		case recSST:
			var conts [][]byte
			for j := i + 1; j < len(recs) && recs[j].typ == recContinue; j++ {
				conts = append(conts, recs[j].data)
			}
			bb.sst = bb.readSST(r.data, conts)
		}
	}
globalsDone:
	if bb.cp == 0 && !bb.biff8 { // no CODEPAGE: the fonts' character set tells
		if cp, ok := charsetCodepage[fontCharset]; ok {
			bb.enc = codepage(cp)
		}
	}
	if !globalsEnded {
		return nil, failf("工作簿的全局信息没有结束标记：%s", damagedReason)
	}
	// Index substreams by their offset in the stream.
	offsets := map[uint32]int{}
	off := uint32(0)
	for k, r := range recs {
		offsets[off] = k
		off += 4 + uint32(len(r.data))
	}
	// the substreams after the globals, in order (a chart's nested BOF…EOF
	// inside a sheet is not one)
	var subs []int
	depth := 0
	for k := i + 1; k < len(recs); k++ {
		switch recs[k].typ {
		case recBOF:
			if depth == 0 {
				subs = append(subs, k)
			}
			depth++
		case recEOF:
			depth = max(depth-1, 0)
		}
	}
	for _, s := range sheets {
		k, ok := offsets[s.pos]
		if (!ok || recs[k].typ != recBOF) && len(subs) == bounds {
			// some writers get the offsets wrong (ExcelDataReader's issue 624
			// file: 20 bytes off); the substreams are still in sheet order
			k, ok = subs[s.nth], true
		}
		if !ok || recs[k].typ != recBOF {
			return nil, failf("工作表「%s」的位置（偏移 %d）不在数据流中：%s", Escape(s.name, 40), s.pos, damagedReason)
		}
		if len(recs[k].data) >= 4 && binary.LittleEndian.Uint16(recs[k].data[2:]) != 0x0010 {
			continue // chart or macro sheet
		}
		grid, merges, err := bb.readSheet(recs[k+1:])
		if err != nil {
			return nil, &ReadError{Sheet: s.name, Row: len(grid), Reason: err.Error()}
		}
		out.names = append(out.names, s.name)
		out.sheets[s.name] = grid
		out.merges[s.name] = merges
	}
	if len(out.names) == 0 {
		return nil, errNoTable
	}
	return out, nil
}

// codepages maps the CODEPAGE record's Windows code page numbers to their
// decoders (BIFF5 files store text in the code page they were written in).
var codepages = map[uint16]encoding.Encoding{
	37: charmap.CodePage037, 437: charmap.CodePage437, 850: charmap.CodePage850, 852: charmap.CodePage852,
	855: charmap.CodePage855, 858: charmap.CodePage858, 860: charmap.CodePage860, 862: charmap.CodePage862,
	863: charmap.CodePage863, 865: charmap.CodePage865, 866: charmap.CodePage866, 874: charmap.Windows874,
	932: japanese.ShiftJIS, 936: simplifiedchinese.GBK, 949: korean.EUCKR, 950: traditionalchinese.Big5,
	1047: charmap.CodePage1047, 1140: charmap.CodePage1140,
	1250: charmap.Windows1250, 1251: charmap.Windows1251, 1252: charmap.Windows1252, 1253: charmap.Windows1253,
	1254: charmap.Windows1254, 1255: charmap.Windows1255, 1256: charmap.Windows1256, 1257: charmap.Windows1257,
	1258: charmap.Windows1258, 10000: charmap.Macintosh, 10007: charmap.MacintoshCyrillic,
	20866: charmap.KOI8R, 21866: charmap.KOI8U, 28591: charmap.ISO8859_1, 28592: charmap.ISO8859_2,
	28593: charmap.ISO8859_3, 28594: charmap.ISO8859_4, 28595: charmap.ISO8859_5, 28596: charmap.ISO8859_6,
	28597: charmap.ISO8859_7, 28598: charmap.ISO8859_8, 28599: charmap.ISO8859_9, 28603: charmap.ISO8859_13,
	28605: charmap.ISO8859_15, 54936: simplifiedchinese.GB18030,
	32768: charmap.Macintosh,   // Excel's own number for Mac Roman
	32769: charmap.Windows1252, // Excel 2.x's ANSI
}

// charsetCodepage maps a FONT record's Windows character set to its code
// page, for BIFF5 files written without a CODEPAGE record.
var charsetCodepage = map[byte]uint16{
	0x80: 932, 0x81: 949, 0x86: 936, 0x88: 950, 0xA1: 1253, 0xA2: 1254, 0xB1: 1255, 0xB2: 1256,
	0xBA: 1257, 0xCC: 1251, 0xDE: 874, 0xEE: 1250,
}

func codepage(cp uint16) encoding.Encoding {
	if cp == 1200 || cp == 367 { // UTF-16 (BIFF8 strings carry their own form); ASCII
		return nil
	}
	if e, ok := codepages[cp]; ok {
		return e
	}
	return charmap.Windows1252
}

func (bb *biffBook) decode(b []byte) string {
	if bb.enc == nil {
		return string(b)
	}
	s, err := bb.enc.NewDecoder().Bytes(b)
	if err != nil {
		return string(b)
	}
	return string(s)
}

// unicodeString reads a BIFF8 XLUnicodeString whose character count has
// lenBytes bytes (1 or 2). It returns the string and the bytes consumed.
func (bb *biffBook) unicodeString(b []byte, lenBytes int) (string, int) {
	if len(b) < lenBytes+1 {
		return "", len(b)
	}
	var cch int
	if lenBytes == 1 {
		cch = int(b[0])
	} else {
		cch = int(binary.LittleEndian.Uint16(b))
	}
	flags := b[lenBytes]
	p := lenBytes + 1
	var runs, ext int
	if flags&0x08 != 0 && len(b) >= p+2 {
		runs = int(binary.LittleEndian.Uint16(b[p:]))
		p += 2
	}
	if flags&0x04 != 0 && len(b) >= p+4 {
		ext = int(binary.LittleEndian.Uint32(b[p:]))
		p += 4
	}
	var s string
	if flags&0x01 != 0 {
		n := min(cch*2, len(b)-p)
		s = utf16le(b[p : p+n])
		p += n
	} else {
		n := min(cch, len(b)-p)
		s = bb.compressed(b[p : p+n])
		p += n
	}
	return s, min(len(b), p+4*runs+ext)
}

func utf16le(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

// compressed decodes a BIFF8 "compressed" (8-bit) string: UTF-16 code units
// below 256 as Excel writes them (its CODEPAGE says 1200), but in the
// workbook's code page when another program declared one (a Russian or
// Chinese writer's bytes, as LibreOffice reads them too).
func (bb *biffBook) compressed(b []byte) string {
	if bb.cp != 0 && bb.cp != 1200 && bb.enc != nil {
		return bb.decode(b)
	}
	return latin1(b)
}

func latin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// readSST decodes the shared string table, whose strings may be split over
// CONTINUE records; a split inside the characters restarts with a new flags
// byte telling whether the rest is compressed (8-bit) or UTF-16.
func (bb *biffBook) readSST(first []byte, conts [][]byte) []string {
	if len(first) < 8 {
		return nil
	}
	unique := int(binary.LittleEndian.Uint32(first[4:]))
	segs := append([][]byte{first[8:]}, conts...)
	seg, pos := 0, 0
	avail := func() int { return len(segs[seg]) - pos }
	next := func() bool {
		if seg+1 >= len(segs) {
			return false
		}
		seg++
		pos = 0
		return true
	}
	readBytes := func(n int) []byte { // reads n bytes, crossing segments (used for headers and skips)
		var out []byte
		for n > 0 {
			if avail() == 0 && !next() {
				return out
			}
			k := min(n, avail())
			out = append(out, segs[seg][pos:pos+k]...)
			pos += k
			n -= k
		}
		return out
	}
	strs := make([]string, 0, min(unique, 1<<20))
	for len(strs) < unique {
		if avail() == 0 && !next() {
			break
		}
		hdr := readBytes(3)
		if len(hdr) < 3 {
			break
		}
		cch := int(binary.LittleEndian.Uint16(hdr))
		flags := hdr[2]
		var runs, ext int
		if flags&0x08 != 0 {
			runs = int(binary.LittleEndian.Uint16(readBytes(2)))
		}
		if flags&0x04 != 0 {
			ext = int(binary.LittleEndian.Uint32(append(readBytes(4), 0, 0, 0, 0)))
		}
		wide := flags&0x01 != 0
		var sb []rune
		for left := cch; left > 0; {
			if avail() == 0 {
				if !next() {
					break
				}
				if len(segs[seg]) == 0 { // an empty CONTINUE: nothing to read in it
					continue
				}
				wide = segs[seg][0]&0x01 != 0
				pos = 1
			}
			if wide {
				k := min(left, avail()/2)
				if k == 0 { // odd byte left: malformed, stop
					pos = len(segs[seg])
					continue
				}
				sb = append(sb, []rune(utf16le(segs[seg][pos:pos+2*k]))...)
				pos += 2 * k
				left -= k
			} else {
				k := min(left, avail())
				sb = append(sb, []rune(bb.compressed(segs[seg][pos:pos+k]))...)
				pos += k
				left -= k
			}
		}
		strs = append(strs, string(sb))
		readBytes(4*runs + ext)
	}
	return strs
}

func rk(v uint32) float64 {
	var f float64
	if v&0x02 != 0 {
		f = float64(int32(v) >> 2)
	} else {
		f = math.Float64frombits(uint64(v&0xFFFFFFFC) << 32)
	}
	if v&0x01 != 0 {
		f /= 100
	}
	return f
}

// FormatNumber writes a number the way Excel shows it at full width: rounded
// to 15 significant digits (Excel's precision, so 0.1*22 stored as
// 2.2000000000000002 is 2.2), then in its shortest decimal form; large
// integers keep all digits (an ID number damaged into a float shows its
// trailing zeros), in plain digits unless tiny or huge. .xls and .xlsx
// cells go through it alike.
func FormatNumber(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	if r, err := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64); err == nil {
		f = r
	}
	if a := math.Abs(f); a < 1e21 && (a >= 1e-6 || f == 0) { // plain digits, as Excel's General shows 1140362.5
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// errorText is an error value's text as Excel shows it (and .xlsx stores it).
func errorText(code byte) string {
	switch code {
	case 0x00:
		return "#NULL!"
	case 0x07:
		return "#DIV/0!"
	case 0x0F:
		return "#VALUE!"
	case 0x17:
		return "#REF!"
	case 0x1D:
		return "#NAME?"
	case 0x24:
		return "#NUM!"
	case 0x2A:
		return "#N/A"
	}
	return "#N/A"
}

// continuedString reads a BIFF8 string (two-byte length) that may go on in
// CONTINUE records, each starting with its own flags byte, the way the shared
// string table does.
func (bb *biffBook) continuedString(d []byte, conts [][]byte) string {
	if len(conts) == 0 {
		s, _ := bb.unicodeString(d, 2)
		return s
	}
	head := make([]byte, 8, 8+len(d))
	binary.LittleEndian.PutUint32(head[4:], 1) // one string
	strs := bb.readSST(append(head, d...), conts)
	if len(strs) == 0 {
		return ""
	}
	return strs[0]
}

// readSheet reads a worksheet substream up to its EOF record; a chart or
// other object embedded in the sheet (its own BOF…EOF block) is skipped. A
// substream that ends without its EOF was cut short.
func (bb *biffBook) readSheet(recs []biffRecord) ([][]string, []Merge, error) {
	var grid [][]string
	var merges []Merge
	set := func(row, col int, v string) {
		if col >= maxBIFFCols || row >= maxBIFFRows {
			return // beyond what BIFF can hold: a damaged record
		}
		for len(grid) <= row {
			grid = append(grid, nil)
		}
		for len(grid[row]) <= col {
			grid[row] = append(grid[row], "")
		}
		grid[row][col] = v
	}
	rc := func(d []byte) (int, int) {
		return int(binary.LittleEndian.Uint16(d)), int(binary.LittleEndian.Uint16(d[2:]))
	}
	pendingRow, pendingCol := -1, -1
	nested := 0
	for i, r := range recs {
		d := r.data
		if nested > 0 {
			switch r.typ {
			case recBOF:
				nested++
			case recEOF:
				nested--
			}
			continue
		}
		switch r.typ {
		case recBOF:
			nested++
		case recEOF:
			return grid, merges, nil
		case recLabelSST:
			if len(d) >= 10 {
				row, col := rc(d)
				if k := int(binary.LittleEndian.Uint32(d[6:])); k < len(bb.sst) {
					set(row, col, bb.sst[k])
				}
			}
		case recLabel, recRString:
			if len(d) >= 8 {
				row, col := rc(d)
				if bb.biff8 {
					s, _ := bb.unicodeString(d[6:], 2)
					set(row, col, s)
				} else {
					n := int(binary.LittleEndian.Uint16(d[6:]))
					set(row, col, bb.decode(d[8:min(len(d), 8+n)]))
				}
			}
		case recRK:
			if len(d) >= 10 {
				row, col := rc(d)
				set(row, col, FormatNumber(rk(binary.LittleEndian.Uint32(d[6:]))))
			}
		case recMulRK:
			if len(d) >= 6 {
				row, col := rc(d)
				for p := 4; p+6 <= len(d)-2; p += 6 {
					set(row, col, FormatNumber(rk(binary.LittleEndian.Uint32(d[p+2:]))))
					col++
				}
			}
		case recNumber:
			if len(d) >= 14 {
				row, col := rc(d)
				set(row, col, FormatNumber(math.Float64frombits(binary.LittleEndian.Uint64(d[6:]))))
			}
		case recFormula, recFormula4:
			if len(d) >= 14 {
				row, col := rc(d)
				res := d[6:14]
				if res[6] == 0xFF && res[7] == 0xFF {
					switch res[0] {
					case 0: // string in the following STRING record
						pendingRow, pendingCol = row, col
					case 1:
						set(row, col, map[bool]string{true: "TRUE", false: "FALSE"}[res[2] != 0])
					case 2:
						set(row, col, errorText(res[2]))
					}
				} else {
					set(row, col, FormatNumber(math.Float64frombits(binary.LittleEndian.Uint64(res))))
				}
			}
		case recString:
			if pendingRow >= 0 && len(d) >= 2 {
				var conts [][]byte // a long result goes on in CONTINUE records
				for j := i + 1; j < len(recs) && recs[j].typ == recContinue; j++ {
					conts = append(conts, recs[j].data)
				}
				if bb.biff8 {
					s := bb.continuedString(d, conts)
					set(pendingRow, pendingCol, s)
				} else {
					for _, c := range conts {
						d = append(d[:len(d):len(d)], c...)
					}
					n := int(binary.LittleEndian.Uint16(d))
					set(pendingRow, pendingCol, bb.decode(d[2:min(len(d), 2+n)]))
				}
				pendingRow, pendingCol = -1, -1
			}
		case recBoolErr:
			if len(d) >= 8 {
				row, col := rc(d)
				if d[7] == 0 {
					set(row, col, map[bool]string{true: "TRUE", false: "FALSE"}[d[6] != 0])
				} else {
					set(row, col, errorText(d[6]))
				}
			}
		case recMergedCells:
			if len(d) >= 2 {
				n := int(binary.LittleEndian.Uint16(d))
				for k := 0; k < n && 2+8*k+8 <= len(d); k++ {
					e := d[2+8*k:]
					merges = append(merges, Merge{
						R1: int(binary.LittleEndian.Uint16(e)) + 1, R2: int(binary.LittleEndian.Uint16(e[2:])) + 1,
						C1: int(binary.LittleEndian.Uint16(e[4:])), C2: int(binary.LittleEndian.Uint16(e[6:])),
					})
				}
			}
		}
	}
	return grid, merges, failf("工作表没有结束标记，数据流在中途结束：%s", damagedReason)
}
