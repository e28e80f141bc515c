package cli

import (
	"context"
	"flag"
	"fmt"

	"pensionaudit/assets"
	"pensionaudit/audit/workspace"
)

func runDemo(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	db := fs.String("db", "", "workspace file")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if err := needDB(*db, "demo"); err != nil {
		return err
	}
	w, err := workspace.BuildDemo(ctx, *db, assets.Demo())
	if w != nil {
		w.KeepAnchors(env.Anchors)
	}
	if err != nil {
		return err
	}
	defer w.Close()
	fmt.Fprintf(env.Stdout, "演示工作区已就绪：%s（%s）\n", *db, w.Township(ctx))
	return nil
}
