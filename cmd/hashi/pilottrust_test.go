package main

import (
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/pki"
	"github.com/hashi-vc/hashi/trustlist"
)

// TestPilotTrustLists: the demo's lists, signed from the pilot PKI and served over HTTP,
// load through trustlist.Loader exactly as a verifier loads them (LOTL anchored in the LOTL
// signer, NL list through the LOTL's pointer, JP LoTE pinned) and anchor the universities'
// seals and the desks' access certificates; a withdrawal and a stale list are seen.
func TestPilotTrustLists(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	if _, err := pki.Init(dir, pki.DefaultConfig("http://127.0.0.1:8080/issuer"), t0); err != nil {
		t.Fatal(err)
	}
	p, err := pki.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var files map[string][]byte
	srv := httptest.NewServer(trustHandler(func() map[string][]byte { mu.Lock(); defer mu.Unlock(); return files }, func() time.Time { return t0 }))
	defer srv.Close()
	base := srv.URL + "/trust"
	publish := func(pl pilotLists) {
		t.Helper()
		pl.trustBase = base
		f, err := pl.sign(p, pl.issued)
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		files = f
		mu.Unlock()
	}
	publish(pilotLists{issued: t0.Add(time.Hour), next: t0.AddDate(0, 6, 0), sequence: 1})

	entity := func(role pki.Role, id string) *pki.Entity {
		e, err := p.Entity(role, id)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	loader, err := trustlist.NewLoader(srv.Client(),
		trustlist.WithLOTL(trustlist.LOTLConfig{URL: base + "/" + pilotLOTLFile, Signers: []*x509.Certificate{entity(pki.RoleLOTLSigner, "eu").Certificate}, Label: "pilot EU LOTL"}),
		trustlist.WithList(trustlist.ListConfig{Label: "JP pilot LoTE", URL: base + "/" + pilotJPFile, Format: trustlist.FormatLoTE,
			Signers: []*x509.Certificate{entity(pki.RoleTLSigner, "jp").Certificate}, Territory: "JP"}),
		trustlist.WithCacheDir(filepath.Join(dir, "trust-cache")))
	if err != nil {
		t.Fatal(err)
	}
	now := t0.Add(2 * time.Hour)
	snap, err := loader.Load(t.Context(), now)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range snap.Lists {
		if st.Err != nil {
			t.Fatalf("%s: %v", st.Label, st.Err)
		}
	}
	seals := trustlist.Policy{ServiceTypes: []trustlist.ServiceTypeRule{
		{URI: trustlist.ServiceTypeCAQC, AdditionalInfo: []string{trustlist.AdditionalInfoForeSeals}},
		{URI: "http://tl.eujp.ownd-project.com/19602/SvcType/EAA/Issuance"},
	}}
	access := trustlist.Policy{ServiceTypes: []trustlist.ServiceTypeRule{{URI: jpAccessType}}}
	for _, tc := range []struct {
		name   string
		e      *pki.Entity
		policy trustlist.Policy
		path   string
	}{
		{"oostland-seal", entity(pki.RoleSeal, "oostland"), seals, "pilot EU LOTL"},
		{"sakuragaoka-seal", entity(pki.RoleSeal, "sakuragaoka"), seals, "JP pilot LoTE → JP"},
		{"eu-desk-access", entity(pki.RoleAccess, "eu-desk"), access, "pilot EU LOTL"},
		{"jp-desk-access", entity(pki.RoleAccess, "jp-desk"), access, "JP pilot LoTE"},
	} {
		r := snap.Set.Lookup(tc.e.Chain, now, now, tc.policy)
		if !r.TrustedNow || !strings.Contains(r.Path, tc.path) {
			t.Errorf("%s: %+v", tc.name, r)
		}
	}
	// The JP operator withdraws the seal CA in a new list: a credential issued before stays
	// trusted at issuance only; one issued after is not.
	publish(pilotLists{issued: t0.Add(3 * time.Hour), next: t0.AddDate(0, 6, 0), sequence: 2, withdrawnJP: t0.Add(3 * time.Hour)})
	later := t0.Add(4 * time.Hour)
	snap, err = loader.Load(t.Context(), later)
	if err != nil {
		t.Fatal(err)
	}
	jpSeal := entity(pki.RoleSeal, "sakuragaoka").Chain
	if r := snap.Set.Lookup(jpSeal, now, later, seals); r.Reason != trustlist.ReasonWithdrawnSince || !r.TrustedAtIssuance {
		t.Fatalf("after withdrawal: %+v", r)
	}
	// Past NextUpdate every list is stale.
	if r := snap.Set.Lookup(entity(pki.RoleSeal, "oostland").Chain, now, t0.AddDate(0, 6, 1), seals); r.Reason != trustlist.ReasonStaleList {
		t.Fatalf("past next update: %+v", r)
	}
	// Conditional requests: an unchanged list is not downloaded again.
	resp, err := srv.Client().Get(base + "/" + pilotLOTLFile)
	if err != nil {
		t.Fatal(err)
	}
	etag := resp.Header.Get("ETag")
	_ = resp.Body.Close()
	req, _ := http.NewRequestWithContext(t.Context(), "GET", base+"/"+pilotLOTLFile, nil)
	req.Header.Set("If-None-Match", etag)
	resp, err = srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusNotModified || etag == "" {
		t.Fatalf("conditional GET: %d (etag %q)", resp.StatusCode, etag)
	}
}
