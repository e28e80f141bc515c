package winapp

import (
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tc-hib/winres"
)

func meta(t *testing.T) Meta {
	t.Helper()
	m, err := ReadMeta(filepath.Join("..", "..", "FyneApp.toml"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func resources(t *testing.T, m Meta) *winres.ResourceSet {
	t.Helper()
	icon, err := os.Open(filepath.Join("..", "..", m.Icon))
	if err != nil {
		t.Fatal(err)
	}
	defer icon.Close()
	rs, err := Resources(m, icon)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// The resource section carries the icon in every size, FyneApp.toml's name
// and version, and a manifest for the invoker on Windows 10; the check
// notices each one missing or wrong.
func TestResources(t *testing.T) {
	m := meta(t)
	rs := resources(t, m)
	if err := CheckSet(rs, m); err != nil {
		t.Fatalf("the resources made: %v", err)
	}
	// the object file go build links is written
	syso := filepath.Join(t.TempDir(), "rsrc_windows_amd64.syso")
	if err := WriteSyso(rs, syso); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(syso); err != nil || st.Size() < 10000 {
		t.Errorf("syso: %v", err)
	}
	// another version than FyneApp.toml's
	other := m
	other.Version = "9.9.9"
	if err := CheckSet(rs, other); err == nil || !strings.Contains(err.Error(), "version") {
		t.Errorf("a wrong version passed: %v", err)
	}
	// an icon of two sizes only
	small := &winres.ResourceSet{}
	img := image.NewRGBA(image.Rect(0, 0, 32, 32))
	ic, _ := winres.NewIconFromImages([]image.Image{img, image.NewRGBA(image.Rect(0, 0, 16, 16))})
	small.SetIcon(winres.Name("APPICON"), ic)
	err := CheckSet(small, m)
	if err == nil || !strings.Contains(err.Error(), "no 256 px") || !strings.Contains(err.Error(), "no version") || !strings.Contains(err.Error(), "no manifest") {
		t.Errorf("a bare resource set: %v", err)
	}
	// the installer's version file names the same version
	if nsh := NSISDefines(m); !strings.Contains(nsh, `!define VERSION "`+m.Version+`"`) || !strings.Contains(nsh, m.Name) {
		t.Errorf("nsh: %s", nsh)
	}
}

// The built .exe (make smoke-windows sets PENSIONAUDIT_EXE) carries the
// resources: read back from the file itself.
func TestBuiltEXE(t *testing.T) {
	exe := os.Getenv("PENSIONAUDIT_EXE")
	if exe == "" {
		t.Skip("PENSIONAUDIT_EXE not set (make smoke-windows sets it)")
	}
	f, err := os.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := Check(f, meta(t)); err != nil {
		t.Fatalf("%s: %v", exe, err)
	}
}
