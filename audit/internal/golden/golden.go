// Package golden compares test output with files kept under testdata and
// rewrites them when a test binary runs with -update.
package golden

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Update is set by -update: Check rewrites the golden files it compares.
var Update = flag.Bool("update", false, "rewrite golden files")

// Check fails t when got differs from the file at path, naming the first
// line that differs; with -update it writes got there first.
func Check(t testing.TB, path, got string) {
	t.Helper()
	if *Update {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (rerun the test with -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (rerun with -update after checking):\n%s", path, FirstDiff(string(want), got))
	}
}

// FirstDiff names the first line where got differs from want.
func FirstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var x, y string
		if i < len(wl) {
			x = wl[i]
		}
		if i < len(gl) {
			y = gl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n want %q\n got  %q", i+1, x, y)
		}
	}
	return ""
}
