package workspace

import (
	"context"
	"encoding/hex"
	"errors"

	"pensionaudit/audit"
	"pensionaudit/audit/signing"
	"pensionaudit/audit/sqlite"
)

// The recovery code: printed once when the workspace's root is made, it
// opens a recovery key certified by the root (stored as a key of the
// reserved name audit.RecoveryName). When the root account's password is
// lost, the code sets a new one: the account gets a new key certified by
// the recovery key, and the replacement is signed by it. A supervisor may
// issue a new code at any time (the old one stops working); a workspace
// made before codes gets one that way.

// issueRecovery makes a recovery code whose key the certifier's key
// certifies, and records it; the code itself is returned, never stored.
func issueRecovery(ctx context.Context, tx *sqlite.Tx, actor string, certifier *signing.Key) (string, error) {
	code, salt, err := signing.NewRecoveryCode()
	if err != nil {
		return "", err
	}
	k, err := signing.RecoveryKey(code, salt)
	if err != nil {
		return "", err
	}
	pub := hex.EncodeToString(k.Public())
	row := sqlite.KeyRow{User: audit.RecoveryName, Pub: pub, CertifiedBy: certifier.Fingerprint(),
		Cert: hex.EncodeToString(certifier.Sign(signing.CertMessage(audit.RecoveryName, pub)))}
	if err := tx.AddKey(ctx, actor, row); err != nil {
		return "", err
	}
	return code, tx.SetSettings(ctx, map[string]string{"recovery_salt": hex.EncodeToString(salt)})
}

// RootAccount is the name of the root key's account ("" before a root).
func (w *Workspace) RootAccount(ctx context.Context) (string, error) {
	fp, err := w.db.RootKey(ctx)
	if err != nil || fp == "" {
		return "", Friendly(err)
	}
	k, _, err := w.db.KeyByFingerprint(ctx, fp)
	return k.User, Friendly(err)
}

// RecoveryCode hands over, once, the code made with the workspace's first
// account ("" after that, or when none was made here).
func (w *Workspace) RecoveryCode() string {
	c := w.recoveryCode
	w.recoveryCode = ""
	return c
}

// NewRecoveryCode issues a new recovery code (a supervisor, signed); the
// old one no longer opens anything.
func (w *Workspace) NewRecoveryCode(ctx context.Context, s audit.Session) (string, error) {
	var code string
	err := w.act(ctx, s, audit.ActManageUsers, func(tx *sqlite.Tx, u audit.User) error {
		var err error
		code, err = issueRecovery(ctx, tx, u.Name, s.Key)
		if err != nil {
			return err
		}
		return tx.AppendTrail(ctx, u.Name, "recovery_code", map[string]string{"by": u.Name})
	})
	return code, err
}

// RecoverRoot replaces the lost password of the root key's account with
// the recovery code: a new password, a new key certified by the recovery
// key, all signed by it; a new code replaces the one used. It returns the
// account's name and the new code.
func (w *Workspace) RecoverRoot(ctx context.Context, code, password string) (name, newCode string, err error) {
	if err := audit.CheckPassword(password); err != nil {
		return "", "", err
	}
	hash, err := sqlite.HashPassword(password)
	if err != nil {
		return "", "", err
	}
	rec, ok, err := w.db.KeyOf(ctx, audit.RecoveryName)
	if err != nil {
		return "", "", Friendly(err)
	}
	if !ok {
		return "", "", audit.Errorf(audit.ErrNotFound, "这个工作区还没有恢复码（由旧版本建立）：请审核人在“设置”中生成恢复码")
	}
	saltHex, err := w.db.Setting(ctx, "recovery_salt")
	if err != nil {
		return "", "", Friendly(err)
	}
	salt, _ := hex.DecodeString(saltHex)
	rk, err := signing.RecoveryKey(code, salt)
	if errors.Is(err, signing.ErrCode) {
		return "", "", audit.Errorf(audit.ErrInvalid, "这不是一个恢复码：恢复码是 24 个字母和数字（分六组，每组四个）")
	}
	if err != nil {
		return "", "", err
	}
	defer rk.Wipe()
	if hex.EncodeToString(rk.Public()) != rec.Pub {
		return "", "", audit.Errorf(audit.ErrPermission, "恢复码不对（或已被新的恢复码取代）")
	}
	if name, err = w.RootAccount(ctx); err != nil || name == "" {
		return "", "", audit.Errorf(audit.ErrNotFound, "找不到工作区的根密钥")
	}
	nk, row, err := newKey(name, password, rk, false)
	if err != nil {
		return "", "", err
	}
	defer nk.Wipe()
	err = w.db.Update(ctx, func(tx *sqlite.Tx) error {
		tx.SignWith(rk)
		if err := tx.AddKey(ctx, audit.RecoveryName, row); err != nil {
			return err
		}
		if err := tx.ChangeUser(ctx, audit.RecoveryName, name, sqlite.UserChange{PwHash: &hash}); err != nil {
			return err
		}
		if err := tx.AppendTrail(ctx, audit.RecoveryName, "root_recovery", map[string]string{"name": name, "fingerprint": row.Fingerprint()}); err != nil {
			return err
		}
		// the used code is retired: a new one, certified by the new key
		tx.SignWith(nk)
		newCode, err = issueRecovery(ctx, tx, name, nk)
		if err != nil {
			return err
		}
		return tx.AppendTrail(ctx, name, "recovery_code", map[string]string{"by": name})
	})
	if err != nil {
		return "", "", Friendly(err)
	}
	return name, newCode, nil
}

// ChangePassword is an account's change of its own password: the current
// one is asked (a wrong one counts as a failed login), and the account's
// signing key is sealed anew under the new one: the same key, so that
// nothing it signed needs re-certifying. Signed with that key.
func (w *Workspace) ChangePassword(ctx context.Context, name, current, password string) error {
	if err := audit.CheckPassword(password); err != nil {
		return err
	}
	s, err := w.Login(ctx, name, current)
	if err != nil {
		return err
	}
	defer s.Key.Wipe()
	row, ok, err := w.db.KeyOf(ctx, s.Name)
	if err != nil {
		return Friendly(err)
	}
	if !ok || s.Key == nil {
		return audit.Errorf(audit.ErrConflict, "%s 的签名密钥打不开：请审核人重设密码", audit.Escape(s.Name, 40))
	}
	sealed, err := signing.Seal(s.Key.Priv.Seed(), password)
	if err != nil {
		return err
	}
	hash, err := sqlite.HashPassword(password)
	if err != nil {
		return err
	}
	return w.act(ctx, s, audit.ActOwnPassword, func(tx *sqlite.Tx, u audit.User) error {
		if err := tx.Reseal(ctx, row.Pub, sealed); err != nil {
			return err
		}
		return tx.ChangeUser(ctx, u.Name, u.Name, sqlite.UserChange{PwHash: &hash})
	})
}

// Account is an account as the settings screen lists it, with the state
// of its signing key.
type Account struct {
	audit.User
	// KeyState: 已认证（指纹…）, 等待审核人认证, 下次登录时生成, 根密钥（…）
	KeyState string
}

// Accounts lists the accounts with their signing keys' state.
func (w *Workspace) Accounts(ctx context.Context) ([]Account, error) {
	users, err := w.db.Users(ctx)
	if err != nil {
		return nil, Friendly(err)
	}
	root, err := w.db.RootKey(ctx)
	if err != nil {
		return nil, Friendly(err)
	}
	out := make([]Account, len(users))
	for i, u := range users {
		out[i].User = u
		k, ok, err := w.db.KeyOf(ctx, u.Name)
		switch fp := k.Fingerprint(); {
		case err != nil:
			return nil, Friendly(err)
		case !ok:
			out[i].KeyState = "下次登录时生成"
		case fp == root:
			out[i].KeyState = "根密钥 " + fp[:8] + "…"
		case k.CertifiedBy == "":
			out[i].KeyState = "等待审核人认证（审核人下次登录时）"
		default:
			out[i].KeyState = "已认证 " + fp[:8] + "…"
		}
	}
	return out, nil
}
