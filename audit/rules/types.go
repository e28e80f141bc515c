// Package rules holds the findings: every way the dead keep being paid. Each
// rule is a pure function over the data of one period (Input) returning
// Findings; the SQL that gathers the data lives in audit/sqlite.
package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"pensionaudit/audit"
)

// Rule codes (part of the CLI contract).
const (
	PaidAfterDeath       = "paid_after_death"
	ResumedAfterDeath    = "resumed_after_death"
	BackpayAfterDeath    = "backpay_after_death"
	IDNameMismatch       = "id_name_mismatch"
	PossibleMatch        = "possible_match"
	InvalidID            = "invalid_id"
	UnreportedDeath      = "unreported_death"
	DuplicatePayee       = "duplicate_payee"
	SharedAccount        = "shared_account"
	AboveStandard        = "above_standard"
	MissingVillageReport = "missing_village_report"
	SurvivalCheck        = "survival_check"
	UnknownDeregReason   = "unknown_dereg_reason"
)

// All lists the rules in the order they are reported.
var All = []string{PaidAfterDeath, ResumedAfterDeath, BackpayAfterDeath, PaidAfterFuneralGrant, PaidWhileImprisoned, PaidByTwoSchemes,
	IDNameMismatch, PossibleMatch, InvalidID, UnreportedDeath, UnknownDeregReason, FuneralGrantNoDeath, DuplicatePayee, SharedAccount,
	AboveStandard, PaidInAdvance, OperatorConcentration, MissingVillageReport, SurvivalCheck, CertificationOverdue}

// Label is a rule's Chinese name.
func Label(rule string) string {
	switch rule {
	case PaidAfterDeath:
		return "死亡后仍发放"
	case ResumedAfterDeath:
		return "死亡后恢复发放"
	case BackpayAfterDeath:
		return "死亡后补发"
	case IDNameMismatch:
		return "身份证号与姓名不符"
	case PossibleMatch:
		return "疑似同一人"
	case InvalidID:
		return "身份证号无效"
	case UnreportedDeath:
		return "村未上报的死亡"
	case DuplicatePayee:
		return "同月重复发放"
	case SharedAccount:
		return "多人共用账户"
	case AboveStandard:
		return "超标准发放"
	case MissingVillageReport:
		return "村未上报死亡名单"
	case SurvivalCheck:
		return "高龄待核实生存"
	case UnknownDeregReason:
		return "注销原因不明"
	case PaidWhileImprisoned:
		return "服刑期间仍发放"
	case PaidByTwoSchemes:
		return "重复领取两种养老金"
	case PaidAfterFuneralGrant:
		return "丧葬补助后仍发放"
	case FuneralGrantNoDeath:
		return "丧葬补助金存疑"
	case CertificationOverdue:
		return "资格认证逾期"
	case PaidInAdvance:
		return "提前发放"
	case OperatorConcentration:
		return "经办人集中办理"
	}
	return rule
}

// DeathRelated reports whether a rule says a payee may be dead.
func DeathRelated(rule string) bool {
	switch rule {
	case PaidAfterDeath, ResumedAfterDeath, BackpayAfterDeath, IDNameMismatch, PossibleMatch, UnreportedDeath, UnknownDeregReason,
		PaidAfterFuneralGrant, FuneralGrantNoDeath:
		return true
	}
	return false
}

// Overpayment reports whether a rule's amount is money paid improperly.
func Overpayment(rule string) bool {
	switch rule {
	case PaidAfterDeath, ResumedAfterDeath, BackpayAfterDeath, DuplicatePayee, AboveStandard, PaidWhileImprisoned, PaidByTwoSchemes,
		PaidAfterFuneralGrant, FuneralGrantNoDeath, PaidInAdvance:
		return true
	}
	return false
}

// Payout is one payout row.
type Payout struct {
	RowID     int64
	File      string
	Sheet     string
	Row       int
	Village   string
	Name      string
	IDRaw     string
	ID        string
	IDOK      bool
	IDReason  string
	Account   string
	Month     audit.Month
	Amount    audit.Fen
	HasAmount bool
	PayType   audit.PayType
	PayRaw    string
	Note      string
	// AmountParts: what the amount is made of, as the roster split it.
	AmountParts string
	// RosterMonth is the month of the roster the row came from; Operator
	// the roster's 经办人, where it names one.
	RosterMonth audit.Month
	Operator    string
}

// Death is one death record: a village report row or a deregistration.
type Death struct {
	RowID     int64
	File      string
	Sheet     string
	Row       int
	Source    string // village, deregistration
	Village   string
	Name      string
	IDRaw     string
	ID        string
	IDOK      bool
	IDReason  string
	Sex       string
	DeathDate time.Time // zero when unknown
	DeregDate time.Time
	Reason    string
	IsDeath   bool        // the reason is known to write a death (a village report always does)
	Unknown   bool        // a deregistration whose reason says neither death nor another known cause
	Period    audit.Month // the report's month (village reports)
	Note      string      // the row's 备注, shown with the evidence
}

// Month is the month of death as best known: the death date, else the
// deregistration date, else the month of the village report.
func (d *Death) Month() audit.Month {
	switch {
	case !d.DeathDate.IsZero():
		return audit.MonthOf(d.DeathDate)
	case !d.DeregDate.IsZero():
		return audit.MonthOf(d.DeregDate)
	}
	return d.Period
}

// certified reports whether the record is a police deregistration with a
// death date of its own (not just the date the registration was cancelled).
// A medical death certificate's date is the death's too.
func (d *Death) certified() bool {
	switch d.Source {
	case "death_certificate":
		return !d.DeathDate.IsZero()
	case "deregistration":
		return !d.DeathDate.IsZero() && !d.DeathDate.Equal(d.DeregDate)
	}
	return false
}

// SourceLabel is the Chinese name of the record's source.
func (d *Death) SourceLabel() string { return SourceLabel(d.Source) }

// SourceLabel names a source (death_records.source) in Chinese.
func SourceLabel(source string) string {
	switch source {
	case "village":
		return "村死亡名单"
	case "deregistration":
		return "户籍注销名单"
	case "cremation":
		return "殡葬火化记录"
	case "death_certificate":
		return "死亡医学证明"
	case "prison":
		return "在押服刑人员名单"
	case "other_pension":
		return "其他养老保险领取名单"
	case "certification":
		return "待遇资格认证记录"
	case "funeral_grant":
		return "丧葬补助金发放名单"
	}
	return source
}

// Payee is a person seen in any roster.
type Payee struct {
	ID      string
	Name    string
	Village string
}

// Settings are the township's thresholds.
type Settings struct {
	CapFen           audit.Fen // 0: no cap
	IncreasePct      int       // above_standard when up by more than this on the previous month
	SharedAccountMin int       // distinct payees on one account
	SurvivalAge      int
	// the other sources: a sentence suspends the pension from the month
	// after entry (or the entry month itself); the certification interval
	// in months; one operator's share and count of a month's back-payments,
	// resumptions and raises
	PrisonFromEntryMonth bool
	CertificationMonths  int
	OperatorSharePct     int
	OperatorMin          int
}

// Validate refuses thresholds outside what makes sense.
func (s Settings) Validate() error {
	switch {
	case s.SharedAccountMin < 2 || s.SharedAccountMin > 20:
		return audit.Errorf(audit.ErrInvalid, "共用账户的人数应在 2 到 20 之间")
	case s.SurvivalAge < 80 || s.SurvivalAge > 120:
		return audit.Errorf(audit.ErrInvalid, "高龄待核实的年龄应在 80 到 120 之间")
	case s.IncreasePct < 1 || s.IncreasePct > 1000:
		return audit.Errorf(audit.ErrInvalid, "超标准发放的增幅应在 1%% 到 1000%% 之间")
	case s.CapFen < 0:
		return audit.Errorf(audit.ErrInvalid, "发放上限不能是负数")
	case s.CertificationMonths < 1 || s.CertificationMonths > 60:
		return audit.Errorf(audit.ErrInvalid, "资格认证的间隔应在 1 到 60 个月之间")
	case s.OperatorSharePct < 10 || s.OperatorSharePct > 100:
		return audit.Errorf(audit.ErrInvalid, "经办人集中度的比例应在 10%% 到 100%% 之间")
	case s.OperatorMin < 2 || s.OperatorMin > 1000:
		return audit.Errorf(audit.ErrInvalid, "经办人集中度的笔数应在 2 到 1000 之间")
	}
	return nil
}

// DefaultSettings are used when the township has not configured its own.
func DefaultSettings() Settings {
	return Settings{IncreasePct: 50, SharedAccountMin: 3, SurvivalAge: 100, CertificationMonths: 12, OperatorSharePct: 50, OperatorMin: 5}
}

// Input is everything the rules see for one period.
type Input struct {
	Period   audit.Month
	Payouts  []Payout             // rows whose pay month is Period
	Previous map[string]audit.Fen // regular (non-补发) totals per ID in the month before, nil if no roster
	Deaths   []Death              // all current death records
	Payees   map[string]*Payee    // everyone paid in any month, by ID
	Villages []string             // the township's villages (rosters and configuration)
	Reported map[string]bool      // villages with a death report (or nil report) for Period
	// PaidByVillage counts the people paid in Period per village (all of
	// them, not only those loaded): how widespread a change is.
	PaidByVillage map[string]int
	RosterMonths  []audit.Month // months that have a payout roster, ascending
	Settings      Settings
	// Sources are the other sources' rows (prison, other schemes,
	// certifications, funeral grants) of the IDs that matter this month
	Sources []SourceRow
	// Advance are the rows of Period's rosters that pay a later month
	Advance []Payout
}

// Evidence is one source row behind a finding.
type Evidence = audit.Evidence

// Finding is one flag raised by a rule.
type Finding struct {
	Period      audit.Month
	Rule        string
	Subject     string // what the finding is about, unique per period and rule
	IDNumber    string
	Name        string
	Village     string
	Account     string
	Amount      audit.Fen
	Months      []audit.Month
	Detail      string // Chinese: why
	Suggestions []string
	Evidence    []Evidence
}

// Encoded is a finding's evidence and suggestions as stored (JSON) and the
// hash of what a reviewer decides on: amount, months, evidence and
// suggestions. When the hash changes, an earlier decision no longer applies.
type Encoded struct {
	Months, Evidence, Suggestions, Hash string
}

// Encode marshals the finding's lists once and hashes them.
func (f *Finding) Encode() Encoded {
	months := make([]string, len(f.Months))
	for k, m := range f.Months {
		months[k] = m.String()
	}
	sug := f.Suggestions
	if sug == nil {
		sug = []string{}
	}
	mb, _ := json.Marshal(months)
	eb, _ := json.Marshal(f.Evidence)
	sb, _ := json.Marshal(sug)
	h := sha256.New()
	fmt.Fprintf(h, "%d|%s|%s|%s", f.Amount, mb, eb, sb)
	return Encoded{Months: string(mb), Evidence: string(eb), Suggestions: string(sb), Hash: hex.EncodeToString(h.Sum(nil))}
}

// Hash is Encode().Hash.
func (f *Finding) Hash() string { return f.Encode().Hash }

func money(f audit.Fen) *json.Number {
	n := json.Number(f.String())
	return &n
}

func payoutEvidence(p *Payout) Evidence {
	e := Evidence{Kind: "payout", File: p.File, Sheet: p.Sheet, Row: p.Row, Name: p.Name, ID: p.ID, Village: p.Village,
		Month: p.Month.String(), Type: string(p.PayType), Account: p.Account, Note: p.Note, Parts: p.AmountParts}
	if p.HasAmount {
		e.Amount = money(p.Amount)
	}
	return e
}

func deathEvidence(d *Death) Evidence {
	kind := d.Source // cremation, death_certificate
	if d.Source == "village" {
		kind = "village_report"
	}
	e := Evidence{Kind: kind, File: d.File, Sheet: d.Sheet, Row: d.Row, Name: d.Name, ID: d.ID, Village: d.Village, Note: d.Reason}
	if d.Source == "village" {
		e.Month = d.Period.String()
		e.Note = ""
	}
	if d.Note != "" {
		e.Note = strings.TrimSpace(e.Note + " 备注：" + d.Note)
	}
	if !d.DeathDate.IsZero() {
		e.Date = d.DeathDate.Format("2006-01-02")
	} else if !d.DeregDate.IsZero() {
		e.Date = d.DeregDate.Format("2006-01-02")
	}
	return e
}

// SameName compares normalised names; a "?" (or the replacement character)
// in either stands for one unknown character, as written by a GBK export
// that could not hold a rare character.
func SameName(a, b string) bool {
	ra, rb := []rune(strings.TrimSpace(a)), []rune(strings.TrimSpace(b))
	if len(ra) != len(rb) || len(ra) == 0 {
		return false
	}
	for i := range ra {
		if ra[i] != rb[i] && !wild(ra[i]) && !wild(rb[i]) {
			return false
		}
	}
	return true
}

func wild(r rune) bool { return r == '?' || r == '？' || r == '\uFFFD' }
