package sheet

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"pensionaudit/audit"
	"pensionaudit/audit/idcard"
)

// headerScanRows is how far down a sheet the header is looked for.
const headerScanRows = 20

// Options steer the reading of one file.
type Options struct {
	Kind     audit.Kind
	File     string      // the file's name, used in messages
	Village  string      // default village when the table has no village column
	Period   audit.Month // default pay month when the roster has no month column
	Map      Mapping     // the user's column overrides
	Today    time.Time   // for "death in the future"; zero: the clock
	Progress func(rows int)
	// Problem receives problems that belong to no data row (a bad cell in a
	// title or footer row, a sheet without content) as they are found; when
	// nil they are kept in Summary.Problems.
	Problem func(audit.Problem) error
	// OnHeader is called when a sheet's header is found, before its rows, with
	// the text above the header; it may fill in the village and period (from a
	// title such as 石岭村2021年3月死亡人员名单) or refuse the file.
	OnHeader func(title string, village string, period audit.Month) (string, audit.Month, error)
}

// Header is where a table's header was found and what its columns mean.
type Header struct {
	Sheet  string
	Rows   []int         // 1-based header row numbers (one, or two for a split header)
	Cols   map[Field]int // field → 0-based column
	Labels []string      // the header text of each column (split headers joined)
	// Amount is how a roster's amount paid is read (nil: the amount column
	// alone, as the user's mapping named it); AmountAsk lists the columns
	// that could each be the amount when the header cannot say which.
	Amount    *AmountPlan
	AmountAsk []string
	// How says, for a column recognised other than by its whole header
	// text, how it was: by the words the header contains, or by its values.
	How map[Field]string
}

// Summary is what reading a file produced, besides its records.
type Summary struct {
	Headers   []Header
	Skipped   []string // sheets without a recognisable header, e.g. 填表说明
	Title     string   // text above the header (e.g. 石岭村2021年3月死亡人员名单)
	DataRows  int      // rows that are data (imported, with or without problems)
	NonData   int      // blank rows, titles, footers, repeated headers, nil-report lines
	NilReport bool     // a "本月无死亡人员" line (or a header with no rows) in a death report
	NilLine   int      // the row of the nil-report line, 0 if none
	Months    map[audit.Month]int
	Problems  []audit.Problem // file-level notes (when Options.Problem is nil)
	LastRows  map[string]int  // the last row read of each sheet
	// VillageFrom says, per sheet, where its rows' village came from: a
	// column, the file's name or title, a labelled line above the header,
	// the sheet's name — or nowhere.
	VillageFrom map[string]string
	// Controls are the figures of summary sheets (汇总), checked against
	// ByVillage, the payee rows read per village.
	Controls      []Control
	ByVillage     map[string]*Tally
	SummarySheets []string // sheets read as summaries, not as payees
}

// groupRe is a 村民小组 written alone: 3组, 第三组, 十二组, 5社, 2队.
var groupRe = regexp.MustCompile(`^第?[0-9０-９一二三四五六七八九十百]+(组|小组|社|队|村民小组)$`)

// villageNameRe is a village's name: ends in 村, 社区, 居委会 (and the like).
var villageNameRe = regexp.MustCompile(`^\p{Han}{1,12}?(村|社区|居委会|村委会|村民委员会|居民委员会)$`)

// villageOfCell is the village a village column's cell gives: a group
// written alone (3组) is no village; 东风村3组 is 东风村.
func villageOfCell(v string) string {
	if groupRe.MatchString(v) {
		return ""
	}
	if i := strings.LastIndexAny(v, "村区会"); i > 0 && i+3 < len(v) && groupRe.MatchString(strings.TrimSpace(v[i+3:])) {
		return strings.TrimSpace(v[:i+3])
	}
	return v
}

// villageLineRe is a labelled line above a header: 村（社区）：桥头村,
// 单位：东风村村民委员会, 村名:石岭村.
var villageLineRe = regexp.MustCompile(`(?:村[（(]社区[)）]|村[（(]居[)）]|村名|村别|所属村|行政村|村委会|社区|单位|填报单位|上报单位)\s*[:：]\s*(\p{Han}{1,12}?(?:村民委员会|居民委员会|村委会|居委会|社区|村))`)

// sheetVillage is the village of a sheet without a village column: a
// labelled line above its header, else the sheet's own name when it is a
// village's name (one sheet per village). It says where it came from.
func sheetVillage(sheet string, above []bufRow) (string, string) {
	for _, r := range above {
		for _, c := range r.cells {
			if m := villageLineRe.FindStringSubmatch(strings.TrimSpace(c)); m != nil {
				return m[1], fmt.Sprintf("表头上方第 %d 行“%s”", r.n, Escape(strings.TrimSpace(c), 40))
			}
		}
	}
	if name := strings.TrimSpace(sheet); villageNameRe.MatchString(name) {
		return name, "工作表名“" + name + "”"
	}
	return "", ""
}

func (s *Summary) addProblem(opts Options, p audit.Problem) error {
	if opts.Problem != nil {
		return opts.Problem(p)
	}
	s.Problems = append(s.Problems, p)
	return nil
}

var nilWords = map[string]bool{
	"本月无死亡人员": true, "无": true, "无死亡": true, "无死亡人员": true, "本月无死亡": true, "本月无": true,
	"本月无死亡人口": true, "无死亡人口": true, "当月无死亡人员": true, "本月无人员死亡": true, "本月没有死亡人员": true,
	"零报告": true, "本月零报告": true, "无人死亡": true, "本月无人死亡": true,
}

var footerPrefixes = []string{"合计", "小计", "总计", "共计", "累计", "制表", "审核", "上报", "填报", "报送", "联系", "盖章", "说明",
	"注:", "注：", "备注:", "备注：", "负责人", "经办人", "单位:", "单位：", "日期:", "日期：", "村委会", "村民委员会", "居民委员会",
	"签字", "签名", "主任", "会计", "统计", "打印"}

// Scan finds the table(s) of opts.Kind in wb and calls emit for every data
// row, in order. It stops early when ctx is cancelled.
func Scan(ctx context.Context, wb Workbook, opts Options, emit func(*audit.Record) error) (*Summary, error) {
	sum := &Summary{Months: map[audit.Month]int{}, LastRows: map[string]int{}, ByVillage: map[string]*Tally{}}
	if n, ok := wb.(interface{ Notes() []string }); ok {
		for _, note := range n.Notes() {
			if err := sum.addProblem(opts, audit.Problem{File: opts.File, Reason: note, Level: audit.LevelNotice}); err != nil {
				return sum, err
			}
		}
	}
	var tried []string
	for _, sheet := range wb.Sheets() {
		found, err := scanSheet(ctx, wb, sheet, opts, sum, emit)
		if err != nil {
			return sum, err
		}
		if !found {
			sum.Skipped = append(sum.Skipped, sheet)
			tried = append(tried, sheet)
		}
	}
	if len(sum.Headers) == 0 {
		var want []string
		for _, f := range required(opts.Kind) {
			want = append(want, f.Label())
		}
		return sum, &audit.Error{Kind: audit.ErrNoHeader, Field: "map", Msg: fmt.Sprintf("文件 %s 中找不到%s的表头：已查看工作表「%s」的前 %d 行，没有同时含有 %s 的一行。"+
			"请确认文件类型是否选对，或指定各列的含义（哪一列是身份证号、姓名……）",
			opts.File, opts.Kind.Label(), strings.Join(tried, "」「"), headerScanRows, strings.Join(want, "、"))}
	}
	if err := checkControls(opts, sum); err != nil {
		return sum, err
	}
	if opts.Kind == audit.KindDeaths && sum.DataRows == 0 {
		sum.NilReport = true
	}
	return sum, nil
}

type bufRow struct {
	n      int
	cells  []string
	issues []CellIssue
}

// readErr wraps an iterator's failure as the ReadError that refuses the
// file, naming the sheet and the last row read.
func readErr(opts Options, sheet string, last int, err error) error {
	var re *ReadError
	if errors.As(err, &re) {
		re.File, re.Sheet = opts.File, sheet
		if re.Row == 0 {
			re.Row = last
		}
		return re
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	reason := damagedReason
	var rerr *rowError
	if errors.As(err, &rerr) {
		reason = rerr.reason
	}
	return &ReadError{File: opts.File, Sheet: sheet, Row: last, Reason: reason, Err: err}
}

// checkCells applies the per-cell limit every format shares: a cell over
// MaxCellChars characters keeps only its first PreviewChars and becomes a
// problem. It returns the reader's issues plus these.
func checkCells(cells []string, issues []CellIssue) []CellIssue {
	for i, c := range cells {
		if len(c) > MaxCellChars && utf8.RuneCountInString(c) > MaxCellChars {
			n := utf8.RuneCountInString(c)
			cells[i] = string([]rune(c)[:PreviewChars]) + "…"
			issues = append(issues, CellIssue{Col: i, Raw: cells[i],
				Reason: fmt.Sprintf("单元格内容过长（%d 个字符，上限 %d）：不能使用，只保留前 %d 个字符供核对", n, MaxCellChars, PreviewChars)})
		}
	}
	return issues
}

func scanSheet(ctx context.Context, wb Workbook, sheet string, opts Options, sum *Summary, emit func(*audit.Record) error) (bool, error) {
	it, err := wb.Rows(sheet)
	if err != nil {
		return false, fmt.Errorf("文件 %s 的工作表「%s」无法读取：%v", opts.File, sheet, err)
	}
	defer it.Close()
	var head []bufRow
	last := 0
	for len(head) < headerScanRows && it.Next() {
		n, cells := it.Row()
		cells = append([]string(nil), cells...)
		issues := checkCells(cells, append([]CellIssue(nil), it.Issues()...))
		head = append(head, bufRow{n, cells, issues})
		last = n
	}
	if err := it.Err(); err != nil {
		return false, readErr(opts, sheet, last, err)
	}
	merges := wb.Merges(sheet)
	h, at, ok := findHeader(head, merges, opts)
	if !ok && opts.Kind == audit.KindPayouts {
		isSum, err := readSummary(sheet, head, func(fn func(bufRow)) error {
			for it.Next() {
				n, cells := it.Row()
				last = n
				fn(bufRow{n, cells, nil})
			}
			return it.Err()
		}, sum)
		if err != nil {
			return false, readErr(opts, sheet, last, err)
		}
		if isSum {
			sum.SummarySheets = append(sum.SummarySheets, sheet)
			sum.NonData += last
			sum.LastRows[sheet] = last
			return true, nil
		}
	}
	if !ok {
		// the sheet is not used, but it must still be whole and its bad
		// cells shown
		for _, r := range head {
			if err := p0(opts, sum, sheet, r); err != nil {
				return false, err
			}
		}
		for it.Next() {
			n, cells := it.Row()
			last = n
			if err := p0(opts, sum, sheet, bufRow{n, cells, checkCells(cells, it.Issues())}); err != nil {
				return false, err
			}
		}
		if err := it.Err(); err != nil {
			return false, readErr(opts, sheet, last, err)
		}
		sum.LastRows[sheet] = last
		return false, nil
	}
	h.Sheet = sheet
	if len(h.AmountAsk) > 0 {
		return true, &audit.Error{Kind: audit.ErrAmbiguous, Field: "map", Msg: fmt.Sprintf("文件 %s 工作表「%s」中有几列都可能是发放金额：%s。"+
			"为免算错多发金额，没有导入：请指定哪一列是实际发放的金额", opts.File, sheet, strings.Join(h.AmountAsk, "、"))}
	}
	sum.Headers = append(sum.Headers, h)
	if _, ok := h.Cols[FieldReason]; !ok && opts.Kind == audit.KindDeregistrations {
		sum.Problems = append(sum.Problems, audit.Problem{File: opts.File, Sheet: sheet, Row: h.Rows[0], Level: audit.LevelNotice,
			Reason: "注销名单没有“注销原因”列：表中每一行都按死亡注销处理"})
	}
	if sum.Title == "" {
		var title []string
		for _, r := range head[:at] {
			for _, c := range r.cells {
				if c = strings.TrimSpace(c); c != "" {
					title = append(title, c)
				}
			}
		}
		sum.Title = strings.Join(title, " ")
	}
	sum.NonData += at // rows above the header: titles, units
	if opts.OnHeader != nil {
		if opts.Village, opts.Period, err = opts.OnHeader(sum.Title, opts.Village, opts.Period); err != nil {
			return true, err
		}
	}
	p := &rowParser{opts: opts, h: h, date1904: wb.Date1904(), sum: sum, fill: newFiller(merges, h.Rows[len(h.Rows)-1])}
	if _, ok := h.Cols[FieldVillage]; !ok && opts.Village == "" {
		p.sheetVillage, p.villageFrom = sheetVillage(sheet, head[:at])
	}
	if sum.VillageFrom == nil {
		sum.VillageFrom = map[string]string{}
	}
	switch c, ok := h.Cols[FieldVillage]; {
	case ok && c < len(h.Labels):
		sum.VillageFrom[sheet] = "“" + strings.TrimSpace(h.Labels[c]) + "”列"
	case opts.Village != "":
		sum.VillageFrom[sheet] = "文件名或标题（" + opts.Village + "）"
	case p.sheetVillage != "":
		sum.VillageFrom[sheet] = p.villageFrom
	default:
		sum.VillageFrom[sheet] = "无（表中没有村(社区)列，工作表名和表头上方也没有写明）"
	}
	headerEnd := at + len(h.Rows)
	sum.NonData += len(h.Rows)
	count := 0
	handle := func(r bufRow) error {
		count++
		if count%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if opts.Progress != nil {
				opts.Progress(count)
			}
		}
		rec := p.parse(r.n, r.cells, r.issues)
		if rec == nil {
			return p0(opts, sum, sheet, r)
		}
		if opts.Kind == audit.KindPayouts {
			t := sum.ByVillage[rec.Village]
			if t == nil {
				t = &Tally{}
				sum.ByVillage[rec.Village] = t
			}
			t.Count++
			t.Amount += rec.Amount
		}
		if sum.DataRows > MaxDataRows {
			return &ReadError{File: opts.File, Sheet: sheet, Row: r.n, Reason: fmt.Sprintf("数据超过 %d 行的上限：请按村或按月分成几个文件", MaxDataRows)}
		}
		return emit(rec)
	}
	for _, r := range head[:headerEnd] {
		if err := p0(opts, sum, sheet, r); err != nil {
			return true, err
		}
	}
	for _, r := range head[headerEnd:] {
		if err := handle(r); err != nil {
			return true, err
		}
	}
	for it.Next() {
		n, cells := it.Row()
		last = n
		if err := handle(bufRow{n, cells, checkCells(cells, it.Issues())}); err != nil {
			return true, err
		}
	}
	if err := it.Err(); err != nil {
		return true, readErr(opts, sheet, last, err)
	}
	sum.LastRows[sheet] = last
	if opts.Progress != nil {
		opts.Progress(count)
	}
	return true, nil
}

// p0 records the cell issues of a row that is not data (title, header,
// footer, a sheet without a table) as problems of the file.
func p0(opts Options, sum *Summary, sheet string, r bufRow) error {
	for _, is := range r.issues {
		err := sum.addProblem(opts, audit.Problem{File: opts.File, Sheet: sheet, Row: r.n, Column: colName(is.Col),
			Raw: is.Raw, Reason: is.Reason, Level: audit.LevelError})
		if err != nil {
			return err
		}
	}
	return nil
}

// labelsOf fills a buffered row's cells across horizontal merges and down
// vertical merges that start above it, so a merged header label covers every
// column it spans.
func labelsOf(head []bufRow, i int, merges []Merge) []string {
	r := head[i]
	out := append([]string(nil), r.cells...)
	for _, m := range merges {
		if r.n < m.R1 || r.n > m.R2 {
			continue
		}
		var src string
		for _, hr := range head {
			if hr.n == m.R1 && m.C1 < len(hr.cells) {
				src = hr.cells[m.C1]
			}
		}
		for c := m.C1; c <= m.C2 && c < 200; c++ {
			for len(out) <= c {
				out = append(out, "")
			}
			if strings.TrimSpace(out[c]) == "" {
				out[c] = src
			}
		}
	}
	return out
}

// findHeader tries every row of the first rows, alone and joined with the
// next row, and keeps the one that names the most fields.
func findHeader(head []bufRow, merges []Merge, opts Options) (Header, int, bool) {
	var best Header
	bestAt, bestScore := -1, 0
	for i := range head {
		top := labelsOf(head, i, merges)
		cands := [][]string{top}
		if i+1 < len(head) {
			bottom := labelsOf(head, i+1, merges)
			cands = append(cands, joinLabels(top, bottom))
		}
		for k, labels := range cands {
			end := i + 1 + k
			var sample [][]string
			for _, r := range head[min(end, len(head)):] {
				sample = append(sample, r.cells)
			}
			cols, how, ok := mapColumns(labels, opts, sample)
			if !ok {
				continue
			}
			var plan *AmountPlan
			var ask []string
			if _, mapped := opts.Map[FieldAmount]; opts.Kind == audit.KindPayouts && !mapped {
				parents, children := []string(nil), top
				if k == 1 {
					parents, children = top, labelsOf(head, i+1, merges)
				} else if i+1 < len(head) && mergedMoneyGroup(top) {
					continue // a grouped header read as one row: its parts would pass for the whole
				}
				delete(cols, FieldAmount)
				taken := map[int]bool{}
				for _, c := range cols {
					taken[c] = true
				}
				if plan, ask = resolveAmount(parents, children, taken); plan == nil && ask == nil {
					continue
				}
				if plan != nil {
					cols[FieldAmount] = plan.Cols[0]
				}
			}
			score := len(cols)*2 - k // prefer one row on a tie …
			switch {
			case plan != nil && plan.grouped:
				score += 2 // … but a money group read with its label above its parts is understood better
			case ask != nil:
				score-- // a reading that cannot tell the amount is the last resort
			}
			if score > bestScore {
				rows := []int{head[i].n}
				if k == 1 {
					rows = append(rows, head[i+1].n)
				}
				best = Header{Rows: rows, Cols: cols, Labels: labels, Amount: plan, AmountAsk: ask, How: how}
				bestAt, bestScore = i, score
			}
		}
	}
	return best, bestAt, bestAt >= 0
}

// joinLabels combines a two-row header: the lower cell when present (with its
// parent, to find 死亡+日期), otherwise the upper one.
func joinLabels(top, bottom []string) []string {
	n := max(len(top), len(bottom))
	out := make([]string, n)
	for c := 0; c < n; c++ {
		var t, b string
		if c < len(top) {
			t = strings.TrimSpace(top[c])
		}
		if c < len(bottom) {
			b = strings.TrimSpace(bottom[c])
		}
		switch {
		case b == "" || b == t:
			out[c] = t
		case t == "":
			out[c] = b
		default:
			if _, _, ok := lookupHeader(b); ok {
				out[c] = b
			} else if _, _, ok := lookupHeader(t + b); ok {
				out[c] = t + b
			} else {
				out[c] = b
			}
		}
	}
	return out
}

// mapColumns gives each column its field: by the header's whole text, else
// by the words it contains, then by the user's mapping; a required field
// still missing is looked for in the values under the header (sample).
// how says what was recognised other than by whole text.
func mapColumns(labels []string, opts Options, sample [][]string) (map[Field]int, map[Field]string, bool) {
	cols := map[Field]int{}
	rank := map[Field]int{}
	for c, l := range labels {
		f, r, ok := lookupHeader(l)
		if !ok {
			if f, r, ok = lookupWords(l, opts.Kind); !ok {
				continue
			}
		}
		if old, seen := rank[f]; !seen || r < old {
			cols[f], rank[f] = c, r
		}
	}
	for f, want := range opts.Map {
		found := false
		for c, l := range labels {
			if normHeader(l) == normHeader(want) {
				// the column now means f, and nothing else
				for of, oc := range cols {
					if oc == c {
						delete(cols, of)
					}
				}
				cols[f], found = c, true
				break
			}
		}
		if !found {
			delete(cols, f)
		}
	}
	how := map[Field]string{}
	for f, c := range cols {
		if _, _, whole := lookupHeader(labels[c]); !whole {
			if _, mapped := opts.Map[f]; !mapped {
				how[f] = "按表头所含的字识别"
			}
		}
	}
	for f, h := range byValues(cols, labels, sample, opts.Kind) {
		how[f] = h
	}
	for _, f := range required(opts.Kind) {
		if _, mapped := opts.Map[FieldAmount]; f == FieldAmount && !mapped {
			continue // found by what the columns say, after this (resolveAmount)
		}
		if _, ok := cols[f]; !ok {
			return nil, nil, false
		}
	}
	return cols, how, true
}

// mergedMoneyGroup reports a header row where one money label spans
// several columns (a merged 养老金(元) over its parts): read as one row it
// cannot say which column is the amount.
func mergedMoneyGroup(labels []string) bool {
	for c := 1; c < len(labels); c++ {
		if l := normHeader(labels[c]); l != "" && l == normHeader(labels[c-1]) && isMoney(l) {
			return true
		}
	}
	return false
}

// filler copies a vertically merged cell's value (kept by spreadsheets only
// in the top-left cell) into the rows below it, e.g. a village name merged
// over all of its payees.
type filler struct {
	byStart map[int][]Merge
	active  []activeMerge
}

type activeMerge struct {
	m   Merge
	val string
}

func newFiller(merges []Merge, headerEnd int) *filler {
	f := &filler{byStart: map[int][]Merge{}}
	for _, m := range merges {
		if m.R2 > m.R1 && m.R1 > headerEnd {
			f.byStart[m.R1] = append(f.byStart[m.R1], m)
		}
	}
	return f
}

func (f *filler) apply(n int, cells []string) []string {
	if len(f.byStart) == 0 {
		return cells
	}
	kept := f.active[:0]
	for _, a := range f.active {
		if n <= a.m.R2 {
			kept = append(kept, a)
			for len(cells) <= a.m.C1 {
				cells = append(cells, "")
			}
			if strings.TrimSpace(cells[a.m.C1]) == "" {
				cells[a.m.C1] = a.val
			}
		}
	}
	f.active = kept
	for _, m := range f.byStart[n] {
		if m.C1 < len(cells) {
			f.active = append(f.active, activeMerge{m, cells[m.C1]})
		}
	}
	return cells
}

type rowParser struct {
	opts     Options
	h        Header
	date1904 bool
	sum      *Summary
	fill     *filler
	// sheetVillage is the village of every row when the table has no
	// village column (see sheetVillage); villageFrom says where from
	sheetVillage, villageFrom string
	// running totals of this sheet's data rows, for a 合计 row's check
	count    int
	total    audit.Fen
	badTotal int // rows whose amount could not be read
	// the same since the last 小计 row (a village's subtotal inside a sheet)
	segCount int
	segTotal audit.Fen
}

func (p *rowParser) cell(cells []string, f Field) (string, bool) {
	c, ok := p.h.Cols[f]
	if !ok {
		return "", false
	}
	if c >= len(cells) {
		return "", true
	}
	return cells[c], true
}

// ColName is the column letter of a 0-based column.
func ColName(c int) string { return colName(c) }

// ColIndex is the 0-based column of a column letter (H → 7), -1 for none.
func ColIndex(letters string) int {
	n, err := excelize.ColumnNameToNumber(strings.TrimSpace(letters))
	if err != nil {
		return -1
	}
	return n - 1
}

func colName(c int) string {
	s, _ := excelize.ColumnNumberToName(c + 1)
	return s
}

// parse turns one row into a Record, or returns nil for a row that is not
// data (blank, footer, repeated header, nil-report line).
func (p *rowParser) parse(n int, cells []string, issues []CellIssue) *audit.Record {
	cells = p.fill.apply(n, cells)
	var texts []string
	for _, c := range cells {
		if c = strings.TrimSpace(c); c != "" {
			texts = append(texts, c)
		}
	}
	if len(texts) == 0 {
		p.sum.NonData++
		return nil
	}
	idRaw, _ := p.cell(cells, FieldID)
	nameRaw, _ := p.cell(cells, FieldName)
	amountRaw, _ := p.cell(cells, FieldAmount)
	idEmpty := strings.TrimSpace(idRaw) == ""
	if idEmpty {
		for _, t := range texts {
			if nilWords[strings.Trim(normHeader(t), "。.!！")] {
				p.sum.NilReport = true
				if p.sum.NilLine == 0 {
					p.sum.NilLine = n
				}
				p.sum.NonData++
				return nil
			}
		}
		first := normHeader(texts[0])
		for _, fp := range footerPrefixes {
			if strings.HasPrefix(first, normHeader(fp)) {
				p.sum.NonData++
				p.checkTotal(n, cells, texts)
				return nil
			}
		}
		if strings.TrimSpace(nameRaw) == "" && (p.opts.Kind != audit.KindPayouts || strings.TrimSpace(amountRaw) == "") {
			p.sum.NonData++
			return nil
		}
	}
	if p.isRepeatedHeader(cells) {
		p.sum.NonData++
		return nil
	}
	p.sum.DataRows++
	p.count++
	p.segCount++
	rec := &audit.Record{Sheet: p.h.Sheet, Row: n}
	problem := func(f Field, raw, reason string, level audit.Level) {
		c := p.h.Cols[f]
		rec.Problems = append(rec.Problems, audit.Problem{
			File: p.opts.File, Sheet: p.h.Sheet, Row: n, Column: colName(c), Header: strings.TrimSpace(p.h.Labels[c]),
			Field: string(f), Raw: raw, Reason: reason, Level: level,
		})
	}
	for _, is := range issues {
		header := ""
		if is.Col < len(p.h.Labels) {
			header = strings.TrimSpace(p.h.Labels[is.Col])
		}
		field := ""
		for f, c := range p.h.Cols {
			if c == is.Col {
				field = string(f)
			}
		}
		rec.Problems = append(rec.Problems, audit.Problem{File: p.opts.File, Sheet: p.h.Sheet, Row: n, Column: colName(is.Col),
			Header: header, Field: field, Raw: is.Raw, Reason: is.Reason, Level: audit.LevelError})
	}
	rec.Name = CleanName(nameRaw)
	if rec.Name == "" {
		problem(FieldName, nameRaw, "姓名为空", audit.LevelError)
	} else if strings.ContainsAny(rec.Name, "?？\uFFFD") {
		problem(FieldName, nameRaw, "姓名中有“?”：可能是GBK编码无法保存的生僻字，请对照原始名单核实", audit.LevelNotice)
	}
	if strings.ContainsFunc(rec.Name, Invisible) {
		problem(FieldName, Escape(nameRaw, 0), invisibleReason, audit.LevelNotice)
	}
	rec.ID = idcard.Normalize(idRaw)
	switch {
	case !rec.ID.OK():
		problem(FieldID, idRaw, rec.ID.Reason, audit.LevelError)
	case rec.ID.Upgraded:
		problem(FieldID, idRaw, "旧式15位身份证号，已按国家标准升级为18位", audit.LevelNotice)
	}
	if v, ok := p.cell(cells, FieldVillage); ok {
		rec.Village = villageOfCell(CleanText(v))
	}
	if rec.Village == "" {
		rec.Village = p.opts.Village
	}
	if rec.Village == "" {
		rec.Village = p.sheetVillage
	} else if strings.ContainsFunc(rec.Village, Invisible) {
		problem(FieldVillage, Escape(rec.Village, 0), invisibleReason, audit.LevelNotice)
	}
	if v, ok := p.cell(cells, FieldSex); ok {
		rec.Sex = CleanText(v)
		switch sex := audit.ParseSex(rec.Sex); {
		case sex == "" && rec.Sex != "":
			problem(FieldSex, v, "性别“"+Escape(rec.Sex, 20)+"”不认识（应为男或女）：没有用来核对身份证号", audit.LevelNotice)
		case sex != "" && rec.ID.OK() && sex != idcard.Sex(rec.ID.Norm):
			problem(FieldSex, v, "性别与身份证号第17位所示性别不符", audit.LevelNotice)
		}
	}
	if v, ok := p.cell(cells, FieldNote); ok {
		rec.Note = CleanText(v)
		// a note the checks would otherwise not read: a death written on
		// the roster, a death on a village list put in doubt
		switch {
		case p.opts.Kind == audit.KindPayouts && audit.DeathMeaning(rec.Note, nil) == audit.MeaningYes:
			problem(FieldNote, v, "备注写明“"+Escape(rec.Note, 30)+"”（死亡），这一行却在发放花名册上：请核实是否仍在发放", audit.LevelNotice)
		case p.opts.Kind == audit.KindDeaths && audit.DoubtsDeath(rec.Note):
			problem(FieldNote, v, "备注“"+Escape(rec.Note, 30)+"”对这一死亡有疑问（误报、未死亡、待核实……）：请向村里核实；核实前仍按死亡核查，复核时可看到此备注", audit.LevelNotice)
		}
	}
	if v, ok := p.cell(cells, FieldStatus); ok {
		rec.Status = CleanText(v)
		switch audit.StatusMeaning(rec.Status) {
		case audit.MeaningNo: // stopped, ended, dead: and yet on the roster
			if p.opts.Kind == audit.KindPayouts {
				problem(FieldStatus, v, "状态为“"+Escape(rec.Status, 20)+"”（停发、终止或死亡），这一行却在发放花名册上：请核实是否仍在发放", audit.LevelNotice)
			}
		case audit.MeaningUnknown:
			if rec.Status != "" {
				problem(FieldStatus, v, "状态“"+Escape(rec.Status, 20)+"”不认识：不知道是正常发放还是已停发，请核实", audit.LevelNotice)
			}
		}
	}
	switch p.opts.Kind {
	case audit.KindPayouts:
		p.parsePayout(rec, cells, problem)
	case audit.KindDeaths:
		p.parseDeathDate(rec, cells, FieldDeathDate, problem)
	case audit.KindDeregistrations:
		p.parseDereg(rec, cells, problem)
	default:
		p.parseSource(rec, cells, problem)
	}
	return rec
}

// parseSource reads a row of the other sources (issue 21): the dates the
// kind needs, its place, way or scheme.
func (p *rowParser) parseSource(rec *audit.Record, cells []string, problem problemFunc) {
	text := func(f Field) string {
		v, _ := p.cell(cells, f)
		return CleanText(v)
	}
	switch p.opts.Kind {
	case audit.KindCremation:
		rec.Start = p.dateOf(rec, cells, FieldCremDate, false, problem)
		rec.DeathDate = p.dateOf(rec, cells, FieldDeathDate, false, problem)
		if rec.Start.IsZero() && rec.DeathDate.IsZero() && !rec.HasError() {
			problem(FieldCremDate, "", "火化日期和死亡日期都没有：不知道何时死亡", audit.LevelError)
		}
		rec.Detail = text(FieldPlace)
	case audit.KindDeathCertificates:
		rec.DeathDate = p.dateOf(rec, cells, FieldDeathDate, true, problem)
		rec.Detail = text(FieldPlace)
	case audit.KindPrison:
		rec.Start = p.dateOf(rec, cells, FieldJailStart, true, problem)
		rec.End = p.dateOf(rec, cells, FieldJailEnd, false, problem)
		if !rec.Start.IsZero() && !rec.End.IsZero() && rec.End.Before(rec.Start) {
			v, _ := p.cell(cells, FieldJailEnd)
			problem(FieldJailEnd, v, "刑满释放日期早于入监日期：日期有误，请核实", audit.LevelError)
		}
	case audit.KindOtherPensions:
		v, _ := p.cell(cells, FieldMonth)
		m, err := ParseMonth(v, p.date1904)
		switch {
		case strings.TrimSpace(v) == "":
			problem(FieldMonth, v, "月份为空", audit.LevelError)
		case err != nil:
			problem(FieldMonth, v, "月份"+err.Error(), audit.LevelError)
		}
		rec.Month = m
		rec.Scheme = text(FieldScheme)
		if audit.SameScheme(rec.Scheme) {
			v, _ := p.cell(cells, FieldScheme)
			problem(FieldScheme, v, "险种“"+Escape(rec.Scheme, 30)+"”就是城乡居民养老保险，不是另一种养老保险：这一行不作为重复领取的依据，请核实名单来源", audit.LevelNotice)
		}
		p.otherAmount(rec, cells, problem)
	case audit.KindCertifications:
		rec.Start = p.dateOf(rec, cells, FieldCertDate, true, problem)
		rec.Detail = text(FieldCertMethod)
		// a result that is no pass is no sign of life; one not understood
		// is asked about and not taken as one either
		if v, ok := p.cell(cells, FieldCertResult); ok {
			rec.Status = CleanText(v)
			switch audit.CertPassed(rec.Status) {
			case audit.MeaningNo:
				problem(FieldCertResult, v, "认证结果“"+Escape(rec.Status, 20)+"”是没有通过：这一行不作为在世的证明，也不算作认证", audit.LevelNotice)
			case audit.MeaningUnknown:
				problem(FieldCertResult, v, "认证结果“"+Escape(rec.Status, 20)+"”不认识：不知道是否通过，这一行不作为在世的证明，请核实", audit.LevelNotice)
			}
		}
	case audit.KindFuneralGrants:
		rec.Start = p.dateOf(rec, cells, FieldGrantDate, true, problem)
		rec.DeathDate = p.dateOf(rec, cells, FieldDeathDate, false, problem)
		p.otherAmount(rec, cells, problem)
	}
}

// otherAmount reads what another source paid (a scheme's pension, a
// funeral grant), when its list says.
func (p *rowParser) otherAmount(rec *audit.Record, cells []string, problem problemFunc) {
	if a, ok := p.cell(cells, FieldAmount); ok && strings.TrimSpace(a) != "" {
		amt, err := ParseAmount(a)
		if err != nil {
			problem(FieldAmount, a, "金额"+err.Error(), audit.LevelError)
		}
		rec.Amount, rec.HasAmount = amt, err == nil
	}
}

// dateOf reads a date column of the other sources: an empty cell is a
// problem when the kind needs the date; a date in the future or before the
// person's birth is asked about.
func (p *rowParser) dateOf(rec *audit.Record, cells []string, f Field, required bool, problem problemFunc) time.Time {
	v, ok := p.cell(cells, f)
	if !ok || strings.TrimSpace(v) == "" {
		if required {
			problem(f, v, f.Label()+"为空", audit.LevelError)
		}
		return time.Time{}
	}
	d, err := ParseDate(v, p.date1904)
	if err != nil {
		problem(f, v, f.Label()+err.Error(), audit.LevelError)
		return time.Time{}
	}
	p.checkDate(rec, f, v, d, f != FieldJailEnd, problem) // a release may lie ahead
	return d
}

type problemFunc func(f Field, raw, reason string, level audit.Level)

func (p *rowParser) parsePayout(rec *audit.Record, cells []string, problem problemFunc) {
	if v, ok := p.cell(cells, FieldOperator); ok {
		rec.Operator = CleanText(v)
	}
	if v, ok := p.cell(cells, FieldAccount); ok {
		rec.Account = CleanAccount(v)
		if strings.ContainsAny(rec.Account, "Ee") && strings.Contains(rec.Account, "+") {
			problem(FieldAccount, v, "银行账号被表格软件存成了科学计数法，后几位已丢失", audit.LevelError)
		}
	}
	if v, ok := p.cell(cells, FieldMonth); ok && strings.TrimSpace(v) != "" {
		m, err := ParseMonth(v, p.date1904)
		if err != nil {
			problem(FieldMonth, v, "发放年月"+err.Error(), audit.LevelError)
		}
		rec.Month = m
	} else if ok {
		problem(FieldMonth, v, "发放年月为空", audit.LevelError)
	}
	if rec.Month == 0 {
		rec.Month = p.opts.Period
	}
	if rec.Month != 0 {
		p.sum.Months[rec.Month]++
	}
	v, _ := p.cell(cells, FieldAmount)
	amt, err := ParseAmount(v)
	if pl := p.h.Amount; pl != nil && (len(pl.Cols) > 1 || len(pl.Minus) > 0) {
		var blank bool
		amt, v, blank, err = pl.amountOf(cells)
		if blank && err == nil {
			amt, err = ParseAmount("") // nothing in any part: as an empty amount
		}
	}
	if pl := p.h.Amount; pl != nil {
		var whole, sum audit.Fen
		var checkable bool
		rec.AmountParts, whole, sum, checkable = pl.parts(cells)
		if checkable && whole != sum {
			label := "合计"
			if pl.net {
				label = "实发金额"
			}
			problem(FieldAmount, rec.AmountParts, fmt.Sprintf("%s与各项不符：%s %s 元，各项算得 %s 元；已按%s导入，请核实", label, label, whole, sum, label), audit.LevelNotice)
		}
	}
	if err != nil {
		problem(FieldAmount, v, "发放金额"+err.Error(), audit.LevelError)
		p.badTotal++
	} else {
		rec.Amount, rec.HasAmount = amt, true
		p.total += amt
		p.segTotal += amt
		switch {
		case amt <= 0:
			problem(FieldAmount, v, "发放金额为零或负数：请核实是否为冲正、退回或录入错误", audit.LevelNotice)
		case amt < 100:
			problem(FieldAmount, v, "发放金额不足 1 元：请核实是否录入错误（如单位写错）", audit.LevelNotice)
		}
	}
	if v, ok := p.cell(cells, FieldPayType); ok {
		rec.PayRaw = CleanText(v)
		rec.PayType = audit.ParsePayType(rec.PayRaw)
		if rec.PayType == audit.PayOther {
			problem(FieldPayType, v, "发放类型“"+rec.PayRaw+"”不是 正常发放/补发/恢复发放/待遇调整 之一", audit.LevelNotice)
		}
	} else {
		rec.PayType = audit.PayNormal
	}
}

func (p *rowParser) parseDeathDate(rec *audit.Record, cells []string, f Field, problem problemFunc) {
	v, ok := p.cell(cells, f)
	if !ok {
		problem(FieldName, "", "表中没有死亡日期列", audit.LevelError)
		return
	}
	d, err := ParseDate(v, p.date1904)
	if err != nil {
		problem(f, v, f.Label()+err.Error(), audit.LevelError)
		return
	}
	if f == FieldDeathDate {
		rec.DeathDate = d
	} else {
		rec.DeregDate = d
	}
	future := p.checkDate(rec, f, v, d, true, problem)
	if !future && p.opts.Kind == audit.KindDeaths && p.opts.Period != 0 && audit.MonthOf(d) > p.opts.Period {
		problem(f, v, f.Label()+"晚于名单所属月份 "+p.opts.Period.Label()+"：可能是年份或月份录错，请核实", audit.LevelNotice)
	}
}

// checkDate asks about a date in the future (when it cannot be) and one
// before the person's birth; it tells whether the date was in the future.
func (p *rowParser) checkDate(rec *audit.Record, f Field, v string, d time.Time, noFuture bool, problem problemFunc) (future bool) {
	today := p.opts.Today
	if today.IsZero() {
		today = time.Now()
	}
	if future = d.After(today); future && noFuture {
		problem(f, v, f.Label()+"在将来（晚于今天 "+today.Format("2006-01-02")+"）：可能是年份录错，请核实", audit.LevelNotice)
	}
	if b, ok := idcard.Birth(rec.ID.Norm); ok && rec.ID.OK() && d.Before(b) {
		problem(f, v, f.Label()+"早于身份证号中的出生日期 "+b.Format("2006-01-02")+"：日期或身份证号有误，请核实", audit.LevelNotice)
	}
	return future
}

const invisibleReason = "含有看不见的控制字符、零宽字符或文字方向控制符（已用 \\u{…} 标出）：显示时可能与另一个名字一模一样或顺序颠倒，请核实"

// checkTotal compares a 合计/总计 row with the data rows above it: the
// amount in the amount column, and a count written as "N人" or "共N条".
func (p *rowParser) checkTotal(n int, cells, texts []string) {
	first := normHeader(texts[0])
	count, total, what := p.count, p.total, "合计行"
	switch {
	case strings.HasPrefix(first, "小计"):
		// a subtotal covers the rows since the previous one
		count, total, what = p.segCount, p.segTotal, "小计行"
	case strings.HasPrefix(first, "合计"), strings.HasPrefix(first, "总计"), strings.HasPrefix(first, "共计"):
	default:
		return
	}
	defer func() { p.segCount, p.segTotal = 0, 0 }()
	report := func(col int, raw, reason string) {
		c := ""
		if col >= 0 {
			c = colName(col)
		}
		_ = p.sum.addProblem(p.opts, audit.Problem{File: p.opts.File, Sheet: p.h.Sheet, Row: n, Column: c, Raw: Escape(raw, PreviewChars),
			Reason: reason, Level: audit.LevelError})
	}
	if c, ok := p.h.Cols[FieldAmount]; ok && p.opts.Kind == audit.KindPayouts && c < len(cells) && strings.TrimSpace(cells[c]) != "" {
		amt, err := ParseAmount(cells[c])
		if pl := p.h.Amount; pl != nil && (len(pl.Cols) > 1 || len(pl.Minus) > 0) {
			amt, _, _, err = pl.amountOf(cells)
		}
		if err == nil && amt != total {
			reason := fmt.Sprintf("%s的金额 %s 元与导入的 %d 行金额之和 %s 元不符", what, amt.Grouped(), count, total.Grouped())
			if p.badTotal > 0 {
				reason += fmt.Sprintf("（其中 %d 行金额无法读取）", p.badTotal)
			}
			report(c, cells[c], reason+"：文件可能缺行或被改动，请与原始花名册核对")
		}
	}
	for i, t := range cells {
		if m := countRe.FindStringSubmatch(t); m != nil {
			if k, err := strconv.Atoi(m[1]); err == nil && k != count {
				report(i, t, fmt.Sprintf("%s写明 %d 人（条），但导入了 %d 行数据：文件可能缺行或被改动，请与原始名单核对", what, k, count))
			}
			break
		}
	}
}

var countRe = regexp.MustCompile(`(?:共|合计|总计)?\s*(\d{1,7})\s*(?:人|户|条|名)`)

func (p *rowParser) parseDereg(rec *audit.Record, cells []string, problem problemFunc) {
	if v, ok := p.cell(cells, FieldReason); ok {
		rec.Reason = CleanText(v)
		if rec.Reason == "" {
			problem(FieldReason, v, "注销原因为空：无法判断是否死亡", audit.LevelError)
		}
	} else {
		rec.Reason = "死亡" // a list without a reason column is a list of deaths; see Summary.Problems
	}
	if _, ok := p.h.Cols[FieldDeregDate]; ok {
		p.parseDeathDate(rec, cells, FieldDeregDate, problem)
	}
	if v, ok := p.cell(cells, FieldDeathDate); ok {
		// a person moved away has no death date; that is not a problem
		if strings.TrimSpace(v) != "" || rec.Reason == "" || audit.IsDeathReason(rec.Reason) {
			p.parseDeathDate(rec, cells, FieldDeathDate, problem)
		}
	} else if audit.IsDeathReason(rec.Reason) && !rec.DeregDate.IsZero() {
		rec.DeathDate = rec.DeregDate // no death date column: the deregistration date bounds the death
	}
}

func (p *rowParser) isRepeatedHeader(cells []string) bool {
	same := 0
	for _, c := range p.h.Cols {
		if c < len(cells) && c < len(p.h.Labels) && normHeader(cells[c]) == normHeader(p.h.Labels[c]) && cells[c] != "" {
			same++
		}
	}
	return same >= 2 && same*2 >= len(p.h.Cols)
}
