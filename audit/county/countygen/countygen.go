// Package countygen generates a county's reports for benchmarks and the
// county demo: townships, each with its own root key, reporting signed
// months of payees (some paid in two townships, some dead in one and paid
// in another). The bundles are real: sealed, signed, with a chain whose
// links hold and a supervisor's signature on the month.
package countygen

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"pensionaudit/audit"
	"pensionaudit/audit/bundle"
	"pensionaudit/audit/idcard"
	"pensionaudit/audit/signing"
)

// Township is a generated township: its name, root key and chain so far.
type Township struct {
	Name  string
	Key   *signing.Key
	keys  []bundle.Key
	chain []bundle.Link
	seq   int64
	index int
}

// Fingerprint is the township's root fingerprint (for enrolment).
func (t *Township) Fingerprint() string { return t.Key.Fingerprint() }

// NewTownship makes township i of the county.
func NewTownship(i int) (*Township, error) {
	k, pub, _, err := signing.New("generated-" + fmt.Sprint(i))
	if err != nil {
		return nil, err
	}
	t := &Township{Name: fmt.Sprintf("第%02d镇", i+1), Key: k, index: i}
	t.keys = []bundle.Key{{User: "审核人", Pub: pub, CertifiedBy: k.Fingerprint(), Cert: hex.EncodeToString(k.Sign(signing.CertMessage("审核人", pub)))}}
	return t, nil
}

// ID is person p of township t (18 digits, valid check digit); Shared(p)
// is the same person in every township.
func ID(t, p int) string {
	s := fmt.Sprintf("5120%02d19%02d%02d%02d%03d", t%100, 30+p%30, 1+p%12, 1+p%28, p/1000%1000)
	// the serial digits keep people apart within a township
	s = s[:14] + fmt.Sprintf("%03d", p%1000)
	return s + string(idcard.CheckDigit(s))
}

// Month makes township t's bundle of month m with n payees: person 0..n-1
// of the township; shared payees (the first `shared`) are township 0's
// people, paid here too; deaths lists `dead` people of the next township,
// died the month before.
func (t *Township) Month(m audit.Month, n, shared, dead int, signedAt time.Time) ([]byte, error) {
	r := rand.New(rand.NewPCG(uint64(t.index), uint64(m)))
	b := &bundle.Body{Format: bundle.Format, Township: t.Name, Period: m.String(), RootKey: t.Key.Fingerprint(),
		MadeAt: signedAt.UTC().Format(time.RFC3339), MadeBy: "审核人", Keys: t.keys}
	b.Villages = []audit.VillageReport{{Village: t.Name + "一村", State: "nil"}}
	b.Payees = make([]bundle.Payee, 0, n)
	for p := 0; p < n; p++ {
		id := ID(t.index, p)
		if p < shared && t.index != 0 {
			id = ID(0, p)
		}
		b.Payees = append(b.Payees, bundle.Payee{ID: id, Name: "某" + fmt.Sprint(p%97), Village: t.Name + "一村", Amount: audit.Fen(12000 + r.IntN(15000))})
	}
	for d := 0; d < dead; d++ {
		b.Deaths = append(b.Deaths, bundle.Death{ID: ID(t.index+1, 100+d), Name: "某", Source: "village", Date: (m - 1).String() + "-03"})
	}
	// the month's own findings: two dead payees still paid, confirmed and
	// to recover, a third of it recovered
	for k := 0; k < 2 && k < n; k++ {
		amt := b.Payees[n-1-k].Amount
		b.Findings = append(b.Findings, bundle.Finding{ID: int64(k + 1), Rule: "paid_after_death", IDNumber: b.Payees[n-1-k].ID, Name: b.Payees[n-1-k].Name,
			Village: b.Payees[n-1-k].Village, Amount: amt, Status: "confirmed", Evidence: audit.EvidenceConfirmed, Decision: "confirm", Action: "recover",
			Recovered: amt / 3})
		b.Found += amt
		b.ToRecover += amt
		b.Recovered += amt / 3
	}
	at := signedAt.UTC().Format(time.RFC3339)
	b.Supervisor = &audit.Signoff{ID: t.seq + 1, Period: m.String(), Role: audit.RoleSupervisor, User: "审核人", At: at}
	// a few entries of work, then the countersignature, signed
	for i := 0; i < 3; i++ {
		t.append(bundle.Entry{At: at, User: "审核人", Action: "check", Payload: `{"period":"` + m.String() + `"}`})
	}
	payload := map[string]any{"signoff": b.Supervisor.ID, "period": m.String(), "role": "supervisor"}
	body, _ := json.Marshal(payload)
	e := bundle.Entry{At: at, User: "审核人", Action: "signoff"}
	e.Seq, e.PrevHash = t.seq+1, t.head()
	payload["signer"] = t.Key.Fingerprint()
	payload["sig"] = hex.EncodeToString(t.Key.Sign(signing.ActMessage(e.Action, e.User, string(body), e.PrevHash)))
	full, _ := json.Marshal(payload)
	e.Payload = string(full)
	e = t.append(e)
	b.Signoffs = []bundle.Entry{e}
	b.Chain = append([]bundle.Link(nil), t.chain...)
	return bundle.Seal(b, t.Key)
}

func (t *Township) head() string {
	if len(t.chain) == 0 {
		return ""
	}
	return t.chain[len(t.chain)-1].Hash
}

func (t *Township) append(e bundle.Entry) bundle.Entry {
	t.seq++
	e.Seq, e.PrevHash = t.seq, t.head()
	e.Hash = e.ComputeHash()
	t.chain = append(t.chain, bundle.Link{Seq: e.Seq, PrevHash: e.PrevHash, Hash: e.Hash})
	return e
}
