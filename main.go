// Command pensionaudit is the pension payout audit workstation
// (养老金发放核查工作台): with no arguments it opens the GUI, with a
// subcommand it runs headless.
package main

import (
	"context"
	"os"
	"os/signal"

	"pensionaudit/audit/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(cli.Run(ctx, cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}, os.Args[1:]))
}
