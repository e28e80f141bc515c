package cli

import (
	"io"
	"unicode/utf8"

	"pensionaudit/audit"
)

// safeWriter is how human-readable output reaches a terminal: text from the
// files (names, villages, raw cells) may hold escape sequences, carriage
// returns, bidi overrides or zero-width characters; they are written as
// \u{…}, never acted on. Newlines and tabs of our own layout pass.
type safeWriter struct{ w io.Writer }

func (s safeWriter) Write(p []byte) (int, error) {
	clean := true
	for i := 0; i < len(p); {
		r, n := utf8.DecodeRune(p[i:])
		if r != '\n' && r != '\t' && (audit.Invisible(r) || r == utf8.RuneError && n == 1) {
			clean = false
			break
		}
		i += n
	}
	if clean {
		return s.w.Write(p)
	}
	out := make([]byte, 0, len(p)+16)
	for i := 0; i < len(p); {
		r, n := utf8.DecodeRune(p[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			out = append(out, []byte(`\x`+hex2(p[i]))...)
		case r != '\n' && r != '\t' && audit.Invisible(r):
			out = append(out, []byte(audit.Escape(string(r), 0))...)
		default:
			out = append(out, p[i:i+n]...)
		}
		i += n
	}
	if _, err := s.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

func hex2(b byte) string {
	const digits = "0123456789ABCDEF"
	return string([]byte{digits[b>>4], digits[b&15]})
}

// machineOutput reports whether a command writes data (JSON, CSV) rather
// than text for people: data is written exactly.
func machineOutput(args []string) bool {
	for _, a := range args {
		switch a {
		case "--json", "-json", "--csv", "-csv":
			return true
		}
	}
	return false
}
