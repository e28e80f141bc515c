package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"pensionaudit/audit"
	"pensionaudit/audit/signing"
)

// Tx is one use case's write transaction. The DSN begins every transaction
// IMMEDIATE, so from the first statement on nobody else writes: whatever
// the use case reads through the Tx (an account's role, a month's lock, the
// batches a check saw) is still true when it commits. Tx stores and answers;
// it decides nothing — the policy is the caller's (audit, audit/workspace).
type Tx struct {
	db  *DB
	tx  *sql.Tx
	now string
	// guarded are the scopes compared with the trail before this write
	// touched them (see guard.go)
	guarded map[string]bool
	// signer signs this write's trail entries (keys.go)
	signer *signing.Key
}

// Update runs fn in one write transaction and commits it when fn returns
// nil; any error rolls everything back, the trail entry included.
//
// Before fn runs, every whole table is compared with what the trail last
// recorded (guard.go): a change made outside the program refuses the write
// (*Altered), so that no write chains over it.
func (db *DB) Update(ctx context.Context, fn func(*Tx) error) error {
	return db.update(ctx, true, fn)
}

func (db *DB) update(ctx context.Context, guard bool, fn func(*Tx) error) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return classify(err)
	}
	defer tx.Rollback()
	t := &Tx{db: db, tx: tx, now: db.now()}
	if guard {
		a, err := db.altered(ctx, tx, true)
		if err != nil {
			return classify(err)
		}
		if a != nil {
			return a
		}
	}
	if err := fn(t); err != nil {
		return classify(err)
	}
	return classify(tx.Commit())
}

// View runs fn in a read transaction (one snapshot); fn must not write.
func (db *DB) View(ctx context.Context, fn func(*Tx) error) error {
	tx, err := db.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return classify(err)
	}
	defer tx.Rollback()
	return classify(fn(&Tx{db: db, tx: tx, now: db.now()}))
}

// Now is the transaction's time (RFC 3339, UTC), the same for everything it writes.
func (t *Tx) Now() string { return t.now }

// Clock is the store's clock.
func (t *Tx) Clock() time.Time { return t.db.Now() }

// AppendTrail adds the trail entry of the change (see appendTrail).
// A scope beyond the whole tables must have been guarded by this write
// (Guard) before it touched it: otherwise the entry could re-record a change
// made outside the program.
func (t *Tx) AppendTrail(ctx context.Context, user, action string, payload any, scopes ...string) error {
	for _, s := range scopes {
		if !t.guarded[s] {
			return fmt.Errorf("internal: %s recorded without being compared with the trail first", s)
		}
	}
	return t.db.appendTrailSigned(ctx, t.tx, user, action, payload, nil, t.signer, scopes...)
}

// User reads an account as it stands now; audit.ErrNotFound when there is none.
func (t *Tx) User(ctx context.Context, name string) (audit.User, error) {
	return userOf(ctx, t.tx, name)
}

func userOf(ctx context.Context, q querier, name string) (audit.User, error) {
	var u audit.User
	var disabled int
	err := q.QueryRowContext(ctx, `SELECT name, role, disabled FROM users WHERE name = ?`, name).Scan(&u.Name, &u.Role, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return audit.User{}, audit.ErrNotFound
	}
	u.Disabled = disabled != 0
	return u, err
}

// Lock reads a month's standing signatures.
func (t *Tx) Lock(ctx context.Context, p audit.Month) (audit.Lock, error) {
	return lockOf(ctx, t.tx, p)
}

func lockOf(ctx context.Context, q querier, p audit.Month) (audit.Lock, error) {
	l := audit.Lock{Period: p}
	if p == 0 {
		return l, nil
	}
	var err error
	l.Clerk, l.Supervisor, err = lockState(ctx, q, p.String())
	return l, err
}

// Readiness reads what decides whether month p may be signed.
func (t *Tx) Readiness(ctx context.Context, p audit.Month) (audit.Readiness, error) {
	return readiness(ctx, t.tx, p)
}

// InputBatches are the current batches a check of p reads.
func (t *Tx) InputBatches(ctx context.Context, p audit.Month) ([]int64, error) {
	return inputBatches(ctx, t.tx, p)
}

// Fingerprint is the month's fingerprint over the given batches.
func (t *Tx) Fingerprint(ctx context.Context, p audit.Month, batches []int64) (string, error) {
	return fingerprint(ctx, t.tx, p, batches)
}

// NewestBatch is the highest batch number (0 when nothing is imported):
// a check records the one it read up to.
func (t *Tx) NewestBatch(ctx context.Context) (int64, error) {
	return newestBatch(ctx, t.tx)
}

func newestBatch(ctx context.Context, q querier) (int64, error) {
	var n sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT MAX(id) FROM batches`).Scan(&n)
	return n.Int64, err
}

// HasRoster reports whether a current payout roster of month p is stored.
func (t *Tx) HasRoster(ctx context.Context, p audit.Month) (bool, error) {
	var n int
	err := t.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM batches WHERE kind = 'payouts' AND superseded_by IS NULL AND period = ?`, p.String()).Scan(&n)
	return n > 0, err
}

// Setting reads a setting inside the transaction ("" when unset).
func (t *Tx) Setting(ctx context.Context, key string) (string, error) {
	return settingOf(ctx, t.tx, key)
}

// SetSettings writes settings (no trail entry: the caller appends one).
func (t *Tx) SetSettings(ctx context.Context, kv map[string]string) error {
	for k, v := range kv {
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, k, v); err != nil {
			return err
		}
	}
	return nil
}

// AddVillages registers villages of the township (source: config, roster, report).
func (t *Tx) AddVillages(ctx context.Context, source string, names []string) error {
	return t.db.addVillages(ctx, t.tx, source, names)
}

// classify gives a storage failure its kind (audit.ErrDiskFull, ErrReadOnly,
// ErrBusy, ErrIO, ErrInvalid for a damaged file), keeping the driver's error
// beneath it; each front end words the kind its own way.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var ae *audit.Error
	if errors.As(err, &ae) {
		return err
	}
	if kind := storageKind(err); kind != nil {
		return &storageError{kind: kind, err: err}
	}
	return err
}

type storageError struct {
	kind error
	err  error
}

func (e *storageError) Error() string { return e.err.Error() }

func (e *storageError) Unwrap() []error { return []error{e.kind, e.err} }
