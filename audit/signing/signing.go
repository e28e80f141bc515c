// Package signing gives each account a signing key that only its password
// opens: an Ed25519 key pair whose private half is sealed with a key
// derived from the password (Argon2id) and XChaCha20-Poly1305. An act that
// carries responsibility (a signature on a month, a countersignature, a
// reopen) is signed with it, so that editing the workspace file cannot
// produce one without the person's password. Keys are certified by a
// supervisor's key, up to the workspace's root (its first supervisor).
package signing

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

// Argon2id parameters for sealing (the same cost as the password hash).
const (
	kdfTime    = 2
	kdfMemory  = 19 * 1024
	kdfThreads = 1
	saltLen    = 16
)

// Key is an unsealed signing key, held by a session for its length.
type Key struct {
	Priv ed25519.PrivateKey
}

// Fingerprint names a public key: the first 16 bytes of its SHA-256, hex.
func Fingerprint(pub ed25519.PublicKey) string {
	s := sha256.Sum256(pub)
	return hex.EncodeToString(s[:16])
}

// Wipe overwrites the private key in memory (a session that ends or is
// locked holds it no longer); every copy of the session shares it.
func (k *Key) Wipe() {
	if k == nil {
		return
	}
	for i := range k.Priv {
		k.Priv[i] = 0
	}
}

// Public is the key's public half.
func (k *Key) Public() ed25519.PublicKey { return k.Priv.Public().(ed25519.PublicKey) }

// Fingerprint names the key.
func (k *Key) Fingerprint() string { return Fingerprint(k.Public()) }

// Sign signs msg.
func (k *Key) Sign(msg []byte) []byte { return ed25519.Sign(k.Priv, msg) }

// New makes a key and seals it with password: it returns the key, its
// public half (hex) and the sealed private half (hex).
func New(password string) (*Key, string, string, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, "", "", err
	}
	sealed, err := Seal(priv.Seed(), password)
	if err != nil {
		return nil, "", "", err
	}
	return &Key{Priv: priv}, hex.EncodeToString(pub), sealed, nil
}

// Seal seals a key's seed with a password: salt | nonce | box, hex.
func Seal(seed []byte, password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	aead, err := chacha20poly1305.NewX(argon2.IDKey([]byte(password), salt, kdfTime, kdfMemory, kdfThreads, chacha20poly1305.KeySize))
	if err != nil {
		return "", err
	}
	nonce := make([]byte, chacha20poly1305.NonceSizeX)
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := append(append(salt, nonce...), aead.Seal(nil, nonce, seed, nil)...)
	return hex.EncodeToString(out), nil
}

// ErrSealed is a sealed key the password does not open.
var ErrSealed = errors.New("the password does not open the signing key")

// Open unseals a key with its password and checks it is the one whose
// public half is pubHex.
func Open(sealed, password, pubHex string) (*Key, error) {
	raw, err := hex.DecodeString(sealed)
	if err != nil || len(raw) < saltLen+chacha20poly1305.NonceSizeX+chacha20poly1305.Overhead {
		return nil, ErrSealed
	}
	salt, nonce, box := raw[:saltLen], raw[saltLen:saltLen+chacha20poly1305.NonceSizeX], raw[saltLen+chacha20poly1305.NonceSizeX:]
	aead, err := chacha20poly1305.NewX(argon2.IDKey([]byte(password), salt, kdfTime, kdfMemory, kdfThreads, chacha20poly1305.KeySize))
	if err != nil {
		return nil, err
	}
	seed, err := aead.Open(nil, nonce, box, nil)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, ErrSealed
	}
	k := &Key{Priv: ed25519.NewKeyFromSeed(seed)}
	if hex.EncodeToString(k.Public()) != pubHex {
		return nil, ErrSealed
	}
	return k, nil
}

// Verify checks a hex signature over msg by the hex public key.
func Verify(pubHex string, msg []byte, sigHex string) bool {
	pub, err := hex.DecodeString(pubHex)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return false
	}
	sig, err := hex.DecodeString(sigHex)
	if err != nil {
		return false
	}
	return ed25519.Verify(pub, msg, sig)
}

// CertMessage is what a certifying key signs of a key: whose it is.
func CertMessage(user, pubHex string) []byte {
	return []byte("pensionaudit-cert\n" + user + "\n" + pubHex)
}

// ActMessage is what an act's signature covers: the trail entry's action,
// actor and content (with the data's digests and, for a signature on a
// month, its fingerprint) and the hash of the entry before it.
func ActMessage(action, user, payload, prevHash string) []byte {
	return []byte("pensionaudit-act\n" + action + "\n" + user + "\n" + payload + "\n" + prevHash)
}

// Signed reads a trail entry's payload (a JSON object) as signed: the
// signer's fingerprint, the signature (both "" when unsigned) and the
// content the signature covers — the payload without them. ok is false
// when the payload is not a JSON object.
func Signed(payload string) (signer, sig, body string, ok bool) {
	var p map[string]json.RawMessage
	if json.Unmarshal([]byte(payload), &p) != nil {
		return "", "", "", false
	}
	json.Unmarshal(p["signer"], &signer)
	json.Unmarshal(p["sig"], &sig)
	delete(p, "signer")
	delete(p, "sig")
	b, _ := json.Marshal(p)
	return signer, sig, string(b), true
}
