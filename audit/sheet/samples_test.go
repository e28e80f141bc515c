package sheet

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pensionaudit/audit"
)

// samples is the shared sample township beside the project (written by
// LibreOffice, openpyxl, xlwt and a GBK exporter); its tests skip without it.
const samples = "../../../shared/samples"

func needSamples(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(samples); err != nil {
		t.Skip("跳过：没有 ../shared/samples（共享样本只在项目旁边有时才核对）")
	}
}

func scanFile(t *testing.T, path string, kind audit.Kind) (*Summary, []*audit.Record) {
	t.Helper()
	wb, err := Open(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer wb.Close()
	var recs []*audit.Record
	sum, err := Scan(context.Background(), wb, Options{Kind: kind, File: filepath.Base(path)}, func(r *audit.Record) error {
		recs = append(recs, r)
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return sum, recs
}

func TestSampleDeathReports(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(samples, "deaths", "*"))
	if len(files) == 0 {
		needSamples(t)
	}
	for _, f := range files {
		sum, recs := scanFile(t, f, audit.KindDeaths)
		if sum.DataRows != len(recs) {
			t.Errorf("%s: DataRows %d but %d records", f, sum.DataRows, len(recs))
		}
		if sum.NilReport != (len(recs) == 0) {
			t.Errorf("%s: nil report %v with %d rows", f, sum.NilReport, len(recs))
		}
		for _, r := range recs {
			if r.DeathDate.IsZero() || r.Name == "" {
				t.Errorf("%s row %d: incomplete %+v", f, r.Row, r)
			}
			for _, p := range r.Problems {
				t.Logf("%s row %d col %s (%s): %s [%s]", filepath.Base(f), p.Row, p.Column, p.Header, p.Reason, p.Level)
			}
		}
	}
}

func TestSampleTypoAndUpgrade(t *testing.T) {
	needSamples(t)
	_, recs := scanFile(t, filepath.Join(samples, "deaths", "新民社区_2022-02.csv"), audit.KindDeaths)
	var typo *audit.Record
	for _, r := range recs {
		if r.Name == "陆刚" {
			typo = r
		}
	}
	if typo == nil || typo.ID.OK() || !typo.HasError() || typo.Row != 4 || typo.Problems[0].Column != "D" {
		t.Fatalf("typo ID not reported as problem at row 4 column D: %+v", typo)
	}
	_, recs = scanFile(t, filepath.Join(samples, "deaths", "樟树村_2022-03.xlsx"), audit.KindDeaths)
	if len(recs) != 1 || recs[0].ID.Norm != "430422194103210069" || !recs[0].ID.Upgraded || recs[0].DeathDate.Format("2006-01-02") != "2022-03-21" {
		t.Fatalf("15-digit ID not upgraded: %+v", recs)
	}
}

func TestSamplePayouts(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(samples, "payouts_*"))
	if len(files) == 0 {
		needSamples(t)
	}
	for _, f := range files {
		sum, recs := scanFile(t, f, audit.KindPayouts)
		want := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "payouts_"), filepath.Ext(f))
		if len(sum.Months) != 1 {
			t.Errorf("%s: months %v", f, sum.Months)
		}
		for m := range sum.Months {
			if m.String() != want {
				t.Errorf("%s: month %s", f, m)
			}
		}
		if len(recs) < 1100 {
			t.Errorf("%s: only %d rows", f, len(recs))
		}
		for _, r := range recs {
			if r.HasError() {
				t.Errorf("%s row %d: %+v", f, r.Row, r.Problems)
			}
			if !r.HasAmount || r.Amount <= 0 || r.Village == "" || r.Account == "" {
				t.Errorf("%s row %d: incomplete %+v", f, r.Row, r)
			}
		}
		t.Logf("%s: %d rows, %d non-data, title %q", filepath.Base(f), len(recs), sum.NonData, sum.Title)
	}
}

func TestSampleDeregistrations(t *testing.T) {
	needSamples(t)
	_, recs := scanFile(t, filepath.Join(samples, "deregistrations.xlsx"), audit.KindDeregistrations)
	if len(recs) != 39 {
		t.Fatalf("got %d rows", len(recs))
	}
	deaths := 0
	for _, r := range recs {
		if audit.IsDeathReason(r.Reason) {
			deaths++
			if r.DeathDate.IsZero() {
				t.Errorf("row %d: no death date", r.Row)
			}
		}
	}
	t.Logf("%d deaths of %d", deaths, len(recs))
}
