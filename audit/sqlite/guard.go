package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Verify before extend. Every trail entry records the digest of every
// whole table and of the scopes it touched; were a write to digest the
// store as it finds it, a change made outside the program (sqlite3 on the
// file) would be chained into the record by the next ordinary write and
// verify would pass. So every write first compares what it is about to
// re-record — the whole tables, and the batch or month it touches — with
// the digests the trail last recorded, and refuses on any difference: the
// workspace stays read-only until a supervisor records an incident saying
// why (Incident), the one write that records a change it did not make.

// Altered is a write refused because the store changed since the trail last
// recorded it; Changes says what, in verify's words.
type Altered struct {
	Changes []string
	Scopes  []string
	// Chain: the trail itself (or a trigger guarding it) was changed; no
	// incident can be recorded over that, only a backup restored
	Chain bool
}

func (e *Altered) Error() string {
	return "workspace altered outside the program: " + strings.Join(e.Scopes, ", ")
}

// recordedCache keeps the digests the trail last recorded per scope, read
// once and then only the entries after the ones already read.
type recordedCache struct {
	mu    sync.Mutex
	seq   int64
	hash  string
	state map[string]string
	at    map[string]int64
}

// recorded returns the digest the trail last recorded for each scope and
// the entry that recorded it, as q sees the trail.
func (db *DB) recorded(ctx context.Context, q querier) (map[string]string, map[string]int64, error) {
	c := &db.rec
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seq > 0 {
		var h string
		err := q.QueryRowContext(ctx, `SELECT hash FROM trail WHERE seq = ?`, c.seq).Scan(&h)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, nil, err
		}
		if h != c.hash { // the trail was rewritten under us: read it all again
			c.seq, c.hash, c.state, c.at = 0, "", nil, nil
		}
	}
	if c.state == nil {
		c.state, c.at = map[string]string{}, map[string]int64{}
	}
	if c.seq == 0 {
		// the first reading of this trail: the triggers that guard it too
		if a, err := alteredTriggers(ctx, q); err != nil || a != nil {
			if a != nil {
				return nil, nil, a
			}
			return nil, nil, err
		}
	}
	rows, err := q.QueryContext(ctx, `SELECT seq, at, user_name, action, payload, prev_hash, hash FROM trail WHERE seq > ? ORDER BY seq`, c.seq)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	prev := c.hash
	if c.seq == 0 {
		prev = strings.Repeat("0", 64)
	}
	for rows.Next() {
		var e TrailEntry
		if err := rows.Scan(&e.Seq, &e.At, &e.User, &e.Action, &e.Payload, &e.PrevHash, &e.Hash); err != nil {
			return nil, nil, err
		}
		// each link read is checked as verify checks it: a chain broken
		// under the program is never extended
		if e.Seq != c.seq+1 || e.PrevHash != prev || e.ComputeHash() != e.Hash {
			c.seq, c.hash, c.state, c.at = 0, "", nil, nil
			return nil, nil, &Altered{Chain: true, Changes: []string{fmt.Sprintf("记录链在第 %d 条处被改动过（序号、上一条的哈希或本条内容不符）", e.Seq)}}
		}
		var p struct {
			State map[string]string `json:"state"`
		}
		if json.Unmarshal([]byte(e.Payload), &p) == nil {
			for k, v := range p.State {
				c.state[k], c.at[k] = v, e.Seq
			}
		}
		c.seq, c.hash, prev = e.Seq, e.Hash, e.Hash
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	state, at := make(map[string]string, len(c.state)), make(map[string]int64, len(c.at))
	for k, v := range c.state {
		state[k], at[k] = v, c.at[k]
	}
	return state, at, nil
}

// altered compares scopes (all whole tables when whole is set, plus extra)
// with what the trail last recorded. A scope the trail never recorded is a
// change only when it holds rows (a new batch or month is not).
func (db *DB) altered(ctx context.Context, q querier, whole bool, extra ...string) (*Altered, error) {
	rec, at, err := db.recorded(ctx, q)
	var chain *Altered
	if errors.As(err, &chain) {
		return chain, nil
	}
	if err != nil || len(rec) == 0 {
		return nil, err // no trail yet: nothing to compare with
	}
	var keys []string
	if whole {
		if keys, err = wholeTables(ctx, q); err != nil {
			return nil, err
		}
		have := map[string]bool{}
		for _, k := range keys {
			have[k] = true
		}
		for k := range rec {
			if strings.HasPrefix(k, "table:") && !have[k] {
				keys = append(keys, k) // a recorded table that is gone
			}
		}
	}
	keys = append(keys, extra...)
	sort.Strings(keys)
	var out Altered
	names := batchNamesOf(ctx, q)
	seen := map[string]bool{}
	for _, k := range keys {
		if seen[k] {
			continue
		}
		seen[k] = true
		if k == tableScope("migrations") && rec[k] == "" {
			continue // recorded from the first entry after this version on
		}
		now, err := scopeDigest(ctx, q, k)
		if err != nil {
			out.Changes = append(out.Changes, describeScope(k, names)+" 已不存在：被删除了")
			out.Scopes = append(out.Scopes, k)
			continue
		}
		recorded, ok := rec[k]
		switch {
		case !ok && strings.HasPrefix(k, "table:"):
			out.Changes = append(out.Changes, describeScope(k, names)+" 在记录链中没有任何记录：是绕过本程序直接写进数据库的")
		case !ok:
			has, err := scopeHasRows(ctx, q, k)
			if err != nil {
				return nil, err
			}
			if !has {
				continue
			}
			out.Changes = append(out.Changes, describeScope(k, names)+" 在记录链中没有任何记录：是绕过本程序直接写进数据库的")
		case recorded != now:
			out.Changes = append(out.Changes, fmt.Sprintf("%s 在记录链第 %d 条之后被直接改动过（与记录的摘要不符）", describeScope(k, names), at[k]))
		default:
			continue
		}
		out.Scopes = append(out.Scopes, k)
	}
	if len(out.Changes) == 0 {
		return nil, nil
	}
	return &out, nil
}

// alteredAll compares every scope there is or was recorded.
func (db *DB) alteredAll(ctx context.Context, q querier) (*Altered, error) {
	scopes, err := currentScopes(ctx, q)
	if err != nil {
		return nil, err
	}
	rec, _, err := db.recorded(ctx, q)
	var chain *Altered
	if errors.As(err, &chain) {
		return chain, nil
	}
	if err != nil {
		return nil, err
	}
	for k := range rec {
		if !strings.HasPrefix(k, "table:") {
			scopes = append(scopes, k)
		}
	}
	return db.altered(ctx, q, true, scopes...)
}

// hasTrail tells whether the store has a trail with entries (a store being
// created has none yet).
func hasTrail(ctx context.Context, q querier) (bool, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'trail'`).Scan(&n); err != nil || n == 0 {
		return false, err
	}
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM trail`).Scan(&n)
	return n > 0, err
}

func batchNamesOf(ctx context.Context, q querier) map[int64]string {
	names := map[int64]string{}
	rows, err := q.QueryContext(ctx, `SELECT id, file_name FROM batches`)
	if err != nil {
		return names
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n string
		if rows.Scan(&id, &n) == nil {
			names[id] = n
		}
	}
	return names
}

// scopeHasRows tells whether a batch or month scope holds any row.
func scopeHasRows(ctx context.Context, q querier, key string) (bool, error) {
	kind, arg, _ := strings.Cut(key, ":")
	var n int
	var err error
	switch kind {
	case "batch":
		err = q.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM payouts WHERE batch_id = ?1) + (SELECT COUNT(*) FROM death_records WHERE batch_id = ?1)
			+ (SELECT COUNT(*) FROM problems WHERE batch_id = ?1) + (SELECT COUNT(*) FROM source_chunks WHERE batch_id = ?1)`, arg).Scan(&n)
	case "findings":
		err = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM findings WHERE period = ?`, arg).Scan(&n)
	default:
		return true, nil
	}
	return n > 0, err
}

// Guard compares the scopes a write is about to touch (a month's findings)
// with what the trail last recorded, before the write changes them; the
// whole tables were compared when the transaction began. AppendTrail
// records only scopes guarded so.
func (t *Tx) Guard(ctx context.Context, scopes ...string) error {
	a, err := t.db.altered(ctx, t.tx, false, scopes...)
	if err != nil {
		return err
	}
	if a != nil {
		return a
	}
	if t.guarded == nil {
		t.guarded = map[string]bool{}
	}
	for _, s := range scopes {
		t.guarded[s] = true
	}
	return nil
}

// FindingsScope is the scope of a month's findings, for Guard.
func FindingsScope(period string) string { return findingsScope(period) }

// Incident records, for a supervisor, that the store was changed outside
// the program and why: the one write that re-records a change it did not
// make, naming every scope that changed. With nothing changed it is refused.
// allow may refuse it, given what changed.
func (db *DB) Incident(ctx context.Context, user, reason string, allow func(*Altered) error, sign func(*Tx) error) (*Altered, error) {
	var found *Altered
	err := db.update(ctx, false, func(t *Tx) error {
		if err := sign(t); err != nil {
			return err
		}
		a, err := db.alteredAll(ctx, t.tx)
		if err != nil {
			return err
		}
		if a == nil {
			return ErrNothingAltered
		}
		if a.Chain {
			return a // an incident cannot be chained over a broken chain
		}
		if err := allow(a); err != nil {
			return err
		}
		found = a
		var explicit []string
		for _, s := range a.Scopes {
			if !strings.HasPrefix(s, "table:") {
				explicit = append(explicit, s)
			}
		}
		return db.appendTrailSigned(ctx, t.tx, user, "incident", map[string]any{"reason": reason, "changed": a.Changes}, nil, t.signer, explicit...)
	})
	return found, err
}

// ErrNothingAltered: an incident asked for where nothing changed.
var ErrNothingAltered = errors.New("nothing altered")

// alteredTriggers compares the triggers guarding the trail with the
// migrations' (verify does the same).
func alteredTriggers(ctx context.Context, q querier) (*Altered, error) {
	want, err := expectedTriggers()
	if err != nil {
		return nil, err
	}
	have := map[string]string{}
	rows, err := q.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'trigger'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		var s sql.NullString
		if err := rows.Scan(&n, &s); err != nil {
			return nil, err
		}
		have[n] = s.String
	}
	var out []string
	for _, n := range sortedKeys(want) {
		if have[n] != want[n] {
			out = append(out, "保护记录的触发器 "+n+" 被删除或改写过")
		}
	}
	for _, n := range sortedKeys(have) {
		if _, ok := want[n]; !ok {
			out = append(out, "数据库中多了一个不是本程序建立的触发器 "+n)
		}
	}
	if len(out) == 0 {
		return nil, rows.Err()
	}
	return &Altered{Chain: true, Changes: out}, nil
}
