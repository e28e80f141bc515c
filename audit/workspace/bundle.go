package workspace

import (
	"context"
	"encoding/json"

	"pensionaudit/audit"
	"pensionaudit/audit/bundle"
	"pensionaudit/audit/sqlite"
)

// Bundle makes the month's report to the county (上报县级): a countersigned
// month only, signed with the session's key. See audit/bundle.
func (w *Workspace) Bundle(ctx context.Context, s audit.Session, p audit.Month) ([]byte, error) {
	u, err := w.standing(ctx, s)
	if err != nil {
		return nil, Friendly(err)
	}
	if u.Role == audit.RoleAuditor || u.Disabled {
		return nil, audit.Errorf(audit.ErrPermission, "%s 不能上报（只有经办人和审核人可以）", audit.Escape(u.Name, 40))
	}
	row, ok, err := w.db.KeyOf(ctx, s.Name)
	if err != nil {
		return nil, Friendly(err)
	}
	if !ok {
		row = sqlite.KeyRow{} // an account from before keys: not opened by any session
	}
	if err := keyOpen(s, row, "上报文件"); err != nil {
		return nil, err
	}
	st, err := w.db.Status(ctx, p)
	if err != nil {
		return nil, Friendly(err)
	}
	if st.Supervisor == nil {
		return nil, audit.Errorf(audit.ErrConflict, "%s 还没有审核人复核签字：复核签字后才能上报县级", p.Label())
	}
	root := w.RootKey(ctx)
	if root == "" {
		return nil, audit.Errorf(audit.ErrConflict, "这个工作区还没有根密钥（由旧版本建立）：请第一位审核人登录一次后再上报")
	}
	b := &bundle.Body{Format: bundle.Format, Township: w.Township(ctx), Period: p.String(), RootKey: root,
		MadeAt: w.db.Now().UTC().Format("2006-01-02T15:04:05Z"), MadeBy: s.Name, Villages: st.Reports, Clerk: st.Clerk, Supervisor: st.Supervisor}
	findings, _, err := w.db.Findings(ctx, audit.FindingFilter{Period: p})
	if err != nil {
		return nil, Friendly(err)
	}
	decisions, err := w.db.LatestDecisions(ctx, p)
	if err != nil {
		return nil, Friendly(err)
	}
	ledger, err := w.db.Ledger(ctx)
	if err != nil {
		return nil, Friendly(err)
	}
	recovered := map[int64]audit.Fen{}
	for _, e := range ledger {
		if e.Period == p.String() {
			recovered[e.FindingID] = e.Recovered
			b.ToRecover += e.Due
			b.Recovered += e.Recovered
		}
	}
	for _, f := range findings {
		x := bundle.Finding{ID: f.ID, Rule: f.Rule, IDNumber: f.IDNumber, Name: f.Name, Village: f.Village, Amount: f.Amount,
			Status: string(f.Status), Evidence: f.EvidenceStatus, Recovered: recovered[f.ID]}
		if d, ok := decisions[f.ID]; ok {
			x.Decision, x.Action = string(d.Decision), string(d.Action)
		}
		if f.Status != audit.StatusDismissed && f.Status != audit.StatusWithdrawn {
			b.Found += f.Amount
		}
		b.Findings = append(b.Findings, x)
	}
	if b.Payees, err = w.db.MonthPayees(ctx, p); err != nil {
		return nil, Friendly(err)
	}
	if b.Deaths, err = w.db.KnownDeaths(ctx); err != nil {
		return nil, Friendly(err)
	}
	if b.Keys, err = w.db.AllKeys(ctx); err != nil {
		return nil, Friendly(err)
	}
	trail, err := w.db.Trail(ctx)
	if err != nil {
		return nil, Friendly(err)
	}
	ids := map[int64]bool{st.Supervisor.ID: true}
	if st.Clerk != nil {
		ids[st.Clerk.ID] = true
	}
	for _, e := range trail {
		b.Chain = append(b.Chain, bundle.Link{Seq: e.Seq, PrevHash: e.PrevHash, Hash: e.Hash})
		if e.Action != "signoff" {
			continue
		}
		var pl struct {
			Signoff int64 `json:"signoff"`
		}
		if json.Unmarshal([]byte(e.Payload), &pl) == nil && ids[pl.Signoff] {
			b.Signoffs = append(b.Signoffs, e)
		}
	}
	out, err := bundle.Seal(b, s.Key)
	if err != nil {
		return nil, err
	}
	w.RecordHead(ctx)
	return out, nil
}
