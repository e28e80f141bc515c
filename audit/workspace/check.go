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
//
// The rules read one snapshot of the workspace outside any write lock (a
// county-size month takes seconds); the findings are saved in a write
// transaction that first reads again who the user is, whether the month was
// countersigned meanwhile, and whether a file was imported since the
// snapshot — then nothing is saved, and the check must run again.
func (w *Workspace) Check(ctx context.Context, s audit.Session, p audit.Month, progress func(stage string)) (*audit.CheckResult, error) {
	say := func(s string) {
		if progress != nil {
			progress(s)
		}
	}
	cancelled := func() error {
		return audit.Errorf(context.Canceled, "已取消 %s 的核查，结果未保存", p.Label())
	}
	// refuse early what would be refused at the end (the same checks run
	// again in the saving transaction)
	if err := w.db.View(ctx, func(q *sqlite.Tx) error { return checkable(ctx, q, s, p) }); err != nil {
		return nil, Friendly(err)
	}
	say("读取数据")
	in, upto, err := w.db.CheckInput(ctx, p)
	if err != nil {
		if ctx.Err() != nil {
			return nil, cancelled()
		}
		return nil, Friendly(err)
	}
	if err := ctx.Err(); err != nil {
		return nil, cancelled()
	}
	say("比对规则")
	fs := rules.Run(in)
	if err := ctx.Err(); err != nil {
		return nil, cancelled()
	}
	if w.afterCheckRead != nil {
		w.afterCheckRead()
	}
	say("保存结果")
	var res *audit.CheckResult
	err = w.act(ctx, s, audit.ActCheck, func(tx *sqlite.Tx, u audit.User) error {
		if err := checkable(ctx, tx, s, p); err != nil {
			return err
		}
		newest, err := tx.NewestBatch(ctx)
		if err != nil {
			return err
		}
		if newest != upto {
			return audit.Errorf(audit.ErrStale, "核查 %s 期间又导入了文件，这次核查的结果没有保存：请重新核查", p.Label())
		}
		res, err = tx.SaveFindings(ctx, p, u.Name, fs, upto, in.Settings, rules.DeathRelated)
		return err
	})
	if errors.Is(err, context.Canceled) {
		return nil, cancelled()
	}
	return res, err
}

// checkable is the precondition of a check: an account that may check, a
// roster for the month, and a month not countersigned.
func checkable(ctx context.Context, tx *sqlite.Tx, s audit.Session, p audit.Month) error {
	u, err := current(ctx, tx.User, s)
	if err != nil {
		return err
	}
	if err := u.May(audit.ActCheck); err != nil {
		return err
	}
	has, err := tx.HasRoster(ctx, p)
	if err != nil {
		return err
	}
	if !has {
		return audit.Errorf(audit.ErrNotFound, "%s 还没有导入发放花名册，无法核查；请先导入该月的花名册", p.Label())
	}
	l, err := tx.Lock(ctx, p)
	if err != nil {
		return err
	}
	return l.Writable()
}

// Findings lists findings, a page at a time.
func (w *Workspace) Findings(ctx context.Context, f audit.FindingFilter) ([]audit.FindingRow, int, error) {
	return w.db.Findings(ctx, f)
}

// RuleSettings are the township's rule thresholds.
func (w *Workspace) RuleSettings(ctx context.Context) (rules.Settings, error) {
	return w.db.RuleSettings(ctx)
}

// SetRuleSettings changes them (a supervisor).
func (w *Workspace) SetRuleSettings(ctx context.Context, s audit.Session, set rules.Settings) error {
	if err := set.Validate(); err != nil {
		return err
	}
	return w.act(ctx, s, audit.ActRuleSettings, func(tx *sqlite.Tx, u audit.User) error {
		return tx.SaveRuleSettings(ctx, u.Name, set)
	})
}

// WordMeanings are the words a supervisor has given a meaning in this
// workspace (what a deregistration reason says about a death).
func (w *Workspace) WordMeanings(ctx context.Context) (map[string]audit.Meaning, error) {
	return w.db.WordMeanings(ctx)
}

// SetWordMeaning says what a word of a deregistration's reason means here
// (a supervisor; recorded in the trail; the next check applies it).
func (w *Workspace) SetWordMeaning(ctx context.Context, s audit.Session, word string, m audit.Meaning) error {
	word = audit.NormalizeWord(word)
	if word == "" {
		return &audit.Error{Kind: audit.ErrInvalid, Field: "word", Msg: "请填写注销原因的词语"}
	}
	return w.act(ctx, s, audit.ActRuleSettings, func(tx *sqlite.Tx, u audit.User) error {
		return tx.SaveWordMeaning(ctx, u.Name, word, m)
	})
}
