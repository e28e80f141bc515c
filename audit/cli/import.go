package cli

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"pensionaudit/audit"
	"pensionaudit/audit/idcard"
	"pensionaudit/audit/workspace"
)

func runImport(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	db := fs.String("db", "", "workspace file")
	kindS := fs.String("kind", "", "payouts|deaths|deregistrations")
	village := fs.String("village", "", "village")
	periodS := fs.String("period", "", "YYYY-MM")
	mapS := fs.String("map", "", "field=header,...")
	user := fs.String("user", "", "who imports (password on standard input)")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *kindS == "" {
		return audit.Errorf(flag.ErrHelp, "请用 --kind 指定文件类型：payouts（发放花名册）、deaths（村死亡人员名单）、deregistrations（户籍注销名单）、cremation（殡葬火化记录）、death-certificates（死亡医学证明）、prison（在押服刑人员名单）、other-pensions（其他养老保险领取名单）、certifications（待遇资格认证记录）或 funeral-grants（丧葬补助金发放名单）")
	}
	kind, err := audit.ParseKind(*kindS)
	if err != nil {
		return err
	}
	period, err := parsePeriod(*periodS)
	if err != nil {
		return err
	}
	mapping, err := workspace.ParseMapping(*mapS)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return audit.Errorf(flag.ErrHelp, "没有给出要导入的文件\n用法：pensionaudit %s", usageOf("import"))
	}
	w, u, err := login(ctx, env, *db, "import", *user)
	if err != nil {
		return err
	}
	defer w.Close()
	failed := 0
	for _, f := range files {
		res, err := w.Import(ctx, u, f, workspace.ImportOptions{Kind: kind, Village: strings.TrimSpace(*village), Period: period, Map: mapping})
		if err != nil {
			failed++
			fmt.Fprintf(env.Stderr, "✘ %s：未导入。%v\n", filepath.Base(f), wordErr(err))
			continue
		}
		printImport(env, res)
	}
	if failed > 0 {
		fmt.Fprintf(env.Stderr, "共 %d 个文件，%d 个未导入。\n", len(files), failed)
		return errReported
	}
	return nil
}

func printImport(env Env, res *workspace.ImportResult) {
	b := res.Batch
	where := strings.TrimSpace(b.Village + " " + b.Period.Label())
	fmt.Fprintf(env.Stdout, "✔ %s：%s", b.FileName, b.Kind.Label())
	if where != "" {
		fmt.Fprintf(env.Stdout, "，%s", where)
	}
	fmt.Fprintf(env.Stdout, "，导入 %d 行，其中有问题 %d 行；跳过标题、表尾、空行等非数据行 %d 行（第 %d 批）\n",
		b.Imported, b.ProblemRows, b.Skipped, b.ID)
	if b.NilReport {
		if res.NilLine > 0 {
			fmt.Fprintf(env.Stdout, "  本月无死亡人员（零报告，第 %d 行）\n", res.NilLine)
		} else {
			fmt.Fprintln(env.Stdout, "  表内没有人员：按本月无死亡人员（零报告）记录")
		}
	}
	if b.Supersedes != 0 {
		fmt.Fprintf(env.Stdout, "  与同村同月之前导入的第 %d 批大部分人员相同，视为更正：取代旧文件（旧文件保留在历史中）\n", b.Supersedes)
	}
	for _, id := range b.Supplements {
		fmt.Fprintf(env.Stdout, "  同村同月已有第 %d 批，人员不同，视为补充名单，两份一并核查\n", id)
	}
	if res.Mapping != "" {
		fmt.Fprintf(env.Stdout, "  使用了该村上次的列映射：%s\n", res.Mapping)
	}
	for _, line := range res.Understood() {
		fmt.Fprintln(env.Stdout, "  "+line)
	}
	if len(res.Skipped) > 0 {
		fmt.Fprintf(env.Stdout, "  未使用的工作表（没有表头）：%s\n", strings.Join(res.Skipped, "、"))
	}
	for _, p := range res.Problems {
		fmt.Fprintln(env.Stdout, "  "+describeProblem(p))
	}
	if more := res.ProblemCount - len(res.Problems); more > 0 {
		fmt.Fprintf(env.Stdout, "  ……另有 %d 个问题未在此列出，请用 pensionaudit problems --db 工作区 查看全部\n", more)
	}
}

// describeProblem is one line naming sheet, row, column and reason. ID
// numbers are masked: the row and column say where to look.
func describeProblem(p audit.Problem) string {
	var at []string
	if p.Sheet != "" {
		at = append(at, "工作表「"+p.Sheet+"」")
	}
	if p.Row > 0 {
		at = append(at, "第 "+strconv.Itoa(p.Row)+" 行")
	}
	if p.Column != "" {
		col := p.Column + " 列"
		if p.Header != "" {
			col += "（" + p.Header + "）"
		}
		at = append(at, col)
	}
	raw := p.Raw
	if p.Field == string(workspace.FieldID) {
		raw = idcard.Mask(raw)
	}
	raw = audit.Escape(raw, workspace.PreviewChars)
	s := "[" + p.Level.Label() + "] " + strings.Join(at, " ")
	if raw != "" {
		s += " “" + raw + "”"
	}
	return s + "：" + p.Reason
}

func runProblems(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("problems", flag.ContinueOnError)
	db := fs.String("db", "", "workspace file")
	periodS := fs.String("period", "", "YYYY-MM")
	level := fs.String("level", "", "error|notice")
	asJSON := fs.Bool("json", false, "JSON output")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	period, err := parsePeriod(*periodS)
	if err != nil {
		return err
	}
	w, err := openWSRead(ctx, env, *db, "problems")
	if err != nil {
		return err
	}
	defer w.Close()
	rows, total, err := w.Problems(ctx, audit.ProblemFilter{Period: period, Level: audit.Level(*level)})
	if err != nil {
		return err
	}
	if *asJSON {
		if rows == nil {
			rows = []audit.ProblemRow{}
		}
		return writeJSON(env, rows)
	}
	if total == 0 {
		fmt.Fprintln(env.Stdout, "没有发现问题。")
		return nil
	}
	last := ""
	for _, p := range rows {
		if p.File != last {
			fmt.Fprintf(env.Stdout, "%s（%s %s %s）\n", p.File, p.Kind.Label(), p.Village, p.Period)
			last = p.File
		}
		fmt.Fprintln(env.Stdout, "  "+describeProblem(p.Problem))
	}
	fmt.Fprintf(env.Stdout, "共 %d 个问题。\n", total)
	return nil
}

func runFiles(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("files", flag.ContinueOnError)
	db := fs.String("db", "", "workspace file")
	asJSON := fs.Bool("json", false, "JSON output")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	w, err := openWSRead(ctx, env, *db, "files")
	if err != nil {
		return err
	}
	defer w.Close()
	bs, err := w.Batches(ctx, audit.BatchFilter{IncludeOld: true})
	if err != nil {
		return err
	}
	if *asJSON {
		if bs == nil {
			bs = []audit.Batch{}
		}
		return writeJSON(env, bs)
	}
	for _, b := range bs {
		state := ""
		if b.SupersededBy != 0 {
			state = fmt.Sprintf("（已被第 %d 批取代）", b.SupersededBy)
		}
		fmt.Fprintf(env.Stdout, "第 %d 批 %s：%s %s %s，%d 行%s\n", b.ID, b.FileName, b.Kind.Label(), b.Village, b.Period.Label(), b.Imported, state)
		for _, line := range b.Understood {
			fmt.Fprintln(env.Stdout, "  "+line)
		}
	}
	return nil
}
