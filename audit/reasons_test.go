package audit

import "testing"

// A death is read by meaning, not by an exact word; another known cause
// is "no"; anything else — a word never seen, an empty reason, a death
// reported in error, both at once — is "not known", never "no".
func TestDeathMeaning(t *testing.T) {
	cases := map[string]Meaning{
		"死亡": MeaningYes, "已死亡": MeaningYes, "死亡注销": MeaningYes, "因病死亡": MeaningYes, "病故": MeaningYes,
		"2023年病故": MeaningYes, "去世": MeaningYes, "已去世": MeaningYes, "身故": MeaningYes, "死亡（医院证明）": MeaningYes,
		" 死 亡 ": MeaningYes, "死亡\u200b": MeaningYes, "逝世": MeaningYes, "宣告死亡": MeaningYes, "因意外死亡注销": MeaningYes,
		"迁出": MeaningNo, "户口迁出": MeaningNo, "迁往外省": MeaningNo, "出国定居": MeaningNo, "参军": MeaningNo, "入伍": MeaningNo,
		"重复登记": MeaningNo, "错误登记": MeaningNo, "婚迁": MeaningNo, "加入外国国籍": MeaningNo, "大中专学生迁出": MeaningNo,
		"": MeaningUnknown, "其他": MeaningUnknown, "XX": MeaningUnknown, "注销": MeaningUnknown, "误报死亡": MeaningUnknown,
		"死亡误报，恢复户口": MeaningUnknown, "宣告失踪": MeaningUnknown, "迁出后死亡": MeaningUnknown, "待核实": MeaningUnknown,
		"死亡?": MeaningUnknown, "非死亡": MeaningUnknown,
	}
	for reason, want := range cases {
		if got := DeathMeaning(reason, nil); got != want {
			t.Errorf("DeathMeaning(%q) = %s, want %s", reason, got.Label(), want.Label())
		}
	}
	// a supervisor's word comes first, compared in normal form
	over := map[string]Meaning{NormalizeWord("销户（Ｘ类）"): MeaningYes, "迁出": MeaningUnknown}
	if got := DeathMeaning("销户(X类)", over); got != MeaningYes {
		t.Errorf("supervisor's word: %s", got.Label())
	}
	if got := DeathMeaning("迁出", over); got != MeaningUnknown {
		t.Errorf("supervisor's word over the vocabulary: %s", got.Label())
	}
}

// Pay types by the words inside them, and "other" only for what none of
// them says.
func TestParsePayType(t *testing.T) {
	cases := map[string]PayType{
		"": PayNormal, "正常发放": PayNormal, "正常": PayNormal, "按月正常发放": PayNormal,
		"补发": PayBack, "一次性补发": PayBack, "补发2022年1-4月": PayBack, "追发": PayBack,
		"恢复发放": PayResumed, "恢复待遇": PayResumed, "续发": PayResumed, "暂停后恢复": PayResumed,
		"待遇调整": PayAdjusted, "提标补差": PayAdjusted, "调待": PayAdjusted,
		"其他": PayOther, "XX": PayOther, "暂停": PayOther,
	}
	for s, want := range cases {
		if got := ParsePayType(s); got != want {
			t.Errorf("ParsePayType(%q) = %s, want %s", s, got, want)
		}
	}
}

// Sex and 状态 in three answers too: a word the reader does not know is
// said, never taken for the usual.
func TestSexAndStatus(t *testing.T) {
	for s, want := range map[string]string{"男": "男", "女性": "女", "M": "男", "2": "女", "": "", "未知": "", "X": ""} {
		if got := ParseSex(s); got != want {
			t.Errorf("ParseSex(%q) = %q, want %q", s, got, want)
		}
	}
	for s, want := range map[string]Meaning{"正常": MeaningYes, "正常发放": MeaningYes, "领取中": MeaningYes, "暂停": MeaningNo,
		"待遇终止": MeaningNo, "已死亡": MeaningNo, "停发": MeaningNo, "": MeaningUnknown, "待定": MeaningUnknown} {
		if got := StatusMeaning(s); got != want {
			t.Errorf("StatusMeaning(%q) = %s, want %s", s, got.Label(), want.Label())
		}
	}
}
