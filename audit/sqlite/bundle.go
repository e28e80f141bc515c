package sqlite

import (
	"context"
	"database/sql"

	"pensionaudit/audit"
	"pensionaudit/audit/bundle"
)

// MonthPayees lists the people paid for a month with their totals (every
// current roster of the month).
func (db *DB) MonthPayees(ctx context.Context, p audit.Month) ([]bundle.Payee, error) {
	var out []bundle.Payee
	err := db.eachRow(ctx, `SELECT p.id_number, MIN(p.name), MIN(p.village), COALESCE(SUM(p.amount_fen), 0)
		FROM payouts p JOIN batches b ON b.id = p.batch_id AND b.superseded_by IS NULL
		WHERE p.month = ? AND p.id_ok = 1 GROUP BY p.id_number ORDER BY p.id_number`, []any{p.String()}, func(r *sql.Rows) error {
		var x bundle.Payee
		if err := r.Scan(&x.ID, &x.Name, &x.Village, &x.Amount); err != nil {
			return err
		}
		out = append(out, x)
		return nil
	})
	return out, err
}

// KnownDeaths lists the deaths the township's sources record (a police
// deregistration only when its reason, with the supervisor's words, says
// death), with the date each gives.
func (db *DB) KnownDeaths(ctx context.Context) ([]bundle.Death, error) {
	words, err := wordMeanings(ctx, db.db)
	if err != nil {
		return nil, err
	}
	var out []bundle.Death
	err = db.eachRow(ctx, `SELECT d.id_number, d.name, d.source, d.reason, d.death_date, d.dereg_date, d.event_date, b.period
		FROM death_records d JOIN batches b ON b.id = d.batch_id AND b.superseded_by IS NULL
		WHERE d.id_ok = 1 AND d.source IN ('village', 'deregistration', 'cremation', 'death_certificate') ORDER BY d.id`, nil, func(r *sql.Rows) error {
		var x bundle.Death
		var reason, death, dereg, event, period string
		if err := r.Scan(&x.ID, &x.Name, &x.Source, &reason, &death, &dereg, &event, &period); err != nil {
			return err
		}
		if x.Source == "deregistration" && audit.DeathMeaning(reason, words) != audit.MeaningYes {
			return nil
		}
		for _, d := range []string{death, dereg, event, period} {
			if d != "" {
				x.Date = d
				break
			}
		}
		out = append(out, x)
		return nil
	})
	return out, err
}

// AllKeys lists every signing key with its certificate.
func (db *DB) AllKeys(ctx context.Context) ([]bundle.Key, error) {
	var out []bundle.Key
	err := db.eachRow(ctx, `SELECT user_name, pub, certified_by, cert FROM keys ORDER BY id`, nil, func(r *sql.Rows) error {
		var k bundle.Key
		if err := r.Scan(&k.User, &k.Pub, &k.CertifiedBy, &k.Cert); err != nil {
			return err
		}
		out = append(out, k)
		return nil
	})
	return out, err
}
