// Package damaged writes the corpus of damaged input files that the import
// must refuse as a whole or flag row by row: truncated and corrupted .xlsx,
// sheets with control characters, broken tags and repeated row numbers, CSV
// files with a stray quote or two encodings, a short .xls stream, a cut HTML
// table, implausible values. The files are committed under
// audit/workspace/testdata/damaged (regenerate with `go run
// ./audit/internal/damaged/gen`); the tests read them from there. Bomb-like
// files are not committed: Bomb* functions stream them into a test's folder.
package damaged

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"pensionaudit/audit"
	"pensionaudit/audit/demo"
	"pensionaudit/audit/idcard"
)

// Case is one damaged file and what the import must do with it.
type Case struct {
	File    string     // name under the corpus folder
	Kind    audit.Kind // what it is imported as
	Village string     // for death reports
	Period  string     // YYYY-MM, "" to infer
	Refused bool       // the import must fail as a whole
	Want    string     // a phrase the error (refused) or a stored problem (flagged) must contain
	Why     string     // what is wrong with the file
}

// Rows is the size of the base roster: the example file.
const Rows = 1190

// Cases lists the corpus. Generate writes the files.
var Cases = []Case{
	{File: "xlsx_truncated_zip.xlsx", Kind: audit.KindPayouts, Refused: true, Want: "文件不完整或已损坏", Why: "the .xlsx cut at 60 %: no central directory"},
	{File: "xlsx_truncated_sheet.xlsx", Kind: audit.KindPayouts, Refused: true, Want: "中途结束", Why: "a valid zip whose sheet XML stops half way"},
	{File: "xlsx_corrupt_deflate.xlsx", Kind: audit.KindPayouts, Refused: true, Want: "已损坏", Why: "bytes in the middle of the compressed sheet overwritten"},
	{File: "xlsx_control_char.xlsx", Kind: audit.KindPayouts, Refused: true, Want: "XML 结构有错", Why: "one \\x01 inside a name in row 600"},
	{File: "xlsx_broken_tag.xlsx", Kind: audit.KindPayouts, Refused: true, Want: "XML 结构有错", Why: "one </c> written as </x> in row 600"},
	{File: "xlsx_duplicate_row.xlsx", Kind: audit.KindPayouts, Refused: true, Want: "出现了两次", Why: "two <row r=\"599\"> elements"},
	{File: "xlsx_rows_missing.xlsx", Kind: audit.KindPayouts, Refused: true, Want: "声明的范围", Why: "well-formed, but the rows after 598 removed while <dimension> still says 1192"},
	{File: "xlsx_long_cell.xlsx", Kind: audit.KindPayouts, Want: "单元格内容过长", Why: "a 5,000-character 备注 in row 12"},
	{File: "xlsx_wide_row.xlsx", Kind: audit.KindPayouts, Refused: true, Want: "非空单元格", Why: "row 40 with 1,200 non-empty cells"},
	{File: "xlsx_month_outside.xlsx", Kind: audit.KindPayouts, Want: "不是文件所属月份", Why: "rows paid for 190001 and 203001 inside a 2022-07 roster"},
	{File: "xlsx_invisible_names.xlsx", Kind: audit.KindPayouts, Want: "看不见的控制字符", Why: "names with a right-to-left override and a zero-width space"},
	{File: "xlsx_total_mismatch.xlsx", Kind: audit.KindPayouts, Want: "合计行的金额", Why: "the 合计 row's amount is 100 yuan more than the rows"},
	{File: "xlsx_amounts.xlsx", Kind: audit.KindPayouts, Want: "不足 1 元", Why: "a negative, a zero and a 0.50 amount"},
	{File: "csv_stray_quote.csv", Kind: audit.KindPayouts, Refused: true, Want: "第 12 行", Why: "one stray \" opening the 备注 of row 12"},
	{File: "csv_unclosed_quote.csv", Kind: audit.KindPayouts, Refused: true, Want: "引号没有闭合", Why: "a quote in the last row's name that never closes"},
	{File: "csv_gbk_with_utf8_row.csv", Kind: audit.KindPayouts, Want: "UTF-8 编码", Why: "a GBK roster with one row written in UTF-8"},
	{File: "csv_utf8_with_gbk_row.csv", Kind: audit.KindPayouts, Want: "不是 UTF-8", Why: "a UTF-8 roster with one row written in GBK"},
	{File: "csv_short_line_bytes.csv", Kind: audit.KindPayouts, Refused: true, Want: "超过 1 MB", Why: "a 1 MB unquoted ID cell"},
	{File: "deaths_implausible.csv", Kind: audit.KindDeaths, Village: "东风村", Period: "2022-03", Want: "在将来", Why: "death dates in 2030, before birth, after the report's month, and a NaN serial"},
	{File: "xls_short_stream.xls", Kind: audit.KindPayouts, Refused: true, Want: "没有结束标记", Why: "the Workbook stream's size in the directory cut to a third"},
	{File: "xls_truncated.xls", Kind: audit.KindPayouts, Refused: true, Want: "无法读取", Why: "the .xls file cut at 50 %"},
	{File: "html_truncated.xls", Kind: audit.KindPayouts, Refused: true, Want: "</table>", Why: "a web-system export cut inside the table"},
}

// Generate writes every case into dir. xlsBase is a valid .xls roster (made
// by LibreOffice from the base roster; see gen).
func Generate(dir string, xlsBase []byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	base, err := BaseXLSX()
	if err != nil {
		return err
	}
	sheet, err := partOf(base, "xl/worksheets/sheet1.xml")
	if err != nil {
		return err
	}
	write := func(name string, data []byte) error { return os.WriteFile(filepath.Join(dir, name), data, 0o644) }
	withSheet := func(name string, s []byte) error {
		b, err := replacePart(base, "xl/worksheets/sheet1.xml", s)
		if err != nil {
			return err
		}
		return write(name, b)
	}
	row := func(n int) (int, int) { // byte span of <row r="n" ...>...</row>
		start := bytes.Index(sheet, []byte(`<row r="`+strconv.Itoa(n)+`"`))
		end := start + bytes.Index(sheet[start:], []byte("</row>")) + len("</row>")
		return start, end
	}
	steps := []func() error{
		func() error { return write("xlsx_truncated_zip.xlsx", base[:len(base)*6/10]) },
		func() error { return withSheet("xlsx_truncated_sheet.xlsx", sheet[:len(sheet)/2]) },
		func() error {
			b := append([]byte(nil), base...)
			off, n, err := dataSpan(b, "xl/worksheets/sheet1.xml")
			if err != nil {
				return err
			}
			for i := off + n/2; i < off+n/2+64; i++ {
				b[i] ^= 0x5A
			}
			return write("xlsx_corrupt_deflate.xlsx", b)
		},
		func() error {
			s, e := row(600)
			r := sheet[s:e]
			i := bytes.Index(r, []byte("<t>")) // inline string: the village
			if i < 0 {
				i = bytes.Index(r, []byte("<v>"))
			}
			out := concat(sheet[:s+i+3], []byte{0x01}, sheet[s+i+3:])
			return withSheet("xlsx_control_char.xlsx", out)
		},
		func() error {
			s, e := row(600)
			r := bytes.Replace(sheet[s:e], []byte("</c>"), []byte("</x>"), 1)
			return withSheet("xlsx_broken_tag.xlsx", concat(sheet[:s], r, sheet[e:]))
		},
		func() error {
			s, e := row(600)
			r := bytes.Replace(sheet[s:e], []byte(`r="600"`), []byte(`r="599"`), 1)
			r = bytes.ReplaceAll(r, []byte(`600"`), []byte(`599"`))
			return withSheet("xlsx_duplicate_row.xlsx", concat(sheet[:s], r, sheet[e:]))
		},
		func() error {
			// as Excel writes it: the dimension names the used range
			full := bytes.Replace(sheet, []byte(`<dimension ref="A1">`), []byte(`<dimension ref="A1:J1193">`), 1)
			s := bytes.Index(full, []byte(`<row r="599"`))
			end := bytes.Index(full, []byte("</sheetData>"))
			return withSheet("xlsx_rows_missing.xlsx", concat(full[:s], full[end:]))
		},
		func() error {
			return variant(dir, "xlsx_long_cell.xlsx", func(i int, r []any) []any {
				if i == 9 { // row 12
					r[9] = strings.Repeat("备注很长", 1250)
				}
				return r
			}, nil)
		},
		func() error {
			return variant(dir, "xlsx_wide_row.xlsx", func(i int, r []any) []any {
				if i == 37 {
					for k := 0; k < 1200; k++ {
						r = append(r, "x"+strconv.Itoa(k))
					}
				}
				return r
			}, nil)
		},
		func() error {
			return variant(dir, "xlsx_month_outside.xlsx", func(i int, r []any) []any {
				switch i {
				case 100:
					r[6] = "190001"
				case 200:
					r[6] = "203001"
				}
				return r
			}, nil)
		},
		func() error {
			return variant(dir, "xlsx_invisible_names.xlsx", func(i int, r []any) []any {
				switch i {
				case 10:
					r[2] = "\u202e" + r[2].(string)
				case 11:
					r[2] = r[2].(string)[:3] + "\u200b" + r[2].(string)[3:]
				}
				return r
			}, nil)
		},
		func() error {
			var total audit.Fen
			return variant(dir, "xlsx_total_mismatch.xlsx", func(i int, r []any) []any {
				f, _ := strconv.ParseInt(strings.ReplaceAll(r[7].(string), ".", ""), 10, 64)
				total += audit.Fen(f)
				return r
			}, func() []any { return []any{"合计", "", "", "", "", "", "", (total + 10000).String()} })
		},
		func() error {
			return variant(dir, "xlsx_amounts.xlsx", func(i int, r []any) []any {
				switch i {
				case 5:
					r[7] = "-120.00"
				case 6:
					r[7] = "0"
				case 7:
					r[7] = "0.50"
				}
				return r
			}, nil)
		},
		func() error {
			lines := csvRoster()
			lines[11] = strings.TrimSuffix(lines[11], ",") + `,"多了一个引号`
			return write("csv_stray_quote.csv", []byte(strings.Join(lines, "\r\n")+"\r\n"))
		},
		func() error {
			lines := csvRoster()
			last := len(lines) - 1
			lines[last] = strings.Replace(lines[last], ",", `,"`, 2)
			lines[last] = strings.Replace(lines[last], `,"`, `,`, 1)
			return write("csv_unclosed_quote.csv", []byte(strings.Join(lines[len(lines)-4:], "\r\n")))
		},
		func() error {
			lines := csvRoster()
			var out []byte
			for i, l := range lines {
				if i == 20 {
					out = append(out, l...) // UTF-8, as pasted from another file
				} else {
					g, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(l))
					if err != nil {
						return err
					}
					out = append(out, g...)
				}
				out = append(out, "\r\n"...)
			}
			return write("csv_gbk_with_utf8_row.csv", out)
		},
		func() error {
			lines := csvRoster()
			var out []byte
			for i, l := range lines {
				if i == 20 {
					g, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(l))
					if err != nil {
						return err
					}
					out = append(out, g...)
				} else {
					out = append(out, l...)
				}
				out = append(out, "\r\n"...)
			}
			return write("csv_utf8_with_gbk_row.csv", out)
		},
		func() error {
			lines := csvRoster()[:30]
			f := strings.Split(lines[10], ",")
			f[4] = strings.Repeat("4", 1<<20+4096)
			lines[10] = strings.Join(f, ",")
			return write("csv_short_line_bytes.csv", []byte(strings.Join(lines, "\n")))
		},
		func() error {
			id := func(body string) string { return body + string(idcard.CheckDigit(body)) }
			text := "东风村2022年3月死亡人员名单\n序号,姓名,身份证号码,死亡日期,备注\n" +
				"1,王建国," + id("43042219520315001") + ",2030-03-02,年份录错\n" +
				"2,李秀英," + id("43042219600520002") + ",1959-01-01,早于出生\n" +
				"3,赵德明," + id("43042219441111003") + ",2022-05-06,晚于名单月份\n" +
				"4,孙桂兰," + id("43042219380707004") + ",NaN,序列号无效\n"
			return write("deaths_implausible.csv", []byte(text))
		},
		func() error {
			if xlsBase == nil {
				return fmt.Errorf("no base .xls")
			}
			b, err := shortenStream(xlsBase, "Workbook", 3)
			if err != nil {
				return err
			}
			return write("xls_short_stream.xls", b)
		},
		func() error { return write("xls_truncated.xls", xlsBase[:len(xlsBase)/2]) },
		func() error {
			var b strings.Builder
			b.WriteString(`<html><head><meta charset="utf-8"></head><body><table><tr><th>序号</th><th>村(社区)</th><th>姓名</th><th>公民身份号码</th><th>发放年月</th><th>发放金额</th></tr>`)
			for i, l := range csvRoster()[2:200] {
				f := strings.Split(l, ",")
				fmt.Fprintf(&b, "<tr><td>%d</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>", i+1, f[1], f[2], f[4], f[6], f[7])
			}
			s := b.String()
			return write("html_truncated.xls", []byte(s[:len(s)*2/3]))
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// baseRows is the roster every variant starts from: deterministic.
func baseRows() [][]any {
	r := rand.New(rand.NewPCG(7, 7))
	people := demo.People(r, Rows, "430422", []string{"东风村", "柳塘村", "石岭村", "荷叶村", "樟树村", "新民社区"})
	out := make([][]any, len(people))
	for i, p := range people {
		out[i] = []any{strconv.Itoa(i + 1), p.Village, p.Name, p.Sex, p.ID, p.Account, "202207", p.Amount.String(), "正常发放", ""}
	}
	return out
}

var header = []any{"序号", "村(社区)", "姓名", "性别", "公民身份号码", "银行卡号", "发放年月", "发放金额(元)", "发放类型", "备注"}

// BaseXLSX is the undamaged roster as an .xlsx (title, header, 1,190 rows,
// a 合计 line), written with inline strings by excelize's stream writer.
func BaseXLSX() ([]byte, error) {
	dir, err := os.MkdirTemp("", "pensionaudit-damaged-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if err := variant(dir, "base.xlsx", nil, nil); err != nil {
		return nil, err
	}
	return os.ReadFile(filepath.Join(dir, "base.xlsx"))
}

func variant(dir, name string, edit func(i int, r []any) []any, footer func() []any) error {
	rows := baseRows()
	if edit != nil {
		for i := range rows {
			rows[i] = edit(i, rows[i])
		}
	}
	var foot []any
	if footer != nil {
		foot = footer()
	} else {
		foot = []any{"合计"}
	}
	return demo.WriteTable(filepath.Join(dir, name), "东风镇2022年7月城乡居民基本养老保险待遇发放花名册", header, rows, foot)
}

// csvRoster is the base roster as UTF-8 CSV lines (title and header first).
func csvRoster() []string {
	lines := []string{"东风镇2022年7月城乡居民基本养老保险待遇发放花名册", joinAny(header)}
	for _, r := range baseRows() {
		lines = append(lines, joinAny(r))
	}
	return lines
}

func joinAny(r []any) string {
	s := make([]string, len(r))
	for i, v := range r {
		s[i] = fmt.Sprint(v)
	}
	return strings.Join(s, ",")
}

func concat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func partOf(zipBytes []byte, name string) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(zipBytes), int64(len(zipBytes)))
	if err != nil {
		return nil, err
	}
	for _, f := range zr.File {
		if f.Name == name {
			rc, err := f.Open()
			if err != nil {
				return nil, err
			}
			defer rc.Close()
			return io.ReadAll(rc)
		}
	}
	return nil, fmt.Errorf("%s not in the package", name)
}

// replacePart rewrites a package with one part's content replaced (a valid
// zip: only the XML inside is damaged).
func replacePart(zipBytes []byte, name string, content []byte) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(zipBytes), int64(len(zipBytes)))
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: time.Date(2022, 8, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			return nil, err
		}
		if f.Name == name {
			_, err = w.Write(content)
		} else {
			var rc io.ReadCloser
			if rc, err = f.Open(); err == nil {
				_, err = io.Copy(w, rc)
				rc.Close()
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// dataSpan finds where a part's compressed bytes lie in the zip.
func dataSpan(zipBytes []byte, name string) (int, int, error) {
	zr, err := zip.NewReader(bytes.NewReader(zipBytes), int64(len(zipBytes)))
	if err != nil {
		return 0, 0, err
	}
	for _, f := range zr.File {
		if f.Name == name {
			off, err := f.DataOffset()
			return int(off), int(f.CompressedSize64), err
		}
	}
	return 0, 0, fmt.Errorf("%s not in the package", name)
}

// shortenStream divides the size of a stream in an OLE2 directory by div:
// the container stays valid, the stream ends before its records do.
func shortenStream(ole []byte, stream string, div uint32) ([]byte, error) {
	out := append([]byte(nil), ole...)
	var name []byte
	for _, c := range stream {
		name = append(name, byte(c), 0)
	}
	i := bytes.Index(out, name)
	if i < 0 || i+128 > len(out) {
		return nil, fmt.Errorf("stream %s not found", stream)
	}
	size := binary.LittleEndian.Uint32(out[i+120:])
	if size/div < 4096 {
		return nil, fmt.Errorf("stream %s too small (%d) to shorten outside the mini stream", stream, size)
	}
	binary.LittleEndian.PutUint32(out[i+120:], size/div)
	return out, nil
}

// MiniXLSX writes a one-sheet .xlsx whose sheet XML is streamed by body
// between <sheetData> and </sheetData>: bomb-like files (gigabytes of
// whitespace, one enormous cell) stay small on disk and in memory.
func MiniXLSX(path string, body func(w io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	parts := []struct{ name, text string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
	}
	for _, p := range parts {
		w, err := zw.Create(p.name)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(w, p.text); err != nil {
			return err
		}
	}
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`+
		`<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c><c r="B1" t="inlineStr"><is><t>公民身份号码</t></is></c><c r="C1" t="inlineStr"><is><t>发放金额</t></is></c><c r="D1" t="inlineStr"><is><t>备注</t></is></c></row>`); err != nil {
		return err
	}
	if err := body(w); err != nil {
		return err
	}
	if _, err := io.WriteString(w, `</sheetData></worksheet>`); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}

// Repeat writes s n times.
func Repeat(w io.Writer, s string, n int) error {
	chunk := []byte(strings.Repeat(s, max(1, 64<<10/len(s))))
	per := len(chunk) / len(s)
	for n > 0 {
		k := min(n, per)
		if _, err := w.Write(chunk[:k*len(s)]); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

// Noise writes n bytes of letters that compress poorly (seeded).
func Noise(w io.Writer, n int) error {
	r := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 64<<10)
	for n > 0 {
		k := min(n, len(buf))
		for i := range buf[:k] {
			buf[i] = 'a' + byte(r.IntN(26))
		}
		if _, err := w.Write(buf[:k]); err != nil {
			return err
		}
		n -= k
	}
	return nil
}
