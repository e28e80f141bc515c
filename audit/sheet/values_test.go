package sheet

import (
	"testing"

	"pensionaudit/audit"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		raw   string
		d1904 bool
		want  string
	}{
		{"2021-03-05", false, "2021-03-05"},
		{"2021/3/5", false, "2021-03-05"},
		{"2021.3.5", false, "2021-03-05"},
		{"2021年3月5日", false, "2021-03-05"},
		{"20210305", false, "2021-03-05"},
		{"2021-03-05 10:20:00", false, "2021-03-05"},
		{"2021/3/5 0:00", false, "2021-03-05"},
		{"44575", false, "2022-01-14"},
		{"44575.75", false, "2022-01-14"},
		{"43113", true, "2022-01-14"},
		{"61", false, "1900-03-01"},
		{"２０２１－０３－０５", false, "2021-03-05"},
		{"2022-01-31", false, "2022-01-31"},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.raw, tt.d1904)
		if err != nil || got.Format("2006-01-02") != tt.want {
			t.Errorf("ParseDate(%q,%v) = %v, %v; want %s", tt.raw, tt.d1904, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "2021-02-30", "20211301", "昨天", "2021-3", "abc", "-5", "1e5"} {
		if got, err := ParseDate(bad, false); err == nil {
			t.Errorf("ParseDate(%q) = %v, want error", bad, got)
		}
	}
}

func TestParseMonth(t *testing.T) {
	tests := map[string]string{
		"202103": "2021-03", "2021-03": "2021-03", "2021/3": "2021-03", "2021年3月": "2021-03",
		"2021年03月份": "2021-03", "44652": "2022-04", "2022-04-01": "2022-04", "20220401": "2022-04", "2021.3": "2021-03",
	}
	for raw, want := range tests {
		got, err := ParseMonth(raw, false)
		if err != nil || got.String() != want {
			t.Errorf("ParseMonth(%q) = %v, %v; want %s", raw, got, err, want)
		}
	}
	for _, bad := range []string{"", "202113", "2021-13", "三月"} {
		if _, err := ParseMonth(bad, false); err == nil {
			t.Errorf("ParseMonth(%q) should fail", bad)
		}
	}
}

func TestParseAmount(t *testing.T) {
	tests := map[string]audit.Fen{
		"164.1": 16410, "1,234.50": 123450, "￥123.00": 12300, "123.5元": 12350, "2217": 221700,
		"164.09999999999999": 16410, "-12.30": -1230, "0.07": 7, " 88 ": 8800, "¥1,000": 100000,
		"941.64": 94164, "２１７.５": 21750,
	}
	for raw, want := range tests {
		got, err := ParseAmount(raw)
		if err != nil || got != want {
			t.Errorf("ParseAmount(%q) = %v, %v; want %v", raw, got, err, want)
		}
	}
	for _, bad := range []string{"", "abc", "12.345", "1/2", "1e400", "--", "1.005000000001"} {
		if got, err := ParseAmount(bad); err == nil {
			t.Errorf("ParseAmount(%q) = %v, want error", bad, got)
		}
	}
}

func TestCleanName(t *testing.T) {
	tests := map[string]string{
		" 王  芳 ": "王芳", "𠮷田": "𠮷田", "陆?刚": "陆?刚", "John Smith": "John Smith", "欧阳\u3000修": "欧阳修",
	}
	for raw, want := range tests {
		if got := CleanName(raw); got != want {
			t.Errorf("CleanName(%q) = %q, want %q", raw, got, want)
		}
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2021-03-05", "2021/3/5", "2021.3.5", "2021年3月5日", "20210305", "44575", "44575.5", "2022.1.10", ""} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, raw string, d1904 bool) {
		d, err := ParseDate(raw, d1904)
		if err == nil && (d.Year() < 1850 || d.Year() > 10000) {
			t.Fatalf("ParseDate(%q) = %v out of range", raw, d)
		}
		_, _ = ParseMonth(raw, d1904)
		_, _ = ParseAmount(raw)
	})
}
