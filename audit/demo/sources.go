package demo

import (
	"fmt"
	"path/filepath"
	"time"

	"pensionaudit/audit"
)

// The demo township's planted cases beyond its rosters and death lists
// (issue 21), by index into its people.
const (
	insider    = "刘某" // the operator behind every resumption and raise of March
	raisedFrom = 110  // 110–114: a raised standard in March, by the insider
	raised     = 5
	advance    = 100 // paid April's pension with March's roster
	wrong      = 50  // reported dead by the village in February, certified alive after
	cremated   = 40  // known dead only from the cremation records
	jailed     = 60  // serving a sentence the whole quarter
	released   = 61  // released in January: paid, rightly
	twoSchemes = 70  // paid by the employees' scheme in February and March
	oldScheme  = 71  // on the employees' scheme in December only
	grantAlive = 80  // a funeral grant, and no death anywhere
	overdue1   = 90  // last certified December 2022
	overdue2   = 91
	overdueMar = 92 // last certified February 2023: overdue from March 2024
)

var raise = audit.Fen(2000) // 20.00 a month more

// Expect is one finding the answer key expects.
type Expect struct {
	Rule   string
	ID     string // "" for a finding about an operator
	Name   string
	Month  audit.Month
	Amount audit.Fen // exact; -1: not checked
	Status string    // audit.EvidenceConfirmed or audit.EvidenceToVerify; "" not checked
}

// SourceFacts is the answer key of the demo township's other sources: every
// finding of the rules they feed, and the death findings whose weighing
// they change. Rules lists the rules the key is complete for: no other
// finding of these rules may appear.
type SourceFacts struct {
	Expect []Expect
	Rules  []string
	// Alive: the wrongly reported living person (her death finding must
	// be 待核实); CremationOnly: the dead person known only from cremation
	// records.
	Alive, CremationOnly string
}

// Sources writes the demo township's other sources into dir: cremation
// records, medical death certificates, the prison list, the employees'
// scheme roster, qualification certifications and funeral grants.
func Sources(dir string) ([]File, error) {
	people, _ := townshipPeople()
	d := func(y, m, day int) string {
		return time.Date(y, time.Month(m), day, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
	}
	var files []File
	write := func(name string, kind audit.Kind, title string, header []any, rows [][]any) error {
		path := filepath.Join(dir, name)
		if err := writeXLSX(path, title, header, rows, nil); err != nil {
			return err
		}
		files = append(files, File{Path: path, Kind: kind})
		return nil
	}
	p := func(i int) Person { return people[i] }
	if err := write("青石镇殡仪馆2024年第一季度火化记录.xlsx", audit.KindCremation, "青石镇殡仪馆火化登记表（2024年第一季度）",
		[]any{"序号", "姓名", "性别", "身份证号码", "死亡日期", "火化日期", "殡仪馆"},
		[][]any{{1, p(0).Name, p(0).Sex, p(0).ID, d(2024, 1, 9), d(2024, 1, 11), "青石镇殡仪馆"},
			{2, p(cremated).Name, p(cremated).Sex, p(cremated).ID, "", d(2024, 1, 22), "青石镇殡仪馆"}}); err != nil {
		return nil, err
	}
	if err := write("青石镇卫生院2024年第一季度死亡医学证明.xlsx", audit.KindDeathCertificates, "",
		[]any{"姓名", "性别", "公民身份号码", "死亡日期", "死亡地点"},
		[][]any{{p(0).Name, p(0).Sex, p(0).ID, d(2024, 1, 9), "医疗卫生机构"}, {p(1).Name, p(1).Sex, p(1).ID, d(2024, 1, 31), "家中"}}); err != nil {
		return nil, err
	}
	if err := write("青石镇司法所在押服刑人员名单.xlsx", audit.KindPrison, "青石镇在押服刑人员名单",
		[]any{"序号", "姓名", "公民身份号码", "入监日期", "刑满日期"},
		[][]any{{1, p(jailed).Name, p(jailed).ID, d(2023, 11, 10), d(2025, 11, 9)}, {2, p(released).Name, p(released).ID, d(2022, 3, 1), d(2024, 1, 15)}}); err != nil {
		return nil, err
	}
	if err := write("企业职工基本养老保险领取人员名单2024年第一季度.xlsx", audit.KindOtherPensions, "",
		[]any{"姓名", "身份证号码", "待遇年月", "险种", "金额"},
		[][]any{{p(twoSchemes).Name, p(twoSchemes).ID, "2024-02", "企业职工基本养老保险", "2860.00"},
			{p(twoSchemes).Name, p(twoSchemes).ID, "2024-03", "企业职工基本养老保险", "2860.00"},
			{p(oldScheme).Name, p(oldScheme).ID, "2023-12", "企业职工基本养老保险", "3120.00"}}); err != nil {
		return nil, err
	}
	var cert [][]any
	for i, x := range people {
		date, how := d(2023, 6, 1+i%28), "人脸识别"
		switch i {
		case overdue1, overdue2:
			date = d(2022, 12, 15)
		case overdueMar:
			date = d(2023, 2, 10)
		case wrong:
			date, how = d(2024, 2, 25), "现场认证（本人到场）"
		}
		cert = append(cert, []any{i + 1, x.Name, x.ID, date, how})
	}
	if err := write("青石镇2024年待遇资格认证记录.xlsx", audit.KindCertifications, "城乡居民养老保险待遇领取资格认证记录",
		[]any{"序号", "姓名", "身份证号码", "认证日期", "认证方式"}, cert); err != nil {
		return nil, err
	}
	if err := write("青石镇丧葬补助金发放名单.xlsx", audit.KindFuneralGrants, "",
		[]any{"序号", "姓名", "身份证号码", "发放日期", "金额(元)"},
		[][]any{{1, p(0).Name, p(0).ID, d(2024, 1, 20), "2000.00"}, {2, p(grantAlive).Name, p(grantAlive).ID, d(2024, 2, 5), "2000.00"},
			{3, p(3).Name, p(3).ID, d(2024, 2, 15), "2000.00"}, {4, p(3).Name, p(3).ID, d(2024, 3, 2), "2000.00"}}); err != nil {
		return nil, err
	}
	return files, nil
}

// TownshipSourceFacts is the answer key of Sources (with Township).
func TownshipSourceFacts() SourceFacts {
	people, _ := townshipPeople()
	jan, feb, mar := audit.MakeMonth(2024, 1), audit.MakeMonth(2024, 2), audit.MakeMonth(2024, 3)
	e := func(rule string, i int, m audit.Month, amount audit.Fen, status string) Expect {
		return Expect{Rule: rule, ID: people[i].ID, Name: people[i].Name, Month: m, Amount: amount, Status: status}
	}
	amt := func(i int) audit.Fen { return people[i].Amount }
	const ok, ask = audit.EvidenceConfirmed, audit.EvidenceToVerify
	f := SourceFacts{Alive: people[wrong].ID, CremationOnly: people[cremated].ID,
		Rules: []string{"paid_while_imprisoned", "paid_by_two_schemes", "paid_after_funeral_grant", "funeral_grant_without_death",
			"certification_overdue", "paid_in_advance", "operator_concentration"}}
	f.Expect = []Expect{
		// deaths the other sources know or weigh
		e("paid_after_death", cremated, feb, amt(cremated), ask), e("paid_after_death", cremated, mar, amt(cremated), ask),
		e("paid_after_death", wrong, mar, amt(wrong), ask),
		e("paid_after_death", 0, feb, amt(0), ok), e("paid_after_death", 0, mar, amt(0), ok),
		e("paid_after_death", 3, mar, amt(3), ok),
		// the other sources' own findings
		e("paid_while_imprisoned", jailed, jan, amt(jailed), ask), e("paid_while_imprisoned", jailed, feb, amt(jailed), ask),
		e("paid_while_imprisoned", jailed, mar, amt(jailed), ask),
		e("paid_by_two_schemes", twoSchemes, feb, amt(twoSchemes), ok), e("paid_by_two_schemes", twoSchemes, mar, amt(twoSchemes), ok),
		e("funeral_grant_without_death", grantAlive, feb, 200000, ask), e("funeral_grant_without_death", 3, mar, 200000, ask),
		e("paid_after_funeral_grant", grantAlive, mar, amt(grantAlive), ask),
		e("certification_overdue", overdue1, jan, 0, ask), e("certification_overdue", overdue1, feb, 0, ask), e("certification_overdue", overdue1, mar, 0, ask),
		e("certification_overdue", overdue2, jan, 0, ask), e("certification_overdue", overdue2, feb, 0, ask), e("certification_overdue", overdue2, mar, 0, ask),
		e("certification_overdue", overdueMar, mar, 0, ask),
		e("paid_in_advance", advance, mar, amt(advance), ok),
		{Rule: "operator_concentration", Name: insider, Month: mar, Amount: amt(2) + raise*raised, Status: ask},
	}
	return f
}

// describe is an expectation in words, for a test's message.
func (e Expect) String() string {
	return fmt.Sprintf("%s %s %s %s %s", e.Rule, e.Name, e.Month, e.Amount, e.Status)
}
