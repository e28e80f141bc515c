package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Text from a file never drives the terminal: control, bidi and zero-width
// characters in names are shown as \u{…}; long values are cut.
func TestTerminalOutputEscaped(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.db")
	initDB(t, db)
	csv := "姓名,公民身份号码,发放年月,发放金额,备注\n" +
		"\u202e张三,430422196112112507,202207,120.00,\n" +
		"李\x1b[31m四,430422196112112507,202207,120.00," + strings.Repeat("长", 5000) + "\n"
	p := filepath.Join(dir, "roster_2022-07.csv")
	if err := os.WriteFile(p, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, e := runIn(t, admPW, "import", "--user", admin, "--db", db, "--kind", "payouts", p)
	if code != 0 {
		t.Fatalf("import: %d %s %s", code, out, e)
	}
	for _, bad := range []string{"\u202e", "\x1b"} {
		if strings.Contains(out, bad) || strings.Contains(e, bad) {
			t.Errorf("raw %q reached the terminal:\n%s", bad, out)
		}
	}
	if !strings.Contains(out, `\u{202E}`) || !strings.Contains(out, `\u{001B}`) {
		t.Errorf("escaped characters not shown:\n%s", out)
	}
	if strings.Contains(out, strings.Repeat("长", 100)) {
		t.Errorf("a 5,000-character cell was printed in full")
	}
	// the problem list names the characters visibly; JSON output is not
	// filtered (it is data) and carries the same visible form
	code, js, _ := run(t, "problems", "--db", db, "--json")
	if code != 0 || !strings.Contains(js, `\\u{202E}`) {
		t.Errorf("JSON problems: %s", js)
	}
	if bytes.Contains([]byte(js), []byte("\x1b")) {
		t.Errorf("raw ESC in JSON")
	}
}
