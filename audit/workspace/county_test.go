package workspace

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"pensionaudit/audit"
	"pensionaudit/audit/bundle"
	"pensionaudit/audit/county"
	"pensionaudit/audit/demo"
	"pensionaudit/audit/internal/pgtest"
)

// township is a small township of the county test: its workspace on a
// clock the test moves, its payees, and its two accounts.
type township struct {
	name       string
	w          *Workspace
	clock      *time.Time
	people     []demo.Person
	clerk, sup audit.Session
	dir        string
}

func newTownship(t *testing.T, name string, seed uint64) *township {
	t.Helper()
	ctx := context.Background()
	tw := &township{name: name, dir: t.TempDir()}
	start := time.Date(2024, 2, 2, 9, 0, 0, 0, time.Local)
	tw.clock = &start
	w, err := InitAt(ctx, filepath.Join(tw.dir, name+".db"), name, "test", []string{name + "一村"}, func() time.Time { return *tw.clock })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	tw.w = w
	r := rand.New(rand.NewPCG(seed, 9))
	tw.people = demo.People(r, 20, fmt.Sprintf("5120%02d", seed), []string{name + "一村"})
	if _, err := w.AddUser(ctx, nil, "主任"+name, audit.RoleSupervisor, "sup-secret-"+name); err != nil {
		t.Fatal(err)
	}
	sup := mustLogin(t, w, "主任"+name, "sup-secret-"+name)
	if _, err := w.AddUser(ctx, sup, "会计"+name, audit.RoleClerk, "clerk-secret-"+name); err != nil {
		t.Fatal(err)
	}
	tw.sup, tw.clerk = *sup, *mustLogin(t, w, "会计"+name, "clerk-secret-"+name)
	return tw
}

// month imports the month's roster (the township's people and extra) and
// its village's death list (deaths, or a nil report), checks, decides every
// finding, and signs as the clerk and the supervisor at the clock's time.
func (tw *township) month(t *testing.T, p audit.Month, extra []demo.Person, deaths []demo.Person) {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	b.WriteString("村(社区),姓名,公民身份号码,发放年月,发放金额\n")
	for _, x := range append(append([]demo.Person{}, tw.people...), extra...) {
		fmt.Fprintf(&b, "%s,%s,%s,%d%02d,%s\n", tw.name+"一村", x.Name, x.ID, p.Year(), p.Mon(), x.Amount)
	}
	roster := filepath.Join(tw.dir, fmt.Sprintf("%s%d年%d月养老金发放花名册.csv", tw.name, p.Year(), p.Mon()))
	os.WriteFile(roster, []byte(b.String()), 0o644)
	if _, err := tw.w.Import(ctx, tw.clerk, roster, ImportOptions{Kind: audit.KindPayouts}); err != nil {
		t.Fatal(err)
	}
	b.Reset()
	fmt.Fprintf(&b, "%s一村%d年%d月死亡人员名单\n序号,姓名,身份证号码,死亡日期\n", tw.name, p.Year(), p.Mon())
	for i, d := range deaths {
		fmt.Fprintf(&b, "%d,%s,%s,%d-%02d-03\n", i+1, d.Name, d.ID, p.Year(), p.Mon())
	}
	if len(deaths) == 0 {
		b.WriteString(",本月无死亡人员\n")
	}
	list := filepath.Join(tw.dir, fmt.Sprintf("%s一村%d年%d月死亡人员名单.csv", tw.name, p.Year(), p.Mon()))
	os.WriteFile(list, []byte(b.String()), 0o644)
	if _, err := tw.w.Import(ctx, tw.clerk, list, ImportOptions{Kind: audit.KindDeaths, Village: tw.name + "一村"}); err != nil {
		t.Fatal(err)
	}
	tw.sign(t, p)
}

func (tw *township) sign(t *testing.T, p audit.Month) {
	t.Helper()
	ctx := context.Background()
	if _, err := tw.w.Check(ctx, tw.clerk, p, nil); err != nil {
		t.Fatal(err)
	}
	if err := decideAll(ctx, tw.w, tw.clerk, p, 0); err != nil {
		t.Fatal(err)
	}
	if err := noteMissing(ctx, tw.w, tw.sup, p); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.w.SignOff(ctx, tw.clerk, p); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.w.SignOff(ctx, tw.sup, p); err != nil {
		t.Fatal(err)
	}
}

func (tw *township) bundle(t *testing.T, p audit.Month) string {
	t.Helper()
	data, err := tw.w.Bundle(context.Background(), tw.clerk, p)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(tw.dir, fmt.Sprintf("%s_%s_%d.pabundle", tw.name, p, tw.clock.UnixNano()))
	os.WriteFile(path, data, 0o644)
	return path
}

// Three townships report to the county: 甲镇 every month on time; 乙镇
// skips February; 丙镇 signs January late and reopens March and reports it
// again. 乙镇 also pays one of 甲镇's payees in March, and 甲镇's village
// records in February the death of one of 乙镇's payees, whom 乙镇 pays in
// March. The county's grid, its cross-township findings and its totals are
// asserted, on SQLite and on PostgreSQL; a tampered bundle, one signed by
// another key, and a township that rewrote its history after reporting are
// refused.
func TestCountyEndToEnd(t *testing.T) {
	ctx := context.Background()
	jan, feb, mar := audit.MakeMonth(2024, 1), audit.MakeMonth(2024, 2), audit.MakeMonth(2024, 3)
	a, b, c := newTownship(t, "甲镇", 11), newTownship(t, "乙镇", 12), newTownship(t, "丙镇", 13)
	shared, dead := a.people[0], b.people[5]
	files := map[string][]string{}
	at := func(tw *township, y, m, d int) { *tw.clock = time.Date(y, time.Month(m), d, 9, 0, 0, 0, time.Local) }
	for _, p := range []audit.Month{jan, feb, mar} {
		next := p + 1
		// 甲镇: on time, every month
		at(a, next.Year(), next.Mon(), 5)
		var deaths []demo.Person
		if p == feb {
			deaths = []demo.Person{dead}
		}
		a.month(t, p, nil, deaths)
		files[a.name] = append(files[a.name], a.bundle(t, p))
		// 乙镇: skips February's report (signs it, never sends it)
		at(b, next.Year(), next.Mon(), 8)
		var extra []demo.Person
		if p == mar {
			extra = []demo.Person{shared}
		}
		b.month(t, p, extra, nil)
		if p != feb {
			files[b.name] = append(files[b.name], b.bundle(t, p))
		}
		// 丙镇: January late (signed on 20 February)
		if p == jan {
			at(c, 2024, 2, 20)
		} else {
			at(c, next.Year(), next.Mon(), 9)
		}
		c.month(t, p, nil, nil)
		files[c.name] = append(files[c.name], c.bundle(t, p))
	}
	// 丙镇 reopens March and signs it again (after the deadline): a new
	// bundle; a copy of the workspace from before is kept (an insider's)
	before, err := c.w.Backup(ctx, BackupManual, "")
	if err != nil {
		t.Fatal(err)
	}
	at(c, 2024, 4, 15)
	if err := c.w.Reopen(ctx, c.sup, mar, "补录一笔追回"); err != nil {
		t.Fatal(err)
	}
	c.sign(t, mar)
	files[c.name] = append(files[c.name], c.bundle(t, mar))

	for _, st := range pgtest.Stores(t) {
		t.Run(st.Name, func(t *testing.T) {
			s, err := county.Open(ctx, st.DSN)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := s.Init(ctx, "资阳市雁江区"); err != nil {
				t.Fatal(err)
			}
			if err := s.AddUser(ctx, nil, "县审核", audit.RoleSupervisor, "county-secret-1"); err != nil {
				t.Fatal(err)
			}
			boss, err := s.Login(ctx, "县审核", "county-secret-1")
			if err != nil {
				t.Fatal(err)
			}
			for _, tw := range []*township{a, b, c} {
				if err := s.Enrol(ctx, boss, tw.name, tw.w.RootKey(ctx)); err != nil {
					t.Fatal(err)
				}
			}
			read := func(p string) []byte { d, _ := os.ReadFile(p); return d }
			// a tampered bundle: one byte of its body changed
			var env map[string]any
			json.Unmarshal(read(files[a.name][0]), &env)
			body, _ := base64.StdEncoding.DecodeString(env["body"].(string))
			body[len(body)/2] ^= 1
			env["body"] = base64.StdEncoding.EncodeToString(body)
			tampered, _ := json.Marshal(env)
			if _, err := s.Import(ctx, boss, tampered); !bundle.IsRefusal(err) || !strings.Contains(err.Error(), "校验和") {
				t.Errorf("a tampered bundle: %v", err)
			}
			// 乙镇's bundle claimed as 甲镇's: the root is not the enrolled one
			other, _ := bundle.Open(read(files[b.name][0]))
			if other.Body.RootKey == a.w.RootKey(ctx) {
				t.Fatal("two townships share a root")
			}
			for _, tw := range []*township{a, b, c} {
				for _, f := range files[tw.name] {
					if _, err := s.Import(ctx, boss, read(f)); err != nil {
						t.Fatalf("%s: %v", filepath.Base(f), err)
					}
				}
			}
			if _, err := s.Import(ctx, boss, read(files[a.name][0])); !bundle.IsRefusal(err) {
				t.Errorf("the same bundle twice: %v", err)
			}
			// the grid
			g, err := s.Status(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{
				"甲镇 2024-01": county.OnTime, "甲镇 2024-02": county.OnTime, "甲镇 2024-03": county.OnTime,
				"乙镇 2024-01": county.OnTime, "乙镇 2024-02": county.Missing, "乙镇 2024-03": county.OnTime,
				"丙镇 2024-01": county.Late, "丙镇 2024-02": county.OnTime, "丙镇 2024-03": county.Reopened,
			}
			for _, cell := range g.List() {
				if w := want[cell.Township+" "+cell.Period]; w != cell.State {
					t.Errorf("%s %s: %s, want %s", cell.Township, cell.Period, cell.State, w)
				}
			}
			if g.Townships[0] != "乙镇" || !slices.Equal(g.Months, []string{"2024-01", "2024-02", "2024-03"}) {
				t.Errorf("grid order %v, months %v (the township that skipped a month first)", g.Townships, g.Months)
			}
			if g.Reported["2024-02"] != 2 || g.OnTime["2024-01"] != 2 {
				t.Errorf("reporting rate: %v on time %v", g.Reported, g.OnTime)
			}
			// the cross-township findings
			fs, err := s.Flags(ctx, mar)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]county.Finding{}
			for _, f := range fs {
				got[f.Rule+" "+f.IDNumber] = f
			}
			if f, ok := got[county.PaidInTwoTownships+" "+shared.ID]; !ok || !slices.Equal(f.Townships, []string{"乙镇", "甲镇"}) && !slices.Equal(f.Townships, []string{"甲镇", "乙镇"}) ||
				f.Amount != shared.Amount*2 {
				t.Errorf("paid in two townships: %+v", f)
			}
			if f, ok := got[county.DiedInOtherTownship+" "+dead.ID]; !ok || f.Townships[0] != "甲镇" || f.Townships[1] != "乙镇" || f.Amount != dead.Amount {
				t.Errorf("died in another township: %+v (all: %v)", f, fs)
			}
			if len(fs) != 2 {
				t.Errorf("%d cross-township findings in March, want 2: %v", len(fs), fs)
			}
			if fs, _ := s.Flags(ctx, feb); len(fs) != 0 {
				t.Errorf("February: %v", fs)
			}
			// 丙镇 rewrites its history after reporting: a backup from
			// before its last report put back, then a month signed anew
			if err := rewrite(t, c, before, s, boss); err != nil {
				t.Error(err)
			}
		})
	}
}

// rewrite puts back 丙镇's copy from before its last report (as an insider
// with an old copy of the file would), reopens and signs March anew and
// bundles it: the county refuses it, the trail not extending the head it
// last received from 丙镇.
func rewrite(t *testing.T, c *township, before string, s *county.Store, by *county.User) error {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "丙镇-old.db")
	if err := copyFile(before, path); err != nil {
		return err
	}
	when := time.Date(2024, 4, 20, 9, 0, 0, 0, time.Local)
	w2, err := Open(ctx, path)
	if err != nil {
		return err
	}
	defer w2.Close()
	w2.db.Now = func() time.Time { return when }
	sup := mustLogin(t, w2, c.sup.Name, "sup-secret-"+c.name)
	clerk := mustLogin(t, w2, c.clerk.Name, "clerk-secret-"+c.name)
	mar := audit.MakeMonth(2024, 3)
	if err := w2.Reopen(ctx, *sup, mar, "改写"); err != nil {
		return err
	}
	if _, err := w2.SignOff(ctx, *clerk, mar); err != nil {
		return err
	}
	if _, err := w2.SignOff(ctx, *sup, mar); err != nil {
		return err
	}
	data, err := w2.Bundle(ctx, *clerk, mar)
	if err != nil {
		return fmt.Errorf("bundle of the rewritten copy: %w", err)
	}
	if _, err := s.Import(ctx, by, data); !bundle.IsRefusal(err) || !strings.Contains(err.Error(), "没有接在县里上次收到的") {
		return fmt.Errorf("a township's rewritten history: %v", err)
	}
	return nil
}
