package ui

import (
	"context"

	"fyne.io/fyne/v2"
)

// Create builds the main window for ws; the caller shows it and runs the app.
func Create(ctx context.Context, a fyne.App, ws Workspace) fyne.Window {
	a.Settings().SetTheme(Theme{})
	a.SetIcon(Icon)
	w := a.NewWindow("养老金发放核查工作台")
	o := newOverview(ws)
	w.SetContent(o.content)
	w.Resize(fyne.NewSize(1100, 700))
	o.load(ctx, nil)
	return w
}
