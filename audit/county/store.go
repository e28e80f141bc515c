// Package county is the county level (县级): townships report their signed
// months as bundles (audit/bundle); the county enrols each township by its
// root key's fingerprint, imports their bundles — refused when a signature,
// the key or the checksum does not hold, or when the township's trail does
// not extend the last head the county received from it — and sees who
// reported on time, late, not at all or reopened, what they found and
// recovered, and what no township can see alone: the same person paid in
// two townships, a death recorded in one and payments in another.
//
// The store is one interface over two databases: an embedded SQLite file
// (a small county, a demo) and PostgreSQL (several county staff at once),
// chosen by the --db argument: a path, or a postgres:// URL.
package county

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"pensionaudit/audit"
	"pensionaudit/audit/sqlite"
)

// Store is a county's database.
type Store struct {
	db  *sql.DB
	pg  bool
	Now func() time.Time
}

// IsURL tells a PostgreSQL URL from a file path.
func IsURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens (and upgrades) a county store.
func Open(ctx context.Context, dsn string) (*Store, error) {
	s := &Store{pg: IsURL(dsn), Now: time.Now}
	var err error
	if s.pg {
		cfg, perr := pgx.ParseConfig(dsn)
		if perr != nil {
			return nil, audit.Errorf(audit.ErrInvalid, "数据库地址 %s 不对：%v", Redact(dsn), perr)
		}
		s.db = stdlib.OpenDB(*cfg)
	} else {
		s.db, err = sql.Open("sqlite", "file:"+dsn+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)")
		if err != nil {
			return nil, err
		}
	}
	if err := s.db.PingContext(ctx); err != nil {
		s.db.Close()
		return nil, audit.Errorf(audit.ErrIO, "无法连接县级数据库 %s：%v", Redact(dsn), err)
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

// Redact hides a URL's password (a file path is as it is).
func Redact(dsn string) string {
	if i := strings.Index(dsn, "://"); i >= 0 {
		if at := strings.LastIndex(dsn, "@"); at > i {
			if c := strings.Index(dsn[i+3:at], ":"); c >= 0 {
				return dsn[:i+3+c] + ":***" + dsn[at:]
			}
		}
	}
	return dsn
}

// Close closes the store.
func (s *Store) Close() error { return s.db.Close() }

// q rewrites ? placeholders as PostgreSQL's $1, $2 …
func (s *Store) q(query string) string {
	if !s.pg {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

var schema = []string{
	`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, role TEXT NOT NULL, pw_hash TEXT NOT NULL, created_at TEXT NOT NULL, created_by TEXT NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS townships (name TEXT PRIMARY KEY, fingerprint TEXT NOT NULL UNIQUE, enrolled_at TEXT NOT NULL, enrolled_by TEXT NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS bundles (id {ID}, township TEXT NOT NULL REFERENCES townships (name), period TEXT NOT NULL,
		sha256 TEXT NOT NULL UNIQUE, made_at TEXT NOT NULL, made_by TEXT NOT NULL, clerk_at TEXT NOT NULL, countersigned_at TEXT NOT NULL,
		countersigned_by TEXT NOT NULL, trail_seq BIGINT NOT NULL, trail_hash TEXT NOT NULL, found_fen BIGINT NOT NULL,
		to_recover_fen BIGINT NOT NULL, recovered_fen BIGINT NOT NULL, payees INTEGER NOT NULL, villages TEXT NOT NULL,
		imported_at TEXT NOT NULL, imported_by TEXT NOT NULL, superseded_by BIGINT)`,
	`CREATE INDEX IF NOT EXISTS bundles_period ON bundles (period, township)`,
	`CREATE TABLE IF NOT EXISTS payees (bundle_id BIGINT NOT NULL, id_number TEXT NOT NULL, name TEXT NOT NULL, village TEXT NOT NULL, amount_fen BIGINT NOT NULL)`,
	`CREATE INDEX IF NOT EXISTS payees_id ON payees (id_number, bundle_id)`,
	`CREATE INDEX IF NOT EXISTS payees_bundle ON payees (bundle_id)`,
	`CREATE TABLE IF NOT EXISTS deaths (bundle_id BIGINT NOT NULL, id_number TEXT NOT NULL, name TEXT NOT NULL, source TEXT NOT NULL, date TEXT NOT NULL)`,
	`CREATE INDEX IF NOT EXISTS deaths_id ON deaths (id_number, bundle_id)`,
	`CREATE TABLE IF NOT EXISTS findings (bundle_id BIGINT NOT NULL, finding_id BIGINT NOT NULL, rule TEXT NOT NULL, id_number TEXT NOT NULL,
		name TEXT NOT NULL, village TEXT NOT NULL, amount_fen BIGINT NOT NULL, status TEXT NOT NULL, evidence TEXT NOT NULL,
		decision TEXT NOT NULL, action TEXT NOT NULL, recovered_fen BIGINT NOT NULL)`,
	`CREATE INDEX IF NOT EXISTS findings_bundle ON findings (bundle_id)`,
	`CREATE TABLE IF NOT EXISTS log (id {ID}, at TEXT NOT NULL, user_name TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL)`,
}

func (s *Store) migrate(ctx context.Context) error {
	id := "INTEGER PRIMARY KEY"
	if s.pg {
		id = "BIGSERIAL PRIMARY KEY"
	}
	for _, st := range schema {
		if _, err := s.db.ExecContext(ctx, strings.ReplaceAll(st, "{ID}", id)); err != nil {
			return fmt.Errorf("县级数据库建表失败：%w", err)
		}
	}
	return nil
}

func (s *Store) now() string { return s.Now().UTC().Format(time.RFC3339) }

// Init names the county (once).
func (s *Store) Init(ctx context.Context, county string) error {
	county = strings.TrimSpace(county)
	if county == "" {
		return audit.Errorf(audit.ErrInvalid, "请写明县(区)名称")
	}
	if old, _ := s.County(ctx); old != "" && old != county {
		return audit.Errorf(audit.ErrConflict, "这个数据库已经是 %s 的", old)
	}
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO meta (key, value) VALUES ('county', ?) ON CONFLICT (key) DO NOTHING`), county)
	return err
}

// County is the county's name ("" before Init).
func (s *Store) County(ctx context.Context) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'county'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

func (s *Store) log(ctx context.Context, ex interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, user, action, detail string) error {
	_, err := ex.ExecContext(ctx, s.q(`INSERT INTO log (at, user_name, action, detail) VALUES (?, ?, ?, ?)`), s.now(), user, action, detail)
	return err
}

// User is a county account.
type User struct {
	Name string
	Role audit.Role
}

// AddUser adds an account: the first needs no one and is a supervisor;
// every later one is added by a supervisor.
func (s *Store) AddUser(ctx context.Context, by *User, name string, role audit.Role, password string) error {
	name, err := audit.CleanUserName(name)
	if err != nil {
		return err
	}
	if _, err := audit.ParseRole(string(role)); err != nil {
		return err
	}
	if err := audit.CheckPassword(password); err != nil {
		return err
	}
	hash, err := sqlite.HashPassword(password)
	if err != nil {
		return err
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return err
	}
	actor := name
	switch {
	case n == 0:
		role = audit.RoleSupervisor
	case by == nil || by.Role != audit.RoleSupervisor:
		return audit.Errorf(audit.ErrPermission, "添加用户须由县级审核人用自己的密码授权")
	default:
		actor = by.Name
	}
	if _, err := s.db.ExecContext(ctx, s.q(`INSERT INTO users (name, role, pw_hash, created_at, created_by) VALUES (?, ?, ?, ?, ?)`),
		name, string(role), hash, s.now(), actor); err != nil {
		return audit.Errorf(audit.ErrDuplicate, "用户 %s 已经存在", name)
	}
	return s.log(ctx, s.db, actor, "user_add", name+" "+string(role))
}

// Login checks an account's password.
func (s *Store) Login(ctx context.Context, name, password string) (*User, error) {
	var u User
	var hash string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT name, role, pw_hash FROM users WHERE name = ?`), strings.TrimSpace(name)).Scan(&u.Name, &u.Role, &hash)
	if err != nil || !sqlite.PasswordMatches(hash, password) {
		return nil, audit.Errorf(audit.ErrPermission, "用户名或密码不对")
	}
	return &u, nil
}

// Township is an enrolled township.
type Township struct {
	Name, Fingerprint, EnrolledAt, EnrolledBy string
}

// Enrol enrols a township by its root key's fingerprint, read off its
// printed sign-off sheet (a supervisor).
func (s *Store) Enrol(ctx context.Context, by *User, name, fingerprint string) error {
	if by == nil || by.Role != audit.RoleSupervisor {
		return audit.Errorf(audit.ErrPermission, "登记乡镇须由县级审核人进行")
	}
	name, fingerprint = strings.TrimSpace(name), strings.ToLower(strings.TrimSpace(fingerprint))
	if name == "" || len(fingerprint) != 32 || strings.Trim(fingerprint, "0123456789abcdef") != "" {
		return audit.Errorf(audit.ErrInvalid, "根密钥指纹应是签字表上印的 32 位十六进制数字（乡镇：%s）", name)
	}
	if _, err := s.db.ExecContext(ctx, s.q(`INSERT INTO townships (name, fingerprint, enrolled_at, enrolled_by) VALUES (?, ?, ?, ?)`),
		name, fingerprint, s.now(), by.Name); err != nil {
		return audit.Errorf(audit.ErrDuplicate, "乡镇 %s 或指纹 %s 已经登记过", name, fingerprint)
	}
	return s.log(ctx, s.db, by.Name, "enrol", name+" "+fingerprint)
}

// Townships lists the enrolled townships.
func (s *Store) Townships(ctx context.Context) ([]Township, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, fingerprint, enrolled_at, enrolled_by FROM townships ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Township
	for rows.Next() {
		var t Township
		if err := rows.Scan(&t.Name, &t.Fingerprint, &t.EnrolledAt, &t.EnrolledBy); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Analyze refreshes the planner's statistics after large loads (PostgreSQL;
// SQLite's ANALYZE likewise).
func (s *Store) Analyze(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, "ANALYZE")
	return err
}

// Users lists the accounts' names.
func (s *Store) Users(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name FROM users ORDER BY created_at, name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
