package workspace

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"pensionaudit/audit"
	"pensionaudit/audit/sqlite"
)

// A hash chain inside a file its owner can rewrite proves nothing by itself:
// a chain recomputed from scratch after an edit is internally perfect. So
// the program keeps, outside the workspace, a small append-only list of the
// trail heads it has seen (anchors.log beside the user's configuration), and
// verify checks that the chain still passes through every one of them. The
// signed paper carries the same kind of anchor (the trail code).

// DefaultAnchorFile is where a person's program keeps the heads it has
// seen: anchors.log in the user's configuration folder. The front ends
// give it to every workspace they open (KeepAnchors); tests give their own.
func DefaultAnchorFile() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "pensionaudit", "anchors.log"), nil
}

// KeepAnchors sets the file where this workspace's trail heads are kept
// and checked ("" keeps none).
func (w *Workspace) KeepAnchors(path string) { w.anchors = path }

// AnchorFile is the file set by KeepAnchors.
func (w *Workspace) AnchorFile() string { return w.anchors }

type anchor struct {
	ws   string
	seq  int64
	hash string
	at   string
	path string
}

func readAnchors(p, ws string) ([]anchor, error) {
	if p == "" {
		return nil, nil
	}
	f, err := os.Open(p)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []anchor
	s := bufio.NewScanner(f)
	for s.Scan() {
		parts := strings.Split(s.Text(), "\t")
		if len(parts) < 4 || (ws != "" && parts[0] != ws) {
			continue
		}
		seq, err := strconv.ParseInt(parts[1], 10, 64)
		if err != nil {
			continue
		}
		a := anchor{ws: parts[0], seq: seq, hash: parts[2], at: parts[3]}
		if len(parts) > 4 {
			a.path = parts[4]
		}
		out = append(out, a)
	}
	return out, s.Err()
}

// workspaceID is the workspace's own random identity (kept in settings, so
// covered by the trail); made at first use.
func (w *Workspace) workspaceID(ctx context.Context, create bool) (string, error) {
	id, err := w.db.Setting(ctx, "workspace_id")
	if err != nil || id != "" || !create {
		return id, err
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	id = hex.EncodeToString(b)
	return id, w.db.Update(ctx, func(tx *sqlite.Tx) error {
		if err := tx.SetSettings(ctx, map[string]string{"workspace_id": id}); err != nil {
			return err
		}
		return tx.AppendTrail(ctx, "（程序）", "setting", map[string]string{"key": "workspace_id", "value": id})
	})
}

// RecordHead appends the current trail head to the anchor list (when it is
// not the last one recorded for this workspace).
func (w *Workspace) RecordHead(ctx context.Context) error {
	if w.anchors == "" {
		return nil
	}
	id, _, err := w.anchorKeys(ctx)
	if err != nil || id == "" {
		return err
	}
	head, err := w.db.Head(ctx) // every session's close: the head only, not the trail
	if err != nil || head.Seq == 0 {
		return err
	}
	seen, err := readAnchors(w.anchors, id)
	if err != nil {
		return err
	}
	if n := len(seen); n > 0 && seen[n-1].seq == head.Seq && seen[n-1].hash == head.Hash {
		return nil
	}
	p := w.anchors
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	abs, _ := filepath.Abs(w.db.Path)
	_, err = fmt.Fprintf(f, "%s\t%d\t%s\t%s\t%s\n", id, head.Seq, head.Hash, time.Now().UTC().Format(time.RFC3339), abs)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// anchorKeys names the workspace in the list of heads seen: by its root
// signing key once it has one — an identity the file cannot re-key without
// its signatures failing — else by the id kept inside it. write is the key
// new heads are listed under; read are all it may have been listed under.
func (w *Workspace) anchorKeys(ctx context.Context) (write string, read []string, err error) {
	id, err := w.workspaceID(ctx, false)
	if err != nil {
		return "", nil, err
	}
	if id != "" {
		write, read = id, []string{id}
	}
	if root := w.RootKey(ctx); root != "" {
		write = "root:" + root
		read = append(read, write)
	}
	return write, read, nil
}

// checkAnchors adds to a verify report every seen head the chain no longer
// passes through.
func (w *Workspace) checkAnchors(ctx context.Context, r *VerifyReport) error {
	return w.checkAnchorsUpTo(ctx, r, 0)
}

// checkAnchorsUpTo checks the heads seen up to entry upTo (0: all). A head
// given up by a restore recorded in the trail (seen after the backup's head,
// up to the head the restore left behind) is accounted for by that record;
// the head it names must be the one seen.
func (w *Workspace) checkAnchorsUpTo(ctx context.Context, r *VerifyReport, upTo int64) error {
	_, keys, err := w.anchorKeys(ctx)
	if err != nil || len(keys) == 0 {
		return err
	}
	var seen []anchor
	for _, k := range keys {
		got, err := readAnchors(w.anchors, k)
		if err != nil {
			return err
		}
		seen = append(seen, got...)
	}
	if len(seen) == 0 {
		w.otherIdentityHere(r)
		return nil
	}
	trail, err := w.db.Trail(ctx)
	if err != nil {
		return err
	}
	bySeq := map[int64]string{}
	for _, e := range trail {
		bySeq[e.Seq] = e.Hash
	}
	given := restores(trail)
	givenUp := func(a anchor) bool {
		for _, g := range given {
			if a.seq > g.BackupSeq && a.seq <= g.AbandonedSeq && (a.seq != g.AbandonedSeq || a.hash == g.AbandonedHash) {
				return true
			}
		}
		return false
	}
	for _, a := range seen {
		if upTo > 0 && a.seq > upTo {
			continue
		}
		r.Anchors++
		h, ok := bySeq[a.seq]
		switch {
		case ok && h == a.hash:
			r.Vouched = max(r.Vouched, a.seq)
		case givenUp(a):
		case !ok:
			r.Problems = append(r.Problems, fmt.Sprintf("本机在 %s 见过这个工作区的记录第 %d 条，现在的记录链只有 %d 条：记录被删除或整个链被重建过",
				localTime(a.at), a.seq, len(trail)))
			return nil
		default:
			r.Problems = append(r.Problems, fmt.Sprintf("本机在 %s 见过的记录第 %d 条（%s…）与现在的不同：记录链在那之后被改写并重新计算过",
				localTime(a.at), a.seq, audit.Escape(a.hash, 12)))
			return nil
		}
	}
	return nil
}

// otherIdentityHere notes a workspace of another identity this computer
// saw at the same place: a workspace made anew there — or one rebuilt
// whole, chain recomputed under a new identity, which no list keyed by that
// identity can catch.
func (w *Workspace) otherIdentityHere(r *VerifyReport) {
	if w.anchors == "" {
		return
	}
	abs, _ := filepath.Abs(w.db.Path)
	all, err := readAnchors(w.anchors, "")
	if err != nil {
		return
	}
	for i := len(all) - 1; i >= 0; i-- {
		if a := all[i]; a.path == abs {
			r.Notes = append(r.Notes, fmt.Sprintf("本机在 %s 见过同一位置（%s）的另一个工作区（身份不同，记录 %d 条）：如果不是在这里重新建立了工作区，这个文件可能被整个重建过，请核对签字表上印的校验码",
				localTime(a.at), abs, a.seq))
			return
		}
	}
}

func localTime(rfc string) string {
	t, err := time.Parse(time.RFC3339, rfc)
	if err != nil {
		return rfc
	}
	return t.Local().Format("2006-01-02 15:04")
}
