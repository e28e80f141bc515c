package ui

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"pensionaudit/audit/workspace"
	"pensionaudit/ui/dialogs"
)

// showSource opens an imported file at a row (and column, a letter, when a
// problem names one): batchID, or 0 with the file's name as evidence gives it. Reading up to a row far down a big file takes a
// while: a dialog shows it can be cancelled.
func (c *Controller) showSource(batchID int64, file, sheetName string, row int, col string) {
	ctx, cancel := context.WithCancel(c.ctx)
	var wait dialog.Dialog
	if !c.sync {
		bar := widget.NewProgressBarInfinite()
		wait = dialog.NewCustom(tr("正在读取原文件副本"), tr("取消"), container.NewVBox(
			widget.NewLabel(fmt.Sprintf("%s 第 %d 行", file, row)), bar), c.win)
		wait.SetOnClosed(cancel)
		wait.Show()
	}
	var ex *workspace.SourceExcerpt
	c.background(func(context.Context) error {
		var err error
		ex, err = c.ws.SourceAt(ctx, batchID, file, sheetName, row)
		return err
	}, func(err error) {
		if wait != nil {
			wait.SetOnClosed(func() {}) // Fyne 2.7 calls the callback on Hide: a nil one panics
			wait.Hide()
		}
		cancel()
		if err != nil {
			if ctx.Err() == nil {
				c.showError(err)
			}
			return
		}
		c.lastSource = dialogs.NewSourceView(ex)
		v := c.lastSource
		open := widget.NewButton(tr("用表格软件打开整个文件"), func() {
			u := &url.URL{Scheme: "file", Path: filepath.ToSlash(ex.Path)}
			if c.sync || c.app.OpenURL(u) != nil {
				dialog.NewInformation(tr("原文件副本"), "已取出到：\n"+ex.Path, c.win).Show()
			}
		})
		d := dialog.NewCustom(tr("原文件"), tr("关闭"), container.NewBorder(v.Caption, container.NewHBox(open), nil, nil, v.Table), c.win)
		d.Resize(fyne.NewSize(1100, 600))
		d.Show()
		v.Select(workspace.ColIndex(col)) // the row, and the problem's column when it has one
	})
}
