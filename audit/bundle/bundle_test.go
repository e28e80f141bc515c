package bundle_test

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"pensionaudit/audit"
	"pensionaudit/audit/bundle"
	"pensionaudit/audit/county/countygen"
	"pensionaudit/audit/signing"
)

// A bundle opens when it holds; every way of changing it after it was made
// — by hand, or re-sealed with the township's own key or another — is
// refused with its reason.
func TestBundleRefusesEveryChange(t *testing.T) {
	tw, err := countygen.NewTownship(0)
	if err != nil {
		t.Fatal(err)
	}
	data, err := tw.Month(audit.MakeMonth(2024, 3), 20, 0, 1, time.Date(2024, 4, 5, 9, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	o, err := bundle.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	if o.Body.RootKey != tw.Fingerprint() || len(o.Body.Payees) != 20 {
		t.Fatalf("opened: %+v", o.Body.RootKey)
	}
	other, _, _, _ := signing.New("someone-else")
	reseal := func(mut func(b *bundle.Body), k *signing.Key) []byte {
		o, _ := bundle.Open(data)
		mut(o.Body)
		out, err := bundle.Seal(o.Body, k)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	flip := func(d []byte) []byte {
		var env map[string]any
		json.Unmarshal(d, &env)
		body, _ := base64.StdEncoding.DecodeString(env["body"].(string))
		body[len(body)/3] ^= 0x20
		env["body"] = base64.StdEncoding.EncodeToString(body)
		out, _ := json.Marshal(env)
		return out
	}
	for _, c := range []struct {
		name, want string
		data       []byte
	}{
		{"a byte of the body changed", "校验和", flip(data)},
		{"not a bundle", "格式", []byte(`{"format":"x"}`)},
		{"re-sealed by a key not in the bundle", "签名不成立", reseal(func(b *bundle.Body) { b.Payees[0].Amount++ }, other)},
		{"the month's signature altered", "签字记录", reseal(func(b *bundle.Body) {
			b.Signoffs[0].Payload = strings.Replace(b.Signoffs[0].Payload, `"supervisor"`, `"clerk"`, 1)
		}, tw.Key)},
		{"the chain broken", "接不上", reseal(func(b *bundle.Body) { b.Chain[1].PrevHash = strings.Repeat("0", 64) }, tw.Key)},
		{"no countersignature", "没有审核人", reseal(func(b *bundle.Body) { b.Supervisor = nil }, tw.Key)},
		{"another root claimed", "认证", reseal(func(b *bundle.Body) { b.RootKey = other.Fingerprint() }, tw.Key)},
		{"the signatures' key swapped for another's", "签名", reseal(func(b *bundle.Body) {
			b.Keys[0].Pub = hex.EncodeToString(other.Public())
		}, tw.Key)},
	} {
		_, err := bundle.Open(c.data)
		if !bundle.IsRefusal(err) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v (want a refusal saying %q)", c.name, err, c.want)
		}
	}
	// re-sealed by the township's own key with the payees changed: the
	// bundle holds in itself (the county's checks are the root it enrolled
	// and the head it last received), and says so honestly
	if _, err := bundle.Open(reseal(func(b *bundle.Body) { b.Payees[0].Amount++ }, tw.Key)); err != nil {
		t.Errorf("a bundle re-sealed by its own key: %v", err)
	}
}
