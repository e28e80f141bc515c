// Package cli is the headless command line. It parses arguments and calls the
// same workspace functions as the GUI; main only wires it up.
package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"pensionaudit/audit"
	_ "pensionaudit/audit/internal/locale" // must initialise before Fyne's lang package: see there
	"pensionaudit/audit/workspace"
)

// Env is what a command may touch.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Anchors is the file where the trail heads this computer has seen are
	// kept (workspace.DefaultAnchorFile for a person; a test's own file);
	// "" keeps none.
	Anchors string
}

type command struct {
	name, usage string
	run         func(ctx context.Context, env Env, args []string) error
}

func commands() []command {
	return []command{
		{"init", "init --db FILE --township 乡镇名 [--villages 村1,村2,...]  新建工作区", runInit},
		{"import", "import --db FILE --user 姓名 --kind payouts|deaths|deregistrations|cremation|death-certificates|prison|other-pensions|certifications|funeral-grants [--village 村名] [--period YYYY-MM] [--map 字段=列名,...] FILE...（密码从标准输入读取）  导入文件", runImport},
		{"files", "files --db FILE [--json]  已导入的文件，以及导入时读懂了什么（表头、金额取法、村从哪里来、各编码列的取值）", runFiles},
		{"problems", "problems --db FILE [--period YYYY-MM] [--level error|notice] [--json]  列出导入时发现的问题", runProblems},
		{"check", "check --db FILE --period YYYY-MM --user 姓名（密码从标准输入读取）  按月核查，输出各规则的问题数", runCheck},
		{"flags", "flags --db FILE [--period P] [--rule R] [--status S] [--json | --csv]  列出核查发现的问题", runFlags},
		{"user", "user add --db FILE --name 姓名 --role clerk|supervisor|auditor [--by 审核人]（标准输入：新密码两遍，再输审核人密码；第一个账户不用 --by，并打印恢复码）| user role|passwd|disable|enable --db FILE --name 姓名 --by 审核人 | user passwd --db FILE --name 本人（不带 --by：改本人密码；标准输入：新密码两遍，再输现在的密码）| user list --db FILE  用户", runUser},
		{"recovery-code", "recovery-code --db FILE --user 审核人（密码从标准输入读取）  生成新的恢复码（旧的作废），打印后妥善保管", runRecoveryCode},
		{"recover-root", "recover-root --db FILE（标准输入：恢复码，再输新密码两遍）  根审核人忘记密码时，用恢复码重设（记入记录链，并换发新的恢复码）", runRecoverRoot},
		{"decide", "decide --db FILE --flag N --user 姓名 --decision confirm|dismiss|visit [--action stop|recover|refer] [--reason 理由] [--note 说明] [--amount 元]（密码从标准输入读取）", runDecide},
		{"village", "village list --db FILE | village rename --db FILE --from 原名称 --to 新名称 --user 审核人 | village confirm --db FILE --name 村名 --user 审核人（密码从标准输入读取）  改名、合并或确认村(社区)", runVillage},
		{"word", "word list --db FILE | word set --db FILE --word 注销原因中的词 --means 死亡|非死亡|不明 --user 审核人（密码从标准输入读取）  说明注销原因的含义", runWord},
		{"village-note", "village-note --db FILE --period YYYY-MM --village 村名 --note 原因 --user 审核人（密码从标准输入读取）  记录村未上报的原因", runVillageNote},
		{"signoff", "signoff --db FILE --period YYYY-MM --user 姓名（密码从标准输入读取）  经办人签字 / 审核人复核签字", runSignoff},
		{"reopen", "reopen --db FILE --period YYYY-MM --user 审核人 --reason 原因（密码从标准输入读取）  退回已签字的月份", runReopen},
		{"status", "status --db FILE [--period YYYY-MM] [--json]  各月上报、核查、签字和逾期情况", runStatus},
		{"ledger", "ledger --db FILE [--json]  追回台账", runLedger},
		{"recover", "recover --db FILE --flag N --amount 元 --date YYYY-MM-DD --user 姓名（密码从标准输入读取）  登记追回", runRecover},
		{"backup", "backup --db FILE | backup list --db FILE  立即备份到工作区旁的备份文件夹 / 列出备份（签字后和每天第一次使用时也会自动备份）", runBackup},
		{"restore", "restore --db FILE --from 备份文件 --user 审核人（密码从标准输入读取）  先校验备份，再用它替换工作区；恢复前的工作区另存为备份", runRestore},
		{"incident", "incident --db FILE --user 审核人 --reason 原因（密码从标准输入读取）  工作区被程序以外的方式改动过、因此拒绝写入时，审核人核实后记录事件说明（连同改动记入记录链）", runIncident},
		{"verify", "verify --db FILE [--anchor 签字表上的校验码] [--json]  校验记录链、全部数据的摘要和签字指纹，完好时退出码为 0", runVerify},
		{"report", "report --db FILE --period YYYY-MM --kind signoff|findings|stoplist|ledger|notices --out FILE.pdf|FILE.xlsx [--unmask] [--force]  打印签字表和导出", runReport},
		{"demo", "demo --db FILE  用内置演示数据建一个演示工作区", runDemo},
		{"fingerprint", "fingerprint --db FILE  显示本乡镇的根密钥指纹（与签字表上印的相同；最后一行）", runFingerprint},
		{"bundle", "bundle --db FILE --period YYYY-MM --user 姓名 --out 文件.pabundle（密码从标准输入读取）  生成复核签字后月份的上报县级文件", runBundle},
		{"county", "county init --db 数据库 --county 县名 | county user add --db 数据库 --name 姓名 --role … [--by 审核人] | county enrol --db 数据库 --township 乡镇 --fingerprint 指纹 --user 审核人 | county import --db 数据库 --user 姓名 文件或文件夹… | county status --db 数据库 [--period P] [--json] | county flags --db 数据库 [--period P] [--json] | county townships --db 数据库 | county demo --db 数据库 [--townships 30 --payees 10000 --months 12] | county report --db 数据库 --out 汇总表.pdf|.xlsx [--period P] [--unmask]  县级（--db 为文件路径或 postgres://…；图形界面：pensionaudit county-gui --db 数据库 或 --demo）", runCounty},
	}
}

// Usage is the help text.
func Usage() string {
	var b strings.Builder
	b.WriteString("养老金发放核查工作台 pensionaudit\n\n用法 (Usage):\n  pensionaudit                 打开图形界面 (GUI)\n")
	for _, c := range commands() {
		b.WriteString("  pensionaudit " + c.usage + "\n")
	}
	return b.String()
}

// Run executes one command and returns the process exit code.
func Run(ctx context.Context, env Env, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(env.Stdout, Usage())
		return 0
	}
	env.Stderr = safeWriter{env.Stderr}
	if env.Stdin != nil {
		env.Stdin = bufio.NewReader(env.Stdin) // password lines are read one after another
	}
	if !machineOutput(args) {
		env.Stdout = safeWriter{env.Stdout}
	}
	for _, c := range commands() {
		if c.name == args[0] {
			if err := wordErr(workspace.Friendly(c.run(ctx, env, args[1:]))); err != nil { // a full disk or a locked file in plain words, whatever the command
				if !errors.Is(err, errReported) {
					fmt.Fprintln(env.Stderr, "错误："+err.Error())
				}
				if errors.Is(err, flag.ErrHelp) {
					return 2
				}
				return 1
			}
			return 0
		}
	}
	fmt.Fprintf(env.Stderr, "错误：不认识的命令 %q\n\n%s", args[0], Usage())
	return 2
}

// flagOf names the command-line flag for each input a message can be about
// (audit.Error.Field): the domain's words name no flag, the command line
// adds its own.
var flagOf = map[string]string{"reason": "--reason", "note": "--note", "action": "--action", "amount": "--amount",
	"decision": "--decision", "village": "--village", "period": "--period", "name": "--name", "role": "--role",
	"township": "--township", "db": "--db", "to": "--to", "map": "--map 字段=列名（例如 --map id=证件号码）", "word": "--word", "means": "--means", "force": "--force 覆盖"}

// wordErr adds to a message the flag that gives the input it is about.
func wordErr(err error) error {
	if f, ok := flagOf[audit.FieldOf(err)]; ok {
		return &audit.Error{Kind: err, Msg: err.Error() + "（命令行用 " + f + " 指定）"}
	}
	return err
}

// errReported means the command already told the user what went wrong.
var errReported = errors.New("reported")

// parse reads flags written before, between or after positional arguments;
// Go's flag package accepts both -db and --db.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, audit.Errorf(flag.ErrHelp, "%s\n用法：pensionaudit %s", flagErr(err), usageOf(fs.Name()))
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// flagErr words Go's flag errors in Chinese, the option named as typed.
func flagErr(err error) string {
	msg := err.Error()
	if opt, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		return "这个命令没有选项 " + opt
	}
	if opt, ok := strings.CutPrefix(msg, "flag needs an argument: "); ok {
		return "选项 " + opt + " 后面缺少值"
	}
	return "选项有误：" + msg
}

func usageOf(name string) string {
	for _, c := range commands() {
		if c.name == name {
			return c.usage
		}
	}
	return name
}

func needDB(db string, cmd string) error {
	if db == "" {
		return audit.Errorf(flag.ErrHelp, "请用 --db 指定工作区文件\n用法：pensionaudit %s", usageOf(cmd))
	}
	return nil
}

func runInit(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("init", flag.ContinueOnError)
	db := fs.String("db", "", "workspace file")
	town := fs.String("township", "", "township name")
	villages := fs.String("villages", "", "villages, comma separated")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if err := needDB(*db, "init"); err != nil {
		return err
	}
	var vs []string
	for _, v := range strings.FieldsFunc(*villages, func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
		vs = append(vs, strings.TrimSpace(v))
	}
	w, err := workspace.Init(ctx, *db, strings.TrimSpace(*town), "（建立工作区）", vs)
	if err != nil {
		return err
	}
	w.KeepAnchors(env.Anchors)
	defer w.Close()
	fmt.Fprintf(env.Stdout, "已建立工作区 %s（%s）\n", *db, *town)
	return nil
}

func openWS(ctx context.Context, env Env, db, cmd string) (*workspace.Workspace, error) {
	if err := needDB(db, cmd); err != nil {
		return nil, err
	}
	w, err := workspace.Open(ctx, db)
	if err == nil {
		w.KeepAnchors(env.Anchors)
	}
	return w, err
}

// openWSRead opens a workspace for a command that only reads: read-only,
// no migration, nothing in the file changes.
func openWSRead(ctx context.Context, env Env, db, cmd string) (*workspace.Workspace, error) {
	if err := needDB(db, cmd); err != nil {
		return nil, err
	}
	w, err := workspace.OpenReadOnly(ctx, db)
	if err == nil {
		w.KeepAnchors(env.Anchors)
	}
	return w, err
}

// writeJSON prints v as indented JSON (the machine-readable output of a command).
func writeJSON(env Env, v any) error {
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func parsePeriod(s string) (audit.Month, error) {
	if s == "" {
		return 0, nil
	}
	return audit.ParseMonth(s)
}
