// Package i18n is the window's words in the chosen language: Chinese is the
// key and the default; English comes from Fyne's lang with
// assets/lang/en.json when chosen at start-up.
package i18n

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"pensionaudit/assets"
)

var english bool

// T is s in the chosen language. Chinese is returned as it is: asking
// Fyne's lang for a Chinese key it has no entry for logs an error each time.
func T(s string) string {
	if !english {
		return s
	}
	return lang.L(s)
}

// English reports whether English was chosen.
func English() bool { return english }

// UseEnglish loads the English words: Fyne's lang follows the system's
// locale, so the translation is registered for that locale (a change of
// language takes effect at the next start).
func UseEnglish() {
	if err := lang.AddTranslationsForLocale(assets.English, lang.SystemLocale()); err != nil {
		fyne.LogError("English text", err)
		return
	}
	english = true
}
