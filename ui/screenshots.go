package ui

import (
	"context"
	"fmt"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"pensionaudit/assets"
	"pensionaudit/audit/workspace"
	"pensionaudit/ui/pages"
)

// Screenshots writes every screen as a PNG at 1366×768 with the real theme,
// headless (Fyne's software renderer): welcome, login, then each screen of
// the main window on the demo workspace (or on db, logged in as user).
func Screenshots(ctx context.Context, dir, db, user, password string) (files []string, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	// Fyne's test app treats the calling goroutine as its own thread; the
	// program's main goroutine must not be it
	done := make(chan struct{})
	go func() {
		defer close(done)
		files, err = screenshots(ctx, dir, db, user, password)
	}()
	<-done
	return files, err
}

func screenshots(ctx context.Context, dir, db, user, password string) ([]string, error) {
	a := test.NewApp()
	defer a.Quit()
	w, c := run(ctx, a, nil, true)
	defer w.Close()
	w.Resize(fyne.NewSize(1366, 768))
	var written []string
	shot := func(name string) error {
		w.Content().Refresh()
		time.Sleep(50 * time.Millisecond)
		img := w.Canvas().Capture()
		p := filepath.Join(dir, name+".png")
		f, err := os.Create(p)
		if err != nil {
			return err
		}
		if err := png.Encode(f, img); err != nil {
			f.Close()
			return err
		}
		written = append(written, p)
		return f.Close()
	}
	if err := shot("01-welcome"); err != nil {
		return written, err
	}
	if db == "" {
		c.openDemo()
		user, password = workspace.DemoSupervisor, workspace.DemoPassword
	} else {
		c.openWorkspace(db)
	}
	if c.login == nil || c.login.names == nil {
		return written, fmt.Errorf("无法打开工作区：%s", c.lastError)
	}
	c.login.names.SetSelected(user)
	if err := shot("02-login"); err != nil {
		return written, err
	}
	c.login.password.SetText(password)
	c.submitLogin(c.login)
	if c.frame == nil {
		return written, fmt.Errorf("无法登录：%s", c.lastError)
	}
	if len(c.frame.months) > 0 {
		c.frame.period.SetSelected(c.frame.months[len(c.frame.months)-1].Label())
	}
	for i, np := range navPages {
		c.frame.show(np.id)
		if np.id == pageImport {
			if f := demoRoster(); f != "" {
				defer os.RemoveAll(filepath.Dir(f))
				c.frame.pages[pageImport].(*pages.ImportPage).AddFiles(f)
			}
		}
		if err := shot(fmt.Sprintf("%02d-%s", i+3, np.id)); err != nil {
			return written, err
		}
		if np.id == pageOverview { // the chosen month's figures
			tabs := c.frame.pages[pageOverview].(*pages.OverviewPage).Tabs()
			tabs.SelectIndex(1)
			if err := shot(fmt.Sprintf("%02d-%s-month", i+3, np.id)); err != nil {
				return written, err
			}
			tabs.SelectIndex(0)
		}
	}
	// a piece of evidence opened at its row in the kept copy of its file
	c.frame.show(pageReview)
	if rp, ok := c.frame.pages[pageReview].(*pages.ReviewPage); ok {
	find:
		for i, r := range rp.Rows {
			for _, e := range r.Evidence {
				if e.File != "" && e.Row > 0 {
					rp.SelectRow(i)
					c.showSource(0, e.File, e.Sheet, e.Row, "")
					if err := shot(fmt.Sprintf("%02d-source", len(navPages)+3)); err != nil {
						return written, err
					}
					break find
				}
			}
		}
	}
	if c.lastError != "" && !strings.Contains(c.lastError, "签字") {
		return written, fmt.Errorf("%s", c.lastError)
	}
	return written, nil
}

// demoRoster writes one demo roster into a temporary folder for the import
// screen's preview.
func demoRoster() string {
	entries, err := fs.ReadDir(assets.Demo(), ".")
	if err != nil {
		return ""
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), "花名册") {
			data, err := fs.ReadFile(assets.Demo(), e.Name())
			if err != nil {
				return ""
			}
			dir, err := os.MkdirTemp("", "pensionaudit-shot-")
			if err != nil {
				return ""
			}
			p := filepath.Join(dir, e.Name())
			if os.WriteFile(p, data, 0o644) != nil {
				return ""
			}
			return p
		}
	}
	return ""
}
