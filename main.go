// Command pensionaudit is the pension payout audit workstation
// (养老金发放核查工作台): with no arguments, or "gui", it opens the window; any
// other subcommand runs headless (see audit/cli).
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"

	"fyne.io/fyne/v2/app"

	"pensionaudit/audit/cli"
	"pensionaudit/audit/county"
	"pensionaudit/audit/county/countygen"
	"pensionaudit/audit/workspace"

	"pensionaudit/ui"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "screenshots" {
		cli.AttachConsole()
		os.Exit(screenshots(ctx, args[1:]))
	}
	if len(args) > 0 && args[0] == "county-gui" {
		os.Exit(countyGUI(ctx, args[1:]))
	}
	if len(args) > 0 && args[0] != "gui" {
		cli.AttachConsole()
		os.Exit(cli.Run(ctx, cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Anchors: anchors()}, args))
	}
	if noDisplay() {
		fmt.Fprintln(os.Stderr, "没有图形显示（未设置 DISPLAY 或 WAYLAND_DISPLAY）：请在桌面环境中运行，或使用命令行子命令（pensionaudit help）。")
		os.Exit(1)
	}
	// The window holds two parsed CJK fonts (go-text keeps every glyph
	// outline: about 80 MB of heap each); collecting at 1.5× the live heap
	// instead of 2× keeps the window's peak memory about 55 MB lower.
	debug.SetGCPercent(50)
	a := app.NewWithID("cn.gov.pensionaudit")
	w, _ := ui.Run(ctx, a, anchors(), args)
	w.ShowAndRun()
}

// anchors is the file where this person's program keeps the trail heads
// it has seen ("" when the system has no configuration folder).
func anchors() string {
	p, _ := workspace.DefaultAnchorFile()
	return p
}

// noDisplay reports a Unix desktop session without a display, where the
// window library would otherwise stop with a stack trace.
func noDisplay() bool {
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd":
		return os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == ""
	}
	return false
}

// screenshots: pensionaudit screenshots --out DIR [--db FILE --user NAME]
// (password on standard input) writes every screen as a PNG.
func screenshots(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("screenshots", flag.ContinueOnError)
	out := fs.String("out", "screenshots", "folder")
	db := fs.String("db", "", "workspace (default: the demo)")
	user := fs.String("user", "", "user to log in as")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	pw := ""
	if *db != "" {
		line, _ := bufio.NewReader(os.Stdin).ReadString('\n')
		pw = strings.TrimRight(line, "\r\n")
	}
	files, err := ui.Screenshots(ctx, *out, *db, *user, pw)
	for _, f := range files {
		fmt.Println("已保存", f)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "错误："+err.Error())
		return 1
	}
	return 0
}

// countyGUI: pensionaudit county-gui --db FILE|postgres://… or --demo (a
// demo county in the cache folder, made on first use) opens the county
// window.
func countyGUI(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("county-gui", flag.ContinueOnError)
	db := fs.String("db", "", "county database: a file or postgres://…")
	demo := fs.Bool("demo", false, "the demo county")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if noDisplay() {
		fmt.Fprintln(os.Stderr, "没有图形显示：请在桌面环境中运行，或使用 pensionaudit county … 命令行子命令。")
		return 1
	}
	dsn := *db
	if *demo {
		dir, err := os.UserCacheDir()
		if err != nil {
			dir = os.TempDir()
		}
		dsn = filepath.Join(dir, "pensionaudit", "county-demo.db")
		os.MkdirAll(filepath.Dir(dsn), 0o755)
		for _, s := range []string{"", "-wal", "-shm"} {
			os.Remove(dsn + s)
		}
	}
	if dsn == "" {
		fmt.Fprintln(os.Stderr, "请用 --db 指定县级数据库（文件路径或 postgres://…），或用 --demo 打开演示县")
		return 2
	}
	s, err := county.Open(ctx, dsn)
	if err != nil {
		fmt.Fprintln(os.Stderr, "错误："+err.Error())
		return 1
	}
	defer s.Close()
	if *demo {
		if err := countygen.Demo(ctx, s); err != nil {
			fmt.Fprintln(os.Stderr, "错误："+err.Error())
			return 1
		}
	} else if name, _ := s.County(ctx); name == "" {
		fmt.Fprintln(os.Stderr, "这还不是县级数据库：请先运行 pensionaudit county init --db … --county 县名")
		return 1
	}
	debug.SetGCPercent(50)
	a := app.NewWithID("cn.gov.pensionaudit.county")
	hint := ""
	if *demo {
		hint = "演示县：县审核（审核人）、县经办（经办人），密码都是 " + countygen.DemoPassword
	}
	w, _ := ui.RunCounty(ctx, a, s, hint, false)
	w.ShowAndRun()
	return 0
}
