package sheet

import (
	"fmt"
	"strings"

	"pensionaudit/audit"
	"pensionaudit/audit/idcard"
)

// Recognising a column beyond the fixed list of whole header texts: by the
// words its header contains (领取人公民身份号码, 死者死亡日期, 注销的原因), and,
// for a field a kind cannot do without, by the values under it (a column
// whose cells are ID numbers is the ID column whatever its header says).
// Whatever is recognised this way is said in the import summary, with how.

// wordRule: a header containing all of the words of one of its sets, and
// none of not, is the field.
type wordRule struct {
	f    Field
	all  [][]string
	not  []string
	kind audit.Kind // "" for every kind
}

var wordRules = []wordRule{
	{f: FieldID, all: [][]string{{"身份证"}, {"身份号码"}, {"证件号"}, {"社会保障号"}}, not: []string{"类型", "种类"}},
	{f: FieldDeathDate, all: [][]string{{"死亡", "日期"}, {"死亡", "时间"}, {"去世", "日期"}, {"去世", "时间"}, {"亡故"}}},
	{f: FieldDeregDate, all: [][]string{{"注销", "日期"}, {"注销", "时间"}}},
	{f: FieldReason, all: [][]string{{"注销", "原因"}, {"注销", "类别"}, {"注销", "情况"}, {"死亡", "原因"}}, kind: audit.KindDeregistrations},
	{f: FieldName, all: [][]string{{"姓名"}}, not: []string{"户主", "经办", "操作", "代领", "监护", "开户", "联系", "填报", "审核", "制表"}},
	{f: FieldGroup, all: [][]string{{"村民小组"}, {"小组"}, {"村民组"}}},
	{f: FieldVillage, all: [][]string{{"村", "社区"}, {"行政村"}, {"村委"}, {"居委"}}, not: []string{"组", "村民"}},
	{f: FieldSex, all: [][]string{{"性别"}}},
	{f: FieldAccount, all: [][]string{{"银行", "账号"}, {"银行", "帐号"}, {"银行卡"}, {"社保卡", "号"}, {"社会保障卡", "号"}, {"一卡通"}, {"存折"}}},
	{f: FieldMonth, all: [][]string{{"发放", "年月"}, {"发放", "月份"}, {"待遇", "年月"}, {"所属", "年月"}}, not: []string{"出生", "参保", "开始", "首次", "领取年月"}},
	{f: FieldPayType, all: [][]string{{"发放", "类型"}, {"发放", "性质"}, {"待遇", "类型"}, {"业务", "类型"}}},
	{f: FieldStatus, all: [][]string{{"状态"}}, not: []string{"婚姻", "健康"}},
	{f: FieldNote, all: [][]string{{"备注"}}},
	// the other sources' columns, each for its own kind
	{f: FieldCremDate, all: [][]string{{"火化", "日期"}, {"火化", "时间"}}, kind: audit.KindCremation},
	{f: FieldPlace, all: [][]string{{"殡仪馆"}, {"火化", "地点"}, {"火化", "单位"}, {"死亡", "地点"}, {"死亡", "场所"}}},
	{f: FieldJailStart, all: [][]string{{"入监"}, {"入狱"}, {"收监"}, {"羁押", "日期"}, {"刑期", "起"}, {"服刑", "开始"}, {"服刑", "起"}}, kind: audit.KindPrison},
	{f: FieldJailEnd, all: [][]string{{"刑满"}, {"释放"}, {"出监"}, {"刑期", "止"}, {"刑期", "至"}, {"刑期", "届满"}, {"刑期", "结束"}}, kind: audit.KindPrison},
	{f: FieldScheme, all: [][]string{{"险种"}, {"养老保险", "类型"}, {"保险", "类别"}, {"参保", "类型"}}, kind: audit.KindOtherPensions},
	{f: FieldCertDate, all: [][]string{{"认证", "日期"}, {"认证", "时间"}}, kind: audit.KindCertifications},
	{f: FieldCertMethod, all: [][]string{{"认证", "方式"}, {"认证", "途径"}, {"认证", "渠道"}, {"认证", "类型"}}, kind: audit.KindCertifications},
	{f: FieldCertResult, all: [][]string{{"认证", "结果"}, {"认证", "状态"}, {"是否", "通过"}}, kind: audit.KindCertifications},
	{f: FieldGrantDate, all: [][]string{{"发放", "日期"}, {"发放", "时间"}, {"支付", "日期"}, {"拨付", "日期"}, {"领取", "日期"}}, kind: audit.KindFuneralGrants},
	{f: FieldOperator, all: [][]string{{"经办人"}, {"操作员"}, {"经办员"}}, kind: audit.KindPayouts},
}

// lookupWords finds a field by the words a header contains; the rank puts
// it after every whole-text match.
func lookupWords(label string, kind audit.Kind) (Field, int, bool) {
	n := normHeader(label)
	if n == "" {
		return "", 0, false
	}
	for i, r := range wordRules {
		if r.kind != "" && r.kind != kind || hasAny(n, r.not) {
			continue
		}
		for _, set := range r.all {
			all := true
			for _, w := range set {
				all = all && strings.Contains(n, w)
			}
			if all {
				return r.f, 300 + i, true
			}
		}
	}
	return "", 0, false
}

// byValues fills a field the header did not name, from the values under
// the header: the ID column (most of its cells valid ID numbers) for every
// kind, the reason column of a deregistration list (most of its cells words
// whose meaning is known). It returns how each was found, for the summary.
func byValues(cols map[Field]int, labels []string, sample [][]string, kind audit.Kind) map[Field]string {
	taken := map[int]bool{}
	for _, c := range cols {
		taken[c] = true
	}
	width := len(labels)
	for _, r := range sample {
		width = max(width, len(r))
	}
	how := map[Field]string{}
	// col returns the sample's non-empty values of column c
	col := func(c int) []string {
		var out []string
		for _, r := range sample {
			if c < len(r) {
				if v := strings.TrimSpace(r[c]); v != "" {
					out = append(out, v)
				}
			}
		}
		return out
	}
	pick := func(f Field, fits func(string) bool, what string) {
		if _, ok := cols[f]; ok {
			return
		}
		best, bestN, total := -1, 0, 0
		for c := 0; c < width; c++ {
			if taken[c] {
				continue
			}
			vs := col(c)
			n := 0
			for _, v := range vs {
				if fits(v) {
					n++
				}
			}
			// most of at least three values; a tie between columns is no answer
			if len(vs) >= 3 && n*5 >= len(vs)*4 {
				if n == bestN {
					best = -2
				} else if n > bestN {
					best, bestN, total = c, n, len(vs)
				}
			}
		}
		if best >= 0 {
			cols[f], taken[best] = best, true
			how[f] = fmt.Sprintf("按列中的内容识别：前 %d 行中 %d 行是%s", total, bestN, what)
		}
	}
	pick(FieldID, func(v string) bool { return idcard.Normalize(v).OK() }, "有效的身份证号码")
	if kind == audit.KindDeregistrations {
		pick(FieldReason, func(v string) bool {
			return audit.DeathMeaning(v, nil) != audit.MeaningUnknown
		}, "认得的注销原因")
	}
	return how
}
