// Package locale runs before Fyne's translations load (Go initialises
// packages in import-path order, and Fyne's lang package waits for
// text/template, which sorts after this one). Under the "C" or "POSIX"
// locale Fyne cannot parse the language and logs an error at start-up, even
// for command-line runs; our users read Chinese, so such a locale is read as
// zh_CN.UTF-8.
package locale

import "os"

func init() {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := os.Getenv(k)
		if v == "" {
			continue
		}
		if v == "C" || v == "POSIX" || (len(v) > 2 && v[:2] == "C.") {
			os.Setenv(k, "zh_CN.UTF-8")
		}
		return
	}
}
