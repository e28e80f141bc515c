package pages

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"pensionaudit/audit"
	"pensionaudit/audit/workspace"
	"pensionaudit/ui/widgets"
)

// TrailPage lists the trail and verifies it.
type TrailPage struct {
	c      Host
	Verify *widget.Button
	// Incident: a supervisor's account of a change made outside the
	// program, after which the workspace can be written again
	Incident    *widget.Button
	Reason      *widget.Entry
	incidentRow *fyne.Container
	Table       *widgets.TextTable
	Result      *widget.Label
	Anchor      *widget.Entry
	Content     fyne.CanvasObject
}

func NewTrailPage(c Host) *TrailPage {
	p := &TrailPage{c: c, Result: widget.NewLabel(""), Anchor: widget.NewEntry(),
		Table: widgets.NewTextTable([]string{tr("序号"), tr("时间"), tr("操作人"), tr("操作"), tr("内容")}, []float32{60, 150, 110, 110, 700})}
	p.Result.Wrapping = fyne.TextWrapWord
	p.Anchor.SetPlaceHolder("签字表上的记录链校验码（可不填）")
	verify := widget.NewButton(tr("校验"), func() {
		code := strings.TrimSpace(p.Anchor.Text)
		var r *workspace.VerifyReport
		c.Background(func(ctx context.Context) error {
			var codes []string
			if code != "" {
				codes = []string{code}
			}
			var err error
			r, err = c.WS().VerifyWith(ctx, codes)
			return err
		}, func(err error) {
			if err != nil {
				c.ShowError(err)
				return
			}
			problems := r.Problems
			if len(problems) == 0 {
				p.Result.Importance = widget.SuccessImportance
				text := fmt.Sprintf("记录完好：%d 条记录，%d 处数据与记录一致，%d 个签字的数据指纹一致。当前校验码 %s", r.Entries, r.Scopes, r.Signoffs, r.HeadCode)
				if r.RootKey != "" {
					text += "\n根密钥指纹：" + r.RootKey + "（与签字表上印的核对）"
				}
				if v := workspace.Vouching(r, "请在上面输入签字表上印的校验码再校验"); v != "" {
					text += "\n" + v
				}
				for _, n := range r.Notes {
					text += "\n注意：" + n
				}
				p.Result.SetText(text)
			} else {
				p.Result.Importance = widget.DangerImportance
				p.Result.SetText("发现篡改或损坏：\n✘ " + strings.Join(problems, "\n✘ "))
			}
		})
	})
	verify.Importance = widget.HighImportance
	p.Verify = verify
	p.Reason = widget.NewMultiLineEntry()
	p.Reason.SetPlaceHolder("谁、为什么在程序以外改动了工作区，核实的结果")
	p.Reason.SetMinRowsVisible(2)
	p.Incident = widget.NewButton(tr("记录事件说明"), p.recordIncident)
	p.incidentRow = container.NewBorder(nil, nil, widget.NewLabel("事件说明（审核人）"), p.Incident, p.Reason)
	p.Content = container.NewBorder(container.NewVBox(container.NewBorder(nil, nil, nil, verify, p.Anchor), p.incidentRow, p.Result), nil, nil, nil, p.Table)
	return p
}

// IncidentShown tells whether the incident control is on the page.
func (p *TrailPage) IncidentShown() bool { return p.incidentRow.Visible() }

// recordIncident records, with the supervisor's password, why the
// workspace was changed outside the program (what made writes refused).
func (p *TrailPage) recordIncident() {
	c := p.c
	reason := strings.TrimSpace(p.Reason.Text)
	c.AskPassword("记录事件说明须由审核人确认", func(sup audit.Session) {
		var changed []string
		c.Background(func(ctx context.Context) (err error) {
			changed, err = c.WS().RecordIncident(ctx, sup, reason)
			return err
		}, func(err error) {
			if err != nil {
				c.ShowError(err)
				return
			}
			p.Reason.SetText("")
			p.Result.Importance = widget.WarningImportance
			p.Result.SetText("已记录事件说明，以下改动连同原因记入记录链，工作区可以继续写入：\n· " + strings.Join(changed, "\n· "))
			p.Refresh()
		})
	})
}

func (p *TrailPage) View() fyne.CanvasObject { return p.Content }

func (p *TrailPage) Refresh() {
	if p.c.IsSupervisor() {
		p.incidentRow.Show()
	} else {
		p.incidentRow.Hide() // a supervisor's control: a clerk never sees it
	}
	load(p.c, p.c.WS().Trail, func(entries []workspace.TrailEntry) {
		rows := make([][]string, 0, len(entries))
		for i := len(entries) - 1; i >= 0; i-- {
			e := entries[i]
			rows = append(rows, []string{strconv.FormatInt(e.Seq, 10), audit.LocalTime(e.At), e.User, ActionLabel(e.Action), PayloadSummary(e.Payload)})
		}
		p.Table.SetRows(rows)
	})
}

var actionLabels = map[string]string{"import": "导入", "check": "核查", "decide": "处理", "signoff": tr("签字"), "reopen": "退回", "user_add": tr("添加用户"),
	"user_role": "修改角色", "user_password": "重设密码", "user_disable": "停用账户", "user_enable": "启用账户", "missing_note": "缺报说明",
	"recover": "追回登记", "setting": tr("设置"), "villages": "村名单", "village_rename": "村改名", "mapping": "列映射", "state_baseline": "数据库升级", "migrate": "数据库升级",
	"undo": "撤销处理", "word_meaning": "说明注销原因", "village_confirm": "确认村名", "rule_settings": "核查参数", "restore": "恢复备份",
	"incident": "事件说明", "key": "签名密钥", "key_certify": "认证签名密钥",
	"recovery_code": "生成恢复码", "root_recovery": "用恢复码重设密码"}

// ActionLabel is a trail entry's action in Chinese.
func ActionLabel(a string) string {
	if l, ok := actionLabels[a]; ok {
		return l
	}
	return a
}

// PayloadSummary shows a trail entry's content in words: known fields in
// Chinese, digests and hashes left out (verify checks them).
func PayloadSummary(p string) string {
	var m map[string]any
	if err := json.Unmarshal([]byte(p), &m); err != nil {
		return p
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		label, ok := payloadLabels[k]
		if !ok {
			continue
		}
		v := m[k]
		if f, ok := v.(float64); ok && k == "amount_fen" {
			v = audit.Fen(int64(f)).Grouped() // money in yuan, as everywhere else
		}
		switch x := v.(type) {
		case bool:
			v = map[bool]string{true: "是", false: "否"}[x]
		case string:
			if x == "" {
				continue
			}
			switch k {
			case "kind":
				x = audit.Kind(x).Label()
			case "role":
				x = audit.Role(x).Label()
			case "decision":
				x = audit.Verdict(x).Label()
			case "action":
				x = audit.Action(x).Label()
			}
			v = audit.Escape(x, 60)
		case map[string]any:
			var sub []string
			for sk, sv := range x {
				sub = append(sub, fmt.Sprintf("%s %v", workspace.RuleLabel(sk), sv))
			}
			sort.Strings(sub)
			v = strings.Join(sub, "，")
		}
		parts = append(parts, fmt.Sprintf("%s：%v", label, v))
	}
	return strings.Join(parts, "；")
}

var payloadLabels = map[string]string{
	"batch": "批次", "file": tr("文件"), "kind": tr("类型"), "village": tr("村"), "period": tr("月份"), "rows": "行数", "problem_rows": tr("有问题行"),
	"nil_report": tr("零报告"), "supersedes": "取代批次", "decision_id": "处理编号", "finding": tr("核查结果"), "decision": "处理", "action": "处理方式",
	"reason": "理由", "amount_fen": "金额(元)", "signoff": "签字编号", "role": tr("角色"), "name": tr("姓名"), "counts": "各规则结果", "new": "新增",
	"changed": "变化", "withdrawn": "撤销", "recovery": "追回编号", "date": "日期", "from": "原名", "to": "新名", "merged": "合并",
	"key": "设置项", "value": "值", "word": "词语", "meaning": "含义", "status": "状态", "villages": tr("村"), "source": "来源", "mapping": "列映射", "scopes": "数据范围", "migration": "升级步骤",
	"fingerprint": "密钥指纹", "certified_by": "认证它的密钥", "not_recorded": "未记入（程序以外的改动）",
	"backup": "所用备份", "backup_head_seq": "备份的最后记录", "abandoned_head_seq": "放弃的记录（至第几条）", "saved_as": "恢复前的工作区另存为",
}
