// Package bundle is the month a township reports to the county (上报县级):
// one file holding what the county needs of a countersigned month — the
// village report grid, the findings with their decisions and amounts, the
// stop list, the recovery ledger, the month's payees and amounts, the death
// records, the signatures on the month and the township's trail head — with
// its checksum, signed by the key of the person who made it. The keys that
// vouch for that key, up to the township's root, travel with it, so that
// the county checks everything against the root fingerprint it enrolled.
package bundle

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"pensionaudit/audit"
	"pensionaudit/audit/signing"
)

// Format names the bundle format.
const Format = "pensionaudit-bundle/1"

// MaxSize bounds a bundle file and its body (a township's month is a few
// MB even at 50,000 payees).
const MaxSize = 256 << 20

// Payee is one person paid in the month, with the month's total.
type Payee struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Village string    `json:"village"`
	Amount  audit.Fen `json:"amount_fen"`
}

// Death is one death the township knows of.
type Death struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Source string `json:"source"` // village, deregistration, cremation, death_certificate
	Date   string `json:"date"`   // YYYY-MM-DD, or YYYY-MM when only the month is known
}

// Finding is a finding of the month with its decision.
type Finding struct {
	ID        int64     `json:"id"`
	Rule      string    `json:"rule"`
	IDNumber  string    `json:"id_number"`
	Name      string    `json:"name"`
	Village   string    `json:"village"`
	Amount    audit.Fen `json:"amount_fen"`
	Status    string    `json:"status"`
	Evidence  string    `json:"evidence_status"`
	Decision  string    `json:"decision,omitempty"`
	Action    string    `json:"action,omitempty"`
	Recovered audit.Fen `json:"recovered_fen"`
}

// Key is a signing key with its certificate.
type Key struct {
	User        string `json:"user"`
	Pub         string `json:"pub"`
	CertifiedBy string `json:"certified_by"`
	Cert        string `json:"cert"`
}

// Link is one trail entry's place in the chain.
type Link struct {
	Seq      int64  `json:"seq"`
	PrevHash string `json:"prev"`
	Hash     string `json:"hash"`
}

// Entry is a whole trail entry (the month's signatures).
type Entry = audit.TrailEntry

// Body is what a bundle says.
type Body struct {
	Format     string                `json:"format"`
	Township   string                `json:"township"`
	Period     string                `json:"period"`
	RootKey    string                `json:"root_key"`
	MadeAt     string                `json:"made_at"`
	MadeBy     string                `json:"made_by"`
	Villages   []audit.VillageReport `json:"villages"`
	Clerk      *audit.Signoff        `json:"clerk_signoff"`
	Supervisor *audit.Signoff        `json:"supervisor_signoff"`
	Findings   []Finding             `json:"findings"`
	Payees     []Payee               `json:"payees"`
	Deaths     []Death               `json:"deaths"`
	Found      audit.Fen             `json:"found_fen"`
	ToRecover  audit.Fen             `json:"to_recover_fen"`
	Recovered  audit.Fen             `json:"recovered_fen"`
	Keys       []Key                 `json:"keys"`
	Signoffs   []Entry               `json:"signoffs"` // the trail entries of the month's standing signatures
	Chain      []Link                `json:"chain"`    // the whole trail, as links
}

// Head is the last link of the chain.
func (b *Body) Head() Link {
	if len(b.Chain) == 0 {
		return Link{}
	}
	return b.Chain[len(b.Chain)-1]
}

// envelope is the file: the gzipped body, its checksum, and the signature.
type envelope struct {
	Format string `json:"format"`
	Body   []byte `json:"body"` // gzip of the body's JSON
	SHA256 string `json:"sha256"`
	Signer string `json:"signer"` // fingerprint of the signing key
	Sig    string `json:"sig"`
}

func message(sum string) []byte { return []byte("pensionaudit-bundle\n" + sum) }

// Seal encodes and signs a body.
func Seal(b *Body, k *signing.Key) ([]byte, error) {
	raw, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	if _, err := zw.Write(raw); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	s := sha256.Sum256(z.Bytes())
	sum := hex.EncodeToString(s[:])
	return json.MarshalIndent(envelope{Format: Format, Body: z.Bytes(), SHA256: sum, Signer: k.Fingerprint(),
		Sig: hex.EncodeToString(k.Sign(message(sum)))}, "", " ")
}

// Opened is a bundle read and checked in itself; the county still checks
// its root against the one it enrolled and its chain against the head it
// last received.
type Opened struct {
	Body   *Body
	SHA256 string
	Signer Key
}

// Refusal is why a bundle is not taken, in Chinese.
type Refusal struct{ Why string }

func (r *Refusal) Error() string { return r.Why }

func refuse(format string, args ...any) error { return &Refusal{Why: fmt.Sprintf(format, args...)} }

// IsRefusal tells a bundle refused for what it holds (not for an I/O error).
func IsRefusal(err error) bool {
	var r *Refusal
	return errors.As(err, &r)
}

// Open reads a bundle and checks it in itself: its checksum, the signature
// over it by a key of the bundle, every key's certificate up to the
// township's root, the month's signatures (each entry's hash, its place in
// the chain, its signature by its signer's key), the chain's links.
func Open(data []byte) (*Opened, error) {
	if len(data) > MaxSize {
		return nil, refuse("文件超过 %d MB，不是上报文件", MaxSize>>20)
	}
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil || env.Format != Format {
		return nil, refuse("不是养老金核查上报文件（格式不符）")
	}
	s := sha256.Sum256(env.Body)
	if hex.EncodeToString(s[:]) != env.SHA256 {
		return nil, refuse("校验和不符：文件在生成之后被改动或损坏")
	}
	zr, err := gzip.NewReader(bytes.NewReader(env.Body))
	if err != nil {
		return nil, refuse("文件内容损坏：%v", err)
	}
	raw, err := io.ReadAll(io.LimitReader(zr, MaxSize+1))
	if err != nil || len(raw) > MaxSize {
		return nil, refuse("文件内容损坏或过大")
	}
	var b Body
	if err := json.Unmarshal(raw, &b); err != nil || b.Format != Format {
		return nil, refuse("文件内容不是上报数据")
	}
	keys := map[string]Key{}
	for _, k := range b.Keys {
		pub, _ := hex.DecodeString(k.Pub)
		keys[signing.Fingerprint(pub)] = k
	}
	signer, ok := keys[env.Signer]
	if !ok || !signing.Verify(signer.Pub, message(env.SHA256), env.Sig) {
		return nil, refuse("签名不成立：不是文件中的密钥所签，或文件被改动")
	}
	if err := chains(keys, env.Signer, b.RootKey); err != nil {
		return nil, err
	}
	// the chain's links hold together
	for i := 1; i < len(b.Chain); i++ {
		if b.Chain[i].PrevHash != b.Chain[i-1].Hash || b.Chain[i].Seq != b.Chain[i-1].Seq+1 {
			return nil, refuse("记录链第 %d 条与前一条接不上", b.Chain[i].Seq)
		}
	}
	at := map[int64]string{}
	for _, l := range b.Chain {
		at[l.Seq] = l.Hash
	}
	// the month's signatures: in the chain, signed by their signers
	if b.Supervisor == nil {
		return nil, refuse("%s %s 没有审核人复核签字：只有复核签字后的月份才能上报", b.Township, b.Period)
	}
	signed := map[string]bool{}
	for _, e := range b.Signoffs {
		if e.ComputeHash() != e.Hash || at[e.Seq] != e.Hash {
			return nil, refuse("签字记录第 %d 条不在记录链中或被改动", e.Seq)
		}
		fp, sig, body, ok := signing.Signed(e.Payload)
		var p struct{ Role string }
		if !ok || json.Unmarshal([]byte(body), &p) != nil {
			return nil, refuse("签字记录第 %d 条读不懂", e.Seq)
		}
		k, ok := keys[fp]
		if !ok || k.User != e.User || !signing.Verify(k.Pub, signing.ActMessage(e.Action, e.User, body, e.PrevHash), sig) {
			return nil, refuse("%s 的签字（记录第 %d 条）签名不成立", e.User, e.Seq)
		}
		if err := chains(keys, fp, b.RootKey); err != nil {
			return nil, err
		}
		signed[p.Role] = true
	}
	if !signed[string(audit.RoleSupervisor)] {
		return nil, refuse("文件中没有审核人复核签字的签名")
	}
	return &Opened{Body: &b, SHA256: env.SHA256, Signer: signer}, nil
}

// chains checks a key's certificates up to the root (the root certifies
// itself).
func chains(keys map[string]Key, fp, root string) error {
	for depth := 0; depth < 32; depth++ {
		k, ok := keys[fp]
		if !ok {
			return refuse("签名密钥 %s 不在文件中", fp)
		}
		c, ok := keys[k.CertifiedBy]
		if !ok || !signing.Verify(c.Pub, signing.CertMessage(k.User, k.Pub), k.Cert) {
			return refuse("签名密钥 %s（%s）的认证不成立", fp, k.User)
		}
		if k.CertifiedBy == fp {
			if fp != root {
				return refuse("签名密钥 %s 自己认证自己，却不是乡镇的根密钥", fp)
			}
			return nil
		}
		fp = k.CertifiedBy
	}
	return refuse("签名密钥 %s 的认证链过长", fp)
}
