package sheet

import (
	"bytes"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/text/encoding/simplifiedchinese"
)

var charsetRe = regexp.MustCompile(`(?i)charset\s*=\s*["']?([a-z0-9_-]+)`)

// openHTML reads every <table> of a web page saved as .xls as one sheet.
func openHTML(p string) (Workbook, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	return parseHTML(data)
}

func decodeHTML(data []byte) string {
	if m := charsetRe.FindSubmatch(data[:min(len(data), 4096)]); m != nil {
		cs := strings.ToLower(string(m[1]))
		if cs == "gbk" || cs == "gb2312" || cs == "gb18030" {
			if out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data); err == nil {
				return string(out)
			}
		}
	}
	s, _ := DecodeText(data)
	return s
}

func parseHTML(data []byte) (Workbook, error) {
	z := html.NewTokenizer(strings.NewReader(decodeHTML(data)))
	b := &memBook{format: FormatHTML, sheets: map[string][][]string{}, merges: map[string][]Merge{}}
	var (
		depth    int // nesting of tables; only outermost tables count
		rows     [][]string
		merges   []Merge
		occupied map[[2]int]bool
		inCell   bool
		cell     strings.Builder
		col      int
		cs, rs   int
	)
	finishCell := func() {
		if !inCell {
			return
		}
		inCell = false
		r := len(rows)
		for occupied[[2]int{r, col}] {
			col++
		}
		row := rows[r-1]
		for len(row) < col {
			row = append(row, "")
		}
		row = append(row, strings.TrimSpace(cell.String()))
		rows[r-1] = row
		if cs > 1 || rs > 1 {
			merges = append(merges, Merge{R1: r, C1: col, R2: r + rs - 1, C2: col + cs - 1})
			for dr := 0; dr < rs; dr++ {
				for dc := 0; dc < cs; dc++ {
					if dr > 0 || dc > 0 {
						occupied[[2]int{r + dr, col + dc}] = true
					}
				}
			}
		}
		col += cs
		cell.Reset()
	}
	finishRow := func() {
		finishCell()
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if z.Err() != io.EOF {
				return nil, damaged(z.Err())
			}
			if depth > 0 {
				return nil, &ReadError{Sheet: "表" + strconv.Itoa(len(b.names)+1), Row: len(rows),
					Reason: "表格没有结束标记 </table>，文件在中途结束：" + damagedReason}
			}
			if len(b.names) == 0 {
				return nil, errNoTable
			}
			return b, nil
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "table":
				depth++
				if depth == 1 {
					rows, merges, occupied = nil, nil, map[[2]int]bool{}
				}
			case "tr":
				if depth == 1 {
					finishRow()
					rows = append(rows, nil)
					col = 0
				}
			case "td", "th":
				if depth == 1 && len(rows) > 0 {
					finishCell()
					inCell, cs, rs = true, 1, 1
					for hasAttr {
						var k, v []byte
						k, v, hasAttr = z.TagAttr()
						n, err := strconv.Atoi(strings.TrimSpace(string(v)))
						if err != nil || n < 1 || n > 1000 {
							continue
						}
						switch string(k) {
						case "colspan":
							cs = n
						case "rowspan":
							rs = n
						}
					}
				}
			case "br", "p", "div":
				if inCell {
					cell.WriteByte(' ')
				}
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "td", "th":
				finishCell()
			case "table":
				if depth == 1 {
					finishRow()
					sheet := "表" + strconv.Itoa(len(b.names)+1)
					b.names = append(b.names, sheet)
					b.sheets[sheet] = rows
					b.merges[sheet] = merges
				}
				depth--
			}
		case html.TextToken:
			if inCell {
				cell.Write(bytes.ReplaceAll(z.Text(), []byte("\u00a0"), []byte(" ")))
			}
		}
	}
}
