package cli

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"sort"
	"strings"

	"pensionaudit/audit"
	"pensionaudit/audit/idcard"
	"pensionaudit/audit/workspace"
)

// readPassword takes the first line of standard input.
func readPassword(env Env) (string, error) {
	if env.Stdin == nil {
		return "", audit.Errorf(audit.ErrInvalid, "请从标准输入提供密码")
	}
	br, ok := env.Stdin.(*bufio.Reader)
	if !ok {
		br = bufio.NewReader(env.Stdin)
	}
	line, err := br.ReadString('\n')
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		if err != nil {
			return "", audit.Errorf(audit.ErrInvalid, "请从标准输入提供密码（例如 echo 密码 | pensionaudit ...）")
		}
	}
	return line, nil
}

// login opens the workspace and authenticates --user with the password on stdin.
func login(ctx context.Context, env Env, db, cmd, user string) (*workspace.Workspace, audit.Session, error) {
	if user == "" {
		return nil, audit.Session{}, audit.Errorf(flag.ErrHelp, "请用 --user 指定用户\n用法：pensionaudit %s", usageOf(cmd))
	}
	w, err := openWS(ctx, env, db, cmd)
	if err != nil {
		return nil, audit.Session{}, err
	}
	pw, err := readPassword(env)
	if err != nil {
		w.Close()
		return nil, audit.Session{}, err
	}
	u, err := w.Login(ctx, user, pw)
	if err != nil {
		w.Close()
		return nil, audit.Session{}, err
	}
	return w, u, nil
}

// readNewPassword reads a new password twice (one line each).
func readNewPassword(env Env) (string, error) {
	a, err := readPassword(env)
	if err != nil {
		return "", err
	}
	b, err := readPassword(env)
	if err != nil {
		return "", audit.Errorf(audit.ErrInvalid, "请把新密码输入两遍（每行一遍）")
	}
	if a != b {
		return "", audit.Errorf(audit.ErrInvalid, "两次输入的新密码不一致")
	}
	return a, nil
}

// authBy authenticates the supervisor named by --by with the next password
// line of standard input.
func authBy(ctx context.Context, env Env, w *workspace.Workspace, by string) (*audit.Session, error) {
	if by == "" {
		return nil, audit.Errorf(audit.ErrPermission, "这个操作须由审核人授权：请用 --by 写明审核人，并在新密码之后输入审核人的密码")
	}
	pw, err := readPassword(env)
	if err != nil {
		return nil, err
	}
	u, err := w.Login(ctx, by, pw)
	if err != nil {
		return nil, err
	}
	return &u, nil
}

func runUser(ctx context.Context, env Env, args []string) error {
	subs := map[string]bool{"add": true, "list": true, "role": true, "passwd": true, "disable": true, "enable": true}
	if len(args) == 0 || !subs[args[0]] {
		return audit.Errorf(flag.ErrHelp, "用法：pensionaudit %s", usageOf("user"))
	}
	sub := args[0]
	fs := flag.NewFlagSet("user", flag.ContinueOnError)
	db := fs.String("db", "", "workspace file")
	name := fs.String("name", "", "user name")
	role := fs.String("role", "", "clerk|supervisor|auditor")
	by := fs.String("by", "", "the supervisor who authorises")
	if _, err := parse(fs, args[1:]); err != nil {
		return err
	}
	openFn := openWS
	if sub == "list" {
		openFn = openWSRead
	}
	w, err := openFn(ctx, env, *db, "user")
	if err != nil {
		return err
	}
	defer w.Close()
	switch sub {
	case "list":
		users, err := w.Users(ctx)
		if err != nil {
			return err
		}
		for _, u := range users {
			state := ""
			if u.Disabled {
				state = "\t已停用"
			}
			fmt.Fprintf(env.Stdout, "%s\t%s%s\n", u.Name, u.Role.Label(), state)
		}
		return nil
	case "add":
		pw, err := readNewPassword(env)
		if err != nil {
			return err
		}
		has, err := w.HasUsers(ctx)
		if err != nil {
			return err
		}
		var sup *audit.Session
		if has {
			if sup, err = authBy(ctx, env, w, *by); err != nil {
				return err
			}
		}
		u, err := w.AddUser(ctx, sup, *name, audit.Role(*role), pw)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "已添加用户 %s（%s）\n", u.Name, u.Role.Label())
		if string(u.Role) != *role {
			fmt.Fprintf(env.Stdout, "注意：工作区的第一个账户必须是审核人，%s 已设为审核人（supervisor）。\n", u.Name)
		}
		if code := w.RecoveryCode(); code != "" {
			printRecoveryCode(env, u.Name, code)
		}
		return nil
	case "passwd":
		pw, err := readNewPassword(env)
		if err != nil {
			return err
		}
		if *by == "" { // one's own password: the current one is asked
			current, err := readPassword(env)
			if err != nil {
				return err
			}
			if err := w.ChangePassword(ctx, *name, current, pw); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "%s 的密码已修改（签名密钥不变，已写入记录）。\n", *name)
			return nil
		}
		sup, err := authBy(ctx, env, w, *by)
		if err != nil {
			return err
		}
		if err := w.ResetPassword(ctx, *sup, *name, pw); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "已为 %s 设置新密码（由 %s 授权，已写入记录）。\n", *name, sup.Name)
		return nil
	}
	sup, err := authBy(ctx, env, w, *by)
	if err != nil {
		return err
	}
	switch sub {
	case "role":
		err = w.SetRole(ctx, *sup, *name, audit.Role(*role))
	case "disable":
		err = w.SetDisabled(ctx, *sup, *name, true)
	case "enable":
		err = w.SetDisabled(ctx, *sup, *name, false)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "已完成（由 %s 授权，已写入记录）。\n", sup.Name)
	return nil
}

func runDecide(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("decide", flag.ContinueOnError)
	db := fs.String("db", "", "workspace file")
	id := fs.Int64("flag", 0, "finding number")
	user := fs.String("user", "", "user")
	decision := fs.String("decision", "", "confirm|dismiss|visit")
	action := fs.String("action", "", "stop|recover|refer")
	reason := fs.String("reason", "", "reason")
	note := fs.String("note", "", "note")
	amountS := fs.String("amount", "", "amount to recover (yuan)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *id == 0 {
		return audit.Errorf(flag.ErrHelp, "请用 --flag 指定核查结果编号\n用法：pensionaudit %s", usageOf("decide"))
	}
	in := audit.DecideInput{FindingID: *id, Decision: audit.Verdict(*decision), Action: audit.Action(*action), Reason: *reason, Note: *note}
	if *amountS != "" {
		a, err := workspace.ParseAmount(*amountS)
		if err != nil {
			return audit.Errorf(audit.ErrInvalid, "--amount %s", err)
		}
		in.Amount = &a
	}
	w, u, err := login(ctx, env, *db, "decide", *user)
	if err != nil {
		return err
	}
	defer w.Close()
	d, err := w.Decide(ctx, u, in)
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("核查结果 #%d：%s", d.FindingID, d.Decision.Label())
	if d.Action != "" {
		msg += "，" + d.Action.Label()
	}
	if d.Amount > 0 {
		msg += "，应追回 " + d.Amount.Grouped() + " 元"
	}
	if d.Reason != "" {
		msg += "（" + d.Reason + "）"
	}
	fmt.Fprintln(env.Stdout, msg+"，处理人 "+d.User)
	return nil
}

func periodFlag(fs *flag.FlagSet) *string { return fs.String("period", "", "YYYY-MM") }

func needPeriod(s, cmd string) (audit.Month, error) {
	if s == "" {
		return 0, audit.Errorf(flag.ErrHelp, "请用 --period YYYY-MM 指定月份\n用法：pensionaudit %s", usageOf(cmd))
	}
	return audit.ParseMonth(s)
}

func runSignoff(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("signoff", flag.ContinueOnError)
	db := fs.String("db", "", "workspace file")
	periodS := periodFlag(fs)
	user := fs.String("user", "", "user")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	p, err := needPeriod(*periodS, "signoff")
	if err != nil {
		return err
	}
	w, u, err := login(ctx, env, *db, "signoff", *user)
	if err != nil {
		return err
	}
	defer w.Close()
	s, err := w.SignOff(ctx, u, p)
	if err != nil {
		return err
	}
	if s.Role == audit.RoleClerk {
		fmt.Fprintf(env.Stdout, "%s 经办人 %s 已签字，等待审核人复核签字。\n", p.Label(), s.User)
	} else {
		fmt.Fprintf(env.Stdout, "%s 审核人 %s 已复核签字，本月已锁定。\n", p.Label(), s.User)
	}
	fmt.Fprintf(env.Stdout, "数据指纹：%s\n", s.Fingerprint)
	switch path, err := w.LastBackup(); {
	case err != nil:
		fmt.Fprintf(env.Stderr, "注意：自动备份没有完成：%v。请运行 pensionaudit backup --db %s\n", err, *db)
	case path != "":
		fmt.Fprintf(env.Stdout, "已自动备份：%s\n", path)
	}
	return nil
}

func runBackup(ctx context.Context, env Env, args []string) error {
	sub := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	db := fs.String("db", "", "workspace file")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	w, err := openWS(ctx, env, *db, "backup")
	if err != nil {
		return err
	}
	defer w.Close()
	switch sub {
	case "":
		path, err := w.Backup(ctx, workspace.BackupManual, "")
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "已备份：%s\n", path)
	case "list":
		list, err := w.Backups()
		if err != nil {
			return err
		}
		if len(list) == 0 {
			fmt.Fprintf(env.Stdout, "还没有备份（备份保存在 %s）\n", workspace.BackupDir(w.Path()))
		}
		for _, b := range list {
			fmt.Fprintf(env.Stdout, "%s\t%s\t%s\t%d 字节\t%s\n", b.Time.Format("2006-01-02 15:04:05"), b.Kind, b.Note, b.Size, b.Path)
		}
	default:
		return audit.Errorf(flag.ErrHelp, "backup 后面应为 list 或不写\n用法：pensionaudit %s", usageOf("backup"))
	}
	return nil
}

func runRestore(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	db := fs.String("db", "", "workspace file")
	user := fs.String("user", "", "user")
	from := fs.String("from", "", "backup file")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if strings.TrimSpace(*from) == "" {
		return audit.Errorf(flag.ErrHelp, "请用 --from 指定要恢复的备份文件（pensionaudit backup list 列出备份）\n用法：pensionaudit %s", usageOf("restore"))
	}
	w, u, err := login(ctx, env, *db, "restore", *user)
	if err != nil {
		return err
	}
	defer w.Close()
	saved, err := w.Restore(ctx, u, *from)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "已用备份 %s 恢复工作区（恢复前先校验了备份）。恢复前的工作区另存为 %s；恢复已记入操作记录。\n", *from, saved)
	return nil
}

func runReopen(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("reopen", flag.ContinueOnError)
	db := fs.String("db", "", "workspace file")
	periodS := periodFlag(fs)
	user := fs.String("user", "", "user")
	reason := fs.String("reason", "", "reason")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	p, err := needPeriod(*periodS, "reopen")
	if err != nil {
		return err
	}
	w, u, err := login(ctx, env, *db, "reopen", *user)
	if err != nil {
		return err
	}
	defer w.Close()
	if err := w.Reopen(ctx, u, p, *reason); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s 已由审核人 %s 退回，签字作废，可以重新处理。原因：%s\n", p.Label(), u.Name, *reason)
	return nil
}

func runVillageNote(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("village-note", flag.ContinueOnError)
	db := fs.String("db", "", "workspace file")
	periodS := periodFlag(fs)
	user := fs.String("user", "", "user")
	village := fs.String("village", "", "village")
	note := fs.String("note", "", "why the report is missing")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	p, err := needPeriod(*periodS, "village-note")
	if err != nil {
		return err
	}
	w, u, err := login(ctx, env, *db, "village-note", *user)
	if err != nil {
		return err
	}
	defer w.Close()
	if err := w.NoteMissing(ctx, u, p, *village, *note); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "已记录 %s %s 未上报的原因。\n", *village, p.Label())
	return nil
}

var stateLabel = map[string]string{"reported": "已上报", "nil": "零报告", "missing": "未上报"}

func runStatus(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	db := fs.String("db", "", "workspace file")
	periodS := periodFlag(fs)
	asJSON := fs.Bool("json", false, "JSON output")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	p, err := parsePeriod(*periodS)
	if err != nil {
		return err
	}
	w, err := openWSRead(ctx, env, *db, "status")
	if err != nil {
		return err
	}
	defer w.Close()
	sts, err := w.Status(ctx, p)
	if err != nil {
		return err
	}
	if *asJSON {
		if sts == nil {
			sts = []*audit.PeriodStatus{}
		}
		return writeJSON(env, sts)
	}
	for _, st := range sts {
		m, _ := audit.ParseMonth(st.Period)
		fmt.Fprintf(env.Stdout, "%s（%s %s）\n", m.Label(), w.Township(ctx), st.Period)
		var parts []string
		for _, r := range st.Reports {
			s := r.Village + " " + stateLabel[r.State]
			if r.State == "missing" && r.Note != "" {
				s += "（已说明：" + r.Note + "）"
			}
			parts = append(parts, s)
		}
		fmt.Fprintf(env.Stdout, "  村报告：%s\n", strings.Join(parts, "；"))
		var fparts []string
		for _, s := range audit.Statuses {
			if n := st.Findings[s]; n > 0 {
				fparts = append(fparts, fmt.Sprintf("%s %d", s.Label(), n))
			}
		}
		if st.Checked == "" {
			fmt.Fprintln(env.Stdout, "  核查：尚未核查")
		} else {
			fmt.Fprintf(env.Stdout, "  核查结果：%s\n", strings.Join(fparts, "，"))
		}
		sign := "  签字："
		if st.Clerk != nil {
			sign += "经办人 " + st.Clerk.User + " " + audit.LocalTime(st.Clerk.At)
		} else {
			sign += "经办人未签字"
		}
		if st.Supervisor != nil {
			sign += "；审核人 " + st.Supervisor.User + " " + audit.LocalTime(st.Supervisor.At) + "（已锁定）"
		} else {
			sign += "；审核人未签字"
		}
		fmt.Fprintln(env.Stdout, sign)
		if st.Overdue {
			fmt.Fprintf(env.Stdout, "  ⚠ 逾期：应于 %s 前完成复核签字，未按要求每月上报\n", st.Due)
		} else if !st.Locked {
			fmt.Fprintf(env.Stdout, "  复核签字期限：%s\n", st.Due)
		}
	}
	return nil
}

func runLedger(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("ledger", flag.ContinueOnError)
	db := fs.String("db", "", "workspace file")
	asJSON := fs.Bool("json", false, "JSON output")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	w, err := openWSRead(ctx, env, *db, "ledger")
	if err != nil {
		return err
	}
	defer w.Close()
	es, err := w.Ledger(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		if es == nil {
			es = []audit.LedgerEntry{}
		}
		return writeJSON(env, es)
	}
	if len(es) == 0 {
		fmt.Fprintln(env.Stdout, "追回台账为空。")
		return nil
	}
	var due, rec audit.Fen
	for _, e := range es {
		fmt.Fprintf(env.Stdout, "#%d %s %s %s %s 应追回 %s 已追回 %s 尚欠 %s 元（%d 天）\n", e.FindingID, e.Period, e.Name, idcard.Mask(e.IDNumber),
			e.Village, e.Due.Grouped(), e.Recovered.Grouped(), e.Outstanding.Grouped(), e.AgeDays)
		due += e.Due
		rec += e.Recovered
	}
	fmt.Fprintf(env.Stdout, "合计：应追回 %s 元，已追回 %s 元，尚欠 %s 元\n", due.Grouped(), rec.Grouped(), (due - rec).Grouped())
	return nil
}

func runRecover(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("recover", flag.ContinueOnError)
	db := fs.String("db", "", "workspace file")
	id := fs.Int64("flag", 0, "finding number")
	user := fs.String("user", "", "user")
	amountS := fs.String("amount", "", "yuan")
	dateS := fs.String("date", "", "YYYY-MM-DD")
	note := fs.String("note", "", "note")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	amount, err := workspace.ParseAmount(*amountS)
	if err != nil {
		return audit.Errorf(audit.ErrInvalid, "--amount 金额%s", err)
	}
	on, err := workspace.ParseDate(*dateS)
	if err != nil {
		return audit.Errorf(audit.ErrInvalid, "--date 日期%s", err)
	}
	w, u, err := login(ctx, env, *db, "recover", *user)
	if err != nil {
		return err
	}
	defer w.Close()
	if err := w.Recover(ctx, u, *id, on, amount, *note); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "已登记核查结果 #%d 追回 %s 元（%s）\n", *id, amount.Grouped(), on.Format("2006-01-02"))
	return nil
}

func runVerify(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	db := fs.String("db", "", "workspace file")
	asJSON := fs.Bool("json", false, "JSON output")
	var anchors multiFlag
	fs.Var(&anchors, "anchor", "trail code printed on a signed sheet (repeatable)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	for _, a := range anchors {
		if err := workspace.ParseTrailCode(a); err != nil {
			return err
		}
	}
	w, err := openWSRead(ctx, env, *db, "verify")
	if err != nil {
		return err
	}
	defer w.Close()
	r, err := w.VerifyWith(ctx, anchors)
	if err != nil {
		return err
	}
	if *asJSON {
		if r.Problems == nil {
			r.Problems = []string{}
		}
		if err := writeJSON(env, r); err != nil {
			return err
		}
	} else if r.OK() {
		fmt.Fprintf(env.Stdout, "记录完好：%d 条记录的哈希链完整，%d 处数据与记录的摘要一致，%d 个签字的数据指纹一致。\n", r.Entries, r.Scopes, r.Signoffs)
		for _, a := range anchors {
			fmt.Fprintf(env.Stdout, "记录链经过纸面校验码 %s 所指的记录。\n", strings.ToUpper(a))
		}
		fmt.Fprintf(env.Stdout, "当前记录链校验码：%s\n", r.HeadCode)
		if r.RootKey != "" {
			fmt.Fprintf(env.Stdout, "根密钥指纹：%s（与签字表上印的核对）\n", r.RootKey)
		}
		if v := workspace.Vouching(r, "请用 --anchor 核对签字表上印的校验码"); v != "" {
			fmt.Fprintln(env.Stdout, v)
		}
		for _, n := range r.Notes {
			fmt.Fprintln(env.Stdout, "注意："+n)
		}
	} else {
		fmt.Fprintln(env.Stdout, "发现篡改或损坏：")
		for _, p := range r.Problems {
			fmt.Fprintln(env.Stdout, "  ✘ "+p)
		}
	}
	if !r.OK() {
		return errReported
	}
	return nil
}

func runVillage(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || (args[0] != "rename" && args[0] != "list" && args[0] != "confirm") {
		return audit.Errorf(flag.ErrHelp, "用法：pensionaudit %s", usageOf("village"))
	}
	fs := flag.NewFlagSet("village", flag.ContinueOnError)
	db := fs.String("db", "", "workspace file")
	from := fs.String("from", "", "old name")
	to := fs.String("to", "", "new name")
	name := fs.String("name", "", "village to confirm")
	user := fs.String("user", "", "supervisor")
	if _, err := parse(fs, args[1:]); err != nil {
		return err
	}
	if args[0] == "list" {
		w, err := openWSRead(ctx, env, *db, "village")
		if err != nil {
			return err
		}
		defer w.Close()
		vs, confirmed, err := w.VillageList(ctx)
		if err != nil {
			return err
		}
		for _, v := range vs {
			if confirmed[v] {
				fmt.Fprintln(env.Stdout, v)
			} else {
				fmt.Fprintln(env.Stdout, v+"\t（花名册带来，待审核人确认）")
			}
		}
		return nil
	}
	if args[0] == "confirm" {
		if *name == "" {
			return audit.Errorf(flag.ErrHelp, "请用 --name 写明要确认的村(社区)\n用法：pensionaudit %s", usageOf("village"))
		}
		w, u, err := login(ctx, env, *db, "village", *user)
		if err != nil {
			return err
		}
		defer w.Close()
		if err := w.ConfirmVillage(ctx, u, *name); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "已确认「%s」是本乡镇的村(社区)（已写入记录）。\n", *name)
		return nil
	}
	if *from == "" || *to == "" {
		return audit.Errorf(flag.ErrHelp, "请用 --from 和 --to 写明原名称和新名称\n用法：pensionaudit %s", usageOf("village"))
	}
	w, u, err := login(ctx, env, *db, "village", *user)
	if err != nil {
		return err
	}
	defer w.Close()
	merged, err := w.RenameVillage(ctx, u, *from, *to)
	if err != nil {
		return err
	}
	if merged {
		fmt.Fprintf(env.Stdout, "已把「%s」合并到「%s」（已写入记录）。\n", *from, *to)
	} else {
		fmt.Fprintf(env.Stdout, "已把「%s」改名为「%s」（已写入记录）。\n", *from, *to)
	}
	return nil
}

// multiFlag collects a repeatable flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func runWord(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || (args[0] != "set" && args[0] != "list") {
		return audit.Errorf(flag.ErrHelp, "用法：pensionaudit %s", usageOf("word"))
	}
	fs := flag.NewFlagSet("word", flag.ContinueOnError)
	db := fs.String("db", "", "workspace file")
	word := fs.String("word", "", "a word of a deregistration reason")
	means := fs.String("means", "", "死亡|非死亡|不明")
	user := fs.String("user", "", "supervisor")
	if _, err := parse(fs, args[1:]); err != nil {
		return err
	}
	if args[0] == "list" {
		w, err := openWSRead(ctx, env, *db, "word")
		if err != nil {
			return err
		}
		defer w.Close()
		ws, err := w.WordMeanings(ctx)
		if err != nil {
			return err
		}
		keys := make([]string, 0, len(ws))
		for k := range ws {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(env.Stdout, "%s\t%s\n", k, ws[k].Label())
		}
		return nil
	}
	m, err := audit.ParseMeaning(*means)
	if err != nil {
		return err
	}
	w, u, err := login(ctx, env, *db, "word", *user)
	if err != nil {
		return err
	}
	defer w.Close()
	if err := w.SetWordMeaning(ctx, u, *word, m); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "注销原因“%s”记为：%s（已写入记录；下次核查时生效）\n", *word, m.Label())
	return nil
}

func runIncident(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("incident", flag.ContinueOnError)
	db := fs.String("db", "", "workspace file")
	user := fs.String("user", "", "user")
	reason := fs.String("reason", "", "reason")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	w, u, err := login(ctx, env, *db, "incident", *user)
	if err != nil {
		return err
	}
	defer w.Close()
	changed, err := w.RecordIncident(ctx, u, *reason)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "已记录事件说明（%s）：\n", u.Name)
	for _, c := range changed {
		fmt.Fprintf(env.Stdout, "  %s\n", c)
	}
	fmt.Fprintln(env.Stdout, "这些改动连同原因已记入记录链，工作区可以继续写入。")
	return nil
}

// printRecoveryCode shows a recovery code, the one time it is shown.
func printRecoveryCode(env Env, root, code string) {
	fmt.Fprintf(env.Stdout, "\n恢复码（只显示这一次，请抄写或打印后锁进柜子，不要存在这台电脑上）：\n\n    %s\n\n", code)
	fmt.Fprintf(env.Stdout, "%s 忘记密码时，用它重设：pensionaudit recover-root --db 工作区文件（先输恢复码，再输新密码两遍）。\n", root)
	fmt.Fprintln(env.Stdout, "Recovery code (shown once; keep it on paper, locked away):")
	fmt.Fprintln(env.Stdout, code)
}

func runRecoveryCode(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("recovery-code", flag.ContinueOnError)
	db := fs.String("db", "", "workspace file")
	user := fs.String("user", "", "supervisor")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	w, u, err := login(ctx, env, *db, "recovery-code", *user)
	if err != nil {
		return err
	}
	defer w.Close()
	code, err := w.NewRecoveryCode(ctx, u)
	if err != nil {
		return err
	}
	root, _ := w.RootAccount(ctx)
	printRecoveryCode(env, root, code)
	fmt.Fprintln(env.Stdout, "原来的恢复码已作废。")
	return nil
}

func runRecoverRoot(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("recover-root", flag.ContinueOnError)
	db := fs.String("db", "", "workspace file")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	w, err := openWS(ctx, env, *db, "recover-root")
	if err != nil {
		return err
	}
	defer w.Close()
	code, err := readPassword(env)
	if err != nil {
		return audit.Errorf(audit.ErrInvalid, "请从标准输入提供恢复码")
	}
	pw, err := readNewPassword(env)
	if err != nil {
		return err
	}
	name, next, err := w.RecoverRoot(ctx, code, pw)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "已用恢复码为 %s 设置新密码（已写入记录，由恢复码签名）。用过的恢复码已作废，新的恢复码如下。\n", name)
	printRecoveryCode(env, name, next)
	return nil
}
