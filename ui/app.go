package ui

import (
	"context"
	"flag"
	"io"

	"fyne.io/fyne/v2"
)

// Run opens the window and returns it; main shows it and runs the app.
// args are what followed the program name: none (the welcome screen, or the
// last workspace's login), "gui --db FILE" or "gui --demo". It never exits
// on an error: every error is a dialog in the window.
// anchors is the file where the trail heads this computer has seen are kept
// (workspace.DefaultAnchorFile for a person; "" keeps none).
func Run(ctx context.Context, a fyne.App, anchors string, args []string) (fyne.Window, *Controller) {
	w, c := run(ctx, a, args, false)
	c.anchors = anchors
	return w, c
}

func run(ctx context.Context, a fyne.App, args []string, sync bool) (fyne.Window, *Controller) {
	a.Settings().SetTheme(Theme{})
	a.SetIcon(Icon)
	applyLanguage(a)
	w := a.NewWindow(tr("养老金发放核查工作台"))
	w.Resize(fyne.NewSize(1366, 768))
	c := newController(ctx, a, w)
	c.sync = sync
	c.applyTheme()
	if len(args) > 0 && args[0] == "gui" {
		args = args[1:]
	}
	fs := flag.NewFlagSet("gui", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	db := fs.String("db", "", "workspace file")
	demo := fs.Bool("demo", false, "open the demo workspace")
	fs.Parse(args)
	w.SetOnClosed(func() {
		c.closeWorkspace()
		if c.release != nil {
			c.release() // the next window may have the workspace
			c.release = nil
		}
	})
	if !sync {
		c.watchIdle()
	}
	switch {
	case *demo:
		c.showWelcome()
		c.openDemo()
	case *db != "":
		c.showWelcome()
		c.openWorkspace(*db)
	default:
		c.showWelcome()
		if r := c.recent(); len(r) > 0 {
			c.welcome.openPath.SetText(r[0])
		}
	}
	return w, c
}
