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
	Name string `json:"name"`
	Role string `json:"role"`
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

// AddUser creates an account. The first account of a workspace is always a
// supervisor (someone must be able to countersign and reopen).
func (db *DB) AddUser(ctx context.Context, by, name, role, password string) (User, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return User{}, audit.Errorf(audit.ErrInvalid, "请用 --name 指定用户姓名")
	}
	switch role {
	case RoleClerk, RoleSupervisor, RoleAuditor:
	default:
		return User{}, audit.Errorf(audit.ErrInvalid, "角色 %q 不对：应为 clerk（经办人）、supervisor（审核人）或 auditor（查阅人）", role)
	}
	if len([]rune(password)) < 6 {
		return User{}, audit.Errorf(audit.ErrInvalid, "密码至少需要 6 个字符（从标准输入读取）")
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
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return User{}, err
	}
	if n == 0 {
		role = RoleSupervisor
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO users (name, role, pw_hash, created_at, created_by) VALUES (?, ?, ?, ?, ?)`,
		name, role, hash, db.now(), by); err != nil {
		if isConstraint(err) {
			return User{}, audit.Errorf(audit.ErrDuplicate, "用户 %s 已经存在", name)
		}
		return User{}, err
	}
	if err := db.appendTrail(ctx, tx, by, "user_add", map[string]string{"name": name, "role": role}); err != nil {
		return User{}, err
	}
	return User{Name: name, Role: role}, tx.Commit()
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

// Authenticate checks a user's password. Failed attempts are counted; after
// three in a row the account must wait before the next attempt.
func (db *DB) Authenticate(ctx context.Context, name, password string) (User, error) {
	var u User
	var hash, locked string
	var failed int
	err := db.db.QueryRowContext(ctx, `SELECT name, role, pw_hash, failed, locked_until FROM users WHERE name = ?`, name).
		Scan(&u.Name, &u.Role, &hash, &failed, &locked)
	if errors.Is(err, sql.ErrNoRows) {
		checkPassword("argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", password) // same cost
		return User{}, audit.Errorf(audit.ErrPermission, "用户名或密码不对")
	}
	if err != nil {
		return User{}, err
	}
	now := db.Now().UTC()
	if until, err := time.Parse(time.RFC3339Nano, locked); err == nil && now.Before(until) {
		return User{}, audit.Errorf(audit.ErrPermission, "密码连续输错 %d 次，请 %d 秒后再试", failed, int(until.Sub(now).Seconds())+1)
	}
	if !checkPassword(hash, password) {
		failed++
		until := ""
		if d := backoff(failed); d > 0 {
			until = now.Add(d).Format(time.RFC3339Nano)
		}
		if _, err := db.db.ExecContext(ctx, `UPDATE users SET failed = ?, locked_until = ? WHERE name = ?`, failed, until, name); err != nil {
			return User{}, err
		}
		return User{}, audit.Errorf(audit.ErrPermission, "用户名或密码不对（已连续输错 %d 次）", failed)
	}
	if failed > 0 {
		if _, err := db.db.ExecContext(ctx, `UPDATE users SET failed = 0, locked_until = '' WHERE name = ?`, name); err != nil {
			return User{}, err
		}
	}
	return u, nil
}

// Users lists the accounts.
func (db *DB) Users(ctx context.Context) ([]User, error) {
	var out []User
	err := db.eachRow(ctx, `SELECT name, role FROM users ORDER BY id`, nil, func(r *sql.Rows) error {
		var u User
		if err := r.Scan(&u.Name, &u.Role); err != nil {
			return err
		}
		out = append(out, u)
		return nil
	})
	return out, err
}
