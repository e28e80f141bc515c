package workspace

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"

	"pensionaudit/audit"
	"pensionaudit/audit/rules"
	"pensionaudit/audit/sheet"
	"pensionaudit/audit/sqlite"
)

// ImportOptions steer one import.
type ImportOptions struct {
	Kind    audit.Kind
	Village string      // required for a death report unless the name or title tells
	Period  audit.Month // inferred from the name, the title or the rows when zero
	Map     sheet.Mapping
	// Progress is called now and then with the rows read so far.
	Progress func(rows int)
}

// ImportResult is what one file gave. Problems are streamed to the store as
// they are found; the result keeps only the first ShownProblems of them for
// the screen (ProblemCount says how many there are in all).
type ImportResult struct {
	Batch        audit.Batch
	Headers      []sheet.Header
	Skipped      []string // sheets without a header
	NilLine      int
	Problems     []audit.Problem   // the first ShownProblems problems, rows in order
	ProblemCount int               // all problems stored for the file
	Mapping      string            // the remembered mapping used, if any
	VillageFrom  map[string]string // per sheet: where the rows' village came from
	// Summaries are the summary sheets (汇总) checked against the rows and
	// not imported as payees; Controls how many of their lines were checked.
	Summaries []string
	Controls  int
	// NewVillages are village names the township did not have, brought by
	// this roster: added, and listed for a supervisor to confirm or merge.
	NewVillages []string
	// Values counts the distinct values of the coded columns the rules read
	// (注销原因, 发放类型), with what each was understood to mean.
	Values map[string]map[string]*ValueCount
}

// ValueCount is one distinct value of a coded column.
type ValueCount struct {
	N       int
	Meaning string // what the import took it to mean
}

// maxDistinct caps the distinct values counted per column (the rest are
// counted together).
const maxDistinct = 60

func (r *ImportResult) countValue(column, value, meaning string) {
	if r.Values == nil {
		r.Values = map[string]map[string]*ValueCount{}
	}
	m := r.Values[column]
	if m == nil {
		m = map[string]*ValueCount{}
		r.Values[column] = m
	}
	if _, ok := m[value]; !ok && len(m) >= maxDistinct {
		value, meaning = "（其他值）", "见文件"
	}
	if v := m[value]; v != nil {
		v.N++
		return
	}
	m[value] = &ValueCount{N: 1, Meaning: meaning}
}

// countValues counts a record's coded values.
func (r *ImportResult) countValues(kind audit.Kind, rec *audit.Record) {
	switch kind {
	case audit.KindDeregistrations:
		r.countValue("注销原因", rec.Reason, audit.DeathMeaning(rec.Reason, nil).Label())
	case audit.KindOtherPensions:
		meaning := "另一种基本养老保险（同月重复领取时列为问题）"
		switch {
		case rec.Scheme == "":
			meaning = "没有写明险种（按另一种养老保险核查）"
		case audit.SameScheme(rec.Scheme):
			meaning = "就是城乡居民养老保险（不作为重复领取的依据）"
		}
		r.countValue("险种", firstNonEmpty(rec.Scheme, "（空）"), meaning)
	case audit.KindCertifications:
		r.countValue("认证方式", firstNonEmpty(rec.Detail, "（空）"), "本人在世的证明（死亡之后仍有认证时，死亡待核实）")
	case audit.KindPayouts:
		raw := rec.PayRaw
		if raw == "" {
			raw = "（空）"
		}
		r.countValue("发放类型", raw, string(rec.PayType))
		if rec.Status != "" {
			r.countValue("状态", rec.Status, map[audit.Meaning]string{audit.MeaningYes: "正常发放", audit.MeaningNo: "停发、终止或死亡",
				audit.MeaningUnknown: "不明（须核实）"}[audit.StatusMeaning(rec.Status)])
		}
	}
	switch {
	case rec.Note == "":
	case kind == audit.KindPayouts && audit.DeathMeaning(rec.Note, nil) == audit.MeaningYes:
		r.countValue("备注", rec.Note, "写明死亡（须核实是否仍在发放）")
	case kind == audit.KindPayouts && rec.PayType == audit.PayBack:
		if cover := rules.Coverage(rec.Note, rec.Month); len(cover) > 0 {
			r.countValue("备注", rec.Note, fmt.Sprintf("补发 %s 至 %s 共 %d 个月", cover[0], cover[len(cover)-1], len(cover)))
		} else {
			r.countValue("备注", rec.Note, "没有写明补发哪几个月（按整笔核查）")
		}
	case kind == audit.KindDeaths && audit.DoubtsDeath(rec.Note):
		r.countValue("备注", rec.Note, "对死亡有疑问（须核实；核实前仍按死亡核查）")
	}
	if rec.Sex != "" && audit.ParseSex(rec.Sex) == "" {
		r.countValue("性别", rec.Sex, "不明（没有用来核对身份证号）")
	}
}

// Understood says in words what the import took the file to mean: for each
// sheet, which column became which field and where the village came from;
// the distinct values of the coded columns with their meaning.
func (r *ImportResult) Understood() []string {
	var out []string
	for _, h := range r.Headers {
		var cols []string
		for _, f := range sheet.FieldsOf(r.Batch.Kind) {
			if f == sheet.FieldAmount && h.Amount != nil {
				continue // said on its own line, with how it is taken
			}
			if c, ok := h.Cols[f]; ok && c < len(h.Labels) {
				col := fmt.Sprintf("%s←%s列“%s”", f.Label(), sheet.ColName(c), strings.TrimSpace(h.Labels[c]))
				if how := h.How[f]; how != "" {
					col += "（" + how + "）"
				}
				cols = append(cols, col)
			}
		}
		rows := make([]string, len(h.Rows))
		for i, n := range h.Rows {
			rows[i] = strconv.Itoa(n)
		}
		out = append(out, fmt.Sprintf("工作表「%s」第 %s 行是表头：%s", h.Sheet, strings.Join(rows, "、"), strings.Join(cols, "，")))
		// the columns read for nothing are named too: what the program does
		// not use it says, rather than pass over
		used := map[int]bool{}
		for _, f := range sheet.FieldsOf(r.Batch.Kind) {
			if c, ok := h.Cols[f]; ok {
				used[c] = true
			}
		}
		for _, f := range []sheet.Field{sheet.FieldSeq, sheet.FieldGroup} {
			if c, ok := h.Cols[f]; ok {
				used[c] = true // a 序号 and a 村民小组 are understood, and not needed
			}
		}
		for _, c := range h.Amount.Uses() {
			used[c] = true
		}
		var unused []string
		for c, l := range h.Labels {
			if l = strings.TrimSpace(l); l != "" && !used[c] {
				unused = append(unused, fmt.Sprintf("%s列“%s”", sheet.ColName(c), audit.Escape(l, 30)))
			}
		}
		if len(unused) > 0 {
			out = append(out, "  没有用到的列："+strings.Join(unused, "、")+"（核查不读这些列；其中如有须核对的内容，请告诉审核人）")
		}
		if h.Amount != nil {
			out = append(out, "  发放金额："+h.Amount.Rule)
			if kept := h.Amount.Kept(); kept != "" {
				out = append(out, "  每行随金额保存各项作为依据："+kept)
			}
		}
		if from := r.VillageFrom[h.Sheet]; from != "" && r.Batch.Kind == audit.KindPayouts {
			out = append(out, fmt.Sprintf("  村(社区)来自：%s", from))
		}
	}
	if len(r.NewVillages) > 0 {
		out = append(out, fmt.Sprintf("新的村(社区)：%s（本乡镇原来没有这些村名，已按花名册加入、待审核人确认；如是写错或改了名，请审核人合并到正确的村名）",
			strings.Join(r.NewVillages, "、")))
	}
	if len(r.Summaries) > 0 {
		out = append(out, fmt.Sprintf("汇总表「%s」：不是人员名单，未作为发放记录导入；其中 %d 行各村（及合计）的人数、金额已与读到的各行核对一致",
			strings.Join(r.Summaries, "」「"), r.Controls))
	}
	cols := make([]string, 0, len(r.Values))
	for c := range r.Values {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	for _, c := range cols {
		vals := make([]string, 0, len(r.Values[c]))
		for v := range r.Values[c] {
			vals = append(vals, v)
		}
		sort.Slice(vals, func(i, j int) bool {
			return r.Values[c][vals[i]].N > r.Values[c][vals[j]].N || (r.Values[c][vals[i]].N == r.Values[c][vals[j]].N && vals[i] < vals[j])
		})
		var parts []string
		for _, v := range vals {
			x := r.Values[c][v]
			parts = append(parts, fmt.Sprintf("“%s”%d 行→%s", audit.Escape(v, 20), x.N, x.Meaning))
		}
		out = append(out, fmt.Sprintf("%s的取值：%s", c, strings.Join(parts, "；")))
	}
	return out
}

// ShownProblems is how many problems an ImportResult carries.
const ShownProblems = 200

func (r *ImportResult) keep(ps ...audit.Problem) {
	r.ProblemCount += len(ps)
	for _, p := range ps {
		if len(r.Problems) < ShownProblems {
			r.Problems = append(r.Problems, p)
		}
	}
}

const chunkSize = 512

// Import reads one file into the workspace as one batch, all or nothing: a
// file the reader could not read to its clean end is refused as a whole.
// Everything it depends on — who imports (and whether they may), that the
// file is not one already imported, that its month is not countersigned —
// is read in the import's own write transaction, with the mapping it
// remembers and the trail entry.
func (w *Workspace) Import(ctx context.Context, who audit.Session, path string, o ImportOptions) (res *ImportResult, err error) {
	defer func() { err = Friendly(err) }()
	j, err := w.newImportJob(ctx, who, path, o)
	if err != nil {
		return nil, err
	}
	defer j.wb.Close()
	it, err := w.db.BeginImport(ctx, j.batch)
	var dup *sqlite.DuplicateFile
	if errors.As(err, &dup) {
		return nil, duplicateError(j.name, dup.Earlier)
	}
	if err != nil {
		return nil, err
	}
	defer it.Rollback()
	if u, err := current(ctx, it.User, who); err != nil {
		return nil, err
	} else if err := u.May(audit.ActImport); err != nil {
		return nil, err
	}
	// Reading a big roster allocates a lot of short-lived garbage; collecting
	// less often keeps the second core for SQLite (peak memory stays far
	// below the 400 MB target, see BenchmarkImportRoster).
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	s, err := w.scanInto(ctx, j.wb, j.options(), it, j.batch, j.res)
	if err != nil {
		return nil, j.scanError(ctx, err)
	}
	if err := j.settle(s); err != nil {
		return nil, err
	}
	if l, err := it.Lock(ctx, j.batch.Period); err != nil {
		return nil, err
	} else if err := l.Writable(); err != nil {
		return nil, err
	}
	if err := j.store(ctx, it, s); err != nil {
		return nil, err
	}
	res = j.res
	res.Batch, res.Headers, res.Skipped, res.NilLine, res.VillageFrom = *j.batch, s.Headers, s.Skipped, s.NilLine, s.VillageFrom
	res.Summaries, res.Controls = s.SummarySheets, len(s.Controls)
	j.batch.Understood = res.Understood() // kept with the batch (new villages are known only at the commit)
	if err := it.Commit(ctx); err != nil {
		return nil, err
	}
	res.NewVillages = it.NewVillages
	res.Batch = *j.batch
	return res, nil
}

// importJob is one file's import on its way: what is known of the file
// before reading it, and what the import has found so far.
type importJob struct {
	o        ImportOptions
	path     string
	name     string
	wb       sheet.Workbook
	township string
	villages []string
	batch    *audit.Batch
	mapping  sheet.Mapping // the one given, else the one remembered for the village
	res      *ImportResult
}

// newImportJob opens the file and tells from its name what it can: the
// village and month, the mapping remembered for that village.
func (w *Workspace) newImportJob(ctx context.Context, who audit.Session, path string, o ImportOptions) (*importJob, error) {
	j := &importJob{o: o, path: path, name: filepath.Base(path), res: &ImportResult{}, mapping: o.Map}
	var err error
	if j.township, err = w.township(ctx); err != nil {
		return nil, err
	}
	sum, err := fileSHA256(path)
	if err != nil {
		return nil, fmt.Errorf("无法读取文件 %s：%v", j.name, err)
	}
	if j.villages, err = w.db.Villages(ctx); err != nil {
		return nil, err
	}
	if j.wb, err = sheet.Open(path); err != nil {
		return nil, err
	}
	b := &audit.Batch{FileName: j.name, SHA256: sum, Kind: o.Kind, Format: string(j.wb.Format()), Village: o.Village, Period: o.Period, ImportedBy: who.Name}
	if b.Kind == audit.KindDeaths && townshipWide(b.Village, j.township) {
		b.Village = j.township
	}
	// the village and month of a village's list come from its name or
	// title; the other sources are lists of a county or a township whose
	// rows carry their own dates: no village, no month is read into them
	// (a month would make a later list of "the same month" replace it)
	listed := b.Kind == audit.KindDeaths || b.Kind == audit.KindDeregistrations
	if listed && b.Village == "" {
		b.Village = inferVillage(j.name, j.township, j.villages)
	}
	if b.Period == 0 && (listed || b.Kind == audit.KindPayouts) {
		b.Period = inferPeriod(j.name)
	}
	j.batch = b
	if len(j.mapping) == 0 {
		if saved, _ := w.db.Mapping(ctx, o.Kind, b.Village); saved != "" {
			if m, err := sheet.ParseMapping(saved); err == nil {
				j.mapping, j.res.Mapping = m, saved
			}
		}
	}
	return j, nil
}

// options are the reader's: the village and month from a title above the
// header where the name did not tell them.
func (j *importJob) options() sheet.Options {
	b, o := j.batch, j.o
	return sheet.Options{
		Kind: o.Kind, File: j.name, Village: b.Village, Period: b.Period, Map: j.mapping, Progress: o.Progress,
		OnHeader: func(title, village string, period audit.Month) (string, audit.Month, error) {
			if village == "" && (o.Kind == audit.KindDeaths || o.Kind == audit.KindDeregistrations) {
				village = inferVillage(title, j.township, j.villages)
			}
			// a 全镇 list (every village's report) only when neither the
			// name nor the title names a village
			if village == "" && o.Kind == audit.KindDeaths && (townshipWide(title, j.township) || townshipWide(j.name, j.township)) {
				village = j.township
			}
			if period == 0 && (!o.Kind.Dated() || o.Kind == audit.KindDeregistrations) {
				period = inferPeriod(title)
			}
			if village == "" && o.Kind == audit.KindDeaths {
				return "", 0, &audit.Error{Kind: audit.ErrInvalid, Field: "village", Msg: "文件 " + j.name + " 是村死亡人员名单，但从文件名和标题都看不出是哪个村，请指定村(社区)名称"}
			}
			b.Village, b.Period = village, period
			return village, period, nil
		},
	}
}

// scanError words a reading that did not reach the file's clean end.
func (j *importJob) scanError(ctx context.Context, err error) error {
	switch {
	case j.res.Mapping != "" && errors.Is(err, audit.ErrNoHeader):
		return &audit.Error{Kind: audit.ErrNoHeader, Field: "map", Msg: fmt.Sprintf("%v（已尝试该村上次使用的列映射 %s）", err, j.res.Mapping)}
	case errors.Is(err, context.Canceled) || ctx.Err() != nil:
		// cancelling also closes the transaction under the writer: whatever it
		// reported, the import was cancelled and rolled back
		return audit.Errorf(context.Canceled, "已取消导入 %s，没有保存任何数据", j.name)
	}
	return err
}

// settle fills the batch from what the reading found: the month a roster's
// rows mostly name, the counts, the sheets — and refuses a file whose month
// nothing tells.
func (j *importJob) settle(s *sheet.Summary) error {
	b, o := j.batch, j.o
	if b.Period == 0 && o.Kind == audit.KindPayouts {
		b.Period = majorityMonth(s.Months)
	}
	if b.Period == 0 && !o.Kind.Dated() {
		return &audit.Error{Kind: audit.ErrInvalid, Field: "period", Msg: "无法确定文件 " + j.name + " 所属的月份（文件名、标题和数据中都没有），请指定月份"}
	}
	b.DataRows, b.Skipped = s.DataRows, s.NonData
	b.NilReport = o.Kind == audit.KindDeaths && s.NilReport
	var sheets []string
	for _, h := range s.Headers {
		sheets = append(sheets, h.Sheet)
	}
	b.Sheets = strings.Join(sheets, ",")
	return nil
}

// store adds, in the import's transaction, what belongs to the file beyond
// its rows: notices on a month given against the file's own, the file's
// exact bytes, notices on rows of another month, the mapping it was told.
func (j *importJob) store(ctx context.Context, it *sqlite.ImportTx, s *sheet.Summary) error {
	notes := j.monthNotes(s.Title)
	if err := it.AddProblems(ctx, notes); err != nil {
		return err
	}
	// the exact bytes stay with the workspace: the evidence survives a lost
	// USB stick, and the hash proves it is the file that was read
	src, err := os.Open(j.path)
	if err != nil {
		return audit.Errorf(audit.ErrInvalid, "无法再次读取文件 %s 以保留副本：%v", j.name, err)
	}
	err = it.KeepSource(ctx, src)
	src.Close()
	if errors.Is(err, sqlite.ErrFileChanged) {
		return audit.Errorf(audit.ErrConflict, "文件 %s 在导入过程中被改动了（内容与开始时不同）：请关闭正在编辑它的程序后重新导入", j.name)
	}
	if err != nil {
		return err
	}
	j.res.keep(notes...)
	if j.o.Kind == audit.KindPayouts && j.batch.Period != 0 {
		col, header := monthColumn(s.Headers)
		n, shown, err := it.FlagOtherMonths(ctx, col, header, ShownProblems)
		if err != nil {
			return err
		}
		j.res.keep(shown...)
		j.res.ProblemCount += n - len(shown)
	}
	if len(j.o.Map) > 0 {
		return it.SaveMapping(ctx, j.o.Map.String())
	}
	return nil
}

// monthNotes: a month given for the file that its name or title contradicts.
func (j *importJob) monthNotes(title string) []audit.Problem {
	p := j.o.Period
	if p == 0 {
		return nil
	}
	for _, src := range []struct{ text, what string }{{j.name, "文件名"}, {title, "表格标题"}} {
		if own := inferPeriod(src.text); own != 0 && own != p {
			return []audit.Problem{{File: j.name, Level: audit.LevelNotice,
				Reason: fmt.Sprintf("指定的月份 %s 与%s中的月份 %s 不一致：请确认没有选错月份", p.Label(), src.what, own.Label())}}
		}
	}
	return nil
}

// townshipWide reports whether a name, a title or a given village says a
// death list covers the whole township: 全镇, 全乡, 全街道, or the township's
// own name with no village named.
func townshipWide(text, township string) bool {
	for _, w := range []string{"全镇", "全乡", "全街道", "全办事处"} {
		if strings.Contains(text, w) {
			return true
		}
	}
	return township != "" && strings.Contains(text, township)
}

// duplicateError words a file whose exact bytes were imported before.
func duplicateError(name string, e audit.Batch) error {
	return audit.Errorf(audit.ErrDuplicate, "文件 %s 已经导入过（内容与第 %d 批“%s”完全相同，导入于 %s），不再重复导入",
		name, e.ID, e.FileName, e.ImportedAt.Local().Format("2006-01-02 15:04"))
}

// item is what the reader hands the writer: a data row, or a problem that
// belongs to no data row.
type item struct {
	rec  *audit.Record
	prob *audit.Problem
}

// scanInto runs the reader in its own goroutine and stores the rows and
// problems as they come, so that parsing and writing use both cores and
// nothing accumulates in memory.
func (w *Workspace) scanInto(ctx context.Context, wb sheet.Workbook, sopts sheet.Options, it *sqlite.ImportTx, b *audit.Batch, res *ImportResult) (*sheet.Summary, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan []item, 16)
	var sum *sheet.Summary
	var scanErr error
	go func() {
		defer close(ch)
		chunk := make([]item, 0, chunkSize)
		send := func(x item) error {
			chunk = append(chunk, x)
			if len(chunk) == chunkSize {
				select {
				case ch <- chunk:
				case <-ctx.Done():
					return ctx.Err()
				}
				chunk = make([]item, 0, chunkSize)
			}
			return nil
		}
		sopts.Problem = func(p audit.Problem) error { return send(item{prob: &p}) }
		sum, scanErr = sheet.Scan(ctx, wb, sopts, func(r *audit.Record) error { return send(item{rec: r}) })
		if scanErr == nil && len(chunk) > 0 {
			select {
			case ch <- chunk:
			case <-ctx.Done():
			}
		}
	}()
	var storeErr error
	for chunk := range ch {
		if storeErr != nil {
			continue // drain so the reader can finish
		}
		for _, x := range chunk {
			if x.prob != nil {
				if err := it.AddProblems(ctx, []audit.Problem{*x.prob}); err != nil {
					storeErr = err
					cancel()
					break
				}
				res.keep(*x.prob)
				continue
			}
			r := x.rec
			if err := it.Add(ctx, r); err != nil {
				storeErr = err
				cancel()
				break
			}
			b.Imported++
			if r.HasError() {
				b.ProblemRows++
			}
			res.keep(r.Problems...)
			res.countValues(b.Kind, r)
		}
	}
	// the writer's failure (disk full, database locked) comes first: the
	// reader only stopped because the writer cancelled it
	if storeErr != nil {
		return sum, storeErr
	}
	if scanErr != nil {
		return sum, scanErr
	}
	return sum, ctx.Err()
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

var (
	periodRe  = regexp.MustCompile(`((?:19|20)\d{2})\s*(?:年|-|_|\.|/)?\s*(1[0-2]|0?[1-9])(?:\s*月|\D|$)`)
	villageRe = regexp.MustCompile(`\p{Han}{1,12}?(?:村|社区|居委会)`)
	townRe    = regexp.MustCompile(`^\p{Han}{1,8}?(?:镇|乡|街道|街道办事处)`)
)

// inferPeriod finds a month in a file name or title: 2021年3月, 2021-03, 202103.
func inferPeriod(text string) audit.Month {
	m := periodRe.FindStringSubmatch(text)
	if m == nil {
		return 0
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	return audit.MakeMonth(y, mo)
}

// inferVillage finds a village in a file name or title: a known village of
// the township first (the longest that appears), else a word ending in
// 村/社区/居委会 after the township's name.
func inferVillage(text, township string, known []string) string {
	if township != "" {
		// 东风镇 is not 东风村: the township's own name says nothing of a village
		text = strings.ReplaceAll(text, township, " ")
	}
	best := ""
	for _, v := range known {
		if strings.Contains(text, v) && len([]rune(v)) > len([]rune(best)) {
			best = v
		}
	}
	if best != "" {
		return best
	}
	// 东风村委会 in the roster, 东风村 or 东风 in the file name: match the core
	// name, when it is unambiguous.
	var hits []string
	for _, v := range known {
		if core := audit.VillageCore(v); len([]rune(core)) >= 2 && strings.Contains(text, core) {
			hits = append(hits, v)
		}
	}
	if len(hits) == 1 {
		return hits[0]
	}
	t := strings.TrimSpace(text)
	if township != "" {
		if i := strings.Index(t, township); i >= 0 {
			t = t[i+len(township):]
		}
	}
	t = strings.TrimLeft(t, "_- ")
	if loc := townRe.FindStringIndex(t); loc != nil && !villageRe.MatchString(t[:loc[1]]) {
		t = t[loc[1]:]
	}
	v := villageRe.FindString(t)
	return v
}

// monthColumn is the column letter and header of the pay-month column.
func monthColumn(hs []sheet.Header) (string, string) {
	for _, h := range hs {
		if c, ok := h.Cols[sheet.FieldMonth]; ok {
			label := ""
			if c < len(h.Labels) {
				label = strings.TrimSpace(h.Labels[c])
			}
			return sheet.ColName(c), label
		}
	}
	return "", ""
}

func majorityMonth(months map[audit.Month]int) audit.Month {
	var best audit.Month
	n := 0
	for m, c := range months {
		if c > n || (c == n && m < best) {
			best, n = m, c
		}
	}
	return best
}

// Preview shows how a file would be read — sheet, header, the meaning given
// to each column (the user's mapping, else the one remembered for the
// village, else detected) and the first rows — without storing anything.
func (w *Workspace) Preview(ctx context.Context, path string, kind audit.Kind, village string, mapping sheet.Mapping) (*sheet.Preview, sheet.Mapping, error) {
	if len(mapping) == 0 {
		if saved, _ := w.db.Mapping(ctx, kind, village); saved != "" {
			if m, err := sheet.ParseMapping(saved); err == nil {
				mapping = m
			}
		}
	}
	p, err := sheet.PreviewFile(path, sheet.Options{Kind: kind, File: filepath.Base(path), Map: mapping}, 8)
	return p, mapping, err
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
