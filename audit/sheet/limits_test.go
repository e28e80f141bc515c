package sheet

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"pensionaudit/audit"
)

// More than MaxDataRows data rows: refused while reading, at the row where
// the limit was passed, never after storing two million rows.
func TestTooManyDataRows(t *testing.T) {
	if testing.Short() {
		t.Skip("reads two million rows")
	}
	var b bytes.Buffer
	b.WriteString("姓名,公民身份号码,发放年月,发放金额\n")
	line := "张三,430422196112112507,202207,120.00\n"
	for i := 0; i <= MaxDataRows; i++ {
		b.WriteString(line)
	}
	wb, err := newCSVBook(bytes.NewReader(b.Bytes()), int64(b.Len()), "roster")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	_, err = Scan(context.Background(), wb, Options{Kind: audit.KindPayouts, File: "roster.csv"}, func(*audit.Record) error {
		n++
		return nil
	})
	var re *ReadError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "上限") {
		t.Fatalf("err = %v, want the data-row limit", err)
	}
	if n != MaxDataRows || re.Row != MaxDataRows+2 {
		t.Errorf("emitted %d rows, refused at row %d", n, re.Row)
	}
}

// Escape shows invisible characters and cuts long text.
func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"张三":                    "张三",
		"\u202e张三":              `\u{202E}张三`,
		"马\u200b建国":             `马\u{200B}建国`,
		"a\x1b[31mb":            `a\u{001B}[31mb`,
		"\ufeff王":               `\u{FEFF}王`,
		strings.Repeat("长", 70): strings.Repeat("长", 64) + "…",
	} {
		if got := Escape(in, PreviewChars); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDecodeXString(t *testing.T) {
	for in, want := range map[string]string{"Rich Text_x000d_\nTest": "Rich Text\r\nTest", "a_x005F_x000D_b": "a_x000D_b", "plain_x_": "plain_x_", "_x4E2D_": "中"} {
		if got := decodeXString(in); got != want {
			t.Errorf("decodeXString(%q) = %q, want %q", in, got, want)
		}
	}
}
