// Package workspace is the application layer: the use cases a clerk runs
// (init, import, check, review …), each over the store, the readers and the
// rules. The command line (audit/cli) and the GUI (ui) call only these.
package workspace

import (
	"context"
	"errors"
	"os"
	"time"

	"pensionaudit/audit"
	"pensionaudit/audit/sqlite"
)

// Workspace is an open township workspace. Its store is its own: the front
// ends reach it only through the use cases below.
type Workspace struct {
	db *sqlite.DB
	// anchors is the file where the trail heads this computer has seen are
	// kept (see anchors.go); "" keeps none. Set by KeepAnchors.
	anchors string
	// afterCheckRead, when set (tests), runs between a check's reading and
	// its saving: the moment another writer may slip in.
	afterCheckRead func()
	// cacheKB is the page cache it was opened with (a restore reopens it so)
	cacheKB int
	// lastBackup is the automatic backup made after the last sign-off, or
	// why it failed
	lastBackup    string
	lastBackupErr error
	// recoveryCode is the code made with the first account, until handed
	// over (RecoveryCode)
	recoveryCode string
}

// Open opens an existing workspace; it must have been initialised.
func Open(ctx context.Context, path string) (*Workspace, error) {
	return openCache(ctx, path, 65536)
}

// OpenForWindow is Open for the window: a smaller page cache per
// connection (its screens query from several goroutines at once), so that a
// county-size workspace stays within the window's memory budget.
func OpenForWindow(ctx context.Context, path string) (*Workspace, error) {
	return openCache(ctx, path, 8192)
}

func openCache(ctx context.Context, path string, cacheKB int) (*Workspace, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, &audit.Error{Kind: audit.ErrNotFound, Field: "db", Msg: "找不到工作区文件 " + path + "，请先建立工作区"}
	}
	db, err := sqlite.OpenExistingCache(ctx, path, cacheKB)
	if err != nil {
		return nil, openError(path, err)
	}
	w := &Workspace{db: db, cacheKB: cacheKB}
	if _, err := w.township(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := w.upgrade(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return w, nil
}

// OpenReadOnly opens an existing workspace for reading: nothing in the file
// changes (no migration, no upgrade), so it works on read-only media and
// beside another program that is writing.
func OpenReadOnly(ctx context.Context, path string) (*Workspace, error) {
	db, err := sqlite.OpenReadOnly(ctx, path)
	if err != nil {
		return nil, openError(path, err)
	}
	w := &Workspace{db: db}
	if _, err := w.township(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return w, nil
}

// Init creates (or re-opens) a workspace for a township; user names who
// made it in the trail (no account exists yet).
func Init(ctx context.Context, path, township, user string, villages []string) (*Workspace, error) {
	return InitAt(ctx, path, township, user, villages, time.Now)
}

// InitAt is Init with a given clock (tests fix it so hashes repeat).
func InitAt(ctx context.Context, path, township, user string, villages []string, now func() time.Time) (*Workspace, error) {
	if township == "" {
		return nil, &audit.Error{Kind: audit.ErrInvalid, Field: "township", Msg: "请填写乡镇（街道）名称"}
	}
	if st, err := os.Stat(path); err == nil && st.Size() > 0 {
		// an existing file must already be a workspace: never add our
		// tables to someone else's database
		probe, err := sqlite.OpenReadOnly(ctx, path)
		if err != nil && !errors.Is(err, sqlite.ErrNeedsUpgrade) {
			return nil, openError(path, err)
		}
		if probe != nil {
			probe.Close()
		}
	}
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, openError(path, err)
	}
	db.Now = now
	w := &Workspace{db: db}
	err = db.Update(ctx, func(tx *sqlite.Tx) error {
		old, err := tx.Setting(ctx, "township")
		if err != nil {
			return err
		}
		if old != "" && old != township {
			return audit.Errorf(audit.ErrConflict, "工作区 %s 已属于 %s，不能改为 %s；每个乡镇用一个单独的工作区文件", path, old, township)
		}
		if old == "" {
			if err := tx.SetSettings(ctx, map[string]string{"township": township}); err != nil {
				return err
			}
			if err := tx.AppendTrail(ctx, user, "setting", map[string]string{"key": "township", "value": township}); err != nil {
				return err
			}
		}
		if len(villages) == 0 {
			return nil
		}
		if err := tx.AddVillages(ctx, "config", villages); err != nil {
			return err
		}
		return tx.AppendTrail(ctx, user, "villages", map[string]any{"source": "config", "villages": villages})
	})
	if err == nil {
		err = w.upgrade(ctx)
	}
	if err != nil {
		db.Close()
		return nil, Friendly(err)
	}
	return w, nil
}

// upgrade gives a workspace made by an earlier version its own identity
// (the digests verify needs were recorded by the migrations' trail entry).
func (w *Workspace) upgrade(ctx context.Context) error {
	_, err := w.workspaceID(ctx, true)
	return err
}

// Close records the trail head this session saw (outside the file, see
// anchors.go) and closes the workspace.
func (w *Workspace) Close() error {
	w.RecordHead(context.Background())
	return w.db.Close()
}

// Path is the workspace file.
func (w *Workspace) Path() string { return w.db.Path }

// Now is the workspace's clock.
func (w *Workspace) Now() time.Time { return w.db.Now() }

// SetClock fixes the workspace's clock (tests and demos, so that hashes and
// printed dates repeat).
func (w *Workspace) SetClock(now func() time.Time) { w.db.Now = now }

// Township is the workspace's township.
func (w *Workspace) Township(ctx context.Context) string {
	t, err := w.db.Township(ctx)
	if err != nil {
		return ""
	}
	return t
}

func (w *Workspace) township(ctx context.Context) (string, error) {
	t, err := w.db.Township(ctx)
	if errors.Is(err, audit.ErrNotFound) {
		return "", &audit.Error{Kind: audit.ErrNotFound, Field: "township", Msg: "工作区 " + w.db.Path + " 尚未建立（没有乡镇名称），请先建立工作区"}
	}
	return t, Friendly(err)
}

// openError words a workspace that cannot be opened.
func openError(path string, err error) error {
	var me *sqlite.MigrationError
	switch {
	case errors.Is(err, sqlite.ErrNotWorkspace):
		return audit.Errorf(sqlite.ErrNotWorkspace, "%s 不是本程序的工作区文件（里面没有工作区的表），没有做任何改动", path)
	case errors.Is(err, sqlite.ErrNeedsUpgrade):
		return audit.Errorf(sqlite.ErrNeedsUpgrade, "工作区 %s 由旧版本建立，需要升级后才能读取：请用可以写入的方式打开一次（如导入、核查，或在图形界面中打开）", path)
	case errors.Is(err, audit.ErrNotFound):
		return &audit.Error{Kind: audit.ErrNotFound, Field: "db", Msg: "找不到工作区文件 " + path}
	case errors.As(err, &me):
		if f := Friendly(me.Err); f != me.Err {
			return f
		}
		return audit.Errorf(err, "无法打开工作区 %s：数据库升级 %s 失败（%v）", path, me.Name, me.Err)
	}
	return Friendly(err)
}

// act runs a use case that changes the workspace: in one write transaction
// it reads the session's account as it stands now, asks the policy whether
// it may take the act, and runs fn, which reads its own preconditions
// through the same transaction. Nothing another writer does can come
// between the checks and the write.
func (w *Workspace) act(ctx context.Context, s audit.Session, a audit.Act, fn func(tx *sqlite.Tx, u audit.User) error) error {
	err := w.db.Update(ctx, func(tx *sqlite.Tx) error {
		u, err := current(ctx, tx.User, s)
		if err != nil {
			return err
		}
		if err := u.May(a); err != nil {
			return err
		}
		if a.Signed() {
			if err := signer(ctx, tx, s); err != nil {
				return err
			}
		}
		return fn(tx, u)
	})
	return Friendly(err)
}

// standing reads the session's account as it stands, in a read
// transaction: for the acts that must work on a workspace that refuses
// writes (an incident, a restore).
func (w *Workspace) standing(ctx context.Context, s audit.Session) (audit.User, error) {
	return current(ctx, func(ctx context.Context, name string) (audit.User, error) {
		var u audit.User
		err := w.db.View(ctx, func(tx *sqlite.Tx) (err error) { u, err = tx.User(ctx, name); return err })
		return u, err
	}, s)
}

// current reads the session's account as it stands now.
func current(ctx context.Context, user func(context.Context, string) (audit.User, error), s audit.Session) (audit.User, error) {
	if s.Name == "" {
		return audit.User{}, audit.Errorf(audit.ErrPermission, "请先登录")
	}
	u, err := user(ctx, s.Name)
	if errors.Is(err, audit.ErrNotFound) {
		return audit.User{}, audit.Errorf(audit.ErrPermission, "没有名为 %s 的账户", audit.Escape(s.Name, 40))
	}
	return u, err
}
