package ui

import (
	"context"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"pensionaudit/assets"
	"pensionaudit/ui/pages"
)

// English chosen in Settings: the window's words come from assets/lang
// through Fyne's lang. Fyne's translations are global, so this runs in a
// child process of the test binary.
func TestEnglishChosenInSettings(t *testing.T) {
	if os.Getenv("PENSIONAUDIT_LANG_CHILD") == "1" {
		a := test.NewTempApp(t)
		a.Preferences().SetString(pages.PrefLanguage, "English")
		w, c := run(context.Background(), a, nil, true)
		defer w.Close()
		if got := c.welcome.create.Text; got != "New workspace" {
			t.Fatalf("welcome button %q", got)
		}
		if got := tr("逐条核查"); got != "Review" {
			t.Fatalf("navigation %q", got)
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestEnglishChosenInSettings$", "-test.v")
	cmd.Env = append(os.Environ(), "PENSIONAUDIT_LANG_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS") {
		t.Fatalf("English run: %v\n%s", err, out)
	}
	// and this process, with no choice made, is Chinese
	if got := tr("逐条核查"); got != "逐条核查" {
		t.Errorf("default language gave %q", got)
	}
}

// Every fixed word the window passes through tr has its English in
// assets/lang/en.json (a missing one would show Chinese in the English window).
func TestEveryWordHasEnglish(t *testing.T) {
	var en map[string]string
	if err := json.Unmarshal(assets.English, &en); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("*.go")
	more, _ := filepath.Glob("*/*.go")
	files = append(files, more...)
	fset := token.NewFileSet()
	seen := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 1 {
				return true
			}
			switch fn := call.Fun.(type) {
			case *ast.Ident: // tr("…") in package ui
				if fn.Name != "tr" {
					return true
				}
			case *ast.SelectorExpr: // i18n.T("…") in the subpackages
				if x, ok := fn.X.(*ast.Ident); !ok || x.Name != "i18n" || fn.Sel.Name != "T" {
					return true
				}
			default:
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok {
				return true
			}
			key, _ := strconv.Unquote(lit.Value)
			seen++
			if en[key] == "" {
				t.Errorf("%s: tr(%q) has no English in assets/lang/en.json", fset.Position(lit.Pos()), key)
			}
			return true
		})
	}
	if seen < 50 {
		t.Errorf("only %d tr calls found", seen)
	}
}
