package sheet

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"pensionaudit/audit"
)

func scanPath(t *testing.T, path string, o Options) (*Summary, []*audit.Record, error) {
	t.Helper()
	wb, err := Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer wb.Close()
	var recs []*audit.Record
	if o.File == "" {
		o.File = filepath.Base(path)
	}
	sum, err := Scan(context.Background(), wb, o, func(r *audit.Record) error { recs = append(recs, r); return nil })
	return sum, recs, err
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// xlsxOf writes rows (nil cells stay empty) and merges to an .xlsx.
func xlsxOf(t *testing.T, sheets map[string][][]any, merges map[string][][2]string) string {
	t.Helper()
	f := excelize.NewFile()
	first := true
	for name, rows := range sheets {
		if first {
			f.SetSheetName("Sheet1", name)
			first = false
		} else {
			f.NewSheet(name)
		}
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			row := r
			f.SetSheetRow(name, cell, &row)
		}
		for _, m := range merges[name] {
			f.MergeCell(name, m[0], m[1])
		}
	}
	p := filepath.Join(t.TempDir(), "t.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestHeaderDetection(t *testing.T) {
	tests := []struct {
		name   string
		kind   audit.Kind
		rows   [][]any
		merges [][2]string
		want   map[Field]int
		data   int
	}{
		{"synonyms in any order", audit.KindPayouts,
			[][]any{{"应发金额", "证件号码", "参保人姓名", "银行账号", "待遇年月", "所属村组"}, {"120.50", "430422195611158660", "罗德秀", "6217", "2022-01", "东风村"}},
			nil, map[Field]int{FieldAmount: 0, FieldID: 1, FieldName: 2, FieldAccount: 3, FieldMonth: 4, FieldVillage: 5}, 1},
		{"combined header words and an Excel text formula", audit.KindPayouts,
			[][]any{{"姓 名", "身份证号/证件号", "银行卡号/账号", "金额（元）"}, {"罗德秀", `="430422195611158660"`, "6217", "100"}},
			nil, map[Field]int{FieldName: 0, FieldID: 1, FieldAccount: 2, FieldAmount: 3}, 1},
		{"title, unit row and header with units", audit.KindPayouts,
			[][]any{{"某镇2022年1月花名册"}, {"单位：元"}, {"序号", "村（社区）", "姓名", "身份证号", "实发金额（元）"}, {1, "东风村", "罗德秀", "430422195611158660", "187.75"}},
			[][2]string{{"A1", "E1"}}, map[Field]int{FieldVillage: 1, FieldName: 2, FieldID: 3, FieldAmount: 4}, 1},
		{"header split over two rows with merged cells", audit.KindPayouts,
			[][]any{{"序号", "人员信息", nil, nil, "发放信息", nil}, {nil, "姓名", "公民身份号码", "村", "金额", "年月"}, {1, "罗德秀", "430422195611158660", "东风村", "187.75", "202201"}},
			[][2]string{{"A1", "A2"}, {"B1", "D1"}, {"E1", "F1"}}, map[Field]int{FieldName: 1, FieldID: 2, FieldVillage: 3, FieldAmount: 4, FieldMonth: 5}, 1},
		{"two-row header joined into one word", audit.KindDeaths,
			[][]any{{"姓名", "身份证号码", "死亡", "备注"}, {nil, nil, "日期", nil}, {"罗德秀", "430422195611158660", "2022-01-05", ""}},
			[][2]string{{"A1", "A2"}, {"B1", "B2"}}, map[Field]int{FieldName: 0, FieldID: 1, FieldDeathDate: 2, FieldNote: 3}, 1},
		{"footers and blank rows are not data", audit.KindDeaths,
			[][]any{{"姓名", "身份证号码", "死亡日期"}, {"罗德秀", "430422195611158660", "44586"}, {}, {"合计", "", ""}, {"上报人：张某　联系电话：138"}, {"村委会（盖章）"}},
			nil, map[Field]int{FieldName: 0, FieldID: 1, FieldDeathDate: 2}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := xlsxOf(t, map[string][][]any{"Sheet1": tt.rows}, map[string][][2]string{"Sheet1": tt.merges})
			sum, recs, err := scanPath(t, p, Options{Kind: tt.kind, Village: "东风村", Period: audit.MakeMonth(2022, 1)})
			if err != nil {
				t.Fatal(err)
			}
			for f, c := range tt.want {
				if got, ok := sum.Headers[0].Cols[f]; !ok || got != c {
					t.Errorf("field %s in column %d (ok %v), want %d; cols %v", f, got, ok, c, sum.Headers[0].Cols)
				}
			}
			if len(recs) != tt.data {
				t.Fatalf("records = %d, want %d", len(recs), tt.data)
			}
			for _, r := range recs {
				if r.HasError() {
					t.Errorf("row %d problems: %+v", r.Row, r.Problems)
				}
				if r.Name != "罗德秀" || r.ID.Norm != "430422195611158660" {
					t.Errorf("record %+v", r)
				}
			}
		})
	}
}

func TestInstructionSheetSkippedAndMergedVillage(t *testing.T) {
	p := xlsxOf(t, map[string][][]any{
		"填表说明": {{"1. 身份证号码一列请设为文本格式"}, {"2. 死亡日期写成 2022-01-05"}},
		"名单": {{"村", "姓名", "身份证号码", "死亡日期"}, {"东风村", "罗德秀", "430422195611158660", "2022-01-05"},
			{nil, "顾德明", "430422195608181114", "2022-01-21"}, {"柳塘村", "乔英", "43042219290707610X", "2022-01-16"}},
	}, map[string][][2]string{"名单": {{"A2", "A3"}}})
	sum, recs, err := scanPath(t, p, Options{Kind: audit.KindDeaths})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Skipped) != 1 || sum.Skipped[0] != "填表说明" {
		t.Errorf("skipped = %v", sum.Skipped)
	}
	if len(recs) != 3 || recs[1].Village != "东风村" || recs[2].Village != "柳塘村" {
		t.Fatalf("villages: %+v", recs)
	}
}

func TestBadRowsKeptWithProblems(t *testing.T) {
	p := xlsxOf(t, map[string][][]any{"S": {
		{"姓名", "身份证号码", "银行卡号", "发放年月", "发放金额", "发放类型"},
		{"甲", 430422195611158660, "6217", "202201", "100", "正常发放"},  // ID stored as a number: full digits
		{"乙", 4.30422195611158e17, "6217", "202201", "100", "正常发放"}, // float: trailing digits lost
		{"丙", "4.30422E+17", "6.21767E+18", "2022-13", "12.345", "发钱"},
		{"", "430422195608181114", "6217", "202201", "", ""},
	}}, nil)
	_, recs, err := scanPath(t, p, Options{Kind: audit.KindPayouts, Period: audit.MakeMonth(2022, 1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 {
		t.Fatalf("rows kept = %d, want 4", len(recs))
	}
	if !recs[0].ID.OK() {
		t.Errorf("numeric full ID: %+v", recs[0].ID)
	}
	if recs[1].ID.OK() || !strings.Contains(recs[1].Problems[0].Reason, "000") {
		t.Errorf("float ID not damaged: %+v", recs[1])
	}
	fields := map[string]bool{}
	for _, pr := range recs[2].Problems {
		fields[pr.Field] = true
		if pr.Row != 4 || pr.Column == "" || pr.Sheet != "S" || pr.File != "t.xlsx" {
			t.Errorf("problem location: %+v", pr)
		}
	}
	for _, f := range []string{"id", "account", "month", "amount", "type"} {
		if !fields[f] {
			t.Errorf("no %s problem in %+v", f, recs[2].Problems)
		}
	}
	if !recs[3].HasError() || recs[3].Problems[0].Field != "name" {
		t.Errorf("missing name: %+v", recs[3].Problems)
	}
}

func TestHTMLTableSavedAsXLS(t *testing.T) {
	page := `<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body>
<table border=1><tr><td colspan=4>石岭村2021年3月死亡人员名单</td></tr>
<tr><th>姓名</th><th>身份证号码</th><th>死亡日期</th><th>备注</th></tr>
<tr><td>罗德秀</td><td style="mso-number-format:'\@'">430422195611158660</td><td>2021-03-05</td><td>&nbsp;</td></tr>
<tr><td>顾德明</td><td>430422195608181114</td><td>2021年3月9日</td><td></td></tr></table></body></html>`
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String(page)
	p := writeFile(t, "石岭村.xls", []byte(gbk))
	sum, recs, err := scanPath(t, p, Options{Kind: audit.KindDeaths, Village: "石岭村"})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[1].DeathDate.Format("2006-01-02") != "2021-03-09" || recs[0].Name != "罗德秀" {
		t.Fatalf("records %+v", recs)
	}
	if sum.Title != "石岭村2021年3月死亡人员名单" {
		t.Errorf("title %q", sum.Title)
	}
}

func TestCSVVariants(t *testing.T) {
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String("姓名\t身份证号码\t死亡日期\r\n陆?\t430422193610106675\t2022/2/13\r\n")
	p := writeFile(t, "a.txt", []byte(gbk))
	_, recs, err := scanPath(t, p, Options{Kind: audit.KindDeaths, Village: "新民社区"})
	if err != nil || len(recs) != 1 {
		t.Fatal(err, recs)
	}
	if recs[0].Name != "陆?" || recs[0].HasError() || len(recs[0].Problems) != 1 || recs[0].Problems[0].Level != audit.LevelNotice {
		t.Errorf("? in a GBK name: %+v", recs[0])
	}
	p = writeFile(t, "b.csv", []byte("\xef\xbb\xbf姓名,身份证号码,死亡日期\n𠮷田,430422193610106675,2022-02-13\n"))
	_, recs, _ = scanPath(t, p, Options{Kind: audit.KindDeaths, Village: "新民社区"})
	if len(recs) != 1 || recs[0].Name != "𠮷田" {
		t.Errorf("UTF-8 BOM, non-BMP name: %+v", recs)
	}
}

func TestSpreadsheetML2003(t *testing.T) {
	doc := `<?xml version="1.0" encoding="UTF-8"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
 <Worksheet ss:Name="死亡名单">
  <Table>
   <Row><Cell ss:MergeAcross="3"><Data ss:Type="String">石岭村2022年3月死亡人员名单</Data></Cell></Row>
   <Row><Cell><Data ss:Type="String">姓名</Data></Cell><Cell><Data ss:Type="String">身份证号码</Data></Cell><Cell ss:Index="4"><Data ss:Type="String">死亡日期</Data></Cell></Row>
   <Row ss:Index="4"><Cell><Data ss:Type="String">罗德秀</Data></Cell><Cell><Data ss:Type="String">430422195611158660</Data></Cell><Cell ss:Index="4"><Data ss:Type="DateTime">2022-03-05T00:00:00.000</Data></Cell></Row>
  </Table>
 </Worksheet>
</Workbook>`
	p := writeFile(t, "名单.xls", []byte(doc))
	sum, recs, err := scanPath(t, p, Options{Kind: audit.KindDeaths, Village: "石岭村"})
	if err != nil || len(recs) != 1 {
		t.Fatalf("%v %+v", err, recs)
	}
	if recs[0].Row != 4 || recs[0].DeathDate.Format("2006-01-02") != "2022-03-05" || sum.Title != "石岭村2022年3月死亡人员名单" {
		t.Errorf("record %+v, title %q", recs[0], sum.Title)
	}
}

func TestUTF16UnicodeText(t *testing.T) {
	text := "姓名\t身份证号码\t死亡日期\r\n罗德秀\t430422195611158660\t2022-01-05\r\n"
	enc, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(text)
	p := writeFile(t, "名单.txt", []byte(enc))
	_, recs, err := scanPath(t, p, Options{Kind: audit.KindDeaths, Village: "东风村"})
	if err != nil || len(recs) != 1 || recs[0].Name != "罗德秀" || !recs[0].ID.OK() {
		t.Fatalf("UTF-16 text: %v %+v", err, recs)
	}
}

func TestNoHeaderIsAClearError(t *testing.T) {
	p := writeFile(t, "x.csv", []byte("甲,乙\n1,2\n"))
	_, _, err := scanPath(t, p, Options{Kind: audit.KindPayouts})
	if err == nil || !strings.Contains(err.Error(), "x.csv") || !strings.Contains(err.Error(), "身份证号码") {
		t.Fatalf("err = %v", err)
	}
}

func TestMappingOverride(t *testing.T) {
	p := writeFile(t, "m.csv", []byte("名字,号码,日子\n张三,430422196112112507,2022-01-04\n"))
	if _, _, err := scanPath(t, p, Options{Kind: audit.KindDeaths}); err == nil {
		t.Fatal("unmapped file read without a header")
	}
	m, err := ParseMapping("id=号码,death_date=日子")
	if err != nil {
		t.Fatal(err)
	}
	_, recs, err := scanPath(t, p, Options{Kind: audit.KindDeaths, Map: m})
	if err != nil || len(recs) != 1 || !recs[0].ID.OK() || recs[0].DeathDate.IsZero() {
		t.Fatalf("mapped: %v %+v", err, recs)
	}
	if _, err := ParseMapping("身份=号码"); err == nil {
		t.Error("unknown field accepted")
	}
}

// A quote opened in one row and closed a few rows later would merge four
// payees into one name cell: the lines inside it carry a whole row's
// separators, so the file is refused, naming the row and column where the
// quote opened. A note that really runs over two lines is read as it is.
func TestCSVQuoteSwallowingRows(t *testing.T) {
	text := "姓名,公民身份号码,发放年月,发放金额\n" +
		"\"张三,430422196112112507,202207,120.00\n" +
		"李四,430422196112112507,202207,120.00\n" +
		"王五,430422196112112507,202207,120.00\n" +
		"赵六\",430422196112112507,202207,120.00\n" +
		"钱七,430422196112112507,202207,120.00\n"
	p := writeFile(t, "roster_2022-07.csv", []byte(text))
	_, recs, err := scanPath(t, p, Options{Kind: audit.KindPayouts})
	if err == nil || !strings.Contains(err.Error(), "第 2 行 A 列的引号") || !strings.Contains(err.Error(), "吞") {
		t.Fatalf("swallowed rows read: %v, %d records", err, len(recs))
	}
	note := "姓名,身份证号码,死亡日期,备注\n罗德秀,430422195611158660,2022-01-05,\"家属代报，\n已核实\"\n"
	p = writeFile(t, "石岭村_2022-01.csv", []byte(note))
	_, recs, err = scanPath(t, p, Options{Kind: audit.KindDeaths, Village: "石岭村"})
	if err != nil || len(recs) != 1 || !strings.Contains(recs[0].Note, "已核实") {
		t.Fatalf("a two-line note: %v %+v", err, recs)
	}
}
