package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"pensionaudit/audit"
	"pensionaudit/audit/rules"
	"pensionaudit/audit/sheet"
)

// sheetSpec is one print-ready worksheet: title rows, a header repeated on
// every printed page, data rows, A4 fit to one page wide, page numbers and
// signature lines in the footer.
type sheetSpec struct {
	name      string
	title     string
	subtitle  string
	headers   []string
	widths    []float64
	money     map[int]bool // columns holding yuan
	rows      [][]any
	landscape bool
	footer    string
}

func moneyCell(f audit.Fen) any {
	v, _ := strconv.ParseFloat(f.String(), 64) // the decimal text, as typing it into Excel would store it
	return v
}

func writeSheet(f *excelize.File, s sheetSpec, first bool) error {
	if first {
		if err := f.SetSheetName("Sheet1", s.name); err != nil {
			return err
		}
	} else if _, err := f.NewSheet(s.name); err != nil {
		return err
	}
	last, _ := excelize.ColumnNumberToName(len(s.headers))
	titleStyle, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}, Alignment: &excelize.Alignment{Horizontal: "center"}})
	headStyle, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E6ECEA"}},
		Border: borders(), Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	cellStyle, _ := f.NewStyle(&excelize.Style{Border: borders(), Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	textStyle, _ := f.NewStyle(&excelize.Style{Border: borders(), NumFmt: 49, Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	moneyStyle, _ := f.NewStyle(&excelize.Style{Border: borders(), CustomNumFmt: ptr("#,##0.00"), Alignment: &excelize.Alignment{Vertical: "center"}})
	f.SetCellValue(s.name, "A1", s.title)
	f.MergeCell(s.name, "A1", last+"1")
	f.SetCellStyle(s.name, "A1", "A1", titleStyle)
	f.SetCellValue(s.name, "A2", s.subtitle)
	f.MergeCell(s.name, "A2", last+"2")
	for i, h := range s.headers {
		col, _ := excelize.ColumnNumberToName(i + 1)
		f.SetCellValue(s.name, col+"3", h)
		if i < len(s.widths) {
			f.SetColWidth(s.name, col, col, s.widths[i])
		}
	}
	f.SetCellStyle(s.name, "A3", last+"3", headStyle)
	for r, row := range s.rows {
		lines := 1
		for c, v := range row {
			if str, ok := v.(string); ok && c < len(s.widths) {
				lines = max(lines, int(displayWidth(str)/s.widths[c])+1)
			}
		}
		if lines > 1 {
			f.SetRowHeight(s.name, r+4, float64(lines)*14) // excelize does not fit rows to wrapped text
		}
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+4)
			style := cellStyle
			switch {
			case s.money[c]:
				style = moneyStyle
			case isString(v):
				style = textStyle // IDs and accounts stay text, never numbers
			}
			if str, ok := v.(string); ok {
				v = sheet.Escape(str, 0) // shown visibly, never applied
			}
			f.SetCellValue(s.name, cell, v)
			f.SetCellStyle(s.name, cell, cell, style)
		}
	}
	if err := f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", Scope: s.name,
		RefersTo: fmt.Sprintf("'%s'!$3:$3", s.name)}); err != nil {
		return err
	}
	if err := f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Area", Scope: s.name,
		RefersTo: fmt.Sprintf("'%s'!$A$1:$%s$%d", s.name, last, len(s.rows)+3)}); err != nil {
		return err
	}
	orient := "portrait"
	if s.landscape {
		orient = "landscape"
	}
	size, fitW, fitH := 9, 1, 0
	if err := f.SetPageLayout(s.name, &excelize.PageLayoutOptions{Size: &size, Orientation: &orient, FitToWidth: &fitW, FitToHeight: &fitH}); err != nil {
		return err
	}
	fit := true
	if err := f.SetSheetProps(s.name, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	foot := s.footer
	if foot == "" {
		foot = "&L经办人：__________  审核人：__________&C第 &P 页 共 &N 页&R（盖章）"
	}
	return f.SetHeaderFooter(s.name, &excelize.HeaderFooterOptions{OddFooter: foot})
}

// displayWidth estimates a text's width in Excel column units: a CJK
// character takes about two.
func displayWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		if r >= 0x2E80 {
			w += 2.1
		} else {
			w += 1.1
		}
	}
	return w
}

func isString(v any) bool { _, ok := v.(string); return ok }

func ptr[T any](v T) *T { return &v }

func borders() []excelize.Border {
	var out []excelize.Border
	for _, t := range []string{"left", "right", "top", "bottom"} {
		out = append(out, excelize.Border{Type: t, Color: "999999", Style: 1})
	}
	return out
}

func subtitle(d *Data) string {
	return fmt.Sprintf("%s　核查月份：%s　打印：%s", d.Township, d.Period, d.Printed.Local().Format("2006-01-02 15:04"))
}

// StopListXLSX is the stop-payment list for the payout system: confirmed
// findings to stop, one row per person, with full ID numbers and accounts.
// The cases whose evidence is 已证实 are the list; those 待核实 (one source
// alone, sources that disagree, a sign of life after a death) are a second
// sheet, to be visited before anything is stopped: stopping a living
// person's pension on one wrong report is a failure too.
func StopListXLSX(d *Data, w io.Writer) error {
	seen := map[string]bool{}
	var sure, visit [][]any
	for _, f := range d.Findings {
		dec, ok := d.Decisions[f.ID]
		if !ok || dec.Decision != audit.DecisionConfirm || f.IDNumber == "" {
			continue
		}
		if dec.Action != audit.ActionStop && !rules.DeathRelated(f.Rule) {
			continue
		}
		if seen[f.IDNumber] {
			continue
		}
		seen[f.IDNumber] = true
		from := d.Period.String()
		if len(f.Months) > 0 {
			from = f.Months[0]
		}
		if f.EvidenceStatus == audit.EvidenceConfirmed {
			sure = append(sure, []any{len(sure) + 1, f.Name, f.IDNumber, f.Village, f.Account, rules.Label(f.Rule), strings.ReplaceAll(from, "-", ""),
				"#" + strconv.FormatInt(f.ID, 10), dec.User, audit.LocalTime(dec.At), f.EvidenceNote})
			continue
		}
		visit = append(visit, []any{len(visit) + 1, f.Name, f.IDNumber, f.Village, f.Account, rules.Label(f.Rule), strings.ReplaceAll(from, "-", ""),
			"#" + strconv.FormatInt(f.ID, 10), dec.User, audit.LocalTime(dec.At), f.EvidenceNote})
	}
	f := excelize.NewFile()
	defer f.Close()
	headers := []string{"序号", "姓名", "公民身份号码", "村(社区)", "银行账号", "止付原因", "止付起始年月", "核查结果编号", "确认人", "确认时间", "证据"}
	widths := []float64{6, 10, 21, 12, 22, 16, 12, 12, 10, 17, 30}
	if err := writeSheet(f, sheetSpec{name: "止付名单", title: fmt.Sprintf("%s %s 城乡居民养老保险待遇止付名单（证据已证实）", d.Township, d.Period.Label()),
		subtitle: subtitle(d), headers: headers, widths: widths, rows: sure, landscape: true}, true); err != nil {
		return err
	}
	if err := writeSheet(f, sheetSpec{name: "待核实", title: fmt.Sprintf("%s %s 待核实名单（证据不足或相互矛盾：入户核实后再止付）", d.Township, d.Period.Label()),
		subtitle: subtitle(d), headers: headers, widths: widths, rows: visit, landscape: true}, false); err != nil {
		return err
	}
	return f.Write(w)
}

// LedgerXLSX is the recovery ledger.
func LedgerXLSX(d *Data, o Options, w io.Writer) error {
	var rows [][]any
	var due, rec audit.Fen
	for i, e := range d.Ledger {
		rows = append(rows, []any{i + 1, "#" + strconv.FormatInt(e.FindingID, 10), e.Period, rules.Label(e.Rule), e.Name, o.id(e.IDNumber), e.Village,
			moneyCell(e.Due), moneyCell(e.Recovered), moneyCell(e.Outstanding), audit.LocalTime(e.ConfirmedAt), e.ConfirmedBy, e.AgeDays})
		due += e.Due
		rec += e.Recovered
	}
	rows = append(rows, []any{"合计", "", "", "", "", "", "", moneyCell(due), moneyCell(rec), moneyCell(due - rec), "", "", ""})
	f := excelize.NewFile()
	defer f.Close()
	if err := writeSheet(f, sheetSpec{name: "追回台账", title: d.Township + " 养老金多发追回台账", subtitle: subtitle(d),
		headers: []string{"序号", "核查结果", "月份", "问题", "姓名", "身份证号", "村(社区)", "应追回（元）", "已追回（元）", "尚欠（元）", "确认时间", "确认人", "账龄（天）"},
		widths:  []float64{6, 10, 9, 14, 9, 21, 10, 13, 13, 13, 17, 9, 9}, money: map[int]bool{7: true, 8: true, 9: true}, rows: rows, landscape: true}, true); err != nil {
		return err
	}
	return f.Write(w)
}

// FindingsXLSX lists a period's findings with their decisions.
func FindingsXLSX(d *Data, o Options, w io.Writer) error {
	var rows [][]any
	for _, fd := range d.Findings {
		dec, detail := d.decisionText(fd.ID)
		who, when := "", ""
		if x, ok := d.Decisions[fd.ID]; ok {
			who, when = x.User, audit.LocalTime(x.At)
		}
		rows = append(rows, []any{"#" + strconv.FormatInt(fd.ID, 10), rules.Label(fd.Rule), fd.Name, o.id(fd.IDNumber), fd.Village,
			strings.Join(fd.Months, " "), moneyCell(fd.Amount), audit.Status(fd.Status).Label(), dec, detail, who, when, fd.Detail})
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := writeSheet(f, sheetSpec{name: "核查结果", title: fmt.Sprintf("%s %s 养老金发放核查结果及处理情况", d.Township, d.Period.Label()),
		subtitle: subtitle(d), headers: []string{"编号", "问题", "姓名", "身份证号", "村(社区)", "月份", "金额（元）", "状态", "处理", "处理方式/理由", "处理人", "处理时间", "依据"},
		widths: []float64{8, 14, 9, 21, 10, 9, 12, 10, 9, 18, 9, 16, 60}, money: map[int]bool{6: true}, rows: rows, landscape: true}, true); err != nil {
		return err
	}
	return f.Write(w)
}

// NoticesXLSX writes one printed page per village that did not report: a
// notice asking for the month's death list (or a nil report).
func NoticesXLSX(d *Data, w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	sh := "催报通知"
	f.SetSheetName("Sheet1", sh)
	f.SetColWidth(sh, "A", "A", 72)
	title, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16}, Alignment: &excelize.Alignment{Horizontal: "center"}})
	body, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Size: 12}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	right, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Size: 12}, Alignment: &excelize.Alignment{Horizontal: "right"}})
	row := 1
	put := func(text string, style int, height float64) {
		cell := "A" + strconv.Itoa(row)
		f.SetCellValue(sh, cell, text)
		f.SetCellStyle(sh, cell, cell, style)
		if height > 0 {
			f.SetRowHeight(sh, row, height)
		}
		row++
	}
	var missing []audit.VillageReport
	if d.Status != nil {
		for _, r := range d.Status.Reports {
			if r.State == "missing" {
				missing = append(missing, r)
			}
		}
	}
	if len(missing) == 0 {
		put(fmt.Sprintf("%s %s：各村(社区)均已上报死亡人员名单或零报告，无需催报。", d.Township, d.Period.Label()), body, 0)
	}
	next := d.Period + 1
	for i, r := range missing {
		if i > 0 {
			f.InsertPageBreak(sh, "A"+strconv.Itoa(row))
		}
		put("催 报 通 知", title, 30)
		put("", body, 0)
		put(r.Village+"：", body, 20)
		put(fmt.Sprintf("　　截至 %s，我中心尚未收到贵村(社区) %s 的死亡人员名单，也未收到“本月无死亡人员”的零报告。"+
			"按照城乡居民基本养老保险待遇发放管理的要求，各村(社区)须每月如实上报死亡人员情况，没有死亡人员的也须书面零报告，"+
			"以免已故人员继续领取养老金。请于 %d年%d月10日 前将名单（注明姓名、身份证号码、死亡日期）报送乡镇社会保障服务中心。",
			d.Printed.Local().Format("2006年1月2日"), d.Period.Label(), next.Year(), next.Mon()), body, 150)
		if r.Note != "" {
			put("　　备注："+r.Note, body, 30)
		}
		put("", body, 0)
		put(d.Township+"社会保障服务中心（盖章）", right, 20)
		put(d.Printed.Local().Format("2006年1月2日"), right, 20)
		put("", body, 0)
		put("村(社区)签收人：__________　　签收日期：__________", body, 24)
		row += 2
	}
	size, orient, fitW, fitH := 9, "portrait", 1, 0
	f.SetPageLayout(sh, &excelize.PageLayoutOptions{Size: &size, Orientation: &orient, FitToWidth: &fitW, FitToHeight: &fitH})
	fit := true
	f.SetSheetProps(sh, &excelize.SheetPropsOptions{FitToPage: &fit})
	f.SetHeaderFooter(sh, &excelize.HeaderFooterOptions{OddFooter: "&C第 &P 页 共 &N 页"})
	return f.Write(w)
}
