package workspace

import (
	"context"
	"strconv"
	"strings"

	"pensionaudit/audit"
	"pensionaudit/audit/report"
	"pensionaudit/audit/sqlite"
)

// ReportData gathers what a period's sheets print.
func (w *Workspace) ReportData(ctx context.Context, p audit.Month) (*report.Data, error) {
	d := &report.Data{Township: w.Township(ctx), Period: p, Printed: w.DB.Now()}
	var err error
	if d.Inputs, err = w.DB.InputBatches(ctx, p); err != nil {
		return nil, err
	}
	if d.Status, err = w.DB.Status(ctx, p); err != nil {
		return nil, err
	}
	if d.Findings, _, err = w.DB.Findings(ctx, sqlite.FindingFilter{Period: p}); err != nil {
		return nil, err
	}
	if d.Decisions, err = w.DB.LatestDecisions(ctx, p); err != nil {
		return nil, err
	}
	if d.Ledger, err = w.DB.Ledger(ctx); err != nil {
		return nil, err
	}
	switch {
	case d.Status.Supervisor != nil:
		d.Fingerprint = d.Status.Supervisor.Fingerprint
	case d.Status.Clerk != nil:
		d.Fingerprint = d.Status.Clerk.Fingerprint
	default:
		var ids []int64
		for _, b := range d.Inputs {
			ids = append(ids, b.ID)
		}
		if d.Fingerprint, err = w.DB.Fingerprint(ctx, p, ids); err != nil {
			return nil, err
		}
	}
	trail, err := w.DB.Trail(ctx)
	if err != nil {
		return nil, err
	}
	if len(trail) > 0 {
		last := trail[len(trail)-1]
		d.TrailHead, d.TrailCode = last.Hash, sqlite.TrailCode(last.Seq, last.Hash)
	}
	// a countersigned sheet carries the code of the countersignature's own
	// entry: the paper then proves the file up to that signature
	if s := d.Status.Supervisor; s != nil {
		for _, e := range trail {
			if e.Action == "signoff" && strings.Contains(e.Payload, `"signoff":`+strconv.FormatInt(s.ID, 10)+`,`) {
				d.TrailHead, d.TrailCode = e.Hash, sqlite.TrailCode(e.Seq, e.Hash)
			}
		}
	}
	return d, nil
}
