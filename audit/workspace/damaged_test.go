package workspace

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pensionaudit/audit"
	"pensionaudit/audit/internal/damaged"
	"pensionaudit/audit/sheet"
	"pensionaudit/audit/sqlite"
)

// snapshot counts what an import could have touched.
func snapshot(t *testing.T, w *Workspace) string {
	t.Helper()
	var parts []string
	for _, table := range []string{"batches", "payouts", "death_records", "problems", "villages", "trail", "mappings"} {
		var n int
		if err := w.db.SQL().QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		parts = append(parts, fmt.Sprintf("%s=%d", table, n))
	}
	return strings.Join(parts, " ")
}

func verifyOK(t *testing.T, w *Workspace, after string) {
	t.Helper()
	rep, err := w.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("verify after %s: %v", after, rep.Problems)
	}
}

// newWS is a fresh workspace with the tests' own account (see who).
func newWS(t *testing.T) *Workspace {
	t.Helper()
	w := newBareWS(t)
	who(w)
	return w
}

// newBareWS is a fresh workspace without any account.
func newBareWS(t *testing.T) *Workspace {
	t.Helper()
	w, err := Init(context.Background(), filepath.Join(t.TempDir(), "w.db"), "东风镇", "test", []string{"东风村"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// who is the session the tests import and check as: the account 测试员
// (a supervisor), made at first use — through the store, so that a test
// that makes its own first account still can.
func who(w *Workspace) audit.Session {
	ctx := context.Background()
	u := audit.User{Name: "测试员", Role: audit.RoleSupervisor}
	if w.db.View(ctx, func(tx *sqlite.Tx) error { _, err := tx.User(ctx, u.Name); return err }) == nil {
		return audit.Session{User: u}
	}
	err := w.db.Update(ctx, func(tx *sqlite.Tx) error {
		if _, err := tx.User(ctx, u.Name); err == nil {
			return nil
		}
		hash, err := sqlite.HashPassword("test-secret-1")
		if err != nil {
			return err
		}
		return tx.InsertUser(ctx, u.Name, u, hash)
	})
	if err != nil {
		panic(err)
	}
	return audit.Session{User: u}
}

func importCase(w *Workspace, path string, c damaged.Case) (*ImportResult, error) {
	o := ImportOptions{Kind: c.Kind, Village: c.Village}
	if c.Period != "" {
		o.Period, _ = audit.ParseMonth(c.Period)
	}
	return w.Import(context.Background(), who(w), path, o)
}

// Every damaged file of the corpus is refused as a whole (nothing stored,
// verify passes) or imported with the damage flagged on its row.
func TestDamagedCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "damaged")
	w := newWS(t)
	// a good roster first, so "unchanged" means something
	if _, err := w.Import(context.Background(), who(w), filepath.Join(dir, "..", "..", "..", "internal", "damaged", "base_roster.xls"),
		ImportOptions{Kind: audit.KindPayouts, Period: audit.MakeMonth(2022, 6)}); err != nil {
		t.Fatal(err)
	}
	for _, c := range damaged.Cases {
		t.Run(c.File, func(t *testing.T) {
			path := filepath.Join(dir, c.File)
			if _, err := os.Stat(path); err != nil {
				t.Fatalf("corpus file missing (go run ./audit/internal/damaged/gen): %v", err)
			}
			before := snapshot(t, w)
			res, err := importCase(w, path, c)
			if c.Refused {
				if err == nil {
					t.Fatalf("%s (%s) was imported: %d rows", c.File, c.Why, res.Batch.Imported)
				}
				msg := err.Error()
				if !strings.Contains(msg, c.Want) || !strings.Contains(msg, c.File) {
					t.Errorf("error %q: want it to name the file and say %q", msg, c.Want)
				}
				if strings.ContainsAny(msg, "abcdefghijklmnopqrstuvwxyz") && !englishAllowed(msg) {
					t.Errorf("error has library English in it: %q", msg)
				}
				if !errors.Is(err, audit.ErrUnsupported) {
					t.Errorf("error kind: %v", err)
				}
				if after := snapshot(t, w); after != before {
					t.Errorf("refused import changed the workspace:\n before %s\n after  %s", before, after)
				}
				verifyOK(t, w, c.File)
				return
			}
			if err != nil {
				t.Fatalf("%s (%s): %v", c.File, c.Why, err)
			}
			rows, _, err := w.Problems(context.Background(), audit.ProblemFilter{BatchID: res.Batch.ID})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, p := range rows {
				if strings.Contains(p.Reason, c.Want) {
					found = true
					if p.Row == 0 {
						t.Errorf("problem without a row: %+v", p)
					}
				}
			}
			if !found {
				t.Errorf("%s (%s): no stored problem says %q; got %d problems", c.File, c.Why, c.Want, len(rows))
			}
			verifyOK(t, w, c.File)
		})
	}
}

// englishAllowed: file names and format names are the only Latin text a
// refusal may carry.
func englishAllowed(msg string) bool {
	for _, c := range damaged.Cases {
		msg = strings.ReplaceAll(msg, c.File, "")
		msg = strings.ReplaceAll(msg, strings.TrimSuffix(c.File, filepath.Ext(c.File)), "")
	}
	for _, w := range []string{"Excel", "xlsx", "xls", "CSV", "XML", "UTF-8", "GBK", "Workbook", "Sheet", "MB", "KB", "GB", "table", "html", "</>"} {
		msg = strings.ReplaceAll(msg, w, "")
	}
	return !strings.ContainsAny(msg, "abcdefghijklmnopqrstuvwxyz")
}

// Values the rows of a damaged-but-readable file hold are flagged where they
// are, with the raw value escaped.
func TestDamagedDetails(t *testing.T) {
	w := newWS(t)
	dir := filepath.Join("testdata", "damaged")
	res, err := w.Import(context.Background(), who(w), filepath.Join(dir, "csv_gbk_with_utf8_row.csv"), ImportOptions{Kind: audit.KindPayouts})
	if err != nil {
		t.Fatal(err)
	}
	if res.Batch.ProblemRows != 1 {
		t.Errorf("problem rows = %d, want 1 (row 21 only)", res.Batch.ProblemRows)
	}
	for _, p := range res.Problems {
		if p.Row != 21 {
			t.Errorf("problem on row %d: %+v", p.Row, p)
		}
	}
	// the UTF-8 row's village is not added to the township
	vs, _ := w.Villages(context.Background())
	for _, v := range vs {
		if strings.ContainsRune(v, '\uFFFD') || !strings.HasSuffix(v, "村") && !strings.HasSuffix(v, "社区") {
			t.Errorf("odd village added: %q", v)
		}
	}
	res, err = w.Import(context.Background(), who(w), filepath.Join(dir, "csv_utf8_with_gbk_row.csv"), ImportOptions{Kind: audit.KindPayouts})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	w.db.SQL().QueryRow(`SELECT COUNT(*) FROM villages WHERE name LIKE '%' || char(65533) || '%'`).Scan(&n)
	if n != 0 {
		t.Errorf("a garbled village was added to the township")
	}
	if res.Batch.ProblemRows != 1 {
		t.Errorf("problem rows = %d, want 1", res.Batch.ProblemRows)
	}
	res, err = w.Import(context.Background(), who(w), filepath.Join(dir, "xlsx_invisible_names.xlsx"), ImportOptions{Kind: audit.KindPayouts})
	if err != nil {
		t.Fatal(err)
	}
	var raws []string
	for _, p := range res.Problems {
		raws = append(raws, p.Raw)
	}
	joined := strings.Join(raws, " ")
	if !strings.Contains(joined, `\u{202E}`) || !strings.Contains(joined, `\u{200B}`) {
		t.Errorf("invisible characters not shown escaped: %q", joined)
	}
	// stored exactly
	w.db.SQL().QueryRow(`SELECT COUNT(*) FROM payouts WHERE batch_id = ? AND (instr(name, char(8238)) > 0 OR instr(name, char(8203)) > 0)`, res.Batch.ID).Scan(&n)
	if n != 2 {
		t.Errorf("names with invisible characters stored: %d, want 2 (exactly as in the file)", n)
	}
}

// Bomb-like files, streamed into the test's folder: refused while reading,
// with a plain reason, nothing stored.
func TestBombsRefused(t *testing.T) {
	dir := t.TempDir()
	type bomb struct {
		name, want string
		write      func(path string) error
	}
	bombs := []bomb{
		{"whitespace.xlsx", "超过 1 MB", func(p string) error {
			return damaged.MiniXLSX(p, func(w io.Writer) error { return damaged.Repeat(w, " ", 200<<20) })
		}},
		{"ratio.xlsx", "压缩比", func(p string) error {
			return damaged.MiniXLSX(p, func(w io.Writer) error { return damaged.Repeat(w, "<!-- -->\n", 200<<20/9) })
		}},
		{"huge_cell.xlsx", "超过 1 MB", func(p string) error {
			return damaged.MiniXLSX(p, func(w io.Writer) error {
				io.WriteString(w, `<row r="2"><c r="A2" t="inlineStr"><is><t>张三</t></is></c><c r="B2" t="inlineStr"><is><t>`)
				if err := damaged.Noise(w, 3<<20); err != nil {
					return err
				}
				_, err := io.WriteString(w, `</t></is></c></row>`)
				return err
			})
		}},
		{"deep.xlsx", "嵌套过深", func(p string) error {
			return damaged.MiniXLSX(p, func(w io.Writer) error {
				io.WriteString(w, `<row r="2"><c r="A2" t="inlineStr"><is>`)
				return damaged.Repeat(w, "<r>", 1<<20)
			})
		}},
		{"many_rows.xlsx", "最大行数", func(p string) error {
			return damaged.MiniXLSX(p, func(w io.Writer) error {
				_, err := io.WriteString(w, `<row r="2"><c r="A2" t="inlineStr"><is><t>张三</t></is></c></row><row r="1048577"></row>`)
				return err
			})
		}},
		{"commas.csv", "最大列数", func(p string) error {
			f, err := os.Create(p)
			if err != nil {
				return err
			}
			defer f.Close()
			io.WriteString(f, "姓名,公民身份号码,发放金额\n")
			return damaged.Repeat(f, ",", 20<<20)
		}},
		{"long_id.csv", "超过 1 MB", func(p string) error {
			f, err := os.Create(p)
			if err != nil {
				return err
			}
			defer f.Close()
			io.WriteString(f, "姓名,公民身份号码,发放金额\n张三,")
			return damaged.Repeat(f, "4", 20<<20)
		}},
	}
	w := newWS(t)
	for _, b := range bombs {
		t.Run(b.name, func(t *testing.T) {
			p := filepath.Join(dir, b.name)
			if err := b.write(p); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, w)
			_, err := w.Import(context.Background(), who(w), p, ImportOptions{Kind: audit.KindPayouts, Period: audit.MakeMonth(2022, 7)})
			if err == nil {
				t.Fatalf("%s imported", b.name)
			}
			if !strings.Contains(err.Error(), b.want) {
				t.Errorf("error %q, want %q", err, b.want)
			}
			if len(err.Error()) > 600 {
				t.Errorf("message is %d bytes long: values must be cut", len(err.Error()))
			}
			if after := snapshot(t, w); after != before {
				t.Errorf("workspace changed: %s → %s", before, after)
			}
			verifyOK(t, w, b.name)
		})
	}
}

// A reader failure is reported with its sheet and last good row, and errors
// are told apart from a cancellation.
func TestReadErrorNamesSheetAndRow(t *testing.T) {
	w := newWS(t)
	_, err := w.Import(context.Background(), who(w), filepath.Join("testdata", "damaged", "xlsx_duplicate_row.xlsx"), ImportOptions{Kind: audit.KindPayouts})
	var re *sheet.ReadError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want a ReadError", err)
	}
	if re.Sheet != "Sheet1" || re.Row != 599 || re.File != "xlsx_duplicate_row.xlsx" {
		t.Errorf("ReadError = %+v", re)
	}
	if errors.Is(err, context.Canceled) {
		t.Error("a damaged file is not a cancellation")
	}
}

// A village name is added only from clean roster rows; a supervisor can
// merge a wrong name into the right one, the trail says so, and the old name
// does not come back with the next roster.
func TestVillageMergeAndRename(t *testing.T) {
	ctx := context.Background()
	w := newBareWS(t)
	sup, err := w.AddUser(ctx, nil, "王主任", "supervisor", "sup-pass-2022")
	if err != nil {
		t.Fatal(err)
	}
	supS := mustLogin(t, w, sup.Name, "sup-pass-2022")
	clerk, err := w.AddUser(ctx, supS, "李会计", "clerk", "clerk-pass-2022")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	roster := func(name, village, month string) string {
		p := filepath.Join(dir, name)
		csv := "姓名,村(社区),公民身份号码,发放年月,发放金额\n张三," + village + ",430422196112112507," + month + ",120.00\n" +
			"李四,乱码村,4304221961121125," + month + ",120.00\n" // a row with a problem: its village is not added
		if err := os.WriteFile(p, []byte(csv), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if _, err := w.Import(ctx, who(w), roster("a_2022-07.csv", "东风村委会", "202207"), ImportOptions{Kind: audit.KindPayouts}); err != nil {
		t.Fatal(err)
	}
	vs, _ := w.Villages(ctx)
	if strings.Join(vs, ",") != "东风村,东风村委会" {
		t.Fatalf("villages = %v (乱码村 comes from a row with a problem and must not be added)", vs)
	}
	if _, err := w.RenameVillage(ctx, sess(clerk), "东风村委会", "东风村"); !errors.Is(err, audit.ErrPermission) {
		t.Errorf("a clerk renamed a village: %v", err)
	}
	if _, err := w.RenameVillage(ctx, *supS, "东风村委会", "东风\u200b村"); !errors.Is(err, audit.ErrInvalid) {
		t.Errorf("an invisible character in a village name was accepted: %v", err)
	}
	merged, err := w.RenameVillage(ctx, *supS, "东风村委会", "东风村")
	if err != nil || !merged {
		t.Fatalf("merge: %v %v", merged, err)
	}
	if _, err := w.Import(ctx, who(w), roster("b_2022-08.csv", "东风村委会", "202208"), ImportOptions{Kind: audit.KindPayouts}); err != nil {
		t.Fatal(err)
	}
	vs, _ = w.Villages(ctx)
	if strings.Join(vs, ",") != "东风村" {
		t.Errorf("villages after merge and a new roster = %v", vs)
	}
	if merged, err := w.RenameVillage(ctx, *supS, "东风村", "东风社区"); err != nil || merged {
		t.Errorf("rename: %v %v", merged, err)
	}
	var n int
	w.db.SQL().QueryRow(`SELECT COUNT(*) FROM trail WHERE action = 'village_rename' AND user_name = '王主任'`).Scan(&n)
	if n != 2 {
		t.Errorf("trail has %d village_rename entries, want 2", n)
	}
	verifyOK(t, w, "rename")
}
