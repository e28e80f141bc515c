// Package ui is the Fyne GUI: the only package that imports fyne. Each
// screen is a thin layer over the workspace use cases in audit/workspace.
package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"pensionaudit/assets"
)

var (
	fontRegular = fyne.NewStaticResource("NotoSansSC-Regular.ttf", assets.FontRegular)
	fontBold    = fyne.NewStaticResource("NotoSansSC-Bold.ttf", assets.FontBold)
	// Icon is the application icon.
	Icon = fyne.NewStaticResource("icon.png", assets.Icon)
)

// Theme is Fyne's default theme with the bundled Noto Sans SC, so Chinese
// renders the same on every machine (and in golden tests). It is light, as
// office software is, unless Dark; TextScale enlarges the text (1 = normal).
type Theme struct {
	Dark      bool
	TextScale float32
}

var _ fyne.Theme = Theme{}

// Font returns the bundled CJK font; monospace keeps Fyne's own. Fyne
// parses the font again for every text style it meets (go-text keeps every
// glyph outline: some 70 MB of heap for Noto Sans SC), so the window uses
// only regular and bold — no italic, which CJK type does not have anyway
// (TestOnlyTwoTextStyles).
func (Theme) Font(s fyne.TextStyle) fyne.Resource {
	if s.Monospace || s.Symbol {
		return theme.DefaultTheme().Font(s)
	}
	if s.Bold {
		return fontBold
	}
	return fontRegular
}

// Color is the default theme's, light unless Dark.
func (t Theme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	v := theme.VariantLight
	if t.Dark {
		v = theme.VariantDark
	}
	return theme.DefaultTheme().Color(n, v)
}

// Icon defers to the default theme.
func (Theme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

// Size is the default theme's, with text a little larger for 1366×768
// laptops at 100 % scaling, times TextScale.
func (t Theme) Size(n fyne.ThemeSizeName) float32 {
	s := theme.DefaultTheme().Size(n)
	scale := t.TextScale
	if scale == 0 {
		scale = 1
	}
	switch n {
	case theme.SizeNameText, theme.SizeNameSubHeadingText, theme.SizeNameHeadingText, theme.SizeNameCaptionText:
		return s * 1.08 * scale
	}
	return s
}
