package workspace

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"pensionaudit/audit"
)

// DemoTownship is the demo workspace's township.
const DemoTownship = "青石镇"

// The demo workspace's accounts (shown on its login screen).
const (
	DemoSupervisor = "演示审核人"
	DemoClerk      = "演示经办人"
	DemoPassword   = "demo-2024-qs"
)

// BuildDemo creates a ready workspace at path from the demo files in fsys
// (assets.Demo()): rosters first, then death reports, then deregistrations.
// An existing workspace at path is reused as it is.
func BuildDemo(ctx context.Context, path string, fsys fs.FS) (*Workspace, error) {
	if _, err := os.Stat(path); err == nil {
		return Open(ctx, path)
	}
	w, err := Init(ctx, path, DemoTownship, "演示", nil)
	if err != nil {
		return nil, err
	}
	if _, err := w.AddUser(ctx, nil, DemoSupervisor, audit.RoleSupervisor, DemoPassword); err != nil {
		w.Close()
		return nil, err
	}
	sup, err := w.Login(ctx, DemoSupervisor, DemoPassword)
	if err != nil {
		w.Close()
		return nil, err
	}
	if _, err := w.AddUser(ctx, &sup, DemoClerk, audit.RoleClerk, DemoPassword); err != nil {
		w.Close()
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "pensionaudit-demo-")
	if err != nil {
		w.Close()
		return nil, err
	}
	defer os.RemoveAll(tmp)
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		w.Close()
		return nil, err
	}
	type item struct {
		name string
		kind audit.Kind
	}
	var items []item
	for _, e := range entries {
		if k, _, ok := kindFromName(e.Name()); ok {
			items = append(items, item{e.Name(), k})
		}
	}
	order := map[audit.Kind]int{}
	for i, k := range audit.Kinds { // rosters first, then death reports, deregistrations, the other sources
		order[k] = i
	}
	sort.Slice(items, func(i, j int) bool {
		if order[items[i].kind] != order[items[j].kind] {
			return order[items[i].kind] < order[items[j].kind]
		}
		return items[i].name < items[j].name
	})
	for _, it := range items {
		data, err := fs.ReadFile(fsys, it.name)
		if err != nil {
			w.Close()
			return nil, err
		}
		p := filepath.Join(tmp, it.name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			w.Close()
			return nil, err
		}
		if _, err := w.Import(ctx, sup, p, ImportOptions{Kind: it.kind}); err != nil {
			w.Close()
			return nil, fmt.Errorf("演示数据 %s 导入失败：%w", it.name, err)
		}
	}
	months, err := w.db.RosterMonths(ctx)
	if err != nil {
		w.Close()
		return nil, err
	}
	for _, m := range months {
		if _, err := w.Check(ctx, sup, m, nil); err != nil {
			w.Close()
			return nil, fmt.Errorf("演示数据 %s 核查失败：%w", m, err)
		}
	}
	return w, nil
}
