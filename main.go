// Command pensionaudit is the pension payout audit workstation
// (养老金发放核查工作台): with no arguments, or "gui", it opens the window; any
// other subcommand runs headless (see audit/cli).
package main

import (
	"context"
	"os"
	"os/signal"

	"fyne.io/fyne/v2/app"

	"pensionaudit/audit/cli"

	"pensionaudit/ui"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	args := os.Args[1:]
	if len(args) > 0 && args[0] != "gui" {
		cli.AttachConsole()
		os.Exit(cli.Run(ctx, cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}, args))
	}
	a := app.NewWithID("cn.gov.pensionaudit")
	w, _ := ui.Run(ctx, a, args)
	w.ShowAndRun()
}
