// Package report prints the monthly sign-off sheet (PDF) and the Excel
// exports (stop-payment list, recovery ledger, findings, notices to villages).
// It does not import fyne: the GUI and the CLI both call it.
package report

import (
	"fmt"
	"time"

	"pensionaudit/audit"
	"pensionaudit/audit/idcard"
	"pensionaudit/audit/rules"
)

// Data is everything a period's sheets print.
type Data struct {
	Township    string
	Period      audit.Month
	Printed     time.Time
	Inputs      []audit.Batch
	Status      *audit.PeriodStatus
	Findings    []audit.FindingRow
	Decisions   map[int64]audit.Decision
	Ledger      []audit.LedgerEntry
	Fingerprint string // the signed one, or the current one for a draft
	TrailHead   string // the hash of the countersignature's trail entry (or the head, for a draft)
	TrailCode   string // its short code for verify --anchor
	RootKey     string // the workspace's root signing key's fingerprint ("" before one)
	// Settings are the rules' parameters the month was checked with
	Settings rules.Settings
}

// Sources says which sources the month was checked against (files of each
// kind) and which were never loaded: a source not loaded raised nothing.
func (d *Data) Sources() (loaded, missing []string) {
	n := map[audit.Kind]int{}
	for _, b := range d.Inputs {
		n[b.Kind]++
	}
	for _, k := range audit.Kinds {
		if n[k] > 0 {
			loaded = append(loaded, fmt.Sprintf("%s %d 个文件", k.Label(), n[k]))
		} else {
			missing = append(missing, k.Label())
		}
	}
	return loaded, missing
}

// SettingsText is the rules' parameters in words, for the sheet.
func (d *Data) SettingsText() string {
	s := d.Settings
	prison := "入监次月起暂停发放"
	if s.PrisonFromEntryMonth {
		prison = "入监当月起暂停发放"
	}
	return fmt.Sprintf("核查参数：多人共用账户 %d 人及以上；高龄待核实 %d 岁；超标准发放 增加超过 %d%%；资格认证间隔 %d 个月；服刑人员%s；"+
		"经办人集中办理：一人办理当月补发、恢复发放和待遇调整的 %d%% 以上且至少 %d 笔",
		s.SharedAccountMin, s.SurvivalAge, s.IncreasePct, s.CertificationMonths, prison, s.OperatorSharePct, s.OperatorMin)
}

// Options steer printing.
type Options struct {
	// Unmask prints full ID numbers (internal copies only); printed sheets
	// mask them by default. Exports for the payout system always carry them.
	Unmask bool
}

// Signed reports whether the period is countersigned.
func (d *Data) Signed() bool { return d.Status != nil && d.Status.Supervisor != nil }

func (o Options) id(s string) string {
	if o.Unmask {
		return s
	}
	return idcard.Mask(s)
}

// RuleSummary is one line of the findings-by-rule table.
type RuleSummary struct {
	Rule   string
	Count  int
	Amount audit.Fen
}

// ByRule counts findings and sums overpayments per rule, in rule order.
func (d *Data) ByRule() []RuleSummary {
	by := map[string]*RuleSummary{}
	for _, f := range d.Findings {
		s := by[f.Rule]
		if s == nil {
			s = &RuleSummary{Rule: f.Rule}
			by[f.Rule] = s
		}
		s.Count++
		if rules.Overpayment(f.Rule) {
			s.Amount += f.Amount
		}
	}
	var out []RuleSummary
	for _, r := range rules.All {
		if s := by[r]; s != nil {
			out = append(out, *s)
		}
	}
	return out
}

// Totals are the sheet's money lines.
type Totals struct {
	Found, ToRecover, Recovered audit.Fen
}

// Totals sums overpayments found (confirmed or not, death-related and
// duplicate), amounts to recover and recovered.
func (d *Data) Totals() Totals {
	var t Totals
	for _, f := range d.Findings {
		if rules.Overpayment(f.Rule) {
			t.Found += f.Amount
		}
	}
	for _, e := range d.Ledger {
		if e.Period == d.Period.String() {
			t.ToRecover += e.Due
			t.Recovered += e.Recovered
		}
	}
	return t
}

// decisionText is a finding's decision in a few words.
func (d *Data) decisionText(id int64) (decision, detail string) {
	dec, ok := d.Decisions[id]
	if !ok {
		return "未处理", ""
	}
	decision = audit.Verdict(dec.Decision).Label()
	switch dec.Decision {
	case audit.DecisionConfirm:
		detail = audit.Action(dec.Action).Label()
	case audit.DecisionDismiss:
		detail = dec.Reason
		if dec.Note != "" {
			detail += "：" + dec.Note
		}
	default:
		detail = dec.Note
	}
	return decision, detail
}
