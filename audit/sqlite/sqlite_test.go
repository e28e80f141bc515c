package sqlite

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pensionaudit/audit"
	"pensionaudit/audit/idcard"
	"pensionaudit/audit/rules"
)

// newDB is a migrated store in a temporary file with a clock that ticks a
// second per reading.
func newDB(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2024, 4, 8, 9, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { clock = clock.Add(time.Second); return clock }
	t.Cleanup(func() { db.Close() })
	return db
}

func count(t *testing.T, db *DB, table string) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Every migration is applied once, in order, and recorded; opening again
// applies nothing; a file opened read-only without the newest migration
// says it needs upgrading; a foreign database is refused untouched.
func TestMigrations(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	names, _ := fs.Glob(migrationFS, "migrations/*.sql")
	if n := count(t, db, "migrations"); n != len(names) || n < 9 {
		t.Fatalf("%d migrations recorded, %d embedded", n, len(names))
	}
	var col int
	db.SQL().QueryRow(`SELECT COUNT(*) FROM pragma_table_info('checks') WHERE name = 'upto_batch'`).Scan(&col)
	if col != 1 {
		t.Error("checks.upto_batch missing")
	}
	db.Close()
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "migrations"); n != len(names) {
		t.Errorf("reopening applied migrations again: %d", n)
	}
	if _, err := db.SQL().Exec(`DELETE FROM migrations WHERE name = 'migrations/0009_check_inputs.sql'`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := OpenReadOnly(ctx, path); !errors.Is(err, ErrNeedsUpgrade) {
		t.Errorf("read-only open of a workspace missing a migration: %v", err)
	}
	// a database that is not a workspace is not touched
	foreign := filepath.Join(t.TempDir(), "other.db")
	fdb, _ := Open(ctx, foreign)
	fdb.SQL().Exec(`DROP TABLE trail`)
	fdb.Close()
	if _, err := OpenExisting(ctx, foreign); !errors.Is(err, ErrNotWorkspace) {
		t.Errorf("a foreign database: %v", err)
	}
}

// The trail is append-only (triggers), each entry chains to the one before,
// and an Update whose function fails leaves no trace — trail entry included.
func TestTrailAndTransactions(t *testing.T) {
	ctx := context.Background()
	db := newDB(t)
	for i, v := range []string{"东风镇", "柳塘镇"} {
		err := db.Update(ctx, func(tx *Tx) error {
			if err := tx.SetSettings(ctx, map[string]string{"township": v}); err != nil {
				return err
			}
			return tx.AppendTrail(ctx, "测试", "setting", map[string]string{"key": "township", "value": v})
		})
		if err != nil {
			t.Fatal(i, err)
		}
	}
	trail, err := db.Trail(ctx)
	if err != nil || len(trail) != 2 {
		t.Fatalf("trail: %d %v", len(trail), err)
	}
	if trail[1].PrevHash != trail[0].Hash || trail[1].ComputeHash() != trail[1].Hash || trail[1].Seq != 2 {
		t.Errorf("the chain does not link: %+v", trail)
	}
	if !strings.Contains(trail[0].Payload, `"state"`) {
		t.Error("an entry without the state digests")
	}
	for _, q := range []string{`UPDATE trail SET user_name = 'x'`, `DELETE FROM trail`} {
		if _, err := db.SQL().Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v", q, err)
		}
	}
	boom := errors.New("boom")
	err = db.Update(ctx, func(tx *Tx) error {
		tx.SetSettings(ctx, map[string]string{"township": "改掉"})
		tx.AppendTrail(ctx, "测试", "setting", map[string]string{"key": "township"})
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("Update returned %v", err)
	}
	if v, _ := db.Township(ctx); v != "柳塘镇" || count(t, db, "trail") != 2 {
		t.Errorf("a failed Update left %q and %d entries", v, count(t, db, "trail"))
	}
	r, err := db.Verify(ctx)
	if err != nil || !r.OK() {
		t.Errorf("verify: %v %v", err, r.Problems)
	}
}

// Accounts: stored, read back with their role, duplicates and unknown names
// told by kind; the password checked with a back-off, every failure alike.
func TestUsers(t *testing.T) {
	ctx := context.Background()
	db := newDB(t)
	hash, err := HashPassword("wang-secret-1")
	if err != nil {
		t.Fatal(err)
	}
	wang := audit.User{Name: "王主任", Role: audit.RoleSupervisor}
	err = db.Update(ctx, func(tx *Tx) error { return tx.InsertUser(ctx, wang.Name, wang, hash) })
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(ctx, func(tx *Tx) error { return tx.InsertUser(ctx, wang.Name, wang, hash) })
	if !errors.Is(err, audit.ErrDuplicate) {
		t.Errorf("duplicate account: %v", err)
	}
	// the role is checked by the schema too
	if _, err := db.SQL().Exec(`INSERT INTO users (name, role, pw_hash, created_at, created_by) VALUES ('x', 'root', '', '', '')`); err == nil {
		t.Error("a role outside the three accepted")
	}
	err = db.View(ctx, func(tx *Tx) error {
		u, err := tx.User(ctx, "王主任")
		if err != nil || u != wang {
			t.Errorf("read back %+v %v", u, err)
		}
		if _, err := tx.User(ctx, "无此人"); !errors.Is(err, audit.ErrNotFound) {
			t.Errorf("unknown account: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	role := audit.RoleClerk
	err = db.Update(ctx, func(tx *Tx) error { return tx.ChangeUser(ctx, "王主任", "无此人", UserChange{Role: &role}) })
	if !errors.Is(err, audit.ErrNotFound) {
		t.Errorf("change of an unknown account: %v", err)
	}
	if u, err := db.Authenticate(ctx, "王主任", "wang-secret-1"); err != nil || u.Role != audit.RoleSupervisor {
		t.Errorf("login: %+v %v", u, err)
	}
	for i := 0; i < 4; i++ {
		if _, err := db.Authenticate(ctx, "王主任", "wrong-guess"); !errors.Is(err, ErrBadLogin) {
			t.Fatalf("wrong password: %v", err)
		}
	}
	if _, err := db.Authenticate(ctx, "王主任", "wang-secret-1"); !errors.Is(err, ErrBadLogin) {
		t.Error("the right password during the back-off was accepted")
	}
	if _, err := db.Authenticate(ctx, "无此人", "wang-secret-1"); !errors.Is(err, ErrBadLogin) {
		t.Errorf("unknown user: %v", err)
	}
	disabled := true
	hash2, _ := HashPassword("wang-secret-2")
	err = db.Update(ctx, func(tx *Tx) error {
		if err := tx.ChangeUser(ctx, "王主任", "王主任", UserChange{PwHash: &hash2}); err != nil { // also clears the back-off
			return err
		}
		return tx.ChangeUser(ctx, "王主任", "王主任", UserChange{Disabled: &disabled})
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Authenticate(ctx, "王主任", "wang-secret-2"); !errors.Is(err, ErrBadLogin) {
		t.Errorf("a disabled account logged in: %v", err)
	}
	var n int
	db.SQL().QueryRow(`SELECT COUNT(*) FROM trail WHERE action IN ('user_add', 'user_password', 'user_disable')`).Scan(&n)
	if n != 3 {
		t.Errorf("%d account entries in the trail, want 3", n)
	}
}

// importRoster stores a small roster of month p through ImportTx.
func importRoster(t *testing.T, db *DB, name string, p audit.Month, ids ...string) int64 {
	t.Helper()
	ctx := context.Background()
	b := &audit.Batch{FileName: name, SHA256: "sha-" + name, Kind: audit.KindPayouts, Format: "csv", Period: p, ImportedBy: "测试"}
	it, err := db.BeginImport(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Rollback()
	for i, id := range ids {
		r := &audit.Record{Sheet: "Sheet1", Row: i + 2, Village: "东风村", Name: "张三", ID: idcard.Normalize(id), Month: p, Amount: 12000, HasAmount: true,
			PayType: audit.PayNormal}
		if err := it.Add(ctx, r); err != nil {
			t.Fatal(err)
		}
		b.Imported++
	}
	if err := it.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	return b.ID
}

// Imports: a file's bytes imported twice are refused by kind (with the
// earlier batch), the mapping is stored in the import's transaction, and a
// batch is counted in a check's inputs.
func TestImportsAndChecks(t *testing.T) {
	ctx := context.Background()
	db := newDB(t)
	p := audit.MakeMonth(2024, 3)
	first := importRoster(t, db, "roster.csv", p, "430422196112112507")
	_, err := db.BeginImport(ctx, &audit.Batch{FileName: "copy.csv", SHA256: "sha-roster.csv", Kind: audit.KindPayouts})
	var dup *DuplicateFile
	if !errors.As(err, &dup) || !errors.Is(err, audit.ErrDuplicate) || dup.Earlier.ID != first || dup.Earlier.FileName != "roster.csv" {
		t.Fatalf("duplicate import: %v", err)
	}
	// the schema refuses what the store never writes
	if _, err := db.SQL().Exec(`INSERT INTO batches (file_name, sha256, kind, format, village, period, sheets, imported_by, imported_at) VALUES ('x', 'sha-roster.csv', 'payouts', '', '', '', '', '', '')`); err == nil {
		t.Error("a second batch with the same SHA-256 accepted by the schema")
	}
	if _, err := db.SQL().Exec(`INSERT INTO batches (file_name, sha256, kind, format, village, period, sheets, imported_by, imported_at) VALUES ('x', 'y', 'photos', '', '', '', '', '', '')`); err == nil {
		t.Error("a kind outside the three accepted")
	}
	// mapping saved with the import, not before: a rolled-back import leaves none
	b := &audit.Batch{FileName: "deaths.csv", SHA256: "sha-deaths", Kind: audit.KindDeaths, Village: "东风村", Period: p, ImportedBy: "测试"}
	it, err := db.BeginImport(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if err := it.SaveMapping(ctx, "id=证件号码"); err != nil {
		t.Fatal(err)
	}
	it.Rollback()
	if m, _ := db.Mapping(ctx, audit.KindDeaths, "东风村"); m != "" {
		t.Errorf("a rolled-back import's mapping stayed: %q", m)
	}
	// a check reads one snapshot and records the newest batch it saw
	in, upto, err := db.CheckInput(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if upto != first || in.Period != p {
		t.Errorf("check input: upto %d (want %d)", upto, first)
	}
	err = db.Update(ctx, func(tx *Tx) error {
		_, err := tx.SaveFindings(ctx, p, "测试", rules.Run(in), upto, in.Settings, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ready := func() audit.Readiness {
		var r audit.Readiness
		err := db.View(ctx, func(tx *Tx) error {
			var err error
			r, err = tx.Readiness(ctx, p)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := ready(); !r.Checked || len(r.Stale) != 0 {
		t.Errorf("after the check: %+v", r)
	}
	// a file imported after the check is stale — by batch number, whatever
	// the clock says (here it is stopped)
	stopped := db.Now()
	db.Now = func() time.Time { return stopped }
	later := importRoster(t, db, "roster-2.csv", p, "11010519491231002X")
	if r := ready(); len(r.Stale) != 1 || r.Stale[0] != later {
		t.Errorf("after a later import: %+v", r)
	}
}

// Signatures: stored with their trail entry, read back as the month's lock,
// revoked with a reason; the store refuses a role the schema does not know.
func TestSignoffsAndLocks(t *testing.T) {
	ctx := context.Background()
	db := newDB(t)
	p := audit.MakeMonth(2024, 3)
	batch := importRoster(t, db, "roster.csv", p, "430422196112112507")
	lock := func() audit.Lock {
		var l audit.Lock
		db.View(ctx, func(tx *Tx) error { l, _ = tx.Lock(ctx, p); return nil })
		return l
	}
	if l := lock(); l.Clerk != nil || l.Supervisor != nil || l.Writable() != nil {
		t.Fatalf("an unsigned month: %+v", l)
	}
	err := db.Update(ctx, func(tx *Tx) error {
		fp, err := tx.Fingerprint(ctx, p, []int64{batch})
		if err != nil {
			return err
		}
		if err := tx.RecordSignoff(ctx, &audit.Signoff{Period: p.String(), Role: audit.RoleClerk, User: "李会计", Batches: []int64{batch}, Fingerprint: fp}); err != nil {
			return err
		}
		return tx.RecordSignoff(ctx, &audit.Signoff{Period: p.String(), Role: audit.RoleSupervisor, User: "王主任", Batches: []int64{batch}, Fingerprint: fp})
	})
	if err != nil {
		t.Fatal(err)
	}
	l := lock()
	if l.Clerk == nil || l.Supervisor == nil || l.Supervisor.User != "王主任" || !errors.Is(l.Writable(), audit.ErrLocked) {
		t.Fatalf("a countersigned month: %+v", l)
	}
	if r, err := db.Verify(ctx); err != nil || !r.OK() {
		t.Errorf("verify after signing: %v %v", err, r.Problems)
	}
	var n int
	err = db.Update(ctx, func(tx *Tx) error { n, err = tx.RevokeSignoffs(ctx, "王主任", p, "补报"); return err })
	if err != nil || n != 2 {
		t.Fatalf("revoked %d: %v", n, err)
	}
	if l := lock(); l.Clerk != nil || l.Supervisor != nil {
		t.Errorf("after revoking: %+v", l)
	}
	if _, err := db.SQL().Exec(`INSERT INTO signoffs (period, role, user_name, at, batches, fingerprint) VALUES ('2024-03', 'auditor', 'x', '', '[]', '')`); err == nil {
		t.Error("an auditor's signature accepted by the schema")
	}
	if r, err := db.Verify(ctx); err != nil || !r.OK() {
		t.Errorf("verify after the reopen: %v %v", err, r.Problems)
	}
}

// Storage failures are told by kind: a workspace another connection holds
// is ErrBusy, whatever the driver's words.
func TestStorageKinds(t *testing.T) {
	ctx := context.Background()
	db := newDB(t)
	db.SQL().Exec(`PRAGMA busy_timeout = 50`)
	other, err := Open(ctx, db.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, _ := other.SQL().Conn(ctx)
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN EXCLUSIVE`); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, `ROLLBACK`)
	db.SQL().SetMaxOpenConns(1)
	c2, _ := db.SQL().Conn(ctx)
	c2.ExecContext(ctx, `PRAGMA busy_timeout = 50`)
	c2.Close()
	err = db.Update(ctx, func(tx *Tx) error { return tx.SetSettings(ctx, map[string]string{"k": "v"}) })
	if !errors.Is(err, audit.ErrBusy) {
		t.Errorf("a held workspace: %v", err)
	}
}

// The people each village has on the month's rosters come from the counts
// kept at import; a village on two rosters of the month (a 补发 roster beside
// the regular one) counts each person once.
func TestPaidByVillageCountsPeopleOnce(t *testing.T) {
	ctx := context.Background()
	db := newDB(t)
	p := audit.MakeMonth(2024, 3)
	roster := func(file string, people map[string]string) {
		b := &audit.Batch{FileName: file, SHA256: "sha-" + file, Kind: audit.KindPayouts, Format: "csv", Period: p, ImportedBy: "测试"}
		it, err := db.BeginImport(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		defer it.Rollback()
		for id, name := range people {
			b.Imported++
			r := &audit.Record{Sheet: "Sheet1", Row: b.Imported + 1, Village: "东风村", Name: name, ID: idcard.Normalize(id), Month: p,
				Amount: 12000, HasAmount: true, PayType: audit.PayNormal}
			if err := it.Add(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		if err := it.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	paid := func() int {
		in, _, err := db.CheckInput(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		return in.PaidByVillage["东风村"]
	}
	roster("regular.csv", map[string]string{"430422196112112507": "张一", "430422196112112515": "张二", "430422196112112523": "张三", "430422196112112531": "张四"})
	if n := paid(); n != 4 {
		t.Errorf("one roster: 东风村 %d, want 4", n)
	}
	// a supplement: one of the four again, two new
	roster("backpay.csv", map[string]string{"430422196112112507": "张一", "43042219611211254X": "李五", "430422196112112558": "李六"})
	if n := paid(); n != 6 {
		t.Errorf("two rosters sharing a payee: 东风村 %d, want 6 (not 7)", n)
	}
}
