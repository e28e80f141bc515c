package workspace

import "testing"

func TestInferVillageAndPeriod(t *testing.T) {
	known := []string{"东风村委会", "柳塘村", "新民社区"}
	tests := []struct{ text, village, period string }{
		{"石岭村2021年3月死亡人员名单.xlsx", "石岭村", "2021-03"},
		{"东风村_2022-01.xlsx", "东风村委会", "2022-01"},
		{"东风镇柳塘村202203死亡名单.xls", "柳塘村", "2022-03"},
		{"新民社区2022.4月.csv", "新民社区", "2022-04"},
		{"死亡人员名单.xlsx", "", ""},
	}
	for _, tt := range tests {
		if got := inferVillage(tt.text, "东风镇", known); got != tt.village {
			t.Errorf("inferVillage(%q) = %q, want %q", tt.text, got, tt.village)
		}
		if got := inferPeriod(tt.text).String(); got != tt.period {
			t.Errorf("inferPeriod(%q) = %q, want %q", tt.text, got, tt.period)
		}
	}
}
