package workspace

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"pensionaudit/audit"
	"pensionaudit/audit/demo"
	"pensionaudit/audit/sheet"
)

func baseRoster() string {
	return filepath.Join("..", "internal", "damaged", "base_roster.xls")
}

// A full disk during an import is reported as a full disk (not as a
// cancellation), and nothing of the file is stored.
func TestImportDiskFull(t *testing.T) {
	w := newWS(t)
	w.db.SQL().SetMaxOpenConns(1)
	var pages int
	if err := w.db.SQL().QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.SQL().Exec(`PRAGMA max_page_count = ` + itoa(pages+20)); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, w)
	_, err := w.Import(context.Background(), who(w), baseRoster(), ImportOptions{Kind: audit.KindPayouts, Period: audit.MakeMonth(2022, 7)})
	if !errors.Is(err, audit.ErrDiskFull) || !strings.Contains(err.Error(), "磁盘空间已满") {
		t.Fatalf("err = %v, want the disk-full message", err)
	}
	if errors.Is(err, context.Canceled) || strings.Contains(err.Error(), "取消") {
		t.Errorf("a full disk reported as a cancellation: %v", err)
	}
	if after := snapshot(t, w); after != before {
		t.Errorf("workspace changed: %s → %s", before, after)
	}
}

// A workspace that cannot be written says so plainly.
func TestImportReadOnly(t *testing.T) {
	w := newWS(t)
	w.db.SQL().SetMaxOpenConns(1)
	if _, err := w.db.SQL().Exec(`PRAGMA query_only = 1`); err != nil {
		t.Fatal(err)
	}
	_, err := w.Import(context.Background(), who(w), baseRoster(), ImportOptions{Kind: audit.KindPayouts, Period: audit.MakeMonth(2022, 7)})
	if !errors.Is(err, audit.ErrReadOnly) || !strings.Contains(err.Error(), "只读") {
		t.Fatalf("err = %v, want the read-only message", err)
	}
}

// Another program holding the workspace: the import waits, then says who
// to ask, in Chinese.
func TestImportLocked(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the busy timeout")
	}
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "w.db")
	w, err := Init(context.Background(), path, "东风镇", "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	tester := who(w)
	other, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), `BEGIN EXCLUSIVE`); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(context.Background(), `ROLLBACK`)
	_, err = w.Import(context.Background(), tester, baseRoster(), ImportOptions{Kind: audit.KindPayouts, Period: audit.MakeMonth(2022, 7)})
	if !errors.Is(err, audit.ErrBusy) || !strings.Contains(err.Error(), "另一个程序") {
		t.Fatalf("err = %v, want the locked message", err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// The readers stream from the file itself: an import writes no temporary
// file anywhere (names, IDs and bank cards never land in a temp folder that
// a crash would leave behind).
func TestImportWritesNoTempFiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	w := newWS(t)
	p := filepath.Join(t.TempDir(), "大花名册_2022-07.xlsx")
	if err := demo.WriteRoster(p, 60000, audit.MakeMonth(2022, 7), 3); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(tmp)
	for _, e := range entries { // the generator (excelize) may have used it
		os.RemoveAll(filepath.Join(tmp, e.Name()))
	}
	for _, f := range []string{p, baseRoster(), filepath.Join("testdata", "damaged", "csv_gbk_with_utf8_row.csv"),
		filepath.Join("testdata", "damaged", "xlsx_truncated_sheet.xlsx")} {
		w.Import(context.Background(), who(w), f, ImportOptions{Kind: audit.KindPayouts, Period: audit.MakeMonth(2022, 7)})
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("the import left files in the temp folder: %v", entries)
	}
}

// The exact bytes of every imported file stay in the workspace.
func TestImportKeepsTheFile(t *testing.T) {
	w := newWS(t)
	res, err := w.Import(context.Background(), who(w), baseRoster(), ImportOptions{Kind: audit.KindPayouts, Period: audit.MakeMonth(2022, 7)})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	name, err := w.SourceFile(context.Background(), res.Batch.ID, &buf)
	if err != nil {
		t.Fatal(err)
	}
	orig, _ := os.ReadFile(baseRoster())
	if name != filepath.Base(baseRoster()) || !bytes.Equal(buf.Bytes(), orig) {
		t.Errorf("kept copy %s: %d bytes, original %d", name, buf.Len(), len(orig))
	}
}

// A row of an imported file is shown from the kept copy, the same cells the
// original has at that row, also after the original is gone; a copy changed
// behind the program's back is refused, never shown as the evidence.
func TestSourceAtTheRow(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	w, err := Init(ctx, path, "东风镇", "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	src := filepath.Join(t.TempDir(), filepath.Base(baseRoster()))
	orig, err := os.ReadFile(baseRoster())
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(src, orig, 0o600)
	res, err := w.Import(ctx, who(w), src, ImportOptions{Kind: audit.KindPayouts, Period: audit.MakeMonth(2022, 7)})
	if err != nil {
		t.Fatal(err)
	}
	want, err := sheet.ReadExcerpt(ctx, src, "", 30, 0, 0)
	if err != nil || !want.Found {
		t.Fatalf("original row 30: %v %+v", err, want)
	}
	os.Remove(src) // the USB stick is lost
	for _, byName := range []bool{false, true} {
		id, name := res.Batch.ID, ""
		if byName {
			id, name = 0, res.Batch.FileName
		}
		e, err := w.SourceAt(ctx, id, name, want.Sheet, 30)
		if err != nil {
			t.Fatal(err)
		}
		if !e.Found || e.RowNums[0] != 20 || e.RowNums[len(e.RowNums)-1] != 40 || len(e.Head) == 0 || e.HeadNum[0] != 1 {
			t.Fatalf("excerpt rows %v head %v found %v", e.RowNums, e.HeadNum, e.Found)
		}
		if got := e.Rows[10]; strings.Join(got, "|") != strings.Join(want.Rows[0], "|") || e.RowNums[10] != 30 {
			t.Errorf("row 30 from the kept copy %q, original %q", got, want.Rows[0])
		}
	}
	if _, err := w.SourceAt(ctx, 0, "没有这个文件.xls", "", 3); !errors.Is(err, audit.ErrNotFound) {
		t.Errorf("unknown file: %v", err)
	}
	// an insider swaps the kept bytes (and the extracted copy is cleared)
	os.RemoveAll(filepath.Join(os.Getenv("XDG_CACHE_HOME"), "pensionaudit"))
	attacker(t, path, `UPDATE source_chunks SET data = zeroblob(length(data)) WHERE seq = 0`)
	if _, err := w.SourceAt(ctx, res.Batch.ID, "", "", 30); !errors.Is(err, audit.ErrConflict) {
		t.Errorf("changed kept copy shown: %v", err)
	}
}

// An import's own connection (its page cache enlarged) goes back to the
// pool with the pool's cache size, after a good, a refused and a cancelled
// import alike.
func TestImportReturnsItsConnection(t *testing.T) {
	ctx := context.Background()
	w := newWS(t)
	db := w.db.SQL()
	var before int64
	db.QueryRow(`PRAGMA cache_size`).Scan(&before)
	w.Import(ctx, who(w), baseRoster(), ImportOptions{Kind: audit.KindPayouts, Period: audit.MakeMonth(2022, 7)})
	w.Import(ctx, who(w), baseRoster(), ImportOptions{Kind: audit.KindPayouts, Period: audit.MakeMonth(2022, 7)}) // refused: same file
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	w.Import(cctx, who(w), filepath.Join("testdata", "damaged", "csv_gbk_with_utf8_row.csv"), ImportOptions{Kind: audit.KindPayouts})
	st := db.Stats()
	if st.InUse != 0 {
		t.Errorf("%d connections still in use", st.InUse)
	}
	// hold every pooled connection at once and ask each its cache size
	var conns []*sql.Conn
	for range st.OpenConnections {
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for i, c := range conns {
		var n int64
		c.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&n)
		if n != before || n == -98304 {
			t.Errorf("connection %d: cache_size %d, the pool's is %d", i, n, before)
		}
		c.Close()
	}
	if len(conns) == 0 {
		t.Error("no pooled connection to ask")
	}
}
