package audit

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Meaning is what a coded value says about the question the rules ask of
// it (is this deregistration a death?): yes, no, or not known. There are
// always three answers: a word the program does not know is never "no".
type Meaning int8

// The three answers.
const (
	MeaningUnknown Meaning = iota
	MeaningYes
	MeaningNo
)

// Label is the meaning in Chinese, as the import summary shows it.
func (m Meaning) Label() string {
	switch m {
	case MeaningYes:
		return "死亡"
	case MeaningNo:
		return "非死亡"
	}
	return "不明（须核实）"
}

// ParseMeaning reads a meaning a supervisor sets for a word.
func ParseMeaning(s string) (Meaning, error) {
	switch strings.TrimSpace(s) {
	case "death", "yes", "死亡", "是":
		return MeaningYes, nil
	case "other", "no", "非死亡", "否", "其他":
		return MeaningNo, nil
	case "unknown", "不明":
		return MeaningUnknown, nil
	}
	return MeaningUnknown, &Error{Kind: ErrInvalid, Field: "means", Msg: "含义“" + Escape(s, 20) + "”不对：应为死亡、非死亡或不明"}
}

// The ways a death is written on a police deregistration (注销原因) or a
// village list: the word itself, its literary and colloquial forms, and
// the legal declaration. Matched inside the text, so that 已死亡, 因病死亡,
// 死亡注销, 死亡（医院证明） and 2023年病故 all say death.
var deathWords = []string{"死亡", "病故", "病逝", "病亡", "去世", "逝世", "过世", "亡故", "身故", "身亡", "已故", "故去", "死于",
	"离世", "辞世", "殁", "宣告死亡", "意外死", "自然死", "猝死", "溺亡", "遇难", "火化", "殡葬"}

// The other reasons a 户籍 is cancelled: moving away, emigration, army
// service, a registration error or duplicate, a change of nationality.
var otherWords = []string{"迁出", "迁往", "迁移", "迁至", "迁入", "户口迁", "投靠", "婚迁", "嫁出", "出嫁", "升学", "入学", "就学", "大中专",
	"出国", "出境", "定居国外", "定居境外", "加入外国国籍", "外国国籍", "入籍", "参军", "入伍", "服兵役", "服役", "征兵",
	"重复登记", "重复户口", "重复", "错误登记", "误登", "登记错误", "虚假户口", "注销错误户口", "一人多户", "户口更正", "合户", "分户"}

// Words that turn a death into a question: a death reported in error, a
// cancellation undone, someone missing rather than dead.
var doubtWords = []string{"误报", "错报", "非死亡", "未死亡", "没有死亡", "并未死亡", "假死", "恢复户口", "恢复户籍", "撤销注销", "死亡注销错误",
	"宣告失踪", "失踪", "下落不明", "待核实", "待查", "不详", "不明", "？", "?"}

// DeathMeaning says whether a deregistration reason (or a note) writes a
// death: yes when a death word appears and nothing puts it in doubt; no
// when only another known reason appears; unknown otherwise — a word the
// program has not seen, an empty reason, both kinds at once, or a death
// reported in error. overrides are the supervisor's own words for this
// workspace (normalised with NormalizeWord) and come first.
func DeathMeaning(reason string, overrides map[string]Meaning) Meaning {
	w := NormalizeWord(reason)
	if m, ok := overrides[w]; ok {
		return m
	}
	if w == "" {
		return MeaningUnknown
	}
	for _, d := range doubtWords {
		if strings.Contains(w, d) {
			return MeaningUnknown
		}
	}
	death, other := containsAny(w, deathWords), containsAny(w, otherWords)
	switch {
	case death && !other:
		return MeaningYes
	case other && !death:
		return MeaningNo
	}
	return MeaningUnknown
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// NormalizeWord is the form a coded value is compared in: compatibility
// forms folded (全角 → 半角), spaces, invisible characters and the
// punctuation around it removed.
func NormalizeWord(s string) string {
	s = norm.NFKC.String(s)
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || Invisible(r) || (unicode.IsPunct(r) && r != '?') {
			return -1
		}
		return r
	}, s)
}

// DoubtsDeath reports whether a note puts a death in doubt: reported in
// error (误报, 未死亡), a cancellation undone, someone missing, still to be
// checked.
func DoubtsDeath(note string) bool { return containsAny(NormalizeWord(note), doubtWords) }

// IsDeathReason reports whether a deregistration's reason is known to be a
// death (with no supervisor's words: see DeathMeaning).
func IsDeathReason(reason string) bool { return DeathMeaning(reason, nil) == MeaningYes }

// ParseSex reads a sex as rosters write it (男, 女, 男性, M, F, 1, 2); ""
// when it is none of them.
func ParseSex(s string) string {
	switch strings.ToUpper(NormalizeWord(s)) {
	case "男", "男性", "M", "MALE", "1":
		return "男"
	case "女", "女性", "F", "FEMALE", "2":
		return "女"
	}
	return ""
}

// StatusMeaning reads a roster's 状态 column: yes for a payee being paid
// (正常, 在发, 领取中), no for one stopped, ended or dead (暂停, 停发,
// 终止, 死亡, 注销), unknown otherwise.
func StatusMeaning(s string) Meaning {
	w := NormalizeWord(s)
	switch {
	case w == "":
		return MeaningUnknown
	case containsAny(w, []string{"暂停", "停发", "停保", "中止", "终止", "注销", "取消", "冻结"}) || DeathMeaning(w, nil) == MeaningYes:
		return MeaningNo
	case containsAny(w, []string{"正常", "在发", "发放", "领取", "享受", "在册", "恢复"}):
		return MeaningYes
	}
	return MeaningUnknown
}

// SameScheme tells a scheme name that is the residents' pension itself
// (城乡居民基本养老保险, 新农保, 城居保): on another scheme's roster such a
// row is no second pension.
func SameScheme(s string) bool {
	s = strings.ReplaceAll(s, " ", "")
	for _, w := range []string{"城乡居民", "居民养老", "新农保", "新型农村社会养老", "城居保", "城镇居民社会养老"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// CertPassed reads a qualification certification's result: passed (通过,
// 成功, 已认证), not passed (未通过, 失败, 不通过, 未认证), or a word
// not known — never taken as passed.
func CertPassed(s string) Meaning {
	s = strings.TrimSpace(strings.ReplaceAll(s, " ", ""))
	switch {
	case s == "":
		return MeaningYes // no result written: the record is of a certification made
	case strings.Contains(s, "未") || strings.Contains(s, "不") || strings.Contains(s, "失败") || strings.Contains(s, "否") || strings.Contains(s, "异常"):
		return MeaningNo
	}
	for _, w := range []string{"通过", "成功", "已认证", "认证成功", "是", "正常", "合格"} {
		if s == w || strings.Contains(s, w) {
			return MeaningYes
		}
	}
	return MeaningUnknown
}
