package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// DecodeText turns bytes into UTF-8: valid UTF-8 (with or without BOM) stays,
// anything else is read as GB18030, the superset of GBK and GB2312.
func DecodeText(data []byte) (string, string) {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		dec := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
		if out, err := dec.Bytes(data); err == nil {
			return string(out), "UTF-16"
		}
	}
	data = bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
	if utf8.Valid(data) {
		return string(data), "UTF-8"
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil {
		return strings.ToValidUTF8(string(data), "\uFFFD"), "unknown"
	}
	return string(out), "GB18030"
}

func openCSV(p string) (Workbook, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	rows, err := ParseCSV(data)
	if err != nil {
		return nil, err
	}
	name := strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))
	return &memBook{format: FormatCSV, names: []string{name}, sheets: map[string][][]string{name: rows}}, nil
}

// ParseCSV decodes and splits a CSV or tab-separated text. The result is
// indexed by line: rows[i] is the record that starts on line i+1, so row
// numbers match what the clerk sees when the file is opened in Excel; blank
// lines stay as empty rows.
func ParseCSV(data []byte) ([][]string, error) {
	text, _ := DecodeText(data)
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = guessSeparator(text)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var rows [][]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, errors.New("第 " + strconv.Itoa(pe.Line) + " 行无法按CSV解析：" + pe.Err.Error())
			}
			return nil, err
		}
		line, _ := r.FieldPos(0)
		for len(rows) < line-1 {
			rows = append(rows, nil)
		}
		rows = append(rows, rec)
	}
	return rows, nil
}

// guessSeparator picks tab, comma or semicolon by which is most frequent in
// the first lines.
func guessSeparator(text string) rune {
	head := text[:min(len(text), 8192)]
	best, bestN := ',', 0
	for _, sep := range []rune{',', '\t', ';'} {
		if n := strings.Count(head, string(sep)); n > bestN {
			best, bestN = sep, n
		}
	}
	return best
}
