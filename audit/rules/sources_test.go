package rules

import (
	"testing"
	"time"

	"pensionaudit/audit"
)

// payIn is a one-row roster of a payee for month m.
func payIn(who string, p audit.Month, amount audit.Fen) Payout {
	return Payout{ID: who, IDOK: true, Name: "甲", Village: "某村", Month: p, Amount: amount, HasAmount: true, PayType: audit.PayNormal,
		File: "花名册.xlsx", Row: 3, RosterMonth: p}
}

// A sentence suspends the months after the entry month up to the month
// before release; with PrisonFromEntryMonth the entry month too.
func TestImprisonedMonths(t *testing.T) {
	const pid = "430422196112112507"
	prison := SourceRow{Source: "prison", ID: pid, IDOK: true, Name: "甲", Start: day(2024, 3, 20), End: day(2024, 6, 2), File: "服刑.xlsx", Row: 2}
	for _, c := range []struct {
		p         audit.Month
		fromEntry bool
		want      bool
	}{
		{audit.MakeMonth(2024, 3), false, false}, {audit.MakeMonth(2024, 3), true, true},
		{audit.MakeMonth(2024, 4), false, true}, {audit.MakeMonth(2024, 5), false, true},
		{audit.MakeMonth(2024, 6), false, false}, {audit.MakeMonth(2024, 2), true, false},
	} {
		s := DefaultSettings()
		s.PrisonFromEntryMonth = c.fromEntry
		in := &Input{Period: c.p, Settings: s, Payouts: []Payout{payIn(pid, c.p, 15000)}, Sources: []SourceRow{prison}, Payees: map[string]*Payee{}}
		got := 0
		for _, f := range Run(in) {
			if f.Rule == PaidWhileImprisoned {
				got++
				if f.Amount != 15000 {
					t.Errorf("%s: amount %s", c.p, f.Amount)
				}
			}
		}
		if (got == 1) != c.want {
			t.Errorf("%s (from entry %v): %d findings, want %v", c.p, c.fromEntry, got, c.want)
		}
	}
	// without an end date: suspended from then on
	open := prison
	open.End = time.Time{}
	in := &Input{Period: audit.MakeMonth(2026, 1), Settings: DefaultSettings(), Payouts: []Payout{payIn(pid, audit.MakeMonth(2026, 1), 15000)},
		Sources: []SourceRow{open}, Payees: map[string]*Payee{}}
	if n := countRule(Run(in), PaidWhileImprisoned); n != 1 {
		t.Errorf("an open sentence: %d findings", n)
	}
}

func countRule(fs []Finding, rule string) int {
	n := 0
	for _, f := range fs {
		if f.Rule == rule {
			n++
		}
	}
	return n
}

// The certification interval counts whole months: 12 months after the last
// certification is still in time, 13 is overdue; a later certification
// does not count for an earlier month; nobody without a record is flagged.
func TestCertificationInterval(t *testing.T) {
	const pid = "430422196112112507"
	cert := SourceRow{Source: "certification", ID: pid, IDOK: true, Start: day(2023, 3, 31), Detail: "人脸识别"}
	later := SourceRow{Source: "certification", ID: pid, IDOK: true, Start: day(2024, 5, 1)}
	failed := SourceRow{Source: "certification", ID: pid, IDOK: true, Start: day(2024, 4, 2), Result: "未通过"}
	for p, want := range map[audit.Month]int{audit.MakeMonth(2024, 3): 0, audit.MakeMonth(2024, 4): 1, audit.MakeMonth(2024, 5): 0} {
		in := &Input{Period: p, Settings: DefaultSettings(), Payouts: []Payout{payIn(pid, p, 15000), payIn("11010519491231002X", p, 15000)},
			Sources: []SourceRow{cert, later, failed}, Payees: map[string]*Payee{}}
		if n := countRule(Run(in), CertificationOverdue); n != want {
			t.Errorf("%s: %d overdue, want %d", p, n, want)
		}
	}
}

// One operator behind at least half of the month's back-payments,
// resumptions and raises, and at least the minimum: a finding about the
// operator; below either threshold, none.
func TestOperatorConcentration(t *testing.T) {
	mar := audit.MakeMonth(2024, 3)
	rows := func(byA, byB int) []Payout {
		var out []Payout
		for i := 0; i < byA+byB; i++ {
			p := payIn("id"+string(rune('a'+i)), mar, 1000)
			p.PayType, p.Operator = audit.PayResumed, "甲某"
			if i >= byA {
				p.Operator = "乙某"
			}
			out = append(out, p)
		}
		return append(out, payIn("normal", mar, 99999)) // a regular payment counts for nobody
	}
	for _, c := range []struct{ a, b, want int }{{5, 5, 1}, {5, 6, 0}, {4, 0, 0}, {6, 1, 1}} {
		in := &Input{Period: mar, Settings: DefaultSettings(), Payouts: rows(c.a, c.b), Payees: map[string]*Payee{}}
		n := 0
		for _, f := range Run(in) {
			if f.Rule != OperatorConcentration || f.Name != "甲某" {
				continue
			}
			n++
			if f.Amount != audit.Fen(1000*c.a) || f.IDNumber != "" {
				t.Errorf("amount %s, want %d fen; ID %q", f.Amount, 1000*c.a, f.IDNumber)
			}
		}
		if n != c.want {
			t.Errorf("甲某 %d of %d: %d findings, want %d", c.a, c.a+c.b, n, c.want)
		}
	}
}

// The weighing: two sources that agree confirm; one source, sources more
// than a month apart, or a certification after the death leave it to
// verify.
func TestWeigh(t *testing.T) {
	ev := func(kind, date string) audit.Evidence { return audit.Evidence{Kind: kind, Date: date} }
	for _, c := range []struct {
		name string
		ev   []audit.Evidence
		want string
	}{
		{"village alone", []audit.Evidence{ev("village_report", "2024-01-09"), ev("payout", "")}, audit.EvidenceToVerify},
		{"village and police agree", []audit.Evidence{ev("village_report", "2024-01-09"), ev("deregistration", "2024-01-09")}, audit.EvidenceConfirmed},
		{"cremation and grant", []audit.Evidence{ev("cremation", "2024-01-11"), ev("funeral_grant", "2024-02-20")}, audit.EvidenceConfirmed},
		{"three months apart", []audit.Evidence{ev("village_report", "2024-01-09"), ev("deregistration", "2024-04-02")}, audit.EvidenceToVerify},
		{"certified after", []audit.Evidence{ev("village_report", "2024-01-09"), ev("deregistration", "2024-01-09"), ev("certification", "2024-01-25")}, audit.EvidenceToVerify},
		{"certified before", []audit.Evidence{ev("village_report", "2024-01-09"), ev("deregistration", "2024-01-09"), ev("certification", "2023-12-25")}, audit.EvidenceConfirmed},
	} {
		if got, why := Weigh(PaidAfterDeath, c.ev); got != c.want || why == "" {
			t.Errorf("%s: %s (%s), want %s", c.name, got, why, c.want)
		}
	}
	if got, _ := Weigh(PossibleMatch, nil); got != audit.EvidenceToVerify {
		t.Errorf("a namesake is confirmed")
	}
}

// A certification that did not pass is no sign of life: a death followed
// by one stays confirmed by its two sources; a funeral grant's own date of
// death decides from when payments are after it.
func TestFailedCertificationAndGrantDeath(t *testing.T) {
	const pid = "430422196112112507"
	mar := audit.MakeMonth(2024, 3)
	deaths := []Death{
		{Source: "village", ID: pid, IDOK: true, IsDeath: true, Name: "甲", DeathDate: day(2024, 1, 9), Period: audit.MakeMonth(2024, 1)},
		{Source: "deregistration", ID: pid, IDOK: true, IsDeath: true, Name: "甲", DeathDate: day(2024, 1, 9), DeregDate: day(2024, 1, 20)},
	}
	for _, c := range []struct {
		result, want string
	}{{"未通过", audit.EvidenceConfirmed}, {"通过", audit.EvidenceToVerify}, {"待复核", audit.EvidenceConfirmed}} {
		in := &Input{Period: mar, Settings: DefaultSettings(), Payouts: []Payout{payIn(pid, mar, 15000)}, Deaths: deaths,
			Sources: []SourceRow{{Source: "certification", ID: pid, IDOK: true, Start: day(2024, 2, 10), Result: c.result}},
			Payees:  map[string]*Payee{pid: {ID: pid, Name: "甲"}}, RosterMonths: []audit.Month{mar}}
		for _, f := range Run(in) {
			if f.Rule == PaidAfterDeath {
				if got, why := Weigh(f.Rule, f.Evidence); got != c.want {
					t.Errorf("certification %q after the death: %s (%s), want %s", c.result, got, why, c.want)
				}
			}
		}
	}
	// a grant paid in March for a death in January: February is already after it
	grant := SourceRow{Source: "funeral_grant", ID: pid, IDOK: true, Start: day(2024, 3, 5), Died: day(2024, 1, 20), Amount: 200000, HasAmount: true}
	feb := audit.MakeMonth(2024, 2)
	in := &Input{Period: feb, Settings: DefaultSettings(), Payouts: []Payout{payIn(pid, feb, 15000)}, Sources: []SourceRow{grant},
		Payees: map[string]*Payee{}, RosterMonths: []audit.Month{feb, mar}}
	if n := countRule(Run(in), PaidAfterFuneralGrant); n != 1 {
		t.Errorf("paid in February after a death in January the grant records: %d findings", n)
	}
}
