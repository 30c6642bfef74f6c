package walletstoretest

import (
	"context"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/storeerr"
	"github.com/hashi-vc/hashi/wallet"
	"github.com/hashi-vc/hashi/wallet/walletstore"
)

// AccountStore is what RunAccounts tests: wallet.Store plus the account storage of the
// hosted wallet, as *walletstore.Store provides it.
type AccountStore interface {
	wallet.Store
	CreateAccount(ctx context.Context, username, passwordHash string, now time.Time) (*walletstore.Account, error)
	AccountByUsername(ctx context.Context, username string) (*walletstore.Account, error)
	Account(ctx context.Context, id string) (*walletstore.Account, error)
	SetPasswordHash(ctx context.Context, id, passwordHash string) error
	CreateSession(ctx context.Context, accountID string, now, expiresAt time.Time) (string, error)
	Session(ctx context.Context, token string, now time.Time) (*walletstore.Session, error)
	DeleteSession(ctx context.Context, token string) error
	DeleteSessions(ctx context.Context, accountID string) (int64, error)
	RecordFailedSignIn(ctx context.Context, username, client string, at time.Time) error
	FailedSignIns(ctx context.Context, username, client string, since time.Time) (walletstore.SignInFailures, error)
	ClearFailedSignIns(ctx context.Context, username string) error
	DeleteAccount(ctx context.Context, id string) error
}

var _ AccountStore = (*walletstore.Store)(nil)

// PasswordHash is a valid argon2id PHC string for the suite (its password is "password";
// cheap parameters, so the suite does not spend 19 MiB per account).
const PasswordHash = "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$ZVrRXqxlLcWfcXCnMyv0m4Rpvh/bnCi7"

// RunAccounts runs the account suite against s. Every subtest uses fresh random usernames.
func RunAccounts(t *testing.T, s AccountStore) {
	t.Helper()
	t.Run("Accounts", func(t *testing.T) { testAccounts(t, s) })
	t.Run("Sessions", func(t *testing.T) { testSessions(t, s) })
	t.Run("FailedSignIns", func(t *testing.T) { testFailedSignIns(t, s) })
	t.Run("DeleteAccount", func(t *testing.T) { testDeleteAccount(t, s) })
}

func testAccounts(t *testing.T, s AccountStore) {
	ctx := t.Context()
	name := Rand("hanako-")
	a, err := s.CreateAccount(ctx, name, PasswordHash, T0)
	wantErr(t, "create", err, nil)
	if len(a.ID) != 32 || a.Username != name || a.PasswordHash != PasswordHash || !a.CreatedAt.Equal(T0) {
		t.Fatalf("created account %+v", a)
	}
	got, err := s.AccountByUsername(ctx, name)
	wantErr(t, "by username", err, nil)
	equal(t, "by username", *got, *a)
	got, err = s.Account(ctx, a.ID)
	wantErr(t, "by id", err, nil)
	equal(t, "by id", *got, *a)

	_, err = s.CreateAccount(ctx, name, PasswordHash, at(1))
	wantErr(t, "taken username", err, storeerr.ErrConflict)
	_, err = s.AccountByUsername(ctx, Rand("nobody-"))
	wantErr(t, "unknown username", err, storeerr.ErrNotFound)
	_, err = s.Account(ctx, Rand("id-"))
	wantErr(t, "unknown id", err, storeerr.ErrNotFound)
	_, err = s.AccountByUsername(ctx, name+" ")
	wantErr(t, "username compared exactly", err, storeerr.ErrNotFound)
	_, err = s.CreateAccount(ctx, Rand("u-"), "plaintext-password", T0)
	wantErr(t, "plain password as hash", err, storeerr.ErrInvalid)

	other := "$argon2id$v=19$m=64,t=2,p=1$c29tZXNhbHQ$Bo1ismRVk2qm6+YAYLCmWHDb+j3fjUH3"
	wantErr(t, "set hash", s.SetPasswordHash(ctx, a.ID, other), nil)
	got, err = s.Account(ctx, a.ID)
	wantErr(t, "after set hash", err, nil)
	equal(t, "new hash", got.PasswordHash, other)
	wantErr(t, "set hash of nobody", s.SetPasswordHash(ctx, Rand("id-"), other), storeerr.ErrNotFound)
	wantErr(t, "set malformed hash", s.SetPasswordHash(ctx, a.ID, "x"), storeerr.ErrInvalid)
}

func testSessions(t *testing.T, s AccountStore) {
	ctx := t.Context()
	a, err := s.CreateAccount(ctx, Rand("u-"), PasswordHash, T0)
	wantErr(t, "create", err, nil)
	exp := at(3600)
	tok, err := s.CreateSession(ctx, a.ID, at(1), exp)
	wantErr(t, "create session", err, nil)
	if len(tok) != 43 {
		t.Fatalf("token %q: want 43 base64url characters (256 bits)", tok)
	}
	tok2, err := s.CreateSession(ctx, a.ID, at(2), exp)
	wantErr(t, "second session", err, nil)
	if tok2 == tok {
		t.Fatal("two sessions share a token")
	}
	got, err := s.Session(ctx, tok, at(10))
	wantErr(t, "session", err, nil)
	equal(t, "session", *got, walletstore.Session{AccountID: a.ID, CreatedAt: at(1), ExpiresAt: exp})
	_, err = s.Session(ctx, tok, exp)
	wantErr(t, "expired session", err, storeerr.ErrExpired)
	wantErr(t, "expired is not found", err, storeerr.ErrNotFound)
	_, err = s.Session(ctx, tok, exp.Add(-time.Millisecond))
	wantErr(t, "session a millisecond before expiry", err, nil)

	for _, bad := range []string{"", "x", tok + "A", tok[:42], "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
		_, err = s.Session(ctx, bad, at(10))
		wantErr(t, "session "+bad, err, storeerr.ErrNotFound)
	}
	_, err = s.CreateSession(ctx, Rand("id-"), at(1), exp)
	wantErr(t, "session of nobody", err, storeerr.ErrNotFound)
	_, err = s.CreateSession(ctx, a.ID, at(1), at(1))
	wantErr(t, "session expiring now", err, storeerr.ErrInvalid)

	wantErr(t, "sign out", s.DeleteSession(ctx, tok), nil)
	_, err = s.Session(ctx, tok, at(10))
	wantErr(t, "session after sign out", err, storeerr.ErrNotFound)
	wantErr(t, "sign out again", s.DeleteSession(ctx, tok), storeerr.ErrNotFound)
	_, err = s.Session(ctx, tok2, at(10))
	wantErr(t, "other session kept", err, nil)

	_, err = s.CreateSession(ctx, a.ID, at(3), exp)
	wantErr(t, "third session", err, nil)
	n, err := s.DeleteSessions(ctx, a.ID)
	wantErr(t, "sign out everywhere", err, nil)
	equal(t, "sessions ended", n, int64(2))
	_, err = s.Session(ctx, tok2, at(10))
	wantErr(t, "session after sign out everywhere", err, storeerr.ErrNotFound)
}

func testFailedSignIns(t *testing.T, s AccountStore) {
	ctx := t.Context()
	user, user2, client := Rand("u-"), Rand("u-"), Rand("203.0.113.")
	for i := range 3 {
		wantErr(t, "record", s.RecordFailedSignIn(ctx, user, client, at(10*i)), nil) // at 0, 10, 20
	}
	wantErr(t, "record other user", s.RecordFailedSignIn(ctx, user2, client, at(25)), nil)
	wantErr(t, "record user only", s.RecordFailedSignIn(ctx, user, "", at(30)), nil)
	wantErr(t, "record nothing", s.RecordFailedSignIn(ctx, "", "", at(30)), storeerr.ErrInvalid)

	cases := []struct {
		name         string
		user, client string
		since        time.Time
		want         walletstore.SignInFailures
	}{
		{"ok/all", user, client, at(0), walletstore.SignInFailures{ByUsername: 4, ByClient: 4}},
		{"ok/window inclusive", user, client, at(10), walletstore.SignInFailures{ByUsername: 3, ByClient: 3}},
		{"ok/window", user, client, at(21), walletstore.SignInFailures{ByUsername: 1, ByClient: 1}},
		{"ok/other user", user2, client, at(0), walletstore.SignInFailures{ByUsername: 1, ByClient: 4}},
		{"ok/unknown", Rand("u-"), Rand("c-"), at(0), walletstore.SignInFailures{}},
		{"ok/client only", "", client, at(0), walletstore.SignInFailures{ByClient: 4}},
	}
	for _, c := range cases {
		got, err := s.FailedSignIns(ctx, c.user, c.client, c.since)
		wantErr(t, c.name, err, nil)
		equal(t, c.name, got, c.want)
	}
	wantErr(t, "clear", s.ClearFailedSignIns(ctx, user), nil)
	got, err := s.FailedSignIns(ctx, user, client, at(0))
	wantErr(t, "after clear", err, nil)
	equal(t, "after clear: the client stays limited", got, walletstore.SignInFailures{ByClient: 4})
	got, err = s.FailedSignIns(ctx, user2, "", at(0))
	wantErr(t, "other user after clear", err, nil)
	equal(t, "other user kept", got, walletstore.SignInFailures{ByUsername: 1})
}

// Populate gives owner one of everything: two credentials (one with a holder key), a
// pending issuance with keys and a presentation history entry.
func Populate(t testing.TB, s wallet.Store, owner string) {
	t.Helper()
	ctx := t.Context()
	p := NewPending(owner, Rand("p-"), at(1))
	wantErr(t, "put pending", s.PutPending(ctx, p), nil)
	c := NewCredential(owner, Rand("c-"), at(2))
	bare := NewCredential(owner, Rand("c-"), at(2))
	bare.HolderKey = nil
	wantErr(t, "save", s.SaveCredentials(ctx, owner, []wallet.Credential{c, bare}, ""), nil)
	wantErr(t, "add presentation", s.AddPresentation(ctx, NewPresentation(owner, Rand("h-"), at(3))), nil)
}

// testDeleteAccount: the account, its sessions, failures and every wallet record go; the
// other account keeps everything.
func testDeleteAccount(t *testing.T, s AccountStore) {
	ctx := t.Context()
	a, err := s.CreateAccount(ctx, Rand("u-"), PasswordHash, T0)
	wantErr(t, "create a", err, nil)
	b, err := s.CreateAccount(ctx, Rand("u-"), PasswordHash, T0)
	wantErr(t, "create b", err, nil)
	var tokA, tokB string
	for _, acc := range []*walletstore.Account{a, b} {
		Populate(t, s, acc.ID)
		tok, err := s.CreateSession(ctx, acc.ID, at(1), at(3600))
		wantErr(t, "session", err, nil)
		if acc == a {
			tokA = tok
		} else {
			tokB = tok
		}
		wantErr(t, "failure", s.RecordFailedSignIn(ctx, acc.Username, "", at(5)), nil)
	}
	before := snapshot(t, s, b.ID)

	wantErr(t, "delete a", s.DeleteAccount(ctx, a.ID), nil)
	_, err = s.Account(ctx, a.ID)
	wantErr(t, "account a", err, storeerr.ErrNotFound)
	_, err = s.AccountByUsername(ctx, a.Username)
	wantErr(t, "account a by name", err, storeerr.ErrNotFound)
	_, err = s.Session(ctx, tokA, at(10))
	wantErr(t, "session a", err, storeerr.ErrNotFound)
	got := snapshot(t, s, a.ID)
	equal(t, "records of a", got, ownerSnapshot{})
	f, err := s.FailedSignIns(ctx, a.Username, "", at(0))
	wantErr(t, "failures of a", err, nil)
	equal(t, "failures of a", f, walletstore.SignInFailures{})

	equal(t, "records of b", snapshot(t, s, b.ID), before)
	_, err = s.Session(ctx, tokB, at(10))
	wantErr(t, "session b", err, nil)
	f, err = s.FailedSignIns(ctx, b.Username, "", at(0))
	wantErr(t, "failures of b", err, nil)
	equal(t, "failures of b", f, walletstore.SignInFailures{ByUsername: 1})

	// A write for a that was under way when it was deleted (a credential arriving from an
	// issuer) is refused, and leaves nothing.
	wantErr(t, "credential for deleted a", s.SaveCredentials(ctx, a.ID, []wallet.Credential{NewCredential(a.ID, Rand("c-"), at(20))}, ""), storeerr.ErrNotFound)
	wantErr(t, "pending for deleted a", s.PutPending(ctx, NewPending(a.ID, Rand("p-"), at(20))), storeerr.ErrNotFound)
	wantErr(t, "presentation for deleted a", s.AddPresentation(ctx, NewPresentation(a.ID, Rand("h-"), at(20))), storeerr.ErrNotFound)
	equal(t, "records of a after late writes", snapshot(t, s, a.ID), ownerSnapshot{})

	wantErr(t, "delete a again", s.DeleteAccount(ctx, a.ID), storeerr.ErrNotFound)
	// The username is free again.
	_, err = s.CreateAccount(ctx, a.Username, PasswordHash, at(100))
	wantErr(t, "reuse username", err, nil)
}

// ownerSnapshot is everything wallet.Store returns for one owner.
type ownerSnapshot struct {
	Credentials   []wallet.Credential
	Pending       []wallet.PendingIssuance
	Presentations []wallet.PresentationRecord
}

func snapshot(t testing.TB, s wallet.Store, owner string) ownerSnapshot {
	t.Helper()
	ctx := t.Context()
	var out ownerSnapshot
	var err error
	out.Credentials, err = s.Credentials(ctx, owner)
	wantErr(t, "credentials", err, nil)
	out.Pending, err = s.PendingIssuances(ctx, owner)
	wantErr(t, "pending", err, nil)
	out.Presentations, err = s.Presentations(ctx, owner)
	wantErr(t, "presentations", err, nil)
	return out
}
