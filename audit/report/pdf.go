package report

import (
	"bytes"
	"fmt"
	"image/png"
	"io"
	"strconv"
	"strings"
	"sync"

	"codeberg.org/go-pdf/fpdf"
	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"
	"golang.org/x/image/font/sfnt"

	"pensionaudit/assets"
	"pensionaudit/audit"
	"pensionaudit/audit/rules"
	"pensionaudit/audit/sheet"
)

// Page is the text drawn on one page, in order: the testable model of the PDF.
type Page struct {
	Lines []string
}

// Transcript is what a PDF says, page by page, plus anything it could not
// print (a character the font lacks is reported, never silently dropped).
type Transcript struct {
	Pages    []Page
	Warnings []string
}

// Text is the transcript as plain text, pages separated by form feeds.
func (t *Transcript) Text() string {
	var b strings.Builder
	for i, p := range t.Pages {
		if i > 0 {
			b.WriteString("\f\n")
		}
		for _, l := range p.Lines {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

const (
	pageW, pageH = 210.0, 297.0
	margin       = 15.0
	footerH      = 14.0
	lineH        = 5.0
	fontName     = "NotoSansSC"
)

var (
	cjkOnce sync.Once
	cjkFont *sfnt.Font
)

// missingGlyphs lists the characters of s that the bundled font cannot draw.
func missingGlyphs(s string) []rune {
	cjkOnce.Do(func() { cjkFont, _ = sfnt.Parse(assets.FontRegular) })
	if cjkFont == nil {
		return nil
	}
	var buf sfnt.Buffer
	var out []rune
	for _, r := range s {
		if r < 0x20 {
			continue
		}
		if g, err := cjkFont.GlyphIndex(&buf, r); err != nil || g == 0 {
			out = append(out, r)
		}
	}
	return out
}

// doc draws on an fpdf document and keeps the transcript.
type doc struct {
	pdf   *fpdf.Fpdf
	tr    *Transcript
	draft bool
	// repeat is the table header to draw again on a new page (nil outside tables).
	repeat func()
	foot   string
}

func newDoc(draft bool, foot string) *doc {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(false, margin+footerH)
	pdf.AddUTF8FontFromBytes(fontName, "", assets.FontRegular)
	pdf.AddUTF8FontFromBytes(fontName, "B", assets.FontBold)
	pdf.AliasNbPages("{nb}")
	d := &doc{pdf: pdf, tr: &Transcript{}, draft: draft, foot: foot}
	pdf.SetHeaderFunc(func() {
		if d.draft {
			pdf.SetFont(fontName, "B", 60)
			pdf.SetTextColor(235, 200, 200)
			pdf.TransformBegin()
			pdf.TransformRotate(35, pageW/2, pageH/2)
			pdf.Text(pageW/2-70, pageH/2, "未签字 DRAFT")
			pdf.TransformEnd()
			pdf.SetTextColor(0, 0, 0)
			d.record("【未签字 DRAFT】")
		}
	})
	pdf.SetFooterFunc(func() {
		pdf.SetY(pageH - margin - 6)
		pdf.SetFont(fontName, "", 8)
		text := fmt.Sprintf("第 %d 页 共 {nb} 页", pdf.PageNo())
		pdf.CellFormat(0, 5, d.foot, "", 0, "L", false, 0, "")
		pdf.SetX(margin)
		pdf.CellFormat(0, 5, text, "", 0, "R", false, 0, "")
		d.record(text)
	})
	return d
}

func (d *doc) record(s string) {
	if len(d.tr.Pages) < d.pdf.PageNo() {
		d.tr.Pages = append(d.tr.Pages, Page{})
	}
	p := &d.tr.Pages[len(d.tr.Pages)-1]
	p.Lines = append(p.Lines, s)
}

// printable returns s as the PDF can draw it: a character outside the
// Basic Multilingual Plane (which fpdf cannot embed) or missing from the
// font is replaced by 〓 and reported, so nothing disappears silently.
func (d *doc) printable(s string) string {
	// invisible characters from the files (bidi overrides, zero-width
	// spaces, controls) are printed visibly, never applied
	s = sheet.Escape(s, 0)
	miss := append([]rune(nil), missingGlyphs(s)...)
	for _, r := range s {
		if r > 0xFFFF && !containsRune(miss, r) {
			miss = append(miss, r)
		}
	}
	if len(miss) == 0 {
		return s
	}
	d.tr.Warnings = append(d.tr.Warnings, fmt.Sprintf("“%s”中的字符 %q 无法用打印字体输出，已印为“〓”，请在纸面上手工补写", s, string(miss)))
	return strings.Map(func(r rune) rune {
		if containsRune(miss, r) {
			return '〓'
		}
		return r
	}, s)
}

func containsRune(rs []rune, r rune) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

func (d *doc) addPage() {
	d.pdf.AddPage() // the header func records the DRAFT mark
	for len(d.tr.Pages) < d.pdf.PageNo() {
		d.tr.Pages = append(d.tr.Pages, Page{})
	}
}

// need starts a new page when h millimetres do not fit, repeating the table
// header if inside a table.
func (d *doc) need(h float64) {
	if d.pdf.GetY()+h <= pageH-margin-footerH {
		return
	}
	d.addPage()
	if d.repeat != nil {
		d.repeat()
	}
}

func (d *doc) text(size float64, bold bool, s string) {
	style := ""
	if bold {
		style = "B"
	}
	d.pdf.SetFont(fontName, style, size)
	lines := d.pdf.SplitText(d.printable(s), pageW-2*margin)
	h := size * 0.5
	d.need(float64(len(lines)) * h)
	for _, l := range lines {
		d.pdf.CellFormat(0, h, l, "", 1, "L", false, 0, "")
	}
	d.record(s)
}

func (d *doc) gap(h float64) { d.pdf.Ln(h) }

// table draws a table whose header repeats on every page it spans.
func (d *doc) table(headers []string, widths []float64, rows [][]string) {
	drawHeader := func() {
		d.pdf.SetFont(fontName, "B", 8.5)
		d.pdf.SetFillColor(230, 236, 234)
		x := margin
		y := d.pdf.GetY()
		for i, h := range headers {
			d.pdf.SetXY(x, y)
			d.pdf.CellFormat(widths[i], 6, h, "1", 0, "C", true, 0, "")
			x += widths[i]
		}
		d.pdf.SetXY(margin, y+6)
		d.record(strings.Join(headers, " | "))
		d.pdf.SetFont(fontName, "", 8.5)
	}
	d.need(6 + lineH)
	drawHeader()
	d.repeat = drawHeader
	defer func() { d.repeat = nil }()
	if len(rows) == 0 {
		d.pdf.CellFormat(sum(widths), 6, "（无）", "1", 1, "C", false, 0, "")
		d.record("（无）")
		return
	}
	for _, row := range rows {
		n := 1
		split := make([][]string, len(row))
		for i, c := range row {
			split[i] = d.pdf.SplitText(d.printable(c), widths[i]-2)
			n = max(n, len(split[i]))
		}
		h := float64(n)*4.2 + 1.6
		d.need(h)
		x, y := margin, d.pdf.GetY()
		for i := range row {
			d.pdf.Rect(x, y, widths[i], h, "D")
			for k, l := range split[i] {
				d.pdf.SetXY(x+1, y+0.8+float64(k)*4.2)
				d.pdf.CellFormat(widths[i]-2, 4.2, l, "", 0, "L", false, 0, "")
			}
			x += widths[i]
		}
		d.pdf.SetXY(margin, y+h)
		d.record(strings.Join(row, " | "))
	}
}

func sum(ws []float64) float64 {
	t := 0.0
	for _, w := range ws {
		t += w
	}
	return t
}

// finish replaces the page-count alias in the transcript and writes the PDF.
func (d *doc) finish(w io.Writer) (*Transcript, error) {
	d.pdf.Close() // draws the last page's footer
	total := strconv.Itoa(d.pdf.PageNo())
	for i := range d.tr.Pages {
		for k, l := range d.tr.Pages[i].Lines {
			d.tr.Pages[i].Lines[k] = strings.ReplaceAll(l, "{nb}", total)
		}
	}
	if err := d.pdf.Output(w); err != nil {
		return nil, err
	}
	return d.tr, nil
}

var stateWords = map[string]string{"reported": "已上报", "nil": "零报告（本月无死亡）", "missing": "未上报"}

// SignoffPDF prints the monthly verification sign-off sheet (月度核查签字表).
func SignoffPDF(d *Data, o Options, w io.Writer) (*Transcript, error) {
	fp := d.Fingerprint
	doc := newDoc(!d.Signed(), "数据指纹 "+fp[:min(16, len(fp))]+"…")
	doc.addPage()
	doc.text(15, true, fmt.Sprintf("%s %s 城乡居民养老保险待遇发放月度核查签字表", d.Township, d.Period.Label()))
	state := "未签字（DRAFT）：本表仅供核对，不能作为核查结论"
	if d.Signed() {
		state = "已复核签字，本月数据已锁定"
	} else if d.Status != nil && d.Status.Clerk != nil {
		state = "经办人已签字，待审核人复核（DRAFT）"
	}
	doc.text(9, false, fmt.Sprintf("核查月份：%s　打印时间：%s　状态：%s", d.Period, d.Printed.Local().Format("2006-01-02 15:04"), state))
	if d.Status != nil && d.Status.Overdue {
		doc.text(9, true, fmt.Sprintf("逾期：应于 %s 前完成复核签字，未按要求每月上报", d.Status.Due))
	}
	doc.gap(3)

	doc.text(11, true, "一、数据来源")
	var rows [][]string
	for _, b := range d.Inputs {
		rows = append(rows, []string{strconv.FormatInt(b.ID, 10), b.FileName, b.Kind.Label(), b.Village, b.Period.String(), strconv.Itoa(b.Imported), b.SHA256[:12]})
	}
	doc.table([]string{"批次", "文件名", "类型", "村(社区)", "月份", "行数", "SHA-256（前12位）"}, []float64{11, 56, 25, 20, 16, 14, 38}, rows)
	loaded, missing := d.Sources()
	doc.text(9, false, "本月核对的来源："+strings.Join(loaded, "；"))
	if len(missing) > 0 {
		doc.text(9, false, "没有导入的来源（相应的核查没有进行）："+strings.Join(missing, "、"))
	}
	doc.text(9, false, d.SettingsText())
	doc.gap(3)

	doc.text(11, true, "二、各村(社区)死亡人员名单上报情况")
	rows = nil
	if d.Status != nil {
		for _, r := range d.Status.Reports {
			rows = append(rows, []string{r.Village, stateWords[r.State], strconv.Itoa(r.Rows), r.Note})
		}
	}
	doc.table([]string{"村(社区)", "上报情况", "上报人数", "审核人说明（未上报时）"}, []float64{30, 40, 18, 92}, rows)
	doc.gap(3)

	doc.text(11, true, "三、核查结果分类统计")
	rows = nil
	for _, s := range d.ByRule() {
		amount := ""
		if rules.Overpayment(s.Rule) {
			amount = s.Amount.Grouped()
		}
		rows = append(rows, []string{rules.Label(s.Rule), strconv.Itoa(s.Count), amount})
	}
	doc.table([]string{"问题类型", "条数", "涉及金额（元）"}, []float64{80, 40, 60}, rows)
	doc.gap(3)

	var confirmed, dismissed, visits [][]string
	for _, f := range d.Findings {
		dec, detail := d.decisionText(f.ID)
		base := []string{"#" + strconv.FormatInt(f.ID, 10), f.Name, o.id(f.IDNumber), f.Village}
		switch dec {
		case audit.Verdict(audit.DecisionConfirm).Label():
			confirmed = append(confirmed, append(base, strings.Join(f.Months, " "), rules.Label(f.Rule), f.Amount.Grouped(), detail))
		case audit.Verdict(audit.DecisionDismiss).Label():
			dismissed = append(dismissed, append(base, rules.Label(f.Rule), detail))
		default:
			visits = append(visits, append(base, rules.Label(f.Rule), dec+" "+detail))
		}
	}
	doc.text(11, true, "四、确认的问题")
	doc.table([]string{"编号", "姓名", "身份证号", "村(社区)", "月份", "问题", "金额（元）", "处理"}, []float64{13, 16, 38, 18, 16, 30, 22, 27}, confirmed)
	doc.gap(3)
	doc.text(11, true, "五、排除的问题及理由")
	doc.table([]string{"编号", "姓名", "身份证号", "村(社区)", "问题", "排除理由"}, []float64{13, 16, 38, 18, 30, 65}, dismissed)
	doc.gap(3)
	doc.text(11, true, "六、待实地核查及未处理的问题")
	doc.table([]string{"编号", "姓名", "身份证号", "村(社区)", "问题", "状态及说明"}, []float64{13, 16, 38, 18, 30, 65}, visits)
	doc.gap(3)

	t := d.Totals()
	doc.text(11, true, "七、合计")
	doc.text(9.5, false, fmt.Sprintf("发现多发金额：%s 元　应追回：%s 元　已追回：%s 元　尚欠：%s 元",
		t.Found.Grouped(), t.ToRecover.Grouped(), t.Recovered.Grouped(), (t.ToRecover-t.Recovered).Grouped()))
	doc.gap(4)

	doc.need(62)
	doc.text(11, true, "八、签字")
	sign := func(role string, s *audit.Signoff) {
		line := role + "：________________（签字）　日期：____________"
		if s != nil {
			line = fmt.Sprintf("%s：%s　于 %s 在系统中签字　　手写签字：________________", role, s.User, audit.LocalTime(s.At))
		}
		doc.text(10, false, line)
		doc.gap(3)
	}
	if d.Status != nil {
		sign("经办人", d.Status.Clerk)
		sign("审核人", d.Status.Supervisor)
	} else {
		sign("经办人", nil)
		sign("审核人", nil)
	}
	doc.text(10, false, "单位（盖章）：")
	y := doc.pdf.GetY()
	doc.pdf.Rect(margin+25, y, 40, 30, "D")
	// QR code of the fingerprint beside the seal box.
	if fp != "" {
		if code, err := qr.Encode(fp, qr.M, qr.Auto); err == nil {
			if code, err = barcode.Scale(code, 240, 240); err == nil {
				var buf bytes.Buffer
				if png.Encode(&buf, code) == nil {
					doc.pdf.RegisterImageOptionsReader("fp", fpdf.ImageOptions{ImageType: "PNG"}, &buf)
					doc.pdf.ImageOptions("fp", pageW-margin-30, y, 30, 30, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
					doc.record("[二维码：数据指纹]")
				}
			}
		}
	}
	doc.pdf.SetY(y + 33)
	label := "数据指纹（SHA-256，复核签字时）："
	if !d.Signed() {
		label = "当前数据指纹（SHA-256，尚未复核签字）："
	}
	doc.text(8.5, false, label+fp)
	if d.RootKey != "" {
		doc.text(10, true, "根密钥指纹："+d.RootKey)
	} else {
		doc.text(10, true, "根密钥指纹：（本工作区的签名尚未建立根密钥：第一位审核人登录后建立）")
	}
	if d.TrailCode != "" {
		doc.text(10, true, "记录链校验码："+d.TrailCode)
		doc.text(8.5, false, "（核对工作区是否被改动：在工作台“操作记录”页点“校验”，输入校验码 "+d.TrailCode+"；对应记录的哈希 "+d.TrailHead+"）")
	}
	doc.text(8, false, "核对方法：在工作台“操作记录”页点“校验”，指纹一致即说明签字后数据未被改动。")
	return doc.finish(w)
}
