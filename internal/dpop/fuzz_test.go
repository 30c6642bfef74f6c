package dpop_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/dpop"
)

// FuzzVerify: Verify never panics, fails only with codes of this package, and what it
// accepts is consistent with the request and policy.
func FuzzVerify(f *testing.F) {
	key := newKey(f)
	f.Add(rfcTokenProof)
	f.Add(rfcRefreshProof)
	f.Add(rfcResourceProof)
	f.Add(handProof(f, key, goodHeader(f, key), goodClaims()))
	tok, err := dpop.NewProof(key, "POST", tokenURL, dpop.ProofOptions{IssuedAt: now, Nonce: "n"})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(tok)
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add("a.b.c")
	rfcNow := time.Unix(1562262616, 0)
	f.Fuzz(func(t *testing.T, s string) {
		for _, c := range []struct {
			req dpop.Request
			pol dpop.Policy
		}{
			{dpop.Request{Method: "POST", URL: "https://server.example.com/token"}, dpop.Policy{Now: rfcNow}},
			{dpop.Request{Method: "POST", URL: tokenURL}, dpop.Policy{Now: now}},
		} {
			p, err := dpop.Verify(s, c.req, c.pol)
			if err != nil {
				if dpop.CodeOf(err) == "" || dpop.CodeOf(err) == dpop.CodeInvalidArgument || p != nil {
					t.Fatalf("bad failure: %v", err)
				}
				continue
			}
			if len(p.JKT) != 43 || p.JTI == "" || p.Key == nil || !p.ExpiresAt.After(c.pol.Now) {
				t.Fatalf("accepted %q as %+v", s, p)
			}
			if _, err := dpop.VerifyHeader([]string{s}, c.req, c.pol); err != nil && !strings.Contains(s, ",") {
				t.Fatalf("VerifyHeader disagrees with Verify: %v", err)
			}
		}
	})
}

// FuzzHTU: HTU never panics, and its output is a fixed point that keeps the scheme.
func FuzzHTU(f *testing.F) {
	for _, s := range []string{
		"https://issuer.example/token", "HTTP://A.example:80/%7e/../x?y#z", "https://[::1]:443",
		"https://issuer.example/a/./b/../../c/%2f", "http://h:/", "https://u@h/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := dpop.HTU(s)
		if err != nil {
			return
		}
		again, err := dpop.HTU(got)
		if err != nil || again != got {
			t.Fatalf("HTU(%q) = %q, then %q, %v", s, got, again, err)
		}
		if !strings.HasPrefix(got, "https://") && !strings.HasPrefix(got, "http://") {
			t.Fatalf("HTU(%q) = %q", s, got)
		}
		if strings.ContainsAny(got, "?#") {
			t.Fatalf("HTU(%q) = %q keeps query or fragment", s, got)
		}
	})
}
