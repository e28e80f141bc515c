package audit

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Escape makes text safe for a terminal, a message or a listing: control,
// bidirectional-override and zero-width characters are written as \u{…}
// (visible, never acted on), and text longer than max characters is cut with
// "…" (max ≤ 0: no cut).
func Escape(s string, max int) string {
	if max > 0 && utf8.RuneCountInString(s) > max {
		rs := []rune(s)
		s = string(rs[:max]) + "…"
	}
	if !strings.ContainsFunc(s, Invisible) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if Invisible(r) {
			fmt.Fprintf(&b, "\\u{%04X}", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Invisible reports characters that change how text is shown without being
// seen: C0/C1 controls (tab and newline included: a name has none), bidi
// controls, zero-width characters, the BOM and the replacement character's
// cousins that hide text.
func Invisible(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7F && r < 0xA0:
		return true
	case r == 0x200B, r == 0x200C, r == 0x200D, r == 0x2060, r == 0xFEFF, r == 0x00AD, r == 0x180E:
		return true
	case r >= 0x200E && r <= 0x200F, r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x061C:
		return true
	case r >= 0xFFF9 && r <= 0xFFFB:
		return true
	}
	return unicode.Is(unicode.Cf, r)
}
