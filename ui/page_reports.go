package ui

import (
	"context"
	"errors"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"pensionaudit/audit"
	"pensionaudit/audit/workspace"
)

// reportsPage writes the PDF and Excel sheets of audit/report.
type reportsPage struct {
	c       *Controller
	kind    *widget.Select
	path    *widget.Entry
	result  *widget.Label
	content fyne.CanvasObject
}

// reportKinds are the sheets in the order offered (extensions from
// workspace.ReportKinds).
var reportKinds = []struct{ id, label string }{
	{"signoff", "签字表（PDF）"},
	{"findings", "核查结果（Excel）"},
	{"stoplist", "止付名单（Excel）"},
	{"ledger", "追回台账（Excel）"},
	{"notices", "催报通知（Excel）"},
}

func newReportsPage(c *Controller) *reportsPage {
	p := &reportsPage{c: c, path: widget.NewEntry(), result: widget.NewLabel("")}
	p.result.Wrapping = fyne.TextWrapWord
	var labels []string
	for _, k := range reportKinds {
		labels = append(labels, k.label)
	}
	p.kind = widget.NewSelect(labels, nil)
	p.kind.SetSelectedIndex(0)
	p.path.SetPlaceHolder("保存为哪个文件，例如 D:\\核查\\签字表.pdf")
	choose := widget.NewButton(tr("选择文件夹…"), func() {
		dialog.ShowFolderOpen(func(lu fyne.ListableURI, err error) {
			if err != nil || lu == nil {
				return
			}
			k := reportKinds[p.kind.SelectedIndex()]
			p.path.SetText(filepath.Join(lu.Path(), c.ws.Township(c.ctx)+c.period.String()+strings.SplitN(k.label, "（", 2)[0]+workspace.ReportKinds[k.id]))
		}, c.win)
	})
	save := widget.NewButton(tr("生成"), func() { p.write(false) })
	save.Importance = widget.HighImportance
	p.content = container.NewVBox(
		widget.NewForm(widget.NewFormItem(tr("报表"), p.kind), widget.NewFormItem(tr("保存到"), container.NewBorder(nil, nil, nil, choose, p.path))),
		save, p.result)
	return p
}

func (p *reportsPage) view() fyne.CanvasObject { return p.content }
func (p *reportsPage) refresh()                {}

func (p *reportsPage) write(force bool) {
	c := p.c
	k := reportKinds[p.kind.SelectedIndex()]
	path := strings.TrimSpace(p.path.Text)
	if path == "" || c.period == 0 {
		c.showError(audit.Errorf(audit.ErrInvalid, "请选择月份和保存位置"))
		return
	}
	if ext := workspace.ReportKinds[k.id]; !strings.HasSuffix(strings.ToLower(path), ext) {
		path += ext
	}
	var written workspace.Written
	c.background(func(ctx context.Context) error {
		var err error
		written, err = c.ws.WriteReport(ctx, c.period, k.id, path, force, false)
		return err
	}, func(err error) {
		if errors.Is(err, audit.ErrExists) {
			dialog.NewCustomConfirm("文件已存在", "覆盖", "不要覆盖", widget.NewLabel("“"+path+"”已经存在，要覆盖吗？"), func(ok bool) {
				if ok {
					p.write(true)
				}
			}, c.win).Show()
			return
		}
		if err != nil {
			c.showError(err)
			return
		}
		msg := "已生成 " + path
		if written.Draft && k.id == "signoff" {
			msg += "\n注意：本月尚未复核签字，这是草稿（页面上有“草稿”字样），不能作为正式签字表。"
		}
		p.result.SetText(msg)
	})
}
