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

// Workspace is an open township workspace.
type Workspace struct {
	DB *sqlite.DB
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
		return nil, audit.Errorf(audit.ErrNotFound, "找不到工作区文件 %s，请先运行 pensionaudit init --db %s --township 乡镇名", path, path)
	}
	db, err := sqlite.OpenExistingCache(ctx, path, cacheKB)
	if err != nil {
		return nil, err
	}
	w := &Workspace{DB: db}
	if _, err := db.Township(ctx); err != nil {
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
		return nil, err
	}
	if _, err := db.Township(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return &Workspace{DB: db}, nil
}

// Init creates (or re-opens) a workspace for a township.
func Init(ctx context.Context, path, township, user string, villages []string) (*Workspace, error) {
	return InitAt(ctx, path, township, user, villages, time.Now)
}

// InitAt is Init with a given clock (tests fix it so hashes repeat).
func InitAt(ctx context.Context, path, township, user string, villages []string, now func() time.Time) (*Workspace, error) {
	if township == "" {
		return nil, audit.Errorf(audit.ErrInvalid, "请用 --township 指定乡镇（街道）名称")
	}
	if st, err := os.Stat(path); err == nil && st.Size() > 0 {
		// an existing file must already be a workspace: never add our
		// tables to someone else's database
		probe, err := sqlite.OpenReadOnly(ctx, path)
		if err != nil && !errors.Is(err, sqlite.ErrNeedsUpgrade) {
			return nil, err
		}
		if probe != nil {
			probe.Close()
		}
	}
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	db.Now = now
	old, err := db.Setting(ctx, "township")
	if err != nil {
		db.Close()
		return nil, err
	}
	if old != "" && old != township {
		db.Close()
		return nil, audit.Errorf(audit.ErrConflict, "工作区 %s 已属于 %s，不能改为 %s；每个乡镇用一个单独的工作区文件", path, old, township)
	}
	if old == "" {
		if err := db.SetSetting(ctx, user, "township", township); err != nil {
			db.Close()
			return nil, err
		}
	}
	if len(villages) > 0 {
		if err := db.AddVillages(ctx, user, "config", villages...); err != nil {
			db.Close()
			return nil, err
		}
	}
	w := &Workspace{DB: db}
	if err := w.upgrade(ctx); err != nil {
		db.Close()
		return nil, err
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
	return w.DB.Close()
}

// Township is the workspace's township.
func (w *Workspace) Township(ctx context.Context) string {
	t, err := w.DB.Township(ctx)
	if err != nil {
		return ""
	}
	return t
}
