package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// A workspace with one finding whose name and village are formulas.
func formulaWorkspace(t *testing.T, name string) (db, dir string) {
	t.Helper()
	dir = t.TempDir()
	db = filepath.Join(dir, name)
	initDB(t, db)
	csv := filepath.Join(dir, "roster_2022-07.csv")
	// the same account paid to three people: a shared_account finding
	writeFile(t, csv, "姓名,村(社区),公民身份号码,银行卡号,发放年月,发放金额\n"+
		"\"=HYPERLINK(\"\"http://x\"\",\"\"点我\"\")\",@SUM(1+1),430422196112112507,6217000011112222333,202207,120.00\n"+
		"+1+1,-2+3,430422195507070031,6217000011112222333,202207,120.00\n"+
		"王五,东风村,430422194403030011,6217000011112222333,202207,120.00\n")
	mustRun(t, admPW, "import", "--db", db, "--user", admin, "--kind", "payouts", csv)
	mustRun(t, admPW, "check", "--db", db, "--user", admin, "--period", "2022-07")
	return db, dir
}

// flags --csv writes formula-looking cells as text: a leading apostrophe,
// and LibreOffice (standing in for Excel/WPS) evaluates none of them.
func TestCSVExportIsInert(t *testing.T) {
	db, dir := formulaWorkspace(t, "w.db")
	code, out, e := run(t, "flags", "--db", db, "--csv")
	if code != 0 {
		t.Fatal(e)
	}
	if strings.Contains(out, ",=") || strings.Contains(out, ",@") || strings.Contains(out, ",+") || strings.Contains(out, "\n=") {
		t.Fatalf("a cell starts with a formula character:\n%s", out)
	}
	if !strings.Contains(out, "'=HYPERLINK") || !strings.Contains(out, "'@SUM") || !strings.Contains(out, "'+1+1") || !strings.Contains(out, "'-2+3") {
		t.Fatalf("formula cells not escaped:\n%s", out)
	}
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("LibreOffice (soffice) not installed: the CSV was checked as text only")
	}
	p := filepath.Join(dir, "flags.csv")
	writeFile(t, p, out)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, soffice, "--headless", "--norestore", "-env:UserInstallation=file://"+filepath.Join(dir, "lo"),
		"--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir", dir, p)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, b)
	}
	f, err := excelize.OpenFile(filepath.Join(dir, "flags.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	for r, row := range rows {
		for c := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if formula, _ := f.GetCellFormula(f.GetSheetList()[0], cell); formula != "" {
				t.Errorf("LibreOffice made %s a formula: %s", cell, formula)
			}
		}
	}
	all := strings.Join(flatten(rows), "|")
	if !strings.Contains(all, `=HYPERLINK("http://x","点我")`) || !strings.Contains(all, "@SUM(1+1)") || !strings.Contains(all, "+1+1") {
		t.Errorf("cells after LibreOffice: %s", all)
	}
}

func flatten(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

// report --out never overwrites the workspace or an imported file, and
// another file only with --force.
func TestReportOutIsSafe(t *testing.T) {
	// a workspace whose own name ends in .xlsx (the ws.pdf)
	db, dir := formulaWorkspace(t, "东风镇.xlsx")
	wsSum := sum(t, db)
	// the workspace itself, by name or through another name
	mustFail(t, "工作区", "", "report", "--db", db, "--period", "2022-07", "--kind", "findings", "--out", db, "--force")
	ws2 := filepath.Join(dir, "ws.xlsx")
	if err := os.Link(db, ws2); err == nil {
		mustFail(t, "工作区", "", "report", "--db", db, "--period", "2022-07", "--kind", "findings", "--out", ws2, "--force")
	}
	if sum(t, db) != wsSum {
		t.Fatal("the workspace was changed by report")
	}
	// an imported file, even with --force, even renamed
	orig := filepath.Join(dir, "roster_2022-07.csv")
	renamed := filepath.Join(dir, "名单.xlsx")
	data, _ := os.ReadFile(orig)
	writeFile(t, renamed, string(data))
	mustFail(t, "导入过的原始文件", "", "report", "--db", db, "--period", "2022-07", "--kind", "findings", "--out", renamed, "--force")
	if b, _ := os.ReadFile(renamed); !bytes.Equal(b, data) {
		t.Fatal("an imported file was overwritten")
	}
	// another existing file: refused, then written with --force
	other := filepath.Join(dir, "村名册.xlsx")
	writeFile(t, other, "村里的名册")
	mustFail(t, "--force", "", "report", "--db", db, "--period", "2022-07", "--kind", "findings", "--out", other)
	if b, _ := os.ReadFile(other); string(b) != "村里的名册" {
		t.Fatal("overwritten without --force")
	}
	mustRun(t, "", "report", "--db", db, "--period", "2022-07", "--kind", "findings", "--out", other, "--force")
	if b, _ := os.ReadFile(other); !bytes.HasPrefix(b, []byte("PK")) {
		t.Fatal("--force did not write the report")
	}
	// xlsx exports hold text cells, never formulas
	f, err := excelize.OpenFile(other)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetList()[0]
	rows, _ := f.GetRows(sheet)
	for r, row := range rows {
		for c := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if formula, _ := f.GetCellFormula(sheet, cell); formula != "" {
				t.Errorf("%s is a formula: %s", cell, formula)
			}
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

func sum(t *testing.T, p string) [32]byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// Read-only commands open the file read-only: a foreign SQLite file is
// refused untouched, and they work while another process holds a write
// transaction.
func TestReadOnlyCommands(t *testing.T) {
	dir := t.TempDir()
	foreign := filepath.Join(dir, "unrelated.sqlite")
	raw, err := sql.Open("sqlite", foreign)
	if err != nil {
		t.Fatal(err)
	}
	raw.Exec(`CREATE TABLE contacts (name TEXT)`)
	raw.Close()
	before := sum(t, foreign)
	for _, cmd := range [][]string{{"status"}, {"verify"}, {"problems"}, {"flags"}, {"ledger"}} {
		args := append(cmd, "--db", foreign)
		mustFail(t, "不是本程序的工作区", "", args...)
	}
	mustFail(t, "不是本程序的工作区", admPW, "import", "--db", foreign, "--user", admin, "--kind", "payouts", foreign)
	mustFail(t, "不是本程序的工作区", "", "init", "--db", foreign, "--township", "东风镇")
	if sum(t, foreign) != before {
		t.Fatal("the foreign file was changed")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("files appeared beside the foreign database: %v", entries)
	}
	// a writer holds the workspace: status and verify still answer at once
	db, _ := formulaWorkspace(t, "w.db")
	w, err := sql.Open("sqlite", "file:"+db+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	conn, err := w.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	conn.ExecContext(context.Background(), `INSERT INTO villages (name, source, created_at) VALUES ('写入中', 'config', '')`)
	start := time.Now()
	mustRun(t, "", "status", "--db", db)
	mustRun(t, "", "verify", "--db", db)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("read-only commands waited %v for the writer", d)
	}
	conn.ExecContext(context.Background(), `ROLLBACK`)
	conn.Close()
	w.Close()
	// a workspace an older version made: read-only commands say it needs
	// upgrading and leave it as it is
	// (the demo township as the program of migration 0010 made it)
	old := filepath.Join(t.TempDir(), "old.db")
	data, err := os.ReadFile(filepath.Join("..", "workspace", "testdata", "v0010_demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(old, data, 0o644)
	before = sum(t, old)
	mustFail(t, "需要升级", "", "status", "--db", old)
	if sum(t, old) != before {
		t.Error("a read-only command changed the old workspace")
	}
}
