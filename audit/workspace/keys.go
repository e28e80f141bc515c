package workspace

import (
	"context"
	"encoding/hex"
	"errors"

	"pensionaudit/audit"
	"pensionaudit/audit/signing"
	"pensionaudit/audit/sqlite"
)

// Signing keys (audit/signing): every account has one, sealed with its
// password; the workspace's first supervisor's is the root, every other is
// certified by a supervisor's key. An account made before keys gets its key
// at its next login (the first supervisor to log in becomes the root; the
// others' keys are certified at a supervisor's next login).

// newKey makes a key for an account, sealed with its password, certified
// by certifier (nil: the root's own when root is set, else none yet).
func newKey(user, password string, certifier *signing.Key, root bool) (*signing.Key, sqlite.KeyRow, error) {
	k, pub, sealed, err := signing.New(password)
	if err != nil {
		return nil, sqlite.KeyRow{}, err
	}
	row := sqlite.KeyRow{User: user, Pub: pub, Sealed: sealed}
	switch {
	case root:
		row.CertifiedBy, row.Cert = k.Fingerprint(), hex.EncodeToString(k.Sign(signing.CertMessage(user, pub)))
	case certifier != nil:
		row.CertifiedBy, row.Cert = certifier.Fingerprint(), hex.EncodeToString(certifier.Sign(signing.CertMessage(user, pub)))
	}
	return k, row, nil
}

// sessionKey unseals the account's key at login, making one if the account
// has none (an account from before keys); a supervisor's certified key then
// certifies the keys still waiting. A workspace that refuses writes gets no
// new key (the session has none; its acts are refused anyway).
func (w *Workspace) sessionKey(ctx context.Context, u audit.User, password string) (*signing.Key, error) {
	row, ok, err := w.db.KeyOf(ctx, u.Name)
	if err != nil {
		return nil, err
	}
	var key *signing.Key
	if ok {
		if key, err = signing.Open(row.Sealed, password, row.Pub); err != nil {
			return nil, nil // sealed under a password since changed by hand: no key, acts refused
		}
		if u.Role != audit.RoleSupervisor || row.CertifiedBy == "" {
			return key, nil // nothing to write
		}
		if n, err := w.db.PendingKeyCount(ctx); err != nil || n == 0 {
			return key, err
		}
	}
	err = w.db.Update(ctx, func(tx *sqlite.Tx) error {
		root, err := tx.Setting(ctx, "root_key")
		if err != nil {
			return err
		}
		if !ok {
			isRoot := root == "" && u.Role == audit.RoleSupervisor
			var nk sqlite.KeyRow
			if key, nk, err = newKey(u.Name, password, nil, isRoot); err != nil {
				return err
			}
			if err := tx.AddKey(ctx, u.Name, nk); err != nil {
				return err
			}
			if isRoot {
				root = key.Fingerprint()
				if err := tx.SetSettings(ctx, map[string]string{"root_key": root}); err != nil {
					return err
				}
				if err := tx.AppendTrail(ctx, u.Name, "setting", map[string]string{"key": "root_key", "value": root}); err != nil {
					return err
				}
			}
			row = nk
		}
		// a supervisor whose key is certified vouches for the keys waiting
		if u.Role != audit.RoleSupervisor || row.CertifiedBy == "" {
			return nil
		}
		pending, err := tx.PendingKeys(ctx)
		if err != nil {
			return err
		}
		for _, p := range pending {
			p.CertifiedBy, p.Cert = key.Fingerprint(), hex.EncodeToString(key.Sign(signing.CertMessage(p.User, p.Pub)))
			if err := tx.Certify(ctx, u.Name, p); err != nil {
				return err
			}
		}
		return nil
	})
	var alt *sqlite.Altered
	if errors.As(err, &alt) {
		return key, nil
	}
	return key, err
}

// signer sets the write's trail entries to be signed by the session's key;
// an account that has a key may not act without it (a session that did not
// come from its password).
func signer(ctx context.Context, tx *sqlite.Tx, s audit.Session) error {
	row, ok, err := tx.KeyOf(ctx, s.Name)
	if err != nil || !ok {
		return err // an account from before keys: unsigned until its next login
	}
	if err := keyOpen(s, row, "这一操作"); err != nil {
		return err
	}
	tx.SignWith(s.Key)
	return nil
}

// keyOpen checks that the session holds the account's key as the store
// has it (unsealed by the password at login), for an act that must be
// signed with it.
func keyOpen(s audit.Session, row sqlite.KeyRow, what string) error {
	if s.Key == nil || hex.EncodeToString(s.Key.Public()) != row.Pub {
		return audit.Errorf(audit.ErrPermission, "%s 的签名密钥没有打开（%s须用本人的签名密钥签名）：请退出后重新登录再操作", audit.Escape(s.Name, 40), what)
	}
	return nil
}

// RootKey is the fingerprint of the workspace's root key, printed on every
// sign-off sheet ("" while none: the signatures are not yet rooted).
func (w *Workspace) RootKey(ctx context.Context) string {
	k, _ := w.db.RootKey(ctx)
	return k
}
