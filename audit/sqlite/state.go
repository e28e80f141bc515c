package sqlite

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// State digests make verify's coverage structural rather than a list of
// spot checks. The store is divided into scopes:
//
//   - every table of the database, whole ("table:users", "table:signoffs" …),
//     found in sqlite_master at the time — a table added later is covered
//     without anyone remembering to add it;
//   - the rows imported from one file ("batch:12": its payouts or death
//     records and its problems), written once by the import;
//   - the findings of one month ("findings:2022-04"), rewritten by a check
//     and by every decision.
//
// Every write appends a trail entry in its own transaction carrying the
// digest of every whole table and of the batch or month it touched. verify
// recomputes each scope's digest from the rows as they are now and compares
// it with the last digest the trail recorded for it: an edit made outside
// the program, to any row of any table, shows up as the scope it is in.

// scoped tables are digested per batch or per month, not whole; the trail
// is the chain itself.
var scopedTables = map[string]bool{"payouts": true, "death_records": true, "problems": true, "source_chunks": true, "findings": true, "trail": true}

// volatile columns change without a trail entry on purpose: a failed login
// counts up and sets a back-off, which must not need a write to the chain.
var volatile = map[string]map[string]bool{"users": {"failed": true, "locked_until": true}}

// tableNames lists the database's own tables (not SQLite's).
func tableNames(ctx context.Context, q querier) ([]string, error) {
	return stringsOf(ctx, q, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
}

// columns lists a table's columns, quoted, without the volatile ones.
func columns(ctx context.Context, q querier, table string) ([]string, error) {
	all, err := stringsOf(ctx, q, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, table)
	var out []string
	for _, n := range all {
		if !volatile[table][n] {
			out = append(out, `"`+n+`"`)
		}
	}
	return out, err
}

// digestRows hashes every row a query returns, values typed and length
// prefixed so that no two different tables of rows hash alike.
func digestRows(ctx context.Context, q querier, h interface{ Write([]byte) (int, error) }, query string, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var num [8]byte
	field := func(tag byte, b []byte) {
		h.Write([]byte{tag})
		binary.BigEndian.PutUint64(num[:], uint64(len(b)))
		h.Write(num[:])
		h.Write(b)
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		h.Write([]byte{'R'})
		for _, v := range vals {
			switch x := v.(type) {
			case nil:
				field('N', nil)
			case int64:
				field('I', strconv.AppendInt(nil, x, 10))
			case float64:
				binary.BigEndian.PutUint64(num[:], math.Float64bits(x))
				field('F', num[:])
			case string:
				field('S', []byte(x))
			case []byte:
				field('B', x)
			case bool:
				field('I', []byte(map[bool]string{true: "1", false: "0"}[x]))
			default:
				field('S', []byte(fmt.Sprint(x)))
			}
		}
	}
	return rows.Err()
}

func digestTable(ctx context.Context, q querier, table string) (string, error) {
	cols, err := columns(ctx, q, table)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write([]byte(strings.Join(cols, ",")))
	if len(cols) > 0 {
		if err := digestRows(ctx, q, h, `SELECT `+strings.Join(cols, ",")+` FROM "`+table+`" ORDER BY rowid`); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func digestBatch(ctx context.Context, q querier, id int64) (string, error) {
	h := sha256.New()
	for _, table := range []string{"payouts", "death_records", "problems", "source_chunks"} {
		cols, err := columns(ctx, q, table)
		if err != nil {
			return "", err
		}
		h.Write([]byte(table + ":" + strings.Join(cols, ",")))
		order := "id"
		if table == "source_chunks" {
			order = "seq"
		}
		if err := digestRows(ctx, q, h, `SELECT `+strings.Join(cols, ",")+` FROM `+table+` WHERE batch_id = ? ORDER BY `+order, id); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func digestFindings(ctx context.Context, q querier, period string) (string, error) {
	cols, err := columns(ctx, q, "findings")
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write([]byte(strings.Join(cols, ",")))
	if err := digestRows(ctx, q, h, `SELECT `+strings.Join(cols, ",")+` FROM findings WHERE period = ? ORDER BY id`, period); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Scope keys.
func tableScope(t string) string         { return "table:" + t }
func batchScope(id int64) string         { return "batch:" + strconv.FormatInt(id, 10) }
func findingsScope(period string) string { return "findings:" + period }

// scopeDigest computes one scope's digest now.
func scopeDigest(ctx context.Context, q querier, key string) (string, error) {
	kind, arg, _ := strings.Cut(key, ":")
	switch kind {
	case "table":
		return digestTable(ctx, q, arg)
	case "batch":
		id, err := strconv.ParseInt(arg, 10, 64)
		if err != nil {
			return "", err
		}
		return digestBatch(ctx, q, id)
	case "findings":
		return digestFindings(ctx, q, arg)
	}
	return "", fmt.Errorf("unknown scope %q", key)
}

// wholeTables are the scopes digested in every trail entry.
func wholeTables(ctx context.Context, q querier) ([]string, error) {
	names, err := tableNames(ctx, q)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range names {
		if !scopedTables[n] {
			out = append(out, tableScope(n))
		}
	}
	return out, nil
}

// currentScopes lists every scope the store holds now: whole tables, the
// batches that have rows or a batch record, the months that have findings.
func currentScopes(ctx context.Context, q querier) ([]string, error) {
	out, err := wholeTables(ctx, q)
	if err != nil {
		return nil, err
	}
	// the tables a batch's rows are in (an older workspace, before its
	// upgrade, may lack some)
	names, err := tableNames(ctx, q)
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, n := range names {
		have[n] = true
	}
	union := `SELECT id FROM batches`
	for _, t := range []string{"payouts", "death_records", "problems", "source_chunks"} {
		if have[t] {
			union += ` UNION SELECT batch_id FROM ` + t
		}
	}
	rows, err := q.QueryContext(ctx, union+` ORDER BY 1`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, batchScope(id))
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, `SELECT DISTINCT period FROM findings ORDER BY 1`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out = append(out, findingsScope(p))
	}
	return out, rows.Err()
}

// stateOf digests the whole tables plus the extra scopes given.
func stateOf(ctx context.Context, q querier, extra []string) (map[string]string, error) {
	keys, err := wholeTables(ctx, q)
	if err != nil {
		return nil, err
	}
	keys = append(keys, extra...)
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		d, err := scopeDigest(ctx, q, k)
		if err != nil {
			return nil, err
		}
		out[k] = d
	}
	return out, nil
}

// describeScope names a scope in Chinese for verify's messages.
func describeScope(key string, batchNames map[int64]string) string {
	kind, arg, _ := strings.Cut(key, ":")
	switch kind {
	case "table":
		if l, ok := tableLabels[arg]; ok {
			return l + "（" + arg + " 表）"
		}
		return arg + " 表"
	case "batch":
		id, _ := strconv.ParseInt(arg, 10, 64)
		if n := batchNames[id]; n != "" {
			return fmt.Sprintf("第 %d 批（%s）导入的数据行和问题", id, n)
		}
		return fmt.Sprintf("第 %d 批导入的数据行和问题", id)
	case "findings":
		return arg + " 的核查结果"
	}
	return key
}

var tableLabels = map[string]string{
	"users": "用户和密码", "decisions": "处理意见", "signoffs": "签字", "missing_notes": "缺报说明", "recoveries": "追回台账",
	"settings": "设置", "villages": "村(社区)名单", "village_aliases": "村名合并记录", "mappings": "列映射", "batches": "导入文件清单",
	"checks": "核查记录", "migrations": "数据库版本", "decision_undos": "撤销的处理意见", "source_chunks": "导入文件副本",
	"batch_villages": "各村发放人数",
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ScopeDigest is a scope's digest as verify computes it now ("table:users",
// "batch:12", "findings:2022-04").
func (db *DB) ScopeDigest(ctx context.Context, key string) (string, error) {
	return scopeDigest(ctx, db.db, key)
}
