package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// TrailEntry is one link of a workspace's hash chain (the store keeps
// them; a township's report carries the month's signatures as them).
type TrailEntry struct {
	Seq      int64  `json:"seq"`
	At       string `json:"at"`
	User     string `json:"user"`
	Action   string `json:"action"`
	Payload  string `json:"payload"`
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
}

// ComputeHash is the hash of an entry over its fields and its predecessor's hash.
func (e TrailEntry) ComputeHash() string {
	h := sha256.New()
	for _, part := range []string{strconv.FormatInt(e.Seq, 10), e.At, e.User, e.Action, e.Payload, e.PrevHash} {
		h.Write([]byte(strconv.Itoa(len(part))))
		h.Write([]byte{':'})
		h.Write([]byte(part))
	}
	return hex.EncodeToString(h.Sum(nil))
}
