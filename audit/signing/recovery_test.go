package signing

import (
	"errors"
	"strings"
	"testing"
)

// A code opens the same key however it is typed, and no other code does.
func TestRecoveryCode(t *testing.T) {
	code, salt, err := NewRecoveryCode()
	if err != nil {
		t.Fatal(err)
	}
	if len(code) != 29 || strings.Count(code, "-") != 5 || strings.ContainsAny(code, "01ILO#") {
		t.Fatalf("code %q", code)
	}
	k1, err := RecoveryKey(code, salt)
	if err != nil {
		t.Fatal(err)
	}
	typed := strings.ToLower(strings.ReplaceAll(code, "-", " "))
	k2, err := RecoveryKey(typed, salt)
	if err != nil || k2.Fingerprint() != k1.Fingerprint() {
		t.Fatalf("typed %q: %v", typed, err)
	}
	other, _, _ := NewRecoveryCode()
	if k3, _ := RecoveryKey(other, salt); k3.Fingerprint() == k1.Fingerprint() {
		t.Fatal("another code opens the same key")
	}
	if k4, _ := RecoveryKey(code, []byte("another-salt-16b")); k4.Fingerprint() == k1.Fingerprint() {
		t.Fatal("the salt does not matter")
	}
	for _, bad := range []string{"", code[:20], code + "A", strings.Replace(code, code[:1], "O", 1), strings.Replace(code, code[:1], "#", 1)} {
		if _, err := RecoveryKey(bad, salt); !errors.Is(err, ErrCode) {
			t.Errorf("%q read as a code: %v", bad, err)
		}
	}
}
