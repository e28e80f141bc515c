package cli

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"strings"

	"pensionaudit/audit"
	"pensionaudit/audit/workspace"
)

func runReport(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	db := fs.String("db", "", "workspace file")
	periodS := periodFlag(fs)
	kind := fs.String("kind", "", "signoff|findings|stoplist|ledger|notices")
	out := fs.String("out", "", "FILE.pdf or FILE.xlsx")
	unmask := fs.Bool("unmask", false, "print full ID numbers (internal copies)")
	force := fs.Bool("force", false, "overwrite an existing file (never the workspace or an imported file)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	p, err := needPeriod(*periodS, "report")
	if err != nil {
		return err
	}
	if *out == "" {
		return audit.Errorf(flag.ErrHelp, "请用 --out 指定输出文件（.pdf 或 .xlsx）\n用法：pensionaudit %s", usageOf("report"))
	}
	wantExt, ok := workspace.ReportKinds[*kind]
	if !ok {
		return audit.Errorf(audit.ErrInvalid, "--kind 应为 signoff（签字表）、findings（核查结果）、stoplist（止付名单）、ledger（追回台账）或 notices（催报通知）")
	}
	if ext := strings.ToLower(filepath.Ext(*out)); ext != wantExt {
		return audit.Errorf(audit.ErrInvalid, "%s 输出为 %s 文件，请把 --out 的扩展名改为 %s", *kind, wantExt, wantExt)
	}
	w, err := openWSRead(ctx, env, *db, "report")
	if err != nil {
		return err
	}
	defer w.Close()
	res, err := w.WriteReport(ctx, p, *kind, *out, *force, *unmask)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "已生成 %s\n", *out)
	if *kind == "signoff" {
		fmt.Fprintf(env.Stdout, "共 %d 页；数据指纹 %s\n", res.Pages, res.Fingerprint)
		for _, wmsg := range res.Warnings {
			fmt.Fprintln(env.Stderr, "注意："+wmsg)
		}
	}
	return nil
}
