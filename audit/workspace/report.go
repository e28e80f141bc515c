package workspace

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"pensionaudit/audit"
	"pensionaudit/audit/report"
	"pensionaudit/audit/sheet"
	"pensionaudit/audit/sqlite"
)

// ReportData gathers what a period's sheets print.
func (w *Workspace) ReportData(ctx context.Context, p audit.Month) (*report.Data, error) {
	d := &report.Data{Township: w.Township(ctx), Period: p, Printed: w.db.Now()}
	var err error
	if d.Inputs, err = w.db.InputBatches(ctx, p); err != nil {
		return nil, err
	}
	// the parameters the month's last check used (today's, for a check
	// made before they were recorded)
	var used bool
	if d.Settings, used, err = w.db.CheckedWith(ctx, p); err != nil {
		return nil, err
	}
	if !used {
		if d.Settings, err = w.db.RuleSettings(ctx); err != nil {
			return nil, err
		}
	}
	if d.Status, err = w.db.Status(ctx, p); err != nil {
		return nil, err
	}
	if d.Findings, _, err = w.db.Findings(ctx, audit.FindingFilter{Period: p}); err != nil {
		return nil, err
	}
	if d.Decisions, err = w.db.LatestDecisions(ctx, p); err != nil {
		return nil, err
	}
	if d.Ledger, err = w.db.Ledger(ctx); err != nil {
		return nil, err
	}
	switch {
	case d.Status.Supervisor != nil:
		d.Fingerprint = d.Status.Supervisor.Fingerprint
	case d.Status.Clerk != nil:
		d.Fingerprint = d.Status.Clerk.Fingerprint
	default:
		var ids []int64
		for _, b := range d.Inputs {
			ids = append(ids, b.ID)
		}
		if d.Fingerprint, err = w.db.Fingerprint(ctx, p, ids); err != nil {
			return nil, err
		}
	}
	trail, err := w.db.Trail(ctx)
	if err != nil {
		return nil, err
	}
	if len(trail) > 0 {
		last := trail[len(trail)-1]
		d.TrailHead, d.TrailCode = last.Hash, sqlite.TrailCode(last.Seq, last.Hash)
		d.RootKey = w.RootKey(ctx)
	}
	// a countersigned sheet carries the code of the countersignature's own
	// entry: the paper then proves the file up to that signature
	if s := d.Status.Supervisor; s != nil {
		for _, e := range trail {
			if e.Action == "signoff" && strings.Contains(e.Payload, `"signoff":`+strconv.FormatInt(s.ID, 10)+`,`) {
				d.TrailHead, d.TrailCode = e.Hash, sqlite.TrailCode(e.Seq, e.Hash)
			}
		}
	}
	return d, nil
}

// WriteOutput writes a report to path the safe way: never over the
// workspace itself or over any file that was imported (compared by path and
// by SHA-256, even with force), never over another existing file unless
// force, and through a temporary file in the same folder renamed into place
// only when complete.
func (w *Workspace) WriteOutput(ctx context.Context, path string, force bool, write func(io.Writer) error) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return audit.Errorf(audit.ErrInvalid, "输出文件名 %s 不正确", path)
	}
	wsAbs, _ := filepath.Abs(w.db.Path)
	for _, p := range []string{wsAbs, wsAbs + "-wal", wsAbs + "-shm", wsAbs + "-journal"} {
		if abs == p {
			return audit.Errorf(audit.ErrConflict, "不能把报表写到工作区文件 %s 上：那会毁掉工作区。请换一个文件名", filepath.Base(path))
		}
	}
	if st, err := os.Stat(abs); err == nil {
		if st.IsDir() {
			return audit.Errorf(audit.ErrInvalid, "%s 是一个文件夹，请写明文件名", path)
		}
		if ws, err := os.Stat(wsAbs); err == nil && os.SameFile(st, ws) {
			return audit.Errorf(audit.ErrConflict, "%s 就是工作区文件（另一个名字或链接）：不能覆盖", filepath.Base(path))
		}
		sum, err := fileSHA256(abs)
		if err != nil {
			return audit.Errorf(audit.ErrInvalid, "无法读取已有的文件 %s：%v", filepath.Base(path), err)
		}
		var id int64
		var name string
		err = w.db.SQL().QueryRowContext(ctx, `SELECT id, file_name FROM batches WHERE sha256 = ?`, sum).Scan(&id, &name)
		if err == nil {
			return audit.Errorf(audit.ErrConflict, "%s 是导入过的原始文件（第 %d 批“%s”），是证据，不能覆盖：请换一个文件名", filepath.Base(path), id, name)
		}
		if sum == wsSHA(wsAbs) {
			return audit.Errorf(audit.ErrConflict, "%s 与工作区文件内容相同（可能是工作区的备份）：不能覆盖", filepath.Base(path))
		}
		if !force {
			return &audit.Error{Kind: audit.ErrExists, Field: "force", Msg: "文件 " + filepath.Base(path) + " 已经存在：确认覆盖后才会写入"}
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(abs), "."+filepath.Base(abs)+".*.tmp")
	if err != nil {
		return audit.Errorf(audit.ErrInvalid, "无法在 %s 写入文件：%v", filepath.Dir(abs), err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), abs)
}

func wsSHA(path string) string {
	s, err := fileSHA256(path)
	if err != nil {
		return ""
	}
	return s
}

// SourceFile writes the kept copy of an imported file (the exact bytes) to
// w and returns the file's name.
func (w *Workspace) SourceFile(ctx context.Context, batchID int64, out io.Writer) (string, error) {
	name, err := w.db.SourceFile(ctx, batchID, out)
	switch {
	case errors.Is(err, sqlite.ErrNoSource):
		return name, audit.Errorf(audit.ErrNotFound, "第 %d 批（%s）导入时没有保留原文件副本（旧版本导入）", batchID, name)
	case errors.Is(err, audit.ErrNotFound):
		return name, audit.Errorf(audit.ErrNotFound, "没有第 %d 批", batchID)
	}
	return name, Friendly(err)
}

// ExtractSource writes the kept copy of batch batchID (its exact bytes) to the
// user's cache folder, under its SHA-256, and returns the path; a copy already
// there with the right digest is reused.
func (w *Workspace) ExtractSource(ctx context.Context, batchID int64) (string, error) {
	bs, err := w.db.Batches(ctx, audit.BatchFilter{ID: batchID, IncludeOld: true})
	if err != nil {
		return "", err
	}
	if len(bs) == 0 {
		return "", audit.Errorf(audit.ErrNotFound, "没有第 %d 批导入", batchID)
	}
	b := bs[0]
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	dir = filepath.Join(dir, "pensionaudit", "原文件副本", b.SHA256[:min(16, len(b.SHA256))])
	path := filepath.Join(dir, filepath.Base(b.FileName))
	if s, err := fileSHA256(path); err == nil && s == b.SHA256 {
		return path, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, ".part-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if _, err := w.SourceFile(ctx, b.ID, tmp); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if s, err := fileSHA256(tmp.Name()); err != nil || s != b.SHA256 {
		return "", audit.Errorf(audit.ErrConflict, "第 %d 批（%s）保留的原文件副本与导入时的 SHA-256 不符：请运行“校验”", b.ID, b.FileName)
	}
	return path, os.Rename(tmp.Name(), path)
}

// SourceExcerpt is a few rows of an imported file around one row, read from
// the copy kept at import (the user's file may be gone).
type SourceExcerpt struct {
	Batch audit.Batch
	Path  string // the extracted copy, to open in the system's viewer
	*sheet.Excerpt
}

// SourceAt reads rows row-10 … row+10 of a sheet of an imported file from the
// kept copy. batchID 0 looks the file up by name (the newest current import
// of that name), as evidence names files.
func (w *Workspace) SourceAt(ctx context.Context, batchID int64, fileName, sheetName string, row int) (*SourceExcerpt, error) {
	f := audit.BatchFilter{ID: batchID, FileName: fileName, IncludeOld: batchID != 0}
	if batchID != 0 {
		f.FileName = ""
	}
	bs, err := w.db.Batches(ctx, f)
	if err != nil {
		return nil, err
	}
	if len(bs) == 0 {
		return nil, audit.Errorf(audit.ErrNotFound, "找不到导入的文件 %s", fileName)
	}
	b := bs[len(bs)-1]
	path, err := w.ExtractSource(ctx, b.ID)
	if err != nil {
		return nil, err
	}
	e, err := sheet.ReadExcerpt(ctx, path, sheetName, row, 10, 10)
	if err != nil {
		return nil, err
	}
	return &SourceExcerpt{Batch: b, Path: path, Excerpt: e}, nil
}
