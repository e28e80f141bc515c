package audit

import (
	"time"

	"pensionaudit/audit/idcard"
)

// Level says how serious a row problem is.
type Level string

// Problem levels.
const (
	// LevelError: a value could not be used (the row is kept and marked).
	LevelError Level = "error"
	// LevelNotice: a value was used but deserves a look (a 15-digit ID upgraded,
	// a "?" in a name that may stand for a rare character).
	LevelNotice Level = "notice"
)

// Label is the Chinese word for the level.
func (l Level) Label() string {
	if l == LevelNotice {
		return "提示"
	}
	return "错误"
}

// Problem is one thing wrong with one cell (or row, or file).
type Problem struct {
	File   string `json:"file"`
	Sheet  string `json:"sheet"`
	Row    int    `json:"row"`    // 1-based, as the spreadsheet shows it; 0 for the file
	Column string `json:"column"` // column letter, e.g. "E"; "" for the whole row
	Header string `json:"header"` // the column's header text, e.g. 身份证号码
	Field  string `json:"field"`
	Raw    string `json:"raw"`
	Reason string `json:"reason"` // Chinese
	Level  Level  `json:"level"`
}

// Record is one data row of any kind of input; fields that the kind does not
// have stay empty.
type Record struct {
	Sheet     string
	Row       int
	Village   string
	Name      string
	ID        idcard.Result
	Sex       string
	Account   string
	Month     Month // pay month (payouts)
	Amount    Fen   // payouts
	HasAmount bool
	// AmountParts says what the amount is made of when the roster splits
	// it (基础养老金 + 个人账户养老金, a 合计, deductions), each column with its
	// value: evidence kept with the row. "" for an amount in one column.
	AmountParts string
	PayType     PayType
	PayRaw      string // the pay type as written
	Status      string
	Note        string
	DeathDate   time.Time // deaths, deregistrations
	DeregDate   time.Time // deregistrations
	Reason      string    // deregistrations: 死亡, 迁出 …
	// the other sources: an event's date (火化, 入监, 认证, 丧葬补助金发放) and
	// an end (刑满释放), a scheme (险种), a place or a way (殡仪馆, 死亡地点,
	// 认证方式); the roster's operator (经办人)
	Start, End time.Time
	Scheme     string
	Detail     string
	Operator   string
	Problems   []Problem
}

// HasError reports whether any problem of the row is an error.
func (r *Record) HasError() bool {
	for _, p := range r.Problems {
		if p.Level == LevelError {
			return true
		}
	}
	return false
}

// PayType is the normalised kind of a payout row.
type PayType string

// Pay types.
const (
	PayNormal   PayType = "正常发放"
	PayBack     PayType = "补发"
	PayResumed  PayType = "恢复发放"
	PayAdjusted PayType = "待遇调整"
	PayOther    PayType = "其他"
)

// ParsePayType reads a roster's pay type by meaning: the words inside it,
// not one exact spelling (一次性补发 is a back-payment, 恢复发放待遇 a
// resumption, 提标补差 an adjustment). A type it cannot read is PayOther,
// which the reader reports for a person to look at.
func ParsePayType(s string) PayType {
	w := NormalizeWord(s)
	switch w {
	case "", "正常发放", "正常", "按月发放", "月发放", "发放", "月度发放", "按月", "本月发放", "当月发放":
		return PayNormal
	}
	switch {
	case containsAny(w, []string{"调整", "调待", "提标", "补差", "增发", "标准提高"}):
		return PayAdjusted
	case containsAny(w, []string{"补发", "补领", "补付", "追发", "补记"}):
		return PayBack
	case containsAny(w, []string{"恢复", "续发", "重新发放", "复发", "解冻", "重启"}):
		return PayResumed
	case containsAny(w, []string{"正常", "按月", "月发放"}):
		return PayNormal
	}
	return PayOther
}

// Batch is one imported file.
type Batch struct {
	ID           int64     `json:"id"`
	FileName     string    `json:"file_name"`
	SHA256       string    `json:"sha256"`
	Kind         Kind      `json:"kind"`
	Format       string    `json:"format"`
	Village      string    `json:"village"`
	Period       Month     `json:"-"`
	Sheets       string    `json:"sheets"`
	ImportedBy   string    `json:"imported_by"`
	ImportedAt   time.Time `json:"imported_at"`
	DataRows     int       `json:"data_rows"`
	Imported     int       `json:"imported"`
	ProblemRows  int       `json:"problem_rows"`
	Skipped      int       `json:"skipped"`
	NilReport    bool      `json:"nil_report"`
	SupersededBy int64     `json:"superseded_by,omitempty"`
	Supersedes   int64     `json:"supersedes,omitempty"`
	Supplements  []int64   `json:"supplements,omitempty"` // earlier files of the same month kept beside this one
	// Understood is what the import said it understood of the file.
	Understood []string `json:"understood,omitempty"`
}

// BatchFilter selects batches.
type BatchFilter struct {
	ID            int64
	FileName      string
	Kind          Kind
	Period        Month
	IncludeOld    bool // superseded batches too
	Offset, Limit int
}

// ProblemFilter selects row problems.
type ProblemFilter struct {
	Period        Month // batches of this month (and undated ones)
	BatchID       int64
	Level         Level
	Offset, Limit int
}

// ProblemRow is a stored problem with its file.
type ProblemRow struct {
	Problem
	BatchID int64  `json:"batch_id"`
	Kind    Kind   `json:"kind"`
	Village string `json:"village"`
	Period  string `json:"period"`
}
