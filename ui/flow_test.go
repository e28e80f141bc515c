package ui

import (
	"context"
	"database/sql"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"pensionaudit/assets"
	"pensionaudit/audit"
	"pensionaudit/audit/bundle"
	"pensionaudit/audit/workspace"
	"pensionaudit/ui/pages"
)

// waitFor polls until cond holds (work runs on goroutines and comes back
// through fyne.Do).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// demoFiles writes the embedded demo township's files into dir, by kind.
func demoFiles(t *testing.T, dir string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	entries, err := fs.ReadDir(assets.Demo(), ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, _ := fs.ReadFile(assets.Demo(), e.Name())
		p := filepath.Join(dir, e.Name())
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		switch name := e.Name(); {
		case strings.Contains(name, "火化"), strings.Contains(name, "医学证明"), strings.Contains(name, "服刑"), strings.Contains(name, "职工"),
			strings.Contains(name, "资格认证"), strings.Contains(name, "丧葬"):
			out["其他来源"] = append(out["其他来源"], p)
		case strings.Contains(name, "花名册"):
			out["发放花名册"] = append(out["发放花名册"], p)
		case strings.Contains(name, "死亡"):
			out["村死亡人员名单"] = append(out["村死亡人员名单"], p)
		case strings.Contains(name, "注销"):
			out["户籍注销名单"] = append(out["户籍注销名单"], p)
		}
	}
	for _, v := range out {
		sort.Strings(v)
	}
	return out
}

// relogin logs out and logs name in through the login screen, answering
// later password prompts with pw.
func relogin(t *testing.T, c *Controller, name, pw string) {
	t.Helper()
	c.logout()
	waitFor(t, "login", func() bool { return c.Screen() == pageLogin && c.login != nil && c.login.names != nil })
	c.login.names.SetSelected(name)
	test.Type(c.login.password, pw)
	test.Tap(c.login.submit)
	waitFor(t, name+" logged in", func() bool {
		return c.frame != nil && c.user != nil && c.user.Name == name && c.Screen() == pageOverview
	})
	c.promptPassword = func(string) string { return pw }
}

// The whole month in the window, as a clerk and a supervisor do it.
func TestWholeMonthInTheWindow(t *testing.T) {
	a := test.NewTempApp(t)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	ctx := context.Background()
	w, c := run(ctx, a, nil, true)
	defer w.Close()
	screens := make(chan string, 100)
	c.onScreen = func(s string) { screens <- s }
	dir := t.TempDir()

	// welcome → new workspace
	if c.welcome == nil {
		t.Fatal("no welcome screen")
	}
	test.Type(c.welcome.township, "青石镇")
	test.Type(c.welcome.newPath, filepath.Join(dir, "青石镇"))
	test.Tap(c.welcome.create)
	waitFor(t, "first-supervisor screen", func() bool { return c.login != nil && c.login.first })

	// first supervisor; a weak password is refused in a dialog
	test.Type(c.login.name, "王主任")
	test.Type(c.login.password, "123456")
	test.Type(c.login.again, "123456")
	test.Tap(c.login.submit)
	waitFor(t, "weak password refused", func() bool { return strings.Contains(c.lastError, "8 个字符") })
	c.login.password.SetText("wang-secret-1")
	c.login.again.SetText("wang-secret-1")
	test.Tap(c.login.submit)
	waitFor(t, "main window", func() bool { return c.frame != nil && c.Screen() == pageOverview })
	// the recovery code, shown once above the main window, with its button
	var code string
	waitFor(t, "the recovery code", func() bool {
		code = ""
		if top := w.Canvas().Overlays().Top(); top != nil {
			walk(top, func(o fyne.CanvasObject) {
				if l, ok := o.(*widget.Label); ok && len(l.Text) == 29 && strings.Count(l.Text, "-") == 5 {
					code = l.Text
				}
			})
		}
		return code != ""
	})
	walk(w.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == "我已抄下" {
			test.Tap(b)
		}
	})
	for _, o := range w.Canvas().Overlays().List() {
		walk(o, func(o fyne.CanvasObject) {
			if l, ok := o.(*widget.Label); ok && l.Text == code {
				t.Error("the recovery code's dialog did not close")
			}
		})
	}
	if c.ws.RecoveryCode() != "" {
		t.Error("the code can be had again")
	}

	// the supervisor adds a clerk (Settings; the supervisor's password again)
	c.promptPassword = func(string) string { return "wang-secret-1" }
	c.frame.show(pageSettings)
	sp := c.frame.pages[pageSettings].(*pages.SettingsPage)
	test.Type(sp.Name, "李会计")
	test.Type(sp.Pw, "li-secret-12")
	sp.Role.SetSelected("经办人")
	test.Tap(sp.Add)
	waitFor(t, "clerk listed", func() bool { return len(sp.Users.Rows()) == 2 })

	// log out, log in as the clerk; a wrong password first
	c.logout()
	waitFor(t, "login", func() bool {
		return c.Screen() == pageLogin && c.login != nil && !c.login.first && c.login.names != nil
	})
	c.login.names.SetSelected("李会计")
	test.Type(c.login.password, "wrong-wrong")
	test.Tap(c.login.submit)
	waitFor(t, "wrong password refused", func() bool { return strings.Contains(c.login.message.Text, "密码不对") })
	test.Type(c.login.password, "li-secret-12")
	test.Tap(c.login.submit)
	waitFor(t, "clerk logged in", func() bool {
		return c.frame != nil && c.user != nil && c.user.Name == "李会计" && c.Screen() == pageOverview
	})
	c.promptPassword = func(string) string { return "li-secret-12" }

	// import the township's files: rosters, death lists, deregistrations;
	// a file that is not a table is refused with a message, not a crash
	files := demoFiles(t, dir)
	c.frame.show(pageImport)
	ip := c.frame.pages[pageImport].(*pages.ImportPage)
	junk := filepath.Join(dir, "说明.txt")
	os.WriteFile(junk, []byte{0, 1, 2, 3}, 0o644)
	for _, kind := range []string{"发放花名册", "村死亡人员名单", "户籍注销名单"} {
		ip.Results.SetText("")
		if kind == "村死亡人员名单" { // dropped on the window from another screen
			c.frame.show(pageOverview)
			var uris []fyne.URI
			for _, f := range files[kind] {
				uris = append(uris, storage.NewFileURI(f))
			}
			c.dropped(append(uris, storage.NewFileURI(files[kind][0]))) // twice: listed once
			if c.Screen() != pageImport || len(ip.Files) != len(files[kind]) {
				t.Fatalf("after the drop: screen %s, %d files listed", c.Screen(), len(ip.Files))
			}
		} else {
			ip.AddFiles(strings.Join(files[kind], "\n"))
		}
		if kind == "发放花名册" {
			ip.AddFiles(junk)
		}
		waitFor(t, "files listed", func() bool { return len(ip.Files) >= len(files[kind]) })
		// each file's kind was told from its name, and is shown in the form
		for _, f := range ip.Files {
			if filepath.Base(f.Path) != "说明.txt" && pages.KindOption(f.Kind) != kind {
				t.Errorf("%s taken as %s, want %s", filepath.Base(f.Path), pages.KindOption(f.Kind), kind)
			}
		}
		if ip.Kind.Selected != kind {
			t.Errorf("the form shows %q for the first file, want %q", ip.Kind.Selected, kind)
		}
		test.Tap(ip.Start)
		waitFor(t, "import of "+kind, func() bool { return !ip.Start.Disabled() && ip.Results.Text != "" })
		if !strings.Contains(ip.Results.Text, "✔") {
			t.Fatalf("import %s: %s", kind, ip.Results.Text)
		}
		// the file that is not a table is refused with a message and stays listed
		if kind == "发放花名册" {
			if len(ip.Files) != 1 || filepath.Base(ip.Files[0].Path) != "说明.txt" || !strings.Contains(ip.Results.Text, "✘ 说明.txt") {
				t.Fatalf("after importing with a junk file: %d listed, %s", len(ip.Files), ip.Results.Text)
			}
			ip.Files = nil
		} else if len(ip.Files) != 0 {
			t.Errorf("%d files still listed after %s", len(ip.Files), kind)
		}
	}
	waitFor(t, "months", func() bool { return len(c.frame.months) == 3 })
	month := c.frame.months[0]
	c.frame.period.SetSelected(month.Label())

	// check and review with the keyboard: decide three, the queue moves on
	c.frame.show(pageReview)
	rp := c.frame.pages[pageReview].(*pages.ReviewPage)
	test.Tap(rp.Check)
	waitFor(t, "findings", func() bool { return len(rp.Rows) > 0 && !rp.Check.Disabled() })
	total := len(rp.Rows)
	for i := 0; i < 3 && len(rp.Rows) > 0; i++ {
		before := len(rp.Rows)
		rp.Note.SetText("已电话核实")
		rp.Reason.SetSelected("其他")
		w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.Key3})
		waitFor(t, "the next finding", func() bool { return len(rp.Rows) == before-1 })
	}
	if !strings.Contains(rp.Progress.Text, "已处理 3 /") {
		t.Errorf("progress = %q", rp.Progress.Text)
	}
	// Ctrl+Z takes the last one back: it is in the queue again
	before := len(rp.Rows)
	w.Canvas().(fyne.Shortcutable).TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyZ, Modifier: fyne.KeyModifierShortcutDefault})
	waitFor(t, "undo", func() bool { return len(rp.Rows) == before+1 })
	if !strings.Contains(rp.Progress.Text, "已处理 2 /") {
		t.Errorf("progress after undo = %q", rp.Progress.Text)
	}
	// the rest: confirm (stop) with the button
	c.lastError = ""
	for len(rp.Rows) > 0 {
		before := len(rp.Rows)
		test.Tap(rp.Confirm)
		waitFor(t, "decision", func() bool { return len(rp.Rows) < before || c.lastError != "" })
		if c.lastError != "" {
			t.Fatalf("decide: %s", c.lastError)
		}
	}
	t.Logf("%d findings decided in the window", total)

	// sign-off: villages without a report need the supervisor's note first
	c.frame.show(pageSignoff)
	so := c.frame.pages[pageSignoff].(*pages.SignoffPage)
	waitFor(t, "checklist", func() bool { return strings.Contains(so.Checklist.Text, "没有未处理") })
	missing := len(so.Missing.Options)
	if missing > 0 {
		// a clerk cannot write the note; the supervisor logs in and does
		if !so.NoteBtn.Disabled() {
			t.Error("a clerk may record a missing-report note")
		}
		relogin(t, c, "王主任", "wang-secret-1")
		c.frame.period.SetSelected(month.Label())
		c.frame.show(pageSignoff)
		so = c.frame.pages[pageSignoff].(*pages.SignoffPage)
		for i := 0; i < missing; i++ {
			waitFor(t, "missing villages", func() bool { return len(so.Missing.Options) == missing-i && !so.NoteBtn.Disabled() })
			test.Type(so.NoteText, "村文书病休，已电话催报")
			test.Tap(so.NoteBtn)
		}
		waitFor(t, "all reported or explained", func() bool { return len(so.Missing.Options) == 0 })
		relogin(t, c, "李会计", "li-secret-12")
		c.frame.period.SetSelected(month.Label())
		c.frame.show(pageSignoff)
		so = c.frame.pages[pageSignoff].(*pages.SignoffPage)
	}
	waitFor(t, "ready to sign", func() bool {
		return strings.Contains(so.Sign.Text, "经办人签字") && !strings.Contains(so.Checklist.Text, "✘")
	})
	c.lastError = ""
	test.Tap(so.Sign)
	waitFor(t, "clerk signed", func() bool {
		return strings.Contains(so.State.Text, "经办人 李会计 已签字") || c.lastError != ""
	})
	if c.lastError != "" {
		t.Fatalf("clerk sign: %s", c.lastError)
	}
	// a clerk is not offered the countersign, nor the supervisor's controls
	if so.Sign.Visible() || so.Reopen.Visible() || so.Notes.Visible() {
		t.Errorf("a clerk sees supervisor's controls: sign %v, reopen %v, note %v", so.Sign.Visible(), so.Reopen.Visible(), so.Notes.Visible())
	}
	// a supervisor countersigns (the first supervisor did not sign)
	relogin(t, c, "王主任", "wang-secret-1")
	c.frame.period.SetSelected(month.Label())
	c.frame.show(pageSignoff)
	so = c.frame.pages[pageSignoff].(*pages.SignoffPage)
	waitFor(t, "countersign button", func() bool { return strings.Contains(so.Sign.Text, "复核") })
	test.Tap(so.Sign)
	waitFor(t, "locked", func() bool { return strings.Contains(so.State.Text, "已锁定") })
	if so.QrImage.Hidden {
		t.Error("no fingerprint QR on the signed month")
	}
	// the countersigned month is reported to the county: a bundle beside
	// the workspace, which the county's reader takes
	waitFor(t, "the report button", func() bool { return so.Report.Visible() })
	test.Tap(so.Report)
	reports := strings.TrimSuffix(c.ws.Path(), filepath.Ext(c.ws.Path())) + "_上报"
	var made []string
	waitFor(t, "the report file", func() bool { made, _ = filepath.Glob(filepath.Join(reports, "*.pabundle")); return len(made) == 1 })
	if data, err := os.ReadFile(made[0]); err != nil {
		t.Fatal(err)
	} else if o, err := bundle.Open(data); err != nil || o.Body.RootKey != c.ws.RootKey(ctx) {
		t.Errorf("the report file: %v", err)
	}
	// the locked month refuses a new check, with the reason in a dialog
	c.lastError = ""
	c.frame.show(pageReview)
	test.Tap(rp.Check)
	waitFor(t, "the locked month refused", func() bool { return c.lastError != "" })
	if !strings.Contains(c.lastError, "锁定") {
		t.Errorf("check of a locked month: %q", c.lastError)
	}
	c.lastError = ""
	c.frame.show(pageSignoff)
	if dir := os.Getenv("PENSIONAUDIT_SHOTS"); dir != "" { // to look at the screen: PENSIONAUDIT_SHOTS=/tmp go test ./ui
		w.Resize(fyne.NewSize(1366, 768))
		f, _ := os.Create(filepath.Join(dir, "signed.png"))
		png.Encode(f, w.Canvas().Capture())
		f.Close()
	}

	// the PDF is written; a second time it asks before overwriting
	c.frame.show(pageReports)
	rep := c.frame.pages[pageReports].(*pages.ReportsPage)
	out := filepath.Join(dir, "签字表.pdf")
	rep.Path.SetText(out)
	rep.Write(false)
	waitFor(t, "PDF", func() bool { return strings.Contains(rep.Result.Text, "已生成") })
	if b, err := os.ReadFile(out); err != nil || !strings.HasPrefix(string(b), "%PDF") {
		t.Fatalf("no PDF: %v", err)
	}
	if strings.Contains(rep.Result.Text, "草稿") {
		t.Error("a countersigned month's sheet called a draft")
	}
	// the trail verifies
	c.frame.show(pageTrail)
	tp := c.frame.pages[pageTrail].(*pages.TrailPage)
	waitFor(t, "trail", func() bool { return len(tp.Table.Rows()) > 10 })
	test.Tap(tp.Verify)
	waitFor(t, "verify", func() bool { return tp.Result.Text != "" })
	if !strings.HasPrefix(tp.Result.Text, "记录完好") {
		t.Errorf("verify in the window: %s", tp.Result.Text)
	}

	// idle: the screen locks; a wrong password keeps it locked, the right
	// one returns to the same screen
	c.idle = time.Millisecond
	time.Sleep(5 * time.Millisecond)
	c.checkIdle()
	if c.Screen() != "locked" || c.lockView == nil {
		t.Fatalf("screen after idle: %s", c.Screen())
	}
	c.lockView.password.SetText("wrong-wrong")
	test.Tap(c.lockView.unlock)
	if c.Screen() != "locked" || !strings.Contains(c.lockView.message.Text, "密码不对") {
		t.Errorf("wrong password unlocked: %s %q", c.Screen(), c.lockView.message.Text)
	}
	c.idle = time.Hour
	c.lockView.password.SetText("wang-secret-1")
	test.Tap(c.lockView.unlock)
	if c.Screen() != pageTrail {
		t.Errorf("after unlock: %s", c.Screen())
	}
}

// A second window on a workspace that one window has open is told who has
// it, and opens it once the first window is closed.
func TestSecondWindowOnAWorkspace(t *testing.T) {
	a := test.NewTempApp(t)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	path := filepath.Join(t.TempDir(), "东风镇.db")
	ws, err := workspace.Init(context.Background(), path, "东风镇", "（建立工作区）", nil)
	if err != nil {
		t.Fatal(err)
	}
	ws.Close()
	w1, c1 := run(context.Background(), a, nil, true)
	c1.openWorkspace(path)
	if c1.ws == nil || c1.lastError != "" {
		t.Fatalf("first window: %q", c1.lastError)
	}
	w2, c2 := run(context.Background(), a, nil, true)
	defer w2.Close()
	c2.openWorkspace(path)
	if c2.ws != nil || !strings.Contains(c2.lastError, "只能在一个窗口中使用") || !strings.Contains(c2.lastError, "进程") {
		t.Fatalf("second window: ws %v, %q", c2.ws != nil, c2.lastError)
	}
	// the first window opening it again keeps its claim
	c1.openWorkspace(path)
	if c1.ws == nil {
		t.Fatalf("reopened in the same window: %q", c1.lastError)
	}
	w1.Close()
	c2.lastError = ""
	c2.openWorkspace(path)
	if c2.ws == nil || c2.lastError != "" {
		t.Fatalf("after the first window closed: %q", c2.lastError)
	}
}

// Settings → 备份: a backup now is listed; a supervisor restores it (the
// backup is verified first, the question answered), the decision taken
// since is gone and the window returns to the login; a clerk never sees
// the restore.
func TestBackupAndRestoreInTheWindow(t *testing.T) {
	c := demoClerk(t)
	c.frame.show(pageSettings)
	sp := c.frame.pages[pageSettings].(*pages.SettingsPage)
	if sp.Restore.Visible() {
		t.Error("a clerk sees the restore")
	}
	test.Tap(sp.BackupNow)
	waitFor(t, "backup listed", func() bool { return len(sp.Backups.Rows()) == 1 })
	if row := sp.Backups.Rows()[0]; row[1] != workspace.BackupManual {
		t.Errorf("listed as %v", row)
	}
	// a decision after the backup
	fs, _, err := c.ws.Findings(context.Background(), audit.FindingFilter{Period: c.period, Status: audit.StatusOpen})
	if err != nil || len(fs) == 0 {
		t.Fatal("no open finding", err)
	}
	if _, err := c.ws.Decide(context.Background(), *c.user, audit.DecideInput{FindingID: fs[0].ID, Decision: audit.DecisionVisit}); err != nil {
		t.Fatal(err)
	}
	relogin(t, c, workspace.DemoSupervisor, workspace.DemoPassword)
	c.frame.show(pageSettings)
	sp = c.frame.pages[pageSettings].(*pages.SettingsPage)
	waitFor(t, "backups", func() bool { return len(sp.Backups.Rows()) == 1 })
	if !sp.Restore.Visible() {
		t.Fatal("a supervisor is not offered the restore")
	}
	asked := ""
	c.answerConfirm = func(title string) bool { asked = title; return true }
	sp.Backups.OnSelected(widget.TableCellID{Row: 0})
	test.Tap(sp.Restore)
	waitFor(t, "back at the login", func() bool { return c.Screen() == pageLogin || c.lastError != "" })
	if c.lastError != "" || asked == "" {
		t.Fatalf("restore: asked %q, error %q", asked, c.lastError)
	}
	open, _, err := c.ws.Findings(context.Background(), audit.FindingFilter{Period: c.period, Status: audit.StatusOpen})
	if err != nil || len(open) != len(fs) {
		t.Errorf("after the restore %d findings are open, %d were before the decision (%v)", len(open), len(fs), err)
	}
}

// An edit outside the program: a write in the window is refused with what
// changed; the supervisor records the incident on 操作记录 and the window
// works on. A clerk is not shown the incident control.
func TestIncidentInTheWindow(t *testing.T) {
	c := demoClerk(t)
	c.frame.show(pageTrail)
	tp := c.frame.pages[pageTrail].(*pages.TrailPage)
	if tp.IncidentShown() {
		t.Error("a clerk is shown the supervisor's incident control")
	}
	raw, err := sql.Open("sqlite", c.ws.Path())
	if err != nil {
		t.Fatal(err)
	}
	raw.Exec(`INSERT OR REPLACE INTO settings (key, value) VALUES ('survival_age', '120')`)
	raw.Close()
	c.frame.show(pageReview)
	rp := c.frame.pages[pageReview].(*pages.ReviewPage)
	c.lastError = ""
	test.Tap(rp.Check)
	waitFor(t, "the check refused", func() bool { return c.lastError != "" })
	if !strings.Contains(c.lastError, "设置") || !strings.Contains(c.lastError, "只能查看") {
		t.Fatalf("the refusal: %q", c.lastError)
	}
	relogin(t, c, workspace.DemoSupervisor, workspace.DemoPassword)
	c.frame.show(pageTrail)
	tp = c.frame.pages[pageTrail].(*pages.TrailPage)
	if !tp.IncidentShown() {
		t.Error("the supervisor is not shown the incident control")
	}
	test.Type(tp.Reason, "信息中心直接改了参数，已核实")
	c.lastError = ""
	test.Tap(tp.Incident)
	waitFor(t, "incident recorded", func() bool { return strings.Contains(tp.Result.Text, "已记录事件说明") || c.lastError != "" })
	if c.lastError != "" {
		t.Fatalf("incident: %s", c.lastError)
	}
	c.frame.show(pageReview)
	rp = c.frame.pages[pageReview].(*pages.ReviewPage)
	c.lastError = ""
	test.Tap(rp.Check)
	time.Sleep(100 * time.Millisecond)
	if c.lastError != "" {
		t.Errorf("a check after the incident: %s", c.lastError)
	}
}

// The session's signing key is held while the clerk works, overwritten in
// memory when the screen locks (the unlock's password opens it again) and
// when she logs out.
func TestSigningKeyHeldForTheSession(t *testing.T) {
	c := demoClerk(t)
	k := c.user.Key
	if k == nil {
		t.Fatal("no key after login")
	}
	c.lock()
	if c.user.Key != nil || !allZero(k.Priv) {
		t.Error("the key is still in memory while the screen is locked")
	}
	c.lockView.password.SetText(workspace.DemoPassword)
	test.Tap(c.lockView.unlock)
	if c.locked || c.user.Key == nil {
		t.Fatalf("after unlocking: locked %v, key %v", c.locked, c.user.Key != nil)
	}
	k = c.user.Key
	c.logout()
	if !allZero(k.Priv) {
		t.Error("the key is still in memory after logout")
	}
}

func allZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return len(b) > 0
}

// walk visits o and everything inside it (containers and widgets' renderers).
func walk(o fyne.CanvasObject, visit func(fyne.CanvasObject)) {
	if o == nil {
		return
	}
	visit(o)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			walk(c, visit)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			walk(c, visit)
		}
	}
}
