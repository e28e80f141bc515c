package workspace

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"pensionaudit/audit"
	"pensionaudit/audit/rules"
	"pensionaudit/audit/signing"
	"pensionaudit/audit/sqlite"
)

// Login checks a password and opens a session for the account; failures
// are counted and slowed down.
func (w *Workspace) Login(ctx context.Context, name, password string) (audit.Session, error) {
	u, err := w.db.Authenticate(ctx, name, password)
	if err != nil {
		return audit.Session{}, Friendly(err)
	}
	key, err := w.sessionKey(ctx, u, password)
	if err != nil {
		return audit.Session{}, Friendly(err)
	}
	return audit.Session{User: u, Key: key}, nil
}

// HasUsers reports whether the workspace has any account yet.
func (w *Workspace) HasUsers(ctx context.Context) (bool, error) {
	us, err := w.db.Users(ctx)
	return len(us) > 0, err
}

// AddUser creates a local account. The first account of a workspace needs
// no session and is always a supervisor (someone must be able to
// countersign and reopen); every later one is added by a supervisor's
// session (by).
func (w *Workspace) AddUser(ctx context.Context, by *audit.Session, name string, role audit.Role, password string) (audit.User, error) {
	name, err := audit.CleanUserName(name)
	if err != nil {
		return audit.User{}, err
	}
	if _, err := audit.ParseRole(string(role)); err != nil {
		return audit.User{}, err
	}
	if err := audit.CheckPassword(password); err != nil {
		return audit.User{}, err
	}
	hash, err := sqlite.HashPassword(password) // slow on purpose: before the write lock
	if err != nil {
		return audit.User{}, err
	}
	// the account's signing key, sealed with its password (as slow)
	key, pub, sealed, err := signing.New(password)
	if err != nil {
		return audit.User{}, err
	}
	u := audit.User{Name: name, Role: role}
	var code string
	err = w.db.Update(ctx, func(tx *sqlite.Tx) error {
		code = ""
		names, err := tx.UserNames(ctx)
		if err != nil {
			return err
		}
		actor := name
		if len(names) == 0 {
			u.Role = audit.RoleSupervisor
		} else {
			if by == nil {
				return audit.Errorf(audit.ErrPermission, "添加用户须由审核人用自己的密码授权")
			}
			sup, err := current(ctx, tx.User, *by)
			if err != nil {
				return err
			}
			if err := sup.May(audit.ActManageUsers); err != nil {
				return err
			}
			if err := signer(ctx, tx, *by); err != nil {
				return err
			}
			actor = sup.Name
		}
		for _, n := range names {
			if audit.FoldName(n) == audit.FoldName(name) {
				return audit.Errorf(audit.ErrDuplicate, "用户 %s 已经存在（或与已有的 %s 写法只差全角半角、大小写或空格）", name, n)
			}
		}
		err = tx.InsertUser(ctx, actor, u, hash)
		if errors.Is(err, audit.ErrDuplicate) {
			return audit.Errorf(audit.ErrDuplicate, "用户 %s 已经存在", name)
		}
		if err != nil {
			return err
		}
		// the first account's key is the workspace's root; every other is
		// certified by the supervisor who adds it (or, from a session
		// without a key, by a supervisor at the next login)
		row := sqlite.KeyRow{User: name, Pub: pub, Sealed: sealed}
		var certifier *signing.Key
		switch {
		case len(names) == 0:
			certifier = key
		case by != nil && by.Key != nil:
			certifier = by.Key
		}
		if certifier != nil {
			row.CertifiedBy, row.Cert = certifier.Fingerprint(), hex.EncodeToString(certifier.Sign(signing.CertMessage(name, pub)))
		}
		if err := tx.AddKey(ctx, actor, row); err != nil {
			return err
		}
		if len(names) == 0 {
			// the root, and its recovery code, signed by the root key
			tx.SignWith(key)
			if err := tx.SetSettings(ctx, map[string]string{"root_key": key.Fingerprint()}); err != nil {
				return err
			}
			if err := tx.AppendTrail(ctx, actor, "setting", map[string]string{"key": "root_key", "value": key.Fingerprint()}); err != nil {
				return err
			}
			if code, err = issueRecovery(ctx, tx, actor, key); err != nil {
				return err
			}
			return tx.AppendTrail(ctx, actor, "recovery_code", map[string]string{"by": actor})
		}
		return nil
	})
	if err == nil && code != "" {
		w.recoveryCode = code
	}
	return u, Friendly(err)
}

// changeUser applies a supervisor's change to an account, keeping at least
// one enabled supervisor.
func (w *Workspace) changeUser(ctx context.Context, s audit.Session, name string, c sqlite.UserChange, also ...func(*sqlite.Tx, audit.User) error) error {
	return w.act(ctx, s, audit.ActManageUsers, func(tx *sqlite.Tx, u audit.User) error {
		err := tx.ChangeUser(ctx, u.Name, name, c)
		if errors.Is(err, audit.ErrNotFound) {
			return audit.Errorf(audit.ErrNotFound, "没有名为 %s 的用户", audit.Escape(name, 40))
		}
		if err != nil {
			return err
		}
		n, err := tx.EnabledSupervisors(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return audit.Errorf(audit.ErrConflict, "这样改之后工作区就没有可用的审核人了：请先添加另一位审核人")
		}
		for _, f := range also {
			if err := f(tx, u); err != nil {
				return err
			}
		}
		return nil
	})
}

// SetRole changes an account's role (a supervisor).
func (w *Workspace) SetRole(ctx context.Context, s audit.Session, name string, role audit.Role) error {
	if _, err := audit.ParseRole(string(role)); err != nil {
		return err
	}
	return w.changeUser(ctx, s, name, sqlite.UserChange{Role: &role})
}

// ResetPassword sets an account's password (a supervisor) and clears its
// back-off.
func (w *Workspace) ResetPassword(ctx context.Context, s audit.Session, name, password string) error {
	if err := audit.CheckPassword(password); err != nil {
		return err
	}
	hash, err := sqlite.HashPassword(password)
	if err != nil {
		return err
	}
	// a new key under the new password, certified by the supervisor; the
	// old key stays, so what it signed stays checkable
	_, row, err := newKey(name, password, s.Key, false)
	if err != nil {
		return err
	}
	return w.changeUser(ctx, s, name, sqlite.UserChange{PwHash: &hash}, func(tx *sqlite.Tx, u audit.User) error {
		return tx.AddKey(ctx, u.Name, row)
	})
}

// SetDisabled disables or re-enables an account (a supervisor).
func (w *Workspace) SetDisabled(ctx context.Context, s audit.Session, name string, disabled bool) error {
	return w.changeUser(ctx, s, name, sqlite.UserChange{Disabled: &disabled})
}

// Decide records a decision on a finding, until the month is signed.
func (w *Workspace) Decide(ctx context.Context, s audit.Session, in audit.DecideInput) (*audit.Decision, error) {
	var d audit.Decision
	err := w.act(ctx, s, audit.ActDecide, func(tx *sqlite.Tx, u audit.User) error {
		f, err := tx.FindingFacts(ctx, in.FindingID)
		if errors.Is(err, audit.ErrNotFound) {
			return audit.Errorf(audit.ErrNotFound, "没有编号为 %d 的核查结果", in.FindingID)
		}
		if err != nil {
			return err
		}
		f.DeathRelated = rules.DeathRelated(f.Rule)
		f.Overpays = rules.Overpayment(f.Rule) && f.Amount > 0
		l, err := tx.Lock(ctx, f.Period)
		if err != nil {
			return err
		}
		if err := l.Amendable(); err != nil {
			return err
		}
		if d, err = audit.Decide(f, in); err != nil {
			return err
		}
		d.User = u.Name
		return tx.RecordDecision(ctx, &d, f.Period)
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// UndoDecision takes back the latest decision on a finding (the same person
// or a supervisor, before the month is signed). The decision stays in the
// history; the finding returns to the state before it.
func (w *Workspace) UndoDecision(ctx context.Context, s audit.Session, decisionID int64) (*audit.Decision, error) {
	var d audit.Decision
	err := w.act(ctx, s, audit.ActDecide, func(tx *sqlite.Tx, u audit.User) error {
		var p audit.Month
		var latest bool
		var err error
		d, p, latest, err = tx.StandingDecision(ctx, decisionID)
		if errors.Is(err, audit.ErrNotFound) {
			return audit.Errorf(audit.ErrNotFound, "没有可以撤销的第 %d 条处理意见", decisionID)
		}
		if err != nil {
			return err
		}
		if d.User != u.Name && u.Role != audit.RoleSupervisor {
			return audit.Errorf(audit.ErrPermission, "这条处理意见是 %s 做的，只有本人或审核人可以撤销", d.User)
		}
		if !latest {
			return audit.Errorf(audit.ErrConflict, "核查结果 #%d 之后又有新的处理意见，只能撤销最新的一条", d.FindingID)
		}
		l, err := tx.Lock(ctx, p)
		if err != nil {
			return err
		}
		if l.Clerk != nil || l.Supervisor != nil {
			return audit.Errorf(audit.ErrLocked, "%s 已签字，不能撤销处理意见；请审核人先退回", p.Label())
		}
		_, err = tx.RecordUndo(ctx, u.Name, d, p)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// SignOff signs a month: first the clerk (经办人) — the month checked since
// its last file, every finding decided, every village reported or noted —
// then a different supervisor (审核人), whose countersignature locks it, on
// exactly what the clerk signed and only when no file has come in since
// that the check has not seen.
func (w *Workspace) SignOff(ctx context.Context, s audit.Session, p audit.Month) (sig *audit.Signoff, err error) {
	err = w.db.Update(ctx, func(tx *sqlite.Tx) error {
		u, err := current(ctx, tx.User, s)
		if err != nil {
			return err
		}
		l, err := tx.Lock(ctx, p)
		if err != nil {
			return err
		}
		if l.Supervisor != nil {
			return audit.Errorf(audit.ErrConflict, "%s 已由 %s 复核签字，无需再签", p.Label(), l.Supervisor.User)
		}
		r, err := tx.Readiness(ctx, p)
		if err != nil {
			return err
		}
		batches, err := tx.InputBatches(ctx, p)
		if err != nil {
			return err
		}
		sig = &audit.Signoff{Period: p.String(), User: u.Name}
		if l.Clerk == nil {
			if err := u.May(audit.ActSign); err != nil {
				return err
			}
			if err := r.ReadyToSign(); err != nil {
				return err
			}
			sig.Role, sig.Batches = audit.RoleClerk, batches
			if sig.Fingerprint, err = tx.Fingerprint(ctx, p, batches); err != nil {
				return err
			}
		} else {
			now, err := tx.Fingerprint(ctx, p, l.Clerk.Batches)
			if err != nil {
				return err
			}
			if err := audit.Countersign(u, l, r, batches, now); err != nil {
				return err
			}
			sig.Role, sig.Batches, sig.Fingerprint = audit.RoleSupervisor, l.Clerk.Batches, now
		}
		if err := signer(ctx, tx, s); err != nil {
			return err
		}
		return tx.RecordSignoff(ctx, sig)
	})
	if err != nil {
		return nil, Friendly(err)
	}
	w.RecordHead(ctx) // the signed head is kept outside the file too
	w.backupAfterSign(ctx, sig)
	return sig, nil
}

// Reopen revokes a month's signatures, with a supervisor's reason.
func (w *Workspace) Reopen(ctx context.Context, s audit.Session, p audit.Month, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return &audit.Error{Kind: audit.ErrInvalid, Field: "reason", Msg: "退回须写明原因"}
	}
	return w.act(ctx, s, audit.ActReopen, func(tx *sqlite.Tx, u audit.User) error {
		n, err := tx.RevokeSignoffs(ctx, u.Name, p, reason)
		if err == nil && n == 0 {
			err = audit.Errorf(audit.ErrConflict, "%s 没有签字，无需退回", p.Label())
		}
		return err
	})
}

// NoteMissing records a supervisor's note on why a village did not report.
func (w *Workspace) NoteMissing(ctx context.Context, s audit.Session, p audit.Month, village, note string) error {
	village, note = strings.TrimSpace(village), strings.TrimSpace(note)
	if village == "" {
		return &audit.Error{Kind: audit.ErrInvalid, Field: "village", Msg: "请写明哪个村(社区)没有上报"}
	}
	if note == "" {
		return &audit.Error{Kind: audit.ErrInvalid, Field: "note", Msg: "请写明没有上报的原因"}
	}
	return w.act(ctx, s, audit.ActNoteMissing, func(tx *sqlite.Tx, u audit.User) error {
		l, err := tx.Lock(ctx, p)
		if err != nil {
			return err
		}
		if err := l.Writable(); err != nil {
			return err
		}
		return tx.RecordMissingNote(ctx, u.Name, p, village, note)
	})
}

// Recover records money recovered on a confirmed overpayment.
func (w *Workspace) Recover(ctx context.Context, s audit.Session, finding int64, on time.Time, amount audit.Fen, note string) error {
	return w.act(ctx, s, audit.ActRecover, func(tx *sqlite.Tx, u audit.User) error {
		e, err := tx.LedgerEntry(ctx, finding)
		if err != nil {
			return err
		}
		if err := audit.CheckRecovery(e, finding, amount); err != nil {
			return err
		}
		return tx.RecordRecovery(ctx, u.Name, finding, on, amount, note)
	})
}

// RenameVillage renames a village of the township or merges it into another
// (a supervisor: the list decides which villages must report each month).
func (w *Workspace) RenameVillage(ctx context.Context, s audit.Session, from, to string) (merged bool, err error) {
	to = strings.TrimSpace(norm.NFC.String(to))
	if to == "" || strings.ContainsFunc(to, audit.Invisible) {
		return false, &audit.Error{Kind: audit.ErrInvalid, Field: "to", Msg: "新的村(社区)名称为空或含有看不见的字符：" + audit.Escape(to, 40)}
	}
	if from == to {
		return false, &audit.Error{Kind: audit.ErrInvalid, Field: "to", Msg: "新旧名称相同"}
	}
	err = w.act(ctx, s, audit.ActRenameVillage, func(tx *sqlite.Tx, u audit.User) error {
		merged, err = tx.RenameVillage(ctx, u.Name, from, to)
		if errors.Is(err, audit.ErrNotFound) {
			return audit.Errorf(audit.ErrNotFound, "本乡镇没有名为「%s」的村(社区)", audit.Escape(from, 40))
		}
		if err != nil {
			return err
		}
		return tx.AppendTrail(ctx, u.Name, "village_rename", map[string]any{"from": from, "to": to, "merged": merged})
	})
	return merged, err
}

// Status describes periods; with p zero, every month that has a roster.
func (w *Workspace) Status(ctx context.Context, p audit.Month) ([]*audit.PeriodStatus, error) {
	months := []audit.Month{p}
	if p == 0 {
		var err error
		if months, err = w.db.RosterMonths(ctx); err != nil {
			return nil, err
		}
	}
	var out []*audit.PeriodStatus
	for _, m := range months {
		st, err := w.db.Status(ctx, m)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// Ledger lists the recovery ledger.
func (w *Workspace) Ledger(ctx context.Context) ([]audit.LedgerEntry, error) {
	return w.db.Ledger(ctx)
}

// Verify checks the trail, every scope of the store and every sign-off, and
// that the chain still passes through every head this computer has seen.
func (w *Workspace) Verify(ctx context.Context) (*VerifyReport, error) {
	r, err := w.db.Verify(ctx)
	if err != nil {
		return nil, Friendly(err)
	}
	if err := w.checkAnchors(ctx, r); err != nil {
		return nil, err
	}
	return r, nil
}

// VerifyAnchor checks that the trail passes through the entry a code names
// (the code printed on a signed sheet).
func (w *Workspace) VerifyAnchor(ctx context.Context, code string) error {
	return w.db.VerifyAnchor(ctx, code)
}

// VerifyWith is Verify with the codes printed on signed sheets: each must
// be on the chain (else a problem), and each vouches for the entries up to
// its own.
func (w *Workspace) VerifyWith(ctx context.Context, codes []string) (*VerifyReport, error) {
	r, err := w.Verify(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range codes {
		if err := w.db.VerifyAnchor(ctx, c); err != nil {
			r.Problems = append(r.Problems, err.Error())
			continue
		}
		if seq, _, err := sqlite.ParseTrailCode(c); err == nil {
			r.Vouched = max(r.Vouched, seq)
		}
	}
	return r, nil
}

// Vouching says how far evidence outside the file reaches: a chain
// recomputed whole is as consistent as an honest one, so 完好 alone is
// never the whole answer. howToVouch is the front end's way of giving a
// code from the paper.
func Vouching(r *VerifyReport, howToVouch string) string {
	switch {
	case r.Entries == 0:
		return ""
	case r.Vouched == 0:
		return "没有任何文件之外的凭据（本机见过的记录、签字表上印的校验码）佐证这些记录：文件自身一致，但不能证明它没有被整个重算过；" + howToVouch + "。"
	case r.Unvouched() > 0:
		return fmt.Sprintf("最后 %d 条记录没有外部校验码佐证（文件之外的凭据到第 %d 条为止）。", r.Unvouched(), r.Vouched)
	}
	return "全部记录都有文件之外的凭据佐证（本机见过的记录或签字表上的校验码）。"
}

// RecordIncident is a supervisor's account of a change made to the
// workspace outside the program (what verify and every refused write
// name): the reason is recorded in the trail with what changed, the changed
// state is recorded as it now is, and the workspace can be written again.
// It returns what changed. With nothing changed it is refused.
func (w *Workspace) RecordIncident(ctx context.Context, s audit.Session, reason string) ([]string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, &audit.Error{Kind: audit.ErrInvalid, Field: "reason", Msg: "请写明事件的原因：是谁、为什么在程序以外改动了工作区，核实的结果"}
	}
	// the supervisor's right is asked of the accounts as they stand, read
	// without a write (a write would be refused: that is the point)
	u, err := w.standing(ctx, s)
	if err != nil {
		return nil, Friendly(err)
	}
	if err := u.May(audit.ActIncident); err != nil {
		return nil, err
	}
	a, err := w.db.Incident(ctx, u.Name, reason, func(a *sqlite.Altered) error {
		for _, k := range a.Scopes {
			if k == "table:users" {
				// whoever may record it would be read from the altered accounts
				return audit.Errorf(audit.ErrPermission, "用户和密码被程序以外的方式改动过：不能凭改动后的账户记录事件说明。请用改动之前的备份恢复工作区（设置 → 备份）")
			}
		}
		return nil
	}, func(tx *sqlite.Tx) error { return signer(ctx, tx, s) })
	if err != nil {
		return nil, Friendly(err)
	}
	w.RecordHead(ctx)
	return a.Changes, nil
}
