package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	"pensionaudit/audit"
	"pensionaudit/audit/county"
	"pensionaudit/audit/county/countygen"
	"pensionaudit/audit/county/countysheet"
	"pensionaudit/audit/idcard"
)

// runFingerprint prints the workspace's root key fingerprint, as on the
// sign-off sheet, on its last line.
func runFingerprint(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("fingerprint", flag.ContinueOnError)
	db := fs.String("db", "", "workspace file")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	w, err := openWSRead(ctx, env, *db, "fingerprint")
	if err != nil {
		return err
	}
	defer w.Close()
	fp := w.RootKey(ctx)
	if fp == "" {
		return audit.Errorf(audit.ErrConflict, "这个工作区还没有根密钥（由旧版本建立）：请第一位审核人登录一次")
	}
	fmt.Fprintf(env.Stdout, "%s 的根密钥指纹（与签字表上印的相同，县里凭它登记本乡镇）：\n%s\n", w.Township(ctx), fp)
	return nil
}

// runBundle writes a countersigned month's report to the county.
func runBundle(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("bundle", flag.ContinueOnError)
	db := fs.String("db", "", "workspace file")
	periodS := periodFlag(fs)
	user := fs.String("user", "", "user")
	out := fs.String("out", "", "file")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	p, err := needPeriod(*periodS, "bundle")
	if err != nil {
		return err
	}
	if *out == "" {
		return audit.Errorf(flag.ErrHelp, "请用 --out 指定上报文件\n用法：pensionaudit %s", usageOf("bundle"))
	}
	w, u, err := login(ctx, env, *db, "bundle", *user)
	if err != nil {
		return err
	}
	defer w.Close()
	data, err := w.Bundle(ctx, u, p)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, data, 0o600); err != nil {
		return audit.Errorf(audit.ErrIO, "无法写入 %s：%v", *out, err)
	}
	fmt.Fprintf(env.Stdout, "已生成 %s %s 的上报文件 %s（%d KB，由 %s 签名）\n", w.Township(ctx), p.Label(), *out, (len(data)+1023)/1024, u.Name)
	return nil
}

// runCounty is the county mode: init, user add, enrol, import, status, flags.
func runCounty(ctx context.Context, env Env, args []string) error {
	subs := map[string]bool{"init": true, "user": true, "enrol": true, "import": true, "status": true, "flags": true, "townships": true, "demo": true, "report": true}
	if len(args) == 0 || !subs[args[0]] {
		return audit.Errorf(flag.ErrHelp, "用法：pensionaudit %s", usageOf("county"))
	}
	sub := args[0]
	args = args[1:]
	if sub == "user" {
		if len(args) == 0 || args[0] != "add" {
			return audit.Errorf(flag.ErrHelp, "用法：pensionaudit county user add --db 数据库 --name 姓名 --role clerk|supervisor|auditor [--by 审核人]")
		}
		args = args[1:]
	}
	fs := flag.NewFlagSet("county", flag.ContinueOnError)
	db := fs.String("db", "", "county database: a file or postgres://…")
	name := fs.String("county", "", "county name")
	user := fs.String("user", "", "user")
	uname := fs.String("name", "", "user name")
	role := fs.String("role", "", "role")
	by := fs.String("by", "", "supervisor")
	township := fs.String("township", "", "township")
	fp := fs.String("fingerprint", "", "root key fingerprint")
	periodS := fs.String("period", "", "YYYY-MM")
	asJSON := fs.Bool("json", false, "JSON")
	outPath := fs.String("out", "", "report file (.pdf or .xlsx)")
	unmask := fs.Bool("unmask", false, "full ID numbers")
	nTowns := fs.Int("townships", 6, "demo: townships")
	nPayees := fs.Int("payees", 300, "demo: payees per township")
	nMonths := fs.Int("months", 4, "demo: months from January 2024")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *db == "" {
		return audit.Errorf(flag.ErrHelp, "请用 --db 指定县级数据库（文件路径或 postgres://…）\n用法：pensionaudit %s", usageOf("county"))
	}
	s, err := county.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer s.Close()
	if sub == "demo" {
		if c, _ := s.County(ctx); c != "" {
			return audit.Errorf(audit.ErrConflict, "%s 已经是县级数据库（%s），没有改动", county.Redact(*db), c)
		}
		if *nTowns < 2 || *nTowns > 99 || *nPayees < 10 || *nPayees > 200000 || *nMonths < 1 || *nMonths > 36 {
			return audit.Errorf(audit.ErrInvalid, "演示县的规模：乡镇 2–99 个，每镇 10–200000 人，1–36 个月")
		}
		last := -1
		if err := countygen.DemoSized(ctx, s, *nTowns, *nPayees, *nMonths, func(done, total int) {
			if pct := done * 100 / total; pct/10 != last {
				last = pct / 10
				fmt.Fprintf(env.Stderr, "已导入 %d/%d 个上报文件\n", done, total)
			}
		}); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "已建立演示县的县级数据库 %s：%d 个乡镇、每镇 %d 人、2024年起 %d 个月；账户 县审核、县经办，密码都是 %s\n",
			county.Redact(*db), *nTowns, *nPayees, *nMonths, countygen.DemoPassword)
		return nil
	}
	if sub != "init" {
		if c, err := s.County(ctx); err != nil || c == "" {
			return audit.Errorf(audit.ErrNotFound, "%s 还不是县级数据库：请先运行 pensionaudit county init --db … --county 县名", *db)
		}
	}
	as := func(who string) (*county.User, error) {
		if who == "" {
			return nil, audit.Errorf(flag.ErrHelp, "请用 --user 指定用户（密码从标准输入读取）")
		}
		pw, err := readPassword(env)
		if err != nil {
			return nil, err
		}
		return s.Login(ctx, who, pw)
	}
	var p audit.Month
	if *periodS != "" {
		if p, err = parsePeriod(*periodS); err != nil {
			return err
		}
	}
	switch sub {
	case "init":
		if err := s.Init(ctx, *name); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "已建立 %s 的县级数据库：%s\n", *name, county.Redact(*db))
	case "user":
		pw, err := readNewPassword(env)
		if err != nil {
			return err
		}
		var sup *county.User
		if *by != "" {
			if sup, err = as(*by); err != nil {
				return err
			}
		}
		if err := s.AddUser(ctx, sup, *uname, audit.Role(*role), pw); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "已添加县级用户 %s\n", *uname)
	case "enrol":
		u, err := as(*user)
		if err != nil {
			return err
		}
		if err := s.Enrol(ctx, u, *township, *fp); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "已登记 %s（根密钥指纹 %s）\n", *township, strings.ToLower(*fp))
	case "townships":
		ts, err := s.Townships(ctx)
		if err != nil {
			return err
		}
		for _, t := range ts {
			fmt.Fprintf(env.Stdout, "%s\t%s\t登记于 %s（%s）\n", t.Name, t.Fingerprint, t.EnrolledAt, t.EnrolledBy)
		}
	case "import":
		u, err := as(*user)
		if err != nil {
			return err
		}
		paths, err := county.Files(files)
		if err != nil {
			return err
		}
		results, err := s.ImportFiles(ctx, u, paths, nil)
		refused := 0
		for i, r := range results {
			if r.Err != nil {
				refused++
			}
			fmt.Fprintf(env.Stdout, "[%d/%d] %s\n", i+1, len(paths), r.Line())
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "共 %d 个文件，%d 个未导入。\n", len(paths), refused)
		if refused > 0 {
			return audit.Errorf(audit.ErrConflict, "%d 个上报文件被拒绝", refused)
		}
	case "status":
		g, err := s.Status(ctx, p)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(env, g.List())
		}
		for _, t := range g.Townships {
			var cells []string
			for _, m := range g.Months {
				c := g.Cells[t][m]
				cells = append(cells, m+" "+county.StateLabel(c.State))
			}
			fmt.Fprintf(env.Stdout, "%s\t%s\n", t, strings.Join(cells, "\t"))
		}
		for _, m := range g.Months {
			fmt.Fprintf(env.Stdout, "%s：已上报 %d/%d，按时 %d\n", m, g.Reported[m], len(g.Townships), g.OnTime[m])
		}
	case "report":
		if *outPath == "" {
			return audit.Errorf(flag.ErrHelp, "请用 --out 指定汇总表文件（.pdf 或 .xlsx）")
		}
		if err := countysheet.Write(ctx, s, p, *outPath, *unmask); err != nil {
			return err
		}
		cname, _ := s.County(ctx)
		fmt.Fprintf(env.Stdout, "已生成 %s 县级汇总表 %s\n", cname, *outPath)
	case "flags":
		fs, err := s.Flags(ctx, p)
		if err != nil {
			return err
		}
		if *asJSON {
			type row struct {
				county.Finding
				Amount json.Number `json:"amount"`
			}
			out := make([]row, len(fs))
			for i, f := range fs {
				out[i] = row{f, json.Number(f.Amount.String())}
			}
			return writeJSON(env, out)
		}
		for _, f := range fs {
			fmt.Fprintf(env.Stdout, "%s %s %s %s %s：%s\n", f.Period, county.RuleLabel(f.Rule), f.Name, idcard.Mask(f.IDNumber), strings.Join(f.Townships, "、"), f.Detail)
		}
		if len(fs) == 0 {
			fmt.Fprintln(env.Stdout, "没有跨乡镇的问题。")
		}
	}
	return nil
}
