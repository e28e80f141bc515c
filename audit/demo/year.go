package demo

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"pensionaudit/audit"
)

// YearFacts is the answer key of a generated year.
type YearFacts struct {
	Township string
	Villages []string
	// Overpaid: each dead payee paid after the month of death, and the
	// total paid for the months after it (the exact overpayment).
	Overpaid map[string]audit.Fen
	// Unknown: payees whose 户籍 the police cancelled for a reason nobody
	// can read, still paid: the months they are paid after it.
	Unknown map[string][]audit.Month
	// Renamed: dead payees whose name changes on later rosters.
	Renamed []string
	// Corrected: a dead payee a correction roster dropped; CorrectionFile
	// is that roster, to import after the months were checked once.
	Corrected      string
	CorrectionFile File
	// Alive: payees moved away (户口迁出) or otherwise living: no
	// death-related finding may name them.
	MovedAway []string
	// Missing: the village and month that did not report.
	MissingVillage string
	MissingMonth   audit.Month
	Months         []audit.Month
}

// Year writes a year (2024) of a township's files the way other townships
// write them — every shape the project was found to misread: a two-row
// header whose 养老金(元) is split into 基础养老金 / 个人账户养老金 / 合计 with
// a 村民小组 column; one sheet per village (one named only by a line above
// its header) with a 汇总 sheet and 实发 / 应发 / 代扣 columns; a GBK CSV
// whose village column reads 桥头村3组; township-wide death lists; death
// words of every kind on the police list, an unknown one, people moved
// away; dead payees renamed on later rosters; a correction roster that
// drops a dead payee. n is the number of payees. It returns the files in
// import order and the answer key.
func Year(dir string, n int, seed uint64) ([]File, YearFacts, error) {
	r := rand.New(rand.NewPCG(seed, 2024))
	villages := []string{"桥头村", "柳塘村", "石岭村", "荷叶村", "新民社区", "龙泉村", "白沙村", "桃源村"}
	people := People(r, n, "512003", villages)
	facts := YearFacts{Township: "桂花镇", Villages: villages, Overpaid: map[string]audit.Fen{}, Unknown: map[string][]audit.Month{},
		MissingVillage: "白沙村", MissingMonth: audit.MakeMonth(2024, 5)}
	for m := 1; m <= 12; m++ {
		facts.Months = append(facts.Months, audit.MakeMonth(2024, m))
	}
	// basic pension 120.00 (150.00 from July: a standard raised for all),
	// the personal part from People's amount
	basic := func(m audit.Month) audit.Fen {
		if m.Mon() >= 7 {
			return 15000
		}
		return 12000
	}
	personal := func(p Person) audit.Fen { return p.Amount - 12000 + 500 }
	type death struct {
		p      *Person
		date   time.Time
		paidTo int    // last month (1–12) still paid
		word   string // 注销原因 on the police list; "" = not on it
		report bool   // on the village's list
	}
	words := []string{"已死亡", "因病去世", "病故", "死亡注销", "身故", "死亡（医院证明）", "去世", "死亡"}
	var deaths []death
	for i := 0; i < 8; i++ {
		m := 2 + i
		deaths = append(deaths, death{p: &people[i], date: time.Date(2024, time.Month(m), 3+i, 0, 0, 0, 0, time.UTC),
			paidTo: m + 1 + i%3, word: words[i], report: i%4 != 3})
	}
	// a dead payee stopped in time: no finding
	deaths = append(deaths, death{p: &people[8], date: time.Date(2024, 4, 20, 0, 0, 0, 0, time.UTC), paidTo: 4, word: "死亡", report: true})
	renamed := map[string]string{people[1].ID: renameOne(people[1].Name), people[2].ID: people[2].Name + "\u200b"}
	facts.Renamed = []string{people[1].ID, people[2].ID}
	unknown := []*Person{&people[9], &people[10]}
	moved := []*Person{&people[11], &people[12], &people[13]}
	corrected := &people[14] // dies in June, paid in July; July's correction roster drops her
	deaths = append(deaths, death{p: corrected, date: time.Date(2024, 6, 12, 0, 0, 0, 0, time.UTC), paidTo: 7, word: "死亡", report: true})
	facts.Corrected = corrected.ID
	for _, p := range moved {
		facts.MovedAway = append(facts.MovedAway, p.ID)
	}
	paidThrough := map[string]int{}
	for _, d := range deaths {
		paidThrough[d.p.ID] = d.paidTo
	}
	name := func(p *Person, m int) string {
		if v, ok := renamed[p.ID]; ok {
			for _, d := range deaths {
				if d.p.ID == p.ID && m > int(d.date.Month()) {
					return v
				}
			}
		}
		return p.Name
	}
	paidIn := func(p *Person, m int) bool {
		if last, ok := paidThrough[p.ID]; ok {
			return m <= last
		}
		return true
	}
	amount := func(p *Person, m audit.Month) audit.Fen { return basic(m) + personal(*p) }
	for _, d := range deaths {
		dm := int(d.date.Month())
		for m := dm + 1; m <= d.paidTo; m++ {
			if d.p == corrected {
				continue // the correction roster drops her; the finding must stay open all the same
			}
			facts.Overpaid[d.p.ID] += amount(d.p, audit.MakeMonth(2024, m))
		}
	}
	facts.Overpaid[corrected.ID] = amount(corrected, audit.MakeMonth(2024, 7))
	for _, p := range unknown {
		for m := 3; m <= 12; m++ {
			facts.Unknown[p.ID] = append(facts.Unknown[p.ID], audit.MakeMonth(2024, m))
		}
	}
	var files []File
	for mi := 1; mi <= 12; mi++ {
		m := audit.MakeMonth(2024, mi)
		var rows []*Person
		for i := range people {
			if paidIn(&people[i], mi) {
				rows = append(rows, &people[i])
			}
		}
		var path string
		var err error
		switch mi % 3 {
		case 1:
			path, err = writeGroupedRoster(dir, m, rows, name, amount, basic)
		case 2:
			path, err = writeVillageSheets(dir, m, rows, villages, name, amount)
		default:
			path, err = writeGroupCSV(dir, m, rows, name, amount)
		}
		if err != nil {
			return nil, facts, err
		}
		files = append(files, File{Path: path, Kind: audit.KindPayouts})
		if mi == 7 { // a "corrected" July roster without the woman who died in June
			var kept []*Person
			for _, p := range rows {
				if p != corrected {
					kept = append(kept, p)
				}
			}
			p, err := writeVillageSheets(filepath.Join(dir, "更正"), m, kept, villages, name, amount)
			if err != nil {
				return nil, facts, err
			}
			facts.CorrectionFile = File{Path: p, Kind: audit.KindPayouts}
		}
	}
	// village death lists, month by month; township-wide in March and September
	for mi := 1; mi <= 12; mi++ {
		m := audit.MakeMonth(2024, mi)
		byVillage := map[string][][]any{}
		for _, d := range deaths {
			if d.report && int(d.date.Month()) == mi {
				byVillage[d.p.Village] = append(byVillage[d.p.Village], []any{d.p.Name, d.p.Sex, d.p.ID, d.date.Format("2006年1月2日")})
			}
		}
		if mi == 3 || mi == 9 {
			var rows [][]any
			for _, v := range villages {
				for _, row := range byVillage[v] {
					rows = append(rows, append([]any{v}, row...))
				}
			}
			p := filepath.Join(dir, fmt.Sprintf("桂花镇%d年%d月全镇死亡人员名单.xlsx", m.Year(), m.Mon()))
			footer := []any{"填报：镇民政办"}
			if len(rows) == 0 {
				rows = [][]any{{"本月无死亡人员"}}
			}
			if err := writeXLSX(p, fmt.Sprintf("桂花镇%d年%d月死亡人员名单", m.Year(), m.Mon()), []any{"村(社区)", "姓名", "性别", "身份证号码", "死亡日期"}, rows, footer); err != nil {
				return nil, facts, err
			}
			files = append(files, File{Path: p, Kind: audit.KindDeaths})
			continue
		}
		for _, v := range villages {
			if v == facts.MissingVillage && m == facts.MissingMonth {
				continue
			}
			rows := byVillage[v]
			if len(rows) == 0 {
				rows = [][]any{{"本月无死亡人员"}}
			}
			p := filepath.Join(dir, fmt.Sprintf("%s%d年%d月死亡人员名单.xlsx", v, m.Year(), m.Mon()))
			if err := writeXLSX(p, fmt.Sprintf("%s%d年%d月死亡人员名单", v, m.Year(), m.Mon()), []any{"姓名", "性别", "身份证号码", "死亡日期"}, rows,
				[]any{"上报人：村文书"}); err != nil {
				return nil, facts, err
			}
			files = append(files, File{Path: p, Kind: audit.KindDeaths, Village: v})
		}
	}
	// the police list: deaths in every wording, an unknown reason, people moved away
	var dereg [][]any
	for _, d := range deaths {
		if d.word != "" {
			dereg = append(dereg, []any{d.p.Name, d.p.Sex, d.p.ID, d.date.Format("2006-01-02"), d.word})
		}
	}
	for _, p := range unknown {
		dereg = append(dereg, []any{p.Name, p.Sex, p.ID, "2024-02-15", "销户（其他）"})
	}
	for _, p := range moved {
		dereg = append(dereg, []any{p.Name, p.Sex, p.ID, "2024-05-10", "户口迁出"})
	}
	sort.Slice(dereg, func(i, j int) bool { return dereg[i][3].(string) < dereg[j][3].(string) })
	p := filepath.Join(dir, "桂花镇派出所2024年户籍注销名单.xlsx")
	if err := writeXLSX(p, "桂花镇派出所2024年户籍注销人员名单", []any{"姓名", "性别", "公民身份号码", "注销日期", "注销原因"}, dereg, nil); err != nil {
		return nil, facts, err
	}
	files = append(files, File{Path: p, Kind: audit.KindDeregistrations})
	return files, facts, nil
}

// renameOne changes one character of a name (潘光明 → 潘光民).
func renameOne(name string) string {
	rs := []rune(name)
	last := rs[len(rs)-1]
	for _, c := range "民明华英兰" {
		if c != last {
			rs[len(rs)-1] = c
			break
		}
	}
	return string(rs)
}

// writeGroupedRoster: one sheet, a two-row header whose 养老金(元) spans
// 基础养老金 | 个人账户养老金 | 合计, with a 村民小组 column beside the village.
func writeGroupedRoster(dir string, m audit.Month, rows []*Person, name func(*Person, int) string, amount func(*Person, audit.Month) audit.Fen,
	basic func(audit.Month) audit.Fen) (string, error) {
	f := excelize.NewFile()
	defer f.Close()
	s := "Sheet1"
	f.SetCellValue(s, "A1", fmt.Sprintf("桂花镇%d年%d月城乡居民养老保险待遇发放花名册", m.Year(), m.Mon()))
	fixed := []string{"序号", "村(社区)", "村民小组", "姓名", "性别", "公民身份号码", "发放年月"}
	col := func(i int) string { c, _ := excelize.ColumnNumberToName(i + 1); return c }
	for i, h := range fixed {
		f.SetCellValue(s, col(i)+"2", h)
		f.MergeCell(s, col(i)+"2", col(i)+"3")
	}
	g := len(fixed)
	f.SetCellValue(s, col(g)+"2", "养老金(元)")
	f.MergeCell(s, col(g)+"2", col(g+2)+"2")
	for i, h := range []string{"基础养老金", "个人账户养老金", "合计"} {
		f.SetCellValue(s, col(g+i)+"3", h)
	}
	f.SetCellValue(s, col(g+3)+"2", "备注")
	f.MergeCell(s, col(g+3)+"2", col(g+3)+"3")
	var total audit.Fen
	for i, p := range rows {
		a := amount(p, m)
		total += a
		row := []any{i + 1, p.Village, strconv.Itoa(1+i%9) + "组", name(p, m.Mon()), p.Sex, p.ID, fmt.Sprintf("%d%02d", m.Year(), m.Mon()),
			basic(m).String(), (a - basic(m)).String(), a.String(), ""}
		f.SetSheetRow(s, "A"+strconv.Itoa(i+4), &row)
	}
	foot := []any{"合计", "", "", fmt.Sprintf("%d人", len(rows)), "", "", "", "", "", total.String()}
	f.SetSheetRow(s, "A"+strconv.Itoa(len(rows)+4), &foot)
	p := filepath.Join(dir, fmt.Sprintf("桂花镇%d年%d月养老金发放花名册.xlsx", m.Year(), m.Mon()))
	return p, f.SaveAs(p)
}

// writeVillageSheets: one sheet per village without a village column (the
// last one named 第N页, its village on a line above the header), 应发 /
// 代扣 / 实发 columns, and a 汇总 sheet first.
func writeVillageSheets(dir string, m audit.Month, rows []*Person, villages []string, name func(*Person, int) string,
	amount func(*Person, audit.Month) audit.Fen) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetName("Sheet1", "汇总")
	byVillage := map[string][]*Person{}
	for _, p := range rows {
		byVillage[p.Village] = append(byVillage[p.Village], p)
	}
	sum := [][]any{{fmt.Sprintf("%d年%d月各村发放汇总", m.Year(), m.Mon())}, {"序号", "村名", "人数", "金额(元)"}}
	var all audit.Fen
	for i, v := range villages {
		sheet := v
		if i == len(villages)-1 {
			sheet = "第" + strconv.Itoa(i+1) + "页"
		}
		f.NewSheet(sheet)
		r := 1
		put := func(vals []any) {
			f.SetSheetRow(sheet, "A"+strconv.Itoa(r), &vals)
			r++
		}
		if sheet != v {
			put([]any{"村（社区）：" + v})
		}
		put([]any{"序号", "姓名", "公民身份号码", "发放年月", "应发金额", "代扣费用", "实发金额"})
		var vt audit.Fen
		for k, p := range byVillage[v] {
			a := amount(p, m)
			vt += a
			put([]any{k + 1, name(p, m.Mon()), p.ID, fmt.Sprintf("%d%02d", m.Year(), m.Mon()), (a + 200).String(), "2.00", a.String()})
		}
		all += vt
		sum = append(sum, []any{i + 1, v, len(byVillage[v]), vt.String()})
	}
	sum = append(sum, []any{"合计", "", len(rows), all.String()})
	for i, row := range sum {
		f.SetSheetRow("汇总", "A"+strconv.Itoa(i+1), &row)
	}
	p := filepath.Join(dir, fmt.Sprintf("桂花镇%d年%d月分村发放明细.xlsx", m.Year(), m.Mon()))
	return p, f.SaveAs(p)
}

// writeGroupCSV: a GBK CSV whose village column reads 桥头村3组.
func writeGroupCSV(dir string, m audit.Month, rows []*Person, name func(*Person, int) string, amount func(*Person, audit.Month) audit.Fen) (string, error) {
	var out [][]any
	for i, p := range rows {
		// GBK has no zero-width space
		out = append(out, []any{i + 1, strings.ReplaceAll(name(p, m.Mon()), "\u200b", ""), p.ID, p.Village + strconv.Itoa(1+i%7) + "组", fmt.Sprintf("%d%02d", m.Year(), m.Mon()),
			amount(p, m).String(), "正常发放"})
	}
	p := filepath.Join(dir, fmt.Sprintf("养老金发放_%d%02d.csv", m.Year(), m.Mon()))
	header := []any{"序号", "姓名", "公民身份号码", "所属村组", "发放年月", "发放金额", "发放类型"}
	return p, writeGBKCSV(p, fmt.Sprintf("桂花镇%d年%d月养老金发放", m.Year(), m.Mon()), header, out)
}
