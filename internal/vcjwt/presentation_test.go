package vcjwt_test

import (
	"crypto/ecdsa"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/vcjwt"
)

const clientID = "x509_hash:Uvo3HtuIxuhC92rShpgqcT3YXwrqRxWEviRiA0OZszk"

// vpFixture holds an issuer, a holder and credentials bound to the holder in several ways.
type vpFixture struct {
	iss, holder, other *ecdsa.PrivateKey
	holderSigner       *jose.Signer
	boundDID           string // credentialSubject.id = holder's did:jwk
	boundCNF           string // cnf.jwk = holder's key, subject urn
	boundOther         string // credentialSubject.id = other's did:jwk
	bearer             string // no subject id, no cnf
	otherIssuer        string // bound to holder, signed by other
	expired            string // bound to holder, expired
	credPolicy         vcjwt.Policy
}

func newVPFixture(t *testing.T) *vpFixture {
	t.Helper()
	f := &vpFixture{iss: newKey(t), holder: newKey(t), other: newKey(t)}
	h, err := vcjwt.HolderHeader(f.holder.Public())
	if err != nil {
		t.Fatal(err)
	}
	f.holderSigner = newSigner(t, f.holder, h)
	s := newSigner(t, f.iss, vcjwt.IssuerHeader("k1", nil))
	issue := func(s *jose.Signer, cred map[string]any, opts vcjwt.IssueOptions) string {
		t.Helper()
		opts.IssuedAt = issued
		tok, err := vcjwt.Issue(s, cred, opts)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	holderDID := didJWK(t, f.holder.Public())
	f.boundDID = issue(s, diploma(holderDID), vcjwt.IssueOptions{})
	f.boundCNF = issue(s, diploma("urn:student:42"), vcjwt.IssueOptions{Confirmation: f.holder.Public()})
	f.boundOther = issue(s, diploma(didJWK(t, f.other.Public())), vcjwt.IssueOptions{})
	f.bearer = issue(s, diploma(""), vcjwt.IssueOptions{})
	f.otherIssuer = issue(newSigner(t, f.other, vcjwt.IssuerHeader("k1", nil)), diploma(holderDID), vcjwt.IssueOptions{})
	short := diploma(holderDID)
	short["expirationDate"] = "2026-04-01T00:00:00Z"
	f.expired = issue(s, short, vcjwt.IssueOptions{})
	f.credPolicy = vcjwt.Policy{Algorithms: []jose.Algorithm{jose.ES256}, Keys: []jose.KeyEntry{{Kid: "k1", Key: f.iss.Public()}}}
	return f
}

func (f *vpFixture) policy() vcjwt.PresentationPolicy {
	return vcjwt.PresentationPolicy{Now: now, Audience: clientID, Nonce: "n-0S6_WzA2Mj", Algorithms: []jose.Algorithm{jose.ES256}, Credential: f.credPolicy}
}

// vpClaims is what CreatePresentation makes, written out so tests can break it.
func (f *vpFixture) vpClaims(t *testing.T, creds ...string) map[string]any {
	vcs := make([]any, len(creds))
	for i, c := range creds {
		vcs[i] = c
	}
	return map[string]any{
		"iss":   didJWK(t, f.holder.Public()),
		"aud":   clientID,
		"nonce": "n-0S6_WzA2Mj",
		"iat":   now.Add(-time.Minute).Unix(),
		"jti":   "urn:uuid:5f0a3c4e-0000-4000-8000-000000000001",
		"vp": map[string]any{
			"@context":             []any{vcjwt.ContextV1},
			"type":                 []any{vcjwt.TypeVerifiablePresentation},
			"verifiableCredential": vcs,
		},
	}
}

func TestPresentationRoundTrip(t *testing.T) {
	f := newVPFixture(t)
	vp, err := vcjwt.CreatePresentation(f.holderSigner, []string{f.boundDID, f.boundCNF}, vcjwt.PresentationOptions{
		Audience: clientID, Nonce: "n-0S6_WzA2Mj", IssuedAt: now.Add(-time.Minute), Expires: now.Add(time.Minute),
	})
	if err != nil {
		t.Fatal(err)
	}
	j, err := jose.Parse(vp)
	if err != nil {
		t.Fatal(err)
	}
	holderDID := didJWK(t, f.holder.Public())
	if j.Header.Typ != "JWT" || j.Header.Kid != holderDID+"#0" {
		t.Errorf("header %+v", j.Header)
	}
	res, err := vcjwt.VerifyPresentation(vp, f.policy())
	if err != nil {
		t.Fatal(err)
	}
	if res.Holder != holderDID || res.Audience != clientID || res.Nonce != "n-0S6_WzA2Mj" || !strings.HasPrefix(res.ID, "urn:uuid:") || len(res.ID) != 45 {
		t.Errorf("result %+v", res)
	}
	if !res.IssuedAt.Equal(now.Add(-time.Minute)) || !res.ExpiresAt.Equal(now.Add(time.Minute)) || res.HolderKeySource != vcjwt.KeySourceDIDJWK {
		t.Errorf("times %v %v source %s", res.IssuedAt, res.ExpiresAt, res.HolderKeySource)
	}
	if !f.holder.PublicKey.Equal(res.HolderKey) || len(res.Credentials) != 2 || res.Credentials[0].Raw != f.boundDID || res.Credentials[1].Issuer != registrar {
		t.Errorf("credentials %v", res.Credentials)
	}
	var names []string
	for _, c := range res.Checks {
		if !c.OK {
			t.Errorf("check %+v", c)
		}
		names = append(names, c.Name)
	}
	want := []string{vcjwt.CheckJWS, vcjwt.CheckType, vcjwt.CheckShape, vcjwt.CheckExclusive, vcjwt.CheckAlgorithm, vcjwt.CheckKey,
		vcjwt.CheckSignature, vcjwt.CheckClaims, vcjwt.CheckAudience, vcjwt.CheckNonce, vcjwt.CheckValidity,
		vcjwt.CheckCredential, vcjwt.CheckCredential, vcjwt.CheckHolderBound, vcjwt.CheckHolderBound}
	if !slices.Equal(names, want) {
		t.Errorf("checks %v", names)
	}
	// Two presentations get different jti values.
	vp2, err := vcjwt.CreatePresentation(f.holderSigner, []string{f.boundDID}, vcjwt.PresentationOptions{Audience: clientID, Nonce: "n", IssuedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	pol := f.policy()
	pol.Nonce = "n"
	res2, err := vcjwt.VerifyPresentation(vp2, pol)
	if err != nil {
		t.Fatal(err)
	}
	if res2.ID == res.ID || !res2.ExpiresAt.IsZero() {
		t.Errorf("jti %q / %q, exp %v", res2.ID, res.ID, res2.ExpiresAt)
	}
}

func TestVerifyPresentation(t *testing.T) {
	f := newVPFixture(t)
	holderDID := didJWK(t, f.holder.Public())
	holderHdr, err := vcjwt.HolderHeader(f.holder.Public())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		creds     []string                  // default: boundDID
		mutate    func(c map[string]any)    // changes to vpClaims
		header    *jose.SignHeader          // default: HolderHeader(holder)
		signer    *ecdsa.PrivateKey         // default: holder
		raw       func(t *testing.T) string // the whole token instead
		pol       func(p *vcjwt.PresentationPolicy)
		wantCode  vcjwt.Code
		wantClaim string
		wantCheck string
	}{
		{name: "ok/did:jwk subject"},
		{name: "ok/cnf.jwk", creds: []string{f.boundCNF}},
		{name: "ok/aud as a one-element array", mutate: func(c map[string]any) { c["aud"] = []any{clientID} }},
		{name: "ok/no typ, kid is the bare DID", header: &jose.SignHeader{Kid: holderDID}},
		{name: "ok/no kid", header: &jose.SignHeader{Typ: "JWT"}},
		{name: "ok/jwk header with did:jwk iss", header: &jose.SignHeader{Typ: "JWT", JWK: f.holder.Public()}},
		{name: "ok/jwk header, iss not a DID", header: &jose.SignHeader{Typ: "JWT", JWK: f.holder.Public()}, mutate: func(c map[string]any) { c["iss"] = "https://wallet.example/holder" }},
		{name: "ok/vp.holder equals iss", mutate: func(c map[string]any) { c["vp"].(map[string]any)["holder"] = holderDID }},
		{name: "ok/vp.id equals jti", mutate: func(c map[string]any) { c["vp"].(map[string]any)["id"] = c["jti"] }},
		{name: "ok/no jti", mutate: func(c map[string]any) { delete(c, "jti") }},
		{name: "ok/iat within skew in the future", mutate: func(c map[string]any) { c["iat"] = now.Add(20 * time.Second).Unix() }, pol: func(p *vcjwt.PresentationPolicy) { p.ClockSkew = time.Minute }},
		{name: "ok/bearer with SkipHolderBindingUnsafe", creds: []string{f.bearer}, pol: func(p *vcjwt.PresentationPolicy) { p.SkipHolderBindingUnsafe = true }},
		{name: "ok/credential Now overrides", creds: []string{f.expired}, pol: func(p *vcjwt.PresentationPolicy) { p.Credential.Now = issued.Add(time.Hour) }},
		{name: "ok/longer MaxAge", mutate: func(c map[string]any) { c["iat"] = now.Add(-time.Hour).Unix() }, pol: func(p *vcjwt.PresentationPolicy) { p.MaxAge = 2 * time.Hour }},

		{name: "fail/wrong audience", pol: func(p *vcjwt.PresentationPolicy) { p.Audience = "redirect_uri:https://other.example/cb" }, wantCode: vcjwt.CodeWrongAudience, wantClaim: "aud", wantCheck: vcjwt.CheckAudience},
		{name: "fail/audience without prefix", mutate: func(c map[string]any) { c["aud"] = strings.TrimPrefix(clientID, "x509_hash:") }, wantCode: vcjwt.CodeWrongAudience, wantClaim: "aud"},
		{name: "fail/two audiences", mutate: func(c map[string]any) { c["aud"] = []any{clientID, "https://other.example"} }, wantCode: vcjwt.CodeWrongAudience, wantClaim: "aud"},
		{name: "fail/no aud", mutate: func(c map[string]any) { delete(c, "aud") }, wantCode: vcjwt.CodeWrongAudience, wantClaim: "aud"},
		{name: "fail/aud a number", mutate: func(c map[string]any) { c["aud"] = 1 }, wantCode: vcjwt.CodeInvalidClaim, wantClaim: "aud"},
		{name: "fail/wrong nonce", pol: func(p *vcjwt.PresentationPolicy) { p.Nonce = "another" }, wantCode: vcjwt.CodeWrongNonce, wantClaim: "nonce", wantCheck: vcjwt.CheckNonce},
		{name: "fail/no nonce", mutate: func(c map[string]any) { delete(c, "nonce") }, wantCode: vcjwt.CodeWrongNonce, wantClaim: "nonce"},
		{name: "fail/nonce a number", mutate: func(c map[string]any) { c["nonce"] = 1 }, wantCode: vcjwt.CodeInvalidClaim, wantClaim: "nonce"},
		{name: "fail/exp passed", mutate: func(c map[string]any) { c["exp"] = now.Unix() }, wantCode: vcjwt.CodeExpired, wantClaim: "exp", wantCheck: vcjwt.CheckValidity},
		{name: "fail/iat too old", mutate: func(c map[string]any) { c["iat"] = now.Add(-vcjwt.DefaultPresentationMaxAge - time.Second).Unix() }, wantCode: vcjwt.CodeExpired, wantClaim: "iat"},
		{name: "fail/iat in the future", mutate: func(c map[string]any) { c["iat"] = now.Add(time.Second).Unix() }, wantCode: vcjwt.CodeNotYetValid, wantClaim: "iat"},
		{name: "fail/nbf in the future", mutate: func(c map[string]any) { c["nbf"] = now.Add(time.Minute).Unix() }, wantCode: vcjwt.CodeNotYetValid, wantClaim: "nbf"},
		{name: "fail/no iat", mutate: func(c map[string]any) { delete(c, "iat") }, wantCode: vcjwt.CodeInvalidClaim, wantClaim: "iat", wantCheck: vcjwt.CheckClaims},
		{name: "fail/exp a string", mutate: func(c map[string]any) { c["exp"] = "soon" }, wantCode: vcjwt.CodeInvalidClaim, wantClaim: "exp"},
		{name: "fail/vp.holder differs", mutate: func(c map[string]any) { c["vp"].(map[string]any)["holder"] = "did:example:other" }, wantCode: vcjwt.CodeClaimMismatch, wantClaim: "iss"},
		{name: "fail/vp.id differs from jti", mutate: func(c map[string]any) { c["vp"].(map[string]any)["id"] = "urn:uuid:other" }, wantCode: vcjwt.CodeClaimMismatch, wantClaim: "jti"},

		{name: "fail/credential bound to another key", creds: []string{f.boundDID, f.boundOther}, wantCode: vcjwt.CodeHolderBinding, wantCheck: vcjwt.CheckHolderBound},
		{name: "fail/bearer credential", creds: []string{f.bearer}, wantCode: vcjwt.CodeHolderBinding},
		{name: "fail/signed by another key, jwk header of the credential's holder", creds: []string{f.boundCNF}, signer: f.other,
			header: &jose.SignHeader{Typ: "JWT", JWK: f.other.Public()}, mutate: func(c map[string]any) { c["iss"] = "https://wallet.example/holder" }, wantCode: vcjwt.CodeHolderBinding},
		{name: "fail/credential by an unknown issuer", creds: []string{f.otherIssuer}, wantCode: vcjwt.CodeInvalidSignature, wantCheck: vcjwt.CheckCredential},
		{name: "fail/expired credential", creds: []string{f.boundDID, f.expired}, wantCode: vcjwt.CodeExpired, wantClaim: "exp", wantCheck: vcjwt.CheckCredential},
		{name: "fail/SD-JWT inside", creds: []string{"eyJhbGciOiJFUzI1NiIsInR5cCI6ImRjK3NkLWp3dCJ9.e30.AAAA~WyJ4Il0~"}, wantCode: vcjwt.CodeMalformed, wantCheck: vcjwt.CheckCredential},

		{name: "fail/no vp", mutate: func(c map[string]any) { delete(c, "vp") }, wantCode: vcjwt.CodeNotAVP, wantClaim: "vp", wantCheck: vcjwt.CheckShape},
		{name: "fail/vp a string", mutate: func(c map[string]any) { c["vp"] = "x" }, wantCode: vcjwt.CodeNotAVP, wantClaim: "vp"},
		{name: "fail/vp context", mutate: func(c map[string]any) {
			c["vp"].(map[string]any)["@context"] = []any{"https://www.w3.org/ns/credentials/v2"}
		}, wantCode: vcjwt.CodeNotAVP, wantClaim: "vp.@context"},
		{name: "fail/vp type", mutate: func(c map[string]any) { c["vp"].(map[string]any)["type"] = []any{"VerifiableCredential"} }, wantCode: vcjwt.CodeNotAVP, wantClaim: "vp.type"},
		{name: "fail/no credentials", creds: []string{}, wantCode: vcjwt.CodeNotAVP, wantClaim: "vp.verifiableCredential"},
		{name: "fail/credential as an object", mutate: func(c map[string]any) {
			c["vp"].(map[string]any)["verifiableCredential"] = []any{map[string]any{"type": "x"}}
		}, wantCode: vcjwt.CodeNotAVP, wantClaim: "vp.verifiableCredential"},
		{name: "fail/too many credentials", creds: slices.Repeat([]string{f.boundDID}, vcjwt.MaxPresentationCredentials+1), wantCode: vcjwt.CodeNotAVP, wantClaim: "vp.verifiableCredential"},
		{name: "fail/vc claim too", mutate: func(c map[string]any) { c["vc"] = map[string]any{} }, wantCode: vcjwt.CodeAmbiguousToken, wantClaim: "vc", wantCheck: vcjwt.CheckExclusive},
		{name: "fail/_sd", mutate: func(c map[string]any) { c["_sd"] = []any{"x"} }, wantCode: vcjwt.CodeAmbiguousToken, wantClaim: "_sd"},
		{name: "fail/sd_hash of a KB-JWT", mutate: func(c map[string]any) { c["sd_hash"] = "x" }, wantCode: vcjwt.CodeAmbiguousToken, wantClaim: "sd_hash"},
		{name: "fail/typ kb+jwt", header: &jose.SignHeader{Typ: "kb+jwt"}, wantCode: vcjwt.CodeWrongType, wantCheck: vcjwt.CheckType},
		{name: "fail/typ vp+jwt", header: &jose.SignHeader{Typ: "vp+jwt"}, wantCode: vcjwt.CodeWrongType},

		{name: "fail/alg not allowed", pol: func(p *vcjwt.PresentationPolicy) { p.Algorithms = []jose.Algorithm{jose.EdDSA} }, wantCode: vcjwt.CodeUnsupportedAlgorithm, wantCheck: vcjwt.CheckAlgorithm},
		{name: "fail/alg none", raw: func(t *testing.T) string {
			return compact(t, nil, `{"alg":"none"}`, `{"iss":"`+holderDID+`","aud":"`+clientID+`","nonce":"n-0S6_WzA2Mj","iat":1,"vp":{"@context":["`+vcjwt.ContextV1+`"],"type":["VerifiablePresentation"],"verifiableCredential":["`+f.boundDID+`"]}}`, nil)
		}, pol: func(p *vcjwt.PresentationPolicy) { p.Algorithms = []jose.Algorithm{"none"} }, wantCode: vcjwt.CodeUnsupportedAlgorithm, wantCheck: vcjwt.CheckAlgorithm},
		{name: "fail/signed by another key than iss", signer: f.other, wantCode: vcjwt.CodeInvalidSignature, wantCheck: vcjwt.CheckSignature},
		{name: "fail/kid of another DID", header: &jose.SignHeader{Typ: "JWT", Kid: didJWK(t, f.other.Public()) + "#0"}, wantCode: vcjwt.CodeUnknownKey, wantCheck: vcjwt.CheckKey},
		{name: "fail/jwk header differs from iss", header: &jose.SignHeader{Typ: "JWT", JWK: f.other.Public()}, signer: f.other, wantCode: vcjwt.CodeUnknownKey},
		{name: "fail/iss not a DID and no jwk", mutate: func(c map[string]any) { c["iss"] = "https://wallet.example/holder" }, wantCode: vcjwt.CodeUnknownKey},
		{name: "fail/iss missing", mutate: func(c map[string]any) { delete(c, "iss") }, wantCode: vcjwt.CodeUnknownKey},
		{name: "fail/iss a number", mutate: func(c map[string]any) { c["iss"] = 3 }, wantCode: vcjwt.CodeInvalidClaim, wantClaim: "iss"},
		{name: "fail/iss a broken did:jwk", mutate: func(c map[string]any) { c["iss"] = "did:jwk:e30" }, wantCode: vcjwt.CodeInvalidDID, wantClaim: "iss"},
		{name: "fail/malformed", raw: func(*testing.T) string { return "eyJhbGciOiJFUzI1NiJ9.bm90IGpzb24.AAAA" }, wantCode: vcjwt.CodeMalformed, wantCheck: vcjwt.CheckJWS},
		{name: "fail/a credential instead of a presentation", raw: func(*testing.T) string { return f.boundDID }, wantCode: vcjwt.CodeNotAVP, wantClaim: "vp"},
		{name: "fail/too large", raw: func(*testing.T) string { return strings.Repeat("a", vcjwt.MaxPresentationSize+1) }, wantCode: vcjwt.CodeMalformed},

		{name: "fail/zero now", pol: func(p *vcjwt.PresentationPolicy) { p.Now = time.Time{} }, wantCode: vcjwt.CodeInvalidPolicy},
		{name: "fail/no audience", pol: func(p *vcjwt.PresentationPolicy) { p.Audience = "" }, wantCode: vcjwt.CodeInvalidPolicy},
		{name: "fail/no nonce expected", pol: func(p *vcjwt.PresentationPolicy) { p.Nonce = "" }, wantCode: vcjwt.CodeInvalidPolicy},
		{name: "fail/no algorithms", pol: func(p *vcjwt.PresentationPolicy) { p.Algorithms = nil }, wantCode: vcjwt.CodeInvalidPolicy},
		{name: "fail/negative MaxAge", pol: func(p *vcjwt.PresentationPolicy) { p.MaxAge = -time.Second }, wantCode: vcjwt.CodeInvalidPolicy},
		{name: "fail/skew too large", pol: func(p *vcjwt.PresentationPolicy) { p.ClockSkew = time.Hour }, wantCode: vcjwt.CodeInvalidPolicy},
		{name: "fail/credential policy without keys", pol: func(p *vcjwt.PresentationPolicy) { p.Credential.Keys = nil }, wantCode: vcjwt.CodeInvalidPolicy},
		{name: "fail/credential policy without algorithms", pol: func(p *vcjwt.PresentationPolicy) { p.Credential.Algorithms = nil }, wantCode: vcjwt.CodeInvalidPolicy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var raw string
			if tt.raw != nil {
				raw = tt.raw(t)
			} else {
				creds := tt.creds
				if creds == nil {
					creds = []string{f.boundDID}
				}
				c := f.vpClaims(t, creds...)
				if tt.mutate != nil {
					tt.mutate(c)
				}
				h := holderHdr
				if tt.header != nil {
					h = *tt.header
				}
				signer := f.holder
				if tt.signer != nil {
					signer = tt.signer
				}
				raw = signClaims(t, signer, h, c)
			}
			pol := f.policy()
			if tt.pol != nil {
				tt.pol(&pol)
			}
			res, err := vcjwt.VerifyPresentation(raw, pol)
			if got := codeOf(t, err); got != tt.wantCode {
				t.Fatalf("code %q, want %q (err %v)", got, tt.wantCode, err)
			}
			if err == nil {
				if res == nil || len(res.Credentials) == 0 {
					t.Fatal("no result")
				}
				return
			}
			e, _ := errors.AsType[*vcjwt.Error](err)
			if e.Claim != tt.wantClaim {
				t.Errorf("claim %q, want %q (err %v)", e.Claim, tt.wantClaim, err)
			}
			if tt.wantCheck != "" {
				if n := len(e.Checks); n == 0 || e.Checks[n-1].Name != tt.wantCheck || e.Checks[n-1].OK {
					t.Errorf("checks %+v, want failing %q last", e.Checks, tt.wantCheck)
				}
			}
		})
	}
}

func TestCreatePresentation(t *testing.T) {
	f := newVPFixture(t)
	ok := vcjwt.PresentationOptions{Audience: clientID, Nonce: "n", IssuedAt: now}
	tests := []struct {
		name   string
		signer *jose.Signer
		creds  []string
		opts   func(o *vcjwt.PresentationOptions)
	}{
		{name: "fail/no signer", creds: []string{f.boundDID}},
		{name: "fail/no audience", signer: f.holderSigner, creds: []string{f.boundDID}, opts: func(o *vcjwt.PresentationOptions) { o.Audience = "" }},
		{name: "fail/no nonce", signer: f.holderSigner, creds: []string{f.boundDID}, opts: func(o *vcjwt.PresentationOptions) { o.Nonce = "" }},
		{name: "fail/zero iat", signer: f.holderSigner, creds: []string{f.boundDID}, opts: func(o *vcjwt.PresentationOptions) { o.IssuedAt = time.Time{} }},
		{name: "fail/exp not after iat", signer: f.holderSigner, creds: []string{f.boundDID}, opts: func(o *vcjwt.PresentationOptions) { o.Expires = now }},
		{name: "fail/no credentials", signer: f.holderSigner},
		{name: "fail/too many credentials", signer: f.holderSigner, creds: slices.Repeat([]string{f.boundDID}, vcjwt.MaxPresentationCredentials+1)},
		{name: "fail/not a jwt_vc_json credential", signer: f.holderSigner, creds: []string{f.boundDID, "eyJhbGciOiJFUzI1NiIsInR5cCI6ImRjK3NkLWp3dCJ9.e30.AAAA~"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ok
			if tt.opts != nil {
				tt.opts(&o)
			}
			_, err := vcjwt.CreatePresentation(tt.signer, tt.creds, o)
			if codeOf(t, err) != vcjwt.CodeInvalidInput {
				t.Fatalf("err %v, want invalid_input", err)
			}
		})
	}
	t.Run("fail/signer types kb+jwt", func(t *testing.T) {
		_, err := vcjwt.CreatePresentation(newSigner(t, f.holder, jose.SignHeader{Typ: "kb+jwt"}), []string{f.boundDID}, ok)
		if codeOf(t, err) != vcjwt.CodeWrongType {
			t.Fatalf("err %v", err)
		}
	})
}
