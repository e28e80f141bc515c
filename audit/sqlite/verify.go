package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"pensionaudit/audit"
)

// VerifyReport is what verify found; Problems is empty when all is intact.
type VerifyReport struct {
	Entries  int      `json:"trail_entries"`
	Head     string   `json:"head_hash"`
	Signoffs int      `json:"signoffs_checked"`
	Problems []string `json:"problems"`
}

// OK reports whether the trail and every sign-off are intact.
func (r *VerifyReport) OK() bool { return len(r.Problems) == 0 }

// Verify walks the hash chain, checks that the trail is still append-only,
// compares decisions and imported files with what the trail recorded, and
// recomputes the fingerprint of every signed period.
func (db *DB) Verify(ctx context.Context) (*VerifyReport, error) {
	r := &VerifyReport{}
	bad := func(format string, args ...any) { r.Problems = append(r.Problems, fmt.Sprintf(format, args...)) }
	for _, trig := range []string{"trail_no_update", "trail_no_delete"} {
		var n int
		if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name = ?`, trig).Scan(&n); err != nil {
			return nil, err
		}
		if n == 0 {
			bad("保护记录的触发器 %s 被删除了：记录可能被改写过", trig)
		}
	}
	trail, err := db.Trail(ctx)
	if err != nil {
		return nil, err
	}
	r.Entries = len(trail)
	prev := strings.Repeat("0", 64)
	decided := map[int64]map[string]any{}
	imported := map[int64]map[string]any{}
	signed := map[int64]map[string]any{}
	brokenAt := int64(0)
	for i, e := range trail {
		switch {
		case e.Seq != int64(i+1):
			bad("记录链第 %d 条的序号是 %d：有记录被删除或插入", i+1, e.Seq)
		case e.PrevHash != prev:
			bad("记录链在第 %d 条断开：它记的上一条哈希与第 %d 条不符", e.Seq, e.Seq-1)
		case e.ComputeHash() != e.Hash:
			bad("记录链第 %d 条（%s，%s）的内容被改动过：哈希不符", e.Seq, e.Action, e.At)
		}
		if len(r.Problems) > 0 && brokenAt == 0 {
			brokenAt = e.Seq
		}
		prev = e.Hash
		var payload map[string]any
		if err := json.Unmarshal([]byte(e.Payload), &payload); err != nil {
			bad("记录链第 %d 条的内容无法解析", e.Seq)
			continue
		}
		id := func(k string) int64 {
			f, _ := payload[k].(float64)
			return int64(f)
		}
		switch e.Action {
		case "decide":
			decided[id("decision_id")] = payload
		case "import":
			imported[id("batch")] = payload
		case "signoff":
			payload["_user"] = e.User
			signed[id("signoff")] = payload
		}
	}
	if len(trail) > 0 {
		r.Head = trail[len(trail)-1].Hash
	}
	// Decisions must be exactly those the trail recorded.
	seen := map[int64]bool{}
	err = db.eachRow(ctx, `SELECT id, finding_id, decision, action, reason, note, amount_fen, user_name, at, evidence_hash FROM decisions ORDER BY id`, nil,
		func(rows *sql.Rows) error {
			var d Decision
			var amount int64
			if err := rows.Scan(&d.ID, &d.FindingID, &d.Decision, &d.Action, &d.Reason, &d.Note, &amount, &d.User, &d.At, &d.EvidenceHash); err != nil {
				return err
			}
			d.Amount = audit.Fen(amount)
			seen[d.ID] = true
			want, ok := decided[d.ID]
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
		return nil, err
	}
	for id, p := range decided {
		if !seen[id] {
			f, _ := p["finding"].(float64)
			bad("处理意见第 %d 条（核查结果 #%d）被删除了", id, int64(f))
		}
	}
	// Imported files: hash and row count as recorded.
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
		want, ok := imported[id]
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
		return nil, err
	}
	for id, p := range imported {
		if !seenBatch[id] {
			bad("第 %d 批（%v）被删除了", id, p["file"])
		}
	}
	// Every signature still standing: recompute its fingerprint.
	err = db.eachRow(ctx, `SELECT id, period, role, user_name, batches, fingerprint FROM signoffs WHERE revoked_at = '' ORDER BY id`, nil,
		func(rows *sql.Rows) error {
			var s Signoff
			var batches string
			if err := rows.Scan(&s.ID, &s.Period, &s.Role, &s.User, &batches, &s.Fingerprint); err != nil {
				return err
			}
			json.Unmarshal([]byte(batches), &s.Batches)
			r.Signoffs++
			if p, ok := signed[s.ID]; !ok || p["fingerprint"] != s.Fingerprint || p["_user"] != s.User || p["role"] != s.Role || p["period"] != s.Period {
				bad("%s 的%s签字（%s）与记录链中的签字记录不符", s.Period, RoleLabel(s.Role), s.User)
			}
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
				bad("%s 在%s %s 签字之后被改动过：数据指纹 %s… 与签字时的 %s… 不符", s.Period, RoleLabel(s.Role), s.User, fp[:12], s.Fingerprint[:12])
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// samePayload compares a stored trail payload with a freshly built one.
func samePayload(stored map[string]any, fresh map[string]any) bool {
	b, _ := json.Marshal(fresh)
	var norm map[string]any
	json.Unmarshal(b, &norm)
	a, _ := json.Marshal(stored)
	c, _ := json.Marshal(norm)
	return string(a) == string(c)
}
