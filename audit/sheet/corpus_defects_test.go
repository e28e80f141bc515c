package sheet

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"pensionaudit/audit"
)

// rewriteZip copies an .xlsx, letting edit change each part (and add more).
func rewriteZip(t *testing.T, src, dst string, edit func(name string, data []byte) []byte, extra map[string][]byte) {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		w, _ := zw.Create(f.Name)
		w.Write(edit(f.Name, data))
	}
	for name, data := range extra {
		w, _ := zw.Create(name)
		w.Write(data)
	}
	zw.Close()
	if err := os.WriteFile(dst, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func deathBook(t *testing.T, date1904 bool) string {
	t.Helper()
	f := excelize.NewFile()
	if date1904 {
		if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &date1904}); err != nil {
			t.Fatal(err)
		}
	}
	f.SetSheetRow("Sheet1", "A1", &[]any{"姓名", "身份证号码", "死亡日期"})
	f.SetSheetRow("Sheet1", "A2", &[]any{"罗德秀", "430422195611158660", time.Date(2022, 3, 5, 0, 0, 0, 0, time.UTC)})
	st, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	f.SetCellStyle("Sheet1", "C2", "C2", st)
	p := t.TempDir() + "/book.xlsx"
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// The 1904 date system stays when an x15 workbookPr sits in the
// workbook's extLst (every date would be 1,462 days off).
func TestDate1904WithExtLst(t *testing.T) {
	src := deathBook(t, true)
	dst := t.TempDir() + "/石岭村_2022-03.xlsx"
	rewriteZip(t, src, dst, func(name string, data []byte) []byte {
		if name != "xl/workbook.xml" {
			return data
		}
		ext := `<extLst><ext uri="{140A7094-0E35-4892-8432-C4D2E57EDEB5}" xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main"><x15:workbookPr chartTrackingRefBase="1"/></ext></extLst></workbook>`
		return []byte(strings.Replace(string(data), "</workbook>", ext, 1))
	}, nil)
	_, recs, err := scanPath(t, dst, Options{Kind: audit.KindDeaths, Village: "石岭村"})
	if err != nil || len(recs) != 1 {
		t.Fatalf("%v %d", err, len(recs))
	}
	if got := recs[0].DeathDate.Format("2006-01-02"); got != "2022-03-05" {
		t.Errorf("death date %s, want 2022-03-05", got)
	}
}

// A part stored twice under one name is refused (which copy a viewer shows
// is not defined: an alteration hides that way), as Apache POI refuses it.
func TestDuplicateZipEntryRefused(t *testing.T) {
	src := deathBook(t, false)
	dst := t.TempDir() + "/石岭村_2022-03.xlsx"
	var sheet []byte
	rewriteZip(t, src, dst, func(name string, data []byte) []byte {
		if name == "xl/worksheets/sheet1.xml" {
			sheet = data
		}
		return data
	}, nil)
	data, _ := os.ReadFile(dst)
	_ = data
	dup := t.TempDir() + "/dup_2022-03.xlsx"
	rewriteZip(t, dst, dup, func(_ string, d []byte) []byte { return d },
		map[string][]byte{"xl/worksheets/sheet1.xml": bytes.Replace(sheet, []byte("罗德秀"), []byte("别人"), 1)})
	_, _, err := scanPath(t, dup, Options{Kind: audit.KindDeaths, Village: "石岭村"})
	if err == nil || !strings.Contains(err.Error(), "两个同名的部件") {
		t.Fatalf("a duplicated part: %v", err)
	}
}

// A line break inside a quoted CSV cell is kept as \n, never as a stray CR
// (CR LF from Windows, a lone CR from old Macs).
func TestCSVLineBreakInCell(t *testing.T) {
	for _, br := range []string{"\r\n", "\r"} {
		text := "姓名,身份证号码,死亡日期,备注\r\n罗德秀,430422195611158660,2022-01-05,\"家属代报，" + br + "已核实\"\r\n"
		p := writeFile(t, "石岭村_2022-01.csv", []byte(text))
		_, recs, err := scanPath(t, p, Options{Kind: audit.KindDeaths, Village: "石岭村"})
		if err != nil || len(recs) != 1 {
			t.Fatalf("%q: %v", br, err)
		}
		if strings.Contains(recs[0].Note, "\r") || !strings.Contains(recs[0].Note, "\n已核实") {
			t.Errorf("%q: note %q", br, recs[0].Note)
		}
	}
}

// A CSV in a Western code page (cp1252) is not silently read as GBK: the
// import says its text may be garbled. A real GBK file says nothing.
func TestCP1252CSVNoticed(t *testing.T) {
	latin := []byte("Name,ID,Date\nJos\xe9 Mart\xednez,430422195611158660,2022-01-05\nRen\xe9e M\xfcller,430422195611158660,2022-01-06\n")
	p := writeFile(t, "a.csv", latin)
	wb, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	n, ok := wb.(interface{ Notes() []string })
	if !ok || len(n.Notes()) == 0 || !strings.Contains(n.Notes()[0], "乱码") {
		t.Errorf("cp1252 read as GBK without a word")
	}
	gbk := []byte("\xd0\xd5\xc3\xfb,\xc9\xed\xb7\xdd\xd6\xa4\xba\xc5\xc2\xeb,\xcb\xc0\xcd\xf6\xc8\xd5\xc6\xda\n\xc2\xde\xb5\xc2\xd0\xe3,430422195611158660,2022-01-05\n")
	p = writeFile(t, "b.csv", gbk)
	wb2, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer wb2.Close()
	if n, ok := wb2.(interface{ Notes() []string }); ok && len(n.Notes()) > 0 {
		t.Errorf("a GBK file noticed: %v", n.Notes())
	}
}

// The preview shows a date cell as the date it is, not its serial number.
func TestPreviewShowsDates(t *testing.T) {
	p := deathBook(t, false)
	pv, err := PreviewFile(p, Options{Kind: audit.KindDeaths, Village: "石岭村", File: "book.xlsx"}, 5)
	if err != nil || len(pv.Rows) != 1 {
		t.Fatalf("%v %+v", err, pv)
	}
	if got := pv.Rows[0][pv.Cols[FieldDeathDate]]; got != "2022-03-05" {
		t.Errorf("death date shown as %q", got)
	}
}

// 小计 rows inside a sheet are checked against the rows since the previous
// one, like the 合计 row against the whole.
func TestSubtotalRowsChecked(t *testing.T) {
	text := "村(社区),姓名,公民身份号码,发放年月,发放金额\n" +
		"东风村,甲一,430422196112112507,202207,100.00\n东风村,乙二,430422195611158660,202207,50.00\n小计,2人,,,150.00\n" +
		"柳塘村,丙三,430422193610106675,202207,80.00\n小计,2人,,,90.00\n" +
		"合计,3人,,,230.00\n"
	p := writeFile(t, "roster_2022-07.csv", []byte(text))
	sum, recs, err := scanPath(t, p, Options{Kind: audit.KindPayouts})
	if err != nil || len(recs) != 3 {
		t.Fatalf("%v, %d records", err, len(recs))
	}
	var got []string
	for _, pr := range sum.Problems {
		got = append(got, fmt.Sprintf("%d:%s", pr.Row, pr.Reason))
	}
	all := strings.Join(got, "\n")
	if strings.Contains(all, "4:") || !strings.Contains(all, "6:小计行的金额 90.00 元与导入的 1 行金额之和 80.00 元不符") ||
		!strings.Contains(all, "6:小计行写明 2 人") || strings.Contains(all, "7:") {
		t.Errorf("problems:\n%s", all)
	}
}

// A row some writers emit twice — an empty <row r="1"/> beside the real
// one, or the same row again — is read once; a repeat that says something
// different is refused, naming the row.
func TestRepeatedRow(t *testing.T) {
	src := deathBook(t, false)
	var sheet string
	rewriteZip(t, src, t.TempDir()+"/x.xlsx", func(name string, data []byte) []byte {
		if name == "xl/worksheets/sheet1.xml" {
			sheet = string(data)
		}
		return data
	}, nil)
	i, j := strings.Index(sheet, `<row r="1"`), strings.Index(sheet, `<row r="2"`)
	if i < 0 || j < 0 {
		t.Fatalf("sheet XML: %s", sheet)
	}
	row1 := sheet[i:j]
	k := strings.Index(sheet[j:], "</row>") + j + len("</row>")
	row2 := sheet[j:k]
	for _, c := range []struct {
		name, old, new string
		ok             bool
	}{
		{"empty row 1 first", row1, `<row r="1"/>` + row1, true}, // an empty row 1, then row 1 with its values
		{"empty repeat after", row1, row1 + `<row r="1"></row>`, true},
		{"same row twice", row2, row2 + row2, true},
		{"row 1 empty after row 2", row2, row2 + `<row r="1"/>`, true},
		{"different repeat", row2, row2 + `<row r="2"><c r="A2" t="inlineStr"><is><t>别人</t></is></c></row>`, false},
		{"out of order", row2, row2 + `<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row>`, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			dst := t.TempDir() + "/石岭村_2022-03.xlsx"
			rewriteZip(t, src, dst, func(name string, data []byte) []byte {
				if name == "xl/worksheets/sheet1.xml" {
					return []byte(strings.Replace(string(data), c.old, c.new, 1))
				}
				return data
			}, nil)
			_, recs, err := scanPath(t, dst, Options{Kind: audit.KindDeaths, Village: "石岭村"})
			if c.ok && (err != nil || len(recs) != 1 || recs[0].Name != "罗德秀") {
				t.Errorf("%v %v", err, recs)
			}
			if !c.ok && (err == nil || !strings.Contains(err.Error(), "出现了两次")) {
				t.Errorf("a repeat that differs was read: %v", err)
			}
		})
	}
}

// A genuine sheet of repeated values compresses far more than ordinary
// text (121:1 was seen in a real workbook) and is read; a part near
// deflate's ceiling (a bomb) is refused while it streams.
func TestCompressionRatio(t *testing.T) {
	defer func(f uint64) { ratioFloor = f }(ratioFloor)
	ratioFloor = 1 << 20
	src := deathBook(t, false)
	for _, c := range []struct {
		name  string
		k     uint32 // distinct values in the trailing rows: fewer compress more
		bomb  bool
		ratio [2]uint64
	}{
		{"two values", 2, false, [2]uint64{50, 150}},
		{"one value", 1, false, [2]uint64{150, 500}}, // past the old 100:1 limit
		{"bomb", 0, true, [2]uint64{500, 2000}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var rows strings.Builder
			x := uint32(1)
			for i := 0; i < 100000; i++ {
				if c.bomb {
					rows.WriteString(`<row/><row/><row/>`)
					continue
				}
				x = x*1664525 + 1013904223
				fmt.Fprintf(&rows, `<row><c t="inlineStr"><is><t>%d</t></is></c><c s="1"/><c s="1"/><c s="1"/><c s="1"/><c s="1"/><c s="1"/></row>`, (x>>16)%c.k)
			}
			dst := t.TempDir() + "/石岭村_2022-03.xlsx"
			rewriteZip(t, src, dst, func(name string, data []byte) []byte {
				if name == "xl/worksheets/sheet1.xml" {
					return []byte(strings.Replace(string(data), "</sheetData>", rows.String()+"</sheetData>", 1))
				}
				return data
			}, nil)
			zr, err := zip.OpenReader(dst)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range zr.File {
				if f.Name == "xl/worksheets/sheet1.xml" {
					if r := f.UncompressedSize64 / f.CompressedSize64; r < c.ratio[0] || r > c.ratio[1] {
						t.Fatalf("the test's part compresses %d:1, outside %v", r, c.ratio)
					}
				}
			}
			zr.Close()
			got := dumpWorkbook(dst)
			refused := strings.Contains(got, "压缩比超过")
			if refused != c.bomb {
				t.Errorf("refused %v, want %v: %.200s", refused, c.bomb, got)
			}
		})
	}
}
