package dpop_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/dpop"
	"github.com/hashi-vc/hashi/internal/jose"
)

// decodeParts splits a compact JWS and decodes header and claims by hand.
func decodeParts(t *testing.T, tok string) (map[string]any, map[string]any) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("%d parts", len(parts))
	}
	var h, c map[string]any
	for i, v := range []*map[string]any{&h, &c} {
		b, err := b64.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatal(err)
		}
	}
	return h, c
}

func TestNewProof(t *testing.T) {
	key := newKey(t)
	iat := now.Add(-10 * time.Second)
	tok, err := dpop.NewProof(key, "POST", "HTTPS://Issuer.Example:443/credential?x=1#y",
		dpop.ProofOptions{IssuedAt: iat, AccessToken: accessToken, Nonce: "eyJ7S_zG.eyJH0-Z.HX4w-7v"})
	if err != nil {
		t.Fatal(err)
	}
	h, c := decodeParts(t, tok)
	wantH := map[string]any{"typ": "dpop+jwt", "alg": "ES256", "jwk": publicJWK(t, &key.PublicKey)}
	if !reflect.DeepEqual(h, wantH) {
		t.Fatalf("header = %v, want %v", h, wantH)
	}
	jti, _ := c["jti"].(string)
	if n, err := b64.DecodeString(jti); err != nil || len(n) != 16 {
		t.Fatalf("jti %q is not 128 bits of base64url", jti)
	}
	delete(c, "jti")
	wantC := map[string]any{
		"htm": "POST", "htu": credentialURL, "iat": float64(iat.Unix()),
		"ath": "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo", "nonce": "eyJ7S_zG.eyJH0-Z.HX4w-7v",
	}
	if !reflect.DeepEqual(c, wantC) {
		t.Fatalf("claims = %v, want %v", c, wantC)
	}

	// Verify it independently of internal/jose: ecdsa over the signing input.
	parts := strings.Split(tok, ".")
	sig, err := b64.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		t.Fatalf("signature: %v (%d bytes)", err, len(sig))
	}
	resigned := handSign(t, key, parts[0]+"."+parts[1])
	if _, err := dpop.Verify(resigned, dpop.Request{Method: "POST", URL: credentialURL, AccessToken: accessToken},
		dpop.Policy{Now: now, BoundJKT: thumbprint(t, &key.PublicKey), ExpectedNonce: "eyJ7S_zG.eyJH0-Z.HX4w-7v"}); err != nil {
		t.Fatalf("hand re-signed proof: %v", err)
	}
	if !verifyRS(&key.PublicKey, parts[0]+"."+parts[1], sig) {
		t.Fatal("signature does not verify with crypto/ecdsa")
	}
}

func TestProverRoundTrip(t *testing.T) {
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	all := []jose.Algorithm{jose.ES256, jose.ES384, jose.EdDSA}
	tests := []struct {
		name    string
		signer  func() (*dpop.Prover, error)
		alg     jose.Algorithm
		opts    dpop.ProofOptions
		req     dpop.Request
		pol     dpop.Policy
		wantErr dpop.Code
	}{
		{name: "ok/token request", alg: jose.ES256,
			opts: dpop.ProofOptions{IssuedAt: now},
			req:  dpop.Request{Method: "POST", URL: tokenURL}, pol: dpop.Policy{Now: now}},
		{name: "ok/credential request with nonce", alg: jose.ES256,
			opts: dpop.ProofOptions{IssuedAt: now, AccessToken: accessToken, Nonce: "n"},
			req:  dpop.Request{Method: "POST", URL: credentialURL, AccessToken: accessToken},
			pol:  dpop.Policy{Now: now, ExpectedNonce: "n"}},
		{name: "ok/ES384", alg: jose.ES384,
			signer: func() (*dpop.Prover, error) { return dpop.NewProver(p384) },
			opts:   dpop.ProofOptions{IssuedAt: now},
			req:    dpop.Request{Method: "POST", URL: tokenURL}, pol: dpop.Policy{Now: now, Algorithms: all}},
		{name: "ok/EdDSA", alg: jose.EdDSA,
			signer: func() (*dpop.Prover, error) { return dpop.NewProver(ed) },
			opts:   dpop.ProofOptions{IssuedAt: now},
			req:    dpop.Request{Method: "POST", URL: tokenURL}, pol: dpop.Policy{Now: now, Algorithms: all}},
		{name: "fail/EdDSA under the default policy", alg: jose.EdDSA,
			signer: func() (*dpop.Prover, error) { return dpop.NewProver(ed) },
			opts:   dpop.ProofOptions{IssuedAt: now},
			req:    dpop.Request{Method: "POST", URL: tokenURL}, pol: dpop.Policy{Now: now}, wantErr: dpop.CodeBadAlgorithm},
		{name: "fail/iat in whole seconds older than MaxAge", alg: jose.ES256,
			opts: dpop.ProofOptions{IssuedAt: now.Add(-5*time.Minute - time.Millisecond)},
			req:  dpop.Request{Method: "POST", URL: tokenURL}, pol: dpop.Policy{Now: now}, wantErr: dpop.CodeIATOutOfWindow},
	}
	key := newKey(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			newProver := tt.signer
			if newProver == nil {
				newProver = func() (*dpop.Prover, error) { return dpop.NewProver(key) }
			}
			p, err := newProver()
			if err != nil {
				t.Fatal(err)
			}
			if p.Algorithm() != tt.alg {
				t.Fatalf("Algorithm = %s, want %s", p.Algorithm(), tt.alg)
			}
			tok, err := p.Proof(tt.req.Method, tt.req.URL, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if tt.req.AccessToken != "" {
				tt.pol.BoundJKT = p.JKT()
			}
			got, err := dpop.Verify(tok, tt.req, tt.pol)
			wantCode(t, err, tt.wantErr)
			if err == nil && (got.JKT != p.JKT() || got.Algorithm != tt.alg || got.Nonce != tt.opts.Nonce) {
				t.Fatalf("proof = %+v", got)
			}
		})
	}
}

func TestProofJTIUnique(t *testing.T) {
	p, err := dpop.NewProver(newKey(t))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for range 64 {
		tok, err := p.Proof("GET", credentialURL, dpop.ProofOptions{IssuedAt: now})
		if err != nil {
			t.Fatal(err)
		}
		got, err := dpop.Verify(tok, dpop.Request{Method: "GET", URL: credentialURL}, dpop.Policy{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		if seen[got.JTI] {
			t.Fatalf("jti %q repeated", got.JTI)
		}
		seen[got.JTI] = true
	}
}

func TestProofErrors(t *testing.T) {
	key := newKey(t)
	ok := dpop.ProofOptions{IssuedAt: now}
	tests := []struct {
		name        string
		method, url string
		opts        dpop.ProofOptions
		want        dpop.Code
	}{
		{"ok/given jti", "POST", tokenURL, dpop.ProofOptions{IssuedAt: now, JTI: "fixed"}, ""},
		{"fail/zero IssuedAt", "POST", tokenURL, dpop.ProofOptions{}, dpop.CodeInvalidArgument},
		{"fail/no method", "", tokenURL, ok, dpop.CodeInvalidArgument},
		{"fail/method with space", "PO ST", tokenURL, ok, dpop.CodeInvalidArgument},
		{"fail/relative url", "POST", "/token", ok, dpop.CodeInvalidArgument},
		{"fail/nonce with quote", "POST", tokenURL, dpop.ProofOptions{IssuedAt: now, Nonce: `a"b`}, dpop.CodeInvalidArgument},
		{"fail/nonce with space", "POST", tokenURL, dpop.ProofOptions{IssuedAt: now, Nonce: "a b"}, dpop.CodeInvalidArgument},
		{"fail/jti too long", "POST", tokenURL, dpop.ProofOptions{IssuedAt: now, JTI: strings.Repeat("j", 129)}, dpop.CodeInvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := dpop.NewProof(key, tt.method, tt.url, tt.opts)
			wantCode(t, err, tt.want)
		})
	}
	t.Run("fail/nil key", func(t *testing.T) {
		_, err := dpop.NewProver(nil)
		wantCode(t, err, dpop.CodeInvalidArgument)
	})
}

func TestValidNonce(t *testing.T) {
	for s, want := range map[string]bool{
		"eyJ7S_zG.eyJH0-Z.HX4w-7v": true, "!#[]~": true,
		"": false, "a b": false, `a"b`: false, `a\b`: false, "é": false, "a\x7f": false,
	} {
		if got := dpop.ValidNonce(s); got != want {
			t.Errorf("ValidNonce(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestResponseNonce(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   string
		ok     bool
	}{
		{"ok/one", []string{"eyJ7S_zG.eyJH0-Z.HX4w-7v"}, "eyJ7S_zG.eyJH0-Z.HX4w-7v", true},
		{"ok/trimmed", []string{" n-1\t"}, "n-1", true},
		{"fail/none", nil, "", false},
		{"fail/two", []string{"a", "b"}, "", false},
		{"fail/empty", []string{""}, "", false},
		{"fail/bad syntax", []string{"a b"}, "", false},
		{"fail/too long", []string{strings.Repeat("n", 1025)}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := dpop.ResponseNonce(tt.values)
			if got != tt.want || ok != tt.ok {
				t.Fatalf("ResponseNonce = %q, %v", got, ok)
			}
		})
	}
}

func TestProverString(t *testing.T) {
	key := newKey(t)
	p, err := dpop.NewProver(key)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(p), "dpop.Prover{jkt:"+thumbprint(t, &key.PublicKey)+"}"; got != want {
		t.Fatalf("String = %q, want %q", got, want)
	}
}
