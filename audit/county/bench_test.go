package county_test

import (
	"context"
	"testing"
	"time"

	"pensionaudit/audit"
	"pensionaudit/audit/county"
	"pensionaudit/audit/county/countygen"
	"pensionaudit/audit/internal/pgtest"
)

// Targets (issue 22), on this 2-core machine: a month bundle of 10,000
// payees imported in under 1 s; the county's cross-township check of a
// month (30 townships × 10,000 payees) under 5 s; the reporting grid
// (30 townships × 12 months) under 300 ms. Each runs on SQLite and, with
// a server (make bench starts one), PostgreSQL.

func setup(b *testing.B, dsn string, townships int) (*county.Store, []*countygen.Township, *county.User) {
	b.Helper()
	ctx := context.Background()
	s, err := county.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	s.Init(ctx, "测试县")
	if err := s.AddUser(ctx, nil, "县审核", audit.RoleSupervisor, "county-secret-1"); err != nil {
		b.Fatal(err)
	}
	u, _ := s.Login(ctx, "县审核", "county-secret-1")
	var ts []*countygen.Township
	for i := 0; i < townships; i++ {
		t, err := countygen.NewTownship(i)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Enrol(ctx, u, t.Name, t.Fingerprint()); err != nil {
			b.Fatal(err)
		}
		ts = append(ts, t)
	}
	return s, ts, u
}

func BenchmarkCountyImportBundle(b *testing.B) {
	for _, name := range pgtest.Names {
		b.Run(name, func(b *testing.B) {
			dsn := pgtest.Named(b, name)
			if dsn == "" {
				b.Skip("no PostgreSQL server")
			}
			s, ts, u := setup(b, dsn, 1)
			ctx := context.Background()
			m := audit.MakeMonth(2024, 1)
			var data [][]byte
			for i := 0; i < b.N; i++ {
				d, err := ts[0].Month(m+audit.Month(i), 10000, 0, 0, time.Date(2024, 2, 5, 9, 0, 0, 0, time.Local).AddDate(0, i, 0))
				if err != nil {
					b.Fatal(err)
				}
				data = append(data, d)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := s.Import(ctx, u, data[i]); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/bundle")
		})
	}
}

// county fills a store with `townships` townships × `months` months of
// `payees` payees (100 paid in two townships, 20 dead in another).
func county12(b *testing.B, dsn string, townships, months, payees int) *county.Store {
	s, ts, u := setup(b, dsn, townships)
	ctx := context.Background()
	for mi := 0; mi < months; mi++ {
		m := audit.MakeMonth(2024, 1) + audit.Month(mi)
		for _, t := range ts {
			d, err := t.Month(m, payees, 100, 20, time.Date(2024, 2, 5, 9, 0, 0, 0, time.Local).AddDate(0, mi, 0))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s.Import(ctx, u, d); err != nil {
				b.Fatal(err)
			}
		}
	}
	return s
}

func BenchmarkCountyCrossCheck(b *testing.B) {
	for _, name := range pgtest.Names {
		b.Run(name, func(b *testing.B) {
			dsn := pgtest.Named(b, name)
			if dsn == "" {
				b.Skip("no PostgreSQL server")
			}
			s := county12(b, dsn, 30, 2, 10000)
			ctx := context.Background()
			if err := s.Analyze(ctx); err != nil { // as county import does after loading
				b.Fatal(err)
			}
			b.ResetTimer()
			var n int
			for i := 0; i < b.N; i++ {
				fs, err := s.Flags(ctx, audit.MakeMonth(2024, 2))
				if err != nil {
					b.Fatal(err)
				}
				n = len(fs)
			}
			b.ReportMetric(float64(n), "findings")
			if n == 0 {
				b.Fatal("no cross-township findings")
			}
		})
	}
}

func BenchmarkCountyGrid(b *testing.B) {
	for _, name := range pgtest.Names {
		b.Run(name, func(b *testing.B) {
			dsn := pgtest.Named(b, name)
			if dsn == "" {
				b.Skip("no PostgreSQL server")
			}
			s := county12(b, dsn, 30, 12, 50)
			ctx := context.Background()
			if err := s.Analyze(ctx); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				g, err := s.Status(ctx, 0)
				if err != nil || len(g.Townships) != 30 || len(g.Months) != 12 {
					b.Fatalf("%v %v", g, err)
				}
			}
		})
	}
}
