package workspace

import (
	"context"
	"time"

	"pensionaudit/audit"
	"pensionaudit/audit/sqlite"
)

// AddUser creates a local account. The first account of a workspace needs
// no authentication and is always a supervisor; every later one is added by
// an authenticated supervisor (by).
func (w *Workspace) AddUser(ctx context.Context, by *sqlite.User, name, role, password string) (sqlite.User, error) {
	return w.DB.AddUser(ctx, by, name, role, password)
}

// SetRole changes an account's role (by: an authenticated supervisor).
func (w *Workspace) SetRole(ctx context.Context, by *sqlite.User, name, role string) error {
	return w.DB.SetRole(ctx, by, name, role)
}

// ResetPassword sets an account's password (by: an authenticated supervisor).
func (w *Workspace) ResetPassword(ctx context.Context, by *sqlite.User, name, password string) error {
	return w.DB.ResetPassword(ctx, by, name, password)
}

// SetDisabled disables or re-enables an account (by: an authenticated supervisor).
func (w *Workspace) SetDisabled(ctx context.Context, by *sqlite.User, name string, disabled bool) error {
	return w.DB.SetDisabled(ctx, by, name, disabled)
}

// HasUsers reports whether the workspace has any account yet.
func (w *Workspace) HasUsers(ctx context.Context) (bool, error) {
	us, err := w.DB.Users(ctx)
	return len(us) > 0, err
}

// Login checks a password; failures are counted and slowed down.
func (w *Workspace) Login(ctx context.Context, name, password string) (sqlite.User, error) {
	return w.DB.Authenticate(ctx, name, password)
}

// Decide records a decision on a finding.
func (w *Workspace) Decide(ctx context.Context, u sqlite.User, in sqlite.DecideInput) (*sqlite.Decision, error) {
	return w.DB.Decide(ctx, u, in)
}

// SignOff signs (clerk) or countersigns (supervisor) a period.
func (w *Workspace) SignOff(ctx context.Context, u sqlite.User, p audit.Month) (s *sqlite.Signoff, err error) {
	defer func() {
		if err == nil {
			w.RecordHead(ctx) // the signed head is kept outside the file too
		}
	}()
	return w.DB.SignOff(ctx, u, p)
}

// Reopen revokes a period's signatures.
func (w *Workspace) Reopen(ctx context.Context, u sqlite.User, p audit.Month, reason string) error {
	return w.DB.Reopen(ctx, u, p, reason)
}

// NoteMissing records why a village did not report.
func (w *Workspace) NoteMissing(ctx context.Context, u sqlite.User, p audit.Month, village, note string) error {
	return w.DB.NoteMissing(ctx, u, p, village, note)
}

// Status describes periods; with p zero, every month that has a roster.
func (w *Workspace) Status(ctx context.Context, p audit.Month) ([]*sqlite.PeriodStatus, error) {
	months := []audit.Month{p}
	if p == 0 {
		var err error
		if months, err = w.DB.RosterMonths(ctx); err != nil {
			return nil, err
		}
	}
	var out []*sqlite.PeriodStatus
	for _, m := range months {
		st, err := w.DB.Status(ctx, m)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// Ledger lists the recovery ledger.
func (w *Workspace) Ledger(ctx context.Context) ([]sqlite.LedgerEntry, error) {
	return w.DB.Ledger(ctx)
}

// Recover records money recovered.
func (w *Workspace) Recover(ctx context.Context, u sqlite.User, finding int64, on time.Time, amount audit.Fen, note string) error {
	return w.DB.Recover(ctx, u, finding, on, amount, note)
}

// Verify checks the trail, every scope of the store and every sign-off, and
// that the chain still passes through every head this computer has seen.
func (w *Workspace) Verify(ctx context.Context) (*sqlite.VerifyReport, error) {
	r, err := w.DB.Verify(ctx)
	if err != nil {
		return nil, err
	}
	if err := w.checkAnchors(ctx, r); err != nil {
		return nil, err
	}
	return r, nil
}

// VerifyAnchor checks that the trail passes through the entry a code names
// (the code printed on a signed sheet).
func (w *Workspace) VerifyAnchor(ctx context.Context, code string) error {
	return w.DB.VerifyAnchor(ctx, code)
}

// RenameVillage renames a village of the township or merges it into another
// (supervisor only; recorded in the trail).
func (w *Workspace) RenameVillage(ctx context.Context, u sqlite.User, from, to string) (bool, error) {
	return w.DB.RenameVillage(ctx, u, from, to)
}

// UndoDecision takes back the latest decision on a finding (the same person
// or a supervisor, before the month is signed).
func (w *Workspace) UndoDecision(ctx context.Context, u sqlite.User, decisionID int64) (*sqlite.Decision, error) {
	return w.DB.UndoDecision(ctx, u, decisionID)
}
