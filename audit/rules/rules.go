package rules

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"pensionaudit/audit"
	"pensionaudit/audit/idcard"
)

// Run applies every rule to one period and returns the findings sorted by
// rule, then subject.
func Run(in *Input) []Finding {
	c := newContext(in)
	var out []Finding
	for _, f := range []func(*context) []Finding{
		paidAfterDeath, resumedAfterDeath, backpayAfterDeath, idNameMismatch, possibleMatch, invalidID,
		unreportedDeath, unknownDeregReason, duplicatePayee, sharedAccount, aboveStandard, missingVillageReport, survivalCheck,
		paidWhileImprisoned, paidByTwoSchemes, paidAfterFuneralGrant, funeralGrantNoDeath, certificationOverdue, paidInAdvance,
		operatorConcentration,
	} {
		out = append(out, f(c)...)
	}
	out = merge(out)
	order := map[string]int{}
	for i, r := range All {
		order[r] = i
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Rule != out[j].Rule {
			return order[out[i].Rule] < order[out[j].Rule]
		}
		return out[i].Subject < out[j].Subject
	})
	for i := range out {
		out[i].Period = in.Period
	}
	return out
}

// merge joins findings with the same rule and subject — the same death
// listed twice, say — into one, with the evidence of both.
func merge(fs []Finding) []Finding {
	seen := map[string]int{}
	out := fs[:0]
	for _, f := range fs {
		k := f.Rule + "\x00" + f.Subject
		i, dup := seen[k]
		if !dup {
			seen[k] = len(out)
			out = append(out, f)
			continue
		}
		g := &out[i]
		for _, e := range f.Evidence {
			if !containsEvidence(g.Evidence, e) {
				g.Evidence = append(g.Evidence, e)
			}
		}
		if f.Amount > g.Amount {
			g.Amount = f.Amount
		}
	}
	return out
}

func containsEvidence(list []Evidence, e Evidence) bool {
	for _, x := range list {
		if x.Kind == e.Kind && x.File == e.File && x.Sheet == e.Sheet && x.Row == e.Row && x.ID == e.ID {
			return true
		}
	}
	return false
}

// deathInfo is what is known of one person's death.
type deathInfo struct {
	month     audit.Month // month of death used by the rules
	certified audit.Month // from a deregistration's own death date, 0 if none
	records   []*Death
}

type context struct {
	in *Input
	// dead: valid ID → death known from records whose name matches the payee's
	dead map[string]*deathInfo
	// byName: payees by exact name; wildNames: payees whose name holds a "?"
	byName    map[string][]*Payee
	wildNames []*Payee
	rowsByID  map[string][]*Payout
	// sources: the other sources' rows by ID and source, in date order
	sources map[string]map[string][]*SourceRow
}

func newContext(in *Input) *context {
	c := &context{in: in, dead: map[string]*deathInfo{}, byName: map[string][]*Payee{}, rowsByID: map[string][]*Payout{}}
	c.indexSources()
	for _, p := range in.Payees {
		if strings.ContainsAny(p.Name, "?？\uFFFD") {
			c.wildNames = append(c.wildNames, p)
		} else {
			c.byName[p.Name] = append(c.byName[p.Name], p)
		}
	}
	for i := range in.Deaths {
		d := &in.Deaths[i]
		if !d.IsDeath || !d.IDOK {
			continue
		}
		m := d.Month()
		if m == 0 {
			continue
		}
		info := c.dead[d.ID]
		if info == nil {
			info = &deathInfo{month: m}
			c.dead[d.ID] = info
		}
		info.records = append(info.records, d)
		switch {
		case d.certified():
			if info.certified == 0 || m < info.certified {
				info.certified = m
			}
		case m < info.month:
			info.month = m
		}
	}
	// A death date from the police register is the record of fact; village
	// lists and registration dates only bound it.
	for _, info := range c.dead {
		if info.certified != 0 {
			info.month = info.certified
		}
	}
	for i := range in.Payouts {
		p := &in.Payouts[i]
		if p.IDOK {
			c.rowsByID[p.ID] = append(c.rowsByID[p.ID], p)
		}
	}
	return c
}

// ids returns the keys of rowsByID in order, for stable output.
func (c *context) ids() []string {
	out := make([]string, 0, len(c.rowsByID))
	for id := range c.rowsByID {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// findingPeriod is the period in which a death record is checked: a village
// report in its own month; a deregistration in the month of death, or the
// first month after it that has a roster (deaths before the data begins
// are checked with the first roster).
func (c *context) findingPeriod(d *Death) audit.Month {
	if d.Source == "village" && d.Period != 0 {
		return d.Period
	}
	m := d.Month()
	for _, r := range c.in.RosterMonths {
		if r >= m {
			return r
		}
	}
	return m
}

// improper is the part of a payout row paid for months after death month D.
// A 补发 (back-payment) row whose note names the months it covers counts only
// the months after D, pro rata; without such a note it counts when paid
// after D, like any other row.
func improper(p *Payout, d audit.Month) (audit.Fen, []audit.Month) {
	if !p.HasAmount {
		return 0, nil
	}
	if p.PayType == audit.PayBack {
		if cover := Coverage(p.Note, p.Month); len(cover) > 0 {
			var after []audit.Month
			for _, m := range cover {
				if m > d {
					after = append(after, m)
				}
			}
			if len(after) == 0 {
				return 0, nil
			}
			return p.Amount * audit.Fen(len(after)) / audit.Fen(len(cover)), after
		}
	}
	if p.Month > d {
		return p.Amount, []audit.Month{p.Month}
	}
	return 0, nil
}

// earliest is the earliest date the death's records give (the last day of
// its month when none gives a day).
func (info *deathInfo) earliest() time.Time {
	var t time.Time
	for _, d := range info.records {
		for _, x := range []time.Time{d.DeathDate, d.DeregDate} {
			if !x.IsZero() && (t.IsZero() || x.Before(t)) {
				t = x
			}
		}
	}
	if t.IsZero() {
		t = time.Date(info.month.Year(), time.Month(info.month.Mon())+1, 0, 0, 0, 0, 0, time.UTC)
	}
	return t
}

func (c *context) deathDetail(info *deathInfo) string {
	var parts []string
	for _, d := range info.records {
		date, what := d.Month().Label(), "死亡"
		switch {
		case !d.DeathDate.IsZero():
			date = d.DeathDate.Format("2006年1月2日")
		case d.Source == "cremation" && !d.DeregDate.IsZero():
			date, what = d.DeregDate.Format("2006年1月2日"), "火化"
		}
		parts = append(parts, fmt.Sprintf("%s（%s 第%d行）记载 %s %s", d.SourceLabel(), d.File, d.Row, date, what))
	}
	return strings.Join(parts, "；")
}

// deathEvidences are the death's records, and beside them what the other
// sources say of the same person: a funeral grant (another source of the
// death) and a qualification certification after it (a sign of life).
func (c *context) deathEvidences(info *deathInfo) []Evidence {
	var ev []Evidence
	for _, d := range info.records {
		ev = append(ev, deathEvidence(d))
	}
	if len(info.records) == 0 {
		return ev
	}
	m := c.sources[info.records[0].ID]
	for _, g := range m["funeral_grant"] {
		ev = append(ev, sourceEvidence(g))
	}
	for _, s := range m["certification"] {
		if s.certified() && s.Start.After(info.earliest()) {
			ev = append(ev, sourceEvidence(s))
		}
	}
	return ev
}

func paidAfterDeath(c *context) []Finding {
	var out []Finding
	for _, id := range c.ids() {
		info := c.dead[id]
		if info == nil || info.month >= c.in.Period {
			continue
		}
		rows := c.rowsByID[id]
		var total audit.Fen
		ev := c.deathEvidences(info)
		for _, p := range rows {
			amt, _ := improper(p, info.month)
			if amt > 0 {
				total += amt
				ev = append(ev, payoutEvidence(p))
			}
		}
		if total == 0 {
			continue
		}
		p := rows[0]
		out = append(out, Finding{Rule: PaidAfterDeath, Subject: id, IDNumber: id, Name: p.Name, Village: p.Village, Account: p.Account,
			Amount: total, Months: []audit.Month{c.in.Period}, Evidence: ev,
			Detail: fmt.Sprintf("%s；死亡当月之后的 %s 仍发放 %s 元", c.deathDetail(info), c.in.Period.Label(), total)})
	}
	return out
}

func resumedAfterDeath(c *context) []Finding {
	var out []Finding
	for _, id := range c.ids() {
		info := c.dead[id]
		if info == nil || info.month >= c.in.Period {
			continue
		}
		var total audit.Fen
		ev := c.deathEvidences(info)
		var first *Payout
		for _, p := range c.rowsByID[id] {
			if p.PayType == audit.PayResumed && p.HasAmount {
				total += p.Amount
				ev = append(ev, payoutEvidence(p))
				if first == nil {
					first = p
				}
			}
		}
		if first == nil {
			continue
		}
		out = append(out, Finding{Rule: ResumedAfterDeath, Subject: id, IDNumber: id, Name: first.Name, Village: first.Village,
			Account: first.Account, Amount: total, Months: []audit.Month{c.in.Period}, Evidence: ev,
			Detail: fmt.Sprintf("%s；%s 却办理了“%s” %s 元", c.deathDetail(info), c.in.Period.Label(), first.PayRaw, total)})
	}
	return out
}

func backpayAfterDeath(c *context) []Finding {
	var out []Finding
	for _, id := range c.ids() {
		info := c.dead[id]
		if info == nil {
			continue
		}
		var total audit.Fen
		var months []audit.Month
		ev := c.deathEvidences(info)
		var first *Payout
		for _, p := range c.rowsByID[id] {
			if p.PayType != audit.PayBack {
				continue
			}
			amt, ms := improper(p, info.month)
			if amt == 0 {
				continue
			}
			total += amt
			months = append(months, ms...)
			ev = append(ev, payoutEvidence(p))
			if first == nil {
				first = p
			}
		}
		if first == nil {
			continue
		}
		out = append(out, Finding{Rule: BackpayAfterDeath, Subject: id, IDNumber: id, Name: first.Name, Village: first.Village,
			Account: first.Account, Amount: total, Months: uniqueMonths(months), Evidence: ev,
			Detail: fmt.Sprintf("%s；%s 补发的待遇中 %s 元属于死亡之后的月份", c.deathDetail(info), c.in.Period.Label(), total)})
	}
	return out
}

func uniqueMonths(ms []audit.Month) []audit.Month {
	sort.Slice(ms, func(i, j int) bool { return ms[i] < ms[j] })
	var out []audit.Month
	for i, m := range ms {
		if i == 0 || m != ms[i-1] {
			out = append(out, m)
		}
	}
	return out
}

func idNameMismatch(c *context) []Finding {
	var out []Finding
	for i := range c.in.Deaths {
		d := &c.in.Deaths[i]
		if !d.IsDeath || !d.IDOK {
			continue
		}
		// the ID is the key: the death stands whatever the name says; a name
		// that differs is asked about in the month reported and every month
		// the number is still paid
		rows := c.rowsByID[d.ID]
		if c.findingPeriod(d) != c.in.Period && len(rows) == 0 {
			continue
		}
		var name, village string
		if p, ok := c.in.Payees[d.ID]; ok {
			name, village = p.Name, p.Village
		}
		if len(rows) > 0 {
			name, village = rows[0].Name, rows[0].Village
		}
		if name == "" || SameName(name, d.Name) {
			continue
		}
		out = append(out, Finding{Rule: IDNameMismatch, Subject: d.Source + ":" + d.ID + ":" + d.Name, IDNumber: d.ID, Name: d.Name,
			Village: firstNonEmpty(d.Village, village), Months: []audit.Month{c.in.Period},
			Evidence: []Evidence{deathEvidence(d), {Kind: "payee", Name: name, ID: d.ID, Village: village}},
			Detail: fmt.Sprintf("%s（%s 第%d行）上报“%s”死亡，但该身份证号在发放花名册中的姓名是“%s”：号码相同、姓名不同，按号码视为同一人核查；请核实是谁去世、姓名或号码是否写错",
				d.SourceLabel(), d.File, d.Row, audit.Escape(d.Name, 30), audit.Escape(name, 30))})
	}
	return out
}

// unknownDeregReason: a payee paid this month whose 户籍 the police list
// cancelled for a reason the program cannot read as death or as another
// known cause (已注销，原因“XX”). A word it does not know is never "alive":
// the clerk is asked, and a supervisor can say what the word means.
func unknownDeregReason(c *context) []Finding {
	var out []Finding
	seen := map[string]bool{}
	for i := range c.in.Deaths {
		d := &c.in.Deaths[i]
		if !d.Unknown || !d.IDOK || c.dead[d.ID] != nil || seen[d.ID] {
			continue
		}
		if !d.DeregDate.IsZero() && audit.MonthOf(d.DeregDate) >= c.in.Period {
			continue // paid up to the month of the cancellation: nothing to ask yet
		}
		rows := c.rowsByID[d.ID]
		var total audit.Fen
		ev := []Evidence{deathEvidence(d)}
		for _, p := range rows {
			if p.Month == c.in.Period {
				total += p.Amount
				ev = append(ev, payoutEvidence(p))
			}
		}
		if len(ev) == 1 {
			continue // not paid this month
		}
		seen[d.ID] = true
		p := rows[0]
		reason := audit.Escape(d.Reason, 30)
		if strings.TrimSpace(d.Reason) == "" {
			reason = "（空）"
		}
		when := ""
		if !d.DeregDate.IsZero() {
			when = "于 " + d.DeregDate.Format("2006年1月2日") + " "
		}
		out = append(out, Finding{Rule: UnknownDeregReason, Subject: d.ID, IDNumber: d.ID, Name: p.Name, Village: p.Village, Account: p.Account,
			Amount: total, Months: []audit.Month{c.in.Period}, Evidence: ev,
			Detail: fmt.Sprintf("%s（%s 第%d行）记载 %s %s注销户籍，注销原因“%s”不明（不能确定是否死亡）；%s 仍发放 %s 元：请核实此人是否在世",
				d.SourceLabel(), d.File, d.Row, d.Name, when, reason, c.in.Period.Label(), total)})
	}
	return out
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// candidates finds payees who may be the person of death record d: same
// name (with "?" as a wildcard), and the birth date and sex in the usable
// part of the written ID agree, and the village (when the record has one)
// agrees; at least one of birth date or village must confirm the name.
func (c *context) candidates(d *Death) ([]*Payee, []string) {
	var pool []*Payee
	if strings.ContainsAny(d.Name, "?？\uFFFD") {
		for _, p := range c.in.Payees {
			pool = append(pool, p)
		}
	} else {
		pool = append(append(pool, c.byName[d.Name]...), c.wildNames...)
	}
	clean := idcard.Clean(d.IDRaw)
	birth, hasBirth := time.Time{}, false
	if len(clean) == 18 {
		birth, hasBirth = idcard.Birth(clean)
	}
	sex := d.Sex
	if len(clean) == 18 {
		if s := idcard.Sex(clean); s != "" {
			sex = s
		}
	}
	var out []*Payee
	var why []string
	for _, p := range pool {
		if !SameName(p.Name, d.Name) || p.ID == d.ID {
			continue
		}
		pb, _ := idcard.Birth(p.ID)
		var reasons []string
		if hasBirth {
			if !pb.Equal(birth) {
				continue
			}
			reasons = append(reasons, "出生日期相同")
		}
		if sex != "" && (sex == "男" || sex == "女") {
			if idcard.Sex(p.ID) != sex {
				continue
			}
			reasons = append(reasons, "性别相同")
		}
		if d.Village != "" {
			if !audit.SameVillage(d.Village, p.Village) {
				continue
			}
			reasons = append(reasons, "同村")
		} else if !hasBirth {
			continue
		}
		out = append(out, p)
		why = append(why, "姓名相同、"+strings.Join(reasons, "、"))
	}
	sort.Sort(byID{out, why})
	return out, why
}

type byID struct {
	p []*Payee
	w []string
}

func (b byID) Len() int           { return len(b.p) }
func (b byID) Less(i, j int) bool { return b.p[i].ID < b.p[j].ID }
func (b byID) Swap(i, j int)      { b.p[i], b.p[j] = b.p[j], b.p[i]; b.w[i], b.w[j] = b.w[j], b.w[i] }

// possibleMatch is raised in the month of the death record, and in every
// later month in which the candidate is still paid (with that month's money).
func possibleMatch(c *context) []Finding {
	var out []Finding
	for i := range c.in.Deaths {
		d := &c.in.Deaths[i]
		if !d.IsDeath {
			continue
		}
		if d.IDOK {
			if _, isPayee := c.in.Payees[d.ID]; isPayee {
				continue // matched exactly by ID
			}
		}
		own := c.findingPeriod(d) == c.in.Period
		dm := d.Month()
		if !own && (dm == 0 || dm >= c.in.Period) {
			continue
		}
		cands, why := c.candidates(d)
		for k, p := range cands {
			var total audit.Fen
			var ev []Evidence
			if dm < c.in.Period {
				for _, row := range c.rowsByID[p.ID] {
					if amt, _ := improper(row, dm); amt > 0 {
						total += amt
						ev = append(ev, payoutEvidence(row))
					}
				}
			}
			if !own && total == 0 {
				continue
			}
			written := d.IDRaw
			if d.IDOK {
				written = d.ID
			}
			ev = append([]Evidence{deathEvidence(d), {Kind: "payee", Name: p.Name, ID: p.ID, Village: p.Village}}, ev...)
			out = append(out, Finding{Rule: PossibleMatch, Subject: d.Source + ":" + idcard.Clean(d.IDRaw) + ":" + d.Name + "→" + p.ID,
				IDNumber: p.ID, Name: p.Name, Village: p.Village, Amount: total, Months: []audit.Month{c.in.Period}, Evidence: ev,
				Detail: fmt.Sprintf("%s（%s 第%d行）上报 %s 于 %s 死亡（身份证号写作 %s），与领取人 %s 疑似同一人：%s；%s 该领取人领取 %s 元",
					d.SourceLabel(), d.File, d.Row, d.Name, dm.Label(), idcard.Mask(written), p.Name, why[k], c.in.Period.Label(), total)})
		}
	}
	return out
}

func (c *context) suggest(raw string) []string {
	return idcard.Suggest(raw, func(s string) bool { _, ok := c.in.Payees[s]; return ok })
}

func invalidID(c *context) []Finding {
	var out []Finding
	for i := range c.in.Payouts {
		p := &c.in.Payouts[i]
		if p.IDOK {
			continue
		}
		sug := c.suggest(p.IDRaw)
		out = append(out, Finding{Rule: InvalidID, Subject: fmt.Sprintf("payout:%s:%s:%d", p.File, p.Sheet, p.Row), IDNumber: idcard.Clean(p.IDRaw),
			Name: p.Name, Village: p.Village, Account: p.Account, Months: []audit.Month{c.in.Period}, Suggestions: sug,
			Evidence: []Evidence{payoutEvidence(p)},
			Detail:   fmt.Sprintf("发放花名册 %s 第%d行 %s 的身份证号无效：%s%s", p.File, p.Row, p.Name, p.IDReason, suggestText(sug))})
	}
	for i := range c.in.Deaths {
		d := &c.in.Deaths[i]
		if d.IDOK || c.findingPeriod(d) != c.in.Period {
			continue
		}
		sug := c.suggest(d.IDRaw)
		out = append(out, Finding{Rule: InvalidID, Subject: d.Source + ":" + idcard.Clean(d.IDRaw) + ":" + d.Name, IDNumber: idcard.Clean(d.IDRaw),
			Name: d.Name, Village: d.Village, Months: []audit.Month{c.in.Period}, Suggestions: sug,
			Evidence: []Evidence{deathEvidence(d)},
			Detail:   fmt.Sprintf("%s %s 第%d行 %s 的身份证号无效：%s%s", d.SourceLabel(), d.File, d.Row, d.Name, d.IDReason, suggestText(sug))})
	}
	return out
}

func suggestText(sug []string) string {
	if len(sug) == 0 {
		return ""
	}
	var masked []string
	for _, s := range sug {
		masked = append(masked, idcard.Mask(s))
	}
	return "。改动一位后与花名册中的领取人相符：" + strings.Join(masked, "、")
}

// sameDeath reports whether a village record v is the deregistered death d.
func sameDeath(v, d *Death) bool {
	if v.IDOK && v.ID == d.ID {
		return true
	}
	if !SameName(v.Name, d.Name) {
		return false
	}
	a, b := idcard.Clean(v.IDRaw), d.ID
	if len(a) != len(b) {
		return false
	}
	diff := 0
	for i := 0; i < len(a); i++ {
		if a[i] != b[i] {
			diff++
		}
	}
	return diff <= 2
}

func unreportedDeath(c *context) []Finding {
	var village []*Death
	for i := range c.in.Deaths {
		if d := &c.in.Deaths[i]; d.Source == "village" {
			village = append(village, d)
		}
	}
	var out []Finding
	for i := range c.in.Deaths {
		d := &c.in.Deaths[i]
		if d.Source == "village" || !d.IsDeath || !d.IDOK || c.findingPeriod(d) != c.in.Period {
			continue
		}
		p, isPayee := c.in.Payees[d.ID]
		if !isPayee || !SameName(p.Name, d.Name) {
			continue
		}
		reported := false
		for _, v := range village {
			if sameDeath(v, d) {
				reported = true
				break
			}
		}
		if reported {
			continue
		}
		out = append(out, Finding{Rule: UnreportedDeath, Subject: d.ID, IDNumber: d.ID, Name: p.Name, Village: p.Village,
			Months: []audit.Month{d.Month()}, Evidence: []Evidence{deathEvidence(d), {Kind: "payee", Name: p.Name, ID: p.ID, Village: p.Village}},
			Detail: fmt.Sprintf("%s（%s 第%d行）记载 %s 于 %s 死亡，但 %s 的死亡人员名单中没有此人：村里漏报",
				d.SourceLabel(), d.File, d.Row, d.Name, d.Month().Label(), p.Village)})
	}
	return out
}

// regularByType groups a payee's non-补发 rows of the month by pay type.
func regularByType(rows []*Payout) (map[audit.PayType][]*Payout, []audit.PayType) {
	by := map[audit.PayType][]*Payout{}
	var order []audit.PayType
	for _, p := range rows {
		if p.PayType == audit.PayBack {
			continue
		}
		if by[p.PayType] == nil {
			order = append(order, p.PayType)
		}
		by[p.PayType] = append(by[p.PayType], p)
	}
	return by, order
}

// duplicatePayee: the same person paid twice in a month with the same pay
// type (a 补发 or an adjustment row beside the normal one is not a duplicate).
func duplicatePayee(c *context) []Finding {
	var out []Finding
	for _, id := range c.ids() {
		by, order := regularByType(c.rowsByID[id])
		var extra audit.Fen
		var ev []Evidence
		var first *Payout
		n := 0
		for _, t := range order {
			rows := by[t]
			if len(rows) < 2 {
				continue
			}
			for i, p := range rows {
				if i > 0 {
					extra += p.Amount
				}
				ev = append(ev, payoutEvidence(p))
			}
			n += len(rows)
			if first == nil {
				first = rows[0]
			}
		}
		if first == nil {
			continue
		}
		out = append(out, Finding{Rule: DuplicatePayee, Subject: id, IDNumber: id, Name: first.Name, Village: first.Village, Account: first.Account,
			Amount: extra, Months: []audit.Month{c.in.Period}, Evidence: ev,
			Detail: fmt.Sprintf("%s 在 %s 的花名册中以同一发放类型出现 %d 次，多发 %s 元", first.Name, c.in.Period.Label(), n, extra)})
	}
	return out
}

func sharedAccount(c *context) []Finding {
	type acct struct {
		people map[string][]*Payout
	}
	accounts := map[string]*acct{}
	for i := range c.in.Payouts {
		p := &c.in.Payouts[i]
		if p.Account == "" {
			continue
		}
		a := accounts[p.Account]
		if a == nil {
			a = &acct{people: map[string][]*Payout{}}
			accounts[p.Account] = a
		}
		key := p.ID
		if !p.IDOK {
			key = idcard.Clean(p.IDRaw) + "/" + p.Name
		}
		a.people[key] = append(a.people[key], p)
	}
	min := c.in.Settings.SharedAccountMin
	if min < 2 {
		min = 3
	}
	var names []string
	for n, a := range accounts {
		if len(a.people) >= min {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var out []Finding
	for _, n := range names {
		a := accounts[n]
		var all []string
		for _, rows := range a.people {
			all = append(all, rows[0].Name)
		}
		sort.Strings(all)
		var keys []string
		for k := range a.people {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			rows := a.people[k]
			var total audit.Fen
			var ev []Evidence
			for _, p := range rows {
				total += p.Amount
				ev = append(ev, payoutEvidence(p))
			}
			p := rows[0]
			out = append(out, Finding{Rule: SharedAccount, Subject: n + ":" + k, IDNumber: idOrClean(p), Name: p.Name, Village: p.Village,
				Account: n, Amount: total, Months: []audit.Month{c.in.Period}, Evidence: ev,
				Detail: fmt.Sprintf("账户 %s 在 %s 同时为 %d 人发放（%s）；夫妻二人共用一卡属正常，三人及以上需核实",
					maskAccount(n), c.in.Period.Label(), len(a.people), strings.Join(all, "、"))})
		}
	}
	return out
}

func idOrClean(p *Payout) string {
	if p.IDOK {
		return p.ID
	}
	return idcard.Clean(p.IDRaw)
}

func maskAccount(a string) string {
	if len(a) <= 8 {
		return a
	}
	return a[:4] + strings.Repeat("*", len(a)-8) + a[len(a)-4:]
}

func aboveStandard(c *context) []Finding {
	var out []Finding
	raised := map[string]bool{} // subjects raised over last month (not only over the cap)
	s := c.in.Settings
	for _, id := range c.ids() {
		// One row per pay type: a duplicated row is duplicate_payee's business.
		by, order := regularByType(c.rowsByID[id])
		var total audit.Fen
		var ev []Evidence
		for _, t := range order {
			if p := by[t][0]; p.HasAmount {
				total += p.Amount
				ev = append(ev, payoutEvidence(p))
			}
		}
		if len(ev) == 0 {
			continue
		}
		var amount audit.Fen
		var why []string
		if s.CapFen > 0 && total > s.CapFen {
			amount = total - s.CapFen
			why = append(why, fmt.Sprintf("超过本镇月发放上限 %s 元", s.CapFen))
		}
		if prev, ok := c.in.Previous[id]; ok && prev > 0 && s.IncreasePct > 0 &&
			int64(total)*100 > int64(prev)*int64(100+s.IncreasePct) {
			if total-prev > amount {
				amount = total - prev
			}
			why = append(why, fmt.Sprintf("比上月 %s 元增加 %s 元，超过 %d%%", prev, total-prev, s.IncreasePct))
			raised[id] = true
		}
		if len(why) == 0 {
			continue
		}
		p := c.rowsByID[id][0]
		out = append(out, Finding{Rule: AboveStandard, Subject: id, IDNumber: id, Name: p.Name, Village: p.Village, Account: p.Account,
			Amount: amount, Months: []audit.Month{c.in.Period}, Evidence: ev,
			Detail: fmt.Sprintf("%s %s 发放 %s 元：%s", p.Name, c.in.Period.Label(), total, strings.Join(why, "；"))})
	}
	return collapseWidespread(c, out, raised)
}

// Thresholds of a change too widespread to be about one person: at least
// this many people, and this share of those paid (of the roster, or of
// one village).
const (
	widespreadMin = 20
	widespreadPct = 30
)

// collapseWidespread turns a raise that hits most of the roster, or most of
// one village, in the same month — a standard raised for everyone, or an
// amount column misread — into one finding for the roster (or the
// village), decided once, instead of thousands of person findings nobody
// reads. Its evidence names the first people and how many there are.
func collapseWidespread(c *context, fs []Finding, raisedIDs map[string]bool) []Finding {
	paid := 0
	for _, n := range c.in.PaidByVillage {
		paid += n
	}
	wide := func(n, of int) bool { return n >= widespreadMin && of > 0 && n*100 >= of*widespreadPct }
	group := func(subject, village string, members []Finding, of int) Finding {
		var amount audit.Fen
		var ev []Evidence
		for i, f := range members {
			amount += f.Amount
			if i < 5 {
				ev = append(ev, f.Evidence...)
			}
		}
		where := "全镇花名册"
		if village != "" {
			where = village
		}
		ev = append(ev, Evidence{Kind: "roster_change", Village: village, Month: c.in.Period.String(),
			Note: fmt.Sprintf("%s共 %d 人，本月发放额比上月增加超过 %d%% 的有 %d 人（以上为前 5 人）", where, of, c.in.Settings.IncreasePct, len(members))})
		return Finding{Rule: AboveStandard, Subject: subject, Village: village, Amount: amount, Months: []audit.Month{c.in.Period}, Evidence: ev,
			Detail: fmt.Sprintf("%s %s 有 %d 人（占 %d 人的 %d%%）的发放额比上月增加超过 %d%%，共多发 %s 元：这样大面积的变化多半是统一调整了待遇标准，"+
				"或读错了金额列（如只取了基础养老金）；请核对调标文件或原花名册后一并处理，不逐人列出",
				where, c.in.Period.Label(), len(members), of, len(members)*100/of, c.in.Settings.IncreasePct, amount)}
	}
	var raised, rest []Finding
	for _, f := range fs {
		if raisedIDs[f.Subject] {
			raised = append(raised, f)
		} else {
			rest = append(rest, f)
		}
	}
	if wide(len(raised), paid) {
		return append(rest, group("roster", "", raised, paid))
	}
	byVillage := map[string][]Finding{}
	for _, f := range raised {
		byVillage[f.Village] = append(byVillage[f.Village], f)
	}
	villages := make([]string, 0, len(byVillage))
	for v := range byVillage {
		villages = append(villages, v)
	}
	sort.Strings(villages)
	for _, v := range villages {
		if members := byVillage[v]; v != "" && wide(len(members), c.in.PaidByVillage[v]) {
			rest = append(rest, group("village:"+v, v, members, c.in.PaidByVillage[v]))
		} else {
			rest = append(rest, members...)
		}
	}
	return rest
}

func missingVillageReport(c *context) []Finding {
	var out []Finding
	vs := append([]string(nil), c.in.Villages...)
	sort.Strings(vs)
	// a village is expected to report in the months its people are paid; a
	// roster that names no village leaves every village expected
	named := false
	for v, n := range c.in.PaidByVillage {
		named = named || (v != "" && n > 0)
	}
	for _, v := range vs {
		if v == "" || c.in.Reported[v] || (named && c.in.PaidByVillage[v] == 0) {
			continue
		}
		out = append(out, Finding{Rule: MissingVillageReport, Subject: v, Village: v, Months: []audit.Month{c.in.Period},
			Evidence: []Evidence{{Kind: "report_status", Village: v, Month: c.in.Period.String(), Note: "未收到死亡人员名单（也没有零报告）"}},
			Detail:   fmt.Sprintf("%s %s 没有上报死亡人员名单，也没有“本月无死亡人员”的零报告", v, c.in.Period.Label())})
	}
	return out
}

func survivalCheck(c *context) []Finding {
	age := c.in.Settings.SurvivalAge
	if age <= 0 {
		return nil
	}
	end := time.Date(c.in.Period.Year(), time.Month(c.in.Period.Mon())+1, 0, 0, 0, 0, 0, time.UTC)
	var out []Finding
	for _, id := range c.ids() {
		b, ok := idcard.Birth(id)
		if !ok || b.AddDate(age, 0, 0).After(end) {
			continue
		}
		p := c.rowsByID[id][0]
		years := end.Year() - b.Year()
		if end.YearDay() < b.YearDay() && b.AddDate(years, 0, 0).After(end) {
			years--
		}
		out = append(out, Finding{Rule: SurvivalCheck, Subject: id, IDNumber: id, Name: p.Name, Village: p.Village, Account: p.Account,
			Months: []audit.Month{c.in.Period}, Evidence: []Evidence{payoutEvidence(p)},
			Detail: fmt.Sprintf("%s 生于 %s，%s 已满 %d 周岁：请安排生存认证或上门核实", p.Name, b.Format("2006年1月2日"), c.in.Period.Label(), years)})
	}
	return out
}

var (
	coverRange = regexp.MustCompile(`(?:(\d{4})\s*[年.\-/]?\s*)?(\d{1,2})\s*月?\s*(?:-|—|–|~|～|至|到|－)\s*(?:(\d{4})\s*[年.\-/]?\s*)?(\d{1,2})\s*月`)
	coverDots  = regexp.MustCompile(`(\d{4})[.\-/](\d{1,2})\s*(?:-|—|–|~|～|至|到|－)\s*(\d{4})[.\-/](\d{1,2})`)
	coverOne   = regexp.MustCompile(`(\d{4})\s*年\s*(\d{1,2})\s*月`)
)

// Coverage reads the months a back-payment covers from its note, e.g.
// 补发2022年1-3月, 补发2021年11月至2022年1月, 2021.11-2022.01, 补发1-3月 (the
// pay month's year), 补发2022年3月. It returns nil when the note does not say.
func Coverage(note string, paid audit.Month) []audit.Month {
	note = strings.Map(func(r rune) rune {
		if r >= 0xFF10 && r <= 0xFF19 {
			return r - 0xFEE0
		}
		return r
	}, note)
	y := func(s string, def int) int {
		if s == "" {
			return def
		}
		v, _ := strconv.Atoi(s)
		return v
	}
	span := func(y1, m1, y2, m2 int) []audit.Month {
		if m1 < 1 || m1 > 12 || m2 < 1 || m2 > 12 {
			return nil
		}
		a, b := audit.MakeMonth(y1, m1), audit.MakeMonth(y2, m2)
		if b < a || b-a > 120 {
			return nil
		}
		var out []audit.Month
		for m := a; m <= b; m++ {
			out = append(out, m)
		}
		return out
	}
	if m := coverDots.FindStringSubmatch(note); m != nil {
		return span(y(m[1], 0), y(m[2], 0), y(m[3], 0), y(m[4], 0))
	}
	if m := coverRange.FindStringSubmatch(note); m != nil {
		m1, m2 := y(m[2], 0), y(m[4], 0)
		y2 := y(m[3], y(m[1], paid.Year()))
		y1 := y(m[1], y2)
		if m[1] == "" && m[3] == "" && m1 > m2 {
			y1 = y2 - 1
		}
		if m[1] == "" && m[3] == "" && audit.MakeMonth(y2, m2) > paid {
			y1, y2 = y1-1, y2-1
		}
		return span(y1, m1, y2, m2)
	}
	if m := coverOne.FindStringSubmatch(note); m != nil {
		return span(y(m[1], 0), y(m[2], 0), y(m[1], 0), y(m[2], 0))
	}
	return nil
}
