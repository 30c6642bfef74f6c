package vcjwt_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/statuslist"
	"github.com/hashi-vc/hashi/internal/vcjwt"
)

// TestIssueRoundTrip issues an academic credential and verifies it back: the registered
// claims follow VCDM 1.1 §6.3.1, "vc" keeps the whole credential, and the merged credential
// is the one issued.
func TestIssueRefusesForeignHeaders(t *testing.T) {
	k := newKey(t)
	for name, h := range map[string]jose.SignHeader{
		"fail/typ dc+sd-jwt": {Typ: "dc+sd-jwt"},
		"fail/cty":           {Typ: "JWT", Extra: map[string]any{"cty": "vc"}},
	} {
		s, err := jose.NewSigner(k, h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := vcjwt.Issue(s, map[string]any{}, vcjwt.IssueOptions{IssuedAt: time.Unix(1, 0)}); vcjwt.CodeOf(err) != vcjwt.CodeWrongType {
			t.Errorf("%s: Issue = %v, want wrong_type", name, err)
		}
	}
}

func TestIssueRoundTrip(t *testing.T) {
	iss := newKey(t)
	holder := newKey(t)
	kid, err := jose.ThumbprintURI(iss.Public())
	if err != nil {
		t.Fatal(err)
	}
	cred := diploma(didJWK(t, holder.Public()))
	before := clone(t, cred)
	tok, err := vcjwt.Issue(newSigner(t, iss, vcjwt.IssuerHeader(kid, nil)), cred, vcjwt.IssueOptions{IssuedAt: issued.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(clone(t, cred), before) {
		t.Fatal("Issue modified its input")
	}
	j, err := jose.Parse(tok)
	if err != nil {
		t.Fatal(err)
	}
	if j.Header.Typ != "JWT" || j.Header.Kid != kid || j.Header.Alg != "ES256" {
		t.Errorf("header %+v", j.Header)
	}
	var claims map[string]any
	if err := json.Unmarshal(j.Payload, &claims); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"iss": registrar,
		"sub": before["credentialSubject"].(map[string]any)["id"],
		"jti": before["id"],
		"nbf": float64(issued.Unix()),
		"exp": float64(expires.Unix()),
		"iat": float64(issued.Add(time.Hour).Unix()),
		"vc":  before,
	}
	if !reflect.DeepEqual(claims, want) {
		t.Errorf("claims\n got %v\nwant %v", claims, want)
	}
	res, err := vcjwt.Verify(tok, vcjwt.Policy{Now: now, Algorithms: []jose.Algorithm{jose.ES256}, Keys: []jose.KeyEntry{{Kid: kid, Key: iss.Public()}}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(res.Credential)
	var merged map[string]any
	if err := json.Unmarshal(b, &merged); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(merged, before) {
		t.Errorf("merged credential\n got %v\nwant %v", merged, before)
	}
	if !strings.Contains(string(b), "修士（工学）") {
		t.Error("Japanese text lost")
	}
	if res.Subject != want["sub"] || !holder.PublicKey.Equal(res.HolderKey) {
		t.Errorf("subject %q", res.Subject)
	}
}

// diplomaStruct shows that any JSON-encodable value can be issued.
type diplomaStruct struct {
	Context           []string       `json:"@context"`
	Type              []string       `json:"type"`
	Issuer            string         `json:"issuer"`
	IssuanceDate      time.Time      `json:"issuanceDate"`
	CredentialSubject map[string]any `json:"credentialSubject"`
}

func TestIssue(t *testing.T) {
	iss := newKey(t)
	holder := newKey(t)
	other := newKey(t)
	hdr := vcjwt.IssuerHeader("k1", nil)
	edKey := func() ed25519.PrivateKey {
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}()
	tests := []struct {
		name     string
		signer   *jose.Signer // default: iss with hdr
		cred     func() any
		opts     vcjwt.IssueOptions
		policy   *vcjwt.Policy
		wantCode vcjwt.Code
	}{
		{name: "ok/bearer", cred: func() any { return diploma("") }},
		{name: "ok/cnf with did:jwk subject of the same key", cred: func() any { return diploma(didJWK(t, holder.Public())) }, opts: vcjwt.IssueOptions{Confirmation: holder.Public()}},
		{name: "ok/cnf with a non-DID subject", cred: func() any { return diploma("urn:student:42") }, opts: vcjwt.IssueOptions{Confirmation: holder}},
		{name: "ok/struct credential", cred: func() any {
			return diplomaStruct{Context: []string{vcjwt.ContextV1}, Type: []string{"VerifiableCredential"}, Issuer: registrar,
				IssuanceDate: issued, CredentialSubject: map[string]any{"name": "x"}}
		}},
		{name: "ok/x5c header", signer: newSigner(t, iss, vcjwt.IssuerHeader("", []*x509.Certificate{selfSigned(t, iss)})), cred: func() any { return diploma("") },
			policy: &vcjwt.Policy{Now: now, Algorithms: []jose.Algorithm{jose.ES256}, AllowX5C: true}},
		{name: "ok/Ed25519 issuer", signer: newSigner(t, edKey, hdr), cred: func() any { return diploma("") },
			policy: &vcjwt.Policy{Now: now, Algorithms: []jose.Algorithm{jose.EdDSA}, Key: edKey.Public()}},
		{name: "fail/no signer", signer: (*jose.Signer)(nil), cred: func() any { return diploma("") }, wantCode: vcjwt.CodeInvalidInput},
		{name: "fail/zero iat", cred: func() any { return diploma("") }, opts: vcjwt.IssueOptions{IssuedAt: time.Time{}}, wantCode: vcjwt.CodeInvalidInput},
		{name: "fail/signer types dc+sd-jwt", signer: newSigner(t, iss, jose.SignHeader{Typ: "dc+sd-jwt"}), cred: func() any { return diploma("") }, wantCode: vcjwt.CodeWrongType},
		{name: "fail/no issuer", cred: func() any { c := diploma(""); delete(c, "issuer"); return c }, wantCode: vcjwt.CodeNotAVC},
		{name: "fail/no issuanceDate", cred: func() any { c := diploma(""); delete(c, "issuanceDate"); return c }, wantCode: vcjwt.CodeNotAVC},
		{name: "fail/no credentialSubject", cred: func() any { c := diploma(""); delete(c, "credentialSubject"); return c }, wantCode: vcjwt.CodeNotAVC},
		{name: "fail/VCDM 2.0 context", cred: func() any { c := diploma(""); c["@context"] = []any{"https://www.w3.org/ns/credentials/v2"}; return c }, wantCode: vcjwt.CodeNotAVC},
		{name: "fail/not an object", cred: func() any { return "credential" }, wantCode: vcjwt.CodeNotAVC},
		{name: "fail/not JSON-encodable", cred: func() any { return map[string]any{"x": make(chan int)} }, wantCode: vcjwt.CodeInvalidInput},
		{name: "fail/_sd in the credential", cred: func() any {
			c := diploma("")
			c["credentialSubject"].(map[string]any)["_sd"] = []any{"x"}
			return c
		}, wantCode: vcjwt.CodeAmbiguousToken},
		{name: "fail/expirationDate before issuanceDate", cred: func() any { c := diploma(""); c["expirationDate"] = "2020-01-01T00:00:00Z"; return c }, wantCode: vcjwt.CodeInvalidClaim},
		{name: "fail/issuanceDate not a date-time", cred: func() any { c := diploma(""); c["issuanceDate"] = "24 March 2026"; return c }, wantCode: vcjwt.CodeInvalidClaim},
		{name: "fail/cnf differs from did:jwk subject", cred: func() any { return diploma(didJWK(t, holder.Public())) }, opts: vcjwt.IssueOptions{Confirmation: other.Public()}, wantCode: vcjwt.CodeClaimMismatch},
		{name: "fail/cnf unsupported key", cred: func() any { return diploma("") }, opts: vcjwt.IssueOptions{Confirmation: "not a key"}, wantCode: vcjwt.CodeInvalidInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.signer
			if s == nil && !strings.HasPrefix(tt.name, "fail/no signer") {
				s = newSigner(t, iss, hdr)
			}
			opts := tt.opts
			if opts.IssuedAt.IsZero() && tt.name != "fail/zero iat" {
				opts.IssuedAt = issued
			}
			tok, err := vcjwt.Issue(s, tt.cred(), opts)
			if got := codeOf(t, err); got != tt.wantCode {
				t.Fatalf("code %q, want %q (err %v)", got, tt.wantCode, err)
			}
			if err != nil {
				return
			}
			pol := vcjwt.Policy{Now: now, Algorithms: []jose.Algorithm{jose.ES256}, Keys: []jose.KeyEntry{{Kid: "k1", Key: iss.Public()}}}
			if tt.policy != nil {
				pol = *tt.policy
			}
			res, err := vcjwt.Verify(tok, pol)
			if err != nil {
				t.Fatalf("issued credential does not verify: %v", err)
			}
			if opts.Confirmation != nil && !holder.PublicKey.Equal(res.HolderKey) {
				t.Error("holder key is not the confirmation key")
			}
		})
	}
}

func TestIssueStatus(t *testing.T) {
	iss := newKey(t)
	kid, err := jose.ThumbprintURI(iss.Public())
	if err != nil {
		t.Fatal(err)
	}
	s := newSigner(t, iss, vcjwt.IssuerHeader(kid, nil))
	pol := vcjwt.Policy{Now: now, Algorithms: []jose.Algorithm{jose.ES256}, Keys: []jose.KeyEntry{{Kid: kid, Key: iss.Public()}}}
	ref := statuslist.Reference{Idx: 4711, URI: "https://issuer.example/status/1"}
	tok, err := vcjwt.Issue(s, diploma(""), vcjwt.IssueOptions{IssuedAt: issued, Status: &ref})
	if err != nil {
		t.Fatal(err)
	}
	res, err := vcjwt.Verify(tok, pol)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status == nil || *res.Status != ref {
		t.Fatalf("status %+v, want %+v", res.Status, ref)
	}
	plain, err := vcjwt.Issue(s, diploma(""), vcjwt.IssueOptions{IssuedAt: issued})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := vcjwt.Verify(plain, pol); err != nil || res.Status != nil {
		t.Fatalf("no status claim: %+v %v", res, err)
	}
	if _, err := vcjwt.Issue(s, diploma(""), vcjwt.IssueOptions{IssuedAt: issued, Status: &statuslist.Reference{Idx: -1, URI: ref.URI}}); vcjwt.CodeOf(err) != vcjwt.CodeInvalidInput {
		t.Fatalf("negative idx: %v", err)
	}
	// A malformed status claim, signed: rejected by Verify.
	j, err := jose.Parse(tok)
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(j.Payload, &claims); err != nil {
		t.Fatal(err)
	}
	claims["status"] = map[string]any{"status_list": map[string]any{"idx": "7", "uri": ref.URI}}
	bad := signClaims(t, iss, vcjwt.IssuerHeader(kid, nil), claims)
	if _, err := vcjwt.Verify(bad, pol); vcjwt.CodeOf(err) != vcjwt.CodeInvalidClaim {
		t.Fatalf("malformed status: %v", err)
	}
}
