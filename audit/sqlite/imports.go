package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"pensionaudit/audit"
)

// ImportTx is one file's import: every row, every problem, the batch and its
// trail entry commit together or not at all.
type ImportTx struct {
	db       *DB
	conn     *sql.Conn // the import's own connection, its page cache enlarged
	cache    int64     // the connection's cache_size before the import
	tx       *sql.Tx
	batch    *audit.Batch
	payout   *sql.Stmt
	payoutN  *sql.Stmt // inserts payoutBatch rows at once
	pending  []any     // buffered payout values
	death    *sql.Stmt
	problem  *sql.Stmt
	villages map[string]bool
	// NewVillages are the village names this roster brought that the
	// township did not have (added, for a supervisor to confirm or merge).
	NewVillages []string
}

// BeginImport refuses a file already imported (same SHA-256) and opens the
// transaction that will hold the batch.
func (db *DB) BeginImport(ctx context.Context, b *audit.Batch) (*ImportTx, error) {
	// The import runs on a connection of its own whose page cache is made
	// large enough (96 MB) that a big roster's indexes are not spilled to
	// the WAL in the middle of the transaction (BenchmarkImportRoster: 12 %
	// faster than with the pool's 64 MB, and the window's 8 MB would be far
	// slower); the size is put back when the import ends.
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	var cache int64
	if err := conn.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&cache); err != nil {
		conn.Close()
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA cache_size = -98304`); err != nil {
		conn.Close()
		return nil, err
	}
	it := &ImportTx{db: db, conn: conn, cache: cache, batch: b, villages: map[string]bool{}}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		it.release()
		return nil, err
	}
	it.tx = tx
	ok := false
	defer func() {
		if !ok {
			it.Rollback()
		}
	}()
	// verify before extend (guard.go): the import re-records every whole
	// table; its own batch is new
	if a, err := db.altered(ctx, tx, true); err != nil || a != nil {
		if a != nil {
			return nil, a
		}
		return nil, err
	}
	var prev audit.Batch
	var at string
	err = tx.QueryRowContext(ctx, `SELECT id, file_name, imported_at FROM batches WHERE sha256 = ?`, b.SHA256).Scan(&prev.ID, &prev.FileName, &at)
	switch {
	case err == nil:
		prev.ImportedAt, _ = time.Parse(time.RFC3339Nano, at)
		return nil, &DuplicateFile{Earlier: prev}
	case !errors.Is(err, sql.ErrNoRows):
		return nil, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO batches (file_name, sha256, kind, format, village, period, sheets, imported_by, imported_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, b.FileName, b.SHA256, string(b.Kind), b.Format, b.Village, b.Period.String(), b.Sheets, b.ImportedBy, db.now())
	if err != nil {
		return nil, err
	}
	if b.ID, err = res.LastInsertId(); err != nil {
		return nil, err
	}
	if it.payout, err = tx.PrepareContext(ctx, payoutInsert+payoutValues); err != nil {
		return nil, err
	}
	if it.payoutN, err = tx.PrepareContext(ctx, payoutInsert+strings.Repeat(payoutValues+", ", payoutBatch-1)+payoutValues); err != nil {
		return nil, err
	}
	if it.death, err = tx.PrepareContext(ctx, `INSERT INTO death_records (batch_id, source, sheet, row, village, name, id_raw, id_number, id_ok, sex, death_date, dereg_date, reason, is_death, note, has_error,
		event_date, end_date, month, amount_fen, result)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`); err != nil {
		return nil, err
	}
	if it.problem, err = tx.PrepareContext(ctx, `INSERT INTO problems (batch_id, sheet, row, col, header, field, raw, reason, level)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`); err != nil {
		return nil, err
	}
	ok = true
	return it, nil
}

// DuplicateFile is a file whose exact bytes were imported before (as Earlier).
type DuplicateFile struct{ Earlier audit.Batch }

func (e *DuplicateFile) Error() string {
	return "already imported as batch " + strconv.FormatInt(e.Earlier.ID, 10)
}

// Unwrap makes it an audit.ErrDuplicate.
func (e *DuplicateFile) Unwrap() error { return audit.ErrDuplicate }

// User reads an account inside the import's transaction.
func (it *ImportTx) User(ctx context.Context, name string) (audit.User, error) {
	return userOf(ctx, it.tx, name)
}

// Lock reads a month's signatures inside the import's transaction.
func (it *ImportTx) Lock(ctx context.Context, p audit.Month) (audit.Lock, error) {
	return lockOf(ctx, it.tx, p)
}

// SaveMapping remembers, in the import's transaction, the column mapping
// the file was read with, for the kind and village.
func (it *ImportTx) SaveMapping(ctx context.Context, mapping string) error {
	b := it.batch
	if _, err := it.tx.ExecContext(ctx, `INSERT INTO mappings (kind, village, mapping) VALUES (?, ?, ?)
		ON CONFLICT (kind, village) DO UPDATE SET mapping = excluded.mapping`, string(b.Kind), b.Village, mapping); err != nil {
		return err
	}
	return it.db.appendTrail(ctx, it.tx, b.ImportedBy, "mapping", map[string]string{"kind": string(b.Kind), "village": b.Village, "mapping": mapping})
}

// SourceOf is the source a kind's rows are stored under (death_records.source).
func SourceOf(k audit.Kind) string {
	switch k {
	case audit.KindDeaths:
		return "village"
	case audit.KindDeregistrations:
		return "deregistration"
	case audit.KindDeathCertificates:
		return "death_certificate"
	case audit.KindOtherPensions:
		return "other_pension"
	case audit.KindFuneralGrants:
		return "funeral_grant"
	case audit.KindCertifications:
		return "certification"
	}
	return string(k) // cremation, prison
}

// meaningInt is how death_records.is_death keeps what the import read the
// reason as: 1 death, 0 another cause, -1 not known.
func meaningInt(m audit.Meaning) int {
	switch m {
	case audit.MeaningYes:
		return 1
	case audit.MeaningNo:
		return 0
	}
	return -1
}

// birthKey is the YYYYMMDD part of an ID number (or of the usable part of
// a damaged one), "" when there is none; possible matches are looked up by it.
func birthKey(id string) string {
	if len(id) < 14 {
		return ""
	}
	return id[6:14]
}

const (
	payoutInsert = `INSERT INTO payouts (batch_id, sheet, row, village, name, id_raw, id_number, id_ok, sex, account, month, amount_fen,
		pay_type, pay_raw, status, note, has_error, birth, amount_parts, operator) VALUES `
	payoutValues = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	payoutCols   = 20
	// payoutBatch rows go into one INSERT: far fewer statement executions.
	payoutBatch = 50
)

// flush writes the buffered payout rows.
func (it *ImportTx) flush(ctx context.Context) error {
	for len(it.pending) >= payoutBatch*payoutCols {
		if _, err := it.payoutN.ExecContext(ctx, it.pending[:payoutBatch*payoutCols]...); err != nil {
			return err
		}
		it.pending = it.pending[payoutBatch*payoutCols:]
	}
	for len(it.pending) > 0 {
		if _, err := it.payout.ExecContext(ctx, it.pending[:payoutCols]...); err != nil {
			return err
		}
		it.pending = it.pending[payoutCols:]
	}
	it.pending = it.pending[:0]
	return nil
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Add stores one data row with its problems.
func (it *ImportTx) Add(ctx context.Context, r *audit.Record) error {
	hasErr := boolInt(r.HasError())
	var err error
	switch it.batch.Kind {
	case audit.KindPayouts:
		var amount any
		if r.HasAmount {
			amount = int64(r.Amount)
		}
		it.pending = append(it.pending, it.batch.ID, r.Sheet, r.Row, r.Village, r.Name, r.ID.Raw, r.ID.Norm, boolInt(r.ID.OK()),
			r.Sex, r.Account, r.Month.String(), amount, string(r.PayType), r.PayRaw, r.Status, r.Note, hasErr, birthKey(r.ID.Norm), r.AmountParts, r.Operator)
		if len(it.pending) >= payoutBatch*payoutCols {
			err = it.flush(ctx)
		}
	case audit.KindDeaths:
		_, err = it.death.ExecContext(ctx, it.batch.ID, "village", r.Sheet, r.Row, r.Village, r.Name, r.ID.Raw, r.ID.Norm, boolInt(r.ID.OK()),
			r.Sex, date(r.DeathDate), date(r.DeregDate), "死亡", 1, r.Note, hasErr, "", "", "", nil, "")
	case audit.KindDeregistrations:
		_, err = it.death.ExecContext(ctx, it.batch.ID, "deregistration", r.Sheet, r.Row, r.Village, r.Name, r.ID.Raw, r.ID.Norm, boolInt(r.ID.OK()),
			r.Sex, date(r.DeathDate), date(r.DeregDate), r.Reason, meaningInt(audit.DeathMeaning(r.Reason, nil)), r.Note, hasErr, "", "", "", nil, "")
	default:
		var amount any
		if r.HasAmount {
			amount = int64(r.Amount)
		}
		detail := r.Detail
		if it.batch.Kind == audit.KindOtherPensions {
			detail = r.Scheme
		}
		_, err = it.death.ExecContext(ctx, it.batch.ID, SourceOf(it.batch.Kind), r.Sheet, r.Row, r.Village, r.Name, r.ID.Raw, r.ID.Norm, boolInt(r.ID.OK()),
			r.Sex, date(r.DeathDate), "", detail, boolInt(it.batch.Kind.DeathSource()), r.Note, hasErr, date(r.Start), date(r.End), r.Month.String(), amount, r.Status)
	}
	if err != nil {
		return err
	}
	// the township's villages grow only from clean rows of a roster: a
	// garbled or mistyped name must not become a village that then "fails
	// to report" every month
	if r.Village != "" && it.batch.Kind == audit.KindPayouts && len(r.Problems) == 0 {
		it.villages[r.Village] = true
	}
	return it.AddProblems(ctx, r.Problems)
}

// AddProblems stores problems (of a row, or of the whole file).
func (it *ImportTx) AddProblems(ctx context.Context, ps []audit.Problem) error {
	for _, p := range ps {
		if _, err := it.problem.ExecContext(ctx, it.batch.ID, p.Sheet, p.Row, p.Column, p.Header, p.Field, p.Raw, p.Reason, string(p.Level)); err != nil {
			return err
		}
	}
	return nil
}

// Commit writes the final counts, supersedes an earlier file for the same
// kind, village and month, records the villages seen, appends the trail entry
// and commits.
func (it *ImportTx) Commit(ctx context.Context) error {
	b, tx := it.batch, it.tx
	defer it.Rollback()
	if err := it.flush(ctx); err != nil {
		return err
	}
	understood := ""
	if len(b.Understood) > 0 {
		understood = jsonString(b.Understood)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE batches SET village = ?, period = ?, sheets = ?, data_rows = ?, imported_rows = ?, problem_rows = ?,
		skipped_rows = ?, nil_report = ?, understood = ? WHERE id = ?`, b.Village, b.Period.String(), b.Sheets, b.DataRows, b.Imported, b.ProblemRows,
		b.Skipped, boolInt(b.NilReport), understood, b.ID); err != nil {
		return err
	}
	if b.Period != 0 {
		if err := it.supersede(ctx); err != nil {
			return err
		}
	}
	var names []string
	for v := range it.villages {
		names = append(names, v)
	}
	sort.Strings(names)
	for _, n := range names {
		var known int
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM villages WHERE name = ?1) + (SELECT COUNT(*) FROM village_aliases WHERE alias = ?1)`,
			n).Scan(&known); err != nil {
			return err
		}
		if known == 0 {
			it.NewVillages = append(it.NewVillages, n)
		}
	}
	if err := it.db.addVillages(ctx, tx, "roster", names); err != nil {
		return err
	}
	// how many people each village has on each pay month of this roster,
	// counted once here so that a check need not scan a county's rows
	if b.Kind == audit.KindPayouts {
		if _, err := tx.ExecContext(ctx, `INSERT INTO batch_villages (batch_id, village, month, payees)
			SELECT batch_id, village, month, COUNT(DISTINCT id_number) FROM payouts WHERE batch_id = ? GROUP BY village, month`, b.ID); err != nil {
			return err
		}
	}
	payload := map[string]any{"batch": b.ID, "file": b.FileName, "sha256": b.SHA256, "kind": b.Kind, "village": b.Village,
		"period": b.Period.String(), "rows": b.Imported, "problem_rows": b.ProblemRows, "nil_report": b.NilReport}
	if b.Supersedes != 0 {
		payload["supersedes"] = b.Supersedes
	}
	if err := it.db.appendTrail(ctx, tx, b.ImportedBy, "import", payload, batchScope(b.ID)); err != nil {
		return err
	}
	return tx.Commit()
}

// supersede decides, for each current file of the same kind, village and
// month, whether the new file corrects it or supplements it. A correction
// repeats most of the same people (by ID or name), or replaces a nil report
// or is one: the old file is superseded and stays in history. Anything else
// — a separate 补发 roster, a village's late 补报 list — is a supplement and
// both are used.
func (it *ImportTx) supersede(ctx context.Context) error {
	b, tx := it.batch, it.tx
	table := "payouts"
	if b.Kind != audit.KindPayouts {
		table = "death_records"
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, nil_report, imported_rows FROM batches WHERE kind = ? AND village = ? AND period = ? AND id <> ?
		AND superseded_by IS NULL ORDER BY id`, string(b.Kind), b.Village, b.Period.String(), b.ID)
	if err != nil {
		return err
	}
	type old struct {
		id   int64
		nil  bool
		rows int
	}
	var olds []old
	for rows.Next() {
		var o old
		if err := rows.Scan(&o.id, &o.nil, &o.rows); err != nil {
			rows.Close()
			return err
		}
		olds = append(olds, o)
	}
	rows.Close()
	for _, o := range olds {
		correction := o.nil || b.NilReport || o.rows == 0 || b.Imported == 0
		if !correction {
			var same int
			err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT DISTINCT n.id_number, n.name FROM `+table+` n WHERE n.batch_id = ?1
				AND EXISTS (SELECT 1 FROM `+table+` o WHERE o.batch_id = ?2 AND (o.id_number = n.id_number OR o.name = n.name)))`, b.ID, o.id).Scan(&same)
			if err != nil {
				return err
			}
			correction = same*2 >= min(o.rows, b.Imported)
		}
		if !correction {
			b.Supplements = append(b.Supplements, o.id)
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE batches SET superseded_by = ? WHERE id = ?`, b.ID, o.id); err != nil {
			return err
		}
		b.Supersedes = o.id
	}
	return nil
}

// FlagOtherMonths adds a notice for every payout row of the batch whose pay
// month is not the batch's period (190001 or 2030-01 inside a 2022-07 file),
// in SQL so that nothing is held in memory. It returns how many it added and
// the first `show` of them.
func (it *ImportTx) FlagOtherMonths(ctx context.Context, col, header string, show int) (int, []audit.Problem, error) {
	if err := it.flush(ctx); err != nil {
		return 0, nil, err
	}
	var first int64
	if err := it.tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM problems`).Scan(&first); err != nil {
		return 0, nil, err
	}
	p := it.batch.Period.String()
	res, err := it.tx.ExecContext(ctx, `INSERT INTO problems (batch_id, sheet, row, col, header, field, raw, reason, level)
		SELECT batch_id, sheet, row, ?, ?, 'month', month, '发放年月 ' || month || ' 不是文件所属月份 ' || ? || '：可能录错，请核实', 'notice'
		FROM payouts WHERE batch_id = ? AND month <> '' AND month <> ? ORDER BY id`, col, header, p, it.batch.ID, p)
	if err != nil {
		return 0, nil, err
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return int(n), nil, err
	}
	rows, err := it.tx.QueryContext(ctx, `SELECT sheet, row, col, header, field, raw, reason, level FROM problems WHERE id >= ? ORDER BY id LIMIT ?`, first, show)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	var out []audit.Problem
	for rows.Next() {
		q := audit.Problem{File: it.batch.FileName}
		var level string
		if err := rows.Scan(&q.Sheet, &q.Row, &q.Column, &q.Header, &q.Field, &q.Raw, &q.Reason, &level); err != nil {
			return 0, nil, err
		}
		q.Level = audit.Level(level)
		out = append(out, q)
	}
	return int(n), out, rows.Err()
}

// KeepSource stores the file's exact bytes with the batch, in 1 MB chunks
// read one at a time, and checks they hash to the batch's SHA-256.
func (it *ImportTx) KeepSource(ctx context.Context, r io.Reader) error {
	h := sha256.New()
	buf := make([]byte, 1<<20)
	for seq := 0; ; seq++ {
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			h.Write(buf[:n])
			if _, err := it.tx.ExecContext(ctx, `INSERT INTO source_chunks (batch_id, seq, data) VALUES (?, ?, ?)`, it.batch.ID, seq, buf[:n]); err != nil {
				return err
			}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return err
		}
	}
	if hex.EncodeToString(h.Sum(nil)) != it.batch.SHA256 {
		return ErrFileChanged
	}
	return nil
}

// ErrFileChanged: the file's bytes kept at the end of an import are not the
// ones hashed at its start. ErrNoSource: a batch imported by a version that
// kept no copy.
var (
	ErrFileChanged = errors.New("file changed while importing")
	ErrNoSource    = errors.New("no kept copy")
)

// SourceFile writes the kept copy of an imported file to w and returns its
// name.
func (db *DB) SourceFile(ctx context.Context, batchID int64, w io.Writer) (string, error) {
	var name string
	if err := db.db.QueryRowContext(ctx, `SELECT file_name FROM batches WHERE id = ?`, batchID).Scan(&name); err != nil {
		return "", audit.ErrNotFound
	}
	n := 0
	err := db.eachRow(ctx, `SELECT data FROM source_chunks WHERE batch_id = ? ORDER BY seq`, []any{batchID}, func(r *sql.Rows) error {
		var b []byte
		if err := r.Scan(&b); err != nil {
			return err
		}
		n++
		_, err := w.Write(b)
		return err
	})
	if err == nil && n == 0 {
		err = ErrNoSource
	}
	return name, err
}

// Rollback abandons the import (nothing, after Commit).
func (it *ImportTx) Rollback() {
	it.tx.Rollback()
	it.release()
}

// release gives the import's connection back with its usual page cache.
func (it *ImportTx) release() {
	if it.conn == nil {
		return
	}
	it.conn.ExecContext(context.Background(), `PRAGMA cache_size = `+strconv.FormatInt(it.cache, 10))
	it.conn.Close()
	it.conn = nil
}

// Mapping returns the column mapping remembered for a kind and village.
func (db *DB) Mapping(ctx context.Context, kind audit.Kind, village string) (string, error) {
	var m string
	err := db.db.QueryRowContext(ctx, `SELECT mapping FROM mappings WHERE kind = ? AND village = ?`, string(kind), village).Scan(&m)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return m, err
}

// Batches lists imported files, newest first.
func (db *DB) Batches(ctx context.Context, f audit.BatchFilter) ([]audit.Batch, error) {
	q := `SELECT id, file_name, sha256, kind, format, village, period, sheets, imported_by, imported_at, data_rows, imported_rows,
		problem_rows, skipped_rows, nil_report, COALESCE(superseded_by, 0), understood FROM batches WHERE 1=1`
	var args []any
	if f.ID != 0 {
		q += ` AND id = ?`
		args = append(args, f.ID)
	}
	if f.FileName != "" {
		q += ` AND file_name = ?`
		args = append(args, f.FileName)
	}
	if f.Kind != "" {
		q += ` AND kind = ?`
		args = append(args, string(f.Kind))
	}
	if f.Period != 0 {
		q += ` AND period = ?`
		args = append(args, f.Period.String())
	}
	if !f.IncludeOld {
		q += ` AND superseded_by IS NULL`
	}
	q += ` ORDER BY id`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d OFFSET %d`, f.Limit, f.Offset)
	}
	rows, err := db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []audit.Batch
	for rows.Next() {
		var b audit.Batch
		var kind, period, at, understood string
		var nilRep int
		if err := rows.Scan(&b.ID, &b.FileName, &b.SHA256, &kind, &b.Format, &b.Village, &period, &b.Sheets, &b.ImportedBy, &at,
			&b.DataRows, &b.Imported, &b.ProblemRows, &b.Skipped, &nilRep, &b.SupersededBy, &understood); err != nil {
			return nil, err
		}
		if understood != "" {
			json.Unmarshal([]byte(understood), &b.Understood)
		}
		b.Kind, b.NilReport = audit.Kind(kind), nilRep == 1
		b.Period, _ = audit.ParseMonth(period)
		b.ImportedAt, _ = time.Parse(time.RFC3339Nano, at)
		out = append(out, b)
	}
	return out, rows.Err()
}

// Problems lists stored problems of current batches, in file and row order,
// and the total count matching the filter.
func (db *DB) Problems(ctx context.Context, f audit.ProblemFilter) ([]audit.ProblemRow, int, error) {
	where := ` FROM problems p JOIN batches b ON b.id = p.batch_id WHERE b.superseded_by IS NULL`
	var args []any
	if f.Period != 0 {
		where += ` AND (b.period = ? OR b.period = '')`
		args = append(args, f.Period.String())
	}
	if f.BatchID != 0 {
		where += ` AND b.id = ?`
		args = append(args, f.BatchID)
	}
	if f.Level != "" {
		where += ` AND p.level = ?`
		args = append(args, string(f.Level))
	}
	var total int
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*)`+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	q := `SELECT b.id, b.file_name, b.kind, b.village, b.period, p.sheet, p.row, p.col, p.header, p.field, p.raw, p.reason, p.level` + where +
		` ORDER BY b.id, p.row, p.id`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d OFFSET %d`, f.Limit, f.Offset)
	}
	rows, err := db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []audit.ProblemRow
	for rows.Next() {
		var p audit.ProblemRow
		var kind, level string
		if err := rows.Scan(&p.BatchID, &p.File, &kind, &p.Village, &p.Period, &p.Sheet, &p.Row, &p.Column, &p.Header, &p.Field,
			&p.Raw, &p.Reason, &level); err != nil {
			return nil, 0, err
		}
		p.Kind, p.Level = audit.Kind(kind), audit.Level(level)
		out = append(out, p)
	}
	return out, total, rows.Err()
}

// SourceCells counts, per source kind and month, the records dated in that
// month (for the prison list: the people inside during it; for rosters:
// the people paid; for village lists: the villages that reported), and
// gives each kind's date range ("" when never loaded).
func (db *DB) SourceCells(ctx context.Context, months []audit.Month) (counts map[audit.Kind]map[audit.Month]int, spans map[audit.Kind][2]string, err error) {
	counts, spans = map[audit.Kind]map[audit.Month]int{}, map[audit.Kind][2]string{}
	kindOf := map[string]audit.Kind{}
	for _, k := range audit.Kinds {
		kindOf[SourceOf(k)] = k
	}
	add := func(k audit.Kind, m audit.Month, n int) {
		if counts[k] == nil {
			counts[k] = map[audit.Month]int{}
		}
		counts[k][m] += n
	}
	// the dated sources, by the month of their date
	err = db.eachRow(ctx, `SELECT d.source, substr(CASE d.source WHEN 'other_pension' THEN d.month || '-01'
			WHEN 'deregistration' THEN COALESCE(NULLIF(d.dereg_date, ''), d.death_date)
			WHEN 'cremation' THEN COALESCE(NULLIF(d.event_date, ''), d.death_date)
			WHEN 'death_certificate' THEN d.death_date ELSE d.event_date END, 1, 10) AS day, COUNT(*)
		FROM death_records d JOIN batches b ON b.id = d.batch_id AND b.superseded_by IS NULL
		WHERE d.source NOT IN ('village') GROUP BY 1, 2`, nil, func(r *sql.Rows) error {
		var src, day string
		var n int
		if err := r.Scan(&src, &day, &n); err != nil {
			return err
		}
		k := kindOf[src]
		if day == "" {
			return nil
		}
		sp := spans[k]
		if sp[0] == "" || day < sp[0] {
			sp[0] = day
		}
		if day > sp[1] {
			sp[1] = day
		}
		spans[k] = sp
		if m, err := audit.ParseMonth(day[:min(7, len(day))]); err == nil && k != audit.KindPrison {
			add(k, m, n)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	for _, m := range months {
		first := time.Date(m.Year(), time.Month(m.Mon()), 1, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
		last := time.Date(m.Year(), time.Month(m.Mon())+1, 0, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
		var inside, paid, reported int
		if err := db.db.QueryRowContext(ctx, `SELECT COUNT(DISTINCT d.id_number) FROM death_records d JOIN batches b ON b.id = d.batch_id AND b.superseded_by IS NULL
			WHERE d.source = 'prison' AND d.event_date <> '' AND d.event_date <= ? AND (d.end_date = '' OR d.end_date >= ?)`, last, first).Scan(&inside); err != nil {
			return nil, nil, err
		}
		if inside > 0 {
			add(audit.KindPrison, m, inside)
		}
		if err := db.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(bv.payees), 0) FROM batch_villages bv JOIN batches b ON b.id = bv.batch_id AND b.superseded_by IS NULL
			WHERE bv.month = ?`, m.String()).Scan(&paid); err != nil {
			return nil, nil, err
		}
		if paid > 0 {
			add(audit.KindPayouts, m, paid)
		}
		if err := db.db.QueryRowContext(ctx, `SELECT COUNT(DISTINCT village) FROM batches WHERE kind = 'deaths' AND period = ? AND superseded_by IS NULL`,
			m.String()).Scan(&reported); err != nil {
			return nil, nil, err
		}
		if reported > 0 {
			add(audit.KindDeaths, m, reported)
		}
	}
	return counts, spans, nil
}
