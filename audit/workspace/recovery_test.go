package workspace

import (
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"pensionaudit/audit"
	"pensionaudit/audit/signing"
	"pensionaudit/audit/sqlite"
)

// The recovery code made with the first account replaces the root's lost
// password: the new key is certified by the recovery key, verify checks it
// up to the root, the code used is retired and a new one handed over.
func TestRecoveryCodeReplacesALostRootPassword(t *testing.T) {
	ctx := context.Background()
	w := newBareWS(t)
	if _, err := w.AddUser(ctx, nil, "王主任", audit.RoleSupervisor, "wang-secret-1"); err != nil {
		t.Fatal(err)
	}
	code := w.RecoveryCode()
	if code == "" || w.RecoveryCode() != "" {
		t.Fatalf("the code is handed over once: %q", code)
	}
	wang := mustLogin(t, w, "王主任", "wang-secret-1")
	if _, err := w.AddUser(ctx, wang, "李会计", audit.RoleClerk, "li-secret-12"); err != nil {
		t.Fatal(err)
	}
	if r, _ := w.Verify(ctx); strings.Contains(strings.Join(r.Notes, ""), "恢复码") {
		t.Errorf("verify notes: %q", r.Notes)
	}
	if _, err := w.AddUser(ctx, nil, audit.RecoveryName, audit.RoleClerk, "x-secret-123"); err == nil {
		t.Error("an account took the recovery code's name")
	}

	if _, _, err := w.RecoverRoot(ctx, "ABCD-EFGH", "new-secret-42"); !errors.Is(err, audit.ErrInvalid) {
		t.Errorf("a malformed code: %v", err)
	}
	other, _, _ := signing.NewRecoveryCode()
	if _, _, err := w.RecoverRoot(ctx, other, "new-secret-42"); !errors.Is(err, audit.ErrPermission) {
		t.Errorf("a wrong code: %v", err)
	}
	name, next, err := w.RecoverRoot(ctx, strings.ToLower(code), "new-secret-42")
	if err != nil || name != "王主任" || next == "" || next == code {
		t.Fatalf("recovery: %q %q %v", name, next, err)
	}
	if _, err := w.Login(ctx, "王主任", "wang-secret-1"); err == nil {
		t.Error("the lost password still logs in")
	}
	wang = mustLogin(t, w, "王主任", "new-secret-42")
	if wang.Key == nil {
		t.Fatal("no key after the recovery")
	}
	if _, err := w.AddUser(ctx, wang, "赵会计", audit.RoleClerk, "zhao-secret-1"); err != nil {
		t.Fatal(err)
	}
	verifyOK(t, w, "after the recovery")
	trail, _ := w.db.Trail(ctx)
	found := false
	for _, e := range trail {
		if e.Action == "root_recovery" {
			found = e.User == audit.RecoveryName && strings.Contains(e.Payload, `"sig"`)
		}
	}
	if !found {
		t.Error("the recovery is not in the trail, signed by the recovery key")
	}
	if _, _, err := w.RecoverRoot(ctx, code, "again-secret-42"); !errors.Is(err, audit.ErrPermission) {
		t.Errorf("the used code works again: %v", err)
	}
	// a supervisor issues a new code: the last one stops working
	newer, err := w.NewRecoveryCode(ctx, *wang)
	if err != nil || newer == next {
		t.Fatal(err)
	}
	if _, _, err := w.RecoverRoot(ctx, next, "again-secret-42"); !errors.Is(err, audit.ErrPermission) {
		t.Errorf("a retired code works: %v", err)
	}
	li := mustLogin(t, w, "李会计", "li-secret-12")
	if _, err := w.NewRecoveryCode(ctx, *li); !errors.Is(err, audit.ErrPermission) {
		t.Errorf("a clerk issued a recovery code: %v", err)
	}

	// the clerk makes her own recovery key, certified by her key, and
	// writes it through the store as a changed program would: the
	// recovery it allows does not pass verify
	mine, salt, _ := signing.NewRecoveryCode()
	rk, _ := signing.RecoveryKey(mine, salt)
	pub := hex.EncodeToString(rk.Public())
	row := sqlite.KeyRow{User: audit.RecoveryName, Pub: pub, CertifiedBy: li.Key.Fingerprint(),
		Cert: hex.EncodeToString(li.Key.Sign(signing.CertMessage(audit.RecoveryName, pub)))}
	if err := w.db.Update(ctx, func(tx *sqlite.Tx) error {
		if err := tx.AddKey(ctx, "李会计", row); err != nil {
			return err
		}
		if err := tx.SetSettings(ctx, map[string]string{"recovery_salt": hex.EncodeToString(salt)}); err != nil {
			return err
		}
		tx.SignWith(li.Key)
		return tx.AppendTrail(ctx, "李会计", "recovery_code", map[string]string{"by": "李会计"})
	}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.RecoverRoot(ctx, mine, "taken-over-42"); err != nil {
		t.Fatal(err)
	}
	r, err := w.Verify(ctx)
	if err != nil || r.OK() || !strings.Contains(strings.Join(r.Problems, "\n"), "李会计 当时不是审核人") {
		t.Errorf("a recovery through a clerk's key passed verify: %v %+v", err, r)
	}
}

// A workspace made before recovery codes says it has none; a supervisor
// issues one, which then works.
func TestOldWorkspaceGetsARecoveryCode(t *testing.T) {
	ctx := context.Background()
	path, _ := oldWorkspace(t)
	w, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	sup := mustLogin(t, w, DemoSupervisor, DemoPassword)
	r, _ := w.Verify(ctx)
	if !strings.Contains(strings.Join(r.Notes, ""), "还没有恢复码") {
		t.Errorf("notes: %q", r.Notes)
	}
	if _, _, err := w.RecoverRoot(ctx, "ABCD-EFGH-JKMN-PQRS-TUVW-XYZ2", "new-secret-42"); !errors.Is(err, audit.ErrNotFound) {
		t.Errorf("recovery without a code: %v", err)
	}
	code, err := w.NewRecoveryCode(ctx, *sup)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.RecoverRoot(ctx, code, "new-secret-42"); err != nil {
		t.Fatal(err)
	}
	mustLogin(t, w, DemoSupervisor, "new-secret-42")
	verifyOK(t, w, "after recovery in an upgraded workspace")
}

// Changing one's own password seals the same key anew: what it signed
// stays checkable, no new certificate is needed; the old password opens
// nothing any more; a wrong current password changes nothing. A 查阅人
// may change hers too.
func TestChangeOwnPasswordKeepsTheKey(t *testing.T) {
	ctx := context.Background()
	w := newBareWS(t)
	if _, err := w.AddUser(ctx, nil, "王主任", audit.RoleSupervisor, "wang-secret-1"); err != nil {
		t.Fatal(err)
	}
	wang := mustLogin(t, w, "王主任", "wang-secret-1")
	if _, err := w.AddUser(ctx, wang, "孙查阅", audit.RoleAuditor, "sun-secret-12"); err != nil {
		t.Fatal(err)
	}
	before := wang.Key.Fingerprint()
	if err := w.ChangePassword(ctx, "王主任", "wrong-secret-1", "wang-secret-2"); err == nil {
		t.Fatal("a wrong current password changed it")
	}
	if err := w.ChangePassword(ctx, "王主任", "wang-secret-1", "short"); !errors.Is(err, audit.ErrInvalid) {
		t.Errorf("a weak new password: %v", err)
	}
	if err := w.ChangePassword(ctx, "王主任", "wang-secret-1", "wang-secret-2"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Login(ctx, "王主任", "wang-secret-1"); err == nil {
		t.Error("the old password still logs in")
	}
	wang = mustLogin(t, w, "王主任", "wang-secret-2")
	if wang.Key == nil || wang.Key.Fingerprint() != before {
		t.Fatalf("the key changed with the password")
	}
	var keys int
	w.db.SQL().QueryRow(`SELECT COUNT(*) FROM keys WHERE user_name = '王主任'`).Scan(&keys)
	if keys != 1 {
		t.Errorf("%d keys for the account, want its one key", keys)
	}
	if err := w.ChangePassword(ctx, "孙查阅", "sun-secret-12", "sun-secret-34"); err != nil {
		t.Errorf("a 查阅人 changing her own password: %v", err)
	}
	mustLogin(t, w, "孙查阅", "sun-secret-34")
	verifyOK(t, w, "after password changes")
}
