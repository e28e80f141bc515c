package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"pensionaudit/assets"
	"pensionaudit/audit/workspace"
)

// DefaultDB is where the GUI keeps its workspace when --db is not given.
func DefaultDB() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		dir = "."
	}
	return filepath.Join(dir, "pensionaudit", "workspace.db")
}

// OpenForGUI parses "gui [--db FILE] [--demo]" and opens the workspace the
// window will show: --demo builds a fresh demo workspace from the embedded
// demo files (in the user cache folder unless --db is given).
func OpenForGUI(ctx context.Context, env Env, args []string) (*workspace.Workspace, error) {
	if len(args) > 0 && args[0] == "gui" {
		args = args[1:]
	}
	fs := flag.NewFlagSet("gui", flag.ContinueOnError)
	db := fs.String("db", "", "workspace file")
	demo := fs.Bool("demo", false, "open the demo workspace")
	if _, err := parse(fs, args); err != nil {
		fmt.Fprintln(env.Stderr, "错误："+err.Error())
		return nil, err
	}
	if *demo {
		path := *db
		if path == "" {
			dir, err := os.UserCacheDir()
			if err != nil {
				dir = os.TempDir()
			}
			path = filepath.Join(dir, "pensionaudit", "demo.db")
			os.MkdirAll(filepath.Dir(path), 0o755)
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(path + suffix)
			}
		}
		ws, err := workspace.BuildDemo(ctx, path, assets.Demo())
		if err != nil {
			fmt.Fprintln(env.Stderr, "错误："+err.Error())
		}
		return ws, err
	}
	path := *db
	if path == "" {
		path = DefaultDB()
	}
	ws, err := workspace.Open(ctx, path)
	if err != nil {
		fmt.Fprintln(env.Stderr, "错误："+err.Error())
		fmt.Fprintln(env.Stderr, "提示：先用 pensionaudit init --db 文件 --township 乡镇名 建立工作区，或用 pensionaudit gui --demo 打开演示工作区。")
	}
	return ws, err
}
