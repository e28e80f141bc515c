package workspace

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"pensionaudit/audit"
)

// One window per workspace: two windows on one file would each review,
// decide and sign off without seeing the other's work until a refresh. The
// window claims the workspace with an operating-system lock on a file beside
// it (name.db.lock); the lock dies with the process, so a crash never leaves
// the workspace claimed. The file says who holds it, for the second window's
// message.

// Claim takes the workspace at path for this window. release gives it back
// (and removes the lock file). When another window holds it the error is
// ErrInUse and says who: computer, account, process and since when.
func Claim(path string) (release func(), err error) {
	lockPath := path + ".lock"
	f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		if errors.Is(err, os.ErrPermission) {
			return func() {}, nil // a folder this account cannot write: nothing to share it with
		}
		return nil, audit.Errorf(audit.ErrIO, "无法建立工作区锁文件 %s：%v", lockPath, err)
	}
	if err := lockFile(f); err != nil {
		holder := readHolder(lockPath)
		f.Close()
		if holder == "" {
			holder = "另一个窗口"
		}
		return nil, &audit.Error{Kind: audit.ErrInUse, Msg: fmt.Sprintf("工作区 %s 已经在%s打开：同一个工作区只能在一个窗口中使用。"+
			"请切换到那个窗口；如果那个窗口已经关闭，请稍候再试", filepath.Base(path), holder)}
	}
	host, _ := os.Hostname()
	acct := os.Getenv("USER")
	if acct == "" {
		acct = os.Getenv("USERNAME")
	}
	if u, err := user.Current(); acct == "" && err == nil {
		acct = u.Username
	}
	if acct != "" {
		acct = "账户 " + acct + "，"
	}
	info := fmt.Sprintf("电脑 %s（%s进程 %d，%s 起）", host, acct, os.Getpid(), time.Now().Format("2006-01-02 15:04"))
	f.Truncate(0)
	f.WriteAt([]byte(info), 0)
	f.Sync()
	return func() {
		f.Truncate(0)
		unlockFile(f)
		f.Close()
		os.Remove(lockPath)
	}, nil
}

// readHolder reads who holds the lock, as the holder wrote it (a short
// line; anything else is not shown).
func readHolder(lockPath string) string {
	b := make([]byte, 256)
	f, err := os.Open(lockPath)
	if err != nil {
		return ""
	}
	defer f.Close()
	n, _ := f.Read(b)
	s := strings.TrimSpace(string(b[:n]))
	if !strings.HasPrefix(s, "电脑 ") {
		return ""
	}
	return audit.Escape(s, 120)
}
