package sqlite

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"pensionaudit/audit"
	"pensionaudit/audit/signing"
)

// KeyRow is an account's signing key as stored.
type KeyRow struct {
	User, Pub, Sealed, CertifiedBy, Cert string
}

// Fingerprint names the key.
func (k KeyRow) Fingerprint() string {
	pub, _ := hex.DecodeString(k.Pub)
	return signing.Fingerprint(pub)
}

// KeyOf reads an account's newest key; ok is false when it has none.
func (t *Tx) KeyOf(ctx context.Context, user string) (k KeyRow, ok bool, err error) {
	return keyOf(ctx, t.tx, user)
}

func keyOf(ctx context.Context, q querier, user string) (k KeyRow, ok bool, err error) {
	err = q.QueryRowContext(ctx, `SELECT user_name, pub, sealed, certified_by, cert FROM keys WHERE user_name = ? ORDER BY id DESC LIMIT 1`, user).
		Scan(&k.User, &k.Pub, &k.Sealed, &k.CertifiedBy, &k.Cert)
	if errors.Is(err, sql.ErrNoRows) {
		return k, false, nil
	}
	return k, err == nil, err
}

// KeyOf is Tx.KeyOf outside a write.
func (db *DB) KeyOf(ctx context.Context, user string) (KeyRow, bool, error) {
	return keyOf(ctx, db.db, user)
}

// KeyByFingerprint finds a key by its fingerprint.
func (db *DB) KeyByFingerprint(ctx context.Context, fp string) (KeyRow, bool, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT user_name, pub, sealed, certified_by, cert FROM keys`)
	if err != nil {
		return KeyRow{}, false, err
	}
	defer rows.Close()
	for rows.Next() {
		var k KeyRow
		if err := rows.Scan(&k.User, &k.Pub, &k.Sealed, &k.CertifiedBy, &k.Cert); err != nil {
			return KeyRow{}, false, err
		}
		if k.Fingerprint() == fp {
			return k, true, nil
		}
	}
	return KeyRow{}, false, rows.Err()
}

// AddKey stores a key and records it in the trail (the actor is who made
// or certified it).
func (t *Tx) AddKey(ctx context.Context, actor string, k KeyRow) error {
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO keys (user_name, pub, sealed, certified_by, cert, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		k.User, k.Pub, k.Sealed, k.CertifiedBy, k.Cert, t.now); err != nil {
		return err
	}
	return t.AppendTrail(ctx, actor, "key", map[string]string{"name": k.User, "fingerprint": k.Fingerprint(), "certified_by": k.CertifiedBy})
}

// Certify records a certificate for a key made before a supervisor could
// vouch for it (an account upgraded at its first login).
func (t *Tx) Certify(ctx context.Context, actor string, k KeyRow) error {
	if _, err := t.tx.ExecContext(ctx, `UPDATE keys SET certified_by = ?, cert = ? WHERE pub = ? AND certified_by = ''`, k.CertifiedBy, k.Cert, k.Pub); err != nil {
		return err
	}
	return t.AppendTrail(ctx, actor, "key_certify", map[string]string{"name": k.User, "fingerprint": k.Fingerprint(), "certified_by": k.CertifiedBy})
}

// Reseal stores a key sealed anew (its owner's password changed; the key
// stays the same). The trail entry is the password change's.
func (t *Tx) Reseal(ctx context.Context, pub, sealed string) error {
	_, err := t.tx.ExecContext(ctx, `UPDATE keys SET sealed = ? WHERE pub = ?`, sealed, pub)
	return err
}

// PendingKeys lists the keys no supervisor has certified yet.
func (t *Tx) PendingKeys(ctx context.Context) ([]KeyRow, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT user_name, pub, sealed, certified_by, cert FROM keys WHERE certified_by = '' ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []KeyRow
	for rows.Next() {
		var k KeyRow
		if err := rows.Scan(&k.User, &k.Pub, &k.Sealed, &k.CertifiedBy, &k.Cert); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// PendingKeyCount counts the keys no supervisor has certified yet.
func (db *DB) PendingKeyCount(ctx context.Context) (int, error) {
	var n int
	err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM keys WHERE certified_by = ''`).Scan(&n)
	return n, err
}

// SignWith makes the trail entries of this write carry the key's signature.
func (t *Tx) SignWith(k *signing.Key) { t.signer = k }

// RootKey is the fingerprint of the workspace's root key ("" before one).
func (db *DB) RootKey(ctx context.Context) (string, error) { return db.Setting(ctx, "root_key") }

// signedActs are the acts that carry responsibility: once the actor has a
// key, their trail entries must be signed with it.
var signedActs = map[string]bool{"signoff": true, "reopen": true, "user_add": true, "user_role": true, "user_password": true,
	"user_disable": true, "user_enable": true, "missing_note": true, "recover": true, "rule_settings": true, "village_rename": true,
	"village_confirm": true, "word_meaning": true, "incident": true, "restore": true,
	"recovery_code": true, "root_recovery": true}

// verifySignatures checks every signed entry against its signer's key, and
// each key's certificate up to the workspace's root; an act that carries
// responsibility, by an account that had a key then, must be signed.
func (db *DB) verifySignatures(ctx context.Context, r *VerifyReport, bad func(string, ...any)) error {
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'keys'`).Scan(&n); err != nil || n == 0 {
		return err // a workspace from before keys, not yet upgraded
	}
	keys := map[string]KeyRow{}  // fingerprint → key
	first := map[string]string{} // account → its first key
	rows, err := db.db.QueryContext(ctx, `SELECT user_name, pub, sealed, certified_by, cert FROM keys ORDER BY id`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var k KeyRow
		if err := rows.Scan(&k.User, &k.Pub, &k.Sealed, &k.CertifiedBy, &k.Cert); err != nil {
			rows.Close()
			return err
		}
		keys[k.Fingerprint()] = k
		if _, ok := first[k.User]; !ok {
			first[k.User] = k.Fingerprint()
		}
	}
	rows.Close()
	root, err := db.Setting(ctx, "root_key")
	if err != nil {
		return err
	}
	var users int
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&users); err != nil {
		return err
	}
	trail, err := db.Trail(ctx)
	if err != nil {
		return err
	}
	// a certificate counts when its certifier was a supervisor when it was
	// given (a supervisor demoted later leaves the keys certified before
	// valid): the roles are followed through the trail
	certRole := certifierRoles(trail, keys)
	// certified: the key's certificates lead to the root, each checked
	certified := func(fp string) string {
		for depth := 0; depth < 32; depth++ {
			k, ok := keys[fp]
			switch {
			case !ok:
				return "签名密钥 " + fp + " 不在密钥表中"
			case k.CertifiedBy == "" && first[k.User] == fp:
				return pendingKey // an account's first key, made at its first login since keys: a supervisor's next login certifies it
			case k.CertifiedBy == "":
				return "签名密钥 " + fp + "（" + k.User + "）没有审核人认证，而 " + k.User + " 已有认证过的密钥"
			}
			c, ok := keys[k.CertifiedBy]
			if !ok || !signing.Verify(c.Pub, signing.CertMessage(k.User, k.Pub), k.Cert) {
				return "签名密钥 " + fp + "（" + k.User + "）的认证不成立"
			}
			switch role, ok := certRole[fp]; {
			case c.User == audit.RecoveryName:
				// the recovery key certifies only the root account's keys
				if r, ok := keys[root]; !ok || r.User != k.User {
					return "签名密钥 " + fp + "（" + k.User + "）是恢复码认证的，而恢复码只能为根密钥的账户认证"
				}
			case !ok:
				return "签名密钥 " + fp + "（" + k.User + "）的认证在记录链中没有记载"
			case role != audit.RoleSupervisor:
				return "签名密钥 " + fp + "（" + k.User + "）是 " + c.User + " 认证的，而 " + c.User + " 当时不是审核人"
			}
			if k.CertifiedBy == fp { // self-certified: only the root may be
				if fp != root {
					return "签名密钥 " + fp + "（" + k.User + "）自己认证自己，却不是工作区的根密钥"
				}
				return ""
			}
			fp = k.CertifiedBy
		}
		return "签名密钥 " + fp + " 的认证链过长"
	}
	hadKey := map[string]bool{} // accounts with a key at this point of the trail
	firstKey := ""
	for _, e := range trail {
		var p map[string]json.RawMessage
		if json.Unmarshal([]byte(e.Payload), &p) != nil {
			continue
		}
		signerFP, sig, body, _ := signing.Signed(e.Payload)
		switch {
		case sig != "":
			k, ok := keys[signerFP]
			switch {
			case !ok || k.User != e.User:
				bad("记录第 %d 条（%s，%s）的签名不是 %s 本人的签名密钥所签", e.Seq, e.Action, e.At, e.User)
			case !signing.Verify(k.Pub, signing.ActMessage(e.Action, e.User, body, e.PrevHash), sig):
				bad("记录第 %d 条（%s，%s）的签名不对：内容在签名之后被改过，或签名是伪造的", e.Seq, e.Action, e.At)
			default:
				switch why := certified(signerFP); why {
				case "":
				case pendingKey:
					r.Notes = append(r.Notes, fmt.Sprintf("记录第 %d 条（%s，%s）由 %s 的签名密钥签名，这把密钥还没有审核人认证（审核人下次登录时认证）", e.Seq, actLabel(e.Action), e.At, e.User))
				default:
					bad("记录第 %d 条（%s，%s）：%s", e.Seq, e.Action, e.At, why)
				}
			}
		case signedActs[e.Action] && hadKey[e.User]:
			bad("记录第 %d 条（%s，%s）没有签名，而 %s 当时已有签名密钥：这条可能是绕过本程序写进去的", e.Seq, actLabel(e.Action), e.At, e.User)
		}
		if e.Action == "key" {
			var name, fp, by string
			json.Unmarshal(p["name"], &name)
			json.Unmarshal(p["fingerprint"], &fp)
			json.Unmarshal(p["certified_by"], &by)
			hadKey[name] = true
			if firstKey == "" && fp == by {
				firstKey = fp // the first self-certified key: the root
			}
		}
	}
	// every key's certificate holds, used or not
	for _, fp := range sortedKeys(keys) {
		if why := certified(fp); why != "" && why != pendingKey {
			bad("%s", why)
		}
	}
	if root != "" && firstKey != "" && root != firstKey {
		bad("工作区的根密钥被换过：记录链中的根密钥是 %s，现在设置的是 %s", firstKey, root)
	}
	r.RootKey = root
	if root != "" {
		if _, ok := first[audit.RecoveryName]; !ok {
			r.Notes = append(r.Notes, "这个工作区还没有恢复码（由旧版本建立）：审核人可在“设置”中生成，打印后妥善保管")
		}
	}
	if root == "" && users > 0 {
		r.Notes = append(r.Notes, "这个工作区的签名还没有根密钥（由旧版本建立：第一位审核人登录后建立），签字还不能凭密钥核对")
	}
	return nil
}

// certifierRoles follows the accounts' roles through the trail and gives,
// for every key certified in it, the role its certifier's account had at
// that moment.
func certifierRoles(trail []TrailEntry, keys map[string]KeyRow) map[string]audit.Role {
	roles := map[string]audit.Role{}
	out := map[string]audit.Role{}
	for _, e := range trail {
		var p struct {
			Name, Role, Fingerprint string
			CertifiedBy             string `json:"certified_by"`
		}
		if json.Unmarshal([]byte(e.Payload), &p) != nil {
			continue
		}
		switch e.Action {
		case "user_add", "user_role":
			roles[p.Name] = audit.Role(p.Role)
		case "key", "key_certify":
			if c, ok := keys[p.CertifiedBy]; ok {
				out[p.Fingerprint] = roles[c.User]
			}
		}
	}
	return out
}

// pendingKey marks a key waiting for a supervisor's certificate.
const pendingKey = "pending"

func actLabel(a string) string {
	switch a {
	case "signoff":
		return "签字"
	case "reopen":
		return "退回"
	case "user_add":
		return "添加用户"
	case "user_role":
		return "修改角色"
	case "user_password":
		return "重设密码"
	case "user_disable", "user_enable":
		return "停用或启用账户"
	case "missing_note":
		return "缺报说明"
	case "recover":
		return "追回登记"
	case "rule_settings", "word_meaning":
		return "核查参数"
	case "village_rename", "village_confirm":
		return "村名修改"
	case "incident":
		return "事件说明"
	case "restore":
		return "恢复备份"
	case "recovery_code":
		return "生成恢复码"
	case "root_recovery":
		return "用恢复码重设密码"
	}
	return a
}
