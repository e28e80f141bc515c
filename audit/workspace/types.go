package workspace

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"

	"pensionaudit/audit"
	"pensionaudit/audit/idcard"
	"pensionaudit/audit/report"
	"pensionaudit/audit/rules"
	"pensionaudit/audit/sheet"
	"pensionaudit/audit/sqlite"
)

// The reader's and the rules' types that a screen shows and sends, named
// here so that the front ends need neither package. Everything else they
// use is the domain's (package audit).
type (
	RuleSettings = rules.Settings
	Field        = sheet.Field
	Mapping      = sheet.Mapping
	Preview      = sheet.Preview
	TrailEntry   = sqlite.TrailEntry
	VerifyReport = sqlite.VerifyReport
)

// FieldID is the ID-number field; PreviewChars is how much of a cell a
// listing shows.
const (
	FieldID      = sheet.FieldID
	PreviewChars = sheet.PreviewChars
)

// RuleLabel is a rule's name in Chinese.
func RuleLabel(r string) string { return rules.Label(r) }

// Rules lists the rules in the order findings are shown.
func Rules() []string             { return append([]string(nil), rules.All...) }
func MaskID(id string) string     { return idcard.Mask(id) }
func MaskIDCell(s string) string  { return idcard.MaskCell(s) }
func ColName(c int) string        { return sheet.ColName(c) }
func ColIndex(letters string) int { return sheet.ColIndex(letters) }

// FieldsOf lists the fields a kind's table can have; Required tells the
// ones it cannot do without.
func FieldsOf(k audit.Kind) []Field { return sheet.FieldsOf(k) }

// FieldAmount is the amount paid, the field a roster's import may ask about.
const FieldAmount = sheet.FieldAmount

func Required(k audit.Kind, f Field) bool { return sheet.Required(k, f) }
func SafeCSVRow(cells []string) []string  { return report.SafeRow(cells) }

// ParseMapping reads field=column pairs (id=证件号码,name=姓名).
func ParseMapping(s string) (Mapping, error) { return sheet.ParseMapping(s) }

// ParseAmount reads an amount of yuan exactly (1,234.50 元).
func ParseAmount(s string) (audit.Fen, error) { return sheet.ParseAmount(s) }

// ParseDate reads a date as the readers do (2022-05-20, 2022年5月20日, 20220520).
func ParseDate(s string) (time.Time, error) { return sheet.ParseDate(s, false) }

// ParseTrailCode checks a code printed on a signed sheet.
func ParseTrailCode(code string) error {
	_, _, err := sqlite.ParseTrailCode(code)
	return err
}

// Fingerprint recomputes a month's data fingerprint over the given batches
// (the one a signature holds, for a check beside verify).
func (w *Workspace) Fingerprint(ctx context.Context, p audit.Month, batches []int64) (string, error) {
	return w.db.Fingerprint(ctx, p, batches)
}

// Users lists the accounts.
func (w *Workspace) Users(ctx context.Context) ([]audit.User, error) { return w.db.Users(ctx) }

// Trail lists the trail's entries, oldest first.
func (w *Workspace) Trail(ctx context.Context) ([]TrailEntry, error) { return w.db.Trail(ctx) }

// RosterMonths lists the months that have a payout roster.
func (w *Workspace) RosterMonths(ctx context.Context) ([]audit.Month, error) {
	return w.db.RosterMonths(ctx)
}

// ReportKinds are the sheets WriteReport writes, with their extensions.
var ReportKinds = map[string]string{"signoff": ".pdf", "findings": ".xlsx", "stoplist": ".xlsx", "ledger": ".xlsx", "notices": ".xlsx"}

// Written is what WriteReport wrote.
type Written struct {
	Draft       bool     // the period is not countersigned
	Pages       int      // pages of a PDF
	Fingerprint string   // the data fingerprint the sheet prints
	Warnings    []string // what the PDF could not print as asked
}

// WriteReport writes one of a period's sheets (a kind of ReportKinds) to
// path, safely (see WriteOutput): the one way the window and the command
// line write them.
func (w *Workspace) WriteReport(ctx context.Context, p audit.Month, kind, path string, force, unmask bool) (Written, error) {
	if _, ok := ReportKinds[kind]; !ok {
		return Written{}, audit.Errorf(audit.ErrInvalid, "没有这种报表：%s", kind)
	}
	d, err := w.ReportData(ctx, p)
	if err != nil {
		return Written{}, err
	}
	res := Written{Draft: d.Status.Supervisor == nil, Fingerprint: d.Fingerprint}
	o := report.Options{Unmask: unmask}
	err = w.WriteOutput(ctx, path, force, func(out io.Writer) error {
		switch kind {
		case "signoff":
			tr, err := report.SignoffPDF(d, o, out)
			if tr != nil {
				res.Pages, res.Warnings = len(tr.Pages), tr.Warnings
			}
			return err
		case "findings":
			return report.FindingsXLSX(d, o, out)
		case "stoplist":
			return report.StopListXLSX(d, out)
		case "ledger":
			return report.LedgerXLSX(d, o, out)
		}
		return report.NoticesXLSX(d, out)
	})
	return res, err
}

// PayeeTimeline is every current payout to an ID number, oldest first.
func (w *Workspace) PayeeTimeline(ctx context.Context, id string) ([]audit.PayoutLine, error) {
	return w.db.PayeeTimeline(ctx, id, 120)
}

// StatusCounts counts a period's findings by status.
func (w *Workspace) StatusCounts(ctx context.Context, p audit.Month) (map[audit.Status]int, error) {
	return w.db.StatusCounts(ctx, p)
}

// FindingCounts counts a period's findings by status and the open ones by
// village (every period when p is zero).
func (w *Workspace) FindingCounts(ctx context.Context, p audit.Month) (map[audit.Status]int, map[string]int, error) {
	return w.db.FindingCounts(ctx, p)
}

// Friendly turns a storage failure (disk full, read-only, locked, damaged)
// into a plain message; other errors pass through.
func Friendly(err error) error {
	if err == nil {
		return nil
	}
	var ae *audit.Error
	if errors.As(err, &ae) {
		return err
	}
	err = sqlite.Classify(err)
	switch {
	case errors.Is(err, audit.ErrDiskFull):
		return audit.Errorf(audit.ErrDiskFull, "磁盘空间已满，这次操作没有保存任何内容：请清理磁盘或把工作区移到有空间的位置后重试")
	case errors.Is(err, audit.ErrReadOnly):
		return audit.Errorf(audit.ErrReadOnly, "工作区文件或它所在的文件夹是只读的（或无法打开），无法写入：请把工作区复制到可以写入的位置（如“文档”），或检查文件属性")
	case errors.Is(err, audit.ErrBusy):
		return audit.Errorf(audit.ErrBusy, "工作区正被另一个程序（或本程序的另一个窗口）使用：请关闭它后重试")
	case errors.Is(err, audit.ErrIO):
		return audit.Errorf(audit.ErrIO, "读写工作区文件时出错（U盘或网络盘可能已断开）：请检查后重试，这次操作没有保存")
	case errors.Is(err, sqlite.ErrDamaged):
		return audit.Errorf(audit.ErrInvalid, "工作区文件已损坏或不是本程序的工作区：请用备份恢复")
	case errors.Is(err, sqlite.ErrBadLogin):
		return audit.Errorf(audit.ErrPermission, "用户名或密码不对（连续输错多次后须等待一段时间才能再试）")
	}
	var dup *sqlite.DuplicateFile
	if errors.As(err, &dup) {
		return duplicateError("这个文件", dup.Earlier)
	}
	var alt *sqlite.Altered
	if errors.As(err, &alt) {
		return alteredError(alt)
	}
	if errors.Is(err, sqlite.ErrNothingAltered) {
		return audit.Errorf(audit.ErrConflict, "工作区与记录链一致，没有需要说明的改动")
	}
	return err
}

// alteredError says what changed outside the program and what to do.
func alteredError(a *sqlite.Altered) error {
	return &audit.Error{Kind: audit.ErrAltered, Msg: "工作区在最后一条记录之后被本程序以外的方式改动过：" + strings.Join(a.Changes, "；") +
		"。为免把这些改动当作正常操作记入记录链，工作区现在只能查看，不能写入；请审核人核实后在“操作记录”中记录事件说明（写明原因，记入记录链）"}
}
