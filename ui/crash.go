package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"fyne.io/fyne/v2"
)

// crashDir is where error reports go (tests point it elsewhere).
var crashDir = func() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "pensionaudit", "errors")
}

// guard runs f and turns a panic into an error report on disk and a
// Chinese message for the clerk instead of a vanished window. The workspace
// stays consistent: every change is one transaction, and a panic inside one
// rolls it back.
func (c *Controller) guard(where string, f func()) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		path := writeCrash(where, r)
		msg := fmt.Errorf("程序出错（%s），这次操作没有完成，已保存错误报告：%s。请把这个文件交给技术人员；工作区的数据没有受影响", where, path)
		if c.sync {
			c.lastError = msg.Error()
			return
		}
		fyne.Do(func() { c.showError(msg) })
	}()
	f()
}

// writeCrash saves what went wrong and where (no personal data: the panic
// value and the stack), returning the file's path.
func writeCrash(where string, r any) string {
	dir := crashDir()
	os.MkdirAll(dir, 0o700)
	f, err := os.CreateTemp(dir, "error-"+time.Now().Format("20060102-150405")+"-*.txt")
	if err != nil {
		return "（无法保存：" + err.Error() + "）"
	}
	defer f.Close()
	fmt.Fprintf(f, "where: %s\npanic: %v\n\n%s", where, r, debug.Stack())
	return f.Name()
}
