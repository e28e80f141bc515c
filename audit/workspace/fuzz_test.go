package workspace

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"pensionaudit/audit"
	"pensionaudit/audit/internal/damaged"
	"pensionaudit/audit/sheet"
)

var (
	fuzzOnce sync.Once
	fuzzWS   *Workspace
	fuzzDir  string
	fuzzErr  error
	fuzzN    int
	fuzzMu   sync.Mutex
)

// fuzzWorkspace is one workspace per fuzzing process: every input is a new
// batch (the SHA-256 differs), so the invariant is checked per batch.
func fuzzWorkspace(f *testing.F) (*Workspace, string) {
	fuzzOnce.Do(func() {
		fuzzDir, fuzzErr = os.MkdirTemp("", "pensionaudit-fuzz-")
		if fuzzErr == nil {
			fuzzWS, fuzzErr = Init(context.Background(), filepath.Join(fuzzDir, "w.db"), "东风镇", "fuzz", nil)
		}
	})
	if fuzzErr != nil {
		f.Fatal(fuzzErr)
	}
	return fuzzWS, fuzzDir
}

// completeness is the invariant every reader must keep: an import either
// fails, or every row the reader yields is in the store — the reader and the
// import agree, nothing stops silently in between.
func completeness(t *testing.T, w *Workspace, dir, ext string, data []byte, kind audit.Kind) {
	fuzzMu.Lock()
	fuzzN++
	p := filepath.Join(dir, "in"+ext)
	fuzzMu.Unlock()
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	period := audit.MakeMonth(2022, 7)
	// what the reader yields, on its own
	yielded, readErr := -1, error(nil)
	if wb, err := sheet.Open(p); err != nil {
		readErr = err
	} else {
		n := 0
		_, readErr = sheet.Scan(context.Background(), wb, sheet.Options{Kind: kind, File: "in" + ext, Village: "东风村", Period: period}, func(*audit.Record) error {
			n++
			return nil
		})
		wb.Close()
		yielded = n
	}
	res, err := w.Import(context.Background(), who(w), p, ImportOptions{Kind: kind, Village: "东风村", Period: period})
	if err != nil {
		return // refused (or a duplicate of an earlier input)
	}
	if readErr != nil {
		t.Fatalf("import succeeded on a file the reader refuses: %v", readErr)
	}
	table := "payouts"
	if kind != audit.KindPayouts {
		table = "death_records"
	}
	var stored int
	if err := w.db.SQL().QueryRow(`SELECT COUNT(*) FROM `+table+` WHERE batch_id = ?`, res.Batch.ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != yielded || res.Batch.Imported != yielded {
		t.Fatalf("reader yielded %d rows, import says %d, store holds %d", yielded, res.Batch.Imported, stored)
	}
}

func seedCorpus(f *testing.F, pattern string) {
	files, _ := filepath.Glob(filepath.Join("testdata", "damaged", pattern))
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil && len(data) < 1<<20 {
			f.Add(data)
		}
	}
}

func FuzzImportCSV(f *testing.F) {
	seedCorpus(f, "*.csv")
	f.Add([]byte("姓名,公民身份号码,发放金额\n张三,430422196112112507,120.00\n"))
	f.Add([]byte("姓名,公民身份号码,发放金额,备注\n张三,430422196112112507,120.00,\"多行\n备注\"\n李四,430422196112112507,1,\n"))
	w, dir := fuzzWorkspace(f)
	f.Fuzz(func(t *testing.T, data []byte) { completeness(t, w, dir, ".csv", data, audit.KindPayouts) })
}

func FuzzImportXLSX(f *testing.F) {
	seedCorpus(f, "xlsx_*.xlsx")
	dir := f.TempDir()
	p := filepath.Join(dir, "mini.xlsx")
	if err := damaged.MiniXLSX(p, func(w io.Writer) error {
		_, err := w.Write([]byte(`<row r="2"><c r="A2" t="inlineStr"><is><t>张三</t></is></c><c r="B2"><v>430422196112112507</v></c><c r="C2"><v>120</v></c></row>`))
		return err
	}); err == nil {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	w, wdir := fuzzWorkspace(f)
	f.Fuzz(func(t *testing.T, data []byte) { completeness(t, w, wdir, ".xlsx", data, audit.KindPayouts) })
}

func FuzzImportXLS(f *testing.F) {
	seedCorpus(f, "*.xls")
	if data, err := os.ReadFile(filepath.Join("..", "sheet", "testdata", "libreoffice_biff8.xls")); err == nil {
		f.Add(data)
	}
	w, dir := fuzzWorkspace(f)
	f.Fuzz(func(t *testing.T, data []byte) { completeness(t, w, dir, ".xls", data, audit.KindDeaths) })
}
