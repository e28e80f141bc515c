// Package audit holds the domain of the pension payout audit: what a payout,
// a death record, a row problem, a batch (an imported file) and a finding are.
// It never imports fyne: the GUI in package ui and the command line in
// audit/cli drive the same functions.
package audit

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Kind is what an imported file holds.
type Kind string

// The kinds of input: the roster, the two death lists the township has
// always had, and the other sources that know someone died or is not
// entitled (issue 21).
const (
	KindPayouts           Kind = "payouts"
	KindDeaths            Kind = "deaths"
	KindDeregistrations   Kind = "deregistrations"
	KindCremation         Kind = "cremation"          // 民政 殡葬/火化记录
	KindDeathCertificates Kind = "death-certificates" // 卫健 死亡医学证明
	KindPrison            Kind = "prison"             // 司法 在押服刑人员名单
	KindOtherPensions     Kind = "other-pensions"     // 职工/机关事业单位养老保险 领取人员
	KindCertifications    Kind = "certifications"     // 待遇资格认证记录
	KindFuneralGrants     Kind = "funeral-grants"     // 丧葬补助金发放
)

// Kinds lists every kind, in the order the window offers them.
var Kinds = []Kind{KindPayouts, KindDeaths, KindDeregistrations, KindCremation, KindDeathCertificates, KindPrison,
	KindOtherPensions, KindCertifications, KindFuneralGrants}

// ParseKind accepts the CLI spelling and the Chinese names.
func ParseKind(s string) (Kind, error) {
	switch t := strings.TrimSpace(s); t {
	case "payouts", "payout", "发放花名册", "花名册":
		return KindPayouts, nil
	case "deaths", "death", "死亡名单", "死亡人员名单":
		return KindDeaths, nil
	case "deregistrations", "deregistration", "注销", "户籍注销":
		return KindDeregistrations, nil
	default:
		for _, k := range Kinds {
			if t == string(k) || t == k.Label() {
				return k, nil
			}
		}
	}
	var names []string
	for _, k := range Kinds {
		names = append(names, string(k)+"（"+k.Label()+"）")
	}
	return "", fmt.Errorf("未知的文件类型 %q：应为 %s 之一", s, strings.Join(names, "、"))
}

// Label is the Chinese name of the kind.
func (k Kind) Label() string {
	switch k {
	case KindPayouts:
		return "发放花名册"
	case KindDeaths:
		return "村死亡人员名单"
	case KindDeregistrations:
		return "户籍注销名单"
	case KindCremation:
		return "殡葬火化记录"
	case KindDeathCertificates:
		return "死亡医学证明"
	case KindPrison:
		return "在押服刑人员名单"
	case KindOtherPensions:
		return "其他养老保险领取名单"
	case KindCertifications:
		return "待遇资格认证记录"
	case KindFuneralGrants:
		return "丧葬补助金发放名单"
	}
	return string(k)
}

// Dated tells the kinds whose rows carry their own dates: a file of them
// belongs to no one month and needs neither a month nor a village.
func (k Kind) Dated() bool {
	return k != KindPayouts && k != KindDeaths
}

// DeathSource tells the kinds every row of which records a death (stored
// with the deaths, read by every death rule); a deregistration records one
// when its reason says so.
func (k Kind) DeathSource() bool {
	return k == KindDeaths || k == KindDeregistrations || k == KindCremation || k == KindDeathCertificates
}

// Month is a calendar month counted from year 0: year*12 + (month-1).
// The zero Month means "unknown".
type Month int32

// MonthOf returns the Month of t.
func MonthOf(t time.Time) Month { return Month(t.Year()*12 + int(t.Month()) - 1) }

// MakeMonth builds a Month from year and month (1–12).
func MakeMonth(y, m int) Month { return Month(y*12 + m - 1) }

// Year and Mon split the month.
func (m Month) Year() int { return int(m) / 12 }

// Mon is the month of the year, 1–12.
func (m Month) Mon() int { return int(m)%12 + 1 }

// String is YYYY-MM, or "" for the zero Month.
func (m Month) String() string {
	if m == 0 {
		return ""
	}
	return fmt.Sprintf("%04d-%02d", m.Year(), m.Mon())
}

// Label is the Chinese form 2022年3月.
func (m Month) Label() string {
	if m == 0 {
		return ""
	}
	return fmt.Sprintf("%d年%d月", m.Year(), m.Mon())
}

// ParseMonth reads YYYY-MM (the CLI's form) strictly.
func ParseMonth(s string) (Month, error) {
	s = strings.TrimSpace(s)
	if len(s) == 7 && s[4] == '-' {
		y, err1 := strconv.Atoi(s[:4])
		m, err2 := strconv.Atoi(s[5:])
		if err1 == nil && err2 == nil && y >= 1900 && y <= 2200 && m >= 1 && m <= 12 {
			return MakeMonth(y, m), nil
		}
	}
	return 0, Errorf(ErrInvalid, "月份 %q 不正确：应写成 YYYY-MM，例如 2022-03", s)
}

// Fen is an amount of money in fen (1/100 yuan). Money is never a float.
type Fen int64

// String is yuan with two decimals and no separators: 1234.50.
func (f Fen) String() string {
	sign := ""
	if f < 0 {
		sign, f = "-", -f
	}
	return fmt.Sprintf("%s%d.%02d", sign, int64(f)/100, int64(f)%100)
}

// Grouped is yuan with a thousands separator: 1,234.50.
func (f Fen) Grouped() string {
	s := f.String()
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, dec, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := b.String() + "." + dec
	if neg {
		out = "-" + out
	}
	return out
}

// Sentinel errors: callers test them with errors.Is; the text shown to a
// clerk is always a Chinese sentence wrapping one of these.
var (
	ErrNotFound    = errors.New("not found")
	ErrInvalid     = errors.New("invalid input")
	ErrDuplicate   = errors.New("already imported")
	ErrConflict    = errors.New("conflict")
	ErrUnsupported = errors.New("unsupported file")
	ErrNoHeader    = errors.New("no header")
	// ErrAmbiguous: the file could mean one thing or another (several
	// columns could be the amount paid); the person must say which.
	ErrAmbiguous  = errors.New("ambiguous")
	ErrLocked     = errors.New("period locked")
	ErrPermission = errors.New("permission denied")
	// ErrExists: the output file is there already (overwritten only when
	// the person confirms).
	ErrExists = errors.New("file exists")
	// ErrStale: the month's data changed after its check (a file imported
	// since, or during the check): it must be checked again.
	ErrStale = errors.New("check is stale")
	// Storage failures, told apart so that each front end can say what to do.
	ErrDiskFull = errors.New("disk full")
	ErrReadOnly = errors.New("read-only")
	ErrBusy     = errors.New("database busy")
	ErrIO       = errors.New("i/o error")
	// ErrInUse: another window of the program has the workspace open.
	ErrInUse = errors.New("workspace in use")
	// ErrAltered: the workspace was changed outside the program since the
	// trail last recorded it; writes are refused until a supervisor
	// records an incident.
	ErrAltered = errors.New("workspace altered outside the program")
)

// Error is a message for the user (Chinese) carrying a sentinel kind that
// callers test with errors.Is; the kind's English text is not shown.
type Error struct {
	Kind error
	Msg  string
	// Field names the input the message is about (reason, note, action,
	// amount, village, period, name, role, password …), so that each front
	// end can point at its own control — a command-line flag, a form field —
	// without the domain naming either.
	Field string
}

func (e *Error) Error() string { return e.Msg }

// Unwrap lets errors.Is see the kind.
func (e *Error) Unwrap() error { return e.Kind }

// Errorf builds an Error of the given kind.
func Errorf(kind error, format string, args ...any) error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// FieldOf is the input an error is about ("" when none).
func FieldOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// LocalTime shows a stored RFC 3339 time as local "2006-01-02 15:04".
func LocalTime(rfc string) string {
	t, err := time.Parse(time.RFC3339Nano, rfc)
	if err != nil {
		return rfc
	}
	return t.Local().Format("2006-01-02 15:04")
}

// VillageCore strips the administrative suffix of a village's name, so that
// 东风村委会, 东风村 and 东风 compare equal.
func VillageCore(v string) string {
	v = strings.TrimSpace(v)
	for _, suf := range []string{"村民委员会", "居民委员会", "社区居委会", "村委会", "居委会", "社区", "村"} {
		if c, ok := strings.CutSuffix(v, suf); ok && c != "" {
			return c
		}
	}
	return v
}

// SameVillage compares two village names by their core.
func SameVillage(a, b string) bool {
	return a == b || (a != "" && b != "" && VillageCore(a) == VillageCore(b))
}
