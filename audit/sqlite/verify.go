package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"pensionaudit/audit"
)

// VerifyReport is what verify found; Problems is empty when all is intact.
type VerifyReport struct {
	Entries  int      `json:"trail_entries"`
	Head     string   `json:"head_hash"`
	HeadCode string   `json:"head_code"`
	Scopes   int      `json:"scopes_checked"`
	Signoffs int      `json:"signoffs_checked"`
	Problems []string `json:"problems"`
	// Anchors counts the trail heads seen outside the file (this computer's
	// list) that the chain was checked against: with none, a chain
	// recomputed from scratch would look as whole as an honest one.
	Anchors int `json:"outside_anchors"`
	// Vouched is the last entry an outside anchor vouches for (a head this
	// computer saw, a code from a signed sheet); the entries after it rest
	// on the file alone.
	Vouched int64 `json:"vouched_up_to"`
	// Notes are what a person should know that is not in itself a sign of
	// tampering (a workspace of another identity seen at the same place).
	Notes []string `json:"notes"`
	// RootKey is the fingerprint of the workspace's root signing key, the
	// one printed on every sign-off sheet ("" before one).
	RootKey string `json:"root_key"`
}

// Unvouched is how many of the last entries no outside anchor vouches for.
func (r *VerifyReport) Unvouched() int64 {
	if n := int64(r.Entries) - r.Vouched; n > 0 {
		return n
	}
	return 0
}

// OK reports whether the trail and every sign-off are intact.
func (r *VerifyReport) OK() bool { return len(r.Problems) == 0 }

// TrailCode is the short code of a trail entry printed on the signed paper:
// its number and the first 16 hex digits of its hash, e.g. 57-3FA2C91B07DE11AA.
// verify --anchor checks that the chain still passes through it, which a
// chain recomputed after an edit cannot.
func TrailCode(seq int64, hash string) string {
	if len(hash) < 16 {
		return ""
	}
	return strconv.FormatInt(seq, 10) + "-" + strings.ToUpper(hash[:16])
}

// ParseTrailCode splits a code into entry number and hash prefix.
func ParseTrailCode(code string) (int64, string, error) {
	code = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(code), " ", ""))
	a, b, ok := strings.Cut(code, "-")
	seq, err := strconv.ParseInt(a, 10, 64)
	b = strings.ReplaceAll(b, "-", "")
	if !ok || err != nil || seq < 1 || len(b) < 12 || strings.Trim(b, "0123456789abcdef") != "" {
		return 0, "", audit.Errorf(audit.ErrInvalid, "校验码 %q 的格式不对：应像签字表上印的那样，例如 57-3FA2C91B07DE11AA", code)
	}
	return seq, b, nil
}

var triggerRe = regexp.MustCompile(`(?s)CREATE TRIGGER\s+(\w+).*?\bEND;`)

// expectedTriggers are the triggers the migrations create, by name, with
// their exact SQL text.
func expectedTriggers() (map[string]string, error) {
	out := map[string]string{}
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		body, err := migrationFS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		for _, m := range triggerRe.FindAllStringSubmatch(string(body), -1) {
			out[m[1]] = strings.TrimSuffix(m[0], ";")
		}
	}
	return out, nil
}

type trailIndex struct {
	state     map[string]string // scope → last recorded digest
	stateAt   map[string]int64  // scope → entry that recorded it
	decided   map[int64]map[string]any
	imported  map[int64]map[string]any
	signed    map[int64]map[string]any
	signedSeq map[int64]int64
	reopens   map[string][]int64 // period → seqs of reopen entries
}

// Verify walks the hash chain; compares every scope of the store (every
// table, every imported batch, every month's findings) with the digest the
// trail last recorded for it; checks the triggers' SQL; matches decisions,
// imports and sign-offs with their trail entries both ways; and recomputes
// the fingerprint of every standing signature.
func (db *DB) Verify(ctx context.Context) (*VerifyReport, error) {
	r := &VerifyReport{}
	bad := func(format string, args ...any) { r.Problems = append(r.Problems, fmt.Sprintf(format, args...)) }
	if err := db.verifyTriggers(ctx, bad); err != nil {
		return nil, err
	}
	ix, err := db.walkTrail(ctx, r, bad)
	if err != nil {
		return nil, err
	}
	if err := db.verifyScopes(ctx, r, ix, bad); err != nil {
		return nil, err
	}
	if err := db.verifyRecords(ctx, r, ix, bad); err != nil {
		return nil, err
	}
	if err := db.verifySignatures(ctx, r, bad); err != nil {
		return nil, err
	}
	return r, nil
}

// verifyTriggers compares the triggers with the migrations', by name and
// by their SQL text.
func (db *DB) verifyTriggers(ctx context.Context, bad func(string, ...any)) error {
	want, err := expectedTriggers()
	if err != nil {
		return err
	}
	have := map[string]string{}
	err = db.eachRow(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'trigger'`, nil, func(rows *sql.Rows) error {
		var n string
		var s sql.NullString
		if err := rows.Scan(&n, &s); err != nil {
			return err
		}
		have[n] = s.String
		return nil
	})
	if err != nil {
		return err
	}
	for _, n := range sortedKeys(want) {
		switch got, ok := have[n]; {
		case !ok:
			bad("保护记录的触发器 %s 被删除了：记录可能被改写过", n)
		case got != want[n]:
			bad("保护记录的触发器 %s 被改写过（内容与程序建立时不同）：记录可能被改写过", n)
		}
	}
	for _, n := range sortedKeys(have) {
		if _, ok := want[n]; !ok {
			bad("数据库中多了一个不是本程序建立的触发器 %s", n)
		}
	}
	return nil
}

// walkTrail checks the hash chain link by link and indexes what its
// entries recorded: the last digest of every scope, the decisions, imports,
// signatures and reopens.
func (db *DB) walkTrail(ctx context.Context, r *VerifyReport, bad func(string, ...any)) (*trailIndex, error) {
	trail, err := db.Trail(ctx)
	if err != nil {
		return nil, err
	}
	r.Entries = len(trail)
	ix := &trailIndex{state: map[string]string{}, stateAt: map[string]int64{}, decided: map[int64]map[string]any{},
		imported: map[int64]map[string]any{}, signed: map[int64]map[string]any{}, signedSeq: map[int64]int64{}, reopens: map[string][]int64{}}
	prev := strings.Repeat("0", 64)
	for i, e := range trail {
		switch {
		case e.Seq != int64(i+1):
			bad("记录链第 %d 条的序号是 %d：有记录被删除或插入", i+1, e.Seq)
		case e.PrevHash != prev:
			bad("记录链在第 %d 条断开：它记的上一条哈希与第 %d 条不符", e.Seq, e.Seq-1)
		case e.ComputeHash() != e.Hash:
			bad("记录链第 %d 条（%s，%s）的内容被改动过：哈希不符", e.Seq, e.Action, e.At)
		}
		prev = e.Hash
		var payload map[string]any
		if err := json.Unmarshal([]byte(e.Payload), &payload); err != nil {
			bad("记录链第 %d 条的内容无法解析", e.Seq)
			continue
		}
		ix.add(e, payload)
	}
	if len(trail) > 0 {
		last := trail[len(trail)-1]
		r.Head, r.HeadCode = last.Hash, TrailCode(last.Seq, last.Hash)
	}
	return ix, nil
}

// add indexes one entry.
func (ix *trailIndex) add(e TrailEntry, payload map[string]any) {
	if st, ok := payload["state"].(map[string]any); ok {
		for k, v := range st {
			if s, ok := v.(string); ok {
				ix.state[k], ix.stateAt[k] = s, e.Seq
			}
		}
	}
	id := func(k string) int64 {
		f, _ := payload[k].(float64)
		return int64(f)
	}
	switch e.Action {
	case "decide":
		ix.decided[id("decision_id")] = payload
	case "import":
		ix.imported[id("batch")] = payload
	case "signoff":
		payload["_user"] = e.User
		ix.signed[id("signoff")] = payload
		ix.signedSeq[id("signoff")] = e.Seq
	case "reopen":
		p, _ := payload["period"].(string)
		ix.reopens[p] = append(ix.reopens[p], e.Seq)
	}
}

// verifyScopes compares every scope of the store (every table, every
// imported batch, every month's findings) with the digest the trail last
// recorded for it.
func (db *DB) verifyScopes(ctx context.Context, r *VerifyReport, ix *trailIndex, bad func(string, ...any)) error {
	batchNames := map[int64]string{}
	db.eachRow(ctx, `SELECT id, file_name FROM batches`, nil, func(rows *sql.Rows) error {
		var id int64
		var n string
		rows.Scan(&id, &n)
		batchNames[id] = n
		return nil
	})
	scopes, err := currentScopes(ctx, db.db)
	if err != nil {
		return err
	}
	seenScope := map[string]bool{}
	for _, k := range scopes {
		seenScope[k] = true
	}
	for k := range ix.state {
		if !seenScope[k] {
			scopes = append(scopes, k)
		}
	}
	sort.Strings(scopes)
	for _, k := range scopes {
		if k == tableScope("migrations") && ix.state[k] == "" {
			continue // recorded from the first entry after this version on
		}
		now, err := scopeDigest(ctx, db.db, k)
		if err != nil {
			// a table named in the trail that is gone
			bad("%s 已不存在：被删除了", describeScope(k, batchNames))
			continue
		}
		r.Scopes++
		recorded, ok := ix.state[k]
		switch {
		case !ok:
			bad("%s 在记录链中没有任何记录：是绕过本程序直接写进数据库的", describeScope(k, batchNames))
		case recorded != now:
			bad("%s 在记录链第 %d 条之后被直接改动过（与记录的摘要不符）", describeScope(k, batchNames), ix.stateAt[k])
		}
	}
	return nil
}

// verifyRecords matches decisions, imports and sign-offs with their trail
// entries, both ways, and recomputes standing fingerprints.
func (db *DB) verifyRecords(ctx context.Context, r *VerifyReport, ix *trailIndex, bad func(string, ...any)) error {
	seen := map[int64]bool{}
	err := db.eachRow(ctx, `SELECT id, finding_id, decision, action, reason, note, amount_fen, user_name, at, evidence_hash FROM decisions ORDER BY id`, nil,
		func(rows *sql.Rows) error {
			var d audit.Decision
			var amount int64
			if err := rows.Scan(&d.ID, &d.FindingID, &d.Decision, &d.Action, &d.Reason, &d.Note, &amount, &d.User, &d.At, &d.EvidenceHash); err != nil {
				return err
			}
			d.Amount = audit.Fen(amount)
			seen[d.ID] = true
			want, ok := ix.decided[d.ID]
			if !ok {
				bad("处理意见第 %d 条（核查结果 #%d）在记录链中没有对应记录：可能是直接写进数据库的", d.ID, d.FindingID)
				return nil
			}
			if !samePayload(want, decisionPayload(&d)) {
				bad("处理意见第 %d 条（核查结果 #%d）与记录链中的记录不符：被改动过", d.ID, d.FindingID)
			}
			return nil
		})
	if err != nil {
		return err
	}
	for id, p := range ix.decided {
		if !seen[id] {
			f, _ := p["finding"].(float64)
			bad("处理意见第 %d 条（核查结果 #%d）被删除了", id, int64(f))
		}
	}
	seenBatch := map[int64]bool{}
	err = db.eachRow(ctx, `SELECT b.id, b.file_name, b.sha256, b.imported_rows, b.kind,
			CASE b.kind WHEN 'payouts' THEN (SELECT COUNT(*) FROM payouts WHERE batch_id = b.id) ELSE (SELECT COUNT(*) FROM death_records WHERE batch_id = b.id) END
		FROM batches b ORDER BY b.id`, nil, func(rows *sql.Rows) error {
		var id int64
		var name, sum, kind string
		var n, stored int
		if err := rows.Scan(&id, &name, &sum, &n, &kind, &stored); err != nil {
			return err
		}
		seenBatch[id] = true
		want, ok := ix.imported[id]
		switch {
		case !ok:
			bad("第 %d 批（%s）在记录链中没有导入记录", id, name)
		case want["sha256"] != sum:
			bad("第 %d 批（%s）的文件哈希与导入时不符", id, name)
		case int(want["rows"].(float64)) != n || stored != n:
			bad("第 %d 批（%s）导入时有 %v 行，现在数据库中有 %d 行：数据被增删过", id, name, want["rows"], stored)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for id, p := range ix.imported {
		if !seenBatch[id] {
			bad("第 %d 批（%v）被删除了", id, p["file"])
		}
	}
	// Sign-offs, both ways: every signature row has its entry, every entry
	// its row; a revoked signature has a reopen after it, a standing one none.
	seenSig := map[int64]bool{}
	err = db.eachRow(ctx, `SELECT id, period, role, user_name, batches, fingerprint, revoked_at FROM signoffs ORDER BY id`, nil,
		func(rows *sql.Rows) error {
			var s audit.Signoff
			var batches, revoked string
			if err := rows.Scan(&s.ID, &s.Period, &s.Role, &s.User, &batches, &s.Fingerprint, &revoked); err != nil {
				return err
			}
			seenSig[s.ID] = true
			json.Unmarshal([]byte(batches), &s.Batches)
			p, ok := ix.signed[s.ID]
			if !ok || p["fingerprint"] != s.Fingerprint || p["_user"] != s.User || p["role"] != string(s.Role) || p["period"] != s.Period {
				bad("%s 的%s签字（%s）与记录链中的签字记录不符", s.Period, s.Role.Label(), s.User)
				return nil
			}
			reopened := false
			for _, seq := range ix.reopens[s.Period] {
				reopened = reopened || seq > ix.signedSeq[s.ID]
			}
			switch {
			case revoked != "" && !reopened:
				bad("%s 的%s签字（%s）被撤销了，但记录链中没有退回记录", s.Period, s.Role.Label(), s.User)
				return nil
			case revoked == "" && reopened:
				bad("%s 的%s签字（%s）已在记录链中退回，数据库中却仍然有效", s.Period, s.Role.Label(), s.User)
				return nil
			case revoked != "":
				return nil
			}
			r.Signoffs++
			m, err := audit.ParseMonth(s.Period)
			if err != nil {
				bad("签字记录中的月份 %q 不对", s.Period)
				return nil
			}
			fp, err := fingerprint(ctx, db.db, m, s.Batches)
			if err != nil {
				return err
			}
			if fp != s.Fingerprint {
				bad("%s 在%s %s 签字之后被改动过：数据指纹 %s… 与签字时的 %s… 不符", s.Period, s.Role.Label(), s.User, prefix(fp, 12), prefix(s.Fingerprint, 12))
			}
			return nil
		})
	if err != nil {
		return err
	}
	for id, p := range ix.signed {
		if !seenSig[id] {
			bad("%v 的%s签字（%v）被从数据库中删除了", p["period"], audit.Role(fmt.Sprint(p["role"])).Label(), p["_user"])
		}
	}
	return nil
}

// VerifyAnchor checks that the chain passes through the entry a code names:
// the code printed on a signed sheet, or one kept outside the file.
func (db *DB) VerifyAnchor(ctx context.Context, code string) error {
	seq, prefix, err := ParseTrailCode(code)
	if err != nil {
		return err
	}
	var hash string
	err = db.db.QueryRowContext(ctx, `SELECT hash FROM trail WHERE seq = ?`, seq).Scan(&hash)
	if err == sql.ErrNoRows {
		return audit.Errorf(audit.ErrConflict, "记录链中没有第 %d 条：签字后记录被删除或截短了（校验码 %s）", seq, strings.ToUpper(code))
	}
	if err != nil {
		return err
	}
	if !strings.HasPrefix(hash, prefix) {
		return audit.Errorf(audit.ErrConflict, "记录链第 %d 条与纸面校验码 %s 不符：记录链在签字之后被改写或重新计算过", seq, strings.ToUpper(code))
	}
	return nil
}

// samePayload compares a stored trail payload with a freshly built one; the
// state digests are checked on their own.
func samePayload(stored map[string]any, fresh map[string]any) bool {
	b, _ := json.Marshal(fresh)
	var norm map[string]any
	json.Unmarshal(b, &norm)
	s := map[string]any{}
	for k, v := range stored {
		if k != "state" {
			s[k] = v
		}
	}
	a, _ := json.Marshal(s)
	c, _ := json.Marshal(norm)
	return string(a) == string(c)
}

// prefix is the first n bytes of s (all of s when shorter): for text that
// came from the file, which an attacker may have made any length.
func prefix(s string, n int) string {
	if len(s) < n {
		return s
	}
	return s[:n]
}
