package ui

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"pensionaudit/audit"
	"pensionaudit/audit/demo"
	"pensionaudit/audit/workspace"
	"pensionaudit/ui/pages"
)

// demoClerk opens the demo workspace in a headless window, logged in as its
// clerk.
func demoClerk(t *testing.T) *Controller {
	t.Helper()
	a := test.NewTempApp(t)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	w, c := run(context.Background(), a, nil, true)
	t.Cleanup(w.Close)
	c.openDemo()
	if c.login == nil {
		t.Fatalf("the demo did not open: %s", c.lastError)
	}
	c.login.names.SetSelected(workspace.DemoClerk)
	c.login.password.SetText(workspace.DemoPassword)
	c.submitLogin(c.login)
	if c.frame == nil {
		t.Fatalf("login: %s", c.lastError)
	}
	return c
}

// One payee's findings of the same rule in several months are decided
// together from the queue, each recorded as its own decision, and Ctrl+Z
// style undo takes them back one by one.
func TestDecideAcrossMonths(t *testing.T) {
	c := demoClerk(t)
	last := c.frame.months[len(c.frame.months)-1]
	c.frame.period.SetSelected(last.Label())
	// the demo's months are long past their deadline: the banner says so
	if !c.frame.banner.Visible() || !strings.Contains(c.frame.banner.Text, "已逾期") {
		t.Errorf("deadline banner: visible %v %q", c.frame.banner.Visible(), c.frame.banner.Text)
	}
	c.frame.show(pageReview)
	rp := c.frame.pages[pageReview].(*pages.ReviewPage)
	// a shared-account finding whose payee has the same finding in every month
	idx := -1
	for i, r := range rp.Rows {
		if r.Rule == "shared_account" {
			others, _, _ := c.ws.Findings(c.ctx, audit.FindingFilter{Search: r.IDNumber, Rule: r.Rule, Status: audit.StatusOpen, Limit: 10})
			if len(others) >= 3 {
				idx = i
				break
			}
		}
	}
	if idx < 0 {
		t.Fatal("the demo has no payee with the same finding in three months")
	}
	rp.SelectRow(idx)
	target := rp.Rows[idx]
	// one case: the person's months of the rule, with their sum, decided at once by default
	if !strings.Contains(rp.Evidence.Text, "同一案件") || !strings.Contains(rp.Evidence.Text, "合计") || !rp.AllMonth.Checked {
		t.Errorf("the case is not shown or not decided at once by default:\n%s", rp.Evidence.Text)
	}
	// the evidence shows the payee's payouts month by month
	for _, m := range []string{"此人各月发放", "2024-01", "2024-02", "2024-03"} {
		if !strings.Contains(rp.Evidence.Text, m) {
			t.Errorf("evidence lacks %q:\n%s", m, rp.Evidence.Text)
		}
	}
	rp.AllMonth.SetChecked(true)
	rp.Reason.SetSelected("其他")
	rp.Note.SetText("同户家属代领，已核实")
	test.Tap(rp.Dismiss)
	if c.lastError != "" {
		t.Fatal(c.lastError)
	}
	left, _, _ := c.ws.Findings(c.ctx, audit.FindingFilter{Search: target.IDNumber, Rule: target.Rule, Status: audit.StatusOpen, Limit: 10})
	if len(left) != 0 {
		t.Errorf("%d of the payee's findings still open", len(left))
	}
	if len(rp.Done) != 3 {
		t.Errorf("%d decisions recorded, want 3 (one per month)", len(rp.Done))
	}
	trail, _ := c.ws.Trail(c.ctx)
	n := 0
	for _, e := range trail {
		if e.Action == "decide" && strings.Contains(e.Payload, `"decision":"dismiss"`) {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d decide entries in the trail, want 3", n)
	}
	for i := 0; i < 3; i++ {
		rp.UndoLast()
	}
	left, _, _ = c.ws.Findings(c.ctx, audit.FindingFilter{Search: target.IDNumber, Rule: target.Rule, Status: audit.StatusOpen, Limit: 10})
	if len(left) != 3 {
		t.Errorf("after three undos %d open, want 3", len(left))
	}
}

// A possible match shows its records side by side, field by field.
func TestPossibleMatchComparison(t *testing.T) {
	c := demoClerk(t)
	found := false
	for _, m := range c.frame.months {
		c.frame.period.SetSelected(m.Label())
		c.frame.show(pageReview)
		rp := c.frame.pages[pageReview].(*pages.ReviewPage)
		for i, r := range rp.Rows {
			if r.Rule == "possible_match" {
				rp.SelectRow(i)
				found = true
				for _, want := range []string{"逐项比较", "✔ 姓名：", "出生日期：", "领取人（花名册）", "✘ 身份证号"} {
					if !strings.Contains(rp.Evidence.Text, want) {
						t.Errorf("comparison lacks %q:\n%s", want, rp.Evidence.Text)
					}
				}
			}
		}
	}
	if !found {
		t.Fatal("the demo has no possible match")
	}
}

func TestIdleOption(t *testing.T) {
	if idleOf("30 分钟") != 30*time.Minute || idleOf("乱写") != defaultIdle || idleOf("5 分钟") != 5*time.Minute {
		t.Errorf("idleOf: %v %v %v", idleOf("30 分钟"), idleOf("乱写"), idleOf("5 分钟"))
	}
}

// A month that was never checked says so, instead of an empty, clean-looking
// queue.
func TestUncheckedMonthSaysSo(t *testing.T) {
	c := demoClerk(t)
	ctx := context.Background()
	path, ws, sup := supervisedWS(t)
	roster := filepath.Join(t.TempDir(), "roster_2022-07.csv")
	os.WriteFile(roster, []byte("姓名,公民身份号码,发放年月,发放金额\n张三,430422196112112507,202207,120.00\n"), 0o644)
	if _, err := ws.Import(ctx, sup, roster, workspace.ImportOptions{Kind: "payouts"}); err != nil {
		t.Fatal(err)
	}
	ws.Close()
	loginAs(c, path, "王主任", "wang-secret-1")
	c.frame.show(pageReview)
	rp := c.frame.pages[pageReview].(*pages.ReviewPage)
	if !strings.Contains(rp.Evidence.Text, "还没有核查") {
		t.Errorf("unchecked month shows %q", rp.Evidence.Text)
	}
	test.Tap(rp.Check)
	if strings.Contains(rp.Evidence.Text, "还没有核查") {
		t.Errorf("after the check: %q", rp.Evidence.Text)
	}
}

// A piece of evidence opens the file it came from at its row, read from the
// copy kept in the workspace: the row shown is the one named, and it holds
// the payee's name.
func TestEvidenceOpensTheFileAtTheRow(t *testing.T) {
	c := demoClerk(t)
	c.frame.period.SetSelected(c.frame.months[0].Label())
	c.frame.show(pageReview)
	rp := c.frame.pages[pageReview].(*pages.ReviewPage)
	opened := 0
	for i, r := range rp.Rows {
		rp.SelectRow(i)
		for j, e := range r.Evidence {
			if e.File == "" || e.Row == 0 || e.Name == "" {
				continue
			}
			var btn *widget.Button
			for _, o := range rp.Sources.Objects {
				if b := o.(*widget.Button); strings.Contains(b.Text, audit.Escape(e.File, 16)) && strings.Contains(b.Text, "第"+strconv.Itoa(e.Row)+"行") {
					btn = b
				}
			}
			if btn == nil {
				t.Fatalf("finding #%d evidence %d (%s row %d) has no button", r.ID, j, e.File, e.Row)
			}
			c.lastSource = nil
			test.Tap(btn)
			v := c.lastSource
			if v == nil || v.Target() < 0 {
				t.Fatalf("%s row %d not shown: %s", e.File, e.Row, c.lastError)
			}
			if v.Nums[v.Target()] != e.Row || !strings.Contains(strings.Join(v.Rows[v.Target()], " "), e.Name) {
				t.Errorf("%s row %d shows %v, want %s", e.File, e.Row, v.Rows[v.Target()], e.Name)
			}
			var shown []string // what the clerk sees on that row: ID numbers masked
			for col := range v.Rows[v.Target()] {
				l := widget.NewLabel("")
				v.Table.UpdateCell(widget.TableCellID{Row: v.Target(), Col: col}, l)
				shown = append(shown, l.Text)
			}
			if e.ID != "" && (strings.Contains(strings.Join(shown, " "), e.ID) || !strings.Contains(strings.Join(shown, " "), workspace.MaskID(e.ID))) {
				t.Errorf("row %d shown as %q: the ID number is not masked", e.Row, shown)
			}
			if v.Nums[0] != 1 { // the title and header come first
				t.Errorf("the sheet's first rows are not shown: %v", v.Nums)
			}
			opened++
		}
		if opened >= 4 {
			break
		}
	}
	if opened == 0 {
		t.Fatal("no evidence with a file row in the demo's first month")
	}
}

// Files dropped on a locked window are not taken.
func TestDropWhileLocked(t *testing.T) {
	c := demoClerk(t)
	c.lock()
	c.dropped([]fyne.URI{storage.NewFileURI(filepath.Join(t.TempDir(), "a.xlsx"))})
	if ip, ok := c.frame.pages[pageImport].(*pages.ImportPage); ok && len(ip.Files) != 0 || c.Screen() != "locked" {
		t.Errorf("a drop on the locked screen was taken: screen %s", c.Screen())
	}
}

// Each listed file has its own kind, village and month: guessed (here from
// the header, the name says nothing), changed in the form for the selected
// file only, and the preview follows the kind.
func TestImportFormEditsTheSelectedFile(t *testing.T) {
	c := demoClerk(t)
	c.frame.show(pageImport)
	ip := c.frame.pages[pageImport].(*pages.ImportPage)
	dir := t.TempDir()
	files := demoFiles(t, dir)
	death := filepath.Join(dir, "附件1.xlsx")
	data, _ := os.ReadFile(files["村死亡人员名单"][0])
	os.WriteFile(death, data, 0o600)
	ip.AddFiles(death + "\n" + files["发放花名册"][0])
	if len(ip.Files) != 2 || ip.Files[0].Kind != "deaths" || ip.Files[1].Kind != "payouts" || ip.Sel != 0 {
		t.Fatalf("listed %d, kinds %v %v, selected %d", len(ip.Files), ip.Files[0].Kind, ip.Files[1].Kind, ip.Sel)
	}
	if !strings.Contains(ip.PreviewInfo.Text, "是表头") || ip.Why.Text != "按表头识别" {
		t.Errorf("preview %q, why %q", ip.PreviewInfo.Text, ip.Why.Text)
	}
	ip.Kind.SetSelected("户籍注销名单")
	ip.Village.SetText("白沙村")
	ip.Period.SetText("2024-02")
	if f := ip.Files[0]; f.Kind != "deregistrations" || f.Village != "白沙村" || f.Period != "2024-02" {
		t.Errorf("first file after editing: %+v", *f)
	}
	if f := ip.Files[1]; f.Kind != "payouts" || f.Village != "" {
		t.Errorf("the second file changed too: %+v", *f)
	}
	ip.List.Select(widget.TableCellID{Row: 1})
	if ip.Kind.Selected != "发放花名册" || ip.Period.Text != "2024-01" {
		t.Errorf("form for the second file: %q %q", ip.Kind.Selected, ip.Period.Text)
	}
	ip.Period.SetText("2024-13")
	test.Tap(ip.Start)
	if !strings.Contains(c.lastError, "2024-13") {
		t.Errorf("a bad month: %q", c.lastError)
	}
}

// The queue is filtered by rule, village and free text (name, ID number or
// account) and sorted, in SQL: every row shown matches, the counts agree with
// the store.
func TestReviewFiltersAndSort(t *testing.T) {
	c := demoClerk(t)
	last := c.frame.months[len(c.frame.months)-1]
	c.frame.period.SetSelected(last.Label())
	c.frame.show(pageReview)
	rp := c.frame.pages[pageReview].(*pages.ReviewPage)
	rp.Status.SetSelected("全部")
	all := len(rp.Rows)
	if all < 3 {
		t.Fatalf("only %d findings in %s", all, last.Label())
	}
	rp.Rule.SetSelected(workspace.RuleLabel("shared_account"))
	if len(rp.Rows) == 0 || len(rp.Rows) >= all {
		t.Fatalf("rule filter: %d of %d", len(rp.Rows), all)
	}
	account := ""
	for _, r := range rp.Rows {
		if r.Rule != "shared_account" {
			t.Errorf("#%d %s shown under the shared-account filter", r.ID, r.Rule)
		}
		account = r.Account
	}
	rp.Rule.SetSelected(pages.AllRules)
	village := rp.Rows[0].Village
	rp.Village.SetSelected(village)
	want, _, _ := c.ws.Findings(c.ctx, audit.FindingFilter{Period: last, Village: village})
	if len(rp.Rows) != len(want) {
		t.Errorf("village %s: %d shown, %d in the store", village, len(rp.Rows), len(want))
	}
	for _, r := range rp.Rows {
		if r.Village != village {
			t.Errorf("#%d of %s shown under %s", r.ID, r.Village, village)
		}
	}
	rp.Village.SetSelected(pages.AllVillages)
	rp.Sort.SetSelected("按金额排序")
	for i := 1; i < len(rp.Rows); i++ {
		if rp.Rows[i].Amount > rp.Rows[i-1].Amount {
			t.Fatalf("not sorted by amount: %v then %v", rp.Rows[i-1].Amount, rp.Rows[i].Amount)
		}
	}
	rp.Search.SetText(account)
	rp.Search.OnSubmitted(account)
	if len(rp.Rows) == 0 {
		t.Fatal("search by account found nothing")
	}
	for _, r := range rp.Rows {
		if r.Account != account {
			t.Errorf("#%d (account %s) found by %s", r.ID, r.Account, account)
		}
	}
}

// Fyne parses the font again for every text style it meets (some 70 MB of
// heap each for the CJK font): every screen uses regular and bold only.
func TestOnlyTwoTextStyles(t *testing.T) {
	c := demoClerk(t)
	seen := map[fyne.CanvasObject]bool{}
	texts := 0
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || seen[o] {
			return
		}
		seen[o] = true
		switch x := o.(type) {
		case *canvas.Text:
			texts++
			if x.TextStyle.Italic {
				t.Errorf("italic text %q", x.Text)
			}
		case *fyne.Container:
			for _, child := range x.Objects {
				walk(child)
			}
		case fyne.Widget:
			for _, child := range test.TempWidgetRenderer(t, x).Objects() {
				walk(child)
			}
		}
	}
	for _, np := range navPages {
		c.frame.show(np.id)
		walk(c.win.Content())
	}
	c.logout()
	walk(c.win.Content())
	if texts < 50 {
		t.Errorf("only %d texts walked", texts)
	}
}

// The login screen preselects who logged in on this computer last time.
func TestLoginRemembersTheLastUser(t *testing.T) {
	c := demoClerk(t)
	c.logout()
	if c.login.names.Selected != workspace.DemoClerk {
		t.Errorf("preselected %q, want %q", c.login.names.Selected, workspace.DemoClerk)
	}
	c.login.names.SetSelected(workspace.DemoSupervisor)
	c.login.password.SetText(workspace.DemoPassword)
	c.submitLogin(c.login)
	c.logout()
	if c.login.names.Selected != workspace.DemoSupervisor {
		t.Errorf("preselected %q after the supervisor, want %q", c.login.names.Selected, workspace.DemoSupervisor)
	}
}

// A problem in the import results opens the kept file at its row and
// column; the column's letter names the cell.
func TestProblemOpensAtItsCell(t *testing.T) {
	for letters, want := range map[string]int{"A": 0, "H": 7, "Z": 25, "AA": 26, "AZ": 51, "": -1, "3": -1} {
		if got := workspace.ColIndex(letters); got != want {
			t.Errorf("ColIndex(%q) = %d, want %d", letters, got, want)
		}
	}
	c := demoClerk(t)
	c.frame.show(pageImport)
	ip := c.frame.pages[pageImport].(*pages.ImportPage)
	ip.AddFiles(filepath.Join("..", "audit", "workspace", "testdata", "damaged", "xlsx_amounts.xlsx"))
	test.Tap(ip.Start)
	i := slices.IndexFunc(ip.Refs, func(r pages.SourceRef) bool { return r.Row > 0 && workspace.ColIndex(r.Col) > 0 })
	if i < 0 {
		t.Fatalf("no problem with a cell among %d: %s", len(ip.Refs), ip.Results.Text)
	}
	ip.Problems.OnSelected(widget.TableCellID{Row: i})
	v, r := c.lastSource, ip.Refs[i]
	if v == nil || v.Target() < 0 || v.Nums[v.Target()] != r.Row || v.Selected.Col != workspace.ColIndex(r.Col) || v.Selected.Row != v.Target() {
		t.Fatalf("problem at %s%d: view %+v (%s)", r.Col, r.Row, v, c.lastError)
	}
}

// A 查阅人 can change nothing through the window: every control that would
// write is either not offered or refused with the role's reason, and the
// trail does not grow.
func TestAuditorChangesNothingInTheWindow(t *testing.T) {
	c := demoClerk(t)
	ctx := context.Background()
	sup, err := c.ws.Login(ctx, workspace.DemoSupervisor, workspace.DemoPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ws.AddUser(ctx, &sup, "赵查阅", audit.RoleAuditor, "zhao-secret-2024"); err != nil {
		t.Fatal(err)
	}
	relogin(t, c, "赵查阅", "zhao-secret-2024")
	trailLen := func() int {
		tr, err := c.ws.Trail(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return len(tr)
	}
	before := trailLen()
	refused := func(what string, b *widget.Button, done func() bool) {
		t.Helper()
		if b.Disabled() || !b.Visible() {
			t.Logf("%s: not offered", what)
			return
		}
		c.lastError = ""
		test.Tap(b)
		waitFor(t, what+" refused", func() bool { return c.lastError != "" || (done != nil && done()) })
		if done == nil && !strings.Contains(c.lastError, "查阅人") {
			t.Errorf("%s: %q, want the auditor's refusal", what, c.lastError)
		}
		t.Logf("%s: %s", what, c.lastError)
	}
	c.frame.period.SetSelected(c.frame.months[len(c.frame.months)-1].Label())
	c.frame.show(pageReview)
	rp := c.frame.pages[pageReview].(*pages.ReviewPage)
	refused("check", rp.Check, nil)
	if len(rp.Rows) > 0 {
		rp.SelectRow(0)
		rp.Note.SetText("查阅人试图处理")
		refused("visit", rp.Visit, nil)
		refused("confirm", rp.Confirm, nil)
	}
	c.frame.show(pageSignoff)
	so := c.frame.pages[pageSignoff].(*pages.SignoffPage)
	refused("sign", so.Sign, nil)
	c.frame.show(pageImport)
	ip := c.frame.pages[pageImport].(*pages.ImportPage)
	roster := filepath.Join(t.TempDir(), "roster_2024-09.csv")
	os.WriteFile(roster, []byte("姓名,公民身份号码,发放年月,发放金额\n张三,430422196112112507,202409,120.00\n"), 0o644)
	ip.AddFiles(roster)
	waitFor(t, "file listed", func() bool { return len(ip.Files) == 1 })
	refused("import", ip.Start, func() bool { return !ip.Start.Disabled() && ip.Results.Text != "" })
	if ip.Results.Text != "" && !strings.Contains(ip.Results.Text, "查阅人") {
		t.Errorf("import as the auditor: %s", ip.Results.Text)
	}
	c.frame.show(pageSettings)
	sp := c.frame.pages[pageSettings].(*pages.SettingsPage)
	sp.Name.SetText("钱新人")
	sp.Pw.SetText("qian-secret-2024")
	refused("add user", sp.Add, nil)
	if after := trailLen(); after != before {
		t.Errorf("the trail grew from %d to %d entries under an auditor", before, after)
	}
}

// A panic in background work or in showing its result is an error report on
// disk and a Chinese message, not a vanished window.
func TestPanicBecomesAMessage(t *testing.T) {
	c := demoClerk(t)
	dir := t.TempDir()
	old := crashDir
	crashDir = func() string { return dir }
	defer func() { crashDir = old }()
	c.lastError = ""
	c.background(func(context.Context) error { panic("测试：后台操作出错") }, func(error) {})
	if !strings.Contains(c.lastError, "程序出错") || !strings.Contains(c.lastError, dir) {
		t.Fatalf("after a panic: %q", c.lastError)
	}
	files, _ := os.ReadDir(dir)
	if len(files) != 1 {
		t.Fatalf("%d error reports", len(files))
	}
	data, _ := os.ReadFile(filepath.Join(dir, files[0].Name()))
	if !strings.Contains(string(data), "测试：后台操作出错") {
		t.Errorf("the report: %s", data)
	}
	// the same on the real asynchronous path (a goroutine, results through fyne.Do)
	c.sync = false
	c.background(func(context.Context) error { return nil }, func(error) { var s []int; _ = s[3] })
	waitFor(t, "the message from the goroutine", func() bool {
		files, _ := os.ReadDir(dir)
		return len(files) == 2
	})
	c.sync = true
	// the window goes on working
	c.frame.show(pageReview)
	if c.Screen() != pageReview {
		t.Errorf("screen after the panic: %s", c.Screen())
	}
}

// Reports: another kind renames the file (签字表.pdf as an Excel export is
// not 签字表.pdf.xlsx), and what was made can be opened from the page.
func TestReportKindFollowsTheFileName(t *testing.T) {
	c := demoClerk(t)
	c.frame.show(pageReports)
	rep := c.frame.pages[pageReports].(*pages.ReportsPage)
	dir := t.TempDir()
	rep.Path.SetText(filepath.Join(dir, "签字表.pdf"))
	rep.Kind.SetSelectedIndex(3) // 追回台账（Excel）
	if !strings.HasSuffix(rep.Path.Text, "追回台账.xlsx") || filepath.Dir(rep.Path.Text) != dir {
		t.Errorf("after choosing the ledger: %q", rep.Path.Text)
	}
	rep.Path.SetText(filepath.Join(dir, "台账.pdf"))
	rep.Write(false)
	if _, err := os.Stat(filepath.Join(dir, "台账.xlsx")); err != nil || !rep.Open.Visible() {
		t.Errorf("the ledger as 台账.xlsx: %v, open offered %v; %s", err, rep.Open.Visible(), rep.Result.Text)
	}
}

// A folder dropped or chosen brings the spreadsheets of its subfolders too
// (cadres send a folder per village), and the kind box asks rather than
// saying "(Select one)".
func TestFolderWithSubfolders(t *testing.T) {
	c := demoClerk(t)
	c.frame.show(pageImport)
	ip := c.frame.pages[pageImport].(*pages.ImportPage)
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "东风村"), 0o755)
	os.WriteFile(filepath.Join(dir, "花名册_2024-03.csv"), []byte("姓名,公民身份号码,发放年月,发放金额\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "东风村", "东风村_2024-03.csv"), []byte("姓名,身份证号码,死亡日期\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "东风村", "说明.docx"), []byte("x"), 0o644)
	ip.Dropped([]fyne.URI{storage.NewFileURI(dir)})
	if len(ip.Files) != 2 {
		t.Errorf("%d files listed from a folder with a subfolder, want 2", len(ip.Files))
	}
	if ip.Kind.PlaceHolder != "选择文件类型" {
		t.Errorf("kind placeholder %q", ip.Kind.PlaceHolder)
	}
}

// Ctrl+Z with the cursor in the note (or the search box) takes back the
// last decision: the entry no longer swallows the key.
func TestCtrlZInTheNote(t *testing.T) {
	c := demoClerk(t)
	c.frame.show(pageReview)
	rp := c.frame.pages[pageReview].(*pages.ReviewPage)
	if len(rp.Rows) == 0 {
		t.Fatal("no findings")
	}
	before := len(rp.Rows)
	rp.SelectRow(0)
	rp.Note.SetText("安排入户核实")
	test.Tap(rp.Visit)
	if len(rp.Rows) != before-1 {
		t.Fatalf("the decision: %d rows, want %d (%s)", len(rp.Rows), before-1, c.lastError)
	}
	c.win.Canvas().Focus(rp.Note)
	rp.Note.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyZ, Modifier: fyne.KeyModifierShortcutDefault})
	if len(rp.Rows) != before {
		t.Errorf("Ctrl+Z in the note: %d rows, want %d back", len(rp.Rows), before)
	}
}

// The trail says its entries in words: an undo is 撤销处理, money is in yuan.
func TestTrailWords(t *testing.T) {
	got := pages.PayloadSummary(`{"decision_id":3,"finding":12,"amount_fen":16306,"status":"open"}`)
	if !strings.Contains(got, "金额(元)：163.06") || strings.Contains(got, "分") {
		t.Errorf("payload: %s", got)
	}
	if pages.ActionLabel("undo") != "撤销处理" {
		t.Errorf("undo is %q", pages.ActionLabel("undo"))
	}
}

// After a decision the next finding starts clean: no reason carried over,
// its evidence read from the top.
func TestNextFindingStartsClean(t *testing.T) {
	c := demoClerk(t)
	c.frame.show(pageReview)
	rp := c.frame.pages[pageReview].(*pages.ReviewPage)
	idx := -1
	for i, r := range rp.Rows {
		if r.Rule == "shared_account" {
			idx = i
			break
		}
	}
	if idx < 0 {
		t.Fatal("no shared-account finding")
	}
	rp.SelectRow(idx)
	rp.Reason.SetSelected("其他")
	rp.Note.SetText("同户家属代领，已核实")
	test.Tap(rp.Dismiss)
	if rp.Reason.Selected != "" || rp.Note.Text != "" {
		t.Errorf("carried over to the next finding: reason %q, note %q (%s)", rp.Reason.Selected, rp.Note.Text, c.lastError)
	}
}

// A roster-wide change (everyone raised) is one finding, and the sign-off
// screen puts it before the supervisor.
func TestSignoffShowsRosterWideChange(t *testing.T) {
	c := demoClerk(t)
	ctx := context.Background()
	path, ws, sup := supervisedWS(t)
	r := rand.New(rand.NewPCG(5, 8))
	var feb, mar strings.Builder
	feb.WriteString("姓名,公民身份号码,发放年月,发放金额\n")
	mar.WriteString("姓名,公民身份号码,发放年月,发放金额\n")
	for i := 0; i < 30; i++ {
		id := demo.NewID(r, "512002", time.Date(1950, 1, 1+i, 0, 0, 0, 0, time.UTC))
		fmt.Fprintf(&feb, "人%d,%s,202402,100.00\n", i, id)
		fmt.Fprintf(&mar, "人%d,%s,202403,200.00\n", i, id)
	}
	dir := t.TempDir()
	for name, text := range map[string]string{"roster_2024-02.csv": feb.String(), "roster_2024-03.csv": mar.String()} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(text), 0o644)
		if _, err := ws.Import(ctx, sup, p, workspace.ImportOptions{Kind: "payouts"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ws.Check(ctx, sup, audit.MakeMonth(2024, 3), nil); err != nil {
		t.Fatal(err)
	}
	fs, _, _ := ws.Findings(ctx, audit.FindingFilter{Period: audit.MakeMonth(2024, 3), Rule: "above_standard"})
	ws.Close()
	if len(fs) != 1 {
		t.Fatalf("%d above-standard findings for 30 people raised, want one for the roster", len(fs))
	}
	loginAs(c, path, "王主任", "wang-secret-1")
	c.frame.period.SetSelected(audit.MakeMonth(2024, 3).Label())
	c.frame.show(pageSignoff)
	so := c.frame.pages[pageSignoff].(*pages.SignoffPage)
	if !strings.Contains(so.Checklist.Text, "整体变化") || !strings.Contains(so.Checklist.Text, "30 人") {
		t.Errorf("the sign-off screen does not show the roster-wide change:\n%s", so.Checklist.Text)
	}
}

// supervisedWS is a new workspace (东风镇) with its first supervisor, 王主任,
// logged in.
func supervisedWS(t *testing.T) (string, *workspace.Workspace, audit.Session) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	ws, err := workspace.Init(ctx, path, "东风镇", "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ws.AddUser(ctx, nil, "王主任", audit.RoleSupervisor, "wang-secret-1"); err != nil {
		t.Fatal(err)
	}
	sup, err := ws.Login(ctx, "王主任", "wang-secret-1")
	if err != nil {
		t.Fatal(err)
	}
	return path, ws, sup
}

// loginAs opens a workspace in the window and logs name in.
func loginAs(c *Controller, path, name, pw string) {
	c.openWorkspace(path)
	c.login.names.SetSelected(name)
	c.login.password.SetText(pw)
	c.submitLogin(c.login)
}

// The chosen finding is shown across its whole row, not in one cell, and the
// mark follows the review to the next finding.
func TestChosenRowIsMarkedAcross(t *testing.T) {
	c := demoClerk(t)
	c.frame.show(pageReview)
	rp := c.frame.pages[pageReview].(*pages.ReviewPage)
	if len(rp.Rows) < 2 {
		t.Fatal("too few findings")
	}
	// how a cell of the table draws: its background is the chosen colour
	drawnChosen := func(row, col int) bool {
		o := rp.Table.CreateCell()
		rp.Table.UpdateCell(widget.TableCellID{Row: row, Col: col}, o)
		bg := o.(*fyne.Container).Objects[0].(*canvas.Rectangle)
		return bg.FillColor == theme.Color(theme.ColorNameSelection)
	}
	marked := func() int {
		n := 0
		for col := range rp.Table.Headers() {
			for row := range rp.Rows {
				if drawnChosen(row, col) {
					n++
					if row != rp.Table.Marked() {
						t.Errorf("row %d drawn as chosen", row)
					}
				}
			}
		}
		return n
	}
	rp.SelectRow(1)
	cols := len(rp.Table.Headers())
	if rp.Table.Marked() != 1 || marked() < cols {
		t.Errorf("row 1 chosen: marked row %d, %d cells drawn as chosen, want all %d", rp.Table.Marked(), marked(), cols)
	}
	test.Tap(rp.Visit)
	if rp.Table.Marked() != rp.Selected || rp.Selected < 0 {
		t.Errorf("after deciding, the mark is on row %d, the review on %d", rp.Table.Marked(), rp.Selected)
	}
}

// Every rule's name, every status, a masked ID, a three-character name, a
// four-character village and a five-figure amount fit their columns whole (no “…”), and the columns
// fit the list's width at 1366×768 (no sideways scrolling).
func TestReviewColumnsShowWholeValues(t *testing.T) {
	c := demoClerk(t)
	c.frame.show(pageReview)
	rp := c.frame.pages[pageReview].(*pages.ReviewPage)
	widths := rp.Table.Widths()
	samples := make([][]string, len(widths))
	samples[0] = []string{"#9999"}
	for _, r := range workspace.Rules() {
		samples[1] = append(samples[1], workspace.RuleLabel(r))
	}
	samples[2] = []string{"欧阳芬"}
	samples[3] = []string{workspace.MaskID("51200219501010123X")}
	samples[4] = []string{"桃源社区", "石岭村委"}
	samples[5] = []string{audit.Fen(1234567).Grouped()}
	for _, s := range audit.Statuses {
		samples[6] = append(samples[6], s.Short())
	}
	pad := 2 * theme.Padding() * 2 // the label's inner padding and the cell's
	var sum float32
	for col, w := range widths {
		sum += w
		for _, v := range samples[col] {
			need := fyne.MeasureText(v, theme.TextSize(), fyne.TextStyle{}).Width + pad
			t.Logf("%s %q needs %.1f of %.0f", rp.Table.Headers()[col], v, need, w)
			if need > w {
				t.Errorf("column %s: “%s” needs %.0f px, has %.0f", rp.Table.Headers()[col], v, need, w)
			}
		}
	}
	c.win.Resize(fyne.NewSize(1366, 768))
	// each column also takes the table's padding beside it
	if avail := rp.Table.Size().Width; sum+float32(len(widths))*theme.Padding() > avail {
		t.Errorf("columns take %.0f px, the list has %.0f", sum, avail)
	}
}

// A roster where two columns could each be the amount paid: the preview
// names both and asks; the import is refused until the clerk chooses one
// in 发放金额, then goes in with that column.
func TestImportAsksWhichAmount(t *testing.T) {
	c := demoClerk(t)
	c.frame.show(pageImport)
	ip := c.frame.pages[pageImport].(*pages.ImportPage)
	path := filepath.Join(t.TempDir(), "roster_2024-04.csv") // no word in the name: the header says it is a roster
	os.WriteFile(path, []byte("村(社区),姓名,公民身份号码,发放年月,发放金额,补发金额\n龙泉村,张三,430422196112112507,202404,163.06,0\n龙泉村,李四,430422195611158660,202404,170.50,341.00\n"), 0o600)
	ip.AddFiles(path)
	if !strings.Contains(ip.PreviewInfo.Text, "有几列都可能是发放金额") || !strings.Contains(ip.PreviewInfo.Text, "补发金额") {
		t.Fatalf("the preview does not ask: %q", ip.PreviewInfo.Text)
	}
	c.lastError = ""
	test.Tap(ip.Start)
	waitFor(t, "the import refused", func() bool { return c.lastError != "" || strings.Contains(ip.Results.Text, "补发金额") })
	sel := ip.FieldSel[workspace.FieldAmount]
	if sel == nil || sel.Selected != "" || !strings.Contains(sel.PlaceHolder, "请选择") {
		t.Fatalf("the 发放金额 choice does not ask: %+v", sel)
	}
	sel.SetSelected("发放金额")
	c.lastError = ""
	test.Tap(ip.Start)
	waitFor(t, "imported", func() bool { return strings.Contains(ip.Results.Text, "✔") || c.lastError != "" })
	if c.lastError != "" || !strings.Contains(ip.Results.Text, "发放金额") {
		t.Errorf("after choosing: %q %q", c.lastError, ip.Results.Text)
	}
}

// Every action the program writes into the trail has a Chinese name on the
// 操作记录 page: read from the store's and the workspace's own sources.
func TestEveryTrailActionHasChineseName(t *testing.T) {
	re := regexp.MustCompile(`AppendTrail\(ctx, [^,]+, "([a-z_]+)"|appendTrail(?:Skip|Signed)?\(ctx, [^,]+, [^,]+, "([a-z_]+)"|"(user_[a-z]+)"`)
	seen := map[string]bool{}
	for _, dir := range []string{"../audit/sqlite", "../audit/workspace"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, _ := os.ReadFile(f)
			for _, m := range re.FindAllStringSubmatch(string(src), -1) {
				a := m[1] + m[2] + m[3]
				if a != "" {
					seen[a] = true
				}
			}
		}
	}
	for _, a := range []string{"key", "key_certify", "incident", "restore", "signoff", "import", "migrate", "user_role"} {
		if !seen[a] {
			t.Errorf("the scan missed %q: it reads nothing", a)
		}
	}
	for a := range seen {
		if l := pages.ActionLabel(a); l == a {
			t.Errorf("trail action %q has no Chinese name", a)
		}
	}
}
