package rules

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"pensionaudit/audit"
	"pensionaudit/audit/demo"
	"pensionaudit/audit/idcard"
)

func m(y, mo int) audit.Month { return audit.MakeMonth(y, mo) }

func day(y, mo, d int) time.Time { return time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC) }

// id makes a valid ID number for a birth date and a serial.
func id(birth time.Time, serial int) string {
	s := "430422" + birth.Format("20060102") + fmt.Sprintf("%03d", serial)
	return s + string(idcard.CheckDigit(s))
}

var (
	zhang = id(day(1950, 3, 1), 111) // male (odd 17th digit)
	li    = id(day(1948, 7, 9), 222)
	wang  = id(day(1955, 1, 2), 333)
	zhao  = id(day(1949, 5, 5), 445)
)

type world struct {
	in *Input
}

func newWorld(p audit.Month) *world {
	return &world{in: &Input{Period: p, Payees: map[string]*Payee{}, Reported: map[string]bool{}, Settings: DefaultSettings(),
		RosterMonths: []audit.Month{p}}}
}

func (w *world) pay(idn, name, village, account string, fen audit.Fen, t audit.PayType, note string) *world {
	w.in.Payouts = append(w.in.Payouts, Payout{File: "roster.xlsx", Sheet: "S", Row: len(w.in.Payouts) + 3, Village: village, Name: name,
		IDRaw: idn, ID: idn, IDOK: idcard.Normalize(idn).OK(), Account: account, Month: w.in.Period, Amount: fen, HasAmount: true,
		PayType: t, PayRaw: string(t), Note: note})
	if w.in.Payees[idn] == nil {
		w.in.Payees[idn] = &Payee{ID: idn, Name: name, Village: village}
	}
	return w
}

func (w *world) death(source, idn, name, village string, d time.Time, report audit.Month) *world {
	r := idcard.Normalize(idn)
	w.in.Deaths = append(w.in.Deaths, Death{File: source + ".xlsx", Sheet: "S", Row: len(w.in.Deaths) + 3, Source: source, Village: village,
		Name: name, IDRaw: idn, ID: r.Norm, IDOK: r.OK(), IDReason: r.Reason, DeathDate: d, IsDeath: true, Period: report})
	return w
}

func find(fs []Finding, rule, subject string) *Finding {
	for i := range fs {
		if fs[i].Rule == rule && (subject == "" || fs[i].IDNumber == subject || fs[i].Subject == subject) {
			return &fs[i]
		}
	}
	return nil
}

func count(fs []Finding, rule string) int {
	n := 0
	for _, f := range fs {
		if f.Rule == rule {
			n++
		}
	}
	return n
}

func TestPaidAfterDeathEdges(t *testing.T) {
	// Death on the last day of January: January is due, February is not.
	jan := newWorld(m(2022, 1)).pay(zhang, "张三", "东风村", "1", 20000, audit.PayNormal, "").
		death("village", zhang, "张三", "东风村", day(2022, 1, 31), m(2022, 1))
	if fs := Run(jan.in); count(fs, PaidAfterDeath) != 0 {
		t.Errorf("payout in the month of death flagged: %+v", fs)
	}
	feb := newWorld(m(2022, 2)).pay(zhang, "张三", "东风村", "1", 20000, audit.PayNormal, "").
		death("village", zhang, "张三", "东风村", day(2022, 1, 31), m(2022, 1))
	f := find(Run(feb.in), PaidAfterDeath, zhang)
	if f == nil || f.Amount != 20000 || len(f.Months) != 1 || f.Months[0] != m(2022, 2) || len(f.Evidence) != 2 {
		t.Fatalf("February after a January death: %+v", f)
	}
	// A death in December and a January payout: across the year.
	dec := newWorld(m(2022, 1)).pay(li, "李四", "东风村", "2", 15050, audit.PayNormal, "").
		death("deregistration", li, "李四", "", day(2021, 12, 1), 0)
	if f := find(Run(dec.in), PaidAfterDeath, li); f == nil || f.Amount != 15050 {
		t.Fatalf("January payout after a December death: %+v", f)
	}
	// The ID is the key: a death record whose name differs still counts —
	// paid after it is found — and the mismatch is asked about in every month
	// the number is paid, both spellings shown.
	for _, dead := range []string{"王五", "李泗", "李四\u200b"} {
		other := newWorld(m(2022, 3)).pay(li, "李四", "东风村", "2", 15050, audit.PayNormal, "").
			death("village", li, dead, "东风村", day(2022, 1, 5), m(2022, 1))
		fs := Run(other.in)
		if f := find(fs, PaidAfterDeath, li); f == nil || f.Amount != 15050 {
			t.Errorf("%s for 李四: paid_after_death %+v", dead, f)
		}
		mm := find(fs, IDNameMismatch, li)
		if mm == nil || !strings.Contains(mm.Detail, "李四") || !strings.Contains(mm.Detail, audit.Escape(dead, 30)) {
			t.Errorf("%s for 李四: id_name_mismatch %+v", dead, mm)
		}
	}
	// not paid and not the report's month: nothing to ask
	gone := newWorld(m(2022, 3)).pay(zhang, "张三", "东风村", "1", 100, audit.PayNormal, "").
		death("village", li, "王五", "东风村", day(2022, 1, 5), m(2022, 1))
	gone.in.Payees[li] = &Payee{ID: li, Name: "李四"}
	if count(Run(gone.in), IDNameMismatch) != 0 {
		t.Errorf("mismatch raised for a number no longer paid")
	}
}

func TestBackpayCoveringMonthsBeforeAndAfterDeath(t *testing.T) {
	// Died 2022-02-10; paid in May a 补发 for 2022年1-4月 (4 months, 40000 fen):
	// January and February were due, March and April were not.
	w := newWorld(m(2022, 5)).pay(wang, "王五", "柳塘村", "3", 40000, audit.PayBack, "补发2022年1-4月").
		death("village", wang, "王五", "柳塘村", day(2022, 2, 10), m(2022, 2))
	fs := Run(w.in)
	b := find(fs, BackpayAfterDeath, wang)
	if b == nil || b.Amount != 20000 || len(b.Months) != 2 || b.Months[0] != m(2022, 3) || b.Months[1] != m(2022, 4) {
		t.Fatalf("backpay: %+v", b)
	}
	if p := find(fs, PaidAfterDeath, wang); p == nil || p.Amount != 20000 {
		t.Fatalf("paid_after_death counts only the improper part: %+v", p)
	}
	// A back-payment only for months before death (owed to the estate) is not flagged.
	w2 := newWorld(m(2022, 5)).pay(wang, "王五", "柳塘村", "3", 20000, audit.PayBack, "补发2021年12月至2022年1月").
		death("village", wang, "王五", "柳塘村", day(2022, 2, 10), m(2022, 2))
	if fs := Run(w2.in); count(fs, BackpayAfterDeath)+count(fs, PaidAfterDeath) != 0 {
		t.Errorf("legitimate back-payment flagged: %+v", fs)
	}
	// Without a note saying which months, a 补发 after death counts whole.
	w3 := newWorld(m(2022, 5)).pay(wang, "王五", "柳塘村", "3", 94164, audit.PayBack, "").
		death("village", wang, "王五", "柳塘村", day(2022, 1, 18), m(2022, 1))
	if b := find(Run(w3.in), BackpayAfterDeath, wang); b == nil || b.Amount != 94164 {
		t.Errorf("unexplained back-payment: %+v", b)
	}
}

func TestCoverage(t *testing.T) {
	tests := map[string]string{
		"补发2022年1-3月":        "[2022-01 2022-02 2022-03]",
		"补发2021年11月至2022年1月": "[2021-11 2021-12 2022-01]",
		"2021.11-2022.01":    "[2021-11 2021-12 2022-01]",
		"补发1-3月":             "[2022-01 2022-02 2022-03]",
		"补发11-2月":            "[2021-11 2021-12 2022-01 2022-02]",
		"补发2022年3月":          "[2022-03]",
		"":                   "[]",
		"补发":                 "[]",
	}
	for note, want := range tests {
		if got := fmt.Sprint(Coverage(note, m(2022, 5))); got != want {
			t.Errorf("Coverage(%q) = %s, want %s", note, got, want)
		}
	}
}

func TestResumedAfterDeath(t *testing.T) {
	w := newWorld(m(2022, 4)).pay(zhang, "张三", "樟树村", "1", 14231, audit.PayResumed, "").
		death("village", zhang, "张三", "樟树村", day(2022, 1, 14), m(2022, 1))
	f := find(Run(w.in), ResumedAfterDeath, zhang)
	if f == nil || f.Amount != 14231 {
		t.Fatalf("resumed: %+v", f)
	}
	alive := newWorld(m(2022, 4)).pay(zhang, "张三", "樟树村", "1", 14231, audit.PayResumed, "")
	if count(Run(alive.in), ResumedAfterDeath) != 0 {
		t.Error("resumed payment to a living payee flagged")
	}
}

func TestSharedAccount(t *testing.T) {
	couple := newWorld(m(2022, 1)).pay(zhang, "张三", "东风村", "6217", 100, audit.PayNormal, "").pay(li, "李四", "东风村", "6217", 100, audit.PayNormal, "")
	if fs := Run(couple.in); count(fs, SharedAccount) != 0 {
		t.Errorf("a couple sharing a card was flagged: %+v", fs)
	}
	three := couple.pay(wang, "王五", "柳塘村", "6217", 100, audit.PayNormal, "")
	fs := Run(three.in)
	if count(fs, SharedAccount) != 3 {
		t.Fatalf("three payees on one card: %d findings", count(fs, SharedAccount))
	}
	if f := find(fs, SharedAccount, wang); f == nil || f.Account != "6217" {
		t.Errorf("per-payee finding: %+v", f)
	}
	three.in.Settings.SharedAccountMin = 4
	if count(Run(three.in), SharedAccount) != 0 {
		t.Error("threshold not configurable")
	}
}

func TestDuplicateAndAboveStandard(t *testing.T) {
	w := newWorld(m(2022, 5)).pay(zhang, "张三", "东风村", "1", 15000, audit.PayNormal, "").pay(zhang, "张三", "东风村", "1", 15000, audit.PayNormal, "").
		pay(li, "李四", "东风村", "2", 15000, audit.PayNormal, "").pay(li, "李四", "东风村", "2", 30000, audit.PayBack, "补发2022年3-4月")
	w.in.Previous = map[string]audit.Fen{zhang: 15000, li: 15000}
	fs := Run(w.in)
	if d := find(fs, DuplicatePayee, zhang); d == nil || d.Amount != 15000 {
		t.Errorf("duplicate: %+v", d)
	}
	if find(fs, DuplicatePayee, li) != nil {
		t.Error("a normal row and a 补发 row counted as a duplicate")
	}
	if count(fs, AboveStandard) != 0 {
		t.Errorf("duplicate or back-payment counted as a raise: %+v", fs)
	}
	up := newWorld(m(2022, 4)).pay(zhao, "赵六", "东风村", "4", 221700, audit.PayAdjusted, "")
	up.in.Previous = map[string]audit.Fen{zhao: 22170}
	if f := find(Run(up.in), AboveStandard, zhao); f == nil || f.Amount != 199530 {
		t.Errorf("raise: %+v", f)
	}
	capped := newWorld(m(2022, 4)).pay(zhao, "赵六", "东风村", "4", 50000, audit.PayNormal, "")
	capped.in.Settings.CapFen = 40000
	if f := find(Run(capped.in), AboveStandard, zhao); f == nil || f.Amount != 10000 {
		t.Errorf("cap: %+v", f)
	}
}

func TestPossibleMatchAndInvalidID(t *testing.T) {
	typo := []byte(zhang)
	typo[15] = '0' + (typo[15]-'0'+3)%10
	w := newWorld(m(2022, 2)).pay(zhang, "张三", "新民社区", "1", 16669, audit.PayNormal, "").
		death("village", string(typo), "张三", "新民社区", day(2022, 2, 13), m(2022, 2))
	fs := Run(w.in)
	pm := find(fs, PossibleMatch, zhang)
	if pm == nil || pm.Amount != 0 {
		t.Fatalf("possible match in the report month: %+v", pm)
	}
	inv := find(fs, InvalidID, string(typo))
	if inv == nil || len(inv.Suggestions) != 1 || inv.Suggestions[0] != zhang {
		t.Fatalf("invalid id: %+v", inv)
	}
	// The next month the candidate is still paid: the money shows.
	w.in.Period = m(2022, 3)
	w.in.Payouts[0].Month = m(2022, 3)
	if pm := find(Run(w.in), PossibleMatch, zhang); pm == nil || pm.Amount != 16669 {
		t.Fatalf("possible match while still paid: %+v", pm)
	}
	// Same name and village but another birth date (a valid ID of a non-payee): not the same person.
	other := id(day(1951, 10, 26), 511)
	w2 := newWorld(m(2022, 1)).pay(zhang, "张三", "新民社区", "1", 16669, audit.PayNormal, "").
		death("village", other, "张三", "新民社区", day(2021, 12, 18), m(2022, 1))
	if fs := Run(w2.in); count(fs, PossibleMatch) != 0 {
		t.Errorf("namesake with another birth date matched: %+v", fs)
	}
	// A "?" stands for one unknown character.
	if !SameName("陆?", "陆𠮷") || SameName("陆?", "陆刚强") || SameName("", "") {
		t.Error("SameName wildcard")
	}
}

func TestUnreportedAndMissingReport(t *testing.T) {
	w := newWorld(m(2022, 1)).pay(zhang, "张三", "东风村", "1", 100, audit.PayNormal, "").pay(li, "李四", "荷叶村", "2", 100, audit.PayNormal, "").
		death("deregistration", zhang, "张三", "", day(2022, 1, 12), 0).
		death("deregistration", li, "李四", "", day(2021, 11, 3), 0).
		death("village", li, "李四", "荷叶村", day(2021, 11, 3), m(2022, 1))
	w.in.Villages = []string{"东风村", "荷叶村"}
	w.in.Reported = map[string]bool{"荷叶村": true}
	fs := Run(w.in)
	if f := find(fs, UnreportedDeath, zhang); f == nil || f.Village != "东风村" {
		t.Errorf("unreported: %+v", f)
	}
	if find(fs, UnreportedDeath, li) != nil {
		t.Error("a reported death flagged as unreported")
	}
	if f := find(fs, MissingVillageReport, "东风村"); f == nil {
		t.Error("missing report not flagged")
	}
	if find(fs, MissingVillageReport, "荷叶村") != nil {
		t.Error("reporting village flagged")
	}
}

func TestSurvivalCheck(t *testing.T) {
	old := id(day(1922, 3, 31), 101)
	w := newWorld(m(2022, 3)).pay(old, "百岁", "柳塘村", "1", 100, audit.PayNormal, "")
	if find(Run(w.in), SurvivalCheck, old) == nil {
		t.Error("turns 100 on the last day of the month: due")
	}
	w2 := newWorld(m(2022, 2)).pay(old, "百岁", "柳塘村", "1", 100, audit.PayNormal, "")
	if find(Run(w2.in), SurvivalCheck, old) != nil {
		t.Error("99-year-old flagged")
	}
}

func TestRunIsDeterministic(t *testing.T) {
	w := newWorld(m(2022, 5)).pay(zhang, "张三", "东风村", "6", 100, audit.PayNormal, "").pay(li, "李四", "东风村", "6", 100, audit.PayNormal, "").
		pay(wang, "王五", "东风村", "6", 100, audit.PayNormal, "")
	a, b := Run(w.in), Run(w.in)
	if len(a) != len(b) {
		t.Fatal("different lengths")
	}
	for i := range a {
		if a[i].Subject != b[i].Subject || a[i].Hash() != b[i].Hash() {
			t.Fatalf("order or content differs at %d", i)
		}
	}
}

func TestSameDeathListedTwiceIsOneFinding(t *testing.T) {
	w := newWorld(m(2022, 1)).pay(zhang, "张三", "东风村", "1", 100, audit.PayNormal, "").
		death("deregistration", zhang, "张三", "", day(2022, 1, 12), 0).
		death("deregistration", zhang, "张三", "", day(2022, 1, 12), 0)
	fs := Run(w.in)
	if n := count(fs, UnreportedDeath); n != 1 {
		t.Fatalf("unreported_death findings = %d", n)
	}
	if f := find(fs, UnreportedDeath, zhang); len(f.Evidence) != 3 {
		t.Errorf("evidence of both rows kept: %+v", f.Evidence)
	}
}

func TestPoliceDeathDateWins(t *testing.T) {
	// The village wrote January by mistake; the police register says 2 March.
	w := newWorld(m(2022, 3)).pay(zhang, "张三", "东风村", "1", 20000, audit.PayNormal, "").
		death("village", zhang, "张三", "东风村", day(2022, 1, 20), m(2022, 3))
	w.in.Deaths = append(w.in.Deaths, Death{File: "dereg.xlsx", Row: 5, Source: "deregistration", Name: "张三", IDRaw: zhang, ID: zhang,
		IDOK: true, DeathDate: day(2022, 3, 2), DeregDate: day(2022, 3, 10), Reason: "死亡", IsDeath: true})
	if fs := Run(w.in); count(fs, PaidAfterDeath) != 0 {
		t.Errorf("March payout flagged although the certified death is in March: %+v", fs)
	}
}

// A raise that hits most of the roster (or of one village) in the same
// month is one finding for the roster (or the village), not one per person;
// a few people raised stay person findings.
func TestWidespreadRaiseIsOneFinding(t *testing.T) {
	world := func(n, raised int, village func(i int) string) *world {
		w := newWorld(m(2024, 3))
		w.in.Previous = map[string]audit.Fen{}
		w.in.PaidByVillage = map[string]int{}
		r := rand.New(rand.NewPCG(1, uint64(n)))
		for i := 0; i < n; i++ {
			idn := demo.NewID(r, "512002", time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i))
			amt := audit.Fen(16306)
			if i < raised {
				amt = 24459 // +50 % and a bit: 基础养老金 taken for the whole last month
			}
			w.pay(idn, fmt.Sprintf("人%d", i), village(i), "", amt, audit.PayNormal, "")
			w.in.Previous[idn] = 16000
			w.in.PaidByVillage[village(i)]++
		}
		return w
	}
	one := func(int) string { return "东风村" }
	fs := Run(world(200, 150, one).in)
	if count(fs, AboveStandard) != 1 {
		t.Fatalf("150 of 200 raised: %d findings, want 1 for the roster", count(fs, AboveStandard))
	}
	if f := find(fs, AboveStandard, "roster"); f == nil || !strings.Contains(f.Detail, "150 人") || f.Amount != 150*(24459-16000) {
		t.Errorf("the roster finding: %+v", f)
	}
	if fs := Run(world(200, 5, one).in); count(fs, AboveStandard) != 5 {
		t.Errorf("5 of 200 raised: %d findings, want 5", count(fs, AboveStandard))
	}
	// 25 of 30 in one village, out of 300: one finding for the village
	two := func(i int) string {
		if i < 30 {
			return "桥头村"
		}
		return "柳塘村"
	}
	fs = Run(world(300, 25, two).in)
	if count(fs, AboveStandard) != 1 || find(fs, AboveStandard, "village:桥头村") == nil {
		t.Errorf("25 of a village's 30 raised: %d findings", count(fs, AboveStandard))
	}
}
