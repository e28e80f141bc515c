package workspace

import (
	"context"
	"path/filepath"
	"strings"

	"pensionaudit/audit"
	"pensionaudit/audit/sheet"
)

// Guess is what a file is taken to be before it is imported: its kind,
// village and month, each said with where it came from. Everything can be
// changed by the user; the import itself checks again.
type Guess struct {
	Kind    audit.Kind
	Village string      // "" when the file does not say (the import looks at the title)
	Period  audit.Month // 0 when the name does not say (the import looks at the rows)
	Why     string      // how the kind was told, in Chinese
}

// kindWords are the words of file names that tell a kind, strongest first.
var kindWords = []struct {
	kind  audit.Kind
	words []string
}{
	{audit.KindDeregistrations, []string{"注销", "派出所", "公安", "户籍"}},
	{audit.KindDeaths, []string{"死亡", "去世", "身故", "亡故"}},
	{audit.KindPayouts, []string{"花名册", "发放", "待遇", "养老金", "名册"}},
}

// GuessFile tells a file's kind from its name, else from which kind's header
// its first rows have (the one with the most of its own columns); village
// and month from its name.
func (w *Workspace) GuessFile(ctx context.Context, path string) Guess {
	name := filepath.Base(path)
	g := Guess{Period: inferPeriod(name)}
	for _, kw := range kindWords {
		for _, word := range kw.words {
			if strings.Contains(name, word) {
				g.Kind, g.Why = kw.kind, "文件名含“"+word+"”"
				break
			}
		}
		if g.Kind != "" {
			break
		}
	}
	if g.Kind == "" {
		best := 0
		for _, k := range []audit.Kind{audit.KindPayouts, audit.KindDeaths, audit.KindDeregistrations} {
			p, err := sheet.PreviewFile(path, sheet.Options{Kind: k, File: name}, 1)
			if err != nil || ctx.Err() != nil {
				break
			}
			n := 0 // the columns this kind has (a header maps every field it names)
			for _, f := range sheet.FieldsOf(k) {
				if _, ok := p.Cols[f]; ok {
					n++
				}
			}
			if p.Found && n > best {
				g.Kind, g.Why, best = k, "按表头识别", n
			}
		}
	}
	if g.Kind == "" {
		g.Kind, g.Why = audit.KindPayouts, "未能识别，请选择"
	}
	if g.Kind != audit.KindPayouts {
		villages, _ := w.DB.Villages(ctx)
		g.Village = inferVillage(name, w.Township(ctx), villages)
	}
	return g
}
