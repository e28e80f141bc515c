package sheet

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"pensionaudit/audit"
)

func addSeeds(f *testing.F, patterns ...string) {
	for _, pat := range patterns {
		files, _ := filepath.Glob(pat)
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
}

// scanAll runs every kind's reader over a workbook; it must never panic and
// every record must point at a real row.
func scanAll(t *testing.T, wb Workbook) {
	for _, k := range []audit.Kind{audit.KindPayouts, audit.KindDeaths, audit.KindDeregistrations} {
		_, _ = Scan(context.Background(), wb, Options{Kind: k, File: "fuzz"}, func(r *audit.Record) error {
			if r.Row < 1 {
				t.Fatalf("record without a row: %+v", r)
			}
			for _, p := range r.Problems {
				if p.Reason == "" {
					t.Fatalf("problem without reason: %+v", p)
				}
			}
			return nil
		})
	}
}

func FuzzReadCSV(f *testing.F) {
	addSeeds(f, filepath.Join(samples, "deaths", "*.csv"), filepath.Join(samples, "*.csv"), "testdata/*.csv", "../workspace/testdata/damaged/*.csv")
	f.Add([]byte("姓名,身份证号码,死亡日期\n张三,430422196112112507,2022-02-04\n"))
	f.Add([]byte("\xef\xbb\xbf序号\t姓名\t身份证号\t死亡日期\n1\t\"李\n四\"\t4.30422E+17\t44575\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := ParseCSV(data)
		if err != nil {
			return
		}
		csvOracle(t, data, rows)
		scanAll(t, &memBook{format: FormatCSV, names: []string{"csv"}, sheets: map[string][][]string{"csv": rows}})
	})
}

// csvOracle: a CSV without quotes in a single-byte-safe encoding is just
// lines and separators, so the reader must give exactly every line of it —
// no line dropped, none merged, nothing after a stop.
func csvOracle(t *testing.T, data []byte, rows [][]string) {
	if len(data) == 0 || bytes.ContainsAny(data, "\"\r") || !utf8.Valid(data) || bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}) {
		return
	}
	b, err := newCSVBook(bytes.NewReader(data), int64(len(data)), "csv")
	if err != nil {
		return
	}
	lines := strings.Split(string(data), "\n")
	if strings.HasSuffix(string(data), "\n") {
		lines = lines[:len(lines)-1]
	}
	if len(rows) != len(lines) {
		t.Fatalf("%d lines but %d rows", len(lines), len(rows))
	}
	for i, l := range lines {
		want := strings.Split(l, string(b.sep))
		if strings.Join(rows[i], string(b.sep)) != strings.Join(want, string(b.sep)) {
			t.Fatalf("line %d: %q read as %q", i+1, l, rows[i])
		}
	}
}

// FuzzReadXLSX: an .xlsx either fails, or its reader yielded every <row> of
// every sheet that a plain XML walk of the same part finds.
func FuzzReadXLSX(f *testing.F) {
	addSeeds(f, filepath.Join(samples, "*.xlsx"), "../workspace/testdata/damaged/xlsx_*.xlsx")
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "f.xlsx")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		wb, err := Open(p)
		if err != nil {
			return
		}
		defer wb.Close()
		xb, ok := wb.(*xlsxBook)
		if !ok { // not a zip at all: sniffed as another format
			return
		}
		for _, s := range xb.sheets {
			it, err := wb.Rows(s.name)
			if err != nil {
				return
			}
			n := 0
			for it.Next() {
				n++
			}
			err = it.Err()
			it.Close()
			if err != nil {
				return
			}
			want, ok := countRows(s.file)
			if !ok {
				t.Fatalf("sheet %q read without error, but its XML is not whole", s.name)
			}
			if n != want {
				t.Fatalf("sheet %q: %d rows yielded, %d <row> elements in the XML", s.name, n, want)
			}
		}
		scanAll(t, wb)
	})
}

func countRows(zf *zip.File) (int, bool) {
	rc, err := zf.Open()
	if err != nil {
		return 0, false
	}
	defer rc.Close()
	d := xml.NewDecoder(rc)
	n := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return n, true
		}
		if err != nil {
			return 0, false
		}
		if e, ok := tok.(xml.StartElement); ok && e.Name.Local == "row" {
			n++
		}
	}
}

func FuzzReadHTML(f *testing.F) {
	addSeeds(f, "../workspace/testdata/damaged/html_*.xls")
	f.Add([]byte("<table><tr><td>姓名</td><td>身份证号码</td><td>死亡日期</td></tr><tr><td>张三</td><td>430422196112112507</td><td>2022-02-04</td></tr></table>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		wb, err := parseHTML(data)
		if err != nil {
			return
		}
		if !bytes.Contains(bytes.ToLower(data), []byte("</table")) {
			t.Fatalf("a table without </table> was read as complete")
		}
		scanAll(t, wb)
	})
}

func FuzzReadXLS(f *testing.F) {
	addSeeds(f, filepath.Join(samples, "deaths", "*.xls"), "testdata/*.xls", "../workspace/testdata/damaged/xls_*.xls")
	f.Fuzz(func(t *testing.T, data []byte) {
		wb, err := ParseXLS(data)
		if err != nil {
			return
		}
		scanAll(t, wb)
	})
}
