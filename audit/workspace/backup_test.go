package workspace

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"pensionaudit/audit"
)

// Every signature leaves a backup beside the workspace, the first use of a
// day another; old ones rotate out, each kind keeping its own number.
func TestAutomaticBackups(t *testing.T) {
	ctx := context.Background()
	d := newDemoWS(t)
	w := d.w
	p := d.months[len(d.months)-1]
	d.signByClerk(t, p)
	made, err := w.LastBackup()
	if err != nil || !strings.Contains(filepath.Base(made), "签字") || !strings.Contains(made, "经办人签字") {
		t.Fatalf("backup after the clerk's signature: %q %v", made, err)
	}
	if _, err := w.SignOff(ctx, d.sup2, p); err != nil {
		t.Fatal(err)
	}
	made, err = w.LastBackup()
	if err != nil || !strings.Contains(made, "复核签字") {
		t.Fatalf("backup after the countersignature: %q %v", made, err)
	}
	// the countersigned backup is a whole workspace: it opens, verifies and
	// holds the lock
	b, err := OpenReadOnly(ctx, made)
	if err != nil {
		t.Fatal(err)
	}
	r, err := b.Verify(ctx)
	if err != nil || !r.OK() {
		t.Fatalf("the backup does not verify: %v %+v", err, r)
	}
	st, _ := b.Status(ctx, p)
	b.Close()
	if len(st) == 0 || st[0].Supervisor == nil || !st[0].Locked {
		t.Errorf("the backup does not hold the countersignature: %+v", st)
	}

	day := time.Now().AddDate(0, 0, 1).Truncate(time.Second) // after the signatures
	w.SetClock(func() time.Time { return day })
	if _, made, err := w.DailyBackup(ctx); err != nil || !made {
		t.Fatalf("first use of the day: %v %v", made, err)
	}
	if _, made, err := w.DailyBackup(ctx); err != nil || made {
		t.Fatalf("second use of the day made another: %v %v", made, err)
	}
	for i := 1; i <= 9; i++ {
		day = day.AddDate(0, 0, 1)
		if _, _, err := w.DailyBackup(ctx); err != nil {
			t.Fatal(err)
		}
	}
	all, _ := w.Backups()
	kinds := map[string]int{}
	for _, b := range all {
		kinds[b.Kind]++
	}
	if kinds[BackupDaily] != keep[BackupDaily] || kinds[BackupSign] != 2 {
		t.Errorf("kept %v, want %d daily and the 2 signatures", kinds, keep[BackupDaily])
	}
	if newest := all[0]; newest.Kind != BackupDaily || !newest.Time.Equal(day.Truncate(time.Second)) {
		t.Errorf("newest first: %+v", newest)
	}
}

// A supervisor puts a verified backup back: what was done after it is
// gone, the workspace as it was is kept as one more backup, the trail says
// so with the head it gave up, and verify — with this computer's anchors,
// which saw the later heads — passes. A clerk may not restore; a backup
// that was edited, or that belongs to another workspace, is refused and the
// workspace is left as it was.
func TestRestoreBackup(t *testing.T) {
	ctx := context.Background()
	d := newDemoWS(t)
	w := d.w
	w.KeepAnchors(filepath.Join(t.TempDir(), "anchors.log"))
	w.RecordHead(ctx)
	backup, err := w.Backup(ctx, BackupDaily, "")
	if err != nil {
		t.Fatal(err)
	}
	p := d.months[len(d.months)-1]
	if err := decideAll(ctx, w, d.clerk, p, 3); err != nil {
		t.Fatal(err)
	}
	w.RecordHead(ctx) // this computer has seen the decisions
	decided := func() int {
		var n int
		w.db.SQL().QueryRow(`SELECT COUNT(*) FROM decisions`).Scan(&n)
		return n
	}
	if decided() == 0 {
		t.Fatal("nothing decided")
	}

	if _, err := w.Restore(ctx, d.clerk, backup); !errors.Is(err, audit.ErrPermission) {
		t.Errorf("a clerk restored: %v", err)
	}

	// an edited backup: refused, the workspace unchanged
	edited := filepath.Join(t.TempDir(), "edited.db")
	if err := copyFile(backup, edited); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", edited)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE payouts SET amount_fen = amount_fen + 100 WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := w.Restore(ctx, d.sup, edited); err == nil || !strings.Contains(err.Error(), "没有通过校验") {
		t.Errorf("an edited backup: %v", err)
	}
	if decided() == 0 {
		t.Fatal("a refused restore changed the workspace")
	}
	// another workspace's file
	other := newWS(t)
	otherBackup, err := other.Backup(ctx, BackupDaily, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Restore(ctx, d.sup, otherBackup); err == nil || !strings.Contains(err.Error(), "不是这个工作区的备份") {
		t.Errorf("another workspace's backup: %v", err)
	}

	// a session whose key is not open (made without the password): refused
	if _, err := w.Restore(ctx, audit.Session{User: d.sup.User}, backup); !errors.Is(err, audit.ErrPermission) {
		t.Errorf("a restore without the supervisor's key: %v", err)
	}
	// the supervisor's password changed since the backup: his new key is
	// certified by his old one, which the backup knows; the restore carries
	// the key and the password that opens it
	if err := w.ResetPassword(ctx, d.sup, DemoSupervisor, "new-secret-42"); err != nil {
		t.Fatal(err)
	}
	sup := mustLogin(t, w, DemoSupervisor, "new-secret-42")

	saved, err := w.Restore(ctx, *sup, backup)
	if err != nil {
		t.Fatal(err)
	}
	if decided() != 0 {
		t.Errorf("after the restore %d decisions remain", decided())
	}
	if _, err := os.Stat(saved); err != nil || !strings.Contains(saved, BackupRestore) {
		t.Errorf("the workspace as it was: %q %v", saved, err)
	}
	trail, _ := w.db.Trail(ctx)
	last := trail[len(trail)-1]
	if last.Action != "restore" || last.User != DemoSupervisor || !strings.Contains(last.Payload, filepath.Base(saved)) {
		t.Errorf("the restore is not in the trail: %+v", last)
	}
	if !strings.Contains(last.Payload, `"sig"`) {
		t.Errorf("the restore is not signed: %s", last.Payload)
	}
	r, err := w.Verify(ctx)
	if err != nil || !r.OK() || r.Anchors == 0 {
		t.Errorf("verify after the restore: %v %+v", err, r)
	}
	if s := mustLogin(t, w, DemoSupervisor, "new-secret-42"); s.Key == nil || s.Key.Fingerprint() != sup.Key.Fingerprint() {
		t.Errorf("after the restore the supervisor's key does not open with his password")
	}
	// the restore's signature stripped: verify says so
	strip, err := w.Backup(ctx, BackupManual, "")
	if err != nil {
		t.Fatal(err)
	}
	sdb, _ := sql.Open("sqlite", strip)
	if _, err := sdb.Exec(`DROP TRIGGER trail_no_update`); err != nil {
		t.Fatal(err)
	}
	if _, err := sdb.Exec(`UPDATE trail SET payload = json_remove(payload, '$.sig', '$.signer') WHERE action = 'restore'`); err != nil {
		t.Fatal(err)
	}
	sdb.Close()
	sw, err := OpenReadOnly(ctx, strip)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := sw.Verify(ctx); err != nil || r.OK() || !strings.Contains(strings.Join(r.Problems, "\n"), "恢复备份") {
		t.Errorf("an unsigned restore passed verify: %v %+v", err, r)
	}
	sw.Close()
	// the program goes on working on the restored file
	if err := decideAll(ctx, w, d.clerk, p, 1); err != nil || decided() != 1 {
		t.Errorf("after the restore: %v, %d decisions", err, decided())
	}
	// the copy kept before the restore verifies too, and still holds them
	b, err := OpenReadOnly(ctx, saved)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var n int
	b.db.SQL().QueryRow(`SELECT COUNT(*) FROM decisions`).Scan(&n)
	if n == 0 {
		t.Errorf("the copy kept before the restore lost the decisions")
	}
}
