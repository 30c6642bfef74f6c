package verifierstoretest

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/storeerr"
	"github.com/hashi-vc/hashi/verifier"
)

// T0 is the suite's fixed "now". Times the suite stores are whole milliseconds after it.
var T0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

// Run runs the whole behaviour suite against s, the outbox and the list of recent requests
// included. The outbox subtests claim every due entry of the store, and the list's subtest
// expects its requests to be the store's newest, so Run must not run concurrently with
// another Run on the same store; use RunShared for that.
func Run(t *testing.T, s verifier.Store) {
	t.Helper()
	RunShared(t, s)
	t.Run("Webhooks", func(t *testing.T) { testWebhooks(t, s) })
	t.Run("RecentRequests", func(t *testing.T) { testRecentRequests(t, s) })
}

// RunShared runs the subtests that keep out of each other's way (and out of the way of data
// already in s) with random ids, states and kids: everything but the outbox. It may run
// concurrently with itself on one store.
func RunShared(t *testing.T, s verifier.Store) {
	t.Helper()
	t.Run("CreateAndRead", func(t *testing.T) { testCreateAndRead(t, s) })
	t.Run("Conflicts", func(t *testing.T) { testConflicts(t, s) })
	t.Run("NotFound", func(t *testing.T) { testNotFound(t, s) })
	t.Run("Complete", func(t *testing.T) { testComplete(t, s) })
	t.Run("CompleteTwice", func(t *testing.T) { testCompleteTwice(t, s) })
	t.Run("CompleteExpired", func(t *testing.T) { testCompleteExpired(t, s) })
	t.Run("CompleteConcurrent", func(t *testing.T) { testCompleteConcurrent(t, s) })
	t.Run("Replay", func(t *testing.T) { testReplay(t, s) })
	t.Run("ReplayExpiredDigest", func(t *testing.T) { testReplayExpiredDigest(t, s) })
}

// Rand returns prefix followed by 64 random bits in hex.
func Rand(prefix string) string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return prefix + hex.EncodeToString(b[:])
}

// NewRequest returns a pending request with random id, state and nonce created at created
// and expiring ten minutes later; with encrypted, a direct_post.jwt request with a random
// key blob and kid.
func NewRequest(created time.Time, encrypted bool) *verifier.Request {
	r := &verifier.Request{
		ID: Rand("req-"), State: Rand("state-"), Nonce: Rand("nonce-"), ClientID: "x509_hash:abc",
		ResponseMode: verifier.ResponseModeDirectPost, RequestURIMethod: "post",
		Query:  []byte(`{"credentials":[{"id":"diploma","format":"dc+sd-jwt","meta":{"vct_values":["urn:hashi:diploma:1"]}}]}`),
		Policy: "default", SameDevice: true, Status: verifier.StatusPending,
		CreatedAt: created, ExpiresAt: created.Add(10 * time.Minute),
	}
	if encrypted {
		r.ResponseMode = verifier.ResponseModeDirectPostJWT
		r.EncryptionKey = []byte(Rand("pkcs8-"))
		r.EncryptionKeyID = Rand("kid-")
	}
	return r
}

func wantErr(t testing.TB, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case want != nil && !errors.Is(err, want):
		t.Fatalf("error %v; want %v", err, want)
	}
}

func equal(t testing.TB, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got  %+v\n want %+v", what, got, want)
	}
}

func create(t testing.TB, s verifier.Store, r *verifier.Request) {
	t.Helper()
	if err := s.CreateRequest(t.Context(), r); err != nil {
		t.Fatalf("create request: %v", err)
	}
}

func load(t testing.TB, s verifier.Store, id string) *verifier.Request {
	t.Helper()
	r, err := s.Request(t.Context(), id)
	if err != nil {
		t.Fatalf("request %s: %v", id, err)
	}
	return r
}

func testCreateAndRead(t *testing.T, s verifier.Store) {
	ctx := t.Context()
	for _, encrypted := range []bool{false, true} {
		r := NewRequest(T0, encrypted)
		create(t, s, r)
		equal(t, "Request", load(t, s, r.ID), r)
		got, err := s.RequestByState(ctx, r.State)
		wantErr(t, err, nil)
		equal(t, "RequestByState", got, r)
		if encrypted {
			got, err = s.RequestByKeyID(ctx, r.EncryptionKeyID)
			wantErr(t, err, nil)
			equal(t, "RequestByKeyID", got, r)
		}
	}
}

func testConflicts(t *testing.T, s verifier.Store) {
	ctx := t.Context()
	a := NewRequest(T0, true)
	create(t, s, a)
	sameID := NewRequest(T0, true)
	sameID.ID = a.ID
	sameState := NewRequest(T0, true)
	sameState.State = a.State
	sameKid := NewRequest(T0, true)
	sameKid.EncryptionKeyID = a.EncryptionKeyID
	for name, r := range map[string]*verifier.Request{"fail/same-id": sameID, "fail/same-state": sameState, "fail/same-kid": sameKid} {
		t.Run(name, func(t *testing.T) {
			wantErr(t, s.CreateRequest(ctx, r), storeerr.ErrConflict)
		})
	}
	// Two direct_post requests (no kid) do not conflict.
	create(t, s, NewRequest(T0, false))
	create(t, s, NewRequest(T0, false))
}

func testNotFound(t *testing.T, s verifier.Store) {
	ctx := t.Context()
	_, err := s.Request(ctx, Rand("req-"))
	wantErr(t, err, storeerr.ErrNotFound)
	_, err = s.RequestByState(ctx, Rand("state-"))
	wantErr(t, err, storeerr.ErrNotFound)
	_, err = s.RequestByKeyID(ctx, Rand("kid-"))
	wantErr(t, err, storeerr.ErrNotFound)
	err = s.CompleteRequest(ctx, &verifier.Completion{ID: Rand("req-"), Status: verifier.StatusDeclined, CompletedAt: T0}, nil, nil)
	wantErr(t, err, storeerr.ErrNotFound)
}

func testComplete(t *testing.T, s verifier.Store) {
	ctx := t.Context()
	for _, c := range []verifier.Completion{
		{Status: verifier.StatusVerified, Result: []byte(`{"verdict":"accepted"}`), ResponseCodeHash: []byte("0123456789abcdef0123456789abcdef")},
		{Status: verifier.StatusRejected, Result: []byte(`{"verdict":"rejected"}`)},
		{Status: verifier.StatusDeclined, WalletError: "access_denied", WalletErrorDescription: "the user said no"},
	} {
		t.Run("ok/"+string(c.Status), func(t *testing.T) {
			r := NewRequest(T0, true)
			create(t, s, r)
			c.ID, c.CompletedAt = r.ID, T0.Add(time.Minute)
			wantErr(t, s.CompleteRequest(ctx, &c, nil, nil), nil)
			want := *r
			want.Status, want.Result, want.WalletError, want.WalletErrorDescription = c.Status, c.Result, c.WalletError, c.WalletErrorDescription
			want.ResponseCodeHash, want.CompletedAt = c.ResponseCodeHash, c.CompletedAt
			want.EncryptionKey = nil // cleared on completion; the kid stays
			equal(t, "completed request", load(t, s, r.ID), &want)
		})
	}
}

func testCompleteTwice(t *testing.T, s verifier.Store) {
	ctx := t.Context()
	r := NewRequest(T0, false)
	create(t, s, r)
	first := &verifier.Completion{ID: r.ID, Status: verifier.StatusVerified, Result: []byte(`{}`), CompletedAt: T0.Add(time.Second)}
	wantErr(t, s.CompleteRequest(ctx, first, nil, nil), nil)
	second := &verifier.Completion{ID: r.ID, Status: verifier.StatusDeclined, WalletError: "access_denied", CompletedAt: T0.Add(2 * time.Second)}
	wantErr(t, s.CompleteRequest(ctx, second, nil, nil), storeerr.ErrConflict)
	got := load(t, s, r.ID)
	if got.Status != verifier.StatusVerified || got.WalletError != "" || !got.CompletedAt.Equal(first.CompletedAt) {
		t.Fatalf("second completion changed the request: %+v", got)
	}
}

func testCompleteExpired(t *testing.T, s verifier.Store) {
	ctx := t.Context()
	r := NewRequest(T0, false)
	create(t, s, r)
	use := []verifier.SingleUse{{Kind: verifier.UsePresentation, Value: Rand("digest-"), ExpiresAt: r.ExpiresAt.Add(time.Hour)}}
	c := &verifier.Completion{ID: r.ID, Status: verifier.StatusRejected, Result: []byte(`{}`), CompletedAt: r.ExpiresAt}
	wh := &verifier.Webhook{ID: Rand("wh-"), RequestID: r.ID, URL: "https://hook.example/", Payload: []byte(`{}`), CreatedAt: r.ExpiresAt, NextAttemptAt: r.ExpiresAt}
	wantErr(t, s.CompleteRequest(ctx, c, use, wh), storeerr.ErrExpired)
	equal(t, "expired request", load(t, s, r.ID), r)
	// The digest was not remembered: it can be used by another request.
	other := NewRequest(T0, false)
	create(t, s, other)
	c2 := &verifier.Completion{ID: other.ID, Status: verifier.StatusVerified, Result: []byte(`{}`), CompletedAt: T0.Add(time.Minute)}
	wantErr(t, s.CompleteRequest(ctx, c2, use, nil), nil)
}

func testCompleteConcurrent(t *testing.T, s verifier.Store) {
	ctx := t.Context()
	r := NewRequest(T0, true)
	create(t, s, r)
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			c := &verifier.Completion{ID: r.ID, Status: verifier.StatusRejected, Result: []byte(`{"i":` + strconv.Itoa(i) + `}`), CompletedAt: T0.Add(time.Second)}
			errs[i] = s.CompleteRequest(ctx, c, nil, nil)
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, storeerr.ErrConflict):
			t.Fatalf("concurrent completion: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d concurrent completions succeeded; want 1", ok)
	}
}

func testReplay(t *testing.T, s verifier.Store) {
	ctx := t.Context()
	digest := Rand("digest-")
	uses := []verifier.SingleUse{
		{Kind: verifier.UsePresentation, Value: Rand("digest-"), ExpiresAt: T0.Add(time.Hour)},
		{Kind: verifier.UsePresentation, Value: digest, ExpiresAt: T0.Add(time.Hour)},
	}
	a, b := NewRequest(T0, false), NewRequest(T0, false)
	create(t, s, a)
	create(t, s, b)
	wantErr(t, s.CompleteRequest(ctx, &verifier.Completion{ID: a.ID, Status: verifier.StatusVerified, Result: []byte(`{}`), CompletedAt: T0.Add(time.Second)}, uses[1:], nil), nil)
	wh := &verifier.Webhook{ID: Rand("wh-"), RequestID: b.ID, URL: "https://hook.example/", Payload: []byte(`{}`), CreatedAt: T0, NextAttemptAt: T0}
	err := s.CompleteRequest(ctx, &verifier.Completion{ID: b.ID, Status: verifier.StatusVerified, Result: []byte(`{}`), CompletedAt: T0.Add(2 * time.Second)}, uses, wh)
	wantErr(t, err, storeerr.ErrConflict)
	if _, ok := errors.AsType[*verifier.UsedError](err); !ok {
		t.Fatalf("replay: %T %v; want *verifier.UsedError", err, err)
	}
	equal(t, "request after refused replay", load(t, s, b.ID), b)
	// Nothing of the refused transaction stayed: uses[0] is still fresh.
	c := &verifier.Completion{ID: b.ID, Status: verifier.StatusRejected, Result: []byte(`{"reason":"presentation_replayed"}`), CompletedAt: T0.Add(3 * time.Second)}
	wantErr(t, s.CompleteRequest(ctx, c, uses[:1], nil), nil)
	if got := load(t, s, b.ID); got.Status != verifier.StatusRejected {
		t.Fatalf("status %s; want rejected", got.Status)
	}
}

func testReplayExpiredDigest(t *testing.T, s verifier.Store) {
	ctx := t.Context()
	digest := Rand("digest-")
	a, b := NewRequest(T0, false), NewRequest(T0.Add(2*time.Hour), false)
	create(t, s, a)
	create(t, s, b)
	use := []verifier.SingleUse{{Kind: verifier.UsePresentation, Value: digest, ExpiresAt: T0.Add(time.Hour)}}
	wantErr(t, s.CompleteRequest(ctx, &verifier.Completion{ID: a.ID, Status: verifier.StatusVerified, Result: []byte(`{}`), CompletedAt: T0.Add(time.Second)}, use, nil), nil)
	use[0].ExpiresAt = T0.Add(3 * time.Hour)
	wantErr(t, s.CompleteRequest(ctx, &verifier.Completion{ID: b.ID, Status: verifier.StatusVerified, Result: []byte(`{}`), CompletedAt: T0.Add(2*time.Hour + time.Second)}, use, nil), nil)
}

func testWebhooks(t *testing.T, s verifier.Store) {
	ctx := t.Context()
	r := NewRequest(T0, false)
	create(t, s, r)
	at := T0.Add(time.Minute)
	wh := &verifier.Webhook{ID: Rand("wh-"), RequestID: r.ID, URL: "https://hook.example/results", Payload: []byte(`{"request_id":"x"}`), CreatedAt: at, NextAttemptAt: at}
	wantErr(t, s.CompleteRequest(ctx, &verifier.Completion{ID: r.ID, Status: verifier.StatusVerified, Result: []byte(`{}`), CompletedAt: at}, nil, wh), nil)

	claim := func(now time.Time) []verifier.Webhook {
		t.Helper()
		got, err := s.ClaimWebhooks(ctx, now, 2*time.Minute, 100)
		wantErr(t, err, nil)
		return got
	}
	if got := claim(at.Add(-time.Millisecond)); len(got) != 0 {
		t.Fatalf("claimed %d webhooks before they are due", len(got))
	}
	got := claim(at)
	want := *wh
	want.NextAttemptAt = at.Add(2 * time.Minute)
	equal(t, "claimed webhooks", got, []verifier.Webhook{want})
	if got := claim(at.Add(time.Minute)); len(got) != 0 {
		t.Fatalf("claimed %d leased webhooks", len(got))
	}
	// A failed attempt, retried later.
	w := got[0]
	w.Attempts, w.LastError, w.NextAttemptAt = 1, "503 Service Unavailable", at.Add(10*time.Minute)
	wantErr(t, s.UpdateWebhook(ctx, &w), nil)
	if got := claim(at.Add(9 * time.Minute)); len(got) != 0 {
		t.Fatalf("claimed %d webhooks before the retry time", len(got))
	}
	got = claim(at.Add(10 * time.Minute))
	if len(got) != 1 || got[0].Attempts != 1 || got[0].LastError != "503 Service Unavailable" {
		t.Fatalf("retry claim: %+v", got)
	}
	// Delivered: never claimed again.
	w = got[0]
	w.Attempts, w.LastError, w.DeliveredAt = 2, "", at.Add(10*time.Minute)
	wantErr(t, s.UpdateWebhook(ctx, &w), nil)
	if got := claim(at.Add(24 * time.Hour)); len(got) != 0 {
		t.Fatalf("claimed %d delivered webhooks", len(got))
	}
	// Given up: never claimed again.
	r2 := NewRequest(T0, false)
	create(t, s, r2)
	wh2 := &verifier.Webhook{ID: Rand("wh-"), RequestID: r2.ID, URL: "https://hook.example/results", Payload: []byte(`{}`), CreatedAt: at, NextAttemptAt: at}
	wantErr(t, s.CompleteRequest(ctx, &verifier.Completion{ID: r2.ID, Status: verifier.StatusDeclined, WalletError: "access_denied", CompletedAt: at}, nil, wh2), nil)
	got = claim(at)
	if len(got) != 1 || got[0].ID != wh2.ID {
		t.Fatalf("claim: %+v", got)
	}
	w = got[0]
	w.Attempts, w.GaveUp, w.LastError = verifier.MaxWebhookAttempts, true, "timeout"
	wantErr(t, s.UpdateWebhook(ctx, &w), nil)
	if got := claim(at.Add(24 * time.Hour)); len(got) != 0 {
		t.Fatalf("claimed %d given-up webhooks", len(got))
	}
	w.ID = Rand("wh-")
	wantErr(t, s.UpdateWebhook(ctx, &w), storeerr.ErrNotFound)
}

// testRecentRequests pages through requests made a year after every other request of the
// suite (so they are the store's newest), with several created in the same millisecond: the
// order is CreatedAt and then ID descending, each page starts right after the previous
// page's last request, nothing is skipped or repeated at ties, and the requests come back as
// stored (answered ones with their result; a pending one past its expiry still pending).
func testRecentRequests(t *testing.T, s verifier.Store) {
	ctx := t.Context()
	base := T0.AddDate(1, 0, 0)
	prefix := Rand("recent-") + "-"
	// Created out of order; b, c and d in the same millisecond, f and g in another.
	offsets := map[string]time.Duration{"a": 0, "d": time.Second, "b": time.Second, "c": time.Second, "e": 2 * time.Second, "g": 3 * time.Second, "f": 3 * time.Second}
	for _, k := range []string{"d", "a", "g", "b", "e", "c", "f"} {
		r := NewRequest(base.Add(offsets[k]), k == "e")
		r.ID = prefix + k
		create(t, s, r)
	}
	wantErr(t, s.CompleteRequest(ctx, &verifier.Completion{ID: prefix + "c", Status: verifier.StatusRejected, Result: []byte(`{"verdict":"rejected","reason":"status_revoked"}`), CompletedAt: base.Add(90 * time.Second)}, nil, nil), nil)
	wantErr(t, s.CompleteRequest(ctx, &verifier.Completion{ID: prefix + "e", Status: verifier.StatusDeclined, WalletError: "access_denied", CompletedAt: base.Add(time.Minute)}, nil, nil), nil)
	// Newest first, ties by id descending: g f e d c b a.
	var want []verifier.Request
	for _, k := range []string{"g", "f", "e", "d", "c", "b", "a"} {
		want = append(want, *load(t, s, prefix+k))
	}
	if want[4].Status != verifier.StatusRejected || want[2].Status != verifier.StatusDeclined {
		t.Fatalf("setup: %+v", want)
	}
	page := func(before time.Time, beforeID string, limit int) []verifier.Request {
		t.Helper()
		got, err := s.RecentRequests(ctx, before, beforeID, limit)
		wantErr(t, err, nil)
		return got
	}
	// Pages of two from the newest, each after the last of the one before: g f | e d | c b |
	// a and older; the tie d c b straddles a page boundary.
	var got []verifier.Request
	var before time.Time
	var beforeID string
	for range 3 {
		p := page(before, beforeID, 2)
		if len(p) != 2 {
			t.Fatalf("page of %d; want 2", len(p))
		}
		got = append(got, p...)
		before, beforeID = p[1].CreatedAt, p[1].ID
	}
	p := page(before, beforeID, 2)
	if len(p) == 0 {
		t.Fatal("last page empty")
	}
	got = append(got, p[0])
	for _, r := range p[1:] { // older requests of the other subtests
		if !r.CreatedAt.Before(base) {
			t.Fatalf("after the oldest of the list came %s created at %s", r.ID, r.CreatedAt)
		}
	}
	equal(t, "requests in pages of 2", got, want)
	// One page with all of them, and a limit beyond what is stored.
	equal(t, "one page of 7", page(time.Time{}, "", 7), want)
	if all := page(time.Time{}, "", 1000); len(all) < len(want) || !reflect.DeepEqual(all[:len(want)], want) {
		t.Fatalf("a limit of 1000 returned %d requests, not starting with the list's", len(all))
	}
	// Within a tie: after d come c and b (same millisecond, smaller ids), then a.
	equal(t, "after d", page(want[3].CreatedAt, want[3].ID, 3), want[4:7])
	// Without an id, strictly before the time: the tie d c b is skipped as a whole.
	equal(t, "before d's millisecond", page(want[3].CreatedAt, "", 1), want[6:7])
	// After the last page, nothing.
	if p := page(T0.AddDate(-1, 0, 0), "", 10); len(p) != 0 {
		t.Fatalf("%d requests created before every request", len(p))
	}
	// A pending request is listed as stored, even past its expiry.
	if r := page(base.Add(time.Hour), "", 1)[0]; r.ID != want[0].ID || r.Status != verifier.StatusPending {
		t.Fatalf("newest %s %s", r.ID, r.Status)
	}
	// Limit and cursor are checked.
	_, err := s.RecentRequests(ctx, time.Time{}, "", 0)
	wantErr(t, err, storeerr.ErrInvalid)
	_, err = s.RecentRequests(ctx, time.Time{}, want[0].ID, 1)
	wantErr(t, err, storeerr.ErrInvalid)
}
