package pages

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

// ReportsPage writes the PDF and Excel sheets of audit/report.
type ReportsPage struct {
	c       Host
	Kind    *widget.Select
	Path    *widget.Entry
	Result  *widget.Label
	Content fyne.CanvasObject
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

func NewReportsPage(c Host) *ReportsPage {
	p := &ReportsPage{c: c, Path: widget.NewEntry(), Result: widget.NewLabel("")}
	p.Result.Wrapping = fyne.TextWrapWord
	var labels []string
	for _, k := range reportKinds {
		labels = append(labels, k.label)
	}
	p.Kind = widget.NewSelect(labels, nil)
	p.Kind.SetSelectedIndex(0)
	p.Path.SetPlaceHolder("保存为哪个文件，例如 D:\\核查\\签字表.pdf")
	choose := widget.NewButton(tr("选择文件夹…"), func() {
		dialog.ShowFolderOpen(func(lu fyne.ListableURI, err error) {
			if err != nil || lu == nil {
				return
			}
			k := reportKinds[p.Kind.SelectedIndex()]
			p.Path.SetText(filepath.Join(lu.Path(), c.WS().Township(c.Ctx())+c.Period().String()+strings.SplitN(k.label, "（", 2)[0]+workspace.ReportKinds[k.id]))
		}, c.Win())
	})
	save := widget.NewButton(tr("生成"), func() { p.Write(false) })
	save.Importance = widget.HighImportance
	p.Content = container.NewVBox(
		widget.NewForm(widget.NewFormItem(tr("报表"), p.Kind), widget.NewFormItem(tr("保存到"), container.NewBorder(nil, nil, nil, choose, p.Path))),
		save, p.Result)
	return p
}

func (p *ReportsPage) View() fyne.CanvasObject { return p.Content }
func (p *ReportsPage) Refresh()                {}

func (p *ReportsPage) Write(force bool) {
	c := p.c
	k := reportKinds[p.Kind.SelectedIndex()]
	path := strings.TrimSpace(p.Path.Text)
	if path == "" || c.Period() == 0 {
		c.ShowError(audit.Errorf(audit.ErrInvalid, "请选择月份和保存位置"))
		return
	}
	if ext := workspace.ReportKinds[k.id]; !strings.HasSuffix(strings.ToLower(path), ext) {
		path += ext
	}
	var written workspace.Written
	c.Background(func(ctx context.Context) error {
		var err error
		written, err = c.WS().WriteReport(ctx, c.Period(), k.id, path, force, false)
		return err
	}, func(err error) {
		if errors.Is(err, audit.ErrExists) {
			dialog.NewCustomConfirm("文件已存在", "覆盖", "不要覆盖", widget.NewLabel("“"+path+"”已经存在，要覆盖吗？"), func(ok bool) {
				if ok {
					p.Write(true)
				}
			}, c.Win()).Show()
			return
		}
		if err != nil {
			c.ShowError(err)
			return
		}
		msg := "已生成 " + path
		if written.Draft && k.id == "signoff" {
			msg += "\n注意：本月尚未复核签字，这是草稿（页面上有“草稿”字样），不能作为正式签字表。"
		}
		p.Result.SetText(msg)
	})
}
