package ui

import (
	"fyne.io/fyne/v2"

	"pensionaudit/ui/i18n"
)

// tr is the window's text in the chosen language (see ui/i18n).
func tr(s string) string { return i18n.T(s) }

const prefLanguage = "language"

var languages = []string{"中文", "English"}

// applyLanguage loads the English text when English is chosen.
func applyLanguage(a fyne.App) {
	if a.Preferences().String(prefLanguage) == "English" {
		i18n.UseEnglish()
	}
}
