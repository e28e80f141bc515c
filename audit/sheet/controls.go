package sheet

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"pensionaudit/audit"
)

// A roster's summary sheet (汇总: one row per village with its 人数 and
// 金额) holds no payees: it is the file's own control total. Its figures are
// kept and compared with the rows read from the other sheets; a mismatch
// refuses the file, since a village's sheet then lacks rows or has extra.

// Control is one line of a summary sheet.
type Control struct {
	Sheet     string
	Row       int
	Village   string // "" for the whole file (合计)
	Count     int
	HasCount  bool
	Amount    audit.Fen
	HasAmount bool
}

// Tally is what the payee rows of one village added up to.
type Tally struct {
	Count  int
	Amount audit.Fen
}

var summarySheetRe = regexp.MustCompile(`汇总|统计|总表|合计`)

// countHeader and amountHeader recognise a summary's columns.
func countHeader(l string) bool {
	l = normHeader(l)
	if hasAny(l, []string{"死亡", "新增", "减少", "停", "注销", "迁", "暂", "变动"}) {
		return false // a count of something else than the people paid
	}
	return strings.Contains(l, "人数") || strings.Contains(l, "户数") || l == "人" || strings.HasSuffix(l, "(人)")
}

// readSummary reads a sheet as a summary when it is one: a header with a
// village column and a count or an amount column, and no ID column (or a
// sheet named 汇总/统计 whose table has no payees). It returns false for a
// sheet that is no summary.
func readSummary(sheet string, head []bufRow, rest func(fn func(bufRow)) error, sum *Summary) (bool, error) {
	for i, r := range head {
		vc, cc, ac := -1, -1, -1
		for c, l := range r.cells {
			n := normHeader(l)
			switch {
			case n == "":
			case countHeader(n) && cc < 0:
				cc = c
			case isMoney(n) && ac < 0 && !countHeader(n):
				ac = c
			default:
				if f, _, ok := lookupHeader(n); ok && f == FieldVillage && vc < 0 {
					vc = c
				} else if ok && f == FieldID {
					return false, nil // a payee table
				}
			}
		}
		if vc < 0 || (cc < 0 && ac < 0) {
			continue
		}
		if !summarySheetRe.MatchString(sheet) && cc < 0 {
			continue // a village and an amount, no count: not clearly a summary
		}
		add := func(r bufRow) {
			cell := func(c int) string {
				if c >= 0 && c < len(r.cells) {
					return strings.TrimSpace(r.cells[c])
				}
				return ""
			}
			v := cell(vc)
			first := ""
			for _, c := range r.cells {
				if c = strings.TrimSpace(c); c != "" {
					first = normHeader(c)
					break
				}
			}
			ctl := Control{Sheet: sheet, Row: r.n, Village: v}
			if strings.HasPrefix(first, "合计") || strings.HasPrefix(first, "总计") || strings.HasPrefix(normHeader(v), "合计") {
				ctl.Village = ""
			} else if v == "" {
				return
			}
			if s := strings.TrimSuffix(strings.TrimSuffix(cell(cc), "人"), "户"); s != "" {
				if k, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
					ctl.Count, ctl.HasCount = k, true
				}
			}
			if a, err := ParseAmount(cell(ac)); err == nil && cell(ac) != "" {
				ctl.Amount, ctl.HasAmount = a, true
			}
			if ctl.HasCount || ctl.HasAmount {
				sum.Controls = append(sum.Controls, ctl)
			}
		}
		for _, r := range head[i+1:] {
			add(r)
		}
		return true, rest(add)
	}
	return false, nil
}

// checkControls compares a summary's figures with the payee rows read: per
// village, and the whole. A mismatch refuses the file.
func checkControls(opts Options, sum *Summary) error {
	var all Tally
	for _, t := range sum.ByVillage {
		all.Count += t.Count
		all.Amount += t.Amount
	}
	// a table of villages none of which the payee rows name is not this
	// roster's summary (a list of something else): said, not checked
	named, known := 0, 0
	for _, c := range sum.Controls {
		if c.Village != "" {
			named++
			if sum.ByVillage[c.Village] != nil {
				known++
			}
		}
	}
	if named > 0 && known == 0 {
		note := fmt.Sprintf("工作表「%s」像是各村汇总，但其中的村名与各行的村都对不上：没有用它核对，请确认", sum.Controls[0].Sheet)
		sum.Controls, sum.SummarySheets = nil, nil
		return sum.addProblem(opts, audit.Problem{File: opts.File, Reason: note, Level: audit.LevelNotice})
	}
	for _, c := range sum.Controls {
		got := all
		what := "全部工作表"
		if c.Village != "" {
			t := sum.ByVillage[c.Village]
			if t == nil {
				t = &Tally{}
			}
			got, what = *t, c.Village+"的工作表"
		}
		var diff []string
		if c.HasCount && c.Count != got.Count {
			diff = append(diff, fmt.Sprintf("人数 %d，%s读到 %d 人", c.Count, what, got.Count))
		}
		if c.HasAmount && c.Amount != got.Amount {
			diff = append(diff, fmt.Sprintf("金额 %s 元，%s读到 %s 元", c.Amount.Grouped(), what, got.Amount.Grouped()))
		}
		if len(diff) > 0 {
			who := c.Village
			if who == "" {
				who = "合计"
			}
			return &ReadError{File: opts.File, Sheet: c.Sheet, Row: c.Row, Reason: fmt.Sprintf("汇总表「%s」第 %d 行 %s：%s，与汇总不符（文件可能缺行或被改动）",
				c.Sheet, c.Row, who, strings.Join(diff, "；"))}
		}
	}
	return nil
}
