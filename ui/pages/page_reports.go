package pages

import (
	"context"
	"errors"
	"net/url"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
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
	Open    *widget.Button // opens what was made, to look at or print
	Content fyne.CanvasObject
	made    string
}

// withExt gives path the extension of the report kind, in place of
// another report's (签字表.pdf as an Excel export is 签字表.xlsx, never
// 签字表.pdf.xlsx).
func withExt(path, id string) string {
	ext := workspace.ReportKinds[id]
	if strings.HasSuffix(strings.ToLower(path), ext) {
		return path
	}
	for _, e := range workspace.ReportKinds {
		if strings.HasSuffix(strings.ToLower(path), e) {
			path = path[:len(path)-len(e)]
			break
		}
	}
	return path + ext
}

// suggest is the file name a kind of report gets in a folder.
func (p *ReportsPage) suggest(dir string) string {
	k := reportKinds[p.Kind.SelectedIndex()]
	c := p.c
	return filepath.Join(dir, c.WS().Township(c.Ctx())+c.Period().String()+strings.SplitN(k.label, "（", 2)[0]+workspace.ReportKinds[k.id])
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
	p.Kind.OnChanged = func(string) {
		// another kind: the file name follows (its folder stays)
		if cur := strings.TrimSpace(p.Path.Text); cur != "" {
			p.Path.SetText(p.suggest(filepath.Dir(cur)))
		}
	}
	p.Path.SetPlaceHolder("保存为哪个文件，例如 D:\\核查\\签字表.pdf")
	choose := widget.NewButton(tr("选择文件夹…"), func() {
		d := dialog.NewFolderOpen(func(lu fyne.ListableURI, err error) {
			if err != nil || lu == nil {
				return
			}
			p.Path.SetText(p.suggest(lu.Path()))
		}, c.Win())
		// start beside the workspace (or where the last report went), not
		// wherever the last file dialog was
		dir := filepath.Dir(c.WS().Path())
		if cur := strings.TrimSpace(p.Path.Text); cur != "" {
			dir = filepath.Dir(cur)
		}
		if l, err := storage.ListerForURI(storage.NewFileURI(dir)); err == nil {
			d.SetLocation(l)
		}
		d.Show()
	})
	p.Open = widget.NewButton(tr("打开（查看或打印）"), func() {
		if p.made == "" {
			return
		}
		if err := c.App().OpenURL(&url.URL{Scheme: "file", Path: filepath.ToSlash(p.made)}); err != nil {
			c.ShowError(audit.Errorf(audit.ErrInvalid, "无法打开 %s：请在文件夹中双击打开", p.made))
		}
	})
	p.Open.Hide()
	save := widget.NewButton(tr("生成"), func() { p.Write(false) })
	save.Importance = widget.HighImportance
	p.Content = container.NewVBox(
		widget.NewForm(widget.NewFormItem(tr("报表"), p.Kind), widget.NewFormItem(tr("保存到"), container.NewBorder(nil, nil, nil, choose, p.Path))),
		save, p.Result, p.Open)
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
	path = withExt(path, k.id)
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
		p.made = path
		p.Open.Show()
	})
}
