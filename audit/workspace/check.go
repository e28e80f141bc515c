package workspace

import (
	"context"
	"errors"

	"pensionaudit/audit"
	"pensionaudit/audit/rules"
	"pensionaudit/audit/sqlite"
)

// Check runs every rule over period p and stores the findings. Running it
// again gives the same findings; decisions on unchanged findings stay.
// progress (may be nil) is told each stage.
func (w *Workspace) Check(ctx context.Context, p audit.Month, user string, progress func(stage string)) (*sqlite.CheckResult, error) {
	if _, err := w.DB.Township(ctx); err != nil {
		return nil, err
	}
	say := func(s string) {
		if progress != nil {
			progress(s)
		}
	}
	months, err := w.DB.RosterMonths(ctx)
	if err != nil {
		return nil, err
	}
	found := false
	for _, m := range months {
		found = found || m == p
	}
	if !found {
		return nil, audit.Errorf(audit.ErrNotFound, "%s 还没有导入发放花名册，无法核查；请先导入该月的花名册", p.Label())
	}
	if err := w.DB.ErrIfLocked(ctx, p); err != nil {
		return nil, err
	}
	say("读取数据")
	in, err := w.DB.CheckInput(ctx, p)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, audit.Errorf(err, "已取消 %s 的核查，结果未保存", p.Label())
	}
	say("比对规则")
	fs := rules.Run(in)
	if err := ctx.Err(); err != nil {
		return nil, audit.Errorf(err, "已取消 %s 的核查，结果未保存", p.Label())
	}
	say("保存结果")
	res, err := w.DB.SaveCheck(ctx, p, user, fs)
	if errors.Is(err, context.Canceled) {
		return nil, audit.Errorf(context.Canceled, "已取消 %s 的核查，结果未保存", p.Label())
	}
	return res, err
}

// Findings lists findings, a page at a time.
func (w *Workspace) Findings(ctx context.Context, f sqlite.FindingFilter) ([]sqlite.FindingRow, int, error) {
	return w.DB.Findings(ctx, f)
}

// RuleSettings are the township's rule thresholds.
func (w *Workspace) RuleSettings(ctx context.Context) (rules.Settings, error) {
	return w.DB.RuleSettings(ctx)
}

// SetRuleSettings changes them (by: an authenticated supervisor).
func (w *Workspace) SetRuleSettings(ctx context.Context, by *sqlite.User, s rules.Settings) error {
	return w.DB.SetRuleSettings(ctx, by, s)
}
