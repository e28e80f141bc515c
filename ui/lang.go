package ui

import (
	"fyne.io/fyne/v2"

	"pensionaudit/ui/i18n"
	"pensionaudit/ui/pages"
)

// tr is the window's text in the chosen language (see ui/i18n).
func tr(s string) string { return i18n.T(s) }

// applyLanguage loads the English text when English is chosen.
func applyLanguage(a fyne.App) {
	if a.Preferences().String(pages.PrefLanguage) == "English" {
		i18n.UseEnglish()
	}
}
