package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"pensionaudit/assets"
	"pensionaudit/audit"
	"pensionaudit/audit/workspace"
	"pensionaudit/ui/dialogs"
	"pensionaudit/ui/pages"
)

// Controller holds the session — the open workspace, the logged-in user,
// the period being worked on — and the actions that span screens. Long
// work runs off the Fyne goroutine with a context; results come back
// through fyne.Do.
type Controller struct {
	ctx  context.Context
	app  fyne.App
	win  fyne.Window
	ws   *workspace.Workspace
	path string
	// release gives back this window's claim on the workspace at path
	// (one window per workspace)
	release func()
	demo    bool
	user    *audit.Session
	// anchors is the file where trail heads are kept outside workspaces
	anchors string
	period  audit.Month
	frame   *frame
	// the screens outside the main frame (kept for tests)
	welcome *welcome
	login   *login
	// promptPassword, when set, answers password prompts (tests)
	promptPassword func(title string) string
	// answerConfirm, when set, answers yes/no questions (tests)
	answerConfirm func(title string) bool
	// lastError is the last error shown (tests read it)
	lastError  string
	lastSource *dialogs.SourceView // the last file shown at a row (for tests)
	screen     atomic.Value        // the last screen shown
	sync       bool                // run background work inline (tests)
	lastUse    atomic.Int64        // when the user last did something (unix ns)
	idle       time.Duration
	locked     bool
	lockView   *lockScreen
	// onScreen is told the name of every screen shown (tests wait on it)
	onScreen func(string)
}

const prefRecent = "recent_workspaces"

func newController(ctx context.Context, a fyne.App, w fyne.Window) *Controller {
	c := &Controller{ctx: ctx, app: a, win: w, idle: idleOf(a.Preferences().StringWithFallback(pages.PrefIdle, "10 分钟"))}
	c.touch()
	return c
}

func (c *Controller) shown(name string) {
	c.screen.Store(name)
	if c.onScreen != nil {
		c.onScreen(name)
	}
}

// showError is every error the window shows: a dialog in plain Chinese.
func (c *Controller) showError(err error) {
	if err == nil {
		return
	}
	c.lastError = pages.Plain(err)
	msg := widget.NewLabel(c.lastError)
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustom(tr("无法完成"), tr("知道了"), container.NewGridWrap(fyne.NewSize(460, 120), msg), c.win)
	d.Show()
}

// background runs work off the UI goroutine and calls done on it.
func (c *Controller) background(work func(ctx context.Context) error, done func(error)) {
	c.touch()
	if c.sync {
		c.guard("后台操作", func() { done(work(c.ctx)) })
		return
	}
	go c.guard("后台操作", func() {
		err := work(c.ctx)
		fyne.Do(func() { c.guard("显示结果", func() { done(err) }) })
	})
}

// load gets a value off the UI goroutine and shows it on it; a failure is
// the usual error dialog.
func load[T any](c *Controller, get func(context.Context) (T, error), show func(T)) {
	var v T
	c.background(func(ctx context.Context) error {
		var err error
		v, err = get(ctx)
		return err
	}, func(err error) {
		if err != nil {
			c.showError(err)
			return
		}
		show(v)
	})
}

// do runs f on the Fyne goroutine (at once in tests).
func (c *Controller) do(f func()) {
	if c.sync {
		c.guard("显示结果", f)
		return
	}
	fyne.Do(func() { c.guard("显示结果", f) })
}

// async runs f on its own goroutine — or, in tests (sync set), right away:
// Fyne's test driver runs fyne.Do on the calling goroutine, so background
// work would otherwise touch widgets at the same time as the test does.
func (c *Controller) async(f func()) {
	if c.sync {
		c.guard("后台操作", f)
		return
	}
	go c.guard("后台操作", f)
}

// recent is the list of workspaces opened before, newest first.
func (c *Controller) recent() []string {
	var out []string
	for _, p := range c.app.Preferences().StringList(prefRecent) {
		if _, err := os.Stat(p); err == nil {
			out = append(out, p)
		}
	}
	return out
}

func (c *Controller) remember(path string) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return
	}
	list := []string{abs}
	for _, p := range c.app.Preferences().StringList(prefRecent) {
		if p != abs && len(list) < 8 {
			list = append(list, p)
		}
	}
	c.app.Preferences().SetStringList(prefRecent, list)
}

// openWorkspace opens a workspace file and goes to its login.
func (c *Controller) openWorkspace(path string) {
	path = strings.TrimSpace(path)
	if path == "" {
		c.showError(audit.Errorf(audit.ErrInvalid, "请先选择工作区文件"))
		return
	}
	c.enter(path, false, func(ctx context.Context) (*workspace.Workspace, error) { return workspace.OpenForWindow(ctx, path) })
}

// createWorkspace makes a new workspace and asks for its first supervisor.
func (c *Controller) createWorkspace(path, township string, villages []string) {
	if _, err := os.Stat(path); err == nil {
		c.showError(audit.Errorf(audit.ErrConflict, "%s 已经存在：请换一个文件名，或用“打开工作区”打开它", filepath.Base(path)))
		return
	}
	c.enter(path, false, func(ctx context.Context) (*workspace.Workspace, error) {
		return workspace.Init(ctx, path, township, "（建立工作区）", villages)
	})
}

// openDemo builds a fresh demo workspace in the user's cache folder.
func (c *Controller) openDemo() {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	path := filepath.Join(dir, "pensionaudit", "demo.db")
	os.MkdirAll(filepath.Dir(path), 0o755)
	c.enter(path, true, func(ctx context.Context) (*workspace.Workspace, error) {
		for _, s := range []string{"", "-wal", "-shm"} {
			os.Remove(path + s)
		}
		return workspace.BuildDemo(ctx, path, assets.Demo())
	})
}

// enter opens a workspace off the UI goroutine, makes it the session's and
// goes to its login (remembering real workspaces among the recent ones).
func (c *Controller) enter(path string, demo bool, open func(context.Context) (*workspace.Workspace, error)) {
	c.background(func(ctx context.Context) error {
		// claim the file before touching it (the demo is rebuilt in place)
		same := c.release != nil && path == c.path
		var release func()
		if !same {
			var err error
			if release, err = workspace.Claim(path); err != nil {
				return err
			}
		}
		ws, err := open(ctx)
		if err != nil {
			if release != nil {
				release()
			}
			return err
		}
		if !demo {
			ws.KeepAnchors(c.anchors) // a demo, rebuilt at each start, is nothing to vouch for
		}
		c.closeWorkspace()
		if !same {
			if c.release != nil {
				c.release()
			}
			c.release = release
		}
		c.ws, c.path, c.demo, c.period = ws, path, demo, 0 // a month of the previous workspace means nothing here
		return nil
	}, func(err error) {
		if err != nil {
			c.showError(err)
			return
		}
		if !demo {
			c.remember(path)
		}
		c.showLogin()
	})
}

func (c *Controller) closeWorkspace() {
	if c.ws != nil {
		c.ws.Close()
		c.wipeKey()
		c.ws, c.user, c.frame = nil, nil, nil
	}
}

// prefLastUser + a workspace's path is who logged in there last on this
// computer (preselected on its login screen).
const prefLastUser = "last-user:"

// loggedIn starts the main window for u.
func (c *Controller) loggedIn(u audit.Session) {
	c.user = &u
	c.app.Preferences().SetString(prefLastUser+c.path, u.Name)
	c.frame = newFrame(c)
	c.win.SetContent(c.frame.content)
	c.win.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) { c.dropped(uris) })
	c.frame.show(pageOverview)
	if !c.demo {
		ws := c.ws // the day's backup on its first use
		c.background(func(ctx context.Context) error {
			_, _, err := ws.DailyBackup(ctx)
			return err
		}, func(err error) {
			if err != nil {
				c.showError(audit.Errorf(audit.ErrIO, "今天的自动备份没有完成：%s。请在“设置 → 备份”中立即备份一次", pages.Plain(err)))
			}
		})
	}
}

// dropped takes files dropped on the window to the import screen (made if
// it was not yet); ignored while the screen is locked or nobody is logged in.
func (c *Controller) dropped(uris []fyne.URI) {
	if c.locked || c.frame == nil || c.user == nil {
		return
	}
	c.frame.show(pageImport)
	if p, ok := c.frame.pages[pageImport].(*pages.ImportPage); ok {
		p.Dropped(uris)
	}
}

// wipeKey overwrites the session's signing key in memory: held for the
// length of a session, not while the screen is locked nor after it ends.
func (c *Controller) wipeKey() {
	if c.user != nil && c.user.Key != nil {
		c.user.Key.Wipe()
		c.user.Key = nil
	}
}

// logout returns to the login screen of the same workspace.
func (c *Controller) logout() {
	c.wipeKey()
	c.user, c.frame, c.login, c.locked = nil, nil, nil, false
	c.screen.Store("")
	c.showLogin()
}

// isSupervisor tells whether the session may do supervisor things.
func (c *Controller) isSupervisor() bool {
	return c.user != nil && c.user.Role == audit.RoleSupervisor
}

// Screen is the name of the screen shown last.
func (c *Controller) Screen() string {
	s, _ := c.screen.Load().(string)
	return s
}

// applyTheme sets the theme from the user's choices (light and standard
// size unless chosen otherwise).
func (c *Controller) applyTheme() {
	p := c.app.Preferences()
	c.app.Settings().SetTheme(Theme{Dark: p.String(pages.PrefLook) == "深色", TextScale: pages.TextScales[p.StringWithFallback(pages.PrefTextSize, "标准")]})
}
