package cli

import (
	"context"
	"errors"
	"flag"
)

func runDemo(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	_ = fs.String("db", "", "workspace file")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	return errors.New("演示数据尚未提供")
}
