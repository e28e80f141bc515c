package workspace

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"pensionaudit/audit"
	"pensionaudit/audit/sqlite"
)

// Automatic backups: a laptop's disk fails, a file is deleted, a month is
// signed and then the workspace is damaged. After every signature and on
// the first use of each day the workspace is copied, whole and consistent,
// into a folder beside it (东风镇.db → 东风镇_备份/); old copies are rotated
// out. A supervisor can put a backup back in place of the workspace from
// 设置, after the backup has been verified; the restore is recorded in the
// trail with the head it leaves behind, and the workspace as it was is kept
// as one more backup (恢复前).

// Backup kinds, as the file names and the window say them.
const (
	BackupDaily   = "每日"
	BackupSign    = "签字"
	BackupRestore = "恢复前"
	BackupManual  = "手动"
)

// keep is how many backups of each kind stay; older ones are removed.
var keep = map[string]int{BackupDaily: 7, BackupSign: 24, BackupRestore: 5, BackupManual: 10}

// BackupInfo is one backup file.
type BackupInfo struct {
	Path string
	Time time.Time
	Kind string // 每日, 签字, 恢复前
	Note string // e.g. 2024年3月 复核签字
	Size int64
}

// BackupDir is the folder beside a workspace where its backups are kept.
func BackupDir(path string) string {
	stem := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	return filepath.Join(filepath.Dir(path), stem+"_备份")
}

const backupStamp = "20060102-150405"

// Backup copies the workspace into its backup folder now, as kind (with a
// note such as the month signed), and rotates that kind's old copies out.
func (w *Workspace) Backup(ctx context.Context, kind, note string) (string, error) {
	dir := BackupDir(w.Path())
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", audit.Errorf(audit.ErrIO, "无法建立备份文件夹 %s：%v", dir, err)
	}
	name := w.Now().Format(backupStamp) + "_" + kind
	if note != "" {
		name += "_" + note
	}
	dest := filepath.Join(dir, safeName(name)+".db")
	for i := 2; ; i++ {
		if _, err := os.Stat(dest); os.IsNotExist(err) {
			break
		}
		dest = filepath.Join(dir, fmt.Sprintf("%s_%d.db", safeName(name), i))
	}
	if err := w.db.BackupTo(ctx, dest); err != nil {
		os.Remove(dest)
		return "", Friendly(err)
	}
	w.rotate(kind)
	return dest, nil
}

// safeName keeps a file name to what every file system takes.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '/', '\\', ':', '*', '?', '"', '<', '>', '|', ' ':
			return '-'
		}
		return r
	}, s)
}

// Backups lists the workspace's backups, newest first.
func (w *Workspace) Backups() ([]BackupInfo, error) {
	dir := BackupDir(w.Path())
	ents, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, audit.Errorf(audit.ErrIO, "无法读取备份文件夹 %s：%v", dir, err)
	}
	var out []BackupInfo
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".db") {
			continue
		}
		parts := strings.SplitN(strings.TrimSuffix(name, ".db"), "_", 3)
		if len(parts) < 2 {
			continue
		}
		t, err := time.ParseInLocation(backupStamp, parts[0], time.Local)
		if err != nil {
			continue
		}
		b := BackupInfo{Path: filepath.Join(dir, name), Time: t, Kind: parts[1]}
		if len(parts) == 3 {
			b.Note = parts[2]
		}
		if st, err := e.Info(); err == nil {
			b.Size = st.Size()
		}
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path > out[j].Path })
	return out, nil
}

// rotate removes the oldest backups of a kind beyond what is kept.
func (w *Workspace) rotate(kind string) {
	all, err := w.Backups()
	if err != nil {
		return
	}
	n := 0
	for _, b := range all {
		if b.Kind != kind {
			continue
		}
		if n++; n > keep[kind] {
			os.Remove(b.Path)
		}
	}
}

// DailyBackup makes the day's backup on the first use of a day; made says
// whether one was made now.
func (w *Workspace) DailyBackup(ctx context.Context) (path string, made bool, err error) {
	all, err := w.Backups()
	if err != nil {
		return "", false, err
	}
	today := w.Now().Format("20060102")
	for _, b := range all {
		if b.Kind == BackupDaily && b.Time.Format("20060102") == today {
			return b.Path, false, nil
		}
	}
	path, err = w.Backup(ctx, BackupDaily, "")
	return path, err == nil, err
}

// LastBackup is the backup made after the last signature in this session,
// or why it could not be made ("" and nil when none was attempted).
func (w *Workspace) LastBackup() (string, error) { return w.lastBackup, w.lastBackupErr }

// backupAfterSign copies the workspace after a signature; a failure does
// not undo the signature, it is told (LastBackup).
func (w *Workspace) backupAfterSign(ctx context.Context, sig *audit.Signoff) {
	p, _ := audit.ParseMonth(sig.Period)
	note := p.Label() + "经办人签字"
	if sig.Role == audit.RoleSupervisor {
		note = p.Label() + "复核签字"
	}
	w.lastBackup, w.lastBackupErr = w.Backup(ctx, BackupSign, note)
}

// CheckBackup verifies a backup as it would be restored: its trail, every
// scope and signature, and every trail head this computer has seen up to
// the backup's own head (heads seen after it are what a restore gives up).
func (w *Workspace) CheckBackup(ctx context.Context, path string) (*VerifyReport, error) {
	b, err := OpenReadOnly(ctx, path)
	if err != nil {
		return nil, err
	}
	defer b.db.Close()
	myID, err := w.workspaceID(ctx, false)
	if err != nil {
		return nil, err
	}
	theirID, err := b.workspaceID(ctx, false)
	if err != nil {
		return nil, err
	}
	if myID != theirID {
		return nil, audit.Errorf(audit.ErrConflict, "%s 不是这个工作区的备份（属于另一个工作区）", filepath.Base(path))
	}
	r, err := b.db.Verify(ctx)
	if err != nil {
		return nil, Friendly(err)
	}
	head, err := b.db.Head(ctx)
	if err != nil {
		return nil, Friendly(err)
	}
	b.anchors = w.anchors
	if err := b.checkAnchorsUpTo(ctx, r, head.Seq); err != nil {
		return nil, err
	}
	return r, nil
}

// restoreRecord is what the trail keeps of a restore.
type restoreRecord struct {
	Backup        string `json:"backup"`
	BackupSeq     int64  `json:"backup_head_seq"`
	BackupHash    string `json:"backup_head_hash"`
	AbandonedSeq  int64  `json:"abandoned_head_seq"`
	AbandonedHash string `json:"abandoned_head_hash"`
	SavedAs       string `json:"saved_as"`
}

// Restore puts a verified backup in place of the workspace (a supervisor's
// act). The workspace as it was is kept first as a backup (恢复前) and named
// in the restore's trail entry with the head it gives up. saved is that copy.
func (w *Workspace) Restore(ctx context.Context, s audit.Session, backup string) (saved string, err error) {
	// the supervisor's right is asked of the workspace as it stands, read
	// without a write: a workspace changed outside the program refuses
	// writes, and a backup is what puts it right
	u, err := w.standing(ctx, s)
	if err != nil {
		return "", Friendly(err)
	}
	if err := u.May(audit.ActRestore); err != nil {
		return "", err
	}
	r, err := w.CheckBackup(ctx, backup)
	if err != nil {
		return "", err
	}
	if !r.OK() {
		return "", audit.Errorf(audit.ErrConflict, "备份 %s 没有通过校验，不能恢复：%s", filepath.Base(backup), strings.Join(r.Problems, "；"))
	}
	// the restore is signed with the supervisor's key: the key this
	// workspace knows, which the backup must know too (or be able to
	// learn: a key made since, certified by a key the backup has)
	mine, keyed, err := w.db.KeyOf(ctx, s.Name)
	if err != nil {
		return "", Friendly(err)
	}
	if keyed {
		if err := keyOpen(s, mine, "恢复备份"); err != nil {
			return "", err
		}
	}
	b, err := OpenReadOnly(ctx, backup)
	if err != nil {
		return "", err
	}
	bhead, err := b.db.Head(ctx)
	var carry *sqlite.KeyRow
	if err == nil && keyed {
		carry, err = keyToCarry(ctx, b.db, s.Name, mine)
	}
	b.db.Close()
	var hash string // with a carried key, the password that opens it
	if err == nil && carry != nil {
		hash, err = w.db.PasswordHash(ctx, s.Name)
	}
	if err != nil {
		return "", Friendly(err)
	}
	head, err := w.db.Head(ctx)
	if err != nil {
		return "", Friendly(err)
	}
	if saved, err = w.Backup(ctx, BackupRestore, ""); err != nil {
		return "", err
	}
	w.RecordHead(ctx) // the head given up is on record outside the file too
	// the copy goes beside the workspace first, then takes its name at once
	path := w.Path()
	tmp := path + ".restore"
	if err := copyFile(backup, tmp); err != nil {
		os.Remove(tmp)
		return saved, audit.Errorf(audit.ErrIO, "无法复制备份：%v", err)
	}
	now := w.db.Now
	if err := w.db.Close(); err != nil {
		os.Remove(tmp)
		return saved, Friendly(err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(path + suffix)
	}
	renameErr := os.Rename(tmp, path)
	cache := w.cacheKB
	if cache == 0 {
		cache = 65536
	}
	db, err := sqlite.OpenExistingCache(ctx, path, cache)
	if err != nil {
		return saved, openError(path, err)
	}
	db.Now = now
	w.db = db
	if renameErr != nil {
		os.Remove(tmp)
		return saved, audit.Errorf(audit.ErrIO, "无法用备份替换工作区：%v（工作区没有改变）", renameErr)
	}
	rec := restoreRecord{Backup: filepath.Base(backup), BackupSeq: bhead.Seq, BackupHash: bhead.Hash,
		AbandonedSeq: head.Seq, AbandonedHash: head.Hash, SavedAs: filepath.Base(saved)}
	// recorded under the name of the supervisor who restored it, whose
	// account the backup may not yet have had
	err = w.db.Update(ctx, func(tx *sqlite.Tx) error {
		if carry != nil {
			if err := tx.AddKey(ctx, s.Name, *carry); err != nil {
				return err
			}
		}
		if err := signer(ctx, tx, s); err != nil {
			return err
		}
		if carry != nil {
			if err := tx.ChangeUser(ctx, s.Name, s.Name, sqlite.UserChange{PwHash: &hash}); err != nil {
				return err
			}
		}
		return tx.AppendTrail(ctx, s.Name, "restore", rec)
	})
	if err != nil {
		return saved, Friendly(err)
	}
	w.RecordHead(ctx)
	return saved, nil
}

// keyToCarry says which key the restored workspace must learn for the
// supervisor to sign the restore: none when the backup holds the key, or
// the account did not have one then; the key (and with it the password
// that opens it) when the backup knows the key that certified it; otherwise the restore is refused before anything is
// replaced.
func keyToCarry(ctx context.Context, b *sqlite.DB, name string, mine sqlite.KeyRow) (*sqlite.KeyRow, error) {
	theirs, ok, err := b.KeyOf(ctx, name)
	if err != nil || !ok || theirs.Pub == mine.Pub {
		return nil, err
	}
	if _, ok, err := b.KeyByFingerprint(ctx, mine.CertifiedBy); err != nil || ok {
		return &mine, err
	}
	return nil, audit.Errorf(audit.ErrConflict, "备份中 %s 的签名密钥与现在的不同，认证它的密钥也不在备份中，无法在备份上签名：请由另一位审核人恢复", audit.Escape(name, 40))
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	f, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, in); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// restores reads the restores recorded in the trail.
func restores(trail []sqlite.TrailEntry) []restoreRecord {
	var out []restoreRecord
	for _, e := range trail {
		if e.Action != "restore" {
			continue
		}
		var r restoreRecord
		if json.Unmarshal([]byte(e.Payload), &r) == nil {
			out = append(out, r)
		}
	}
	return out
}
