package ui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// cliWords are what only the command line may say: its flags and its
// commands. The window and the printed sheets get their words from the
// domain, the use cases, the readers, the reports and the window itself —
// none of which may name them (the command line adds them to a message by
// the input it is about, audit.Error.Field).
var cliWords = regexp.MustCompile(`(^|[^-\w])--[a-z]{2,}|pensionaudit (verify|init|import|check|decide|signoff|reopen|village|user)|\((supervisor|clerk|auditor)\)|（(supervisor|clerk|auditor|reopen|check)）`)

func TestNoCommandLineWordsOutsideTheCommandLine(t *testing.T) {
	for _, root := range []string{".", "../audit"} {
		filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "cli" || d.Name() == "internal" || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				s, err := strconv.Unquote(lit.Value)
				if err == nil && cliWords.MatchString(s) && !strings.HasPrefix(s, "_") {
					t.Errorf("%s: a command-line word in %q", fset.Position(lit.Pos()), s)
				}
				return true
			})
			return nil
		})
	}
}
