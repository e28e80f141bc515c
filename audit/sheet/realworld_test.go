package sheet

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"pensionaudit/audit/internal/golden"
)

// dumpWorkbook is everything a workbook yields: each sheet's rows (number and
// cells) and merged ranges, or the message it is refused with.
func dumpWorkbook(path string) string {
	wb, err := Open(path)
	if err != nil {
		return "refused: " + err.Error() + "\n"
	}
	defer wb.Close()
	var b strings.Builder
	for _, s := range wb.Sheets() {
		fmt.Fprintf(&b, "## %s\n", s)
		it, err := wb.Rows(s)
		if err != nil {
			fmt.Fprintf(&b, "error: %v\n", err)
			continue
		}
		for it.Next() {
			n, cells := it.Row()
			fmt.Fprintf(&b, "%d: %s\n", n, strings.Join(cells, " | "))
		}
		if err := it.Err(); err != nil {
			fmt.Fprintf(&b, "error: %v\n", err)
		}
		it.Close()
		for _, m := range wb.Merges(s) {
			fmt.Fprintf(&b, "merge %s%d:%s%d\n", colName(m.C1), m.R1, colName(m.C2), m.R2)
		}
	}
	return b.String()
}

// Files written by Excel and others (Apache POI's test data, see NOTICE.md)
// read as checked against LibreOffice when the golden files were written:
// embedded charts do not leak cells or cut the sheet short, chart sheets are
// not listed, Strict .xlsx keeps its merged ranges, encrypted files and an
// Excel 3.0 file are refused with what to do.
func TestRealWorldFiles(t *testing.T) {
	x, _ := filepath.Glob(filepath.Join("testdata", "realworld", "*.xls"))
	xx, _ := filepath.Glob(filepath.Join("testdata", "realworld", "*.xlsx"))
	files := append(x, xx...)
	if len(files) < 9 {
		t.Fatalf("only %d files in testdata/realworld", len(files))
	}
	for _, f := range files {
		golden.Check(t, f+".golden", dumpWorkbook(f))
	}
	// what the goldens must say, whatever they were rewritten to
	mustHave := map[string]string{
		"protected_passtika.xlsx.golden": "已加密",
		"xor-encryption-abc.xls.golden":  "已加密",
		"testEXCEL_3.xls.golden":         "Excel 2.x–4.0",
		"as3xls_BIFF2.xls.golden":        "Excel 2.x–4.0",
		"SimpleStrict.xlsx.golden":       "## ",
		"WithChartSheet.xlsx.golden":     "## ",
	}
	for name, want := range mustHave {
		b, _ := os.ReadFile(filepath.Join("testdata", "realworld", name))
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %q", name, want)
		}
	}
}

// strictOf rewrites an .xlsx into ISO 29500 Strict: the same parts with the
// Strict namespaces and relationship types, as Excel's "Strict Open XML" save.
func strictOf(t *testing.T, path string) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := strings.TrimSuffix(path, ".xlsx") + ".strict.xlsx"
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	r := strings.NewReplacer(
		"http://schemas.openxmlformats.org/spreadsheetml/2006/main", "http://purl.oclc.org/ooxml/spreadsheetml/main",
		"http://schemas.openxmlformats.org/officeDocument/2006/relationships", "http://purl.oclc.org/ooxml/officeDocument/relationships",
	)
	for _, e := range zr.File {
		rc, err := e.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		w, _ := zw.Create(e.Name)
		w.Write([]byte(r.Replace(string(data))))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return out
}

// A Strict .xlsx reads like its transitional twin: rows, merged ranges, the
// title found through the merge; booleans and computed numbers read as
// .xls gives them.
func TestStrictXLSXAndValueParity(t *testing.T) {
	third := 0.1
	computed := third * 22 // 2.2000000000000002, as Excel stores =0.1*22
	p := xlsxOf(t, map[string][][]any{"名单": {
		{"石岭村2021年3月死亡人员名单"},
		{"姓名", "身份证号码", "死亡日期", "已核实", "金额"},
		{"罗德秀", "430422195611158660", "2021-03-05", true, computed},
	}}, map[string][][2]string{"名单": {{"A1", "E1"}}})
	strict := strictOf(t, p)
	if b, _ := os.ReadFile(strict); !strings.Contains(dumpZip(t, strict), "purl.oclc.org") || len(b) == 0 {
		t.Fatal("not rewritten to Strict")
	}
	plain, st := dumpWorkbook(p), dumpWorkbook(strict)
	if plain != st {
		t.Errorf("Strict reads differently:\n%s\nvs\n%s", st, plain)
	}
	for _, want := range []string{"merge A1:E1", "3: 罗德秀 | 430422195611158660 | 2021-03-05 | TRUE | 2.2"} {
		if !strings.Contains(st, want) {
			t.Errorf("Strict file lacks %q:\n%s", want, st)
		}
	}
}

func dumpZip(t *testing.T, path string) string {
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var b strings.Builder
	for _, e := range zr.File {
		rc, _ := e.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		b.Write(data)
	}
	return b.String()
}

// A number already in its short form is kept as it is; any other goes
// through FormatNumber: both give what .xls gives for the same value.
func TestShortDecimal(t *testing.T) {
	for _, s := range []string{"189.11", "0.5", "-3.25", "0.000123", "45300", "123456789012.345", "1140362.5", "1320585.375"} {
		if !shortDecimal(s) {
			t.Errorf("%s not taken as short", s)
		}
		f, _ := strconv.ParseFloat(s, 64)
		if FormatNumber(f) != s {
			t.Errorf("%s: FormatNumber gives %s", s, FormatNumber(f))
		}
	}
	for _, s := range []string{"2.2000000000000002", "1.50", "01.5", "3.1E-300", "1e5", ".5", "5.", "-", "1234567890123.456", "+1.5", "1.-5"} {
		if shortDecimal(s) {
			t.Errorf("%s taken as short", s)
		}
	}
}
