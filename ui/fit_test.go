package ui

import (
	"fmt"
	"testing"

	"pensionaudit/ui/pages"
)

// Every screen fits a 1366×768 laptop with its taskbar (1366×728) at every
// text size, in both looks: the window never has to grow past the screen.
func TestEveryScreenFits(t *testing.T) {
	c := demoClerk(t)
	var over []string
	for _, size := range pages.TextSizes {
		for _, look := range pages.Looks {
			c.app.Preferences().SetString(pages.PrefTextSize, size)
			c.app.Preferences().SetString(pages.PrefLook, look)
			c.applyTheme()
			for _, np := range navPages {
				c.frame.show(np.id)
				min := c.win.Content().MinSize()
				if min.Width > 1366 || min.Height > 728 {
					over = append(over, fmt.Sprintf("%s %s %s: %.0f×%.0f", np.id, size, look, min.Width, min.Height))
				}
			}
		}
	}
	for _, o := range over {
		t.Errorf("does not fit 1366×728: %s", o)
	}
}
