package rules

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"pensionaudit/audit"
)

// deathSources are the independent sources of a death: each its own
// office's record (a village cadre, the police, the funeral home, the
// hospital, the civil-affairs grant).
var deathSources = map[string]string{"village_report": "村死亡名单", "deregistration": "户籍注销", "cremation": "火化记录",
	"death_certificate": "死亡医学证明", "funeral_grant": "丧葬补助金"}

// Weigh says how far a finding's evidence goes: confirmed when two
// independent sources agree on a death (dates within a month of each
// other) or when the roster itself shows what is wrong; to_verify when the
// case rests on one source alone, when the sources' dates are more than a
// month apart, when the person was certified alive after the death, or
// when the finding asks a question (a namesake, an unknown word, a visit).
// Stopping a living person's pension on one wrong report is a failure too:
// the stop list keeps the two apart.
func Weigh(rule string, ev []audit.Evidence) (status, why string) {
	switch rule {
	case PossibleMatch, IDNameMismatch, UnknownDeregReason, SurvivalCheck, CertificationOverdue, FuneralGrantNoDeath, SharedAccount,
		MissingVillageReport, PaidWhileImprisoned, OperatorConcentration:
		return audit.EvidenceToVerify, questionWhy(rule, ev)
	case PaidAfterDeath, ResumedAfterDeath, BackpayAfterDeath, UnreportedDeath, PaidAfterFuneralGrant:
	default:
		return audit.EvidenceConfirmed, "发放记录本身显示"
	}
	months := map[string]audit.Month{} // source → earliest month it gives
	var alive []string
	for _, e := range ev {
		if label, ok := deathSources[e.Kind]; ok {
			m := evidenceMonth(e)
			if old, seen := months[label]; !seen || (m != 0 && (old == 0 || m < old)) {
				months[label] = m
			}
		}
	}
	// the earliest date a death source gives (or the end of its month)
	first := ""
	for _, e := range ev {
		if _, ok := deathSources[e.Kind]; !ok {
			continue
		}
		d := e.Date
		if d == "" {
			if m := evidenceMonth(e); m != 0 {
				d = time.Date(m.Year(), time.Month(m.Mon())+1, 0, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
			}
		}
		if d != "" && (first == "" || d < first) {
			first = d
		}
	}
	for _, e := range ev {
		if e.Kind == "certification" && first != "" && e.Date > first {
			alive = append(alive, fmt.Sprintf("%s 还有本人的资格认证（%s）", e.Date, firstNonEmpty(e.Note, "方式未写")))
		}
	}
	names := make([]string, 0, len(months))
	var lo, hi audit.Month
	for n, m := range months {
		names = append(names, n)
		if m == 0 {
			continue
		}
		if lo == 0 || m < lo {
			lo = m
		}
		if m > hi {
			hi = m
		}
	}
	sort.Strings(names)
	switch {
	case len(alive) > 0:
		return audit.EvidenceToVerify, "死亡之后 " + strings.Join(alive, "、") + "：请上门核实是否健在"
	case len(names) < 2:
		return audit.EvidenceToVerify, "只有一个来源（" + strings.Join(names, "") + "）：请用第二个来源或上门核实后再停发"
	case hi-lo > 1:
		return audit.EvidenceToVerify, fmt.Sprintf("%s 记载的死亡时间相差 %d 个月：请核实", strings.Join(names, "、"), hi-lo)
	}
	return audit.EvidenceConfirmed, strings.Join(names, "、") + " 相互印证"
}

func questionWhy(rule string, ev []audit.Evidence) string {
	switch rule {
	case PaidWhileImprisoned:
		return "只有服刑人员名单一个来源：请向司法所核实刑期"
	case PossibleMatch, IDNameMismatch:
		return "是否同一人尚待核实"
	}
	return "须核实"
}

// evidenceMonth is the month a piece of evidence dates: its date, else its
// month.
func evidenceMonth(e audit.Evidence) audit.Month {
	if len(e.Date) >= 7 {
		if m, err := audit.ParseMonth(e.Date[:7]); err == nil {
			return m
		}
	}
	m, _ := audit.ParseMonth(e.Month)
	return m
}
