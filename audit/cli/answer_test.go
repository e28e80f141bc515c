package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"pensionaudit/audit/rules"
)

type answerKey struct {
	Months []string `json:"months"`
	Cases  []struct {
		Kind           string   `json:"kind"`
		ID             string   `json:"id"`
		Name           string   `json:"name"`
		Village        string   `json:"village"`
		AcceptRules    []string `json:"accept_rules"`
		MonthsOverpaid []string `json:"months_overpaid"`
		Overpaid       float64  `json:"overpaid"`
		ExactAmount    bool     `json:"exact_amount"`
		ShownID        string   `json:"shown_id"`
		Period         string   `json:"period"`
		Month          string   `json:"month"`
		Account        string   `json:"account"`
	} `json:"cases"`
	MustNotFlag []struct {
		ID    string   `json:"id"`
		Rules []string `json:"rules"`
	} `json:"must_not_flag"`
	LivingIDs []string `json:"living_ids"`
}

type flagJSON struct {
	ID          int64       `json:"id"`
	Period      string      `json:"period"`
	Rule        string      `json:"rule"`
	IDNumber    string      `json:"id_number"`
	Name        string      `json:"name"`
	Village     string      `json:"village"`
	Account     string      `json:"account"`
	Amount      json.Number `json:"amount"`
	Months      []string    `json:"months"`
	Status      string      `json:"status"`
	Suggestions []string    `json:"suggestions"`
	Evidence    []any       `json:"evidence"`
	Case        string      `json:"case"`
}

// fen converts a JSON amount ("1039.50" or 1039.5) to fen without floats.
func fen(t *testing.T, n json.Number) int64 {
	s := n.String()
	whole, frac, _ := strings.Cut(s, ".")
	frac = (frac + "00")[:2]
	var v int64
	for _, c := range whole + frac {
		if c == '-' {
			continue
		}
		v = v*10 + int64(c-'0')
	}
	if strings.HasPrefix(s, "-") {
		v = -v
	}
	return v
}

// TestSamplesAgainstAnswerKey is the project's best single proof: import
// every sample file through the CLI, check every month, and compare flags
// --json with answer.json.
func TestSamplesAgainstAnswerKey(t *testing.T) {
	needSamples(t)
	raw, err := os.ReadFile(filepath.Join(samples, "answer.json"))
	if err != nil {
		t.Fatal(err)
	}
	var key answerKey
	if err := json.Unmarshal(raw, &key); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "w.db")
	importSamples(t, db)
	for _, m := range key.Months {
		if code, out, e := runIn(t, admPW, "check", "--user", admin, "--db", db, "--period", m); code != 0 {
			t.Fatalf("check %s: %s %s", m, out, e)
		}
	}
	code, out, e := run(t, "flags", "--db", db, "--json")
	if code != 0 {
		t.Fatal(e)
	}
	var flags []flagJSON
	if err := json.Unmarshal([]byte(out), &flags); err != nil {
		t.Fatal(err)
	}
	if len(flags) == 0 {
		t.Fatal("no findings")
	}
	for _, f := range flags {
		if f.ID == 0 || f.Period == "" || f.Status != "open" || f.Evidence == nil || len(f.Months) == 0 {
			t.Errorf("incomplete finding %+v", f)
		}
	}
	for _, c := range key.Cases {
		accept := map[string]bool{}
		for _, r := range c.AcceptRules {
			accept[r] = true
		}
		var hits []flagJSON
		for _, f := range flags {
			if !accept[f.Rule] {
				continue
			}
			switch c.Kind {
			case "missing_village_report":
				if f.Village == c.Village && f.Period == c.Period {
					hits = append(hits, f)
				}
			case "invalid_id":
				if f.IDNumber == c.ShownID || f.IDNumber == c.ID {
					hits = append(hits, f)
				}
			default:
				if f.IDNumber == c.ID && (c.Month == "" || f.Period == c.Month) && (c.Account == "" || f.Account == c.Account) {
					hits = append(hits, f)
				}
			}
		}
		if len(hits) == 0 {
			t.Errorf("case not found: %s %s %s %s", c.Kind, c.Name, c.Village, c.ID)
			continue
		}
		if c.Kind == "invalid_id" {
			found := false
			for _, h := range hits {
				for _, s := range h.Suggestions {
					found = found || s == c.ID
				}
			}
			if !found {
				t.Errorf("invalid_id %s: true ID not suggested: %+v", c.Name, hits)
			}
		}
		if c.Kind == "paid_after_death" {
			var total int64
			var months []string
			for _, h := range hits {
				if h.Rule == rules.PaidAfterDeath {
					total += fen(t, h.Amount)
					months = append(months, h.Months...)
				}
			}
			sort.Strings(months)
			want := fen(t, json.Number(jsonNum(c.Overpaid)))
			if c.ExactAmount && total != want {
				t.Errorf("%s %s: overpaid %d fen, want %d", c.Name, c.ID, total, want)
			}
			if c.ExactAmount && strings.Join(months, ",") != strings.Join(c.MonthsOverpaid, ",") {
				t.Errorf("%s: months %v, want %v", c.Name, months, c.MonthsOverpaid)
			}
		}
	}
	for _, m := range key.MustNotFlag {
		for _, f := range flags {
			for _, r := range m.Rules {
				if f.IDNumber == m.ID && f.Rule == r {
					t.Errorf("must not flag %s with %s: %+v", m.ID, r, f)
				}
			}
		}
	}
	living := map[string]bool{}
	for _, id := range key.LivingIDs {
		living[id] = true
	}
	for _, f := range flags {
		if rules.DeathRelated(f.Rule) && living[f.IDNumber] {
			t.Errorf("death-related finding on a living payee: %+v", f)
		}
	}
	counts := map[string]int{}
	for _, f := range flags {
		counts[f.Rule]++
	}
	t.Logf("findings per rule: %v", counts)
}

// jsonNum renders a float from the answer key as its shortest decimal text.
func jsonNum(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}
