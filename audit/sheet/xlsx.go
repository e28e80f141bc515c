package sheet

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"io"
	"path"
	"strings"

	"github.com/xuri/excelize/v2"
)

type xlsxBook struct {
	path   string
	f      *excelize.File
	names  []string
	d1904  bool
	merges map[string][]Merge
}

func openXLSX(p string) (Workbook, error) {
	f, err := excelize.OpenFile(p)
	if err != nil {
		return nil, err
	}
	b := &xlsxBook{path: p, f: f}
	for _, name := range f.GetSheetList() {
		if v, err := f.GetSheetVisible(name); err == nil && !v {
			continue
		}
		b.names = append(b.names, name)
	}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		b.d1904 = *props.Date1904
	}
	b.merges = scanMerges(p)
	return b, nil
}

func (b *xlsxBook) Format() Format          { return FormatXLSX }
func (b *xlsxBook) Sheets() []string        { return b.names }
func (b *xlsxBook) Date1904() bool          { return b.d1904 }
func (b *xlsxBook) Merges(s string) []Merge { return b.merges[s] }
func (b *xlsxBook) Close() error            { return b.f.Close() }

func (b *xlsxBook) Rows(sheet string) (RowIter, error) {
	rows, err := b.f.Rows(sheet)
	if err != nil {
		return nil, err
	}
	return &xlsxRows{rows: rows}, nil
}

type xlsxRows struct {
	rows  *excelize.Rows
	n     int
	cells []string
	err   error
}

var rawOpts = excelize.Options{RawCellValue: true}

func (r *xlsxRows) Next() bool {
	if r.err != nil || !r.rows.Next() {
		return false
	}
	r.n++
	r.cells, r.err = r.rows.Columns(rawOpts)
	return r.err == nil
}

// Row numbers follow the iterator; excelize yields empty rows in between, so
// counting Next calls gives the sheet's row number.
func (r *xlsxRows) Row() (int, []string) { return r.n, r.cells }
func (r *xlsxRows) Err() error {
	if r.err != nil {
		return r.err
	}
	return r.rows.Error()
}
func (r *xlsxRows) Close() error { return r.rows.Close() }

// scanMerges reads the merged ranges of every sheet by scanning the sheet XML
// for <mergeCell ref="..."/> without building the sheet in memory (excelize's
// GetMergeCells loads the whole worksheet, far too much for a county roster).
func scanMerges(p string) map[string][]Merge {
	out := map[string][]Merge{}
	zr, err := zip.OpenReader(p)
	if err != nil {
		return out
	}
	defer zr.Close()
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[f.Name] = f
	}
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rel []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if !decodeZipXML(files["xl/workbook.xml"], &wb) || !decodeZipXML(files["xl/_rels/workbook.xml.rels"], &rels) {
		return out
	}
	targets := map[string]string{}
	for _, r := range rels.Rel {
		t := strings.TrimPrefix(r.Target, "/")
		if !strings.HasPrefix(t, "xl/") {
			t = path.Join("xl", t)
		}
		targets[r.ID] = t
	}
	for _, s := range wb.Sheets {
		if f := files[targets[s.RID]]; f != nil {
			out[s.Name] = mergesIn(f)
		}
	}
	return out
}

func decodeZipXML(f *zip.File, v any) bool {
	if f == nil {
		return false
	}
	rc, err := f.Open()
	if err != nil {
		return false
	}
	defer rc.Close()
	return xml.NewDecoder(rc).Decode(v) == nil
}

func mergesIn(f *zip.File) []Merge {
	rc, err := f.Open()
	if err != nil {
		return nil
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 1<<16)
	var out []Merge
	needle := []byte("mergeCell ")
	var carry []byte
	buf := make([]byte, 1<<16)
	for {
		n, err := br.Read(buf)
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
					if m, ok := parseRange(string(ref[:k])); ok {
						out = append(out, m)
					}
				}
			}
			chunk = chunk[i+end:]
		}
		keep := min(len(chunk), 512)
		carry = append([]byte(nil), chunk[len(chunk)-keep:]...)
		if err == io.EOF || err != nil {
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
