package rules

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"pensionaudit/audit"
)

// The other sources (issue 21): prison lists, other schemes' rosters,
// qualification certifications and funeral grants, and the rules that put
// each beside the roster. A source never loaded raises nothing: its rules
// see no rows.

// Rule codes of the other sources (part of the CLI contract).
const (
	PaidWhileImprisoned   = "paid_while_imprisoned"
	PaidByTwoSchemes      = "paid_by_two_schemes"
	PaidAfterFuneralGrant = "paid_after_funeral_grant"
	FuneralGrantNoDeath   = "funeral_grant_without_death"
	CertificationOverdue  = "certification_overdue"
	PaidInAdvance         = "paid_in_advance"
	OperatorConcentration = "operator_concentration"
)

// SourceRow is a row of one of the other sources.
type SourceRow struct {
	RowID     int64
	File      string
	Sheet     string
	Row       int
	Source    string // prison, other_pension, certification, funeral_grant
	Village   string
	Name      string
	ID        string
	IDOK      bool
	Start     time.Time   // 入监, 认证, 丧葬补助金发放
	End       time.Time   // 刑满释放 (zero: not known)
	Month     audit.Month // the other scheme's pay month
	Amount    audit.Fen
	HasAmount bool
	Detail    string // 险种, 认证方式
	Note      string
	Died      time.Time // a funeral grant's date of death, when it says
	Result    string    // a certification's result as written ("" when none)
}

// certified tells a certification that counts: one whose result (when the
// list has one) says it passed.
func (s *SourceRow) certified() bool {
	return s.Source == "certification" && audit.CertPassed(s.Result) == audit.MeaningYes
}

func sourceEvidence(s *SourceRow) Evidence {
	e := Evidence{Kind: s.Source, File: s.File, Sheet: s.Sheet, Row: s.Row, Name: s.Name, ID: s.ID, Village: s.Village, Note: s.Detail}
	if !s.Start.IsZero() {
		e.Date = s.Start.Format("2006-01-02")
	}
	if !s.Died.IsZero() { // a funeral grant's death: dated by the death
		e.Date = s.Died.Format("2006-01-02")
		e.Note = strings.TrimSpace("发放日期 " + s.Start.Format("2006-01-02") + " " + e.Note)
	}
	if s.Result != "" {
		e.Note = strings.TrimSpace(e.Note + " 结果：" + s.Result)
	}
	if !s.End.IsZero() {
		e.Until = s.End.Format("2006-01-02")
	}
	if s.Month != 0 {
		e.Month = s.Month.String()
	}
	if s.HasAmount {
		e.Amount = money(s.Amount)
	}
	if s.Note != "" {
		e.Note = strings.TrimSpace(e.Note + " 备注：" + s.Note)
	}
	return e
}

// paidTotal is what the roster paid an ID for the period, with the rows.
func (c *context) paidTotal(id string) (audit.Fen, []Evidence, *Payout) {
	var total audit.Fen
	var ev []Evidence
	var first *Payout
	for _, p := range c.rowsByID[id] {
		if p.Month != c.in.Period || !p.HasAmount {
			continue
		}
		total += p.Amount
		ev = append(ev, payoutEvidence(p))
		if first == nil {
			first = p
		}
	}
	return total, ev, first
}

// imprisoned: the months a sentence suspends the pension are those after
// the month of entry up to the month before release (the month of entry and
// of release are paid in full); PrisonFromEntryMonth suspends the entry
// month too.
func (c *context) imprisoned(s *SourceRow, m audit.Month) bool {
	from := audit.MonthOf(s.Start) + 1
	if c.in.Settings.PrisonFromEntryMonth {
		from--
	}
	if m < from {
		return false
	}
	return s.End.IsZero() || m < audit.MonthOf(s.End)
}

func paidWhileImprisoned(c *context) []Finding {
	var out []Finding
	for _, id := range c.sourceIDs("prison") {
		for _, s := range c.sources[id]["prison"] {
			if !c.imprisoned(s, c.in.Period) {
				continue
			}
			total, ev, p := c.paidTotal(id)
			if p == nil || total == 0 {
				break
			}
			until := "刑满日期未知"
			if !s.End.IsZero() {
				until = s.End.Format("2006年1月2日") + "刑满释放"
			}
			out = append(out, Finding{Rule: PaidWhileImprisoned, Subject: id, IDNumber: id, Name: p.Name, Village: p.Village, Account: p.Account,
				Amount: total, Months: []audit.Month{c.in.Period}, Evidence: append([]Evidence{sourceEvidence(s)}, ev...),
				Detail: fmt.Sprintf("在押服刑人员名单（%s 第%d行）记载 %s 于 %s 入监、%s；服刑期间应暂停发放，%s 仍发放 %s 元",
					s.File, s.Row, s.Name, s.Start.Format("2006年1月2日"), until, c.in.Period.Label(), total)})
			break
		}
	}
	return out
}

func paidByTwoSchemes(c *context) []Finding {
	var out []Finding
	for _, id := range c.sourceIDs("other_pension") {
		var same []*SourceRow
		for _, s := range c.sources[id]["other_pension"] {
			if s.Month == c.in.Period && !audit.SameScheme(s.Detail) {
				same = append(same, s)
			}
		}
		if len(same) == 0 {
			continue
		}
		total, ev, p := c.paidTotal(id)
		if p == nil || total == 0 {
			continue
		}
		var schemes []string
		for _, s := range same {
			ev = append(ev, sourceEvidence(s))
			schemes = append(schemes, firstNonEmpty(s.Detail, "其他养老保险")+"（"+s.File+" 第"+fmt.Sprint(s.Row)+"行）")
		}
		out = append(out, Finding{Rule: PaidByTwoSchemes, Subject: id, IDNumber: id, Name: p.Name, Village: p.Village, Account: p.Account,
			Amount: total, Months: []audit.Month{c.in.Period}, Evidence: ev,
			Detail: fmt.Sprintf("%s %s 同时领取%s；城乡居民养老保险不能与其他基本养老保险重复领取，本月发放的 %s 元应核实追回",
				p.Name, c.in.Period.Label(), strings.Join(schemes, "、"), total)})
	}
	return out
}

// firstCheckedFrom is the first roster month on or after m: the month in
// which an event dated between rosters is checked.
func (c *context) firstCheckedFrom(m audit.Month) audit.Month {
	for _, r := range c.in.RosterMonths {
		if r >= m {
			return r
		}
	}
	return 0
}

func paidAfterFuneralGrant(c *context) []Finding {
	var out []Finding
	for _, id := range c.sourceIDs("funeral_grant") {
		grants := c.sources[id]["funeral_grant"]
		g := grants[0]                // the earliest
		cut := audit.MonthOf(g.Start) // paid after the grant's month, or after the month of death it gives
		if !g.Died.IsZero() {
			cut = audit.MonthOf(g.Died)
		}
		if cut >= c.in.Period {
			continue
		}
		if d := c.dead[id]; d != nil && d.month < c.in.Period {
			continue // a death the records know: the death rules count the money, with the grant beside it
		}
		total, ev, p := c.paidTotal(id)
		if p == nil || total == 0 {
			continue
		}
		out = append(out, Finding{Rule: PaidAfterFuneralGrant, Subject: id, IDNumber: id, Name: p.Name, Village: p.Village, Account: p.Account,
			Amount: total, Months: []audit.Month{c.in.Period}, Evidence: append([]Evidence{sourceEvidence(g)}, ev...),
			Detail: fmt.Sprintf("丧葬补助金发放名单（%s 第%d行）记载 %s%s已于 %s 领取丧葬补助金（即已死亡），%s 仍发放养老金 %s 元",
				g.File, g.Row, g.Name, diedOn(g), g.Start.Format("2006年1月2日"), c.in.Period.Label(), total)})
	}
	return out
}

// funeralGrantNoDeath: a funeral grant for someone no death source knows,
// or a second grant for the same person; asked in the first checked month
// on or after the grant.
func funeralGrantNoDeath(c *context) []Finding {
	var out []Finding
	for _, id := range c.sourceIDs("funeral_grant") {
		grants := c.sources[id]["funeral_grant"]
		for i, g := range grants {
			if c.firstCheckedFrom(audit.MonthOf(g.Start)) != c.in.Period {
				continue
			}
			f := Finding{Rule: FuneralGrantNoDeath, IDNumber: id, Name: g.Name, Village: g.Village, Months: []audit.Month{c.in.Period}}
			if g.HasAmount {
				f.Amount = g.Amount
			}
			switch {
			case i > 0:
				f.Subject = fmt.Sprintf("%s:twice:%d", id, i)
				f.Evidence = []Evidence{sourceEvidence(grants[0]), sourceEvidence(g)}
				f.Detail = fmt.Sprintf("%s 的丧葬补助金发放了两次：%s（%s 第%d行）和 %s（%s 第%d行）；第二次的 %s 元应核实追回",
					g.Name, grants[0].Start.Format("2006年1月2日"), grants[0].File, grants[0].Row, g.Start.Format("2006年1月2日"), g.File, g.Row, f.Amount)
			case c.dead[id] == nil:
				f.Subject = id
				f.Evidence = []Evidence{sourceEvidence(g)}
				f.Detail = fmt.Sprintf("丧葬补助金发放名单（%s 第%d行）记载 %s 于 %s 领取丧葬补助金 %s 元，但村死亡名单、户籍注销、火化记录和死亡医学证明中都没有此人死亡的记载：请核实此人是否已死亡（或补助金是否冒领）",
					g.File, g.Row, g.Name, g.Start.Format("2006年1月2日"), f.Amount)
			default:
				continue
			}
			if p, ok := c.in.Payees[id]; ok {
				f.Village = firstNonEmpty(f.Village, p.Village)
			}
			out = append(out, f)
		}
	}
	return out
}

// certificationOverdue: paid this month, and the last qualification
// certification (on or before the month) lies more than the interval
// before it. A payee with no certification at all is not flagged: the
// records loaded may not cover everyone.
func certificationOverdue(c *context) []Finding {
	var out []Finding
	interval := c.in.Settings.CertificationMonths
	if interval <= 0 {
		return nil
	}
	for _, id := range c.sourceIDs("certification") {
		var last *SourceRow
		for _, s := range c.sources[id]["certification"] {
			if s.certified() && audit.MonthOf(s.Start) <= c.in.Period && (last == nil || s.Start.After(last.Start)) {
				last = s
			}
		}
		if last == nil || int(c.in.Period-audit.MonthOf(last.Start)) <= interval {
			continue
		}
		total, ev, p := c.paidTotal(id)
		if p == nil {
			continue
		}
		out = append(out, Finding{Rule: CertificationOverdue, Subject: id, IDNumber: id, Name: p.Name, Village: p.Village, Account: p.Account,
			Months: []audit.Month{c.in.Period}, Evidence: append([]Evidence{sourceEvidence(last)}, ev...),
			Detail: fmt.Sprintf("%s 最近一次待遇资格认证是 %s（%s），到 %s 已超过 %d 个月，本月仍发放 %s 元：请督促认证或上门核实是否健在",
				p.Name, last.Start.Format("2006年1月2日"), firstNonEmpty(last.Detail, "方式未写"), c.in.Period.Label(), interval, total)})
	}
	return out
}

// paidInAdvance: a roster row paying a month later than the roster's own
// (前移发放时间): raised in the month the roster pays.
func paidInAdvance(c *context) []Finding {
	var out []Finding
	for i := range c.in.Advance {
		p := &c.in.Advance[i]
		if p.Month <= p.RosterMonth || !p.HasAmount {
			continue
		}
		out = append(out, Finding{Rule: PaidInAdvance, Subject: fmt.Sprintf("%s:%s:%d", firstNonEmpty(p.ID, p.IDRaw), p.File, p.Row), IDNumber: p.ID,
			Name: p.Name, Village: p.Village, Account: p.Account, Amount: p.Amount, Months: []audit.Month{p.Month}, Evidence: []Evidence{payoutEvidence(p)},
			Detail: fmt.Sprintf("%s 的发放花名册中，%s 的这一行发放的是 %s 的待遇 %s 元：提前发放（前移发放时间）须有依据，请核实",
				p.RosterMonth.Label(), p.Name, p.Month.Label(), p.Amount)})
	}
	return out
}

// special are the pay types an insider uses to keep paying the dead:
// back-payments, resumed payments and raised standards.
func special(t audit.PayType) bool {
	return t == audit.PayBack || t == audit.PayResumed || t == audit.PayAdjusted
}

// operatorConcentration: one operator behind at least half of a month's
// back-payments, resumptions and raises, and at least a minimum of them: a
// finding for the supervisor about the operator, not about a payee.
func operatorConcentration(c *context) []Finding {
	s := c.in.Settings
	if s.OperatorMin <= 0 || s.OperatorSharePct <= 0 {
		return nil
	}
	by := map[string][]*Payout{}
	n := 0
	for i := range c.in.Payouts {
		p := &c.in.Payouts[i]
		if p.Month != c.in.Period || p.Operator == "" || !special(p.PayType) {
			continue
		}
		by[p.Operator] = append(by[p.Operator], p)
		n++
	}
	var ops []string
	for op := range by {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	var out []Finding
	for _, op := range ops {
		rows := by[op]
		if len(rows) < s.OperatorMin || len(rows)*100 < n*s.OperatorSharePct {
			continue
		}
		var total audit.Fen
		var ev []Evidence
		for _, p := range rows {
			total += p.Amount
			ev = append(ev, payoutEvidence(p))
		}
		out = append(out, Finding{Rule: OperatorConcentration, Subject: "operator:" + op, Name: op, Amount: total,
			Months: []audit.Month{c.in.Period}, Evidence: ev,
			Detail: fmt.Sprintf("%s 的补发、恢复发放和待遇调整共 %d 笔，其中 %d 笔（%d%%）由经办人 %s 办理，合计 %s 元：请审核人逐笔核对依据（衡南案中，一名内部人员办理了数百笔恢复发放）",
				c.in.Period.Label(), n, len(rows), len(rows)*100/n, op, total)})
	}
	return out
}

// sourceIDs lists, in order, the IDs that have rows of a source.
func (c *context) sourceIDs(source string) []string {
	var out []string
	for id, m := range c.sources {
		if len(m[source]) > 0 {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// indexSources files the other sources' rows by ID and source, each list
// in date order.
func (c *context) indexSources() {
	c.sources = map[string]map[string][]*SourceRow{}
	for i := range c.in.Sources {
		s := &c.in.Sources[i]
		if !s.IDOK {
			continue
		}
		m := c.sources[s.ID]
		if m == nil {
			m = map[string][]*SourceRow{}
			c.sources[s.ID] = m
		}
		m[s.Source] = append(m[s.Source], s)
	}
	for _, m := range c.sources {
		for _, list := range m {
			sort.SliceStable(list, func(i, j int) bool { return list[i].Start.Before(list[j].Start) })
		}
	}
}

// diedOn says a funeral grant's date of death, when it gives one.
func diedOn(g *SourceRow) string {
	if g.Died.IsZero() {
		return " "
	}
	return " " + g.Died.Format("2006年1月2日") + " 死亡，"
}
