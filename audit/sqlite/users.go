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

// HashPassword seals a password for storage (Argon2id, a fresh salt).
func HashPassword(pw string) (string, error) { return hashPassword(pw) }

// UserNames lists every account's name.
func (t *Tx) UserNames(ctx context.Context) ([]string, error) {
	return stringsOf(ctx, t.tx, `SELECT name FROM users`)
}

// InsertUser stores a new account (pwHash from HashPassword), created by
// createdBy, and appends the trail entry; audit.ErrDuplicate when the name
// is taken.
func (t *Tx) InsertUser(ctx context.Context, createdBy string, u audit.User, pwHash string) error {
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO users (name, role, pw_hash, created_at, created_by) VALUES (?, ?, ?, ?, ?)`,
		u.Name, u.Role, pwHash, t.now, createdBy); err != nil {
		if isConstraint(err) {
			return audit.ErrDuplicate
		}
		return err
	}
	return t.AppendTrail(ctx, createdBy, "user_add", map[string]string{"name": u.Name, "role": string(u.Role)})
}

// UserChange is one change to an account; nil fields stay as they are.
type UserChange struct {
	Role     *audit.Role
	PwHash   *string // also clears the failed-login back-off
	Disabled *bool
}

// ChangeUser applies a change to an account and appends the trail entry
// (action user_role, user_password, user_enable or user_disable);
// audit.ErrNotFound when there is no such account.
func (t *Tx) ChangeUser(ctx context.Context, by, name string, c UserChange) error {
	var stmt, action string
	var args []any
	payload := map[string]any{"name": name}
	switch {
	case c.Role != nil:
		stmt, action, args = `UPDATE users SET role = ? WHERE name = ?`, "user_role", []any{*c.Role, name}
		payload["role"] = string(*c.Role)
	case c.PwHash != nil:
		stmt, action, args = `UPDATE users SET pw_hash = ?, failed = 0, locked_until = '' WHERE name = ?`, "user_password", []any{*c.PwHash, name}
	case c.Disabled != nil:
		stmt, action, args = `UPDATE users SET disabled = ? WHERE name = ?`, "user_enable", []any{boolInt(*c.Disabled), name}
		if *c.Disabled {
			action = "user_disable"
		}
	default:
		return nil
	}
	res, err := t.tx.ExecContext(ctx, stmt, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return audit.ErrNotFound
	}
	return t.AppendTrail(ctx, by, action, payload)
}

// EnabledSupervisors counts the enabled supervisors.
func (t *Tx) EnabledSupervisors(ctx context.Context) (int, error) {
	var n int
	err := t.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE role = 'supervisor' AND disabled = 0`).Scan(&n)
	return n, err
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
func errLogin() error { return ErrBadLogin }

// ErrBadLogin is every failed login: unknown user, wrong password, disabled
// account or a back-off not yet over, alike.
var ErrBadLogin = errors.New("bad login")

// Authenticate checks a user's password. The read, the check and the
// update of the failure counter and back-off happen in one write
// transaction, so parallel attempts are each counted; an attempt during a
// back-off counts too, and extends it.
func (db *DB) Authenticate(ctx context.Context, name, password string) (audit.User, error) {
	name = norm.NFC.String(strings.TrimSpace(name))
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return audit.User{}, err
	}
	defer tx.Rollback()
	var u audit.User
	var hash, locked string
	var failed, disabled int
	err = tx.QueryRowContext(ctx, `SELECT name, role, pw_hash, failed, locked_until, disabled FROM users WHERE name = ?`, name).
		Scan(&u.Name, &u.Role, &hash, &failed, &locked, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		checkPassword("argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", password) // same cost
		return audit.User{}, errLogin()
	}
	if err != nil {
		return audit.User{}, err
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
			return audit.User{}, err
		}
		if err := tx.Commit(); err != nil {
			return audit.User{}, err
		}
		return audit.User{}, errLogin()
	}
	if failed > 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET failed = 0, locked_until = '' WHERE name = ?`, name); err != nil {
			return audit.User{}, err
		}
	}
	return u, tx.Commit()
}

// PasswordHash reads an account's password hash (a restore carries the
// restoring supervisor's credentials into the restored file).
func (db *DB) PasswordHash(ctx context.Context, name string) (string, error) {
	var h string
	err := db.db.QueryRowContext(ctx, `SELECT pw_hash FROM users WHERE name = ?`, name).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return "", audit.ErrNotFound
	}
	return h, err
}

// Users lists the accounts.
func (db *DB) Users(ctx context.Context) ([]audit.User, error) {
	var out []audit.User
	err := db.eachRow(ctx, `SELECT name, role, disabled FROM users ORDER BY id`, nil, func(r *sql.Rows) error {
		var u audit.User
		if err := r.Scan(&u.Name, &u.Role, &u.Disabled); err != nil {
			return err
		}
		out = append(out, u)
		return nil
	})
	return out, err
}

// PasswordMatches checks a password against a hash made by HashPassword
// (the county's accounts use the same scheme).
func PasswordMatches(hash, password string) bool { return checkPassword(hash, password) }
