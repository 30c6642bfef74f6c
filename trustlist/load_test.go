package trustlist_test

import (
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/trustlist"
)

const (
	euLOTLURL  = "https://ec.europa.eu/tools/lotl/eu-lotl.xml"
	pivotURL   = "https://ec.europa.eu/tools/lotl/eu-lotl-pivot-"
	oj2019URL  = "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=uriserv:OJ.C_.2019.276.01.0001.01.ENG"
	lotl248Now = "2019-09-05T00:00:00Z"
)

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func newLoader(t testing.TB, c *http.Client, opts ...trustlist.LoaderOption) *trustlist.Loader {
	t.Helper()
	l, err := trustlist.NewLoader(c, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func load(t testing.TB, l *trustlist.Loader, now time.Time) *trustlist.Snapshot {
	t.Helper()
	s, err := l.Load(t.Context(), now)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// wantState is the expected outcome for one list: a code ("" = clean), and whether a
// verified copy is in use, from which origin.
type wantState struct {
	code   trustlist.Code
	origin trustlist.Origin // "" = contributes nothing
}

func checkState(t testing.TB, st trustlist.ListState, w wantState) {
	t.Helper()
	if got := st.Code(); got != w.code {
		t.Errorf("%s (%s): code = %q (%v), want %q", st.Label, st.URL, got, st.Err, w.code)
	}
	if st.Origin != w.origin {
		t.Errorf("%s (%s): origin = %q, want %q", st.Label, st.URL, st.Origin, w.origin)
	}
	if (st.List != nil) != (w.origin != "") {
		t.Errorf("%s (%s): list in use = %v, want %v", st.Label, st.URL, st.List != nil, w.origin != "")
	}
}

// nationalStates returns the national list states by territory.
func nationalStates(s *trustlist.Snapshot) map[string]trustlist.ListState {
	out := map[string]trustlist.ListState{}
	for _, st := range s.Lists {
		if st.Role == trustlist.RolePointed {
			out[st.Territory] = st
		}
	}
	return out
}

// TestLoadPivotChain loads the real EU LOTL 341 over HTTP from the addresses it names,
// anchored in the OJ 2019 set through the pivots 282 → 300 → 335 → 341, and the national
// lists its pointers pin, at 2025-04-11. The 2019 AT/BE/FI/SK lists are pinned by 341's
// pointers but their signer certificates expired before 2025, so they fail as
// untrusted_signer at the load time (verify_test.go checks them at their issue dates); the
// 2019 NL and SE lists are signed by keys 341 no longer announces.
func TestLoadPivotChain(t *testing.T) {
	now := mustTime("2025-04-11T00:00:00Z")
	pivots := map[int]string{282: "eu/eu-lotl-pivot-282.xml", 300: "eu/eu-lotl-pivot-300.xml", 335: "eu/eu-lotl-pivot-335.xml", 341: lotl341}
	national := map[string]string{"AT": "eu/tl-AT-seq42.xml", "BE": "eu/tl-BE-seq43.xml", "CY": "eu/tl-CY-seq31.xml", "FI": "eu/tl-FI-seq32.xml", "SK": "eu/tl-SK-seq95.xml", "SE": "eu/tl-SE-seq55-2025.xml"}
	tests := []struct {
		name         string
		cfg          trustlist.LOTLConfig
		skipPivot    int               // a pivot the server does not have
		override     map[string]string // territory → fixture served instead
		wantPivots   map[int]wantState
		wantLOTL     wantState
		wantNational map[string]wantState // unlisted territories: fetch_failed (404)
	}{
		{
			name:       "ok/oj-2019-through-pivots",
			cfg:        trustlist.LOTLConfig{URL: euLOTLURL, Signers: loadPEM(t, ojSet), Pivots: true, Announcement: oj2019URL},
			wantPivots: map[int]wantState{282: {"", trustlist.OriginNetwork}, 300: {"", trustlist.OriginNetwork}, 335: {"", trustlist.OriginNetwork}, 341: {"", trustlist.OriginNetwork}},
			wantLOTL:   wantState{"", trustlist.OriginNetwork},
			wantNational: map[string]wantState{
				"CY": {"", trustlist.OriginNetwork}, "SE": {"", trustlist.OriginNetwork},
				"AT": {trustlist.CodeUntrustedSigner, ""}, "BE": {trustlist.CodeUntrustedSigner, ""},
				"FI": {trustlist.CodeUntrustedSigner, ""}, "SK": {trustlist.CodeUntrustedSigner, ""},
			},
		},
		{
			name:       "ok/no-announcement-marker-walks-every-xml-entry",
			cfg:        trustlist.LOTLConfig{URL: euLOTLURL, Signers: loadPEM(t, ojSet), Pivots: true, Territories: []string{"CY"}},
			wantPivots: map[int]wantState{282: {"", trustlist.OriginNetwork}, 300: {"", trustlist.OriginNetwork}, 335: {"", trustlist.OriginNetwork}, 341: {"", trustlist.OriginNetwork}},
			wantLOTL:   wantState{"", trustlist.OriginNetwork},
			wantNational: map[string]wantState{
				"CY": {"", trustlist.OriginNetwork},
			},
		},
		{
			name:       "fail/nl-and-se-2019-rotated-out",
			cfg:        trustlist.LOTLConfig{URL: euLOTLURL, Signers: loadPEM(t, ojSet), Pivots: true, Announcement: oj2019URL, Territories: []string{"NL", "SE"}},
			override:   map[string]string{"NL": "eu/tl-NL-seq41.xml", "SE": "eu/tl-SE-seq32.xml"},
			wantPivots: map[int]wantState{282: {"", trustlist.OriginNetwork}, 300: {"", trustlist.OriginNetwork}, 335: {"", trustlist.OriginNetwork}, 341: {"", trustlist.OriginNetwork}},
			wantLOTL:   wantState{"", trustlist.OriginNetwork},
			wantNational: map[string]wantState{
				"NL": {trustlist.CodeUntrustedSigner, ""}, "SE": {trustlist.CodeUntrustedSigner, ""},
			},
		},
		{
			name:         "fail/without-pivots-oj-2019-does-not-sign-341",
			cfg:          trustlist.LOTLConfig{URL: euLOTLURL, Signers: loadPEM(t, ojSet)},
			wantLOTL:     wantState{trustlist.CodeUntrustedSigner, ""},
			wantNational: map[string]wantState{},
		},
		{
			// 282's set also signs 335, so a missing 300 is bridged.
			name:       "ok/missing-pivot-300-is-bridged-by-282",
			cfg:        trustlist.LOTLConfig{URL: euLOTLURL, Signers: loadPEM(t, ojSet), Pivots: true, Announcement: oj2019URL, Territories: []string{"SE"}},
			skipPivot:  300,
			wantPivots: map[int]wantState{282: {"", trustlist.OriginNetwork}, 300: {trustlist.CodeFetchFailed, ""}, 335: {"", trustlist.OriginNetwork}, 341: {"", trustlist.OriginNetwork}},
			wantLOTL:   wantState{"", trustlist.OriginNetwork},
			wantNational: map[string]wantState{
				"SE": {"", trustlist.OriginNetwork},
			},
		},
		{
			// 300's set does not sign 341: without 335 the LOTL is not trusted.
			name:         "fail/missing-pivot-335-breaks-the-chain",
			cfg:          trustlist.LOTLConfig{URL: euLOTLURL, Signers: loadPEM(t, ojSet), Pivots: true, Announcement: oj2019URL},
			skipPivot:    335,
			wantPivots:   map[int]wantState{282: {"", trustlist.OriginNetwork}, 300: {"", trustlist.OriginNetwork}, 335: {trustlist.CodeFetchFailed, ""}, 341: {trustlist.CodeUntrustedSigner, ""}},
			wantLOTL:     wantState{trustlist.CodeUntrustedSigner, ""},
			wantNational: map[string]wantState{},
		},
		{
			name:         "fail/wrong-anchor",
			cfg:          trustlist.LOTLConfig{URL: euLOTLURL, Signers: loadPEM(t, "eu/lotl-signers/wrong-signer-es-ac-raiz-dgp.pem"), Pivots: true, Announcement: oj2019URL},
			wantPivots:   map[int]wantState{282: {trustlist.CodeUntrustedSigner, ""}, 300: {trustlist.CodeUntrustedSigner, ""}, 335: {trustlist.CodeUntrustedSigner, ""}, 341: {trustlist.CodeUntrustedSigner, ""}},
			wantLOTL:     wantState{trustlist.CodeUntrustedSigner, ""},
			wantNational: map[string]wantState{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newListServer(t)
			srv.put(euLOTLURL, readFixture(t, lotl341))
			for seq, f := range pivots {
				if seq != tc.skipPivot {
					srv.put(pivotURL+strconv.Itoa(seq)+".xml", readFixture(t, f))
				}
			}
			for terr, f := range national {
				srv.put(pointerURL(t, lotl341, terr), readFixture(t, f))
			}
			for terr, f := range tc.override {
				srv.put(pointerURL(t, lotl341, terr), readFixture(t, f))
			}
			s := load(t, newLoader(t, srv.client(), trustlist.WithLOTL(tc.cfg)), now)

			var walked []uint64
			for _, st := range s.Lists {
				if st.Role != trustlist.RolePivot {
					continue
				}
				var seq int
				for q := range pivots {
					if st.URL == pivotURL+strconv.Itoa(q)+".xml" {
						seq = q
					}
				}
				checkState(t, st, tc.wantPivots[seq])
				walked = append(walked, uint64(seq))
			}
			if len(walked) != len(tc.wantPivots) {
				t.Fatalf("walked pivots %v, want %d", walked, len(tc.wantPivots))
			}
			for i := 1; i < len(walked); i++ {
				if walked[i] <= walked[i-1] {
					t.Fatalf("pivots not walked oldest first: %v", walked)
				}
			}
			checkState(t, stateOf(t, s, euLOTLURL), tc.wantLOTL)
			nat := nationalStates(s)
			for terr, w := range tc.wantNational {
				st, ok := nat[terr]
				if !ok {
					t.Fatalf("no state for %s", terr)
				}
				checkState(t, st, w)
			}
			for terr, st := range nat {
				if _, ok := tc.wantNational[terr]; !ok {
					checkState(t, st, wantState{trustlist.CodeFetchFailed, ""})
				}
			}
			if tc.wantLOTL.origin != "" && tc.cfg.Territories == nil && len(nat) != 31 {
				t.Fatalf("%d national lists, want the 31 XML pointers of 341", len(nat))
			}
			if tc.wantLOTL.origin == "" && len(nat) != 0 {
				t.Fatal("national lists loaded without a verified LOTL")
			}
			if se, ok := nat["SE"]; ok && se.List != nil {
				if se.Label != "EU LOTL → SE trusted list" || se.SequenceNumber != 55 || !se.NextUpdate.Equal(mustTime("2025-10-10T11:16:01Z")) || se.Stale {
					t.Fatalf("SE state %+v", se)
				}
			}
		})
	}
}

// TestLoad248 loads the 2019 LOTL 248 with the OJ 2019 signers (no pivots) and the seven
// national lists in testdata its pointers pin.
func TestLoad248(t *testing.T) {
	now := mustTime(lotl248Now)
	national := map[string]string{"AT": "eu/tl-AT-seq42.xml", "BE": "eu/tl-BE-seq43.xml", "CY": "eu/tl-CY-seq31.xml", "FI": "eu/tl-FI-seq32.xml", "NL": "eu/tl-NL-seq41.xml", "SE": "eu/tl-SE-seq32.xml", "SK": "eu/tl-SK-seq59.xml"}
	tests := []struct {
		name        string
		territories []string
		override    map[string]string // territory → fixture served at its pointer instead
		want        map[string]wantState
	}{
		{"ok/all-pinned", nil, nil, map[string]wantState{
			"AT": {"", trustlist.OriginNetwork}, "BE": {"", trustlist.OriginNetwork}, "CY": {"", trustlist.OriginNetwork},
			"FI": {"", trustlist.OriginNetwork}, "NL": {"", trustlist.OriginNetwork}, "SE": {"", trustlist.OriginNetwork}, "SK": {"", trustlist.OriginNetwork},
		}},
		{"ok/selected-territories", []string{"CY", "SK"}, nil, map[string]wantState{
			"CY": {"", trustlist.OriginNetwork}, "SK": {"", trustlist.OriginNetwork},
		}},
		{"fail/territory-without-pointer", []string{"CY", "JP"}, nil, map[string]wantState{
			"CY": {"", trustlist.OriginNetwork}, "JP": {trustlist.CodeListMismatch, ""},
		}},
		{"fail/cy-list-at-the-at-pointer", []string{"AT"}, map[string]string{"AT": "eu/tl-CY-seq31.xml"}, map[string]wantState{
			"AT": {trustlist.CodeUntrustedSigner, ""},
		}},
		{"fail/tampered-sk", []string{"SK"}, map[string]string{"SK": "eu/tl-SK-seq95-altered-trust-service.xml"}, map[string]wantState{
			"SK": {trustlist.CodeDigestMismatch, ""},
		}},
		{"fail/broken-lotl-signature-as-national", []string{"SE"}, map[string]string{"SE": "eu/tl-SE-seq55-2025.xml"}, map[string]wantState{
			"SE": {trustlist.CodeUntrustedSigner, ""},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newListServer(t)
			srv.put(euLOTLURL, readFixture(t, lotl248))
			for terr, f := range national {
				srv.put(pointerURL(t, lotl248, terr), readFixture(t, f))
			}
			for terr, f := range tc.override {
				srv.put(pointerURL(t, lotl248, terr), readFixture(t, f))
			}
			s := load(t, newLoader(t, srv.client(), trustlist.WithLOTL(trustlist.LOTLConfig{URL: euLOTLURL, Signers: loadPEM(t, ojSet), Territories: tc.territories})), now)
			lotl := stateOf(t, s, euLOTLURL)
			checkState(t, lotl, wantState{"", trustlist.OriginNetwork})
			if lotl.SequenceNumber != 248 || lotl.Label != "EU LOTL" || lotl.Role != trustlist.RoleLOTL {
				t.Fatalf("LOTL state %+v", lotl)
			}
			nat := nationalStates(s)
			for terr, w := range tc.want {
				checkState(t, nat[terr], w)
			}
			for terr, st := range nat {
				if _, ok := tc.want[terr]; !ok {
					checkState(t, st, wantState{trustlist.CodeFetchFailed, ""})
				}
			}
			if tc.territories == nil && len(nat) != 31 {
				t.Fatalf("%d national lists, want 31", len(nat))
			}
			if tc.territories != nil && len(nat) != len(tc.territories) {
				t.Fatalf("%d national lists, want %d", len(nat), len(tc.territories))
			}
			if nl, ok := nat["NL"]; ok && nl.List != nil && !nl.Stale {
				t.Fatal("NL (NextUpdate 2019-07-24) not flagged stale at 2019-09-05")
			}
			if cy, ok := nat["CY"]; ok && cy.List != nil && (cy.Stale || cy.Label != "EU LOTL → CY trusted list" || cy.SequenceNumber != 31) {
				t.Fatalf("CY state %+v", cy)
			}
		})
	}
}

// TestLoadLookup checks that the Snapshot's Set holds the verified national lists under
// their labels.
func TestLoadLookup(t *testing.T) {
	srv := newListServer(t)
	srv.put(euLOTLURL, readFixture(t, lotl248))
	srv.put(pointerURL(t, lotl248, "NL"), readFixture(t, "eu/tl-NL-seq41.xml"))
	l := newLoader(t, srv.client(), trustlist.WithLOTL(trustlist.LOTLConfig{URL: euLOTLURL, Signers: loadPEM(t, ojSet), Territories: []string{"NL"}}))
	s := load(t, l, day(2019, 3, 1))
	nl := stateOf(t, s, pointerURL(t, lotl248, "NL")).List
	cert := nl.Providers[0].Services[0].Identity.Certificates[0]
	r := s.Lookup([]*x509.Certificate{cert}, day(2019, 2, 1), day(2019, 3, 1), caQCSignatures)
	if !r.TrustedNow || !strings.HasPrefix(r.Path, "EU LOTL → NL trusted list → NL → ") {
		t.Fatalf("lookup = %+v", r)
	}
	if r := s.Lookup([]*x509.Certificate{cert}, day(2019, 2, 1), day(2019, 8, 1), caQCSignatures); r.Reason != trustlist.ReasonStaleList {
		t.Fatalf("after NextUpdate: %+v", r)
	}
}

// TestLoadSynthetic covers what real lists cannot show, with generated signers.
func TestLoadSynthetic(t *testing.T) {
	pki := newSynthPKI(t)
	lotl := pki.lotl(t, 1)
	xa := pki.xa.sign(t, synthTL("XA", 8), "")
	xb := pki.xb.sign(t, synthTL("XB", 3), "")
	tests := []struct {
		name    string
		lotl    []byte
		xa      []byte
		xaCode  int // forced HTTP status for XA
		opts    []trustlist.LoaderOption
		want    wantState // for XA
		wantXB  bool      // XB loads
		lotlErr trustlist.Code
	}{
		{name: "ok/both", lotl: lotl, xa: xa, want: wantState{"", trustlist.OriginNetwork}, wantXB: true},
		{name: "fail/xa-signed-with-the-key-the-xb-pointer-announces", lotl: lotl, xa: pki.xb.sign(t, synthTL("XA", 8), ""), want: wantState{trustlist.CodeUntrustedSigner, ""}, wantXB: true},
		{name: "fail/territory-differs-from-pointer", lotl: lotl, xa: pki.xa.sign(t, synthTL("XB", 8), ""), want: wantState{trustlist.CodeListMismatch, ""}, wantXB: true},
		{name: "fail/status-500", lotl: lotl, xa: xa, xaCode: http.StatusInternalServerError, want: wantState{trustlist.CodeFetchFailed, ""}, wantXB: true},
		{name: "fail/status-404", lotl: lotl, xaCode: http.StatusNotFound, want: wantState{trustlist.CodeFetchFailed, ""}, wantXB: true},
		{name: "fail/oversized-body", lotl: lotl, xa: append(append([]byte{}, xa...), []byte(strings.Repeat(" ", len(lotl)))...), opts: []trustlist.LoaderOption{trustlist.WithMaxBodySize(int64(len(lotl)))}, want: wantState{trustlist.CodeTooLarge, ""}, wantXB: true},
		{name: "fail/not-xml", lotl: lotl, xa: []byte("<html>maintenance</html>"), want: wantState{trustlist.CodeMalformed, ""}, wantXB: true},
		{name: "fail/lotl-signed-by-a-national-key", lotl: pki.xa.sign(t, synthLOTL(1), ""), xa: xa, lotlErr: trustlist.CodeUntrustedSigner},
		{name: "fail/lotl-is-not-a-list-of-lists", lotl: pki.oj.sign(t, synthTL("EU", 1), ""), xa: xa, lotlErr: trustlist.CodeListMismatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newListServer(t)
			srv.put(synthLOTLURL, tc.lotl)
			if tc.xa != nil {
				srv.put(synthXAURL, tc.xa)
			}
			if tc.xaCode != 0 {
				srv.setStatus(synthXAURL, tc.xaCode)
			}
			srv.put(synthXBURL, xb)
			opts := append([]trustlist.LoaderOption{trustlist.WithLOTL(trustlist.LOTLConfig{URL: synthLOTLURL, Signers: []*x509.Certificate{pki.oj.cert}})}, tc.opts...)
			s := load(t, newLoader(t, srv.client(), opts...), synthNow)
			if tc.lotlErr != "" {
				checkState(t, stateOf(t, s, synthLOTLURL), wantState{tc.lotlErr, ""})
				if len(s.Lists) != 1 {
					t.Fatalf("%d states, want only the LOTL", len(s.Lists))
				}
				return
			}
			checkState(t, stateOf(t, s, synthXAURL), tc.want)
			if got := stateOf(t, s, synthXBURL).List != nil; got != tc.wantXB {
				t.Fatalf("XB loaded = %v", got)
			}
		})
	}
}

// TestLoadConditionalAndCache runs one service through its life: first start online,
// refresh with conditional requests, restart offline from the disk cache, and a tampered
// cache file.
func TestLoadConditionalAndCache(t *testing.T) {
	pki := newSynthPKI(t)
	srv := newListServer(t)
	srv.put(synthLOTLURL, pki.lotl(t, 1))
	srv.put(synthXAURL, pki.xa.sign(t, synthTL("XA", 8), ""))
	srv.put(synthXBURL, pki.xb.sign(t, synthTL("XB", 3), ""))
	dir := filepath.Join(t.TempDir(), "cache")
	opts := []trustlist.LoaderOption{
		trustlist.WithLOTL(trustlist.LOTLConfig{URL: synthLOTLURL, Signers: []*x509.Certificate{pki.oj.cert}}),
		trustlist.WithCacheDir(dir),
	}
	urls := []string{synthLOTLURL, synthXAURL, synthXBURL}
	expect := func(t *testing.T, s *trustlist.Snapshot, w map[string]wantState) {
		t.Helper()
		for _, u := range urls {
			checkState(t, stateOf(t, s, u), w[u])
		}
	}
	all := func(w wantState) map[string]wantState {
		return map[string]wantState{synthLOTLURL: w, synthXAURL: w, synthXBURL: w}
	}

	first := newLoader(t, srv.client(), opts...)
	t.Run("ok/first-load-from-network", func(t *testing.T) {
		expect(t, load(t, first, synthNow), all(wantState{"", trustlist.OriginNetwork}))
		for _, u := range urls {
			if r := srv.requests(u); len(r) != 1 || r[0].ifNoneMatch != "" || r[0].ifModifiedSince != "" {
				t.Fatalf("%s: requests %+v, want one unconditional", u, r)
			}
		}
		fi, err := os.Stat(dir)
		if err != nil || fi.Mode().Perm() != 0o700 {
			t.Fatalf("cache dir mode %v (%v), want 0700", fi.Mode().Perm(), err)
		}
		for _, u := range urls {
			h := sha256.Sum256([]byte(u))
			for _, ext := range []string{".list", ".json"} {
				fi, err := os.Stat(filepath.Join(dir, hex.EncodeToString(h[:])+ext))
				if err != nil || fi.Mode().Perm() != 0o600 {
					t.Fatalf("%s%s: mode %v (%v), want 0600", u, ext, fi.Mode().Perm(), err)
				}
			}
		}
		entries, err := os.ReadDir(dir)
		if err != nil || len(entries) != 6 {
			t.Fatalf("cache dir holds %d entries (%v), want 6 (no temporary files)", len(entries), err)
		}
	})
	t.Run("ok/refresh-sends-validators-and-reuses-on-304", func(t *testing.T) {
		expect(t, load(t, first, synthNow.Add(time.Hour)), all(wantState{"", trustlist.OriginNotModified}))
		for _, u := range urls {
			r := srv.requests(u)
			if len(r) != 2 || !strings.HasPrefix(r[1].ifNoneMatch, `"`) || r[1].ifModifiedSince != listModTime.Format(http.TimeFormat) {
				t.Fatalf("%s: requests %+v, want a second one with If-None-Match and If-Modified-Since", u, r)
			}
		}
	})
	t.Run("ok/restart-offline-from-disk-cache", func(t *testing.T) {
		srv.close()
		s := load(t, newLoader(t, srv.client(), opts...), synthNow.Add(2*time.Hour))
		expect(t, s, all(wantState{trustlist.CodeFetchFailed, trustlist.OriginCache}))
		if s.Set.Lookup(nil, synthNow, synthNow, caQC).Reason != trustlist.ReasonInvalidArgument {
			t.Fatal("set unusable")
		}
	})
	t.Run("ok/offline-refresh-keeps-last-good-in-memory", func(t *testing.T) {
		expect(t, load(t, first, synthNow.Add(3*time.Hour)), all(wantState{trustlist.CodeFetchFailed, trustlist.OriginLastGood}))
	})
	t.Run("fail/tampered-cache-file-contributes-nothing", func(t *testing.T) {
		h := sha256.Sum256([]byte(synthXAURL))
		p := filepath.Join(dir, hex.EncodeToString(h[:])+".list")
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		b = []byte(strings.Replace(string(b), "<TSLSequenceNumber>8<", "<TSLSequenceNumber>9<", 1))
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		s := load(t, newLoader(t, srv.client(), opts...), synthNow.Add(4*time.Hour))
		expect(t, s, map[string]wantState{
			synthLOTLURL: {trustlist.CodeFetchFailed, trustlist.OriginCache},
			synthXAURL:   {trustlist.CodeDigestMismatch, ""},
			synthXBURL:   {trustlist.CodeFetchFailed, trustlist.OriginCache},
		})
		if !errors.Is(stateOf(t, s, synthXAURL).Err, trustlist.ErrDigestMismatch) {
			t.Fatal("errors.Is(ErrDigestMismatch) = false")
		}
	})
	t.Run("fail/offline-without-cache", func(t *testing.T) {
		s := load(t, newLoader(t, srv.client(), opts[0]), synthNow)
		checkState(t, stateOf(t, s, synthLOTLURL), wantState{trustlist.CodeFetchFailed, ""})
		if len(s.Lists) != 1 || len(s.Failed()) != 1 {
			t.Fatalf("states %+v, want only the failed LOTL", s.Lists)
		}
	})
}

// TestLoadRefreshFailures: a list whose refresh fails keeps its last good copy; an older
// sequence number is refused.
func TestLoadRefreshFailures(t *testing.T) {
	pki := newSynthPKI(t)
	seq8 := pki.xa.sign(t, synthTL("XA", 8), "")
	tests := []struct {
		name  string
		next  []byte // served at XA on the second load
		cache bool   // second load by a new Loader over the same disk cache
		want  wantState
		seq   uint64
	}{
		{"ok/newer-sequence", pki.xa.sign(t, synthTL("XA", 9), ""), false, wantState{"", trustlist.OriginNetwork}, 9},
		{"ok/same-sequence", seq8, false, wantState{"", trustlist.OriginNotModified}, 8},
		{"fail/rollback-keeps-last-good", pki.xa.sign(t, synthTL("XA", 7), ""), false, wantState{trustlist.CodeRollback, trustlist.OriginLastGood}, 8},
		{"fail/rollback-after-restart-keeps-cache", pki.xa.sign(t, synthTL("XA", 7), ""), true, wantState{trustlist.CodeRollback, trustlist.OriginCache}, 8},
		{"fail/unauthentic-keeps-last-good", pki.xb.sign(t, synthTL("XA", 10), ""), false, wantState{trustlist.CodeUntrustedSigner, trustlist.OriginLastGood}, 8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newListServer(t)
			srv.put(synthXAURL, seq8)
			opts := []trustlist.LoaderOption{
				trustlist.WithList(trustlist.ListConfig{Label: "XA list", URL: synthXAURL, Format: trustlist.FormatXML, Signers: []*x509.Certificate{pki.xa.cert}, Territory: "XA"}),
				trustlist.WithCacheDir(t.TempDir()),
			}
			l := newLoader(t, srv.client(), opts...)
			checkState(t, stateOf(t, load(t, l, synthNow), synthXAURL), wantState{"", trustlist.OriginNetwork})
			srv.put(synthXAURL, tc.next)
			if tc.cache {
				l = newLoader(t, srv.client(), opts...)
			}
			st := stateOf(t, load(t, l, synthNow), synthXAURL)
			checkState(t, st, tc.want)
			if st.SequenceNumber != tc.seq || st.List.SequenceNumber != tc.seq {
				t.Fatalf("sequence %d, want %d", st.SequenceNumber, tc.seq)
			}
		})
	}
}

// TestLoadDirect loads a JP LoTE and a standalone XML list with pinned signers.
func TestLoadDirect(t *testing.T) {
	signer, other := newLoTEKey(t, elliptic.P256()), newLoTEKey(t, elliptic.P256())
	payload := []byte(jpLoTE(x5c(signer.cert)[0]))
	jws, err := jose.Sign(signer.key, jose.SignHeader{Typ: "JWT", X5C: []*x509.Certificate{signer.cert}}, payload)
	if err != nil {
		t.Fatal(err)
	}
	xmlSigner := newSynthPKI(t).xa
	const loteURL, xmlURL = "https://tl.example.jp/lote.jwt", "https://tl.example.jp/jp.xml"
	tests := []struct {
		name string
		cfg  trustlist.ListConfig
		want wantState
	}{
		{"ok/lote-pinned", trustlist.ListConfig{Label: "JP pilot LoTE", URL: loteURL, Format: trustlist.FormatLoTE, Signers: []*x509.Certificate{signer.cert}, Territory: "JP"}, wantState{"", trustlist.OriginNetwork}},
		{"fail/lote-other-pinned", trustlist.ListConfig{Label: "JP pilot LoTE", URL: loteURL, Format: trustlist.FormatLoTE, Signers: []*x509.Certificate{other.cert}}, wantState{trustlist.CodeUntrustedSigner, ""}},
		{"fail/lote-read-as-xml", trustlist.ListConfig{Label: "JP pilot LoTE", URL: loteURL, Format: trustlist.FormatXML, Signers: []*x509.Certificate{signer.cert}}, wantState{trustlist.CodeMalformed, ""}},
		{"fail/lote-territory", trustlist.ListConfig{Label: "JP pilot LoTE", URL: loteURL, Format: trustlist.FormatLoTE, Signers: []*x509.Certificate{signer.cert}, Territory: "KR"}, wantState{trustlist.CodeListMismatch, ""}},
		{"ok/xml-pinned", trustlist.ListConfig{Label: "JP pilot XML list", URL: xmlURL, Format: trustlist.FormatXML, Signers: []*x509.Certificate{xmlSigner.cert}, Territory: "JP"}, wantState{"", trustlist.OriginNetwork}},
		{"fail/xml-other-pinned", trustlist.ListConfig{Label: "JP pilot XML list", URL: xmlURL, Format: trustlist.FormatXML, Signers: []*x509.Certificate{signer.cert}}, wantState{trustlist.CodeUntrustedSigner, ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newListServer(t)
			srv.put(loteURL, []byte(jws+"\n"))
			srv.put(xmlURL, xmlSigner.sign(t, minimalList("", ""), ""))
			s := load(t, newLoader(t, srv.client(), trustlist.WithList(tc.cfg)), synthNow)
			st := stateOf(t, s, tc.cfg.URL)
			checkState(t, st, tc.want)
			if st.Role != trustlist.RoleDirect || st.Label != tc.cfg.Label {
				t.Fatalf("state %+v", st)
			}
			if tc.want.origin != "" {
				r := s.Lookup([]*x509.Certificate{signer.cert}, synthNow, synthNow, trustlist.Policy{ServiceTypes: []trustlist.ServiceTypeRule{{URI: svcJPEAA}}, AcceptNoStatus: true})
				if tc.cfg.Format == trustlist.FormatLoTE && (!r.TrustedNow || r.ListLabel != "JP pilot LoTE") {
					t.Fatalf("lookup in the LoTE = %+v", r)
				}
			}
		})
	}
}

func TestNewLoaderArguments(t *testing.T) {
	oj := []*x509.Certificate{loadPEM(t, ojSet)[0]}
	good := trustlist.LOTLConfig{URL: euLOTLURL, Signers: oj}
	list := trustlist.ListConfig{Label: "JP", URL: "https://tl.example.jp/lote.jwt", Format: trustlist.FormatLoTE, Signers: oj}
	with := func(f func(*trustlist.LOTLConfig)) trustlist.LOTLConfig { c := good; f(&c); return c }
	withList := func(f func(*trustlist.ListConfig)) trustlist.ListConfig { c := list; f(&c); return c }
	tests := []struct {
		name   string
		client *http.Client
		opts   []trustlist.LoaderOption
		want   trustlist.Code
	}{
		{"ok/lotl", http.DefaultClient, []trustlist.LoaderOption{trustlist.WithLOTL(good)}, ""},
		{"ok/list-and-cache", http.DefaultClient, []trustlist.LoaderOption{trustlist.WithList(list), trustlist.WithCacheDir(t.TempDir()), trustlist.WithMaxBodySize(1 << 20)}, ""},
		{"ok/pivots-with-announcement", http.DefaultClient, []trustlist.LoaderOption{trustlist.WithLOTL(with(func(c *trustlist.LOTLConfig) { c.Pivots, c.Announcement = true, oj2019URL }))}, ""},
		{"fail/nil-client", nil, []trustlist.LoaderOption{trustlist.WithLOTL(good)}, trustlist.CodeInvalidArgument},
		{"fail/nothing-configured", http.DefaultClient, nil, trustlist.CodeInvalidArgument},
		{"fail/nil-option", http.DefaultClient, []trustlist.LoaderOption{nil}, trustlist.CodeInvalidArgument},
		{"fail/lotl-twice", http.DefaultClient, []trustlist.LoaderOption{trustlist.WithLOTL(good), trustlist.WithLOTL(good)}, trustlist.CodeInvalidArgument},
		{"fail/lotl-no-signers", http.DefaultClient, []trustlist.LoaderOption{trustlist.WithLOTL(with(func(c *trustlist.LOTLConfig) { c.Signers = nil }))}, trustlist.CodeInvalidArgument},
		{"fail/lotl-nil-signer", http.DefaultClient, []trustlist.LoaderOption{trustlist.WithLOTL(with(func(c *trustlist.LOTLConfig) { c.Signers = []*x509.Certificate{nil} }))}, trustlist.CodeInvalidArgument},
		{"fail/lotl-file-url", http.DefaultClient, []trustlist.LoaderOption{trustlist.WithLOTL(with(func(c *trustlist.LOTLConfig) { c.URL = "file:///etc/passwd" }))}, trustlist.CodeInvalidArgument},
		{"fail/lotl-relative-url", http.DefaultClient, []trustlist.LoaderOption{trustlist.WithLOTL(with(func(c *trustlist.LOTLConfig) { c.URL = "/eu-lotl.xml" }))}, trustlist.CodeInvalidArgument},
		{"fail/lotl-bad-territory", http.DefaultClient, []trustlist.LoaderOption{trustlist.WithLOTL(with(func(c *trustlist.LOTLConfig) { c.Territories = []string{"NLD"} }))}, trustlist.CodeInvalidArgument},
		{"fail/announcement-without-pivots", http.DefaultClient, []trustlist.LoaderOption{trustlist.WithLOTL(with(func(c *trustlist.LOTLConfig) { c.Announcement = oj2019URL }))}, trustlist.CodeInvalidArgument},
		{"fail/list-no-label", http.DefaultClient, []trustlist.LoaderOption{trustlist.WithList(withList(func(c *trustlist.ListConfig) { c.Label = "" }))}, trustlist.CodeInvalidArgument},
		{"fail/list-bad-format", http.DefaultClient, []trustlist.LoaderOption{trustlist.WithList(withList(func(c *trustlist.ListConfig) { c.Format = "pdf" }))}, trustlist.CodeInvalidArgument},
		{"fail/list-no-signers", http.DefaultClient, []trustlist.LoaderOption{trustlist.WithList(withList(func(c *trustlist.ListConfig) { c.Signers = nil }))}, trustlist.CodeInvalidArgument},
		{"fail/same-url-twice", http.DefaultClient, []trustlist.LoaderOption{trustlist.WithList(list), trustlist.WithList(list)}, trustlist.CodeInvalidArgument},
		{"fail/empty-cache-dir", http.DefaultClient, []trustlist.LoaderOption{trustlist.WithList(list), trustlist.WithCacheDir("")}, trustlist.CodeInvalidArgument},
		{"fail/zero-max-body", http.DefaultClient, []trustlist.LoaderOption{trustlist.WithList(list), trustlist.WithMaxBodySize(0)}, trustlist.CodeInvalidArgument},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := trustlist.NewLoader(tc.client, tc.opts...)
			if got := trustlist.CodeOf(err); got != tc.want {
				t.Fatalf("code = %q (%v), want %q", got, err, tc.want)
			}
			if tc.want == "" {
				if _, err := l.Load(t.Context(), time.Time{}); trustlist.CodeOf(err) != trustlist.CodeInvalidArgument {
					t.Fatalf("Load with zero time: %v", err)
				}
			}
		})
	}
}
