package verifier_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/sqldb"
	"github.com/hashi-vc/hashi/internal/sqldb/sqldbtest"
	"github.com/hashi-vc/hashi/verifier"
)

// TestFlowRecent lists a desk's requests newest first with the status the desk API reports
// (pending, verified, rejected with its reason, declined with the wallet's error, expired for
// a pending request past its expiry), the profile or the types asked for, and pages through
// them.
func TestFlowRecent(t *testing.T) {
	t.Parallel()
	f := getPilot()
	cred := f.issue(f.euDiploma())
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		d := newDesk(t, db, "", nil)
		w := newTestWallet(cred)
		// Made 11 minutes before the others, never answered: expired by now.
		d.clock.Set(presentedAt.Add(-11 * time.Minute))
		expired, err := d.flow.CreateRequest(ctx, verifier.RequestInput{Profile: verifier.ProfileDiploma})
		if err != nil {
			t.Fatal(err)
		}
		at := presentedAt
		next := func() { at = at.Add(time.Second); d.clock.Set(at) }
		d.clock.Set(at)
		verified, rv := d.create(t, w, verifier.RequestInput{Profile: verifier.ProfileDiploma})
		next()
		rejected, rr := d.create(t, w, verifier.RequestInput{Profile: verifier.ProfileDiploma, ResponseMode: verifier.ResponseModeDirectPost})
		next()
		q, _ := verifier.ProfileQuery(verifier.ProfileDiploma)
		q.Credentials[0].Claims, q.Credentials[0].ClaimSets = q.Credentials[0].Claims[2:3], nil // the degree title only
		declined, rd := d.create(t, w, verifier.RequestInput{Query: q})
		next()
		pending, _ := d.create(t, w, verifier.RequestInput{Profile: verifier.ProfileLearning, Policy: "learning"})

		if _, err := d.flow.HandleResponse(ctx, w.form(rv, w.present(rv, "", ""))); err != nil {
			t.Fatal(err)
		}
		if _, err := d.flow.HandleResponse(ctx, w.form(rr, w.present(rr, "", "another-nonce"))); err != nil {
			t.Fatal(err)
		}
		if _, err := d.flow.HandleResponse(ctx, url.Values{"error": {"access_denied"}, "state": {rd.State}}); err != nil {
			t.Fatal(err)
		}

		diploma := []string{academic.VCTHashiDiploma}
		want := []verifier.RequestSummary{
			{ID: pending.ID, Status: verifier.StatusPending, Profile: verifier.ProfileLearning, Types: []string{academic.VCTLearningCredential}, Policy: "learning"},
			{ID: declined.ID, Status: verifier.StatusDeclined, Types: diploma, Policy: "default", WalletError: "access_denied"},
			{ID: rejected.ID, Status: verifier.StatusRejected, Profile: verifier.ProfileDiploma, Types: diploma, Policy: "default", Reason: verifier.CodeKBNonceMismatch},
			{ID: verified.ID, Status: verifier.StatusVerified, Profile: verifier.ProfileDiploma, Types: diploma, Policy: "default"},
			{ID: expired.ID, Status: verifier.StatusExpired, Profile: verifier.ProfileDiploma, Types: diploma, Policy: "default"},
		}
		got, err := d.flow.Recent(ctx, time.Time{}, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%d summaries; want %d: %+v", len(got), len(want), got)
		}
		for i, s := range got {
			rep := d.status(t, s.ID)
			w := want[i]
			w.CreatedAt, w.ExpiresAt, w.CompletedAt = rep.CreatedAt, rep.ExpiresAt, rep.CompletedAt
			if s.ID != w.ID || s.Status != w.Status || s.Profile != w.Profile || !slices.Equal(s.Types, w.Types) || s.Policy != w.Policy ||
				s.Reason != w.Reason || s.WalletError != w.WalletError || !s.CreatedAt.Equal(w.CreatedAt) || !s.ExpiresAt.Equal(w.ExpiresAt) ||
				!s.CompletedAt.Equal(w.CompletedAt) {
				t.Errorf("summary %d:\n got  %+v\n want %+v", i, s, w)
			}
			// The status is the one the desk API reports for the request.
			if s.Status != rep.Status {
				t.Errorf("summary %d: status %s; Status says %s", i, s.Status, rep.Status)
			}
		}
		if got[1].CompletedAt.IsZero() || !got[0].CompletedAt.IsZero() {
			t.Errorf("completion times: declined %s, pending %s", got[1].CompletedAt, got[0].CompletedAt)
		}

		// Pages of two, each after the last summary of the one before.
		var ids []string
		var before time.Time
		var beforeID string
		for {
			p, err := d.flow.Recent(ctx, before, beforeID, 2)
			if err != nil {
				t.Fatal(err)
			}
			if len(p) == 0 {
				break
			}
			for _, s := range p {
				ids = append(ids, s.ID)
			}
			before, beforeID = p[len(p)-1].CreatedAt, p[len(p)-1].ID
		}
		var wantIDs []string
		for _, s := range want {
			wantIDs = append(wantIDs, s.ID)
		}
		if !slices.Equal(ids, wantIDs) {
			t.Fatalf("paged ids %v; want %v", ids, wantIDs)
		}
	})
}

// limitStore records the limit the flow asks its store for.
type limitStore struct {
	verifier.Store
	limit int
}

func (s *limitStore) RecentRequests(ctx context.Context, before time.Time, beforeID string, limit int) ([]verifier.Request, error) {
	s.limit = limit
	return s.Store.RecentRequests(ctx, before, beforeID, limit)
}

// TestFlowRecentInput: the limit and the position to page from are checked, and a large
// limit is lowered to MaxRecentRequests before the store sees it.
func TestFlowRecentInput(t *testing.T) {
	t.Parallel()
	d := newDesk(t, sqliteDB(t), "", nil)
	ls := &limitStore{Store: d.store}
	v := must1(verifier.New(getPilot().trustSet(granted(), granted()), &memStatus{}))
	access := d.access
	fl := must1(verifier.NewFlow(ls, v, verifier.FlowConfig{
		Key: access.Signer(), Chain: access.Chain, BaseURL: jpDeskBase, Policies: deskPolicies(), DefaultPolicy: "default", Now: d.clock.Now,
	}))
	ctx := t.Context()
	tests := []struct {
		name     string
		before   time.Time
		beforeID string
		limit    int
	}{
		{"fail/zero-limit", time.Time{}, "", 0},
		{"fail/negative-limit", presentedAt, "", -1},
		{"fail/id-without-time", time.Time{}, "some-id", 10},
		{"fail/id-too-long", presentedAt, strings.Repeat("a", verifier.MaxStateLen+1), 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := fl.Recent(ctx, tc.before, tc.beforeID, tc.limit)
			wantCode(t, err, verifier.CodeInvalidInput)
		})
	}
	if got, err := fl.Recent(ctx, time.Time{}, "", 10*verifier.MaxRecentRequests); err != nil || len(got) != 0 || ls.limit != verifier.MaxRecentRequests {
		t.Fatalf("Recent(limit %d): %v, %v; store asked for %d", 10*verifier.MaxRecentRequests, got, err, ls.limit)
	}
}
