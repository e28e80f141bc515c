package workspace

import (
	"context"
	"io"

	"pensionaudit/audit"
	"pensionaudit/audit/idcard"
	"pensionaudit/audit/report"
	"pensionaudit/audit/rules"
	"pensionaudit/audit/sheet"
	"pensionaudit/audit/sqlite"
)

// The application layer's types: what a screen shows and sends. The GUI
// imports only this package and audit; where the store or a reader defines
// the type, it is named here.
type (
	User          = sqlite.User
	FindingRow    = sqlite.FindingRow
	FindingFilter = sqlite.FindingFilter
	ProblemRow    = sqlite.ProblemRow
	ProblemFilter = sqlite.ProblemFilter
	BatchFilter   = sqlite.BatchFilter
	PeriodStatus  = sqlite.PeriodStatus
	VerifyReport  = sqlite.VerifyReport
	TrailEntry    = sqlite.TrailEntry
	Decision      = sqlite.Decision
	DecideInput   = sqlite.DecideInput
	CheckResult   = sqlite.CheckResult
	RuleSettings  = rules.Settings
	Field         = sheet.Field
	Mapping       = sheet.Mapping
	Preview       = sheet.Preview
	PayoutLine    = sqlite.PayoutLine
	Evidence      = rules.Evidence
)

// Roles, finding states, decisions and actions.
const (
	RoleClerk       = sqlite.RoleClerk
	RoleSupervisor  = sqlite.RoleSupervisor
	RoleAuditor     = sqlite.RoleAuditor
	StatusOpen      = sqlite.StatusOpen
	StatusConfirmed = sqlite.StatusConfirmed
	StatusDismissed = sqlite.StatusDismissed
	StatusVisit     = sqlite.StatusVisit
	DecisionConfirm = sqlite.DecisionConfirm
	DecisionDismiss = sqlite.DecisionDismiss
	DecisionVisit   = sqlite.DecisionVisit
	ActionStop      = sqlite.ActionStop
	ActionRecover   = sqlite.ActionRecover
	ActionRefer     = sqlite.ActionRefer
)

// DismissReasons are the standard reasons to dismiss a finding.
var DismissReasons = sqlite.DismissReasons

// Labels and masks for screens.
func RoleLabel(r string) string   { return sqlite.RoleLabel(r) }
func StatusLabel(s string) string { return sqlite.StatusLabel(s) }
func RuleLabel(r string) string   { return rules.Label(r) }

// Rules lists the rules in the order findings are shown.
func Rules() []string             { return append([]string(nil), rules.All...) }
func MaskID(id string) string     { return idcard.Mask(id) }
func MaskIDCell(s string) string  { return idcard.MaskCell(s) }
func ColName(c int) string        { return sheet.ColName(c) }
func ColIndex(letters string) int { return sheet.ColIndex(letters) }

// FieldsOf lists the fields a kind's table can have; Required tells the
// ones it cannot do without.
func FieldsOf(k audit.Kind) []Field                            { return sheet.FieldsOf(k) }
func Required(k audit.Kind, f Field) bool                      { return sheet.Required(k, f) }
func SafeCSVRow(cells []string) []string                       { return report.SafeRow(cells) }
func (w *Workspace) Users(ctx context.Context) ([]User, error) { return w.DB.Users(ctx) }
func (w *Workspace) Trail(ctx context.Context) ([]TrailEntry, error) {
	return w.DB.Trail(ctx)
}
func (w *Workspace) RosterMonths(ctx context.Context) ([]audit.Month, error) {
	return w.DB.RosterMonths(ctx)
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
func (w *Workspace) PayeeTimeline(ctx context.Context, id string) ([]PayoutLine, error) {
	return w.DB.PayeeTimeline(ctx, id, 120)
}

// StatusCounts counts a period's findings by status.
func (w *Workspace) StatusCounts(ctx context.Context, p audit.Month) (map[string]int, error) {
	return w.DB.StatusCounts(ctx, p)
}

// FindingCounts counts a period's findings by status and the open ones by
// village (every period when p is zero).
func (w *Workspace) FindingCounts(ctx context.Context, p audit.Month) (map[string]int, map[string]int, error) {
	return w.DB.FindingCounts(ctx, p)
}

// Friendly turns a storage failure (disk full, read-only, locked, damaged)
// into a plain message; other errors pass through.
func Friendly(err error) error { return sqlite.Friendly(err) }
