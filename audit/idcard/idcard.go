// Package idcard normalises and validates Chinese resident ID numbers
// (GB 11643-1999): 18 characters, or the old 15-digit form that is upgraded.
// It never guesses silently: a damaged or invalid number keeps its raw value
// and says why it is not usable.
package idcard

import (
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Status says whether a number can be used to identify a person.
type Status int

// The statuses.
const (
	Valid   Status = iota // a valid 18-character number (possibly upgraded from 15)
	Empty                 // nothing written
	Invalid               // wrong length, characters, checksum, birth date or region
	Damaged               // mangled by a spreadsheet: scientific notation, lost digits
)

// Result is a normalised ID number.
type Result struct {
	Raw      string // exactly as read
	Norm     string // 18 characters when Status is Valid; otherwise the cleaned text
	Status   Status
	Upgraded bool   // the raw value had 15 digits
	Reason   string // Chinese, empty when Valid
}

// OK reports whether the number is valid.
func (r Result) OK() bool { return r.Status == Valid }

var weights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const checkChars = "10X98765432"

// CheckDigit computes the 18th character from the first 17 digits.
func CheckDigit(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * weights[i]
	}
	return checkChars[sum%11]
}

// provinces holds the valid first two digits (GB/T 2260 province codes).
var provinces = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true,
	"21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true,
	"61": true, "62": true, "63": true, "64": true, "65": true,
	"71": true, "81": true, "82": true, "83": true,
}

// Clean applies the mechanical clean-up only: trim, full-width to half-width,
// spaces, hyphens and quotes removed, lowercase x to X.
func Clean(raw string) string {
	var b strings.Builder
	b.Grow(len(raw))
	// ="430422…" is how some systems force Excel to keep the digits as text.
	raw = strings.TrimPrefix(strings.TrimSpace(raw), "=")
	for _, r := range raw {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
			r -= 0xFEE0
		case r == 0x3000:
			continue
		}
		switch {
		case unicode.IsSpace(r), r == '-', r == '\'', r == '"', r == '`', r == '‘', r == '’', r == '“', r == '”',
			r == '\u200b', r == '\ufeff', r == '‐', r == '—', r == '－':
			continue
		case r == 'x':
			r = 'X'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) > 0
}

// Normalize cleans, upgrades and validates raw.
func Normalize(raw string) Result {
	res := Result{Raw: raw}
	s := Clean(raw)
	res.Norm = s
	switch {
	case s == "":
		res.Status, res.Reason = Empty, "身份证号为空"
		return res
	case isScientific(s):
		res.Status, res.Reason = Damaged, "身份证号被表格软件存成了科学计数法数字（如 4.30422E+17），后几位已丢失，请在原表中把该列设为文本后重新录入"
		return res
	case strings.HasSuffix(s, ".0") && allDigits(strings.TrimSuffix(s, ".0")):
		s = strings.TrimSuffix(s, ".0")
		res.Norm = s
	}
	if len(s) == 15 {
		if !allDigits(s) {
			res.Status, res.Reason = Invalid, "15位身份证号只能由数字组成"
			return res
		}
		up := s[:6] + "19" + s[6:]
		up += string(CheckDigit(up))
		if why := checkBody(up); why != "" {
			res.Status, res.Reason = Invalid, "15位身份证号"+why
			return res
		}
		res.Norm, res.Upgraded = up, true
		return res
	}
	if len(s) != 18 {
		res.Status = Invalid
		res.Reason = "身份证号应为18位（或旧式15位），这里是" + strconv.Itoa(len([]rune(s))) + "位"
		return res
	}
	if !allDigits(s[:17]) || !(s[17] == 'X' || (s[17] >= '0' && s[17] <= '9')) {
		res.Status, res.Reason = Invalid, "身份证号含有不允许的字符（前17位须为数字，末位为数字或X）"
		return res
	}
	if why := checkBody(s); why != "" {
		res.Status, res.Reason = Invalid, "身份证号"+why
		return res
	}
	if CheckDigit(s) != s[17] {
		if strings.HasSuffix(s, "000") {
			res.Status = Damaged
			res.Reason = "身份证号末三位为000且校验位不符：很可能被表格软件当作数字存储而丢失了后几位，请核对原件"
			return res
		}
		res.Status, res.Reason = Invalid, "身份证号校验位不符（可能有录入错误）"
		return res
	}
	return res
}

func isScientific(s string) bool {
	i := strings.IndexAny(s, "Ee")
	if i <= 0 || i == len(s)-1 {
		return false
	}
	mant, exp := s[:i], strings.TrimPrefix(s[i+1:], "+")
	_, err1 := strconv.ParseFloat(mant, 64)
	_, err2 := strconv.Atoi(exp)
	return err1 == nil && err2 == nil
}

// checkBody validates region and birth date of an 18-character number.
func checkBody(s string) string {
	if !provinces[s[:2]] {
		return "前两位 " + s[:2] + " 不是有效的省级行政区划代码"
	}
	if _, ok := birth(s); !ok {
		return "中的出生日期 " + s[6:14] + " 不存在"
	}
	return ""
}

func birth(s string) (time.Time, bool) {
	y, _ := strconv.Atoi(s[6:10])
	m, _ := strconv.Atoi(s[10:12])
	d, _ := strconv.Atoi(s[12:14])
	if y < 1850 || y > 2100 || m < 1 || m > 12 || d < 1 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// Birth returns the birth date encoded in a normalised 18-character number,
// or in the usable part of a damaged one.
func Birth(id string) (time.Time, bool) {
	if len(id) < 14 || !allDigits(id[6:14]) {
		return time.Time{}, false
	}
	return birth(id)
}

// Sex returns "男" or "女" from the 17th digit, or "" if unknown.
func Sex(id string) string {
	if len(id) < 17 || id[16] < '0' || id[16] > '9' {
		return ""
	}
	if (id[16]-'0')%2 == 1 {
		return "男"
	}
	return "女"
}

// Mask hides the middle of an ID number for lists shown or printed for
// others: 512002********1234. Short or odd values are masked entirely but
// for their last two characters.
func Mask(id string) string {
	r := []rune(id)
	switch {
	case len(r) == 0:
		return ""
	case len(r) >= 15:
		return string(r[:6]) + strings.Repeat("*", len(r)-10) + string(r[len(r)-4:])
	case len(r) > 4:
		return strings.Repeat("*", len(r)-2) + string(r[len(r)-2:])
	}
	return strings.Repeat("*", len(r))
}

// Suggest lists the valid numbers one character away from s (one digit
// changed, or the check character changed) for which known returns true.
func Suggest(s string, known func(string) bool) []string {
	s = Clean(s)
	if len(s) != 18 {
		return nil
	}
	var out []string
	b := []byte(s)
	for i := 0; i < 18; i++ {
		orig := b[i]
		alts := "0123456789"
		if i == 17 {
			alts += "X"
		}
		for j := 0; j < len(alts); j++ {
			if alts[j] == orig {
				continue
			}
			b[i] = alts[j]
			c := string(b)
			if Normalize(c).OK() && known(c) {
				out = append(out, c)
			}
		}
		b[i] = orig
	}
	return out
}

// MaskCell masks a table cell that holds an ID number (15 or 18 characters,
// digits with a possible final X, after Clean), or a number in scientific
// notation that an ID became in Excel; other text is returned as it is.
func MaskCell(cell string) string {
	c := Clean(cell)
	n := len(c)
	if (n == 15 || n == 18) && allDigits(c[:n-1]) && (allDigits(c[n-1:]) || c[n-1] == 'X') {
		return Mask(c)
	}
	return cell
}
