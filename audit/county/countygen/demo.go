package countygen

import (
	"context"
	"time"

	"pensionaudit/audit"
	"pensionaudit/audit/county"
)

// Demo fills a new county store with a demo county: 6 townships reporting
// January to April 2024 with 300 payees each — 第02镇 skips February, 第03镇
// reports January late, 第04镇 reopens March and reports it again, 第05镇
// never reports April; some payees paid in two townships, some dead in
// one township and paid in another. The accounts: 县审核 (supervisor) and
// 县经办 (clerk), password DemoPassword.
func Demo(ctx context.Context, s *county.Store) error { return DemoSized(ctx, s, 6, 300, 4, nil) }

// DemoSized is Demo at another size: townships × months of payees each (30
// × 12 × 10,000 is the county of the benchmarks: 3.6 million payee
// months); progress, when not nil, is told each report imported.
func DemoSized(ctx context.Context, s *county.Store, townships, payees, months int, progress func(done, total int)) error {
	if err := s.Init(ctx, "演示县"); err != nil {
		return err
	}
	if err := s.AddUser(ctx, nil, "县审核", audit.RoleSupervisor, DemoPassword); err != nil {
		return err
	}
	boss, err := s.Login(ctx, "县审核", DemoPassword)
	if err != nil {
		return err
	}
	if err := s.AddUser(ctx, boss, "县经办", audit.RoleClerk, DemoPassword); err != nil {
		return err
	}
	var ts []*Township
	for i := 0; i < townships; i++ {
		t, err := NewTownship(i)
		if err != nil {
			return err
		}
		if err := s.Enrol(ctx, boss, t.Name, t.Fingerprint()); err != nil {
			return err
		}
		ts = append(ts, t)
	}
	done := 0
	for mi := 0; mi < months; mi++ {
		m := audit.MakeMonth(2024, 1) + audit.Month(mi)
		next := m + 1
		for i, t := range ts {
			day := 5 + i
			switch {
			case i == 1 && mi == 1, i == 4 && mi == months-1:
				continue // not reported
			case i == 2 && mi == 0:
				day = 20 // late
			}
			at := time.Date(next.Year(), time.Month(next.Mon()), day, 9, 0, 0, 0, time.Local)
			data, err := t.Month(m, payees, 3, 2, at)
			if err != nil {
				return err
			}
			if _, err := s.Import(ctx, boss, data); err != nil {
				return err
			}
			done++
			if progress != nil {
				progress(done, townships*months)
			}
			if i == 3 && mi == 2 { // reopened and reported again
				data, err := t.Month(m, payees, 3, 2, at.AddDate(0, 0, 12))
				if err != nil {
					return err
				}
				if _, err := s.Import(ctx, boss, data); err != nil {
					return err
				}
			}
		}
	}
	return s.Analyze(ctx)
}

// DemoPassword is the demo county's accounts' password.
const DemoPassword = "demo-county-2024"
