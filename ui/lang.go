package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"pensionaudit/assets"
)

// english is set when English was chosen (at start-up).
var english bool

// tr is the window's text in the chosen language: Chinese is the key and
// the default (returned as it is: asking Fyne's lang for a Chinese key it
// has no entry for logs an error each time); English comes from Fyne's lang
// with assets/lang/en.json.
func tr(s string) string {
	if !english {
		return s
	}
	return lang.L(s)
}

const prefLanguage = "language"

var languages = []string{"中文", "English"}

// applyLanguage loads the English text when English is chosen: Fyne's
// lang follows the system's locale, so the translation is registered for
// that locale (a change takes effect at the next start).
func applyLanguage(a fyne.App) {
	if a.Preferences().String(prefLanguage) == "English" {
		if err := lang.AddTranslationsForLocale(assets.English, lang.SystemLocale()); err != nil {
			fyne.LogError("English text", err)
			return
		}
		english = true
	}
}
