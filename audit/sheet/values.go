package sheet

import (
	"errors"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"pensionaudit/audit"
)

// ParseDate reads a date as it comes in village lists: an Excel serial
// (1900 or 1904 system, with or without a time fraction), 20210305, or text
// such as 2021-03-05, 2021/3/5, 2021.3.5, 2021年3月5日, optionally followed
// by a time.
func ParseDate(raw string, date1904 bool) (time.Time, error) {
	s := strings.TrimSpace(strings.Map(halfWidth, raw))
	if s == "" {
		return time.Time{}, errEmpty
	}
	if allASCIIDigits(s) && len(s) == 8 {
		if t, ok := ymd(s[:4], s[4:6], s[6:]); ok {
			return t, nil
		}
		return time.Time{}, errors.New("“" + raw + "”不是有效的日期（按年月日8位数字读取）")
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "eE") {
		if !(f >= 1 && f < 2958466) { // NaN and ±Inf fail too
			return time.Time{}, errors.New("“" + raw + "”不是有效的日期")
		}
		return SerialToDate(f, date1904), nil
	}
	// Drop a time part: "2021-03-05 10:20:00", "2021/3/5 0:00", "2021-03-05T…".
	if i := strings.IndexAny(s, " T"); i > 0 {
		s = strings.TrimSpace(s[:i])
	}
	m := dateRe.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, errors.New("“" + raw + "”不是可识别的日期，应写成 2021-03-05、2021/3/5、2021.3.5 或 2021年3月5日")
	}
	t, ok := ymd(m[1], m[2], m[3])
	if !ok {
		return time.Time{}, errors.New("“" + raw + "”不是存在的日期")
	}
	return t, nil
}

var (
	errEmpty = errors.New("为空")
	dateRe   = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$`)
	monthRe  = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?:份)?$`)
)

func ymd(ys, ms, ds string) (time.Time, bool) {
	y, _ := strconv.Atoi(ys)
	m, _ := strconv.Atoi(ms)
	d, _ := strconv.Atoi(ds)
	if y < 1850 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	return t, t.Day() == d
}

// SerialToDate converts an Excel serial day number to a date (the time of
// day is dropped). In the 1900 system Excel counts the non-existent
// 1900-02-29 as day 60.
func SerialToDate(f float64, date1904 bool) time.Time {
	days := int(f)
	if date1904 {
		return time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, days)
	}
	if days < 61 {
		return time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC).AddDate(0, 0, days)
	}
	return time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, days)
}

// ParseMonth reads a pay month: 202103, 2021-03, 2021/3, 2021年3月, a
// full date in any ParseDate form, or a date cell's serial.
func ParseMonth(raw string, date1904 bool) (audit.Month, error) {
	s := strings.TrimSpace(strings.Map(halfWidth, raw))
	if s == "" {
		return 0, errEmpty
	}
	if allASCIIDigits(s) && len(s) == 6 {
		y, _ := strconv.Atoi(s[:4])
		m, _ := strconv.Atoi(s[4:])
		if y >= 1900 && y <= 2200 && m >= 1 && m <= 12 {
			return audit.MakeMonth(y, m), nil
		}
		return 0, errors.New("“" + raw + "”不是有效的年月（按 YYYYMM 读取）")
	}
	if m := monthRe.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		if y >= 1900 && y <= 2200 && mo >= 1 && mo <= 12 {
			return audit.MakeMonth(y, mo), nil
		}
		return 0, errors.New("“" + raw + "”不是有效的年月")
	}
	t, err := ParseDate(raw, date1904)
	if err != nil {
		return 0, errors.New("“" + raw + "”不是可识别的年月，应写成 202103、2021-03 或 2021年3月")
	}
	return audit.MonthOf(t), nil
}

// ParseAmount reads money exactly into fen: 1234.5, 1,234.50, ￥123.00,
// 123.5元, -12.30. Values with more than two decimals are accepted only when
// they are a binary float's rendering of a whole number of fen
// (164.09999999999999); anything else is an error, never silently rounded.
func ParseAmount(raw string) (audit.Fen, error) {
	s := strings.TrimSpace(strings.Map(halfWidth, raw))
	s = strings.NewReplacer(",", "", "，", "", "￥", "", "¥", "", "元", "", "RMB", "", " ", "").Replace(s)
	if s == "" {
		return 0, errEmpty
	}
	if s == "-" {
		return 0, errEmpty
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok || strings.ContainsAny(s, "/") {
		return 0, errors.New("“" + raw + "”不是金额")
	}
	r.Mul(r, big.NewRat(100, 1))
	// Round half away from zero and measure the residue.
	num, den := new(big.Int).Set(r.Num()), r.Denom()
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	twice := new(big.Int).Mul(new(big.Int).Abs(m), big.NewInt(2))
	if twice.Cmp(den) >= 0 {
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	diff := new(big.Rat).Sub(r, new(big.Rat).SetInt(q))
	if diff.Abs(diff).Cmp(big.NewRat(1, 100000)) > 0 {
		return 0, errors.New("“" + raw + "”精确到分以下，金额应保留两位小数")
	}
	if !q.IsInt64() || q.Int64() > 1e13 || q.Int64() < -1e13 {
		return 0, errors.New("“" + raw + "”金额过大")
	}
	return audit.Fen(q.Int64()), nil
}

// CleanName trims a name, applies NFC and removes the spaces that people
// type between the characters of a two-character name to align columns.
// Characters outside the BMP are kept exactly.
func CleanName(raw string) string {
	s := norm.NFC.String(strings.TrimSpace(raw))
	if !strings.ContainsFunc(s, unicode.IsSpace) {
		return s
	}
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		if unicode.IsSpace(r) {
			// keep a space only between two Latin letters (foreign names)
			if i > 0 && i+1 < len(rs) && rs[i-1] < 0x2E80 && rs[i+1] < 0x2E80 && unicode.IsLetter(rs[i-1]) && unicode.IsLetter(rs[i+1]) {
				b.WriteByte(' ')
			}
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// CleanText trims and folds full-width spaces; used for village, type, etc.
func CleanText(raw string) string {
	return strings.TrimSpace(strings.ReplaceAll(norm.NFC.String(raw), "\u3000", " "))
}

// CleanAccount keeps the digits of a bank account or card number as text
// (with spaces, hyphens and a leading quote removed).
func CleanAccount(raw string) string {
	s := strings.Map(halfWidth, strings.TrimPrefix(strings.TrimSpace(raw), "="))
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\'' || r == '\t' || r == '"' {
			return -1
		}
		return r
	}, s)
}

func halfWidth(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		return r - 0xFEE0
	case r == 0x3000:
		return ' '
	}
	return r
}

func allASCIIDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
