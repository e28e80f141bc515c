// Package sqlite is the workspace store: one SQLite file per township, with
// embedded numbered migrations, pragmas in the DSN, one transaction per use
// case, and an append-only hash-chained trail written in the same
// transaction as the change it records.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"pensionaudit/audit"
	"pensionaudit/audit/signing"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is an open workspace.
type DB struct {
	db       *sql.DB
	Path     string
	ReadOnly bool // opened with OpenReadOnly
	// Now is the clock; tests fix it so hashes and reports are repeatable.
	Now func() time.Time
	// rec: what the trail last recorded per scope (guard.go)
	rec recordedCache
}

// Open opens (creating if needed) the workspace at path and migrates it.
func Open(ctx context.Context, path string) (*DB, error) {
	return open(ctx, path, 65536)
}

// open opens path with a page cache of cacheKB KiB per pooled connection
// (the window uses a smaller one: its screens query from several goroutines,
// one connection and one cache each).
func open(ctx context.Context, path string, cacheKB int) (*DB, error) {
	q := url.Values{}
	for _, p := range []string{"foreign_keys(1)", "journal_mode(WAL)", "busy_timeout(10000)", "synchronous(NORMAL)",
		"cache_size(-" + strconv.Itoa(cacheKB) + ")", "temp_store(MEMORY)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()
	sdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db := &DB{db: sdb, Path: path, Now: time.Now}
	if err := db.migrate(ctx); err != nil {
		sdb.Close()
		return nil, err
	}
	return db, nil
}

// ErrNotWorkspace is a file that is not one of our workspaces.
var ErrNotWorkspace = errors.New("not a workspace")

// OpenReadOnly opens an existing workspace for reading only: no migrations,
// no journal change, nothing written, so it works on read-only media and
// while another process writes. A workspace that an older version made and
// that needs migrating says so; a file that is not a workspace is refused.
func OpenReadOnly(ctx context.Context, path string) (*DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, audit.ErrNotFound
	}
	open := func(extra string) (*DB, error) {
		q := url.Values{}
		q.Add("_pragma", "busy_timeout(10000)")
		q.Add("_pragma", "query_only(1)")
		sdb, err := sql.Open("sqlite", "file:"+path+"?mode=ro"+extra+"&"+q.Encode())
		if err != nil {
			return nil, err
		}
		db := &DB{db: sdb, Path: path, Now: time.Now, ReadOnly: true}
		if err := db.checkWorkspace(ctx, true); err != nil {
			sdb.Close()
			return nil, err
		}
		return db, nil
	}
	db, err := open("")
	var se *msqlite.Error
	if err != nil && errors.As(err, &se) && (se.Code()&0xff == sqlite3.SQLITE_CANTOPEN || se.Code()&0xff == sqlite3.SQLITE_READONLY) {
		// read-only media: SQLite cannot make the WAL index; nothing can
		// change the file there, so read it as immutable
		db, err = open("&immutable=1")
	}
	if err != nil {
		return nil, classify(err)
	}
	return db, nil
}

// checkWorkspace refuses a database that is not a workspace, and (when
// migrated is set) one whose migrations are not all applied.
func (db *DB) checkWorkspace(ctx context.Context, migrated bool) error {
	tables, err := tableNames(ctx, db.db)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, t := range tables {
		have[t] = true
	}
	if !have["settings"] || !have["trail"] || !have["migrations"] || !have["batches"] {
		return ErrNotWorkspace
	}
	if !migrated {
		return nil
	}
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return err
	}
	for _, n := range names {
		var k int
		if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM migrations WHERE name = ?`, n).Scan(&k); err != nil {
			return err
		}
		if k == 0 {
			// a version row deleted by hand is not an older version: open
			// it, so that verify can say what changed
			if a, err := db.altered(ctx, db.db, false, tableScope("migrations")); err == nil && a != nil {
				return nil
			}
			return ErrNeedsUpgrade
		}
	}
	return nil
}

// MigrationError is a migration that failed (the file is left as it was).
type MigrationError struct {
	Name string
	Err  error
}

func (e *MigrationError) Error() string { return "migration " + e.Name + ": " + e.Err.Error() }

// Unwrap gives the cause (a full disk, a read-only file …).
func (e *MigrationError) Unwrap() error { return e.Err }

// ErrNeedsUpgrade is a workspace an older version made, opened read-only.
var ErrNeedsUpgrade = errors.New("workspace needs upgrading")

// OpenExisting opens a workspace for writing, after checking — without
// touching the file — that it is one: a foreign SQLite file never gets our
// tables added.
func OpenExisting(ctx context.Context, path string) (*DB, error) {
	return OpenExistingCache(ctx, path, 65536)
}

// OpenExistingCache is OpenExisting with a page cache of cacheKB KiB per
// connection.
func OpenExistingCache(ctx context.Context, path string, cacheKB int) (*DB, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, audit.ErrNotFound
	}
	if st.Size() > 0 {
		probe, err := OpenReadOnly(ctx, path)
		if err != nil && !errors.Is(err, ErrNeedsUpgrade) {
			return nil, err
		}
		if probe != nil {
			probe.Close()
		}
	}
	return open(ctx, path, cacheKB)
}

// Close closes the database.
func (db *DB) Close() error { return db.db.Close() }

// SQL exposes the handle for read-only queries in tests and tools.
func (db *DB) SQL() *sql.DB { return db.db }

func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return err
	}
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		if err := db.migrateFile(ctx, name); err != nil {
			return &MigrationError{Name: name, Err: err}
		}
	}
	return nil
}

func (db *DB) migrateFile(ctx context.Context, name string) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM migrations WHERE name = ?`, name).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	body, err := migrationFS.ReadFile(name)
	if err != nil {
		return err
	}
	// what was changed outside the program before the upgrade stays
	// unrecorded by it (guard.go): still reported, until an incident says
	// why; and a version row deleted by hand does not make the program
	// re-run a migration over what it already did
	trail, err := hasTrail(ctx, tx)
	if err != nil {
		return err
	}
	var altered *Altered
	if trail {
		if altered, err = db.alteredAll(ctx, tx); err != nil {
			return err
		}
	}
	if altered != nil {
		for _, k := range altered.Scopes {
			if k == tableScope("migrations") {
				return altered
			}
		}
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO migrations (name, applied_at) VALUES (?, ?)`, name, db.Now().UTC().Format(time.RFC3339)); err != nil {
		return err
	}
	// a workspace that already has a trail records the upgrade in it, with
	// the digest of every scope: a new table or column is then covered at
	// once, and verify does not take the upgrade for tampering
	if trail {
		scopes, err := currentScopes(ctx, tx)
		if err != nil {
			return err
		}
		payload := map[string]any{"migration": path.Base(name)}
		skip := map[string]bool{}
		if altered != nil {
			payload["not_recorded"] = altered.Changes
			for _, k := range altered.Scopes {
				skip[k] = true
			}
		}
		var keep []string
		for _, k := range scopes {
			if !skip[k] && !strings.HasPrefix(k, "table:") {
				keep = append(keep, k)
			}
		}
		if err := db.appendTrailSkip(ctx, tx, "（数据库升级）", "migrate", payload, skip, keep...); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func (db *DB) now() string { return db.Now().UTC().Format(time.RFC3339Nano) }

// Setting reads a setting; "" when unset.
func (db *DB) Setting(ctx context.Context, key string) (string, error) {
	return settingOf(ctx, db.db, key)
}

func settingOf(ctx context.Context, q querier, key string) (string, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// Township is the workspace's township name; audit.ErrNotFound before init.
func (db *DB) Township(ctx context.Context) (string, error) {
	v, err := db.Setting(ctx, "township")
	if err != nil {
		return "", err
	}
	if v == "" {
		return "", audit.ErrNotFound
	}
	return v, nil
}

func (db *DB) addVillages(ctx context.Context, tx *sql.Tx, source string, names []string) error {
	for _, n := range names {
		if n = strings.TrimSpace(n); n == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO villages (name, source, created_at)
			SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM village_aliases WHERE alias = ?)`, n, source, db.now(), n); err != nil {
			return err
		}
	}
	return nil
}

// VillageList lists the township's villages with whether a supervisor has
// confirmed each (or configured it); those only a roster brought are not.
func (db *DB) VillageList(ctx context.Context) (names []string, confirmed map[string]bool, err error) {
	confirmed = map[string]bool{}
	err = db.eachRow(ctx, `SELECT name, source FROM villages ORDER BY name`, nil, func(r *sql.Rows) error {
		var n, src string
		if err := r.Scan(&n, &src); err != nil {
			return err
		}
		names = append(names, n)
		confirmed[n] = src == "config"
		return nil
	})
	return names, confirmed, err
}

// ConfirmVillage marks a village a supervisor confirmed (source config);
// audit.ErrNotFound when there is none. The caller appends the trail entry.
func (t *Tx) ConfirmVillage(ctx context.Context, name string) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE villages SET source = 'config' WHERE name = ?`, name)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return audit.ErrNotFound
	}
	return nil
}

// Villages lists the township's villages, sorted.
func (db *DB) Villages(ctx context.Context) ([]string, error) {
	return stringsOf(ctx, db.db, `SELECT name FROM villages ORDER BY name`)
}

// Head is the trail's last entry (zero when the trail is empty).
func (db *DB) Head(ctx context.Context) (TrailEntry, error) {
	var e TrailEntry
	err := db.db.QueryRowContext(ctx, `SELECT seq, hash FROM trail ORDER BY seq DESC LIMIT 1`).Scan(&e.Seq, &e.Hash)
	if errors.Is(err, sql.ErrNoRows) {
		return e, nil
	}
	return e, err
}

// BackupTo writes a consistent copy of the whole workspace to dest (which
// must not exist), as of one moment, while others may keep reading and
// writing.
func (db *DB) BackupTo(ctx context.Context, dest string) error {
	_, err := db.db.ExecContext(ctx, `VACUUM INTO ?`, dest)
	return err
}

// TrailEntry is one link of the hash chain.
type TrailEntry = audit.TrailEntry

// appendTrail adds an entry in the caller's transaction. Payloads never hold
// ID numbers: they name files, batches, findings and counts. Every entry
// carries "state": the digest of every whole table and of the extra scopes
// (a batch, a month's findings) the write touched — see state.go.
func (db *DB) appendTrail(ctx context.Context, tx *sql.Tx, user, action string, payload any, scopes ...string) error {
	return db.appendTrailSkip(ctx, tx, user, action, payload, nil, scopes...)
}

// appendTrailSkip is appendTrail leaving out of the entry's state the
// scopes in skip (an upgrade does not re-record what changed before it).
func (db *DB) appendTrailSkip(ctx context.Context, tx *sql.Tx, user, action string, payload any, skip map[string]bool, scopes ...string) error {
	return db.appendTrailSigned(ctx, tx, user, action, payload, skip, nil, scopes...)
}

// appendTrailSigned is appendTrailSkip with the entry signed by signer
// (nil: unsigned): the signature covers the action, the actor, the content
// with its digests, and the hash of the entry before (signing.ActMessage).
func (db *DB) appendTrailSigned(ctx context.Context, tx *sql.Tx, user, action string, payload any, skip map[string]bool, signer *signing.Key, scopes ...string) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	fields := map[string]json.RawMessage{}
	if err := json.Unmarshal(body, &fields); err != nil {
		return err
	}
	state, err := stateOf(ctx, tx, scopes)
	if err != nil {
		return err
	}
	for k := range skip {
		delete(state, k)
	}
	if fields["state"], err = json.Marshal(state); err != nil {
		return err
	}
	if body, err = json.Marshal(fields); err != nil {
		return err
	}
	e := TrailEntry{At: db.now(), User: user, Action: action}
	err = tx.QueryRowContext(ctx, `SELECT seq, hash FROM trail ORDER BY seq DESC LIMIT 1`).Scan(&e.Seq, &e.PrevHash)
	if errors.Is(err, sql.ErrNoRows) {
		e.Seq, e.PrevHash = 0, strings.Repeat("0", 64)
	} else if err != nil {
		return err
	}
	if signer != nil {
		sig := signer.Sign(signing.ActMessage(action, user, string(body), e.PrevHash))
		fields["signer"], _ = json.Marshal(signer.Fingerprint())
		fields["sig"], _ = json.Marshal(hex.EncodeToString(sig))
		if body, err = json.Marshal(fields); err != nil {
			return err
		}
	}
	e.Payload = string(body)
	e.Seq++
	e.Hash = e.ComputeHash()
	_, err = tx.ExecContext(ctx, `INSERT INTO trail (seq, at, user_name, action, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, e.At, e.User, e.Action, e.Payload, e.PrevHash, e.Hash)
	return err
}

// Trail returns the entries in order.
func (db *DB) Trail(ctx context.Context) ([]TrailEntry, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT seq, at, user_name, action, payload, prev_hash, hash FROM trail ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []TrailEntry
	for rows.Next() {
		var e TrailEntry
		if err := rows.Scan(&e.Seq, &e.At, &e.User, &e.Action, &e.Payload, &e.PrevHash, &e.Hash); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// isConstraint reports whether err is a SQLite constraint violation.
func isConstraint(err error) bool {
	var se *msqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT
}

// storageKind is the kind of a storage failure, nil for other errors.
func storageKind(err error) error {
	var se *msqlite.Error
	if !errors.As(err, &se) {
		return nil
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_FULL:
		return audit.ErrDiskFull
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN:
		return audit.ErrReadOnly
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return audit.ErrBusy
	case sqlite3.SQLITE_IOERR:
		return audit.ErrIO
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return ErrDamaged
	}
	return nil
}

// ErrDamaged is a workspace file SQLite cannot read as a database.
var ErrDamaged = errors.New("damaged workspace")

// Classify is classify for callers outside a transaction.
func Classify(err error) error { return classify(err) }

// RenameVillage renames a village of the township, or merges it into
// another that exists already: the township's list and the remembered
// column mappings change, imported rows keep the name their file gave, and
// the old name is kept as an alias so that later rosters do not add it
// again. It reports whether it merged; audit.ErrNotFound when there is no
// village from. The caller checks who may, and appends the trail entry.
func (t *Tx) RenameVillage(ctx context.Context, user, from, to string) (merged bool, err error) {
	tx := t.tx
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM villages WHERE name = ?`, from).Scan(&n); err != nil {
		return false, err
	}
	if n == 0 {
		return false, audit.ErrNotFound
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM villages WHERE name = ?`, to).Scan(&n); err != nil {
		return false, err
	}
	merged = n > 0
	if merged {
		_, err = tx.ExecContext(ctx, `DELETE FROM villages WHERE name = ?`, from)
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE villages SET name = ? WHERE name = ?`, to, from)
	}
	if err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE mappings SET village = ? WHERE village = ?
		AND NOT EXISTS (SELECT 1 FROM mappings m WHERE m.kind = mappings.kind AND m.village = ?)`, to, from, to); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO village_aliases (alias, name, user_name, at) VALUES (?, ?, ?, ?)
		ON CONFLICT (alias) DO UPDATE SET name = excluded.name, user_name = excluded.user_name, at = excluded.at`, from, to, user, t.now); err != nil {
		return false, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE village_aliases SET name = ? WHERE name = ?`, to, from)
	return merged, err
}
