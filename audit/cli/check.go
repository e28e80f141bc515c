package cli

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"strings"

	"pensionaudit/audit"
	"pensionaudit/audit/idcard"
	"pensionaudit/audit/workspace"
)

func runCheck(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	db := fs.String("db", "", "workspace file")
	periodS := fs.String("period", "", "YYYY-MM")
	user := fs.String("user", "", "who checks (password on standard input)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *periodS == "" {
		return audit.Errorf(flag.ErrHelp, "请用 --period YYYY-MM 指定要核查的月份")
	}
	p, err := audit.ParseMonth(*periodS)
	if err != nil {
		return err
	}
	w, u, err := login(ctx, env, *db, "check", *user)
	if err != nil {
		return err
	}
	defer w.Close()
	res, err := w.Check(ctx, u, p, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s 核查完成：\n", p.Label())
	total := 0
	for _, r := range workspace.Rules() {
		n := res.Counts[r]
		total += n
		fmt.Fprintf(env.Stdout, "  %-22s %-14s %d\n", r, workspace.RuleLabel(r), n)
	}
	fmt.Fprintf(env.Stdout, "共 %d 条（新增 %d，证据变化需重新处理 %d，沿用原处理 %d，已撤销 %d）\n", total, res.New, res.Changed, res.Kept, res.Withdrawn)
	return nil
}

func runFlags(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("flags", flag.ContinueOnError)
	db := fs.String("db", "", "workspace file")
	periodS := fs.String("period", "", "YYYY-MM")
	rule := fs.String("rule", "", "rule code")
	status := fs.String("status", "", "open|confirmed|dismissed|visit|withdrawn")
	asJSON := fs.Bool("json", false, "JSON output")
	asCSV := fs.Bool("csv", false, "CSV output")
	unmask := fs.Bool("unmask", false, "show full ID numbers in text and CSV output")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	p, err := parsePeriod(*periodS)
	if err != nil {
		return err
	}
	if *rule != "" && workspace.RuleLabel(*rule) == *rule {
		return audit.Errorf(audit.ErrInvalid, "不认识的规则 %q，可用：%s", *rule, strings.Join(workspace.Rules(), ", "))
	}
	w, err := openWSRead(ctx, env, *db, "flags")
	if err != nil {
		return err
	}
	defer w.Close()
	rows, total, err := w.Findings(ctx, audit.FindingFilter{Period: p, Rule: *rule, Status: audit.Status(*status)})
	if err != nil {
		return err
	}
	mask := func(s string) string {
		if *unmask {
			return s
		}
		return idcard.Mask(s)
	}
	switch {
	case *asJSON:
		if rows == nil {
			rows = []audit.FindingRow{}
		}
		return writeJSON(env, rows)
	case *asCSV:
		cw := csv.NewWriter(env.Stdout)
		env.Stdout.Write([]byte("\xef\xbb\xbf")) // Excel opens UTF-8 CSV with a BOM correctly
		cw.Write([]string{"编号", "月份", "规则", "规则名称", "身份证号", "姓名", "村(社区)", "账号", "金额(元)", "涉及月份", "状态", "说明"})
		for _, r := range rows {
			cw.Write(workspace.SafeCSVRow([]string{fmt.Sprint(r.ID), r.Period, r.Rule, workspace.RuleLabel(r.Rule), mask(r.IDNumber), r.Name, r.Village, r.Account,
				r.Amount.String(), strings.Join(r.Months, " "), r.Status.Label(), r.Detail}))
		}
		cw.Flush()
		return cw.Error()
	}
	if total == 0 {
		fmt.Fprintln(env.Stdout, "没有符合条件的核查结果。")
		return nil
	}
	for _, r := range rows {
		fmt.Fprintf(env.Stdout, "#%d %s %s %s %s %s %s元 [%s]\n    %s\n", r.ID, r.Period, workspace.RuleLabel(r.Rule), r.Name, mask(r.IDNumber), r.Village,
			r.Amount.Grouped(), r.Status.Label(), r.Detail)
	}
	fmt.Fprintf(env.Stdout, "共 %d 条。\n", total)
	return nil
}
