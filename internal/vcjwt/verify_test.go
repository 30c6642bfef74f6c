package vcjwt_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/vcjwt"
)

const registrar = "https://registrar.example.ac.jp"

// baseClaims is what Issue makes of diploma(sub), written out so tests can break it.
func baseClaims(sub string) map[string]any {
	vc := diploma(sub)
	c := map[string]any{
		"vc":  vc,
		"iss": registrar,
		"jti": vc["id"],
		"nbf": issued.Unix(),
		"exp": expires.Unix(),
		"iat": issued.Unix(),
	}
	if sub != "" {
		c["sub"] = sub
	}
	return c
}

func vcOf(c map[string]any) map[string]any   { return c["vc"].(map[string]any) }
func subjOf(c map[string]any) map[string]any { return vcOf(c)["credentialSubject"].(map[string]any) }

func selfSigned(t *testing.T, key *ecdsa.PrivateKey) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "Example University seal"},
		NotBefore:    issued.AddDate(-1, 0, 0),
		NotAfter:     expires,
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func TestVerify(t *testing.T) {
	iss := newKey(t)
	other := newKey(t)
	holder := newKey(t)
	holderDID := didJWK(t, holder.Public())
	cert := selfSigned(t, iss)
	hdr := vcjwt.IssuerHeader("k1", nil)
	es256 := []jose.Algorithm{jose.ES256}
	keys := []jose.KeyEntry{{Kid: "k1", Key: iss.Public()}}
	holderJWK, err := jose.PublicJWK(holder.Public())
	if err != nil {
		t.Fatal(err)
	}
	otherJWK, err := jose.PublicJWK(other.Public())
	if err != nil {
		t.Fatal(err)
	}
	const goodPayload = `{"vc":{"@context":["https://www.w3.org/2018/credentials/v1"],"type":["VerifiableCredential"],"credentialSubject":{}},"iss":"https://i.example","nbf":1700000000}`

	tests := []struct {
		name      string
		sub       string                    // credentialSubject.id and sub of the base claims; default holderDID
		mutate    func(c map[string]any)    // changes to the base claims
		header    *jose.SignHeader          // default hdr
		raw       func(t *testing.T) string // the whole token, instead of the above
		pol       func(p *vcjwt.Policy)     // changes to the default policy
		wantCode  vcjwt.Code
		wantClaim string
		check     func(t *testing.T, r *vcjwt.Result)
	}{
		{name: "ok/as issued", check: func(t *testing.T, r *vcjwt.Result) {
			if r.Issuer != registrar || r.Subject != holderDID || r.KeySource != vcjwt.KeySourceKeySet || r.Kid != "k1" {
				t.Errorf("result %+v", r)
			}
			if !r.IssuanceDate.Equal(issued) || !r.ExpirationDate.Equal(expires) || !r.IssuedAt.Equal(issued) {
				t.Errorf("dates %v %v %v", r.IssuanceDate, r.ExpirationDate, r.IssuedAt)
			}
			if !holder.PublicKey.Equal(r.HolderKey) {
				t.Error("holder key is not the did:jwk subject's")
			}
			// The issuer object (with its name) is kept in the merged credential.
			if is, _ := r.Credential["issuer"].(map[string]any); is["name"] != "Example University" {
				t.Errorf("issuer %v", r.Credential["issuer"])
			}
		}},
		{name: "ok/no typ", header: &jose.SignHeader{Kid: "k1"}},
		{name: "ok/typ application/jwt", header: &jose.SignHeader{Typ: "application/jwt", Kid: "k1"}},
		{name: "ok/issuer as a string", mutate: func(c map[string]any) { vcOf(c)["issuer"] = registrar }},
		{name: "ok/bearer credential", sub: "-", check: func(t *testing.T, r *vcjwt.Result) {
			if r.Subject != "" || r.HolderKey != nil {
				t.Errorf("subject %q holder key %v", r.Subject, r.HolderKey)
			}
		}},
		{name: "ok/subject of another DID method has no holder key", sub: "did:example:student", check: func(t *testing.T, r *vcjwt.Result) {
			if r.Subject != "did:example:student" || r.HolderKey != nil {
				t.Errorf("subject %q holder key %v", r.Subject, r.HolderKey)
			}
		}},
		{name: "ok/claims only, decoding inserts them", mutate: func(c map[string]any) {
			for _, p := range []string{"issuer", "id", "issuanceDate", "expirationDate"} {
				delete(vcOf(c), p)
			}
			delete(subjOf(c), "id")
		}, check: func(t *testing.T, r *vcjwt.Result) {
			cr := r.Credential
			if cr["issuer"] != registrar || cr["issuanceDate"] != "2026-03-24T00:00:00Z" || cr["expirationDate"] != "2036-03-24T00:00:00Z" ||
				cr["id"] != "urn:uuid:6f1c0a5e-2c3a-4d8e-9b8e-0d4b0a1c2e3f" || cr["credentialSubject"].(map[string]any)["id"] != holderDID {
				t.Errorf("merged credential %v", cr)
			}
			// The signed claims are untouched.
			if _, ok := vcOf(r.Claims)["issuer"]; ok {
				t.Error("merge modified the signed claims")
			}
			if _, ok := subjOf(r.Claims)["id"]; ok {
				t.Error("merge modified the signed credentialSubject")
			}
		}},
		{name: "ok/issuanceDate with fraction, same second as nbf", mutate: func(c map[string]any) { vcOf(c)["issuanceDate"] = "2026-03-24T00:00:00.750Z" }},
		{name: "ok/issuanceDate with offset", mutate: func(c map[string]any) { vcOf(c)["issuanceDate"] = "2026-03-24T09:00:00+09:00" }},
		{name: "ok/no exp and no expirationDate", mutate: func(c map[string]any) { delete(c, "exp"); delete(vcOf(c), "expirationDate") }},
		{name: "ok/no iat", mutate: func(c map[string]any) { delete(c, "iat") }},
		{name: "ok/aud without nonce", mutate: func(c map[string]any) { c["aud"] = "https://verifier.example" }},
		{name: "ok/cnf equal to the did:jwk subject", mutate: func(c map[string]any) { c["cnf"] = map[string]any{"jwk": holderJWK} }},
		{name: "ok/cnf with a non-DID subject", sub: "urn:student:42", mutate: func(c map[string]any) { c["cnf"] = map[string]any{"jwk": holderJWK} },
			check: func(t *testing.T, r *vcjwt.Result) {
				if !holder.PublicKey.Equal(r.HolderKey) {
					t.Error("holder key is not cnf.jwk")
				}
			}},
		{name: "ok/single key", pol: func(p *vcjwt.Policy) { p.Keys = nil; p.Key = iss.Public() }, check: func(t *testing.T, r *vcjwt.Result) {
			if r.KeySource != vcjwt.KeySourceKey {
				t.Errorf("key source %s", r.KeySource)
			}
		}},
		{name: "ok/kid selects among keys", pol: func(p *vcjwt.Policy) {
			p.Keys = []jose.KeyEntry{{Kid: "k0", Key: other.Public()}, {Kid: "k1", Key: iss.Public(), Alg: "ES256", Use: "sig"}}
		}},
		{name: "ok/no kid, one key", header: &jose.SignHeader{Typ: "JWT"}},
		{name: "ok/x5c leaf", header: &jose.SignHeader{Typ: "JWT", X5C: []*x509.Certificate{cert}}, pol: func(p *vcjwt.Policy) { p.Keys = nil; p.AllowX5C = true },
			check: func(t *testing.T, r *vcjwt.Result) {
				if r.KeySource != vcjwt.KeySourceX5C || len(r.Chain) != 1 || !r.Chain[0].Equal(cert) {
					t.Errorf("key source %s chain %v", r.KeySource, r.Chain)
				}
			}},
		{name: "ok/kid misses, x5c allowed", header: &jose.SignHeader{Typ: "JWT", Kid: "unknown", X5C: []*x509.Certificate{cert}}, pol: func(p *vcjwt.Policy) { p.AllowX5C = true }},
		{name: "ok/expiry within skew", pol: func(p *vcjwt.Policy) { p.Now = expires.Add(30 * time.Second); p.ClockSkew = time.Minute }},

		// consistency rules, each violated once
		{name: "fail/iss differs from issuer", mutate: func(c map[string]any) { c["iss"] = "https://other.example" }, wantCode: vcjwt.CodeClaimMismatch, wantClaim: "iss"},
		{name: "fail/iss differs from issuer string", mutate: func(c map[string]any) { vcOf(c)["issuer"] = "https://other.example" }, wantCode: vcjwt.CodeClaimMismatch, wantClaim: "iss"},
		{name: "fail/issuer without iss", mutate: func(c map[string]any) { delete(c, "iss") }, wantCode: vcjwt.CodeClaimMismatch, wantClaim: "iss"},
		{name: "fail/no issuer at all", mutate: func(c map[string]any) { delete(c, "iss"); delete(vcOf(c), "issuer") }, wantCode: vcjwt.CodeNotAVC, wantClaim: "iss"},
		{name: "fail/sub differs from subject id", mutate: func(c map[string]any) { c["sub"] = didJWK(t, other.Public()) }, wantCode: vcjwt.CodeClaimMismatch, wantClaim: "sub"},
		{name: "fail/subject id without sub", mutate: func(c map[string]any) { delete(c, "sub") }, wantCode: vcjwt.CodeClaimMismatch, wantClaim: "sub"},
		{name: "fail/jti differs from id", mutate: func(c map[string]any) { c["jti"] = "urn:uuid:other" }, wantCode: vcjwt.CodeClaimMismatch, wantClaim: "jti"},
		{name: "fail/id without jti", mutate: func(c map[string]any) { delete(c, "jti") }, wantCode: vcjwt.CodeClaimMismatch, wantClaim: "jti"},
		{name: "fail/nbf one second off issuanceDate", mutate: func(c map[string]any) { c["nbf"] = issued.Unix() + 1 }, wantCode: vcjwt.CodeClaimMismatch, wantClaim: "nbf"},
		{name: "fail/issuanceDate without nbf", mutate: func(c map[string]any) { delete(c, "nbf") }, wantCode: vcjwt.CodeClaimMismatch, wantClaim: "nbf"},
		{name: "fail/no issuance date at all", mutate: func(c map[string]any) { delete(c, "nbf"); delete(vcOf(c), "issuanceDate") }, wantCode: vcjwt.CodeNotAVC, wantClaim: "nbf"},
		{name: "fail/exp differs from expirationDate", mutate: func(c map[string]any) { c["exp"] = expires.Unix() - 1 }, wantCode: vcjwt.CodeClaimMismatch, wantClaim: "exp"},
		{name: "fail/expirationDate without exp", mutate: func(c map[string]any) { delete(c, "exp") }, wantCode: vcjwt.CodeClaimMismatch, wantClaim: "exp"},
		{name: "fail/exp before nbf", mutate: func(c map[string]any) {
			c["exp"] = issued.Unix() - 10
			delete(vcOf(c), "expirationDate")
		}, wantCode: vcjwt.CodeInvalidClaim, wantClaim: "exp"},
		{name: "fail/cnf differs from did:jwk subject", mutate: func(c map[string]any) { c["cnf"] = map[string]any{"jwk": otherJWK} }, wantCode: vcjwt.CodeClaimMismatch, wantClaim: "cnf"},

		// claim types and formats
		{name: "fail/nbf is a string", mutate: func(c map[string]any) { c["nbf"] = "1774310400" }, wantCode: vcjwt.CodeInvalidClaim, wantClaim: "nbf"},
		{name: "fail/nbf negative", mutate: func(c map[string]any) { c["nbf"] = -1 }, wantCode: vcjwt.CodeInvalidClaim, wantClaim: "nbf"},
		{name: "fail/iat is a string", mutate: func(c map[string]any) { c["iat"] = "now" }, wantCode: vcjwt.CodeInvalidClaim, wantClaim: "iat"},
		{name: "fail/iss is a number", mutate: func(c map[string]any) { c["iss"] = 1 }, wantCode: vcjwt.CodeInvalidClaim, wantClaim: "iss"},
		{name: "fail/sub is empty", mutate: func(c map[string]any) { c["sub"] = "" }, wantCode: vcjwt.CodeInvalidClaim, wantClaim: "sub"},
		{name: "fail/issuanceDate without time zone", mutate: func(c map[string]any) { vcOf(c)["issuanceDate"] = "2026-03-24T00:00:00" }, wantCode: vcjwt.CodeInvalidClaim, wantClaim: "vc.issuanceDate"},
		{name: "fail/expirationDate is a date", mutate: func(c map[string]any) { vcOf(c)["expirationDate"] = "2036-03-24" }, wantCode: vcjwt.CodeInvalidClaim, wantClaim: "vc.expirationDate"},
		{name: "fail/issuer object without id", mutate: func(c map[string]any) { vcOf(c)["issuer"] = map[string]any{"name": "x"} }, wantCode: vcjwt.CodeInvalidClaim, wantClaim: "vc.issuer"},
		{name: "fail/subject id is a number", mutate: func(c map[string]any) { subjOf(c)["id"] = 7 }, wantCode: vcjwt.CodeInvalidClaim, wantClaim: "vc.credentialSubject.id"},
		{name: "fail/cnf is a string", mutate: func(c map[string]any) { c["cnf"] = "x" }, wantCode: vcjwt.CodeInvalidClaim, wantClaim: "cnf"},
		{name: "fail/cnf without jwk", mutate: func(c map[string]any) { c["cnf"] = map[string]any{"kid": "x"} }, wantCode: vcjwt.CodeInvalidClaim, wantClaim: "cnf"},
		{name: "fail/cnf private key", mutate: func(c map[string]any) {
			j := clone(t, holderJWK)
			j["d"] = "AAAA"
			c["cnf"] = map[string]any{"jwk": j}
		}, wantCode: vcjwt.CodeInvalidClaim, wantClaim: "cnf"},
		{name: "fail/did:jwk subject does not decode", sub: "did:jwk:bm90IGEgandr", wantCode: vcjwt.CodeInvalidClaim, wantClaim: "sub"},

		// validity at Now
		{name: "fail/expired", pol: func(p *vcjwt.Policy) { p.Now = expires.Add(time.Second) }, wantCode: vcjwt.CodeExpired, wantClaim: "exp"},
		{name: "fail/expired exactly at exp", pol: func(p *vcjwt.Policy) { p.Now = expires }, wantCode: vcjwt.CodeExpired, wantClaim: "exp"},
		{name: "fail/not yet valid", pol: func(p *vcjwt.Policy) { p.Now = issued.Add(-time.Second) }, wantCode: vcjwt.CodeNotYetValid, wantClaim: "nbf"},
		{name: "fail/iat in the future", mutate: func(c map[string]any) { c["iat"] = now.Add(time.Hour).Unix() }, wantCode: vcjwt.CodeNotYetValid, wantClaim: "iat"},

		// typing and mutually exclusive validation rules (RFC 8725 §3.11, §3.12)
		{name: "fail/typ dc+sd-jwt", header: &jose.SignHeader{Typ: "dc+sd-jwt", Kid: "k1"}, wantCode: vcjwt.CodeWrongType},
		{name: "fail/typ vc+sd-jwt", header: &jose.SignHeader{Typ: "vc+sd-jwt", Kid: "k1"}, wantCode: vcjwt.CodeWrongType},
		{name: "fail/typ kb+jwt", header: &jose.SignHeader{Typ: "kb+jwt", Kid: "k1"}, wantCode: vcjwt.CodeWrongType},
		{name: "fail/typ statuslist+jwt", header: &jose.SignHeader{Typ: "statuslist+jwt", Kid: "k1"}, wantCode: vcjwt.CodeWrongType},
		{name: "fail/typ openid4vci-proof+jwt", header: &jose.SignHeader{Typ: "openid4vci-proof+jwt", Kid: "k1"}, wantCode: vcjwt.CodeWrongType},
		{name: "fail/typ vc+jwt", header: &jose.SignHeader{Typ: "vc+jwt", Kid: "k1"}, wantCode: vcjwt.CodeWrongType},
		{name: "fail/cty present", header: &jose.SignHeader{Typ: "JWT", Kid: "k1", Extra: map[string]any{"cty": "vc"}}, wantCode: vcjwt.CodeWrongType},
		{name: "fail/vct", mutate: func(c map[string]any) { c["vct"] = "urn:eudi:diploma:1" }, wantCode: vcjwt.CodeAmbiguousToken, wantClaim: "vct"},
		{name: "fail/_sd", mutate: func(c map[string]any) { c["_sd"] = []any{"abc"} }, wantCode: vcjwt.CodeAmbiguousToken, wantClaim: "_sd"},
		{name: "fail/_sd_alg", mutate: func(c map[string]any) { c["_sd_alg"] = "sha-256" }, wantCode: vcjwt.CodeAmbiguousToken, wantClaim: "_sd_alg"},
		{name: "fail/_sd inside credentialSubject", mutate: func(c map[string]any) { subjOf(c)["_sd"] = []any{"abc"} }, wantCode: vcjwt.CodeAmbiguousToken, wantClaim: "vc.credentialSubject._sd"},
		{name: "fail/array element digest", mutate: func(c map[string]any) { subjOf(c)["nationalities"] = []any{map[string]any{"...": "abc"}} },
			wantCode: vcjwt.CodeAmbiguousToken, wantClaim: "vc.credentialSubject.nationalities[0]...."},
		{name: "fail/status_list", mutate: func(c map[string]any) { c["status_list"] = map[string]any{"bits": 1, "lst": "eNrbuRgAAhcBXQ"} }, wantCode: vcjwt.CodeAmbiguousToken, wantClaim: "status_list"},
		{name: "fail/vp", mutate: func(c map[string]any) { c["vp"] = map[string]any{} }, wantCode: vcjwt.CodeAmbiguousToken, wantClaim: "vp"},
		{name: "fail/sd_hash", mutate: func(c map[string]any) { c["sd_hash"] = "x" }, wantCode: vcjwt.CodeAmbiguousToken, wantClaim: "sd_hash"},
		{name: "fail/nonce and aud of a proof", mutate: func(c map[string]any) { c["nonce"] = "n"; c["aud"] = "https://issuer.example" }, wantCode: vcjwt.CodeAmbiguousToken, wantClaim: "nonce"},
		{name: "fail/VCDM 2.0 payload members", mutate: func(c map[string]any) { c["@context"] = []any{"https://www.w3.org/ns/credentials/v2"} }, wantCode: vcjwt.CodeAmbiguousToken, wantClaim: "@context"},
		{name: "fail/DPoP htm", mutate: func(c map[string]any) { c["htm"] = "POST" }, wantCode: vcjwt.CodeAmbiguousToken, wantClaim: "htm"},

		// the vc claim
		{name: "fail/no vc", mutate: func(c map[string]any) { delete(c, "vc") }, wantCode: vcjwt.CodeNotAVC, wantClaim: "vc"},
		{name: "fail/vc is a string", mutate: func(c map[string]any) { c["vc"] = "x" }, wantCode: vcjwt.CodeNotAVC, wantClaim: "vc"},
		{name: "fail/VCDM 2.0 context", mutate: func(c map[string]any) { vcOf(c)["@context"] = []any{"https://www.w3.org/ns/credentials/v2"} }, wantCode: vcjwt.CodeNotAVC, wantClaim: "vc.@context"},
		{name: "fail/v1 context not first", mutate: func(c map[string]any) {
			vcOf(c)["@context"] = []any{"https://www.w3.org/2018/credentials/examples/v1", vcjwt.ContextV1}
		}, wantCode: vcjwt.CodeNotAVC, wantClaim: "vc.@context"},
		{name: "ok/context as a single string", mutate: func(c map[string]any) { vcOf(c)["@context"] = vcjwt.ContextV1 }},
		{name: "fail/no context", mutate: func(c map[string]any) { delete(vcOf(c), "@context") }, wantCode: vcjwt.CodeNotAVC, wantClaim: "vc.@context"},
		{name: "fail/type without VerifiableCredential", mutate: func(c map[string]any) { vcOf(c)["type"] = []any{"UniversityDegreeCredential"} }, wantCode: vcjwt.CodeNotAVC, wantClaim: "vc.type"},
		{name: "fail/type with a non-string", mutate: func(c map[string]any) { vcOf(c)["type"] = []any{"VerifiableCredential", 1} }, wantCode: vcjwt.CodeNotAVC, wantClaim: "vc.type"},
		{name: "fail/no credentialSubject", mutate: func(c map[string]any) { delete(vcOf(c), "credentialSubject") }, wantCode: vcjwt.CodeNotAVC, wantClaim: "vc.credentialSubject"},
		{name: "fail/several subjects", mutate: func(c map[string]any) { vcOf(c)["credentialSubject"] = []any{subjOf(c), subjOf(c)} }, wantCode: vcjwt.CodeNotAVC, wantClaim: "vc.credentialSubject"},

		// algorithms, keys, signatures, encoding
		{name: "fail/alg none", raw: func(t *testing.T) string { return compact(t, nil, `{"alg":"none","typ":"JWT"}`, goodPayload, nil) },
			pol: func(p *vcjwt.Policy) { p.Algorithms = []jose.Algorithm{"none", jose.ES256} }, wantCode: vcjwt.CodeUnsupportedAlgorithm},
		{name: "fail/alg HS256", raw: func(t *testing.T) string {
			return compact(t, nil, `{"alg":"HS256","typ":"JWT","kid":"k1"}`, goodPayload, []byte("0123456789abcdef0123456789abcdef"))
		},
			pol: func(p *vcjwt.Policy) { p.Algorithms = []jose.Algorithm{"HS256", jose.ES256} }, wantCode: vcjwt.CodeUnsupportedAlgorithm},
		{name: "fail/signed by another key", raw: func(t *testing.T) string { return signClaims(t, other, hdr, baseClaims(holderDID)) }, wantCode: vcjwt.CodeInvalidSignature},
		{name: "fail/payload swapped", raw: func(t *testing.T) string {
			a := strings.Split(signClaims(t, iss, hdr, baseClaims(holderDID)), ".")
			b := strings.Split(signClaims(t, iss, hdr, baseClaims("")), ".")
			return a[0] + "." + b[1] + "." + a[2]
		}, wantCode: vcjwt.CodeInvalidSignature},
		{name: "fail/no kid, two keys", header: &jose.SignHeader{Typ: "JWT"}, pol: func(p *vcjwt.Policy) {
			p.Keys = []jose.KeyEntry{{Kid: "k0", Key: other.Public()}, {Kid: "k1", Key: iss.Public()}}
		}, wantCode: vcjwt.CodeUnknownKey},
		{name: "fail/key is for another alg", pol: func(p *vcjwt.Policy) { p.Keys = []jose.KeyEntry{{Kid: "k1", Key: iss.Public(), Alg: "ES384"}} }, wantCode: vcjwt.CodeUnknownKey},
		{name: "fail/key is for encryption", pol: func(p *vcjwt.Policy) { p.Keys = []jose.KeyEntry{{Kid: "k1", Key: iss.Public(), Use: "enc"}} }, wantCode: vcjwt.CodeUnknownKey},
		{name: "fail/x5c present but not allowed", header: &jose.SignHeader{Typ: "JWT", X5C: []*x509.Certificate{cert}},
			pol: func(p *vcjwt.Policy) {
				p.Keys = []jose.KeyEntry{{Kid: "k0", Key: iss.Public()}, {Kid: "k1", Key: iss.Public()}}
			}, wantCode: vcjwt.CodeUnknownKey},
		{name: "fail/x5c not a certificate", raw: func(t *testing.T) string {
			return compact(t, iss, `{"alg":"ES256","typ":"JWT","x5c":["bm90IGEgY2VydA=="]}`, goodPayload, nil)
		}, pol: func(p *vcjwt.Policy) { p.Keys = nil; p.AllowX5C = true }, wantCode: vcjwt.CodeInvalidCertificate},
		{name: "fail/x5c leaf is not the signer", header: &jose.SignHeader{Typ: "JWT", X5C: []*x509.Certificate{selfSigned(t, other)}},
			raw: func(t *testing.T) string {
				// jose.Sign refuses a leaf that is not the signing key, so splice the header.
				h := strings.Split(signClaims(t, other, jose.SignHeader{Typ: "JWT", X5C: []*x509.Certificate{selfSigned(t, other)}}, baseClaims(holderDID)), ".")[0]
				body := strings.Split(signClaims(t, iss, hdr, baseClaims(holderDID)), ".")
				return h + "." + body[1] + "." + body[2]
			}, pol: func(p *vcjwt.Policy) { p.Keys = nil; p.AllowX5C = true }, wantCode: vcjwt.CodeInvalidSignature},
		{name: "fail/not a JWS", raw: func(*testing.T) string { return "not.a" }, wantCode: vcjwt.CodeMalformed},
		{name: "fail/JWE", raw: func(*testing.T) string { return "a.b.c.d.e" }, wantCode: vcjwt.CodeMalformed},
		{name: "fail/payload not JSON", raw: func(t *testing.T) string { return compact(t, iss, `{"alg":"ES256","typ":"JWT"}`, `vc`, nil) }, wantCode: vcjwt.CodeMalformed},
		{name: "fail/payload an array", raw: func(t *testing.T) string { return compact(t, iss, `{"alg":"ES256","typ":"JWT"}`, `[1]`, nil) }, wantCode: vcjwt.CodeMalformed},
		{name: "fail/duplicate claim", raw: func(t *testing.T) string {
			return compact(t, iss, `{"alg":"ES256","typ":"JWT"}`, strings.Replace(goodPayload, `"nbf"`, `"iss":"https://evil.example","nbf"`, 1), nil)
		}, wantCode: vcjwt.CodeMalformed},
		{name: "fail/too large", raw: func(*testing.T) string { return strings.Repeat("a", vcjwt.MaxCredentialSize+1) }, wantCode: vcjwt.CodeMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var raw string
			if tt.raw != nil {
				raw = tt.raw(t)
			} else {
				sub := tt.sub
				switch sub {
				case "":
					sub = holderDID
				case "-":
					sub = ""
				}
				c := baseClaims(sub)
				if tt.mutate != nil {
					tt.mutate(c)
				}
				h := hdr
				if tt.header != nil {
					h = *tt.header
				}
				raw = signClaims(t, iss, h, c)
			}
			pol := vcjwt.Policy{Now: now, Algorithms: es256, Keys: keys}
			if tt.pol != nil {
				tt.pol(&pol)
			}
			res, err := vcjwt.Verify(raw, pol)
			if got := codeOf(t, err); got != tt.wantCode {
				t.Fatalf("code %q, want %q (err %v)", got, tt.wantCode, err)
			}
			if err != nil {
				e, _ := errors.AsType[*vcjwt.Error](err)
				if e.Claim != tt.wantClaim {
					t.Errorf("claim %q, want %q (err %v)", e.Claim, tt.wantClaim, err)
				}
				if res != nil {
					t.Error("a failed verification returned a result")
				}
				// The failing check is the last one; every earlier one passed.
				if n := len(e.Checks); n == 0 {
					t.Error("error carries no checks")
				} else {
					for _, c := range e.Checks[:n-1] {
						if !c.OK {
							t.Errorf("earlier check %+v failed", c)
						}
					}
					if last := e.Checks[n-1]; last.OK || last.Code != tt.wantCode || last.Detail == "" {
						t.Errorf("last check %+v", last)
					}
				}
				return
			}
			if tt.wantClaim != "" {
				t.Fatal("wantClaim set on an ok case")
			}
			if tt.check != nil {
				tt.check(t, res)
			}
		})
	}
}

// TestPolicyErrorsCarryNoChecks: a bad policy is not a verdict on the token.
func TestPolicyErrorsCarryNoChecks(t *testing.T) {
	raw, _ := loadVector(t)
	_, err := vcjwt.Verify(raw, vcjwt.Policy{})
	e, ok := errors.AsType[*vcjwt.Error](err)
	if !ok || e.Code != vcjwt.CodeInvalidPolicy || e.Checks != nil || !errors.Is(err, vcjwt.ErrInvalidPolicy) {
		t.Fatalf("err %v", err)
	}
	if errors.Is(err, vcjwt.ErrExpired) {
		t.Fatal("invalid_policy matches the expired sentinel")
	}
	if vcjwt.CodeOf(err) != vcjwt.CodeInvalidPolicy || vcjwt.CodeOf(errors.New("x")) != "" {
		t.Fatal("CodeOf")
	}
}

func TestUnverifiedVerifyTwice(t *testing.T) {
	raw, keys := loadVector(t)
	u, err := vcjwt.ParseUnverified(raw)
	if err != nil {
		t.Fatal(err)
	}
	pol := vcjwt.Policy{Now: vectorNBF.Add(time.Hour), Algorithms: []jose.Algorithm{jose.ES256}, Keys: keys}
	if _, err := u.Verify(vcjwt.Policy{Now: vectorNBF.Add(-time.Hour), Algorithms: pol.Algorithms, Keys: keys}); codeOf(t, err) != vcjwt.CodeNotYetValid {
		t.Fatalf("err %v", err)
	}
	r, err := u.Verify(pol)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Checks) != 10 {
		t.Fatalf("checks after a failed attempt: %d", len(r.Checks))
	}
}

func TestP384Issuer(t *testing.T) {
	k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := vcjwt.Issue(newSigner(t, k, vcjwt.IssuerHeader("", nil)), diploma(""), vcjwt.IssueOptions{IssuedAt: issued})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := vcjwt.Verify(tok, vcjwt.Policy{Now: now, Algorithms: []jose.Algorithm{jose.ES256}, Key: k.Public()}); codeOf(t, err) != vcjwt.CodeUnsupportedAlgorithm {
		t.Fatalf("ES384 token under an ES256-only policy: %v", err)
	}
	if _, err := vcjwt.Verify(tok, vcjwt.Policy{Now: now, Algorithms: []jose.Algorithm{jose.ES384}, Key: k.Public()}); err != nil {
		t.Fatal(err)
	}
}
