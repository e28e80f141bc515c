package county_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"pensionaudit/audit"
	"pensionaudit/audit/bundle"
	"pensionaudit/audit/county"
	"pensionaudit/audit/county/countygen"
	"pensionaudit/audit/internal/pgtest"
)

// Several county staff import at once: every township's months land, none
// twice; the same file sent by two people at once lands once, the other
// told it is already there.
func TestParallelImports(t *testing.T) {
	for _, name := range pgtest.Names {
		t.Run(name, func(t *testing.T) {
			dsn := pgtest.Named(t, name)
			if dsn == "" {
				t.Skip("no PostgreSQL server")
			}
			ctx := context.Background()
			s, err := county.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			s.Init(ctx, "测试县")
			s.AddUser(ctx, nil, "县审核", audit.RoleSupervisor, "county-secret-1")
			u, err := s.Login(ctx, "县审核", "county-secret-1")
			if err != nil {
				t.Fatal(err)
			}
			var files [][]byte
			for i := 0; i < 4; i++ {
				tw, _ := countygen.NewTownship(i)
				if err := s.Enrol(ctx, u, tw.Name, tw.Fingerprint()); err != nil {
					t.Fatal(err)
				}
				for m := 0; m < 3; m++ {
					d, err := tw.Month(audit.MakeMonth(2024, 1)+audit.Month(m), 500, 2, 1, time.Date(2024, 2+time.Month(m), 5, 9, 0, 0, 0, time.Local))
					if err != nil {
						t.Fatal(err)
					}
					files = append(files, d)
				}
			}
			var wg sync.WaitGroup
			errs := make([]error, len(files))
			// each township's months in order, the townships at once; and
			// the first file twice
			for i := 0; i < 4; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					for m := 0; m < 3; m++ {
						errs[i*3+m] = func() error { _, err := s.Import(ctx, u, files[i*3+m]); return err }()
					}
				}(i)
			}
			var dupErr error
			wg.Add(1)
			go func() { defer wg.Done(); _, dupErr = s.Import(ctx, u, files[0]) }()
			wg.Wait()
			failed := 0
			for i, err := range errs {
				if err != nil {
					failed++
					if i != 0 || !bundle.IsRefusal(err) {
						t.Errorf("file %d: %v", i, err)
					}
				}
			}
			if dupErr != nil {
				failed++
				if !bundle.IsRefusal(dupErr) {
					t.Errorf("the same file twice at once: %v", dupErr)
				}
			}
			if failed != 1 {
				t.Errorf("%d imports refused, want exactly the duplicate", failed)
			}
			g, err := s.Status(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range g.List() {
				if c.State != county.OnTime {
					t.Errorf("%s %s: %s", c.Township, c.Period, c.State)
				}
			}
		})
	}
}
