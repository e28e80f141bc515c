package signing

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"strings"

	"golang.org/x/crypto/argon2"
)

// A recovery code is printed once, when a workspace's root is made (and
// when a supervisor issues a new one): 24 characters from an alphabet with
// no look-alikes (no 0/O, 1/I/L), in six groups of four, 120 random bits.
// It is the seed of a recovery key (stretched with Argon2id and the
// workspace's salt) certified by a supervisor; a lost root password is
// replaced with it, and the replacement is signed by that key.
const (
	codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ#"
	codeLen      = 24
	codeGroup    = 4
)

// NewRecoveryCode makes a recovery code and a salt for its key.
func NewRecoveryCode() (code string, salt []byte, err error) {
	raw := make([]byte, codeLen)
	if _, err := rand.Read(raw); err != nil {
		return "", nil, err
	}
	var b strings.Builder
	for i, c := range raw {
		if i > 0 && i%codeGroup == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(codeAlphabet[int(c)%31]) // 31 symbols: '#' is never drawn
	}
	salt = make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", nil, err
	}
	return b.String(), salt, nil
}

// ErrCode is a recovery code that is not one (wrong length or characters).
var ErrCode = errors.New("not a recovery code")

// NormalizeCode reads a code as typed: case, spaces and dashes do not
// matter, and the look-alikes read as the characters the alphabet keeps
// (O→0 is not in it: O and 0 are both refused; I, L, 1 likewise).
func NormalizeCode(typed string) (string, error) {
	var b strings.Builder
	for _, r := range strings.ToUpper(typed) {
		switch {
		case r == '-' || r == ' ' || r == '\t' || r == '－' || r == '　':
			continue
		case r < 128 && strings.ContainsRune(codeAlphabet[:31], r):
			b.WriteRune(r)
		default:
			return "", ErrCode
		}
	}
	if b.Len() != codeLen {
		return "", ErrCode
	}
	s := b.String()
	var out strings.Builder
	for i := 0; i < len(s); i += codeGroup {
		if i > 0 {
			out.WriteByte('-')
		}
		out.WriteString(s[i : i+codeGroup])
	}
	return out.String(), nil
}

// RecoveryKey is the key a code opens, with the salt stored beside it.
func RecoveryKey(code string, salt []byte) (*Key, error) {
	c, err := NormalizeCode(code)
	if err != nil {
		return nil, err
	}
	seed := argon2.IDKey([]byte(c), salt, kdfTime, kdfMemory, kdfThreads, ed25519.SeedSize)
	return &Key{Priv: ed25519.NewKeyFromSeed(seed)}, nil
}
