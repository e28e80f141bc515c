package sqlite

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"

	"pensionaudit/audit"
)

// Roles.
const (
	RoleClerk      = "clerk"
	RoleSupervisor = "supervisor"
	RoleAuditor    = "auditor"
)

// RoleLabel is a role in Chinese.
func RoleLabel(r string) string {
	switch r {
	case RoleClerk:
		return "经办人"
	case RoleSupervisor:
		return "审核人"
	case RoleAuditor:
		return "查阅人"
	}
	return r
}

// User is a local account.
type User struct {
	Name     string `json:"name"`
	Role     string `json:"role"`
	Disabled bool   `json:"disabled,omitempty"`
}

// Argon2id parameters (OWASP's minimum for argon2id: 19 MiB, 2 passes).
const (
	kdfTime    = 2
	kdfMemory  = 19 * 1024
	kdfThreads = 1
	kdfKeyLen  = 32
)

func hashPassword(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, kdfTime, kdfMemory, kdfThreads, kdfKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", kdfMemory, kdfTime, kdfThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

func checkPassword(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 5 || parts[0] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[3])
	want, err2 := b64.DecodeString(parts[4])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// The commonest passwords (and their Chinese favourites) are refused.
var commonPasswords = map[string]bool{
	"12345678": true, "123456789": true, "1234567890": true, "87654321": true, "88888888": true, "66666666": true,
	"password": true, "password1": true, "passw0rd": true, "qwertyui": true, "qwerty123": true, "1qaz2wsx": true,
	"abcd1234": true, "abc12345": true, "a1234567": true, "aa123456": true, "11111111": true, "00000000": true,
	"5201314520": true, "woaini1314": true, "iloveyou": true, "admin123": true, "admin888": true, "123123123": true,
	"12341234": true, "11223344": true, "asdf1234": true, "zxcvbnm1": true, "q1w2e3r4": true, "1q2w3e4r": true,
	"123qweasd": true, "qweasdzxc": true, "admin1234": true, "root1234": true, "welcome1": true, "changeme": true,
}

// CheckPassword is the password policy: at least 8 characters, not one
// character repeated, not one of the commonest passwords.
func CheckPasswordPolicy(pw string) error {
	rs := []rune(pw)
	if len(rs) < 8 {
		return audit.Errorf(audit.ErrInvalid, "密码至少需要 8 个字符")
	}
	if strings.Count(pw, string(rs[0])) == len(rs) {
		return audit.Errorf(audit.ErrInvalid, "密码不能是同一个字符重复")
	}
	if commonPasswords[strings.ToLower(pw)] {
		return audit.Errorf(audit.ErrInvalid, "这个密码太常见，容易被猜到，请换一个")
	}
	return nil
}

// CleanUserName trims and NFC-normalises a name and refuses names with
// control, bidi or zero-width characters (王主任\u200b looks like 王主任).
func CleanUserName(name string) (string, error) {
	name = norm.NFC.String(strings.TrimSpace(name))
	if name == "" {
		return "", audit.Errorf(audit.ErrInvalid, "请用 --name 指定用户姓名")
	}
	if strings.ContainsFunc(name, audit.Invisible) {
		return "", audit.Errorf(audit.ErrInvalid, "用户名“%s”含有看不见的字符，会与别的名字看起来一样，请重新输入", audit.Escape(name, 40))
	}
	if len([]rune(name)) > 40 {
		return "", audit.Errorf(audit.ErrInvalid, "用户名太长")
	}
	return name, nil
}

// foldName is the form two names are compared in: compatibility forms,
// case and spaces folded (ＷＡＮＧ = wang, 王 主任 = 王主任).
func foldName(name string) string {
	return strings.Join(strings.Fields(strings.ToLower(norm.NFKC.String(name))), "")
}

func checkRole(role string) error {
	switch role {
	case RoleClerk, RoleSupervisor, RoleAuditor:
		return nil
	}
	return audit.Errorf(audit.ErrInvalid, "角色 %q 不对：应为 clerk（经办人）、supervisor（审核人）或 auditor（查阅人）", role)
}

// requireSupervisor checks, inside the transaction, that by is still an
// enabled supervisor.
func requireSupervisor(ctx context.Context, tx *sql.Tx, by *User, what string) error {
	if by == nil {
		return audit.Errorf(audit.ErrPermission, "%s须由审核人（supervisor）用自己的密码授权", what)
	}
	var role string
	var disabled int
	err := tx.QueryRowContext(ctx, `SELECT role, disabled FROM users WHERE name = ?`, by.Name).Scan(&role, &disabled)
	if err != nil || role != RoleSupervisor || disabled != 0 {
		return audit.Errorf(audit.ErrPermission, "%s须由审核人（supervisor）授权，%s 不是有效的审核人", what, by.Name)
	}
	return nil
}

// AddUser creates an account. Only the first account of a workspace is
// created without authentication, and it is always a supervisor (someone
// must be able to countersign and reopen); every later one needs an
// authenticated supervisor (by).
func (db *DB) AddUser(ctx context.Context, by *User, name, role, password string) (User, error) {
	name, err := CleanUserName(name)
	if err != nil {
		return User{}, err
	}
	if err := checkRole(role); err != nil {
		return User{}, err
	}
	if err := CheckPasswordPolicy(password); err != nil {
		return User{}, err
	}
	hash, err := hashPassword(password)
	if err != nil {
		return User{}, err
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return User{}, err
	}
	defer tx.Rollback()
	names, err := stringsOf(ctx, tx, `SELECT name FROM users`)
	if err != nil {
		return User{}, err
	}
	actor := name
	if len(names) == 0 {
		role = RoleSupervisor
	} else {
		if err := requireSupervisor(ctx, tx, by, "添加用户"); err != nil {
			return User{}, err
		}
		actor = by.Name
	}
	for _, n := range names {
		if foldName(n) == foldName(name) {
			return User{}, audit.Errorf(audit.ErrDuplicate, "用户 %s 已经存在（或与已有的 %s 写法只差全角半角、大小写或空格）", name, n)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO users (name, role, pw_hash, created_at, created_by) VALUES (?, ?, ?, ?, ?)`,
		name, role, hash, db.now(), actor); err != nil {
		if isConstraint(err) {
			return User{}, audit.Errorf(audit.ErrDuplicate, "用户 %s 已经存在", name)
		}
		return User{}, err
	}
	if err := db.appendTrail(ctx, tx, actor, "user_add", map[string]string{"name": name, "role": role}); err != nil {
		return User{}, err
	}
	return User{Name: name, Role: role}, tx.Commit()
}

// changeUser applies a supervisor's change to an account, keeping at least
// one enabled supervisor.
func (db *DB) changeUser(ctx context.Context, by *User, name, what, action string, payload map[string]any, stmt string, args ...any) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := requireSupervisor(ctx, tx, by, what); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, stmt, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return audit.Errorf(audit.ErrNotFound, "没有名为 %s 的用户", name)
	}
	var sups int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE role = 'supervisor' AND disabled = 0`).Scan(&sups); err != nil {
		return err
	}
	if sups == 0 {
		return audit.Errorf(audit.ErrConflict, "这样改之后工作区就没有可用的审核人了：请先添加另一位审核人")
	}
	payload["name"] = name
	if err := db.appendTrail(ctx, tx, by.Name, action, payload); err != nil {
		return err
	}
	return tx.Commit()
}

// SetRole changes an account's role (supervisor only).
func (db *DB) SetRole(ctx context.Context, by *User, name, role string) error {
	if err := checkRole(role); err != nil {
		return err
	}
	return db.changeUser(ctx, by, name, "修改角色", "user_role", map[string]any{"role": role},
		`UPDATE users SET role = ? WHERE name = ?`, role, name)
}

// ResetPassword sets a new password for an account (supervisor only) and
// clears its back-off.
func (db *DB) ResetPassword(ctx context.Context, by *User, name, password string) error {
	if err := CheckPasswordPolicy(password); err != nil {
		return err
	}
	hash, err := hashPassword(password)
	if err != nil {
		return err
	}
	return db.changeUser(ctx, by, name, "重设密码", "user_password", map[string]any{},
		`UPDATE users SET pw_hash = ?, failed = 0, locked_until = '' WHERE name = ?`, hash, name)
}

// SetDisabled disables or re-enables an account (supervisor only).
func (db *DB) SetDisabled(ctx context.Context, by *User, name string, disabled bool) error {
	action := "user_enable"
	if disabled {
		action = "user_disable"
	}
	return db.changeUser(ctx, by, name, "停用或启用账户", action, map[string]any{},
		`UPDATE users SET disabled = ? WHERE name = ?`, boolInt(disabled), name)
}

// backoff is how long an account waits after its n-th failed login in a row:
// nothing for the first three, then doubling from 2 s up to 15 minutes.
func backoff(n int) time.Duration {
	if n < 3 {
		return 0
	}
	d := time.Duration(1<<min(n-2, 10)) * time.Second
	return min(d, 15*time.Minute)
}

// errLogin is the one message for every failed login: unknown user, wrong
// password, disabled account or waiting out a back-off look the same.
func errLogin() error {
	return audit.Errorf(audit.ErrPermission, "用户名或密码不对（连续输错多次后须等待一段时间才能再试）")
}

// Authenticate checks a user's password. The read, the check and the
// update of the failure counter and back-off happen in one write
// transaction, so parallel attempts are each counted; an attempt during a
// back-off counts too, and extends it.
func (db *DB) Authenticate(ctx context.Context, name, password string) (User, error) {
	name = norm.NFC.String(strings.TrimSpace(name))
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return User{}, err
	}
	defer tx.Rollback()
	var u User
	var hash, locked string
	var failed, disabled int
	err = tx.QueryRowContext(ctx, `SELECT name, role, pw_hash, failed, locked_until, disabled FROM users WHERE name = ?`, name).
		Scan(&u.Name, &u.Role, &hash, &failed, &locked, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		checkPassword("argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", password) // same cost
		return User{}, errLogin()
	}
	if err != nil {
		return User{}, err
	}
	now := db.Now().UTC()
	waiting := false
	if until, err := time.Parse(time.RFC3339Nano, locked); err == nil && now.Before(until) {
		waiting = true
	}
	if waiting || !checkPassword(hash, password) || disabled != 0 {
		failed++
		until := ""
		if d := backoff(failed); d > 0 {
			until = now.Add(d).Format(time.RFC3339Nano)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET failed = ?, locked_until = ? WHERE name = ?`, failed, until, name); err != nil {
			return User{}, err
		}
		if err := tx.Commit(); err != nil {
			return User{}, err
		}
		return User{}, errLogin()
	}
	if failed > 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET failed = 0, locked_until = '' WHERE name = ?`, name); err != nil {
			return User{}, err
		}
	}
	return u, tx.Commit()
}

// Users lists the accounts.
func (db *DB) Users(ctx context.Context) ([]User, error) {
	var out []User
	err := db.eachRow(ctx, `SELECT name, role, disabled FROM users ORDER BY id`, nil, func(r *sql.Rows) error {
		var u User
		if err := r.Scan(&u.Name, &u.Role, &u.Disabled); err != nil {
			return err
		}
		out = append(out, u)
		return nil
	})
	return out, err
}
