// Command corpuscheck reads public spreadsheet test corpora with audit/sheet
// and compares every cell with LibreOffice's reading of the same file. Run by
// hand (it needs soffice and the corpora, fetched e.g. from
// github:python-excel/xlrd, github:apache/poi test-data/spreadsheet and
// github:ExcelDataReader/ExcelDataReader src/TestData):
//
//	go run ./audit/internal/corpuscheck [-lo] [-v] FILE_OR_DIR...
//
// Without -lo it only reports which files our readers refuse, and why.
// Differences that are LibreOffice's own: its CSV export formats dates and
// percentages, recalculates formulas (Err:504 where the file caches a value),
// drops leading empty rows (every later row of that sheet then differs) and
// shows a pivot table's refreshed labels.
//
// Last run (2026-12-02), cells agreeing / differing / refused:
//
//	xlrd + POI (763 files)   .xls 267/134/22 (before #12: 257/144/22)   .xlsx 246/68/23 (245/69/23)
//	ExcelDataReader (222)    .xls 53/34/25 (49/36/27)                     .xlsx 64/21/13 (same)
package main

import (
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"pensionaudit/audit/sheet"
)

func main() {
	useLO := flag.Bool("lo", false, "compare with LibreOffice's CSV export")
	loDir := flag.String("lodir", "", "reuse LibreOffice's output folder from an earlier run")
	verbose := flag.Bool("v", false, "print every difference")
	flag.Parse()
	var files []string
	for _, a := range flag.Args() {
		filepath.Walk(a, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				switch strings.ToLower(filepath.Ext(p)) {
				case ".xls", ".xlsx", ".xlsm", ".csv":
					files = append(files, p)
				}
			}
			return nil
		})
	}
	sort.Strings(files)
	tmp, _ := os.MkdirTemp("", "corpuscheck-")
	defer os.RemoveAll(tmp)
	stats := map[string]int{}
	reasons := map[string][]string{}
	out := *loDir
	if *useLO && out == "" {
		out = libreofficeBatch(tmp, files)
	}
	for i, f := range files {
		ext := strings.ToLower(filepath.Ext(f))
		ours, err := readAll(f)
		var lo map[string][][]string
		if out != "" {
			lo = loadLO(out, i)
			if lo == nil && err == nil {
				stats[ext+" LibreOffice gave nothing or too big"]++
				continue
			}
		}
		switch {
		case err != nil && lo != nil && len(lo) > 0:
			stats[ext+" refused, LibreOffice reads it"]++
			reasons[ext+" refused"] = append(reasons[ext+" refused"], filepath.Base(f)+": "+err.Error())
		case err != nil:
			stats[ext+" refused (LibreOffice too, or not asked)"]++
			reasons[ext+" refused*"] = append(reasons[ext+" refused*"], filepath.Base(f)+": "+err.Error())
		case lo == nil:
			stats[ext+" read"]++
		default:
			diffs := compare(ours, lo)
			if len(diffs) == 0 {
				stats[ext+" agree"]++
			} else {
				stats[ext+" differ"]++
				if *verbose {
					for _, d := range diffs[:min(5, len(diffs))] {
						fmt.Printf("  %s: %s\n", filepath.Base(f), d)
					}
				}
				reasons[ext+" differ"] = append(reasons[ext+" differ"], filepath.Base(f)+": "+diffs[0])
			}
		}
	}
	keys := make([]string, 0, len(stats))
	for k := range stats {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Printf("%-45s %d\n", k, stats[k])
	}
	for k, rs := range reasons {
		fmt.Printf("\n## %s (%d)\n", k, len(rs))
		for _, r := range rs {
			fmt.Println("  " + r)
		}
	}
}

// readAll reads every sheet with the raw readers: sheet → rows (by number).
func readAll(path string) (map[string][][]string, error) {
	done := make(chan struct{})
	var out map[string][][]string
	var err error
	go func() {
		defer close(done)
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("PANIC %v", p)
			}
		}()
		out, err = read(path)
	}()
	select {
	case <-done:
		return out, err
	case <-time.After(60 * time.Second):
		return nil, fmt.Errorf("HANG")
	}
}

func read(path string) (map[string][][]string, error) {
	wb, err := sheet.Open(path)
	if err != nil {
		return nil, err
	}
	defer wb.Close()
	out := map[string][][]string{}
	for _, s := range wb.Sheets() {
		it, err := wb.Rows(s)
		if err != nil {
			return nil, err
		}
		var rows [][]string
		for it.Next() {
			n, cells := it.Row()
			for len(rows) < n-1 {
				rows = append(rows, nil)
			}
			rows = append(rows, append([]string(nil), cells...))
		}
		err = it.Err()
		it.Close()
		if err != nil {
			return nil, fmt.Errorf("sheet %q: %w", s, err)
		}
		out[s] = rows
	}
	return out, nil
}

// libreofficeBatch converts the files in batches of 40 per soffice run (its
// start-up dominates) and returns each file's sheets.
func libreofficeBatch(tmp string, files []string) string {
	in := filepath.Join(tmp, "in")
	out := filepath.Join(tmp, "out")
	os.MkdirAll(in, 0o755)
	os.MkdirAll(out, 0o755)
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = filepath.Join(in, fmt.Sprintf("f%04d%s", i, strings.ToLower(filepath.Ext(f))))
		data, _ := os.ReadFile(f)
		os.WriteFile(names[i], data, 0o644)
	}
	for start := 0; start < len(names); start += 40 {
		end := min(start+40, len(names))
		args := append([]string{"--headless", "--norestore", "--convert-to",
			"csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1", "--outdir", out}, names[start:end]...)
		cmd := exec.Command("soffice", args...)
		done := make(chan error, 1)
		cmd.Start()
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Minute):
			cmd.Process.Kill()
		}
		fmt.Fprintf(os.Stderr, "LibreOffice: %d/%d\n", end, len(names))
	}
	return out
}

// loadLO reads LibreOffice's CSV output for file number i (nil when there is
// none, or when it is too big to hold: those files are not compared).
func loadLO(out string, i int) map[string][][]string {
	base := fmt.Sprintf("f%04d", i)
	m := map[string][][]string{}
	matches, _ := filepath.Glob(filepath.Join(out, base+"*.csv"))
	for _, p := range matches {
		if st, err := os.Stat(p); err != nil || st.Size() > 20<<20 {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		r := csv.NewReader(bytes.NewReader(b))
		r.FieldsPerRecord = -1
		r.LazyQuotes = true
		rows, _ := r.ReadAll()
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(p), base), ".csv")
		m[strings.TrimPrefix(name, "-")] = rows
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

// compare matches our sheets with LibreOffice's by name (or the only sheet)
// and returns the differing cells.
func compare(ours, lo map[string][][]string) []string {
	var diffs []string
	for name, rows := range ours {
		theirs, ok := lo[name]
		if !ok && len(lo) == 1 {
			for _, v := range lo {
				theirs, ok = v, true
			}
		}
		if !ok {
			continue // hidden sheets, chart sheets: LibreOffice names differ
		}
		n := max(len(rows), len(theirs))
		for r := 0; r < n; r++ {
			var a, b []string
			if r < len(rows) {
				a = rows[r]
			}
			if r < len(theirs) {
				b = theirs[r]
			}
			for c := 0; c < max(len(a), len(b)); c++ {
				var x, y string
				if c < len(a) {
					x = a[c]
				}
				if c < len(b) {
					y = b[c]
				}
				if !same(x, y) {
					diffs = append(diffs, fmt.Sprintf("%s!R%dC%d ours=%q lo=%q", name, r+1, c+1, cut(x), cut(y)))
				}
			}
		}
	}
	return diffs
}

func same(x, y string) bool {
	x, y = strings.TrimSpace(x), strings.TrimSpace(y)
	if x == y {
		return true
	}
	fx, err1 := strconv.ParseFloat(x, 64)
	fy, err2 := strconv.ParseFloat(y, 64)
	if err1 == nil && err2 == nil {
		d := fx - fy
		if d < 0 {
			d = -d
		}
		return d <= 1e-9*max(1, abs(fx))
	}
	bools := map[string]string{"1": "TRUE", "0": "FALSE", "true": "TRUE", "false": "FALSE"}
	if bools[x] != "" && bools[x] == strings.ToUpper(y) {
		return true
	}
	x = strings.ReplaceAll(strings.ReplaceAll(x, "\r\n", "\n"), "\r", "\n")
	y = strings.ReplaceAll(strings.ReplaceAll(y, "\r\n", "\n"), "\r", "\n")
	return x == y
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func cut(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
