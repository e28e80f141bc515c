package audit

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Status is where a finding stands.
type Status string

// Finding statuses.
const (
	StatusOpen      Status = "open"
	StatusConfirmed Status = "confirmed"
	StatusDismissed Status = "dismissed"
	StatusVisit     Status = "visit"
	StatusWithdrawn Status = "withdrawn" // the data was corrected and the finding no longer arises
)

// Statuses lists them in the order screens show them.
var Statuses = []Status{StatusOpen, StatusConfirmed, StatusDismissed, StatusVisit, StatusWithdrawn}

// Label is the status in Chinese.
func (s Status) Label() string {
	switch s {
	case StatusOpen:
		return "待处理"
	case StatusConfirmed:
		return "已确认"
	case StatusDismissed:
		return "已排除"
	case StatusVisit:
		return "待实地核查"
	case StatusWithdrawn:
		return "已撤销（数据更正后不再成立）"
	}
	return string(s)
}

// Short is the status in three characters, for a list's narrow column
// (the full Label is shown with the finding itself).
func (s Status) Short() string {
	switch s {
	case StatusVisit:
		return "待核查"
	case StatusWithdrawn:
		return "已撤销"
	}
	return s.Label()
}

// Verdict is what a reviewer decides on a finding.
type Verdict string

// Verdicts.
const (
	DecisionConfirm Verdict = "confirm"
	DecisionDismiss Verdict = "dismiss"
	DecisionVisit   Verdict = "visit"
)

// Label is the verdict in Chinese.
func (v Verdict) Label() string {
	switch v {
	case DecisionConfirm:
		return "确认"
	case DecisionDismiss:
		return "排除"
	case DecisionVisit:
		return "待实地核查"
	}
	return string(v)
}

// Status is the finding's status after the verdict.
func (v Verdict) Status() Status {
	switch v {
	case DecisionConfirm:
		return StatusConfirmed
	case DecisionDismiss:
		return StatusDismissed
	case DecisionVisit:
		return StatusVisit
	}
	return StatusOpen
}

// Action is what follows a confirmed finding.
type Action string

// Actions.
const (
	ActionStop    Action = "stop"
	ActionRecover Action = "recover"
	ActionRefer   Action = "refer"
)

// Label is the action in Chinese.
func (a Action) Label() string {
	switch a {
	case ActionStop:
		return "止付"
	case ActionRecover:
		return "追回"
	case ActionRefer:
		return "移交"
	}
	return string(a)
}

// DismissReasons are the standard reasons to dismiss a finding.
var DismissReasons = []string{"同名不同人", "上报有误", "当月应发", "重复记录", "其他"}

// Decision is one decision on a finding (the latest one standing counts).
type Decision struct {
	ID           int64   `json:"id"`
	FindingID    int64   `json:"finding_id"`
	Decision     Verdict `json:"decision"`
	Action       Action  `json:"action,omitempty"`
	Reason       string  `json:"reason,omitempty"`
	Note         string  `json:"note,omitempty"`
	Amount       Fen     `json:"-"`
	User         string  `json:"user"`
	At           string  `json:"at"`
	EvidenceHash string  `json:"evidence_hash"`
}

// DecideInput is what a reviewer submits.
type DecideInput struct {
	FindingID int64
	Decision  Verdict
	Action    Action
	Reason    string
	Note      string
	Amount    *Fen // recover: defaults to the finding's amount
}

// FindingFacts is what deciding on a finding needs to know of it.
type FindingFacts struct {
	ID           int64
	Period       Month
	Rule         string
	Status       Status
	Amount       Fen
	DeathRelated bool // a death is its evidence: dismissing it needs a written note
	Overpays     bool // its amount was paid improperly: confirming it makes the amount due back
	EvidenceHash string
}

// Decide is the policy of a decision: what each verdict requires. It
// returns the decision to record (without ID, user and time).
func Decide(f FindingFacts, in DecideInput) (Decision, error) {
	if f.Status == StatusWithdrawn {
		return Decision{}, Errorf(ErrConflict, "第 %d 条核查结果已撤销（数据更正后不再成立），无需处理", f.ID)
	}
	d := Decision{FindingID: f.ID, Decision: in.Decision, Note: strings.TrimSpace(in.Note), EvidenceHash: f.EvidenceHash}
	switch in.Decision {
	case DecisionConfirm:
		// money on paper is money in the findings: a confirmed overpayment
		// is due back whatever else is chosen (止付 stops the payment too,
		// 移交 adds a referral on top); without a choice it is stopped
		action := in.Action
		if action == "" && f.Overpays {
			action = ActionStop
		}
		switch action {
		case ActionStop, ActionRefer, ActionRecover:
		default:
			return Decision{}, &Error{Kind: ErrInvalid, Field: "action", Msg: "确认时须选择处理方式：止付、追回或移交"}
		}
		if f.Overpays || action == ActionRecover {
			d.Amount = f.Amount
			if in.Amount != nil {
				d.Amount = *in.Amount
			}
			if d.Amount <= 0 {
				return Decision{}, &Error{Kind: ErrInvalid, Field: "amount", Msg: "追回金额必须大于零"}
			}
		}
		d.Action = action
	case DecisionDismiss:
		ok := false
		for _, r := range DismissReasons {
			ok = ok || r == in.Reason
		}
		if !ok {
			return Decision{}, &Error{Kind: ErrInvalid, Field: "reason", Msg: "排除时须选择理由：" + strings.Join(DismissReasons, "、")}
		}
		if (f.DeathRelated || in.Reason == "其他") && d.Note == "" {
			return Decision{}, &Error{Kind: ErrInvalid, Field: "note", Msg: "排除与死亡有关的核查结果（或理由为“其他”）时，须写明核实情况"}
		}
		d.Reason = in.Reason
	case DecisionVisit:
	default:
		return Decision{}, &Error{Kind: ErrInvalid, Field: "decision", Msg: "处理意见“" + Escape(string(in.Decision), 20) + "”不对：应为确认、排除或待实地核查"}
	}
	return d, nil
}

// Signoff is a signature on a period.
type Signoff struct {
	ID          int64   `json:"id"`
	Period      string  `json:"period"`
	Role        Role    `json:"role"`
	User        string  `json:"user"`
	At          string  `json:"at"`
	Fingerprint string  `json:"fingerprint"`
	Batches     []int64 `json:"batches"`
}

// Lock is a month's standing signatures.
type Lock struct {
	Period     Month
	Clerk      *Signoff
	Supervisor *Signoff
}

// Writable refuses changes to a countersigned month's data (imports, checks,
// notes): a clerk's signature alone does not close the month to new files.
func (l Lock) Writable() error {
	if l.Supervisor != nil {
		return Errorf(ErrLocked, "%s 已由审核人 %s 复核签字并锁定，不能再导入或修改；如确需修改，请审核人先退回并写明原因", l.Period.Label(), Escape(l.Supervisor.User, 40))
	}
	return nil
}

// Amendable refuses changes to a signed month's decisions.
func (l Lock) Amendable() error {
	if err := l.Writable(); err != nil {
		return err
	}
	if l.Clerk != nil {
		return Errorf(ErrLocked, "%s 经办人 %s 已签字，不能修改处理意见；请审核人先退回", l.Period.Label(), Escape(l.Clerk.User, 40))
	}
	return nil
}

// Readiness is the state of a month that decides whether it may be signed,
// read inside the signing transaction.
type Readiness struct {
	Period  Month
	Checked bool    // a check has been run
	Stale   []int64 // current input batches imported after the last check
	Open    int     // findings not decided
	Missing []string
}

// ReadyToSign refuses a signature while the check is missing or stale, a
// finding is undecided, or a village has neither a report nor a note.
func (r Readiness) ReadyToSign() error {
	switch {
	case !r.Checked:
		return Errorf(ErrConflict, "%s 还没有核查过，请先运行核查", r.Period.Label())
	case len(r.Stale) > 0:
		return Errorf(ErrStale, "核查之后又导入了文件（第 %s 批），请重新核查 %s 后再签字", joinIDs(r.Stale), r.Period.Label())
	case r.Open > 0:
		return Errorf(ErrConflict, "%s 还有 %d 条核查结果没有处理，全部处理后才能签字", r.Period.Label(), r.Open)
	case len(r.Missing) > 0:
		return Errorf(ErrConflict, "%s 没有收到 %s 的死亡人员名单（也没有零报告），也没有审核人说明原因；请催报，或由审核人记录原因",
			r.Period.Label(), strings.Join(r.Missing, "、"))
	}
	return nil
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, "、")
}

// Countersign is the policy of the second signature: a different person,
// on exactly what the clerk signed, with nothing imported since that the
// check has not seen. current are the month's input batches now.
func Countersign(u User, l Lock, r Readiness, current []int64, fingerprintNow string) error {
	if err := u.May(ActCountersign); err != nil {
		return Errorf(ErrPermission, "经办人 %s 已签字，等待复核签字；%v", Escape(l.Clerk.User, 40), err)
	}
	if u.Name == l.Clerk.User {
		return Errorf(ErrPermission, "复核签字的审核人不能与签字的经办人是同一人（%s）", Escape(u.Name, 40))
	}
	if len(r.Stale) > 0 {
		return Errorf(ErrStale, "经办人签字后又导入了文件（第 %s 批），%s 须重新核查；核查后请退回，由经办人处理并重新签字", joinIDs(r.Stale), l.Period.Label())
	}
	if !sameIDs(current, l.Clerk.Batches) {
		return Errorf(ErrConflict, "经办人签字后 %s 又导入了文件；请退回，由经办人处理新的核查结果后重新签字", l.Period.Label())
	}
	if fingerprintNow != l.Clerk.Fingerprint {
		return Errorf(ErrConflict, "经办人签字后，%s 的数据或处理意见有变动（指纹不符）；请退回后由经办人重新签字", l.Period.Label())
	}
	return nil
}

func sameIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// VillageReport is a village's report state for a period.
type VillageReport struct {
	Village string `json:"village"`
	State   string `json:"state"` // reported, nil, missing
	Rows    int    `json:"rows"`
	Note    string `json:"note,omitempty"`
	File    string `json:"file,omitempty"`
}

// PeriodStatus is the state of one month.
type PeriodStatus struct {
	Period     string          `json:"period"`
	Reports    []VillageReport `json:"reports"`
	Findings   map[Status]int  `json:"findings"` // by status
	Checked    string          `json:"checked_at,omitempty"`
	Clerk      *Signoff        `json:"clerk_signoff"`
	Supervisor *Signoff        `json:"supervisor_signoff"`
	Locked     bool            `json:"locked"`
	Due        string          `json:"due"` // countersignature due by
	Overdue    bool            `json:"overdue"`
}

// LedgerEntry is a confirmed overpayment to recover.
type LedgerEntry struct {
	FindingID   int64  `json:"finding"`
	Period      string `json:"period"`
	Rule        string `json:"rule"`
	Name        string `json:"name"`
	IDNumber    string `json:"id_number"`
	Village     string `json:"village"`
	Due         Fen    `json:"-"`
	Recovered   Fen    `json:"-"`
	Outstanding Fen    `json:"-"`
	ConfirmedAt string `json:"confirmed_at"`
	ConfirmedBy string `json:"confirmed_by"`
	AgeDays     int    `json:"age_days"`
}

// MarshalJSON writes money as numbers of yuan with two decimals.
func (e LedgerEntry) MarshalJSON() ([]byte, error) {
	type plain LedgerEntry
	return json.Marshal(struct {
		plain
		Due         json.Number `json:"due"`
		Recovered   json.Number `json:"recovered"`
		Outstanding json.Number `json:"outstanding"`
	}{plain(e), json.Number(e.Due.String()), json.Number(e.Recovered.String()), json.Number(e.Outstanding.String())})
}

// Recovery is money recovered on a ledger entry; CheckRecovery is its policy.
func CheckRecovery(e *LedgerEntry, findingID int64, amount Fen) error {
	if amount <= 0 {
		return &Error{Kind: ErrInvalid, Field: "amount", Msg: "追回金额必须大于零"}
	}
	if e == nil {
		return Errorf(ErrNotFound, "第 %d 条不是已确认追回的核查结果", findingID)
	}
	if amount > e.Outstanding {
		return &Error{Kind: ErrInvalid, Field: "amount", Msg: "追回金额 " + amount.String() + " 元超过尚欠的 " + e.Outstanding.String() + " 元"}
	}
	return nil
}

// Evidence is one piece of a finding's evidence: a row of a file, a report
// state, a deregistration.
type Evidence struct {
	Kind    string       `json:"kind"` // payout, village_report, deregistration, report_status
	File    string       `json:"file,omitempty"`
	Sheet   string       `json:"sheet,omitempty"`
	Row     int          `json:"row,omitempty"`
	Name    string       `json:"name,omitempty"`
	ID      string       `json:"id_number,omitempty"`
	Village string       `json:"village,omitempty"`
	Month   string       `json:"month,omitempty"`
	Date    string       `json:"date,omitempty"`
	Until   string       `json:"until,omitempty"` // a sentence's end (刑满释放)
	Amount  *json.Number `json:"amount,omitempty"`
	// Parts: what the amount is made of when the roster split it,
	// “合计 163.00（基础养老金 103.00 + 个人账户养老金 60.00）”.
	Parts   string `json:"amount_parts,omitempty"`
	Type    string `json:"type,omitempty"`
	Account string `json:"account,omitempty"`
	Note    string `json:"note,omitempty"`
}

// FindingRow is a stored finding.
type FindingRow struct {
	ID          int64      `json:"id"`
	Period      string     `json:"period"`
	Rule        string     `json:"rule"`
	IDNumber    string     `json:"id_number"`
	Name        string     `json:"name"`
	Village     string     `json:"village"`
	Account     string     `json:"account"`
	Amount      Fen        `json:"-"`
	Months      []string   `json:"months"`
	Status      Status     `json:"status"`
	Detail      string     `json:"detail"`
	Suggestions []string   `json:"suggestions"`
	Evidence    []Evidence `json:"evidence"`
	Hash        string     `json:"evidence_hash"`
	// EvidenceStatus weighs the evidence: "confirmed" (two independent
	// sources agree, or the roster itself shows it) or "to_verify" (one
	// source alone, sources that disagree, a sign of life after a death);
	// EvidenceNote says why, in Chinese.
	EvidenceStatus string `json:"evidence_status"`
	EvidenceNote   string `json:"evidence_note"`
	// Case is the person's case the finding belongs to: one rule, one
	// person (or one village, one roster), every month. The review decides
	// a case at once; each month keeps its own finding and amount.
	Case string `json:"case"`
}

// Evidence statuses.
const (
	EvidenceConfirmed = "confirmed"
	EvidenceToVerify  = "to_verify"
)

// EvidenceLabel is an evidence status in Chinese.
func EvidenceLabel(status string) string {
	if status == EvidenceConfirmed {
		return "已证实"
	}
	return "待核实"
}

// CaseOf is the case key of a finding: its rule and its person's ID number,
// or its subject when it names no person.
func CaseOf(rule, idNumber, subject string) string {
	if idNumber != "" {
		return rule + ":" + idNumber
	}
	return rule + ":" + subject
}

// MarshalJSON writes the amount as a number of yuan with two decimals.
func (x FindingRow) MarshalJSON() ([]byte, error) {
	type plain FindingRow
	return json.Marshal(struct {
		plain
		Amount json.Number `json:"amount"`
	}{plain(x), json.Number(x.Amount.String())})
}

// FindingFilter selects findings; empty fields match all. Withdrawn findings
// are listed only when asked for by status.
type FindingFilter struct {
	Period        Month
	Rule          string
	Status        Status
	Village       string
	Search        string // name, ID number or account contains
	Sort          string // "" by rule; "amount" largest first; "village"; "name"
	Offset, Limit int
}

// CheckResult says what a check changed.
type CheckResult struct {
	Period    Month
	Counts    map[string]int // current findings per rule
	New       int
	Changed   int // evidence changed: an earlier decision no longer applies
	Withdrawn int
	Kept      int
}

// PayoutLine is one payout of a payee, for the review screen's timeline.
type PayoutLine struct {
	Month   string
	Amount  Fen
	PayType string
	Account string
	Village string
	File    string
	Row     int
}

// RuleStatusCount is how many findings of one rule have one status in a
// period, and the amount they name.
type RuleStatusCount struct {
	Rule   string
	Status Status
	Count  int
	Amount Fen
}
