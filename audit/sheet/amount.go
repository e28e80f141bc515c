package sheet

import (
	"fmt"
	"strings"

	"pensionaudit/audit"
)

// AmountPlan is how a roster's amount paid is read from its columns: one
// column, or the sum of a group's parts, less any deductions. Rule says it
// in words for the import summary.
type AmountPlan struct {
	Cols  []int
	Minus []int
	Rule  string
	// grouped: read with the group's label above its parts (a header
	// understood in full, preferred over a reading of its lower row alone)
	grouped bool
	// shown: the parts and deductions a row's amount is made of, kept
	// beside it as evidence.
	shown []amountPart
	whole *amountPart // the one column read as the whole, nil for a sum
	net   bool        // the whole is after deductions (实发): its parts less them
}

// Uses lists every column the plan reads or keeps as evidence.
func (p *AmountPlan) Uses() []int {
	if p == nil {
		return nil
	}
	out := append(append([]int(nil), p.Cols...), p.Minus...)
	for _, x := range p.shown {
		out = append(out, x.col)
	}
	if p.whole != nil {
		out = append(out, p.whole.col)
	}
	return out
}

// amountPart is one column of what an amount is made of.
type amountPart struct {
	col   int
	name  string // the column's own header: 基础养老金
	minus bool
}

// money words: a column whose header holds one of these is about money.
var moneyWords = []string{"金额", "养老金", "发放数", "发放额", "实发", "应发", "待遇", "补贴", "补助", "合计", "小计", "总计", "共计",
	"总额", "扣", "(元)", "元)", "（元）", "计发", "发放款", "领取额"}

// not the amount paid, though about money: a standard, a base, a rate.
var notPaidWords = []string{"标准", "基数", "比例", "档次", "缴费", "年限", "月数", "年月", "类型", "账号", "卡号", "日期"}

func hasAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

func isDeduction(s string) bool { return hasAny(s, []string{"扣", "代缴", "应退", "退回"}) }
func isNet(s string) bool {
	return hasAny(s, []string{"实发", "实际发放", "实领", "实付", "实际支付", "到账", "实际领取"})
}
func isTotal(s string) bool {
	return hasAny(s, []string{"合计", "总计", "小计", "共计", "总额", "总金额"})
}
func isMoney(s string) bool { return hasAny(s, moneyWords) && !hasAny(s, notPaidWords) }

// amountCandidate is a column that may hold (part of) the amount paid.
type amountCandidate struct {
	col     int
	label   string // as the summary names it: 养老金(元)›合计
	grouped bool
}

// resolveAmount decides which columns give the amount paid, from the
// header's labels: parents is the upper row of a two-row header (nil for
// one row), children the lower one (or the only one). Columns already
// given another field are not candidates. A net amount (实发) wins; else a
// total (合计) less the deductions; else the sum of a group's parts less
// the deductions; else the one column about money. Several columns that
// could each be the amount is a question (ask lists them), never a guess.
func resolveAmount(parents, children []string, taken map[int]bool) (plan *AmountPlan, ask []string) {
	// an upper row with one text across it is a title, not a group label
	distinct := map[string]bool{}
	for _, p := range parents {
		if p = normHeader(p); p != "" {
			distinct[p] = true
		}
	}
	if len(distinct) < 2 {
		parents = nil
	}
	var nets, totals, parts, deducts, singles []amountCandidate
	for c := range children {
		if taken[c] {
			continue
		}
		ch := normHeader(children[c])
		p := ""
		if parents != nil && c < len(parents) {
			p = normHeader(parents[c])
		}
		inGroup := p != "" && ch != "" && p != ch && isMoney(p)
		text := ch
		if text == "" {
			text = p
		}
		label := strings.TrimSpace(children[c])
		if inGroup {
			label = strings.TrimSpace(parents[c]) + "›" + strings.TrimSpace(children[c])
		} else if label == "" && parents != nil && c < len(parents) {
			label = strings.TrimSpace(parents[c])
		}
		x := amountCandidate{c, label, inGroup}
		switch {
		case text == "":
		case isDeduction(text):
			if inGroup || isMoney(text) {
				deducts = append(deducts, x)
			}
		case isNet(text):
			nets = append(nets, x)
		case isTotal(text) && (inGroup || isMoney(text) || text == "合计" || text == "总计"):
			totals = append(totals, x)
		case inGroup && !hasAny(text, notPaidWords):
			parts = append(parts, x)
		case isMoney(text):
			singles = append(singles, x)
		}
	}
	names := func(xs []amountCandidate) []string {
		out := make([]string, len(xs))
		for i, x := range xs {
			out[i] = fmt.Sprintf("“%s”（%s列）", x.label, colName(x.col))
		}
		return out
	}
	cols := func(xs []amountCandidate) []int {
		out := make([]int, len(xs))
		for i, x := range xs {
			out[i] = x.col
		}
		return out
	}
	less := ""
	if len(deducts) > 0 {
		less = "，减去" + strings.Join(names(deducts), "、")
	}
	defer func() {
		if plan == nil {
			return
		}
		for _, group := range [][]amountCandidate{nets, totals, parts, deducts} {
			for _, x := range group {
				plan.grouped = plan.grouped || x.grouped
			}
		}
		// one column is the whole: a 实发, a 合计 or the only amount
		hasWhole := len(plan.Cols) == 1 && (len(parts) == 0 || plan.Cols[0] != parts[0].col)
		if len(parts) < 2 && len(deducts) == 0 && (len(parts) == 0 || !hasWhole) && (len(nets) == 0 || len(singles) != 1) {
			return
		}
		short := func(c int, label string) string {
			if c < len(children) && strings.TrimSpace(children[c]) != "" {
				return strings.TrimSpace(children[c])
			}
			return label
		}
		if hasWhole {
			plan.whole = &amountPart{col: plan.Cols[0], name: short(plan.Cols[0], "金额")}
			plan.net = len(nets) == 1 && nets[0].col == plan.Cols[0]
		}
		for _, x := range parts {
			plan.shown = append(plan.shown, amountPart{col: x.col, name: short(x.col, x.label)})
		}
		if plan.net && len(parts) == 0 && len(singles) == 1 {
			// 应发 beside 实发: the amount before the deductions
			plan.shown = append(plan.shown, amountPart{col: singles[0].col, name: short(singles[0].col, singles[0].label)})
		}
		for _, x := range deducts {
			plan.shown = append(plan.shown, amountPart{col: x.col, name: short(x.col, x.label), minus: true})
		}
	}()
	switch {
	case len(nets) == 1:
		return &AmountPlan{Cols: cols(nets), Rule: "取实际发放的" + names(nets)[0]}, nil
	case len(nets) > 1:
		return nil, names(nets)
	case len(totals) == 1:
		return &AmountPlan{Cols: cols(totals), Minus: cols(deducts), Rule: "取合计" + names(totals)[0] + less}, nil
	case len(totals) > 1:
		return nil, names(totals)
	case len(parts) > 0 && len(singles) == 0:
		rule := "取" + strings.Join(names(parts), "、") + "之和" + less
		if len(parts) == 1 {
			rule = "取" + names(parts)[0] + less
		}
		return &AmountPlan{Cols: cols(parts), Minus: cols(deducts), Rule: rule}, nil
	case len(parts) > 0:
		return nil, append(names(singles), strings.Join(names(parts), "+")+"之和")
	case len(singles) == 1:
		return &AmountPlan{Cols: cols(singles), Minus: cols(deducts), Rule: "取" + names(singles)[0] + less}, nil
	case len(singles) > 1:
		return nil, names(singles)
	}
	return nil, nil
}

// amountOf reads a row's amount by the plan: parts added (a blank part is
// nothing), deductions taken off. raw is what the cells said, for messages.
func (pl *AmountPlan) amountOf(cells []string) (amt audit.Fen, raw string, blank bool, err error) {
	cell := func(c int) string {
		if c < len(cells) {
			return strings.TrimSpace(cells[c])
		}
		return ""
	}
	var raws []string
	blank = true
	add := func(c int, sign audit.Fen) error {
		v := cell(c)
		if v == "" {
			return nil
		}
		blank = false
		raws = append(raws, v)
		a, err := ParseAmount(v)
		if err != nil {
			return fmt.Errorf("（%s列“%s”）%v", colName(c), v, err)
		}
		amt += sign * a
		return nil
	}
	for _, c := range pl.Cols {
		if err := add(c, 1); err != nil {
			return 0, strings.Join(raws, "+"), false, err
		}
	}
	for _, c := range pl.Minus {
		if err := add(c, -1); err != nil {
			return 0, strings.Join(raws, "+"), false, err
		}
	}
	return amt, strings.Join(raws, "+"), blank, nil
}

// Kept says in words which parts and deductions each row keeps beside
// its amount as evidence, "" when the amount is one column alone.
func (pl *AmountPlan) Kept() string {
	if pl == nil || len(pl.shown) == 0 {
		return ""
	}
	var plus, minus []string
	for _, x := range pl.shown {
		t := fmt.Sprintf("%s（%s列）", x.name, colName(x.col))
		if x.minus {
			minus = append(minus, t)
		} else {
			plus = append(plus, t)
		}
	}
	out := strings.Join(plus, " + ")
	if len(minus) > 0 {
		if out != "" {
			out += "，"
		}
		out += "扣除 " + strings.Join(minus, "、")
	}
	if pl.whole != nil && len(plus) > 0 {
		out += "；与" + pl.whole.name + "不符的行列为问题"
	}
	return out
}

// parts says what a row's amount is made of, as evidence kept with the
// row: each column with its value as written, the parts joined by +, the
// deductions by −; a 合计 read as the whole comes first with its parts in
// brackets: “合计 163.00（基础养老金 103.00 + 个人账户养老金 60.00）− 代扣医保 10.00”.
// "" when the amount is one column alone. partSum is the sum of the parts
// and ok says whether there are parts beside a whole and every one could be
// read, so that the whole can be checked against them.
func (pl *AmountPlan) parts(cells []string) (text string, whole, partSum audit.Fen, ok bool) {
	if len(pl.shown) == 0 {
		return "", 0, 0, false
	}
	read := func(x amountPart) (string, audit.Fen, bool) {
		v := ""
		if x.col < len(cells) {
			v = strings.TrimSpace(cells[x.col])
		}
		if v == "" {
			return x.name + " 空", 0, true
		}
		a, err := ParseAmount(v)
		if err != nil {
			return x.name + " “" + v + "”", 0, false
		}
		return x.name + " " + a.String(), a, true
	}
	var plus, minus []string
	var minusSum audit.Fen
	ok = true
	for _, x := range pl.shown {
		t, a, good := read(x)
		ok = ok && good
		if x.minus {
			minus = append(minus, t)
			minusSum += a
			continue
		}
		plus = append(plus, t)
		partSum += a
	}
	text = strings.Join(plus, " + ")
	less := ""
	for _, m := range minus {
		less += " − " + m
	}
	switch {
	case pl.whole != nil && pl.net && len(plus) == 0:
		t, a, _ := read(*pl.whole)
		return t + "（已减去 " + strings.Join(minus, "、") + "）", a, 0, false
	case pl.whole != nil && pl.net:
		// 实发 153.00（基础养老金 103.00 + 个人账户养老金 60.00 − 代扣医保 10.00）
		t, a, good := read(*pl.whole)
		whole, ok = a, ok && good
		partSum -= minusSum
		return t + "（" + text + less + "）", whole, partSum, ok
	case pl.whole != nil:
		t, a, good := read(*pl.whole)
		whole, ok = a, ok && good && len(plus) > 0
		if len(plus) > 0 {
			t += "（" + text + "）"
		}
		return t + less, whole, partSum, ok
	}
	return text + less, 0, partSum, false
}
