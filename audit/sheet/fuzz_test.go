package sheet

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"pensionaudit/audit"
)

func addSeeds(f *testing.F, patterns ...string) {
	for _, pat := range patterns {
		files, _ := filepath.Glob(pat)
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
}

// scanAll runs every kind's reader over a workbook; it must never panic and
// every record must point at a real row.
func scanAll(t *testing.T, wb Workbook) {
	for _, k := range []audit.Kind{audit.KindPayouts, audit.KindDeaths, audit.KindDeregistrations} {
		_, _ = Scan(context.Background(), wb, Options{Kind: k, File: "fuzz"}, func(r *audit.Record) error {
			if r.Row < 1 {
				t.Fatalf("record without a row: %+v", r)
			}
			for _, p := range r.Problems {
				if p.Reason == "" {
					t.Fatalf("problem without reason: %+v", p)
				}
			}
			return nil
		})
	}
}

func FuzzReadCSV(f *testing.F) {
	addSeeds(f, filepath.Join(samples, "deaths", "*.csv"), filepath.Join(samples, "*.csv"), "testdata/*.csv")
	f.Add([]byte("姓名,身份证号码,死亡日期\n张三,430422196112112507,2022-02-04\n"))
	f.Add([]byte("\xef\xbb\xbf序号\t姓名\t身份证号\t死亡日期\n1\t\"李\n四\"\t4.30422E+17\t44575\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := ParseCSV(data)
		if err != nil {
			return
		}
		scanAll(t, &memBook{format: FormatCSV, names: []string{"csv"}, sheets: map[string][][]string{"csv": rows}})
	})
}

func FuzzReadXLS(f *testing.F) {
	addSeeds(f, filepath.Join(samples, "deaths", "*.xls"), "testdata/*.xls")
	f.Fuzz(func(t *testing.T, data []byte) {
		wb, err := ParseXLS(data)
		if err != nil {
			return
		}
		scanAll(t, wb)
	})
}
