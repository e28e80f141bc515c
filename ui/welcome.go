package ui

import (
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"pensionaudit/audit"
	"pensionaudit/audit/workspace"
	"pensionaudit/ui/widgets"
)

// welcome is the first screen when no workspace is open: create one, open
// one, a recent one, or the demo.
type welcome struct {
	township *widget.Entry
	villages *widget.Entry
	newPath  *widget.Entry
	openPath *widget.Entry
	create   *widget.Button
	open     *widget.Button
	demo     *widget.Button
	county   *widget.Button // the county window on a demo county
	recent   *widget.List
	content  fyne.CanvasObject
}

func (c *Controller) showWelcome() {
	w := &welcome{
		township: widget.NewEntry(),
		villages: widget.NewEntry(),
		newPath:  widget.NewEntry(),
		openPath: widget.NewEntry(),
	}
	w.township.SetPlaceHolder("例如：东风镇")
	w.villages.SetPlaceHolder("例如：东风村、柳塘村、石岭村（可以以后从花名册自动加入）")
	w.newPath.SetPlaceHolder("工作区文件保存在哪里，例如 D:\\核查\\东风镇.db")
	w.openPath.SetPlaceHolder("已有的工作区文件")
	w.create = widget.NewButton(tr("新建工作区"), func() {
		town := strings.TrimSpace(w.township.Text)
		if town == "" {
			c.showError(audit.Errorf(audit.ErrInvalid, "请填写乡镇（街道）名称"))
			return
		}
		path := strings.TrimSpace(w.newPath.Text)
		if path == "" {
			c.showError(audit.Errorf(audit.ErrInvalid, "请填写或选择工作区文件的保存位置"))
			return
		}
		if filepath.Ext(path) == "" {
			path += ".db"
		}
		var vs []string
		for _, v := range strings.FieldsFunc(w.villages.Text, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ' ' }) {
			vs = append(vs, strings.TrimSpace(v))
		}
		c.createWorkspace(path, town, vs)
	})
	w.create.Importance = widget.HighImportance
	chooseSave := widget.NewButton(tr("选择文件夹…"), func() {
		// a folder, never a save dialog: that would create (or empty) the
		// file before the program could check it
		dialog.ShowFolderOpen(func(lu fyne.ListableURI, err error) {
			if err != nil || lu == nil {
				return
			}
			name := strings.TrimSpace(w.township.Text)
			if name == "" {
				name = "乡镇"
			}
			w.newPath.SetText(filepath.Join(lu.Path(), name+"核查工作区.db"))
		}, c.win)
	})
	w.open = widget.NewButton(tr("打开工作区"), func() { c.openWorkspace(w.openPath.Text) })
	chooseOpen := widget.NewButton(tr("选择文件…"), func() {
		d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
			if err != nil || rc == nil {
				return
			}
			p := rc.URI().Path()
			rc.Close()
			w.openPath.SetText(p)
			c.openWorkspace(p)
		}, c.win)
		d.SetFilter(storage.NewExtensionFileFilter([]string{".db", ".sqlite", ".xlsx", ".pdf"}))
		d.Show()
	})
	recent := c.recent()
	w.recent = widget.NewList(func() int { return len(recent) }, widgets.NewCellLabel, func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(recent[i]) })
	w.recent.OnSelected = func(i widget.ListItemID) { c.openWorkspace(recent[i]) }
	w.demo = widget.NewButton(tr("打开演示工作区（内置的演示数据）"), func() { c.openDemo() })
	w.county = widget.NewButton(tr("打开演示县（县级汇总窗口）"), func() { c.openCountyDemo() })

	title := widget.NewLabelWithStyle(tr("养老金发放核查工作台"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	sub := widget.NewLabelWithStyle(tr("把村死亡名单、派出所注销名单、火化记录、死亡证明等来源与发放花名册逐月比对，找出“人已去世仍在领钱”"), fyne.TextAlignCenter, fyne.TextStyle{})
	newCard := widget.NewCard(tr("新建工作区"), tr("每个乡镇（街道）一个工作区文件"), container.NewVBox(
		widget.NewForm(
			widget.NewFormItem(tr("乡镇名称"), w.township),
			widget.NewFormItem(tr("村(社区)"), w.villages),
			widget.NewFormItem(tr("保存位置"), container.NewBorder(nil, nil, nil, chooseSave, w.newPath)),
		), w.create))
	openCard := widget.NewCard(tr("打开工作区"), "", container.NewVBox(
		container.NewBorder(nil, nil, nil, chooseOpen, w.openPath), w.open))
	var recentBox fyne.CanvasObject = widget.NewLabel(tr("（还没有打开过工作区）"))
	if len(recent) > 0 {
		recentBox = container.NewGridWrap(fyne.NewSize(560, 150), w.recent)
	}
	recentCard := widget.NewCard(tr("最近使用"), "", recentBox)
	demoCard := widget.NewCard(tr("先试一试"), "演示工作区里有一个镇三个月的数据和两个账户（密码："+workspace.DemoPassword+"）",
		container.NewVBox(w.demo, w.county))
	left := container.NewVBox(newCard, demoCard)
	right := container.NewVBox(openCard, recentCard)
	w.content = container.NewBorder(container.NewVBox(title, sub), nil, nil, nil,
		container.NewVScroll(container.NewGridWithColumns(2, left, right)))
	c.welcome = w
	c.win.SetContent(w.content)
	c.shown(pageWelcome)
}
