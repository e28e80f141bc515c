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
	{audit.KindDeathCertificates, []string{"死亡医学证明", "医学证明", "死亡证明"}},
	{audit.KindCremation, []string{"火化", "殡葬", "殡仪"}},
	{audit.KindFuneralGrants, []string{"丧葬补助", "丧葬费", "丧葬补贴", "丧葬"}},
	{audit.KindPrison, []string{"服刑", "在押", "监狱", "刑满", "司法所"}},
	{audit.KindCertifications, []string{"资格认证", "认证记录", "生存认证", "认证"}},
	{audit.KindOtherPensions, []string{"职工基本养老", "职工养老", "企业职工", "机关事业", "企业养老"}},
	{audit.KindDeregistrations, []string{"注销", "派出所", "公安", "户籍"}},
	{audit.KindDeaths, []string{"死亡", "去世", "身故", "亡故"}},
	{audit.KindPayouts, []string{"花名册", "发放", "待遇", "养老金", "名册"}},
}

// kindFromName tells a kind from the words of a file name, and the word.
func kindFromName(name string) (audit.Kind, string, bool) {
	for _, kw := range kindWords {
		for _, word := range kw.words {
			if strings.Contains(name, word) {
				return kw.kind, word, true
			}
		}
	}
	return "", "", false
}

// GuessFile tells a file's kind from its name, else from which kind's header
// its first rows have (the one with the most of its own columns); village
// and month from its name.
func (w *Workspace) GuessFile(ctx context.Context, path string) Guess {
	name := filepath.Base(path)
	g := Guess{Period: inferPeriod(name)}
	if k, word, ok := kindFromName(name); ok {
		g.Kind, g.Why = k, "文件名含“"+word+"”"
	} else {
		g.Kind = kindFromHeader(ctx, path)
		if g.Kind != "" {
			g.Why = "按表头识别"
		}
	}
	if g.Kind == "" {
		g.Kind, g.Why = audit.KindPayouts, "未能识别，请选择"
	}
	if g.Kind == audit.KindDeaths || g.Kind == audit.KindDeregistrations {
		villages, _ := w.db.Villages(ctx)
		g.Village = inferVillage(name, w.Township(ctx), villages)
	}
	return g
}

// kindFromHeader reads the head of a file until a header is found (the
// header maps every field it names, whatever kind was asked for) and takes
// the kind that has all its required columns there and the most of its own.
func kindFromHeader(ctx context.Context, path string) audit.Kind {
	kinds := audit.Kinds
	for _, k := range kinds {
		p, err := sheet.PreviewFile(path, sheet.Options{Kind: k, File: filepath.Base(path)}, 1)
		if err != nil || ctx.Err() != nil {
			return ""
		}
		if !p.Found {
			continue
		}
		var best audit.Kind
		most := 0
		for _, c := range kinds {
			n := 0
			for _, f := range sheet.FieldsOf(c) {
				_, ok := p.Cols[f]
				// several columns that could each be the amount paid: the
				// amount is there, which one is a question for the import
				ok = ok || c == audit.KindPayouts && f == sheet.FieldAmount && len(p.AmountAsk) > 0
				if !ok && sheet.Required(c, f) {
					n = -1
					break
				}
				if ok {
					n++
				}
			}
			// more of its columns wins; on a tie, the kind with fewer
			// columns of its own (the more specific: a death certificate's
			// five columns are all a cremation record could have too)
			if n > most || n == most && n > 0 && len(sheet.FieldsOf(c)) < len(sheet.FieldsOf(best)) {
				best, most = c, n
			}
		}
		return best
	}
	return ""
}
