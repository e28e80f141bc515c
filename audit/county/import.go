package county

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"pensionaudit/audit"
	"pensionaudit/audit/bundle"
)

// Imported says what an import took.
type Imported struct {
	Township, Period string
	Payees           int
	Supersedes       bool // a reopened, re-signed month replacing the one received before
}

// Import checks a bundle and stores it: refused (a *bundle.Refusal, in
// Chinese) when it does not hold in itself, when its township is not
// enrolled or its root key is not the enrolled one, when it is already
// here, or when the township's trail does not extend the last head this
// county received from it.
func (s *Store) Import(ctx context.Context, by *User, data []byte) (*Imported, error) {
	if by == nil || by.Role == audit.RoleAuditor {
		return nil, audit.Errorf(audit.ErrPermission, "导入上报文件须由县级经办人或审核人进行")
	}
	o, err := bundle.Open(data)
	if err != nil {
		return nil, err
	}
	b := o.Body
	var fp string
	err = s.db.QueryRowContext(ctx, s.q(`SELECT fingerprint FROM townships WHERE name = ?`), b.Township).Scan(&fp)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, &bundle.Refusal{Why: fmt.Sprintf("乡镇 %s 还没有登记：请先按它签字表上印的根密钥指纹登记", b.Township)}
	case err != nil:
		return nil, err
	case fp != b.RootKey:
		return nil, &bundle.Refusal{Why: fmt.Sprintf("%s 的根密钥是 %s，与登记的 %s 不符：文件不是这个乡镇的工作区签的", b.Township, b.RootKey, fp)}
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	// SQLite: one writer at a time. PostgreSQL: read committed, one import
	// per township at a time (the township's row locked), the same file
	// twice stopped by the unique checksum
	begin := "BEGIN IMMEDIATE"
	if s.pg {
		begin = "BEGIN ISOLATION LEVEL READ COMMITTED"
	}
	if _, err := conn.ExecContext(ctx, begin); err != nil {
		return nil, err
	}
	done := false
	defer func() {
		if !done {
			conn.ExecContext(context.Background(), "ROLLBACK")
		}
	}()
	if s.pg { // one import per township at a time
		if _, err := conn.ExecContext(ctx, `SELECT 1 FROM townships WHERE name = $1 FOR UPDATE`, b.Township); err != nil {
			return nil, err
		}
	}
	var dup int
	if err := conn.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM bundles WHERE sha256 = ?`), o.SHA256).Scan(&dup); err != nil {
		return nil, err
	}
	if dup > 0 {
		return nil, &bundle.Refusal{Why: fmt.Sprintf("%s %s 的这个上报文件已经导入过", b.Township, b.Period)}
	}
	// the trail extends the last head received from the township
	var lastSeq int64
	var lastHash string
	err = conn.QueryRowContext(ctx, s.q(`SELECT trail_seq, trail_hash FROM bundles WHERE township = ? ORDER BY trail_seq DESC LIMIT 1`), b.Township).
		Scan(&lastSeq, &lastHash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	head := b.Head()
	if lastHash != "" {
		found := false
		for _, l := range b.Chain {
			if l.Seq == lastSeq {
				found = l.Hash == lastHash
				break
			}
		}
		if !found {
			return nil, &bundle.Refusal{Why: fmt.Sprintf("%s 的记录链没有接在县里上次收到的第 %d 条记录之后：乡镇在上报之后改写过记录（或用旧的备份替换过工作区），请县里核实", b.Township, lastSeq)}
		}
	}
	// a month received before: this one replaces it only when signed later
	var prevID int64
	var prevAt string
	err = conn.QueryRowContext(ctx, s.q(`SELECT id, countersigned_at FROM bundles WHERE township = ? AND period = ? AND superseded_by IS NULL`),
		b.Township, b.Period).Scan(&prevID, &prevAt)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if prevID != 0 && b.Supervisor.At <= prevAt {
		return nil, &bundle.Refusal{Why: fmt.Sprintf("%s %s 已有 %s 复核签字的上报，这个文件的签字不比它新：没有导入", b.Township, b.Period, prevAt)}
	}
	villages, _ := json.Marshal(b.Villages)
	clerkAt := ""
	if b.Clerk != nil {
		clerkAt = b.Clerk.At
	}
	var id int64
	if err := conn.QueryRowContext(ctx, s.q(`INSERT INTO bundles (township, period, sha256, made_at, made_by, clerk_at, countersigned_at, countersigned_by,
		trail_seq, trail_hash, found_fen, to_recover_fen, recovered_fen, payees, villages, imported_at, imported_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		b.Township, b.Period, o.SHA256, b.MadeAt, b.MadeBy, clerkAt, b.Supervisor.At, b.Supervisor.User, head.Seq, head.Hash,
		int64(b.Found), int64(b.ToRecover), int64(b.Recovered), len(b.Payees), string(villages), s.now(), by.Name).Scan(&id); err != nil {
		if unique(err) {
			return nil, &bundle.Refusal{Why: fmt.Sprintf("%s %s 的这个上报文件已经导入过", b.Township, b.Period)}
		}
		return nil, err
	}
	if prevID != 0 {
		if _, err := conn.ExecContext(ctx, s.q(`UPDATE bundles SET superseded_by = ? WHERE id = ?`), id, prevID); err != nil {
			return nil, err
		}
	}
	payees := make([][]any, len(b.Payees))
	for i, p := range b.Payees {
		payees[i] = []any{id, p.ID, p.Name, p.Village, int64(p.Amount)}
	}
	deaths := make([][]any, len(b.Deaths))
	for i, d := range b.Deaths {
		deaths[i] = []any{id, d.ID, d.Name, d.Source, d.Date}
	}
	findings := make([][]any, len(b.Findings))
	for i, f := range b.Findings {
		findings[i] = []any{id, f.ID, f.Rule, f.IDNumber, f.Name, f.Village, int64(f.Amount), f.Status, f.Evidence, f.Decision, f.Action, int64(f.Recovered)}
	}
	for _, t := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"payees", []string{"bundle_id", "id_number", "name", "village", "amount_fen"}, payees},
		{"deaths", []string{"bundle_id", "id_number", "name", "source", "date"}, deaths},
		{"findings", []string{"bundle_id", "finding_id", "rule", "id_number", "name", "village", "amount_fen", "status", "evidence", "decision", "action", "recovered_fen"}, findings},
	} {
		if err := s.bulk(ctx, conn, t.table, t.cols, t.rows); err != nil {
			return nil, err
		}
	}
	what := "import"
	if prevID != 0 {
		what = "import_reopened"
	}
	if err := s.log(ctx, conn, by.Name, what, fmt.Sprintf("%s %s %s", b.Township, b.Period, o.SHA256[:12])); err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return nil, err
	}
	done = true
	return &Imported{Township: b.Township, Period: b.Period, Payees: len(b.Payees), Supersedes: prevID != 0}, nil
}

// bulk loads rows: PostgreSQL's COPY, or SQLite's prepared insert, in the
// transaction open on conn.
func (s *Store) bulk(ctx context.Context, conn *sql.Conn, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if s.pg {
		return conn.Raw(func(dc any) error {
			c := dc.(*stdlib.Conn).Conn()
			_, err := c.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
			return err
		})
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")
	st, err := conn.PrepareContext(ctx, `INSERT INTO `+table+` (`+strings.Join(cols, ", ")+`) VALUES (`+marks+`)`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, r := range rows {
		if _, err := st.ExecContext(ctx, r...); err != nil {
			return err
		}
	}
	return nil
}

// unique tells a unique-constraint violation (the same file imported by
// someone else meanwhile).
func unique(err error) bool {
	m := err.Error()
	return strings.Contains(m, "23505") || strings.Contains(m, "duplicate key") || strings.Contains(m, "UNIQUE constraint failed")
}

// FileResult is one report file's import: what it took, or why not.
type FileResult struct {
	Path     string
	Imported *Imported
	Err      error
}

// Line says the result in words, as both front ends show it.
func (r FileResult) Line() string {
	name := filepath.Base(r.Path)
	if r.Err != nil {
		return "✘ " + name + "：未导入。" + audit.Escape(r.Err.Error(), 300)
	}
	more := ""
	if r.Imported.Supersedes {
		more = "（退回后重报，取代先前收到的）"
	}
	return fmt.Sprintf("✔ %s：%s %s，领取人 %d 人%s", name, r.Imported.Township, r.Imported.Period, r.Imported.Payees, more)
}

// Files expands folders into the report files (.pabundle) they hold, in
// name order; files are taken as they are.
func Files(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, audit.Errorf(audit.ErrNotFound, "找不到 %s", a)
		}
		if !st.IsDir() {
			out = append(out, a)
			continue
		}
		names, _ := filepath.Glob(filepath.Join(a, "*.pabundle"))
		sort.Strings(names)
		out = append(out, names...)
	}
	if len(out) == 0 {
		return nil, audit.Errorf(audit.ErrNotFound, "没有要导入的上报文件（.pabundle）")
	}
	return out, nil
}

// ImportFiles imports report files one after another, telling progress
// after each; a file refused does not stop the others. After a load the
// planner's statistics are refreshed (PostgreSQL plans the cross-township
// check 15× faster with them).
func (s *Store) ImportFiles(ctx context.Context, by *User, paths []string, progress func(done, total int)) ([]FileResult, error) {
	out := make([]FileResult, len(paths))
	loaded := false
	for i, p := range paths {
		out[i].Path = p
		data, err := os.ReadFile(p)
		if err != nil {
			out[i].Err = audit.Errorf(audit.ErrNotFound, "找不到或无法读取这个文件")
		} else if out[i].Imported, out[i].Err = s.Import(ctx, by, data); out[i].Err == nil {
			loaded = true
		}
		if progress != nil {
			progress(i+1, len(paths))
		}
		if ctx.Err() != nil {
			return out[:i+1], ctx.Err()
		}
	}
	if loaded {
		return out, s.Analyze(ctx)
	}
	return out, nil
}
