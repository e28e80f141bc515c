package sheet

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"strconv"
	"strings"
)

// FormatXML2003 is Excel 2003's "XML Spreadsheet" (SpreadsheetML), which
// many government web systems export with an .xls name.
const FormatXML2003 Format = "xml2003"

func isSpreadsheetML(head []byte) bool {
	return bytes.Contains(head, []byte("urn:schemas-microsoft-com:office:spreadsheet")) ||
		bytes.Contains(head, []byte("progid=\"Excel.Sheet\""))
}

func openXML2003(p string) (Workbook, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	return parseXML2003(data)
}

func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func parseXML2003(data []byte) (Workbook, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = false
	dec.CharsetReader = func(charset string, input io.Reader) (io.Reader, error) {
		b, err := io.ReadAll(input)
		if err != nil {
			return nil, err
		}
		s, _ := DecodeText(b)
		return strings.NewReader(s), nil
	}
	b := &memBook{format: FormatXML2003, sheets: map[string][][]string{}, merges: map[string][]Merge{}}
	var (
		sheet   string
		rows    [][]string
		merges  []Merge
		row     int // 1-based current row
		col     int // 0-based next column
		inData  bool
		text    strings.Builder
		cellCol int
		span    [2]int // merge across, down
	)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if sheet != "" {
				return nil, &ReadError{Sheet: sheet, Row: row, Reason: "表格内部的 XML 结构有错或在中途结束：" + damagedReason}
			}
			return nil, damaged(err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			switch e.Name.Local {
			case "Worksheet":
				sheet, rows, merges, row = attr(e, "Name"), nil, nil, 0
				if sheet == "" {
					sheet = "Sheet" + strconv.Itoa(len(b.names)+1)
				}
			case "Row":
				if v := attr(e, "Index"); v != "" {
					i, err := strconv.Atoi(v)
					if err != nil || i <= row || i > MaxSheetRows {
						return nil, &ReadError{Sheet: sheet, Row: row, Reason: "行号“" + Escape(v, 20) + "”重复、顺序错乱或不正确"}
					}
					row = i
				} else {
					row++
				}
				col = 0
				for len(rows) < row {
					rows = append(rows, nil)
				}
			case "Cell":
				if i, err := strconv.Atoi(attr(e, "Index")); err == nil && i >= 1 && i <= 16384 {
					col = i - 1
				}
				cellCol = col
				span[0], _ = strconv.Atoi(attr(e, "MergeAcross"))
				span[1], _ = strconv.Atoi(attr(e, "MergeDown"))
				text.Reset()
			case "Data":
				inData = true
			}
		case xml.CharData:
			if inData {
				text.Write(e)
			}
		case xml.EndElement:
			switch e.Name.Local {
			case "Data":
				inData = false
			case "Cell":
				if row >= 1 && cellCol < 16384 {
					r := rows[row-1]
					for len(r) <= cellCol {
						r = append(r, "")
					}
					r[cellCol] = text.String()
					rows[row-1] = r
				}
				if span[0] > 0 || span[1] > 0 {
					merges = append(merges, Merge{R1: row, C1: cellCol, R2: row + span[1], C2: cellCol + span[0]})
				}
				col = cellCol + 1 + max(span[0], 0)
			case "Worksheet":
				if len(b.names) >= 256 {
					return nil, failf("工作表超过 256 个")
				}
				b.names = append(b.names, sheet)
				b.sheets[sheet] = rows
				b.merges[sheet] = merges
			}
		}
	}
	if len(b.names) == 0 {
		return nil, errNoTable
	}
	return b, nil
}
