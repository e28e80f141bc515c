package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"pensionaudit/audit/county"
	"pensionaudit/audit/idcard"
)

// CountyData is what the county's sheets print.
type CountyData struct {
	County  string
	Printed time.Time
	Grid    *county.Grid
	Flags   []county.Finding
}

func (c *CountyData) span() string {
	if len(c.Grid.Months) == 0 {
		return "（还没有上报）"
	}
	return c.Grid.Months[0] + " 至 " + c.Grid.Months[len(c.Grid.Months)-1]
}

// gridRows: township, a state per month.
func (c *CountyData) gridRows() [][]string {
	var rows [][]string
	for _, t := range c.Grid.Townships {
		row := []string{t}
		for _, m := range c.Grid.Months {
			row = append(row, county.StateLabel(c.Grid.Cells[t][m].State))
		}
		rows = append(rows, row)
	}
	return rows
}

// totalRows: each township's reported months with findings and money.
func (c *CountyData) totalRows() [][]string {
	var rows [][]string
	for _, t := range c.Grid.Townships {
		for _, m := range c.Grid.Months {
			x := c.Grid.Cells[t][m]
			if x.State == county.Missing {
				continue
			}
			rows = append(rows, []string{t, m, county.StateLabel(x.State), strconv.Itoa(x.Findings), x.Found.Grouped(), x.ToRecover.Grouped(),
				x.Recovered.Grouped(), (x.ToRecover - x.Recovered).Grouped(), x.ByRule})
		}
	}
	return rows
}

func (c *CountyData) flagRows(o Options) [][]string {
	var rows [][]string
	for _, f := range c.Flags {
		id := f.IDNumber
		detail := f.Detail
		if !o.Unmask {
			id = idcard.Mask(f.IDNumber)
			detail = strings.ReplaceAll(detail, f.IDNumber, id)
		}
		rows = append(rows, []string{f.Period, county.RuleLabel(f.Rule), f.Name, id, strings.Join(f.Townships, "、"), f.Amount.Grouped(), detail})
	}
	return rows
}

// CountyPDF prints the county's sheet (县级汇总表): the reporting grid with
// its rates, each township's findings and money, the cross-township
// findings, and lines for the county's signatures.
func CountyPDF(c *CountyData, o Options, w io.Writer) (*Transcript, error) {
	d := newDoc(false, c.County+" 县级汇总表")
	d.addPage()
	d.text(15, true, fmt.Sprintf("%s 城乡居民养老保险待遇发放核查汇总表（%s）", c.County, c.span()))
	d.text(9, false, "打印时间："+c.Printed.Local().Format("2006-01-02 15:04")+"　按时：次月 10 日前复核签字；未上报的乡镇排在前面")
	d.gap(3)
	d.text(11, true, "一、各乡镇每月上报情况")
	headers := []string{"乡镇"}
	widths := []float64{30}
	for _, m := range c.Grid.Months {
		headers = append(headers, m)
		widths = append(widths, min(22, 150/float64(max(1, len(c.Grid.Months)))))
	}
	d.table(headers, widths, c.gridRows())
	var rate []string
	for _, m := range c.Grid.Months {
		rate = append(rate, fmt.Sprintf("%s 上报 %d/%d、按时 %d", m, c.Grid.Reported[m], len(c.Grid.Townships), c.Grid.OnTime[m]))
	}
	d.text(9, false, "上报率："+strings.Join(rate, "；"))
	d.gap(3)
	d.text(11, true, "二、各乡镇核查结果和追回")
	d.table([]string{"乡镇", "月份", "上报", "核查结果", "发现多发（元）", "应追回（元）", "已追回（元）", "尚欠（元）", "按问题和状态"},
		[]float64{16, 15, 17, 12, 20, 20, 20, 20, 40}, c.totalRows())
	d.gap(3)
	d.text(11, true, "三、跨乡镇问题（一个乡镇自己看不到的）")
	d.table([]string{"月份", "问题", "姓名", "身份证号", "涉及乡镇", "金额（元）", "说明"}, []float64{17, 29, 13, 33, 30, 18, 40}, c.flagRows(o))
	d.gap(6)
	d.text(10, false, "经办人：________________　　审核人：________________　　单位（盖章）：")
	return d.finish(w)
}

// CountyXLSX exports the same as three sheets.
func CountyXLSX(c *CountyData, o Options, w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	sub := "打印：" + c.Printed.Local().Format("2006-01-02 15:04")
	headers := []string{"乡镇"}
	widths := []float64{14}
	for _, m := range c.Grid.Months {
		headers = append(headers, m)
		widths = append(widths, 12)
	}
	anys := func(rows [][]string) [][]any {
		out := make([][]any, len(rows))
		for i, r := range rows {
			for _, v := range r {
				out[i] = append(out[i], v)
			}
		}
		return out
	}
	if err := writeSheet(f, sheetSpec{name: "上报情况", title: c.County + " 各乡镇每月上报情况（" + c.span() + "）", subtitle: sub,
		headers: headers, widths: widths, rows: anys(c.gridRows()), landscape: true}, true); err != nil {
		return err
	}
	if err := writeSheet(f, sheetSpec{name: "核查和追回", title: c.County + " 各乡镇核查结果和追回", subtitle: sub,
		headers: []string{"乡镇", "月份", "上报", "核查结果", "发现多发（元）", "应追回（元）", "已追回（元）", "尚欠（元）", "按问题和状态"},
		widths:  []float64{14, 10, 12, 10, 15, 15, 15, 15, 40}, rows: anys(c.totalRows()), landscape: true}, false); err != nil {
		return err
	}
	if err := writeSheet(f, sheetSpec{name: "跨乡镇问题", title: c.County + " 跨乡镇问题", subtitle: sub,
		headers: []string{"月份", "问题", "姓名", "身份证号", "涉及乡镇", "金额（元）", "说明"},
		widths:  []float64{10, 18, 10, 21, 20, 12, 60}, rows: anys(c.flagRows(o)), landscape: true}, false); err != nil {
		return err
	}
	return f.Write(w)
}
