package sheet

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"pensionaudit/audit"
)

func TestLibreOfficeBIFF8(t *testing.T) {
	sum, recs, err := scanPath(t, "testdata/libreoffice_biff8.xls", Options{Kind: audit.KindDeaths})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Title != "石岭村2021年3月死亡人员名单" {
		t.Errorf("title %q", sum.Title)
	}
	if len(recs) != 2 {
		t.Fatalf("records %d", len(recs))
	}
	if recs[0].Name != "罗德秀" || recs[0].DeathDate.Format("2006-01-02") != "2021-03-05" || recs[0].Note != "𠮷" {
		t.Errorf("row 3: %+v", recs[0])
	}
	if recs[1].DeathDate.Format("2006-01-02") != "2021-03-31" || !recs[1].ID.OK() {
		t.Errorf("row 4: %+v", recs[1])
	}
}

// biffStream builds a BIFF5 (Excel 95) workbook stream by hand: globals with
// CODEPAGE 936 (GBK) and DATEMODE, one worksheet with LABEL, RK, MULRK,
// NUMBER and MERGEDCELLS records.
func biffStream(t *testing.T) []byte {
	t.Helper()
	gbk := func(s string) []byte {
		b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	rec := biffRec
	label := func(r, c int, s string) []byte {
		b := gbk(s)
		return rec(recLabel, append(u16(r, c, 0, len(b)), b...))
	}
	rkInt := func(v int) []byte { return binary.LittleEndian.AppendUint32(nil, uint32(v<<2|2)) }
	var sheet bytes.Buffer
	sheet.Write(rec(recBOF, u16(0x0500, 0x0010, 0, 0)))
	sheet.Write(label(0, 0, "石岭村2021年3月死亡人员名单"))
	sheet.Write(label(1, 0, "姓名"))
	sheet.Write(label(1, 1, "身份证号码"))
	sheet.Write(label(1, 2, "死亡日期"))
	sheet.Write(label(1, 3, "序号"))
	sheet.Write(label(2, 0, "罗德秀"))
	sheet.Write(label(2, 1, "430422195611158660"))
	sheet.Write(rec(recRK, append(u16(2, 2, 0), rkInt(44260)...))) // 2021-03-05
	sheet.Write(rec(recNumber, append(u16(2, 3, 0), binary.LittleEndian.AppendUint64(nil, 0x3FF0000000000000)...)))
	sheet.Write(label(3, 0, "顾德明"))
	sheet.Write(label(3, 1, "430422195608181114"))
	mulrk := append(u16(3, 2), append(append(u16(0), rkInt(44286)...), append(u16(0), rkInt(2)...)...)...)
	mulrk = append(mulrk, u16(3)...)
	sheet.Write(rec(recMulRK, mulrk))
	sheet.Write(rec(recMergedCells, u16(1, 0, 0, 0, 3)))
	sheet.Write(rec(recEOF, nil))

	var globals bytes.Buffer
	globals.Write(rec(recBOF, u16(0x0500, 0x0005, 0, 0)))
	globals.Write(rec(recCodepage, u16(936)))
	globals.Write(rec(recDateMode, u16(0)))
	name := gbk("名单")
	bsLen := 4 + 7 + len(name) + 4 // this record, plus EOF
	pos := globals.Len() + bsLen
	bs := binary.LittleEndian.AppendUint32(nil, uint32(pos))
	bs = append(bs, 0, 0, byte(len(name)))
	bs = append(bs, name...)
	globals.Write(rec(recBoundSheet, bs))
	globals.Write(rec(recEOF, nil))
	return append(globals.Bytes(), sheet.Bytes()...)
}

func TestBIFF5WithCodepage(t *testing.T) {
	wb, err := parseBIFF(biffStream(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := wb.Sheets(); len(got) != 1 || got[0] != "名单" {
		t.Fatalf("sheets %v", got)
	}
	if m := wb.Merges("名单"); len(m) != 1 || m[0] != (Merge{R1: 1, C1: 0, R2: 1, C2: 3}) {
		t.Errorf("merges %v", m)
	}
	var recs []*audit.Record
	sum, err := Scan(t.Context(), wb, Options{Kind: audit.KindDeaths, File: "x.xls"}, func(r *audit.Record) error { recs = append(recs, r); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if sum.Title != "石岭村2021年3月死亡人员名单" || len(recs) != 2 {
		t.Fatalf("title %q, %d records", sum.Title, len(recs))
	}
	if recs[0].Name != "罗德秀" || recs[0].DeathDate.Format("2006-01-02") != "2021-03-05" {
		t.Errorf("row 3 %+v", recs[0])
	}
	if recs[1].Name != "顾德明" || recs[1].DeathDate.Format("2006-01-02") != "2021-03-31" {
		t.Errorf("row 4 %+v", recs[1])
	}
}

func TestBIFFRejectsJunk(t *testing.T) {
	for _, data := range [][]byte{nil, {0xD0, 0xCF, 0x11, 0xE0}, bytes.Repeat([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, 64)} {
		if _, err := ParseXLS(data); err == nil {
			t.Errorf("junk accepted: %x", data[:min(8, len(data))])
		}
	}
}

func TestSSTAcrossContinue(t *testing.T) {
	bb := &biffBook{biff8: true}
	// Two strings; the second ("身份证号码", UTF-16) is split after 2 characters,
	// and the continuation restarts with its own flags byte.
	first := binary.LittleEndian.AppendUint32(nil, 2)
	first = binary.LittleEndian.AppendUint32(first, 2)
	first = append(first, 2, 0, 0, 'I', 'D') // "ID", compressed
	first = append(first, 5, 0, 1)           // 5 chars, UTF-16
	u := func(s string) []byte {
		var out []byte
		for _, r := range s {
			out = binary.LittleEndian.AppendUint16(out, uint16(r))
		}
		return out
	}
	first = append(first, u("身份")...)
	cont := append([]byte{1}, u("证号码")...)
	got := bb.readSST(first, [][]byte{cont})
	if len(got) != 2 || got[0] != "ID" || got[1] != "身份证号码" {
		t.Fatalf("sst = %q", got)
	}
}

// An empty CONTINUE record inside the shared strings is skipped, not a crash.
func TestSSTEmptyContinue(t *testing.T) {
	bb := &biffBook{biff8: true}
	first := binary.LittleEndian.AppendUint32(nil, 2)
	first = binary.LittleEndian.AppendUint32(first, 2)
	first = append(first, 4, 0, 0, 'N', 'a') // "Name" split after 2 characters
	got := bb.readSST(first, [][]byte{{}, {0, 'm', 'e'}, {}, {2, 0, 0, 'I', 'D'}})
	if len(got) != 2 || got[0] != "Name" || got[1] != "ID" {
		t.Fatalf("sst = %q", got)
	}
}

// biff8Sheet is a BIFF8 workbook stream with one sheet "S" holding recs.
func biff8Sheet(recs ...[]byte) []byte {
	rec := biffRec
	bof := func(kind uint16) []byte {
		return rec(recBOF, binary.LittleEndian.AppendUint16(binary.LittleEndian.AppendUint16(nil, 0x0600), kind))
	}
	var globals []byte
	globals = append(globals, bof(0x0005)...)
	bsLen := 4 + 4 + 2 + 3
	pos := len(globals) + bsLen + 4
	bs := binary.LittleEndian.AppendUint32(nil, uint32(pos))
	bs = append(bs, 0, 0, 1, 0, 'S')
	globals = append(globals, rec(recBoundSheet, bs)...)
	globals = append(globals, rec(recEOF, nil)...)
	sheet := bof(0x0010)
	for _, r := range recs {
		sheet = append(sheet, r...)
	}
	sheet = append(sheet, rec(recEOF, nil)...)
	return append(globals, sheet...)
}

func u16(vs ...int) []byte {
	var out []byte
	for _, v := range vs {
		out = binary.LittleEndian.AppendUint16(out, uint16(v))
	}
	return out
}

// firstRow parses a bare BIFF stream and returns the cells of the first row
// of its sheet "S".
func firstRow(t *testing.T, stream []byte) []string {
	t.Helper()
	wb, err := parseBIFF(stream)
	if err != nil {
		t.Fatal(err)
	}
	it, err := wb.Rows("S")
	if err != nil || !it.Next() {
		t.Fatal(err, it.Err())
	}
	_, cells := it.Row()
	return cells
}

func biffRec(typ uint16, data []byte) []byte {
	out := binary.LittleEndian.AppendUint16(nil, typ)
	out = binary.LittleEndian.AppendUint16(out, uint16(len(data)))
	return append(out, data...)
}

// cellHead is row, column and format index.
func cellHead(r, c int) []byte {
	return binary.LittleEndian.AppendUint16(binary.LittleEndian.AppendUint16(binary.LittleEndian.AppendUint16(nil, uint16(r)), uint16(c)), 0)
}

// formula is a FORMULA record (of type typ) with an 8-byte result.
func formula(typ uint16, r, c int, result []byte) []byte {
	d := append(cellHead(r, c), result...)
	d = append(d, 0, 0, 0, 0, 0, 0, 0, 0) // flags, chn, empty formula
	return biffRec(typ, d)
}

// Formula results as Excel stores them: a long string result going on in
// CONTINUE records (changing from 8-bit to UTF-16 midway), Excel 4's FORMULA
// record inside BIFF8, error values, booleans; numbers at Excel's precision.
func TestBIFF8FormulaResults(t *testing.T) {
	long := strings.Repeat("a", 8000) + strings.Repeat("b", 8000) + strings.Repeat("汉", 2000)
	str := binary.LittleEndian.AppendUint16(nil, uint16(len([]rune(long))))
	str = append(str, 0)
	str = append(str, strings.Repeat("a", 8000)...)
	cont1 := append([]byte{0}, strings.Repeat("b", 8000)...)
	cont2 := []byte{1}
	for range 2000 {
		cont2 = binary.LittleEndian.AppendUint16(cont2, '汉')
	}
	num := func(f float64) []byte { return binary.LittleEndian.AppendUint64(nil, math.Float64bits(f)) }
	special := func(kind, v byte) []byte { return []byte{kind, 0, v, 0, 0, 0, 0xFF, 0xFF} }
	third := 0.1
	stream := biff8Sheet(
		formula(recFormula, 0, 0, special(0, 0)), biffRec(recString, str), biffRec(recContinue, cont1), biffRec(recContinue, cont2),
		formula(recFormula4, 0, 1, num(2.5)),
		formula(recFormula, 0, 2, special(2, 0x17)),
		biffRec(recBoolErr, append(cellHead(0, 3), 0x07, 1)),
		biffRec(recBoolErr, append(cellHead(0, 4), 1, 0)),
		formula(recFormula, 0, 5, special(1, 0)),
		biffRec(recNumber, append(cellHead(0, 6), num(third*22)...)),
	)
	if _, err := ParseXLS(append([]byte(nil), stream...)); err == nil {
		t.Fatal("a bare stream was taken for an OLE file")
	}
	cells := firstRow(t, stream)
	if len(cells) != 7 {
		t.Fatalf("cells %d: %q", len(cells), cells)
	}
	if cells[0] != long {
		t.Errorf("string result: %d characters, want %d", len([]rune(cells[0])), len([]rune(long)))
	}
	for i, want := range []string{"", "2.5", "#REF!", "#DIV/0!", "TRUE", "FALSE", "2.2"} {
		if i > 0 && cells[i] != want {
			t.Errorf("cell %d = %q, want %q", i, cells[i], want)
		}
	}
}

// BIFF5 text in any code page x/text knows is decoded in it.
func TestBIFF5CodePages(t *testing.T) {
	for cp, c := range map[uint16]struct {
		raw  byte
		want string
	}{10000: {0x8A, "ä"}, 1253: {0xE1, "α"}, 1251: {0xE0, "а"}, 874: {0xA1, "ก"}, 1252: {0xE9, "é"}, 32768: {0x8A, "ä"}} {
		bb := &biffBook{enc: codepage(cp)}
		if got := bb.decode([]byte{c.raw}); got != c.want {
			t.Errorf("code page %d: %#x → %q, want %q", cp, c.raw, got, c.want)
		}
	}
	bb := &biffBook{enc: codepage(932)}
	if got := bb.decode([]byte{0x93, 0xfa, 0x96, 0x7b}); got != "日本" {
		t.Errorf("Shift-JIS: %q", got)
	}
	bb = &biffBook{enc: codepage(949)}
	if got := bb.decode([]byte{0xc7, 0xd1}); got != "한" {
		t.Errorf("EUC-KR: %q", got)
	}
}

// A BOUNDSHEET offset that misses its sheet's BOF (a writer's bug) is
// forgiven when the substreams are there in sheet order; the sheet is read
// whole, to its EOF.
func TestBIFFWrongSheetOffset(t *testing.T) {
	num := binary.LittleEndian.AppendUint64(nil, math.Float64bits(7))
	stream := biff8Sheet(biffRec(recNumber, append(cellHead(0, 0), num...)))
	pos := binary.LittleEndian.Uint32(stream[12:])
	binary.LittleEndian.PutUint32(stream[12:], pos+20)
	if cells := firstRow(t, stream); len(cells) != 1 || cells[0] != "7" {
		t.Errorf("cells %q", cells)
	}
	// cut inside the sheet: still refused
	if _, err := parseBIFF(stream[:len(stream)-4]); err == nil {
		t.Error("a sheet without its EOF was accepted")
	}
}

// Text in 8-bit form is decoded in the code page the writer declared: a
// BIFF5 file without a CODEPAGE record by its fonts' character set (GB2312
// here), a BIFF8 file whose CODEPAGE is not Excel's 1200 in that code page.
func TestBIFFWriterCodePages(t *testing.T) {
	gbk, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte("张三"))
	font := func(charset byte) []byte {
		d := append(u16(200, 0, 0x7fff, 400, 0), 0, 2, charset, 0, 5)
		return biffRec(recFont, append(d, "Arial"...))
	}
	// BIFF5, no CODEPAGE, a GB2312 font
	sheet := biffRec(recBOF, u16(0x0500, 0x0010, 0, 0))
	sheet = append(sheet, biffRec(recLabel, append(u16(0, 0, 0, len(gbk)), gbk...))...)
	sheet = append(sheet, biffRec(recEOF, nil)...)
	globals := biffRec(recBOF, u16(0x0500, 0x0005, 0, 0))
	globals = append(globals, font(0x86)...)
	bsLen := 4 + 4 + 2 + 1 + 1
	bs := binary.LittleEndian.AppendUint32(nil, uint32(len(globals)+bsLen+4))
	globals = append(globals, biffRec(recBoundSheet, append(bs, 0, 0, 1, 'S'))...)
	globals = append(globals, biffRec(recEOF, nil)...)
	cellText := func(stream []byte) string { return firstRow(t, stream)[0] }
	if got := cellText(append(globals, sheet...)); got != "张三" {
		t.Errorf("BIFF5 with a GB2312 font: %q", got)
	}
	// BIFF8 with CODEPAGE 936 and a compressed (8-bit) LABEL in GBK
	label := biffRec(recLabel, append(append(cellHead(0, 0), u16(len(gbk))...), append([]byte{0}, gbk...)...))
	b8 := biff8Sheet(label)
	withCP := func(cp int) []byte { // CODEPAGE right after the globals' BOF
		bofLen := 4 + 4
		out := append([]byte(nil), b8[:bofLen]...)
		out = append(out, biffRec(recCodepage, u16(cp))...)
		rest := append([]byte(nil), b8[bofLen:]...)
		pos := binary.LittleEndian.Uint32(rest[4:])
		binary.LittleEndian.PutUint32(rest[4:], pos+6) // the sheet moved by the CODEPAGE record
		return append(out, rest...)
	}
	if got := cellText(withCP(936)); got != "张三" {
		t.Errorf("BIFF8 with CODEPAGE 936: %q", got)
	}
	if got := cellText(withCP(1200)); got != latin1(gbk) {
		t.Errorf("BIFF8 with Excel's CODEPAGE 1200: %q", got)
	}
}
