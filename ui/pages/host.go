// Package pages holds the main window's screens, one file per page. A page
// knows the window only through Host — the controller that owns the
// session, the chosen month and the long jobs — and the workspace's use
// cases; the window (package ui) makes the pages and routes between them.
package pages

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"

	"pensionaudit/audit"
	"pensionaudit/audit/workspace"
	"pensionaudit/ui/i18n"
)

// Page names (also what tests wait for).
const (
	Overview = "overview"
	Import   = "import"
	Review   = "review"
	Signoff  = "signoff"
	Reports  = "reports"
	Trail    = "trail"
	Settings = "settings"
)

// Host is what a page needs of the window's controller.
type Host interface {
	Ctx() context.Context
	WS() *workspace.Workspace
	Period() audit.Month
	User() *audit.Session
	Win() fyne.Window
	App() fyne.App
	// Background runs work off the UI goroutine and done on it.
	Background(work func(context.Context) error, done func(error))
	// Async runs f off the UI goroutine; Do runs f on it.
	Async(f func())
	Do(f func())
	ShowError(err error)
	// AskPassword asks the logged-in person's password again before an
	// act that carries their name.
	AskPassword(title string, then func(audit.Session))
	ShowSource(batch int64, file, sheet string, row int, col string)
	OpenSource(b audit.Batch)
	IsSupervisor() bool
	// Current is the page on screen; Locked tells the idle lock is on.
	Current() string
	Locked() bool
	UpdateStatus()
	LoadMonths()
	ApplyTheme()
	SetIdle(choice string)
	Touch()
	// Logout returns to the workspace's login (after a restore, the
	// accounts are the backup's).
	Logout()
	// Confirm asks a yes/no question; then runs on yes.
	Confirm(title, msg string, then func())
}

// A page is one screen of the main window.
type Page interface {
	View() fyne.CanvasObject
	Refresh()
}

func tr(s string) string { return i18n.T(s) }

// load gets a value off the UI goroutine and shows it on it; a failure is
// the usual error dialog.
func load[T any](c Host, get func(context.Context) (T, error), show func(T)) {
	var v T
	c.Background(func(ctx context.Context) error {
		var err error
		v, err = get(ctx)
		return err
	}, func(err error) {
		if err != nil {
			c.ShowError(err)
			return
		}
		show(v)
	})
}

// SourceRef is a row of an imported file.
type SourceRef struct {
	Batch       int64
	File, Sheet string
	Row         int
	Col         string // column letter, "" for the whole row
}

// Plain is an error's message for a clerk: our errors are Chinese already;
// anything else is said to be unexpected, with what to do.
func Plain(err error) string {
	err = workspace.Friendly(err)
	var ae *audit.Error
	if errors.As(err, &ae) {
		return ae.Msg
	}
	msg := err.Error()
	for _, r := range msg {
		if r >= 0x4E00 && r <= 0x9FFF {
			return msg
		}
	}
	return "操作没有完成（" + msg + "）。请重试；如果反复出现，请联系县社保局信息科。"
}

// Preferences the settings page writes and the window reads.
const (
	PrefTextSize = "text_size"
	PrefLook     = "look"
	PrefLanguage = "language"
	PrefIdle     = "idle_lock"
)

// The choices the settings page offers.
var (
	TextSizes   = []string{"标准", "大", "特大"}
	TextScales  = map[string]float32{"标准": 1, "大": 1.2, "特大": 1.4}
	Looks       = []string{"浅色", "深色"}
	Languages   = []string{"中文", "English"}
	IdleOptions = []string{"5 分钟", "10 分钟", "15 分钟", "30 分钟"}
)
