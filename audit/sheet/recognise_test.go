package sheet

import (
	"strings"
	"testing"

	"pensionaudit/audit"
	"pensionaudit/audit/idcard"
)

// Valid IDs for the tests (checksums right).
var testIDs = func() []string {
	var out []string
	for _, b := range []string{"43042219611211250", "11010119490101123", "11010119500202203", "11010119510303301"} {
		out = append(out, b+string(idcard.CheckDigit(b)))
	}
	return out
}()

// A header recognised by the words it contains, not its whole text: a
// table whose headers are none of the listed spellings is still read,
// and the summary says how each column was recognised.
func TestHeaderByItsWords(t *testing.T) {
	csv := "序号,领取人的姓名,领取人公民身份号码（18位）,本人死亡的日期\n"
	for i, id := range testIDs[:3] {
		csv += string(rune('1'+i)) + ",张" + string(rune('一'+i)) + "," + id + ",2024-01-0" + string(rune('1'+i)) + "\n"
	}
	path := writeFile(t, "死亡名单.csv", []byte(csv))
	sum, recs, err := scanPath(t, path, Options{Kind: audit.KindDeaths})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[0].ID.Norm != testIDs[0] || recs[0].DeathDate.IsZero() {
		t.Fatalf("records %+v", recs)
	}
	h := sum.Headers[0]
	for _, f := range []Field{FieldName, FieldID, FieldDeathDate} {
		if !strings.Contains(h.How[f], "表头所含") {
			t.Errorf("%s: how = %q", f, h.How[f])
		}
	}
	if _, ok := h.How[FieldSeq]; ok {
		t.Errorf("序号 was recognised by its whole text, yet the summary says otherwise")
	}
}

// A column the header does not name is found by its values: cells that
// are ID numbers make the ID column; on a deregistration list, known
// reasons make the reason column. Too few values, or most not fitting, is
// no answer.
func TestColumnByItsValues(t *testing.T) {
	csv := "姓名,编码,注销情形,注销日期\n"
	reasons := []string{"死亡", "迁出", "已死亡", "死亡"}
	for i, id := range testIDs {
		csv += "张" + string(rune('一'+i)) + "," + id + "," + reasons[i] + ",2024-01-05\n"
	}
	path := writeFile(t, "户籍注销.csv", []byte(csv))
	sum, recs, err := scanPath(t, path, Options{Kind: audit.KindDeregistrations})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || recs[1].ID.Norm != testIDs[1] || recs[1].Reason != "迁出" {
		t.Fatalf("records %+v", recs[0])
	}
	h := sum.Headers[0]
	if h.Cols[FieldID] != 1 || !strings.Contains(h.How[FieldID], "4 行是有效的身份证号码") {
		t.Errorf("ID column %d, how %q", h.Cols[FieldID], h.How[FieldID])
	}
	if h.Cols[FieldReason] != 2 || !strings.Contains(h.How[FieldReason], "注销原因") {
		t.Errorf("reason column %d, how %q", h.Cols[FieldReason], h.How[FieldReason])
	}
	for _, p := range sum.Problems {
		if strings.Contains(p.Reason, "没有“注销原因”列") {
			t.Errorf("the reason column was found, yet: %s", p.Reason)
		}
	}

	// half the cells are not IDs: not taken; the table is not recognised
	csv = "姓名,编码,注销日期\n张一," + testIDs[0] + ",2024-01-05\n张二,12345,2024-01-05\n张三," + testIDs[1] + ",2024-01-05\n张四,abc,2024-01-05\n"
	path = writeFile(t, "户籍注销2.csv", []byte(csv))
	if _, _, err := scanPath(t, path, Options{Kind: audit.KindDeregistrations}); err == nil {
		t.Errorf("a column half of IDs was taken for the ID column")
	}
	// two columns of IDs (本人, 代领人): no answer, not a guess
	csv = "姓名,号码一,号码二\n"
	for i := 0; i < 3; i++ {
		csv += "张" + string(rune('一'+i)) + "," + testIDs[i] + "," + testIDs[3-i] + "\n"
	}
	path = writeFile(t, "死亡名单.csv", []byte(csv))
	if _, _, err := scanPath(t, path, Options{Kind: audit.KindDeaths}); err == nil {
		t.Errorf("one of two ID columns was chosen")
	}
}

// Words that name something else are not the field: 户主姓名 is not the
// payee's name by the words rule, 出生年月 is not the pay month, 证件类型 is not
// the ID.
func TestHeaderWordsThatAreNot(t *testing.T) {
	for _, c := range []struct {
		label string
		not   Field
	}{{"经办人姓名", FieldName}, {"出生年月", FieldMonth}, {"证件类型", FieldID}, {"参保年月", FieldMonth}, {"所属村民小组", FieldVillage}} {
		if f, _, ok := lookupWords(c.label, audit.KindPayouts); ok && f == c.not {
			t.Errorf("%s read as %s", c.label, f)
		}
	}
	if f, _, ok := lookupWords("所属村民小组", audit.KindPayouts); !ok || f != FieldGroup {
		t.Errorf("所属村民小组 → %v %v", f, ok)
	}
}
