package report

import "strings"

// SafeCell makes a cell of an exported CSV inert in Excel and WPS: text that
// begins with =, +, -, @, a tab or a carriage return would be taken as a
// formula (=HYPERLINK(…) runs when a supervisor opens the file), so it gets
// a leading apostrophe and is shown as the text it is.
func SafeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// SafeRow applies SafeCell to every cell.
func SafeRow(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = SafeCell(c)
	}
	return out
}
