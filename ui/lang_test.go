package ui

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
)

// English chosen in Settings: the window's words come from assets/lang
// through Fyne's lang. Fyne's translations are global, so this runs in a
// child process of the test binary.
func TestEnglishChosenInSettings(t *testing.T) {
	if os.Getenv("PENSIONAUDIT_LANG_CHILD") == "1" {
		a := test.NewTempApp(t)
		a.Preferences().SetString(prefLanguage, "English")
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
