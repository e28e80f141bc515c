package county

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"pensionaudit/audit"
	"pensionaudit/audit/rules"
)

// Report states of a township's month (part of the CLI contract).
const (
	OnTime   = "on_time"
	Late     = "late"
	Missing  = "missing"
	Reopened = "reopened"
)

// StateLabel is a state in Chinese.
func StateLabel(s string) string {
	switch s {
	case OnTime:
		return "按时上报"
	case Late:
		return "逾期上报"
	case Missing:
		return "未上报"
	case Reopened:
		return "退回后重报"
	}
	return s
}

// Cell is one township's month.
type Cell struct {
	Township string `json:"township"`
	Period   string `json:"period"`
	State    string `json:"state"`
	SignedAt string `json:"countersigned_at,omitempty"`
	Due      string `json:"due"`
	Findings int    `json:"findings"`
	// ByRule: the month's findings by rule and status, in words
	ByRule    string    `json:"by_rule,omitempty"`
	Found     audit.Fen `json:"-"`
	ToRecover audit.Fen `json:"-"`
	Recovered audit.Fen `json:"-"`
}

// Grid is the county's reporting grid: every enrolled township, every month
// from the earliest any township reported to the latest.
type Grid struct {
	Months    []string
	Townships []string // overdue first: most missing, then most late, then by name
	Cells     map[string]map[string]*Cell
	// per month: reported (on time or late or reopened) and on time, of all
	Reported, OnTime map[string]int
}

// due is the countersignature deadline of a month: the 10th of the next
// month, end of day, local time (the township window's).
func due(p audit.Month) time.Time {
	next := p + 1
	return time.Date(next.Year(), time.Month(next.Mon()), 10, 23, 59, 59, 0, time.Local)
}

// Status builds the grid (for one month when p is not 0).
func (s *Store) Status(ctx context.Context, p audit.Month) (*Grid, error) {
	ts, err := s.Townships(ctx)
	if err != nil {
		return nil, err
	}
	g := &Grid{Cells: map[string]map[string]*Cell{}, Reported: map[string]int{}, OnTime: map[string]int{}}
	var lo, hi string
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MIN(period), ''), COALESCE(MAX(period), '') FROM bundles`).Scan(&lo, &hi); err != nil {
		return nil, err
	}
	if p != 0 {
		lo, hi = p.String(), p.String()
	}
	if lo == "" {
		return g, nil
	}
	from, _ := audit.ParseMonth(lo)
	to, _ := audit.ParseMonth(hi)
	for m := from; m <= to; m++ {
		g.Months = append(g.Months, m.String())
	}
	type rec struct {
		at                string
		found, due, recov int64
		reopened          bool
		findings          int
	}
	current := map[string]*rec{}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT b.township, b.period, b.countersigned_at, b.found_fen, b.to_recover_fen, b.recovered_fen,
		(SELECT COUNT(*) FROM bundles o WHERE o.township = b.township AND o.period = b.period AND o.superseded_by IS NOT NULL),
		(SELECT COUNT(*) FROM findings f WHERE f.bundle_id = b.id)
		FROM bundles b WHERE b.superseded_by IS NULL AND b.period BETWEEN ? AND ?`), lo, hi)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var t, per string
		var r rec
		var old int
		if err := rows.Scan(&t, &per, &r.at, &r.found, &r.due, &r.recov, &old, &r.findings); err != nil {
			rows.Close()
			return nil, err
		}
		r.reopened = old > 0
		current[t+"\x00"+per] = &r
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// findings by rule and status, per current bundle
	byRule := map[string][]string{}
	frows, err := s.db.QueryContext(ctx, s.q(`SELECT b.township, b.period, f.rule, f.status, COUNT(*) FROM findings f
		JOIN bundles b ON b.id = f.bundle_id AND b.superseded_by IS NULL AND b.period BETWEEN ? AND ?
		GROUP BY b.township, b.period, f.rule, f.status ORDER BY b.township, b.period, f.rule, f.status`), lo, hi)
	if err != nil {
		return nil, err
	}
	for frows.Next() {
		var t, per, rule, status string
		var n int
		if err := frows.Scan(&t, &per, &rule, &status, &n); err != nil {
			frows.Close()
			return nil, err
		}
		byRule[t+"\x00"+per] = append(byRule[t+"\x00"+per], fmt.Sprintf("%s %s %d", rules.Label(rule), audit.Status(status).Label(), n))
	}
	frows.Close()
	score := map[string]int{}
	for _, t := range ts {
		g.Cells[t.Name] = map[string]*Cell{}
		for _, per := range g.Months {
			m, _ := audit.ParseMonth(per)
			d := due(m)
			c := &Cell{Township: t.Name, Period: per, State: Missing, Due: d.Format("2006-01-02")}
			if r := current[t.Name+"\x00"+per]; r != nil {
				c.SignedAt, c.Findings, c.ByRule = r.at, r.findings, strings.Join(byRule[t.Name+"\x00"+per], "；")
				c.Found, c.ToRecover, c.Recovered = audit.Fen(r.found), audit.Fen(r.due), audit.Fen(r.recov)
				at, err := time.Parse(time.RFC3339, r.at)
				switch {
				case r.reopened:
					c.State = Reopened
				case err == nil && !at.After(d):
					c.State = OnTime
				default:
					c.State = Late
				}
				g.Reported[per]++
				if c.State == OnTime {
					g.OnTime[per]++
				}
			}
			switch c.State {
			case Missing:
				score[t.Name] += 1000
			case Late:
				score[t.Name] += 10
			}
			g.Cells[t.Name][per] = c
		}
		g.Townships = append(g.Townships, t.Name)
	}
	sort.SliceStable(g.Townships, func(i, j int) bool {
		a, b := g.Townships[i], g.Townships[j]
		if score[a] != score[b] {
			return score[a] > score[b]
		}
		return a < b
	})
	return g, nil
}

// List is the grid as rows, in the grid's order.
func (g *Grid) List() []Cell {
	var out []Cell
	for _, t := range g.Townships {
		for _, m := range g.Months {
			out = append(out, *g.Cells[t][m])
		}
	}
	return out
}

// Cross-township findings (part of the CLI contract).
const (
	PaidInTwoTownships  = "paid_in_two_townships"
	DiedInOtherTownship = "died_in_other_township"
)

// RuleLabel is a county rule in Chinese.
func RuleLabel(r string) string {
	switch r {
	case PaidInTwoTownships:
		return "两个乡镇同月发放"
	case DiedInOtherTownship:
		return "在别的乡镇死亡仍发放"
	}
	return r
}

// Finding is a cross-township finding.
type Finding struct {
	Rule      string    `json:"rule"`
	Period    string    `json:"period"`
	IDNumber  string    `json:"id_number"`
	Name      string    `json:"name"`
	Townships []string  `json:"townships"`
	Amount    audit.Fen `json:"-"`
	Detail    string    `json:"detail"`
}

// Flags runs the cross-township checks for one month (every month
// reported when p is 0): the same ID paid in two townships; a death
// recorded in one township and payments in another after it.
func (s *Store) Flags(ctx context.Context, p audit.Month) ([]Finding, error) {
	var months []string
	if p != 0 {
		months = []string{p.String()}
	} else {
		rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT period FROM bundles WHERE superseded_by IS NULL ORDER BY period`)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var m string
			rows.Scan(&m)
			months = append(months, m)
		}
		rows.Close()
	}
	var out []Finding
	for _, m := range months {
		fs, err := s.flagsOf(ctx, m)
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	return out, nil
}

func (s *Store) flagsOf(ctx context.Context, m string) ([]Finding, error) {
	var out []Finding
	// paid in two townships
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT p.id_number, p.name, b.township, p.amount_fen
		FROM payees p JOIN bundles b ON b.id = p.bundle_id AND b.superseded_by IS NULL AND b.period = ?
		WHERE p.id_number IN (SELECT p2.id_number FROM payees p2 JOIN bundles b2 ON b2.id = p2.bundle_id AND b2.superseded_by IS NULL AND b2.period = ?
			GROUP BY p2.id_number HAVING COUNT(DISTINCT b2.township) > 1)
		ORDER BY p.id_number, b.township`), m, m)
	if err != nil {
		return nil, err
	}
	byID := map[string]*Finding{}
	var order []string
	for rows.Next() {
		var id, name, t string
		var amt int64
		if err := rows.Scan(&id, &name, &t, &amt); err != nil {
			rows.Close()
			return nil, err
		}
		f := byID[id]
		if f == nil {
			f = &Finding{Rule: PaidInTwoTownships, Period: m, IDNumber: id, Name: name}
			byID[id] = f
			order = append(order, id)
		}
		f.Townships = append(f.Townships, t)
		f.Amount += audit.Fen(amt)
	}
	rows.Close()
	for _, id := range order {
		f := byID[id]
		f.Detail = f.Name + " " + m + " 在 " + strings.Join(f.Townships, "、") + " 同时领取城乡居民养老保险，合计 " + f.Amount.String() + " 元：只能在一处领取"
		out = append(out, *f)
	}
	// died in one township, paid in another after the month of death
	rows, err = s.db.QueryContext(ctx, s.q(`SELECT p.id_number, p.name, b.township, p.amount_fen, bd.township, MIN(d.date)
		FROM payees p JOIN bundles b ON b.id = p.bundle_id AND b.superseded_by IS NULL AND b.period = ?
		JOIN deaths d ON d.id_number = p.id_number
		JOIN bundles bd ON bd.id = d.bundle_id AND bd.superseded_by IS NULL
		WHERE bd.township <> b.township AND substr(d.date, 1, 7) < ?
		GROUP BY p.id_number, p.name, b.township, p.amount_fen, bd.township
		ORDER BY p.id_number`), m, m)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, name, paidIn, diedIn, date string
		var amt int64
		if err := rows.Scan(&id, &name, &paidIn, &amt, &diedIn, &date); err != nil {
			return nil, err
		}
		out = append(out, Finding{Rule: DiedInOtherTownship, Period: m, IDNumber: id, Name: name, Townships: []string{diedIn, paidIn},
			Amount: audit.Fen(amt), Detail: diedIn + " 记载 " + name + " 于 " + date + " 死亡，" + paidIn + " " + m + " 仍发放 " + audit.Fen(amt).String() + " 元"})
	}
	return out, rows.Err()
}
