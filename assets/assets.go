// Package assets holds the bundled font (Noto Sans SC, SIL OFL 1.1, see
// fonts/OFL.txt), the icon and the demo township's files as plain bytes. It
// does not import fyne, so audit/report and ui share the same font.
package assets

import (
	"embed"
	"io/fs"
)

// FontRegular and FontBold are Noto Sans SC as static TrueType.
//
//go:embed fonts/NotoSansSC-Regular.ttf
var FontRegular []byte

// FontBold is the bold weight.
//
//go:embed fonts/NotoSansSC-Bold.ttf
var FontBold []byte

// FontLicense is the font's licence text.
//
//go:embed fonts/OFL.txt
var FontLicense string

// Icon is the application icon (PNG, 256×256).
//
//go:embed icon.png
var Icon []byte

//go:embed demo
var demoFS embed.FS

// English is the window's English text, keyed by the Chinese it replaces
// (Fyne lang translation format), used when English is chosen in Settings.
//
//go:embed lang/en.json
var English []byte

// Demo is the demo township's input files (see audit/demo).
func Demo() fs.FS {
	sub, err := fs.Sub(demoFS, "demo")
	if err != nil {
		panic(err)
	}
	return sub
}
