// Command gen writes the damaged-file corpus (see package damaged):
//
//	go run ./audit/internal/damaged/gen [-out audit/workspace/testdata/damaged]
//
// The .xls cases start from base_roster.xls, the base roster converted by
// LibreOffice (`-xls` redoes that conversion; it needs soffice on PATH).
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"pensionaudit/audit/internal/damaged"
)

func main() {
	out := flag.String("out", "audit/workspace/testdata/damaged", "folder to write")
	redoXLS := flag.Bool("xls", false, "convert the base roster to .xls again with LibreOffice")
	flag.Parse()
	base := "audit/internal/damaged/base_roster.xls"
	if *redoXLS {
		if err := convert(base); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
	}
	xls, err := os.ReadFile(base)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if err := damaged.Generate(*out, xls); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %d damaged files to %s\n", len(damaged.Cases), *out)
}

func convert(dst string) error {
	tmp, err := os.MkdirTemp("", "gen-xls-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	x, err := damaged.BaseXLSX()
	if err != nil {
		return err
	}
	src := filepath.Join(tmp, "base_roster.xlsx")
	if err := os.WriteFile(src, x, 0o644); err != nil {
		return err
	}
	cmd := exec.Command("soffice", "--headless", "--convert-to", "xls:MS Excel 97", "--outdir", tmp, src)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return err
	}
	b, err := os.ReadFile(filepath.Join(tmp, "base_roster.xls"))
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}
