// Package demo generates a synthetic township — payees with valid ID numbers,
// monthly payout rosters, village death reports and a police deregistration
// list, with the traps real data holds — for the demo workspace and for
// county-size benchmarks. Nobody in it is a real person.
package demo

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"pensionaudit/audit"
	"pensionaudit/audit/idcard"
)

var (
	surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤")
	given    = []string{"秀英", "桂英", "秀兰", "玉兰", "桂兰", "秀珍", "凤英", "玉珍", "德明", "建国", "志强", "永福", "光明", "春生", "学文",
		"淑芬", "玉英", "海清", "金山", "大贵", "成富", "德秀", "桂芳", "文华", "明英", "兰英", "仕成", "永清", "德贵", "春兰", "英", "华", "刚", "芳", "军"}
)

// Person is a synthetic payee.
type Person struct {
	Name, ID, Village, Account, Sex string
	Amount                          audit.Fen
}

// NewID makes a valid 18-character ID number.
func NewID(r *rand.Rand, region string, birth time.Time) string {
	s := region + birth.Format("20060102") + fmt.Sprintf("%03d", r.IntN(1000))
	return s + string(idcard.CheckDigit(s))
}

// People makes n payees in the given villages.
func People(r *rand.Rand, n int, region string, villages []string) []Person {
	out := make([]Person, n)
	seen := map[string]bool{}
	for i := range out {
		var id string
		for {
			birth := time.Date(1925+r.IntN(38), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
			id = NewID(r, region, birth)
			if !seen[id] {
				seen[id] = true
				break
			}
		}
		out[i] = Person{
			Name:    string(surnames[r.IntN(len(surnames))]) + given[r.IntN(len(given))],
			ID:      id,
			Village: villages[r.IntN(len(villages))],
			Account: "6217" + fmt.Sprintf("%015d", r.Int64N(1e15)),
			Sex:     idcard.Sex(id),
			Amount:  audit.Fen(12000 + r.IntN(15000)),
		}
	}
	return out
}

// File is a generated input file.
type File struct {
	Path    string
	Kind    audit.Kind
	Village string
}

// Township writes a three-month demo township into dir and returns its
// files in import order. The data holds: a death reported by the village and
// still paid (paid_after_death), a death only the police list knows, a
// resumed payment after death, three payees on one bank card, a payee paid
// twice in a month, an ID typo in a death report (the payee still paid
// the month after), a nil report, and a
// village that did not report one month.
func Township(dir string) ([]File, error) {
	people, villages := townshipPeople()
	months := []audit.Month{audit.MakeMonth(2024, 1), audit.MakeMonth(2024, 2), audit.MakeMonth(2024, 3)}
	type death struct {
		p        Person
		date     time.Time
		reported audit.Month // 0: the village never reported it
		shownID  string
	}
	deaths := []death{
		{people[0], time.Date(2024, 1, 9, 0, 0, 0, 0, time.UTC), months[0], ""},                  // still paid in Feb and Mar
		{people[1], time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC), months[0], ""},                 // last day of the month: Jan is due
		{people[2], time.Date(2023, 12, 20, 0, 0, 0, 0, time.UTC), months[0], ""},                // stopped, then resumed in Mar
		{people[3], time.Date(2024, 2, 3, 0, 0, 0, 0, time.UTC), 0, ""},                          // only the police know
		{people[4], time.Date(2024, 2, 14, 0, 0, 0, 0, time.UTC), months[1], typo(people[4].ID)}, // the typo hides the death: still paid in Mar
		{people[wrong], time.Date(2024, 2, 6, 0, 0, 0, 0, time.UTC), months[1], ""},              // reported wrongly: certified alive later
	}
	// Payees 10–12 share one card; 20 is paid twice in February.
	people[11].Account, people[12].Account = people[10].Account, people[10].Account
	var files []File
	for mi, m := range months {
		var rows [][]any
		seq := 0
		for i, p := range people {
			payType := "正常发放"
			switch {
			case i == 1 && mi > 0, i == 2 && mi < 2:
				continue
			case i == 2 && mi == 2:
				payType = "恢复发放"
			}
			seq++
			op := "张某"
			if payType != "正常发放" {
				op = insider
			}
			rows = append(rows, []any{seq, p.Village, p.Name, p.Sex, p.ID, p.Account, fmt.Sprintf("%d%02d", m.Year(), m.Mon()), p.Amount.String(), payType, "", op})
			if i == 20 && mi == 1 {
				seq++
				rows = append(rows, []any{seq, p.Village, p.Name, p.Sex, p.ID, p.Account, fmt.Sprintf("%d%02d", m.Year(), m.Mon()), p.Amount.String(), "正常发放", "重复", "张某"})
			}
			if mi == 2 && i >= raisedFrom && i < raisedFrom+raised { // raised standards, all by one operator
				seq++
				rows = append(rows, []any{seq, p.Village, p.Name, p.Sex, p.ID, p.Account, "202403", raise.String(), "待遇调整", "调整标准", insider})
			}
			if mi == 2 && i == advance { // April's pension paid with March's roster
				seq++
				rows = append(rows, []any{seq, p.Village, p.Name, p.Sex, p.ID, p.Account, "202404", p.Amount.String(), "正常发放", "", "张某"})
			}
		}
		path := filepath.Join(dir, fmt.Sprintf("青石镇%d年%d月养老金发放花名册.xlsx", m.Year(), m.Mon()))
		title := fmt.Sprintf("青石镇%d年%d月城乡居民基本养老保险待遇发放花名册", m.Year(), m.Mon())
		header := []any{"序号", "村(社区)", "姓名", "性别", "公民身份号码", "银行卡号", "发放年月", "发放金额(元)", "发放类型", "备注", "经办人"}
		footer := []any{"制表人：张某    审核人：        制表日期：" + fmt.Sprintf("%d年%d月5日", m.Year(), m.Mon())}
		if err := writeXLSX(path, title, header, rows, footer); err != nil {
			return nil, err
		}
		files = append(files, File{Path: path, Kind: audit.KindPayouts})
		for vi, v := range villages {
			if v == "龙泉村" && mi == 2 {
				continue // did not report in March
			}
			var drows [][]any
			for _, d := range deaths {
				if d.reported == m && d.p.Village == v {
					id := d.p.ID
					if d.shownID != "" {
						id = d.shownID
					}
					drows = append(drows, []any{len(drows) + 1, d.p.Name, d.p.Sex, id, d.date.Format("2006年1月2日"), ""})
				}
			}
			base := fmt.Sprintf("%s%d年%d月死亡人员名单", v, m.Year(), m.Mon())
			dheader := []any{"序号", "姓名", "性别", "身份证号码", "死亡日期", "备注"}
			if len(drows) == 0 {
				drows = [][]any{{"", "本月无死亡人员"}}
			}
			var err error
			if vi == 2 { // 桃源社区 sends a GBK CSV
				path = filepath.Join(dir, base+".csv")
				err = writeGBKCSV(path, base, dheader, drows)
			} else {
				path = filepath.Join(dir, base+".xlsx")
				err = writeXLSX(path, base, dheader, drows, []any{"上报人：李某  联系电话：138****0000"})
			}
			if err != nil {
				return nil, err
			}
			files = append(files, File{Path: path, Kind: audit.KindDeaths, Village: v})
		}
	}
	var drows [][]any
	for i, d := range deaths {
		if d.p.ID == people[wrong].ID {
			continue // the police know nothing of a death that did not happen
		}
		drows = append(drows, []any{i + 1, d.p.Name, d.p.Sex, d.p.ID, d.date.Format("2006-01-02"), d.date.AddDate(0, 0, 10).Format("2006-01-02"), "死亡", "青石镇派出所"})
	}
	moved := people[30]
	drows = append(drows, []any{len(drows) + 1, moved.Name, moved.Sex, moved.ID, "", "2024-02-20", "迁出", "青石镇派出所"})
	path := filepath.Join(dir, "青石镇派出所2024年第一季度户籍注销名单.xlsx")
	if err := writeXLSX(path, "", []any{"序号", "姓名", "性别", "公民身份号码", "死亡日期", "注销日期", "注销原因", "派出所"}, drows, nil); err != nil {
		return nil, err
	}
	files = append(files, File{Path: path, Kind: audit.KindDeregistrations})
	return files, nil
}

func townshipPeople() ([]Person, []string) {
	r := rand.New(rand.NewPCG(2024, 7))
	villages := []string{"石岭村", "白沙村", "桃源社区", "龙泉村"}
	return People(r, 240, "512002", villages), villages
}

// Facts are what the demo township holds, for tests that correct or look
// up its planted cases.
type Facts struct {
	Villages []string
	Missing  string // the village that did not report in March 2024
	// the death reported in February 2024 with a mistyped ID number
	TypoName, TypoVillage, TypoShown, TypoID, TypoSex string
	TypoDeath                                         time.Time
	// the death reported in January and still paid in February and March
	PaidName, PaidID string
}

// TownshipFacts describes what Township writes.
func TownshipFacts() Facts {
	people, villages := townshipPeople()
	p, d := people[4], people[0]
	return Facts{Villages: villages, Missing: "龙泉村", TypoName: p.Name, TypoVillage: p.Village, TypoShown: typo(p.ID), TypoID: p.ID, TypoSex: p.Sex,
		TypoDeath: time.Date(2024, 2, 14, 0, 0, 0, 0, time.UTC), PaidName: d.Name, PaidID: d.ID}
}

// typo changes one digit so that the checksum fails.
func typo(id string) string {
	b := []byte(id)
	b[15] = '0' + (b[15]-'0'+3)%10
	return string(b)
}

// WriteTable writes a one-sheet .xlsx: a merged title, the header, the rows
// and a footer line.
func WriteTable(path, title string, header []any, rows [][]any, footer []any) error {
	return writeXLSX(path, title, header, rows, footer)
}

func writeXLSX(path, title string, header []any, rows [][]any, footer []any) error {
	f := excelize.NewFile()
	defer f.Close()
	sh := "Sheet1"
	r := 1
	if title != "" {
		f.SetCellValue(sh, "A1", title)
		last, _ := excelize.CoordinatesToCellName(len(header), 1)
		f.MergeCell(sh, "A1", last)
		r++
	}
	put := func(vals []any) {
		cell, _ := excelize.CoordinatesToCellName(1, r)
		f.SetSheetRow(sh, cell, &vals)
		r++
	}
	put(header)
	for _, row := range rows {
		put(row)
	}
	if footer != nil {
		put(footer)
	}
	return f.SaveAs(path)
}

func writeGBKCSV(path, title string, header []any, rows [][]any) error {
	text := title + "\r\n"
	for _, row := range append([][]any{header}, rows...) {
		for i, v := range row {
			if i > 0 {
				text += ","
			}
			text += fmt.Sprint(v)
		}
		text += "\r\n"
	}
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(text))
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// WriteRoster streams a payout roster of n rows for month m to path, the way
// a county system exports one: title, header, rows, total line.
func WriteRoster(path string, n int, m audit.Month, seed uint64) error {
	return WriteRosterFlawed(path, n, m, seed, 0)
}

// WriteRosterFlawed is WriteRoster with the sex column contradicting the ID
// on every flawEvery-th row (0: none), a roster where every such row carries
// a problem.
func WriteRosterFlawed(path string, n int, m audit.Month, seed uint64, flawEvery int) error {
	r := rand.New(rand.NewPCG(seed, 1))
	villages := make([]string, 60)
	for i := range villages {
		villages[i] = string(surnames[i%len(surnames)]) + "家" + strconv.Itoa(i) + "村"
	}
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	if err := sw.SetRow("A1", []any{fmt.Sprintf("%d年%d月城乡居民基本养老保险待遇发放花名册", m.Year(), m.Mon())}); err != nil {
		return err
	}
	if err := sw.SetRow("A2", []any{"序号", "村(社区)", "姓名", "性别", "公民身份号码", "银行卡号", "发放年月", "发放金额(元)", "发放类型", "备注"}); err != nil {
		return err
	}
	month := fmt.Sprintf("%d%02d", m.Year(), m.Mon())
	for i := 0; i < n; i++ {
		birth := time.Date(1925+r.IntN(38), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
		id := NewID(r, "512002", birth)
		cell, _ := excelize.CoordinatesToCellName(1, i+3)
		sex := idcard.Sex(id)
		if flawEvery > 0 && i%flawEvery == 0 {
			sex = map[string]string{"男": "女", "女": "男"}[sex]
		}
		row := []any{i + 1, villages[r.IntN(len(villages))], string(surnames[r.IntN(len(surnames))]) + given[r.IntN(len(given))],
			sex, id, "6217" + fmt.Sprintf("%015d", r.Int64N(1e15)), month, audit.Fen(12000 + r.IntN(15000)).String(), "正常发放", ""}
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	cell, _ := excelize.CoordinatesToCellName(1, n+3)
	if err := sw.SetRow(cell, []any{"合计"}); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.SaveAs(path)
}
