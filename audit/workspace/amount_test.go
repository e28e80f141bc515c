package workspace

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"pensionaudit/audit"
	"pensionaudit/audit/demo"
)

// groupedRoster writes a roster whose header has a money group merged over
// its parts in the upper row (养老金(元) over 基础养老金 | 个人账户养老金 | 合计),
// the other columns merged down over both rows, then the data rows.
func groupedRoster(t *testing.T, path string, group string, parts []string, extra []string, rows [][]string) {
	t.Helper()
	f := excelize.NewFile()
	s := "Sheet1"
	fixed := []string{"序号", "姓名", "公民身份号码", "发放年月"}
	f.SetCellValue(s, "A1", "东风镇2024年3月城乡居民养老保险待遇发放花名册")
	col := func(i int) string { n, _ := excelize.ColumnNumberToName(i + 1); return n }
	for i, h := range fixed {
		f.SetCellValue(s, col(i)+"2", h)
		f.MergeCell(s, col(i)+"2", col(i)+"3")
	}
	g := len(fixed)
	if group != "" {
		f.SetCellValue(s, col(g)+"2", group)
		f.MergeCell(s, col(g)+"2", col(g+len(parts)-1)+"2")
	}
	for i, p := range parts {
		f.SetCellValue(s, col(g+i)+"3", p)
	}
	for i, h := range extra {
		c := col(g + len(parts) + i)
		f.SetCellValue(s, c+"2", h)
		f.MergeCell(s, c+"2", c+"3")
	}
	for r, row := range rows {
		for i, v := range row {
			f.SetCellValue(s, col(i)+strconv.Itoa(r+4), v)
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// The amount paid is the whole: the group's 合计, else the sum of its parts;
// 实发 after deductions over 应发 before them; a deduction is taken off.
// A sub-column is never taken for the whole, and two columns that could
// each be the amount are a question, not a guess.
func TestGroupedAmountColumns(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(11, 11))
	id1 := demo.NewID(r, "512002", time.Date(1950, 1, 2, 0, 0, 0, 0, time.UTC))
	id2 := demo.NewID(r, "512002", time.Date(1951, 3, 4, 0, 0, 0, 0, time.UTC))
	cases := []struct {
		name         string
		group        string
		parts, extra []string
		rows         [][]string
		want         []audit.Fen
		rule         string
		kept         string // what the first row's amount is made of, kept as evidence
	}{
		{"total", "养老金(元)", []string{"基础养老金", "个人账户养老金", "合计"}, nil,
			[][]string{{"1", "甲一", id1, "202403", "120.00", "43.06", "163.06"}, {"2", "乙二", id2, "202403", "120.00", "50.50", "170.50"}},
			[]audit.Fen{16306, 17050}, "合计", "合计 163.06（基础养老金 120.00 + 个人账户养老金 43.06）"},
		{"parts", "养老金(元)", []string{"基础养老金", "个人账户养老金", "高龄补贴"}, nil,
			[][]string{{"1", "甲一", id1, "202403", "120.00", "43.06", ""}, {"2", "乙二", id2, "202403", "120.00", "50.50", "30.00"}},
			[]audit.Fen{16306, 20050}, "之和", "基础养老金 120.00 + 个人账户养老金 43.06 + 高龄补贴 空"},
		{"net", "", nil, []string{"应发金额", "代扣医疗保险", "实发金额"},
			[][]string{{"1", "甲一", id1, "202403", "163.06", "10.00", "153.06"}, {"2", "乙二", id2, "202403", "170.50", "0", "170.50"}},
			[]audit.Fen{15306, 17050}, "实发金额", "实发金额 153.06（应发金额 163.06 − 代扣医疗保险 10.00）"},
		{"total less deduction", "养老金(元)", []string{"基础养老金", "个人账户养老金", "合计"}, []string{"扣回多发"},
			[][]string{{"1", "甲一", id1, "202403", "120.00", "43.06", "163.06", "63.06"}, {"2", "乙二", id2, "202403", "120.00", "50.50", "170.50", ""}},
			[]audit.Fen{10000, 17050}, "减去", "合计 163.06（基础养老金 120.00 + 个人账户养老金 43.06） − 扣回多发 63.06"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWS(t)
			path := filepath.Join(dir, c.name+"_2024-03.xlsx")
			groupedRoster(t, path, c.group, c.parts, c.extra, c.rows)
			res, err := w.Import(ctx, who(w), path, ImportOptions{Kind: audit.KindPayouts})
			if err != nil {
				t.Fatal(err)
			}
			var got []audit.Fen
			rows, _ := w.db.SQL().Query(`SELECT amount_fen FROM payouts WHERE batch_id = ? ORDER BY row`, res.Batch.ID)
			for rows.Next() {
				var a int64
				rows.Scan(&a)
				got = append(got, audit.Fen(a))
			}
			rows.Close()
			if len(got) != len(c.want) || got[0] != c.want[0] || got[1] != c.want[1] {
				t.Errorf("amounts %v, want %v", got, c.want)
			}
			var parts string
			w.db.SQL().QueryRow(`SELECT amount_parts FROM payouts WHERE batch_id = ? ORDER BY row LIMIT 1`, res.Batch.ID).Scan(&parts)
			if parts != c.kept {
				t.Errorf("parts kept with the row: %q, want %q", parts, c.kept)
			}
			if n := len(res.Problems); n != 0 {
				t.Errorf("parts that add up raise no problem, got %v", res.Problems)
			}
			if c.name == "total" {
				// the parts are the evidence of a finding on the row
				dereg := filepath.Join(dir, "户籍注销_2024.csv")
				os.WriteFile(dereg, []byte("姓名,身份证号码,注销日期,注销原因\n甲一,"+id1+",2024-01-04,死亡\n"), 0o644)
				if _, err := w.Import(ctx, who(w), dereg, ImportOptions{Kind: audit.KindDeregistrations}); err != nil {
					t.Fatal(err)
				}
				if _, err := w.Check(ctx, who(w), audit.MonthOf(time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)), nil); err != nil {
					t.Fatal(err)
				}
				fs, _, _ := w.Findings(ctx, audit.FindingFilter{Period: audit.MonthOf(time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC))})
				seen := false
				for _, f := range fs {
					for _, e := range f.Evidence {
						if e.Kind == "payout" && e.ID == id1 {
							seen = e.Parts == c.kept
						}
					}
				}
				if !seen {
					t.Errorf("the finding on 甲一 does not show what the amount is made of: %+v", fs)
				}
			}
			said := strings.Join(res.Understood(), "\n")
			t.Logf("what the import understood:\n%s", said)
			if c.kept != "" && !strings.Contains(said, "每行随金额保存各项作为依据") {
				t.Errorf("the summary does not say the parts are kept:\n%s", said)
			}
			if !strings.Contains(said, "发放金额：") || !strings.Contains(said, c.rule) {
				t.Errorf("the summary does not say how the amount was taken:\n%s", said)
			}
		})
	}
	// a 合计 that its parts do not add up to: imported as the total (what
	// was paid), and the row says so, with both figures, for a person to look at
	{
		w := newWS(t)
		path := filepath.Join(dir, "mismatch_2024-03.xlsx")
		groupedRoster(t, path, "养老金(元)", []string{"基础养老金", "个人账户养老金", "合计"}, nil,
			[][]string{{"1", "甲一", id1, "202403", "120.00", "43.06", "263.06"}, {"2", "乙二", id2, "202403", "120.00", "50.50", "170.50"}})
		res, err := w.Import(ctx, who(w), path, ImportOptions{Kind: audit.KindPayouts})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Problems) != 1 || res.Problems[0].Row != 4 || res.Problems[0].Column != "G" ||
			!strings.Contains(res.Problems[0].Reason, "合计与各项不符") || !strings.Contains(res.Problems[0].Reason, "263.06") || !strings.Contains(res.Problems[0].Reason, "163.06") {
			t.Errorf("a total that its parts do not add up to: %+v", res.Problems)
		}
	}
	// two columns that could each be the amount: asked, naming both; the
	// mapping that chooses one imports it
	w := newWS(t)
	path := filepath.Join(dir, "two_2024-03.xlsx")
	groupedRoster(t, path, "", nil, []string{"发放金额", "补发金额"},
		[][]string{{"1", "甲一", id1, "202403", "163.06", "0"}, {"2", "乙二", id2, "202403", "170.50", "341.00"}})
	_, err := w.Import(ctx, who(w), path, ImportOptions{Kind: audit.KindPayouts})
	if !errors.Is(err, audit.ErrAmbiguous) || !strings.Contains(err.Error(), "发放金额") || !strings.Contains(err.Error(), "补发金额") || audit.FieldOf(err) != "map" {
		t.Fatalf("two amount columns: %v", err)
	}
	m, _ := ParseMapping("amount=发放金额")
	if _, err := w.Import(ctx, who(w), path, ImportOptions{Kind: audit.KindPayouts, Map: m}); err != nil {
		t.Errorf("with the mapping: %v", err)
	}
}

// One sheet per village and a 汇总 sheet: the summary is the file's own
// control total — checked, never stored as payees — and a village whose
// sheet lacks a row refuses the whole file, naming the village and both
// figures.
func TestSummarySheetIsAControlTotal(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(13, 13))
	ids := make([]string, 5)
	for i := range ids {
		ids[i] = demo.NewID(r, "512002", time.Date(1948, 1, 1+i, 0, 0, 0, 0, time.UTC))
	}
	book := func(name string, qiaotouCount string) string {
		f := excelize.NewFile()
		f.SetSheetName("Sheet1", "汇总")
		f.NewSheet("桥头村")
		f.NewSheet("柳塘村")
		rows := map[string][][]any{
			"汇总":  {{"2024年3月养老金发放汇总表"}, {"序号", "村名", "人数", "金额(元)"}, {1, "桥头村", qiaotouCount, "320.00"}, {2, "柳塘村", 3, "480.00"}, {"合计", "", 5, "800.00"}},
			"桥头村": {{"姓名", "公民身份号码", "发放年月", "发放金额"}, {"甲一", ids[0], "202403", "160.00"}, {"乙二", ids[1], "202403", "160.00"}},
			"柳塘村": {{"姓名", "公民身份号码", "发放年月", "发放金额"}, {"丙三", ids[2], "202403", "160.00"}, {"丁四", ids[3], "202403", "160.00"}, {"戊五", ids[4], "202403", "160.00"}},
		}
		for sheet, rs := range rows {
			for i, row := range rs {
				f.SetSheetRow(sheet, "A"+strconv.Itoa(i+1), &row)
			}
		}
		p := filepath.Join(dir, name)
		if err := f.SaveAs(p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	w := newWS(t)
	res, err := w.Import(ctx, who(w), book("分村花名册_2024-03.xlsx", "2"), ImportOptions{Kind: audit.KindPayouts})
	if err != nil {
		t.Fatal(err)
	}
	if res.Batch.Imported != 5 {
		t.Errorf("%d rows imported, want the 5 payees (the summary's lines are not payees)", res.Batch.Imported)
	}
	if said := strings.Join(res.Understood(), "\n"); !strings.Contains(said, "汇总表「汇总」") || !strings.Contains(said, "核对一致") {
		t.Errorf("the summary is not mentioned:\n%s", said)
	}
	vs, _ := w.Villages(ctx)
	if strings.Join(vs, ",") != "东风村,柳塘村,桥头村" {
		t.Errorf("villages: %v", vs)
	}
	// the summary says 3 for 桥头村, its sheet has 2: refused
	w2 := newWS(t)
	_, err = w2.Import(ctx, who(w2), book("分村花名册_2024-03_b.xlsx", "3"), ImportOptions{Kind: audit.KindPayouts})
	if err == nil || !strings.Contains(err.Error(), "桥头村") || !strings.Contains(err.Error(), "人数 3") || !strings.Contains(err.Error(), "读到 2 人") {
		t.Fatalf("a summary that does not match: %v", err)
	}
	var n int
	w2.db.SQL().QueryRow(`SELECT COUNT(*) FROM payouts`).Scan(&n)
	if n != 0 {
		t.Errorf("%d payouts stored from a refused file", n)
	}
}

// A title merged across the whole row above a one-row header is a title,
// not a money group: the header is its own row and the amount its column.
func TestTitleIsNotAGroup(t *testing.T) {
	ctx := context.Background()
	w := newWS(t)
	r := rand.New(rand.NewPCG(21, 21))
	id := demo.NewID(r, "512002", time.Date(1950, 1, 2, 0, 0, 0, 0, time.UTC))
	p := filepath.Join(t.TempDir(), "花名册_2024-03.xlsx")
	if err := demo.WriteTable(p, "东风镇2024年3月城乡居民养老保险待遇发放花名册", []any{"姓名", "公民身份号码", "发放年月", "发放金额(元)"},
		[][]any{{"甲一", id, "202403", "163.06"}}, nil); err != nil {
		t.Fatal(err)
	}
	res, err := w.Import(ctx, who(w), p, ImportOptions{Kind: audit.KindPayouts})
	if err != nil {
		t.Fatal(err)
	}
	said := strings.Join(res.Understood(), "\n")
	if !strings.Contains(said, "第 2 行是表头") || !strings.Contains(said, "发放金额：取“发放金额(元)”") {
		t.Errorf("a merged title read as a group:\n%s", said)
	}
}
