package sheet

import (
	"regexp"
	"sort"
	"strings"

	"pensionaudit/audit"
)

// Field is a column's meaning.
type Field string

// The fields of the three input kinds.
const (
	FieldSeq       Field = "seq"
	FieldVillage   Field = "village"
	FieldName      Field = "name"
	FieldSex       Field = "sex"
	FieldID        Field = "id"
	FieldAccount   Field = "account"
	FieldMonth     Field = "month"
	FieldAmount    Field = "amount"
	FieldPayType   Field = "type"
	FieldStatus    Field = "status"
	FieldNote      Field = "note"
	FieldDeathDate Field = "death_date"
	FieldDeregDate Field = "dereg_date"
	FieldReason    Field = "reason"
	FieldGroup     Field = "group" // 村民小组: never the village
	// the other sources (issue 21) and the roster's operator
	FieldCremDate   Field = "cremation_date"
	FieldPlace      Field = "place"
	FieldJailStart  Field = "jail_start"
	FieldJailEnd    Field = "jail_end"
	FieldScheme     Field = "scheme"
	FieldCertDate   Field = "cert_date"
	FieldCertMethod Field = "cert_method"
	FieldCertResult Field = "cert_result"
	FieldGrantDate  Field = "grant_date"
	FieldOperator   Field = "operator"
)

// DateFields are the fields that hold a date.
var DateFields = []Field{FieldDeathDate, FieldDeregDate, FieldCremDate, FieldJailStart, FieldJailEnd, FieldCertDate, FieldGrantDate}

// Label is the Chinese name of a field, used in messages.
func (f Field) Label() string {
	switch f {
	case FieldSeq:
		return "序号"
	case FieldVillage:
		return "村(社区)"
	case FieldName:
		return "姓名"
	case FieldSex:
		return "性别"
	case FieldID:
		return "身份证号码"
	case FieldAccount:
		return "银行账号"
	case FieldMonth:
		return "发放年月"
	case FieldAmount:
		return "发放金额"
	case FieldPayType:
		return "发放类型"
	case FieldStatus:
		return "状态"
	case FieldNote:
		return "备注"
	case FieldDeathDate:
		return "死亡日期"
	case FieldDeregDate:
		return "注销日期"
	case FieldReason:
		return "注销原因"
	case FieldGroup:
		return "村民小组"
	case FieldCremDate:
		return "火化日期"
	case FieldPlace:
		return "地点"
	case FieldJailStart:
		return "入监日期"
	case FieldJailEnd:
		return "刑满释放日期"
	case FieldScheme:
		return "险种"
	case FieldCertDate:
		return "认证日期"
	case FieldCertMethod:
		return "认证方式"
	case FieldCertResult:
		return "认证结果"
	case FieldGrantDate:
		return "发放日期"
	case FieldOperator:
		return "经办人"
	}
	return string(f)
}

// synonyms lists, per field, the header words in order of preference (an
// earlier word wins when two columns could be the same field).
var synonyms = map[Field][]string{
	FieldSeq:     {"序号", "编号", "顺序号", "序"},
	FieldVillage: {"村(社区)", "村（社区）", "所属村组", "所属村(社区)", "所属村", "村社区", "村组", "村名", "村", "社区", "村居", "所在村", "村(居)", "行政村", "村委会", "居委会", "所属社区"},
	FieldGroup:   {"村民小组", "小组", "组别", "所属组", "组", "组号", "所属小组", "村民组", "社别", "队别"},
	FieldName: {"姓名", "参保人姓名", "领取人姓名", "死者姓名", "死亡人姓名", "被注销人姓名", "户主姓名", "人员姓名", "参保人", "领取人",
		"名字"},
	FieldSex: {"性别"},
	FieldID: {"身份证号码", "身份证号", "公民身份号码", "公民身份证号码", "公民身份证号", "证件号码", "证件号", "社会保障号码", "社会保障号",
		"身份证", "身份号码", "个人编号(身份证)", "身份证件号码"},
	FieldAccount: {"社会保障卡银行账号", "银行卡号", "银行账号", "社会保障卡号", "社保卡号", "社保卡银行账号", "银行帐号", "账号", "帐号", "卡号",
		"存折号", "一卡通账号", "惠民惠农一卡通账号", "金融账号", "代发账号"},
	FieldMonth: {"发放年月", "发放月份", "年月", "所属年月", "待遇年月", "发放期别", "发放期间", "待遇所属期", "月份", "发放月"},
	FieldAmount: {"实发金额", "发放金额", "金额", "应发金额", "待遇金额", "养老金", "月养老金", "发放数", "实发数", "合计金额",
		"本月发放金额", "养老金金额"},
	FieldPayType:   {"发放类型", "类型", "待遇类型", "发放方式", "业务类型", "支付类型", "发放性质"},
	FieldStatus:    {"状态", "待遇状态", "发放状态", "人员状态"},
	FieldNote:      {"备注", "说明", "情况说明"},
	FieldDeathDate: {"死亡日期", "死亡时间", "去世日期", "去世时间", "死亡年月日", "亡故日期", "逝世日期"},
	FieldDeregDate: {"注销日期", "注销时间", "销户日期"},
	FieldReason:    {"注销原因", "原因", "注销类别", "注销类型", "变动原因"},
	FieldCremDate:  {"火化日期", "火化时间", "火化年月日"},
	FieldPlace:     {"殡仪馆", "殡仪馆名称", "火化地点", "火化单位", "死亡地点", "死亡地点类别", "死亡地点类型"},
	FieldJailStart: {"入监日期", "入监时间", "入狱日期", "收监日期", "羁押日期", "刑期起日", "刑期起始日期", "刑期开始日期", "服刑开始日期"},
	FieldJailEnd: {"刑满日期", "释放日期", "刑满释放日期", "出监日期", "刑期止日", "刑期截止日期", "刑期届满日期", "预计刑满日期",
		"刑期结束日期"},
	FieldScheme:     {"险种", "险种类型", "参保险种", "养老保险类型", "险种名称"},
	FieldCertDate:   {"认证日期", "认证时间", "资格认证日期", "最近认证日期", "认证年月日"},
	FieldCertMethod: {"认证方式", "认证途径", "认证类型", "认证渠道"},
	FieldCertResult: {"认证结果", "认证状态", "是否通过", "认证是否通过", "结果"},
	FieldGrantDate:  {"发放日期", "支付日期", "发放时间", "拨付日期"},
	FieldOperator:   {"经办人", "操作员", "经办人员", "录入人", "操作人", "经办人姓名", "操作员姓名"},
}

var headerIndex = func() map[string]struct {
	f    Field
	rank int
} {
	m := map[string]struct {
		f    Field
		rank int
	}{}
	for f, words := range synonyms {
		for i, w := range words {
			m[normHeader(w)] = struct {
				f    Field
				rank int
			}{f, i}
		}
	}
	return m
}()

var unitRe = regexp.MustCompile(`[(（][^()（）]*[)）]$`)

// normHeader folds a header for matching: widths, spaces, line breaks,
// asterisks marking required columns, and a trailing colon.
func normHeader(s string) string {
	s = strings.Map(func(r rune) rune {
		r = halfWidth(r)
		switch r {
		case ' ', '\n', '\r', '\t', '*', '※', ':':
			return -1
		}
		return r
	}, s)
	return s
}

// lookupHeader finds the field of a header text, trying it whole and then
// without a trailing unit or remark in brackets: 发放金额(元) → 发放金额.
func lookupHeader(label string) (Field, int, bool) {
	n := normHeader(label)
	if n == "" {
		return "", 0, false
	}
	if e, ok := headerIndex[n]; ok {
		return e.f, e.rank, true
	}
	if stripped := unitRe.ReplaceAllString(n, ""); stripped != n && stripped != "" {
		if e, ok := headerIndex[stripped]; ok {
			return e.f, e.rank + 100, true
		}
	}
	// 银行卡号/账号, 身份证号、证件号: either part names the column.
	if parts := strings.FieldsFunc(n, func(r rune) bool { return r == '/' || r == '、' || r == '|' }); len(parts) > 1 {
		for _, part := range parts {
			if e, ok := headerIndex[unitRe.ReplaceAllString(part, "")]; ok {
				return e.f, e.rank + 200, true
			}
		}
	}
	return "", 0, false
}

// Mapping is a user's override: field → the header text of its column.
type Mapping map[Field]string

// ParseMapping reads "id=证件号码,name=姓名".
func ParseMapping(s string) (Mapping, error) {
	m := Mapping{}
	if strings.TrimSpace(s) == "" {
		return m, nil
	}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == ';' }) {
		k, v, ok := strings.Cut(part, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" || v == "" {
			return nil, audit.Errorf(audit.ErrInvalid, "列映射 %q 格式不对：应写成 字段=列名，例如 id=证件号码", part)
		}
		f := Field(k)
		if _, known := synonyms[f]; !known {
			return nil, audit.Errorf(audit.ErrInvalid, "列映射中的字段 %q 不认识，可用的字段有：%s", k, strings.Join(FieldNames(), "、"))
		}
		m[f] = v
	}
	return m, nil
}

// String writes the mapping back in ParseMapping's form, sorted.
func (m Mapping) String() string {
	var parts []string
	for f, h := range m {
		parts = append(parts, string(f)+"="+h)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// FieldNames lists the field keys accepted by --map.
func FieldNames() []string {
	var out []string
	for f := range synonyms {
		out = append(out, string(f))
	}
	sort.Strings(out)
	return out
}

// required lists, per kind, the fields without which a table is not that kind.
func required(k audit.Kind) []Field {
	switch k {
	case audit.KindPayouts:
		return []Field{FieldName, FieldID, FieldAmount}
	case audit.KindDeaths, audit.KindCremation:
		return []Field{FieldName, FieldID}
	case audit.KindDeathCertificates:
		return []Field{FieldName, FieldID, FieldDeathDate}
	case audit.KindPrison:
		return []Field{FieldName, FieldID, FieldJailStart}
	case audit.KindOtherPensions:
		return []Field{FieldName, FieldID, FieldMonth}
	case audit.KindCertifications:
		return []Field{FieldName, FieldID, FieldCertDate}
	case audit.KindFuneralGrants:
		return []Field{FieldName, FieldID, FieldGrantDate}
	default:
		return []Field{FieldName, FieldID}
	}
}
