package signing

import (
	"encoding/hex"
	"strings"
	"testing"
)

// The sealed key opens with its password only, and is the key its public
// half names; a signature verifies for its message and key only.
func TestSealSignVerify(t *testing.T) {
	k, pub, sealed, err := New("wang-secret-1")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, hex.EncodeToString(k.Priv.Seed())) {
		t.Fatal("the seed is stored in the clear")
	}
	if _, err := Open(sealed, "wang-secret-2", pub); err != ErrSealed {
		t.Errorf("a wrong password opened the key: %v", err)
	}
	k2, err := Open(sealed, "wang-secret-1", pub)
	if err != nil || k2.Fingerprint() != k.Fingerprint() {
		t.Fatalf("the right password: %v", err)
	}
	// the sealed key of one account put beside another's public half
	_, pubOther, _, _ := New("li-secret-12")
	if _, err := Open(sealed, "wang-secret-1", pubOther); err != ErrSealed {
		t.Errorf("a sealed key opened for another public key: %v", err)
	}
	// a bit flipped in the sealed box
	raw, _ := hex.DecodeString(sealed)
	raw[len(raw)-1] ^= 1
	if _, err := Open(hex.EncodeToString(raw), "wang-secret-1", pub); err != ErrSealed {
		t.Errorf("a damaged box opened: %v", err)
	}
	msg := ActMessage("signoff", "王主任", `{"period":"2024-03"}`, strings.Repeat("0", 64))
	sig := hex.EncodeToString(k.Sign(msg))
	if !Verify(pub, msg, sig) {
		t.Fatal("a good signature does not verify")
	}
	for _, bad := range [][]byte{
		ActMessage("signoff", "李会计", `{"period":"2024-03"}`, strings.Repeat("0", 64)),
		ActMessage("signoff", "王主任", `{"period":"2024-04"}`, strings.Repeat("0", 64)),
		ActMessage("signoff", "王主任", `{"period":"2024-03"}`, strings.Repeat("1", 64)),
	} {
		if Verify(pub, bad, sig) {
			t.Errorf("the signature verifies for %q", bad)
		}
	}
	if Verify(pubOther, msg, sig) || Verify("zz", msg, sig) || Verify(pub, msg, "00") {
		t.Error("a signature verifies under another key or garbage")
	}
}
