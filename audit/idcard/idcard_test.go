package idcard

import (
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		raw    string
		norm   string
		status Status
		up     bool
	}{
		{"430422195611158660", "430422195611158660", Valid, false},
		{" 430422195611158660 ", "430422195611158660", Valid, false},
		{"４３０４２２１９３２１１１４０９７２", "430422193211140972", Valid, false},
		{"43042219290707610x", "43042219290707610X", Valid, false},
		{"430422-19290707-610X", "43042219290707610X", Valid, false},
		{"'430422195611158660", "430422195611158660", Valid, false},
		{`="430422195611158660"`, "430422195611158660", Valid, false},
		{"430422410321006", "430422194103210069", Valid, true},
		{"430422193610106975", "430422193610106975", Invalid, false}, // typo breaks checksum
		{"4.30422E+17", "4.30422E+17", Damaged, false},
		{"430422195611158000", "430422195611158000", Damaged, false},
		{"430422195611158660.0", "430422195611158660", Valid, false},
		{"", "", Empty, false},
		{"4304221956111586", "4304221956111586", Invalid, false},
		{"990422195611158660", "990422195611158660", Invalid, false}, // region
		{"430422195602308660", "430422195602308660", Invalid, false}, // 30 Feb
		{"43042219561115866A", "43042219561115866A", Invalid, false}, // letter
		{"430422561315006", "430422561315006", Invalid, false},       // 15-digit, month 13
	}
	for _, tt := range tests {
		got := Normalize(tt.raw)
		if got.Norm != tt.norm || got.Status != tt.status || got.Upgraded != tt.up {
			t.Errorf("Normalize(%q) = %+v, want norm %q status %d upgraded %v", tt.raw, got, tt.norm, tt.status, tt.up)
		}
		if got.Raw != tt.raw {
			t.Errorf("raw not kept: %q", got.Raw)
		}
		if (got.Status == Valid) != (got.Reason == "") {
			t.Errorf("Normalize(%q): reason %q does not match status %d", tt.raw, got.Reason, got.Status)
		}
	}
}

func TestBirthSexMask(t *testing.T) {
	b, ok := Birth("43042219290707610X")
	if !ok || b.Format("2006-01-02") != "1929-07-07" {
		t.Fatalf("birth = %v %v", b, ok)
	}
	if Sex("43042219290707610X") != "女" || Sex("430422195608181114") != "男" {
		t.Fatal("sex wrong")
	}
	if got := Mask("512002195608181234"); got != "512002********1234" {
		t.Fatalf("mask = %q", got)
	}
	if got := Mask("123"); strings.ContainsAny(got, "123") {
		t.Fatalf("short mask leaks: %q", got)
	}
}

func TestSuggest(t *testing.T) {
	known := map[string]bool{"430422193610106675": true, "430422195611158660": true}
	got := Suggest("430422193610106975", func(s string) bool { return known[s] })
	if len(got) != 1 || got[0] != "430422193610106675" {
		t.Fatalf("Suggest = %v", got)
	}
}

func FuzzNormalizeID(f *testing.F) {
	for _, s := range []string{"430422195611158660", "４３０４２２１９３２１１１４０９７２", "43042219290707610x",
		"430422410321006", "4.30422E+17", "430422195611158000", "", "x", "430422193610106975"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		r := Normalize(raw)
		if r.Raw != raw {
			t.Fatal("raw changed")
		}
		if r.OK() {
			if len(r.Norm) != 18 || CheckDigit(r.Norm) != r.Norm[17] {
				t.Fatalf("valid but malformed: %q → %q", raw, r.Norm)
			}
			if again := Normalize(r.Norm); !again.OK() || again.Norm != r.Norm {
				t.Fatalf("not idempotent: %q", r.Norm)
			}
		} else if r.Reason == "" {
			t.Fatalf("invalid without reason: %q", raw)
		}
		_ = Mask(r.Norm)
	})
}

func TestMaskCell(t *testing.T) {
	for in, want := range map[string]string{
		"512002193605120021":   "512002********0021",
		" 51200219360512002x ": "512002********002X",
		"512002360512002":      "512002*****2002",
		"沈永福":                  "沈永福",
		"2023年12月":             "2023年12月",
		"1234567890":           "1234567890",
		"51200219360512002Y":   "51200219360512002Y",
	} {
		if got := MaskCell(in); got != want {
			t.Errorf("MaskCell(%q) = %q, want %q", in, got, want)
		}
	}
}
