// Command winres writes the Windows resource section (rsrc_windows_amd64.syso,
// linked by go build into the .exe) and the installer's version file from
// FyneApp.toml: make windows runs it.
//
//	go run ./internal/winapp/winres FyneApp.toml rsrc_windows_amd64.syso bin/windows/version.nsh bin/windows/icon.ico
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/tc-hib/winres"

	"pensionaudit/internal/winapp"
)

func main() {
	if len(os.Args) != 5 {
		fmt.Fprintln(os.Stderr, "用法：winres FyneApp.toml 输出.syso 输出.nsh 输出.ico")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], os.Args[3], os.Args[4]); err != nil {
		fmt.Fprintln(os.Stderr, "winres:", err)
		os.Exit(1)
	}
}

func run(tomlPath, syso, nsh, ico string) error {
	m, err := winapp.ReadMeta(tomlPath)
	if err != nil {
		return err
	}
	icon, err := os.Open(filepath.Join(filepath.Dir(tomlPath), m.Icon))
	if err != nil {
		return err
	}
	defer icon.Close()
	rs, err := winapp.Resources(m, icon)
	if err != nil {
		return err
	}
	if err := winapp.CheckSet(rs, m); err != nil {
		return err
	}
	if err := winapp.WriteSyso(rs, syso); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(nsh), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(nsh, []byte(winapp.NSISDefines(m)), 0o644); err != nil {
		return err
	}
	// the installer's own icon, the same multi-size icon
	ic, err := rs.GetIcon(winres.Name("APPICON"))
	if err != nil {
		return err
	}
	f, err := os.Create(ico)
	if err != nil {
		return err
	}
	if err := ic.SaveICO(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
