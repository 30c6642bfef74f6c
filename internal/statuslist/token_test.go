package statuslist_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/statuslist"
)

// forge assembles a compact JWS from a header and payload JSON with the given signature.
func forge(header, payload string, sig []byte) string {
	e := base64.RawURLEncoding
	return e.EncodeToString([]byte(header)) + "." + e.EncodeToString([]byte(payload)) + "." + e.EncodeToString(sig)
}

func vectorParts(t *testing.T) (header, payload string) {
	t.Helper()
	parts := strings.Split(vectorToken(t), ".")
	h, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	p, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	return string(h), string(p)
}

// TestVerifyVector verifies the spec's Status List Token (status_list.jwt) with the spec's
// example key, and checks that each policy or token change is rejected with its code.
func TestVerifyVector(t *testing.T) {
	key := vectorKey(t)
	tok := vectorToken(t)
	hdr, payload := vectorParts(t)
	other := newKey(t, elliptic.P256())
	p384 := newKey(t, elliptic.P384())
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pubJSON, err := jose.MarshalPublicJWK(key, "")
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, pubJSON) // RS/HS-style key confusion: the public key as secret
	hsHeader := `{"alg":"HS256","kid":"12","typ":"statuslist+jwt"}`
	mac.Write([]byte(base64.RawURLEncoding.EncodeToString([]byte(hsHeader)) + "." + base64.RawURLEncoding.EncodeToString([]byte(payload))))

	iat := time.Unix(vectorIat, 0)
	exp := time.Unix(vectorExp, 0)
	pol := vectorPolicy
	with := func(f func(*statuslist.Policy)) statuslist.Policy { p := pol(); f(&p); return p }

	tests := []struct {
		name     string
		token    string
		key      crypto.PublicKey
		policy   statuslist.Policy
		wantCode statuslist.Code
	}{
		{name: "ok/vector", token: tok, key: key, policy: pol()},
		{name: "ok/just-after-iat", token: tok, key: key, policy: with(func(p *statuslist.Policy) { p.Now = iat })},
		{name: "ok/just-before-exp", token: tok, key: key, policy: with(func(p *statuslist.Policy) { p.Now = exp.Add(-time.Second) })},
		{name: "ok/iat-within-skew", token: tok, key: key, policy: with(func(p *statuslist.Policy) { p.Now = iat.Add(-time.Minute); p.ClockSkew = time.Minute })},
		{name: "ok/several-algorithms", token: tok, key: key, policy: with(func(p *statuslist.Policy) { p.Algorithms = []jose.Algorithm{jose.EdDSA, jose.ES256} })},
		{name: "fail/different-key", token: tok, key: &other.PublicKey, policy: pol(), wantCode: statuslist.CodeInvalidSignature},
		{name: "fail/p384-key", token: tok, key: &p384.PublicKey, policy: pol(), wantCode: statuslist.CodeKeyMismatch},
		{name: "fail/ed25519-key", token: tok, key: edPub, policy: pol(), wantCode: statuslist.CodeKeyMismatch},
		{name: "fail/uri-mismatch", token: tok, key: key, policy: with(func(p *statuslist.Policy) { p.URI = "https://example.com/statuslists/2" }), wantCode: statuslist.CodeSubjectMismatch},
		{name: "fail/uri-trailing-slash", token: tok, key: key, policy: with(func(p *statuslist.Policy) { p.URI = vectorURI + "/" }), wantCode: statuslist.CodeSubjectMismatch},
		{name: "fail/uri-case", token: tok, key: key, policy: with(func(p *statuslist.Policy) { p.URI = "https://EXAMPLE.com/statuslists/1" }), wantCode: statuslist.CodeSubjectMismatch},
		{name: "fail/at-exp", token: tok, key: key, policy: with(func(p *statuslist.Policy) { p.Now = exp }), wantCode: statuslist.CodeExpired},
		{name: "fail/after-exp", token: tok, key: key, policy: with(func(p *statuslist.Policy) { p.Now = exp.Add(time.Hour) }), wantCode: statuslist.CodeExpired},
		{name: "fail/after-exp-skew-not-applied", token: tok, key: key, policy: with(func(p *statuslist.Policy) { p.Now = exp.Add(time.Second); p.ClockSkew = time.Minute }), wantCode: statuslist.CodeExpired},
		{name: "fail/before-iat", token: tok, key: key, policy: with(func(p *statuslist.Policy) { p.Now = iat.Add(-time.Second) }), wantCode: statuslist.CodeIssuedInFuture},
		{name: "fail/before-iat-beyond-skew", token: tok, key: key, policy: with(func(p *statuslist.Policy) { p.Now = iat.Add(-2 * time.Minute); p.ClockSkew = time.Minute }), wantCode: statuslist.CodeIssuedInFuture},
		{name: "fail/alg-not-allowed", token: tok, key: key, policy: with(func(p *statuslist.Policy) { p.Algorithms = []jose.Algorithm{jose.ES384} }), wantCode: statuslist.CodeUnsupportedAlgorithm},
		{name: "fail/alg-none", token: forge(`{"alg":"none","typ":"statuslist+jwt"}`, payload, nil), key: key, policy: with(func(p *statuslist.Policy) { p.Algorithms = []jose.Algorithm{jose.ES256, "none"} }), wantCode: statuslist.CodeUnsupportedAlgorithm},
		{name: "fail/alg-HS256", token: forge(hsHeader, payload, mac.Sum(nil)), key: key, policy: with(func(p *statuslist.Policy) { p.Algorithms = []jose.Algorithm{jose.ES256, "HS256"} }), wantCode: statuslist.CodeUnsupportedAlgorithm},
		{name: "fail/typ-changed", token: forge(strings.Replace(hdr, "statuslist+jwt", "JWT", 1), payload, []byte("sig")), key: key, policy: pol(), wantCode: statuslist.CodeWrongType},
		{name: "fail/typ-missing", token: forge(`{"alg":"ES256","kid":"12"}`, payload, []byte("sig")), key: key, policy: pol(), wantCode: statuslist.CodeWrongType},
		{name: "fail/payload-changed", token: forge(hdr, strings.Replace(payload, `"ttl":43200`, `"ttl":43201`, 1), []byte(strings.Repeat("s", 64))), key: key, policy: pol(), wantCode: statuslist.CodeInvalidSignature},
		{name: "fail/zero-now", token: tok, key: key, policy: with(func(p *statuslist.Policy) { p.Now = time.Time{} }), wantCode: statuslist.CodeInvalidArgument},
		{name: "fail/no-uri", token: tok, key: key, policy: with(func(p *statuslist.Policy) { p.URI = "" }), wantCode: statuslist.CodeInvalidArgument},
		{name: "fail/relative-uri", token: tok, key: key, policy: with(func(p *statuslist.Policy) { p.URI = "/statuslists/1" }), wantCode: statuslist.CodeInvalidArgument},
		{name: "fail/no-algorithms", token: tok, key: key, policy: with(func(p *statuslist.Policy) { p.Algorithms = nil }), wantCode: statuslist.CodeInvalidArgument},
		{name: "fail/negative-skew", token: tok, key: key, policy: with(func(p *statuslist.Policy) { p.ClockSkew = -time.Second }), wantCode: statuslist.CodeInvalidArgument},
		{name: "fail/huge-skew", token: tok, key: key, policy: with(func(p *statuslist.Policy) { p.ClockSkew = time.Hour }), wantCode: statuslist.CodeInvalidArgument},
		{name: "fail/nil-key", token: tok, key: nil, policy: pol(), wantCode: statuslist.CodeInvalidArgument},
		{name: "fail/nil-certificate", token: tok, key: (*x509.Certificate)(nil), policy: pol(), wantCode: statuslist.CodeInvalidArgument},
		{name: "fail/zero-policy", token: tok, key: key, policy: statuslist.Policy{}, wantCode: statuslist.CodeInvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := statuslist.ParseToken(tt.token)
			checkCode(t, err, "")
			got, err := u.Verify(tt.key, tt.policy)
			checkCode(t, err, tt.wantCode)
			if err == nil && got.Subject != vectorURI {
				t.Fatalf("Subject = %q", got.Subject)
			}
		})
	}
}

// TestVerifyVectorContent checks the verified token's content against the decoded vector
// (extracted/status_list_jwt.decoded.json) and the 1-bit example list.
func TestVerifyVectorContent(t *testing.T) {
	u, err := statuslist.ParseToken(vectorToken(t))
	checkCode(t, err, "")
	var decoded struct {
		Header  map[string]any `json:"header"`
		Payload struct {
			Exp        int64                 `json:"exp"`
			Iat        int64                 `json:"iat"`
			Iss        string                `json:"iss"`
			StatusList statuslist.StatusList `json:"status_list"`
			Sub        string                `json:"sub"`
			TTL        int64                 `json:"ttl"`
		} `json:"payload"`
	}
	if err := json.Unmarshal(readVector(t, "extracted/status_list_jwt.decoded.json"), &decoded); err != nil {
		t.Fatal(err)
	}
	h := u.Header()
	if h.Alg != decoded.Header["alg"] || h.Kid != decoded.Header["kid"] || h.Typ != decoded.Header["typ"] {
		t.Fatalf("header %+v, want %v", h, decoded.Header)
	}
	tok, err := u.Verify(vectorKey(t), vectorPolicy())
	checkCode(t, err, "")
	want := decoded.Payload
	switch {
	case tok.Subject != want.Sub:
		t.Fatalf("Subject = %q, want %q", tok.Subject, want.Sub)
	case tok.Issuer != want.Iss:
		t.Fatalf("Issuer = %q, want %q", tok.Issuer, want.Iss)
	case !tok.IssuedAt.Equal(time.Unix(want.Iat, 0)):
		t.Fatalf("IssuedAt = %v", tok.IssuedAt)
	case !tok.ExpiresAt.Equal(time.Unix(want.Exp, 0)):
		t.Fatalf("ExpiresAt = %v", tok.ExpiresAt)
	case tok.TTL != time.Duration(want.TTL)*time.Second || tok.TTL != vectorTTL:
		t.Fatalf("TTL = %v", tok.TTL)
	case tok.AggregationURI != "":
		t.Fatalf("AggregationURI = %q", tok.AggregationURI)
	case tok.List.Bits() != want.StatusList.Bits || tok.List.Len() != 16:
		t.Fatalf("list bits %d len %d", tok.List.Bits(), tok.List.Len())
	case !bytes.Equal(tok.List.Bytes(), []byte{0xb9, 0xa3}):
		t.Fatalf("list bytes %x", tok.List.Bytes())
	}

	// Statuses through references: index 0 is INVALID, 1 VALID; 16 is outside the list.
	refTests := []struct {
		name     string
		ref      statuslist.Reference
		want     statuslist.Status
		wantCode statuslist.Code
	}{
		{name: "ok/idx-0-invalid", ref: statuslist.Reference{Idx: 0, URI: vectorURI}, want: statuslist.Invalid},
		{name: "ok/idx-1-valid", ref: statuslist.Reference{Idx: 1, URI: vectorURI}, want: statuslist.Valid},
		{name: "ok/idx-15-invalid", ref: statuslist.Reference{Idx: 15, URI: vectorURI}, want: statuslist.Invalid},
		{name: "fail/idx-16-out-of-range", ref: statuslist.Reference{Idx: 16, URI: vectorURI}, wantCode: statuslist.CodeIndexOutOfRange},
		{name: "fail/idx-huge", ref: statuslist.Reference{Idx: 1 << 40, URI: vectorURI}, wantCode: statuslist.CodeIndexOutOfRange},
		{name: "fail/idx-negative", ref: statuslist.Reference{Idx: -1, URI: vectorURI}, wantCode: statuslist.CodeInvalidReference},
		{name: "fail/other-uri", ref: statuslist.Reference{Idx: 0, URI: "https://example.com/statuslists/2"}, wantCode: statuslist.CodeSubjectMismatch},
		{name: "fail/no-uri", ref: statuslist.Reference{Idx: 0}, wantCode: statuslist.CodeInvalidReference},
	}
	for _, tt := range refTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tok.Status(tt.ref)
			checkCode(t, err, tt.wantCode)
			if err == nil && got != tt.want {
				t.Fatalf("Status = %v, want %v", got, tt.want)
			}
		})
	}

	// Caching: until iat+ttl (12 h), which is earlier than exp.
	iat := time.Unix(vectorIat, 0)
	cacheTests := []struct {
		name string
		now  time.Time
		want time.Duration
	}{
		{name: "ok/at-iat", now: iat, want: 12 * time.Hour},
		{name: "ok/one-hour-later", now: iat.Add(time.Hour), want: 11 * time.Hour},
		{name: "ok/past-ttl", now: vectorNow, want: 0},
	}
	for _, tt := range cacheTests {
		t.Run(tt.name, func(t *testing.T) {
			d, ok := tok.CacheFor(tt.now)
			if !ok || d != tt.want {
				t.Fatalf("CacheFor = %v, %v; want %v, true", d, ok, tt.want)
			}
		})
	}
}

func TestCacheFor(t *testing.T) {
	iat := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := iat.Add(time.Minute)
	tests := []struct {
		name   string
		tok    statuslist.Token
		want   time.Duration
		wantOK bool
	}{
		{name: "ok/ttl-only", tok: statuslist.Token{IssuedAt: iat, TTL: time.Hour}, want: 59 * time.Minute, wantOK: true},
		{name: "ok/exp-only", tok: statuslist.Token{IssuedAt: iat, ExpiresAt: iat.Add(10 * time.Minute)}, want: 9 * time.Minute, wantOK: true},
		{name: "ok/exp-earlier-than-ttl", tok: statuslist.Token{IssuedAt: iat, ExpiresAt: iat.Add(10 * time.Minute), TTL: time.Hour}, want: 9 * time.Minute, wantOK: true},
		{name: "ok/ttl-earlier-than-exp", tok: statuslist.Token{IssuedAt: iat, ExpiresAt: iat.Add(time.Hour), TTL: 5 * time.Minute}, want: 4 * time.Minute, wantOK: true},
		{name: "ok/already-stale", tok: statuslist.Token{IssuedAt: iat, TTL: 30 * time.Second}, want: 0, wantOK: true},
		{name: "ok/no-bound", tok: statuslist.Token{IssuedAt: iat}, want: 0, wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, ok := tt.tok.CacheFor(now)
			if d != tt.want || ok != tt.wantOK {
				t.Fatalf("CacheFor = %v, %v; want %v, %v", d, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// signClaims signs arbitrary claims JSON as a statuslist+jwt with key.
func signClaims(t testing.TB, key crypto.Signer, typ string, payload []byte) string {
	t.Helper()
	tok, err := jose.Sign(key, jose.SignHeader{Typ: typ}, payload)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestVerifyClaims signs claim sets with a test key, so that each case fails (or passes) on
// its claims alone.
func TestVerifyClaims(t *testing.T) {
	key := newKey(t, elliptic.P256())
	const uri = "https://issuer.example/statuslists/7"
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	iat := now.Add(-time.Hour).Unix()
	lst := `{"bits":1,"lst":"eNrbuRgAAhcBXQ"}`
	bomb := b64(zeroStream(t, 64<<20))
	claims := func(extra string) string {
		return `{"sub":"` + uri + `","iat":` + itoa(iat) + `,"status_list":` + lst + extra + `}`
	}
	tests := []struct {
		name     string
		typ      string
		payload  string
		wantCode statuslist.Code
	}{
		{name: "ok/minimal", payload: claims("")},
		{name: "ok/all-claims", payload: claims(`,"iss":"https://issuer.example","exp":` + itoa(now.Add(time.Hour).Unix()) + `,"ttl":300,"nbf":` + itoa(iat) + `,"x":{"y":[1,2]}`)},
		{name: "ok/typ-with-application-prefix", typ: "application/statuslist+jwt", payload: claims("")},
		{name: "ok/typ-upper-case", typ: "STATUSLIST+JWT", payload: claims("")},
		{name: "ok/fractional-times", payload: `{"sub":"` + uri + `","iat":` + itoa(iat) + `.5,"exp":` + itoa(now.Unix()+60) + `.25,"ttl":0.5,"status_list":` + lst + `}`},
		{name: "ok/aggregation-uri", payload: `{"sub":"` + uri + `","iat":` + itoa(iat) + `,"status_list":{"bits":1,"lst":"eNrbuRgAAhcBXQ","aggregation_uri":"https://issuer.example/agg"}}`},
		{name: "fail/typ-jwt", typ: "JWT", payload: claims(""), wantCode: statuslist.CodeWrongType},
		{name: "fail/typ-other", typ: "dc+sd-jwt", payload: claims(""), wantCode: statuslist.CodeWrongType},
		{name: "fail/claims-array", payload: `[1,2]`, wantCode: statuslist.CodeMalformed},
		{name: "fail/claims-not-json", payload: `{"sub":`, wantCode: statuslist.CodeMalformed},
		{name: "fail/duplicate-sub", payload: `{"sub":"https://evil.example/","sub":"` + uri + `","iat":` + itoa(iat) + `,"status_list":` + lst + `}`, wantCode: statuslist.CodeMalformed},
		{name: "fail/missing-sub", payload: `{"iat":` + itoa(iat) + `,"status_list":` + lst + `}`, wantCode: statuslist.CodeMalformed},
		{name: "fail/sub-wrong-case-name", payload: `{"Sub":"` + uri + `","iat":` + itoa(iat) + `,"status_list":` + lst + `}`, wantCode: statuslist.CodeMalformed},
		{name: "fail/sub-number", payload: `{"sub":7,"iat":` + itoa(iat) + `,"status_list":` + lst + `}`, wantCode: statuslist.CodeMalformed},
		{name: "fail/sub-null", payload: `{"sub":null,"iat":` + itoa(iat) + `,"status_list":` + lst + `}`, wantCode: statuslist.CodeMalformed},
		{name: "fail/sub-other", payload: `{"sub":"https://issuer.example/statuslists/8","iat":` + itoa(iat) + `,"status_list":` + lst + `}`, wantCode: statuslist.CodeSubjectMismatch},
		{name: "fail/missing-iat", payload: `{"sub":"` + uri + `","status_list":` + lst + `}`, wantCode: statuslist.CodeMalformed},
		{name: "fail/iat-string", payload: `{"sub":"` + uri + `","iat":"` + itoa(iat) + `","status_list":` + lst + `}`, wantCode: statuslist.CodeMalformed},
		{name: "fail/iat-negative", payload: `{"sub":"` + uri + `","iat":-1,"status_list":` + lst + `}`, wantCode: statuslist.CodeMalformed},
		{name: "fail/iat-year-10000", payload: `{"sub":"` + uri + `","iat":253402300800,"status_list":` + lst + `}`, wantCode: statuslist.CodeMalformed},
		{name: "fail/iat-future", payload: `{"sub":"` + uri + `","iat":` + itoa(now.Unix()+1) + `,"status_list":` + lst + `}`, wantCode: statuslist.CodeIssuedInFuture},
		{name: "fail/nbf-future", payload: claims(`,"nbf":` + itoa(now.Unix()+1)), wantCode: statuslist.CodeIssuedInFuture},
		{name: "fail/nbf-string", payload: claims(`,"nbf":"x"`), wantCode: statuslist.CodeMalformed},
		{name: "fail/exp-passed", payload: claims(`,"exp":` + itoa(now.Unix()-1)), wantCode: statuslist.CodeExpired},
		{name: "fail/exp-string", payload: claims(`,"exp":"never"`), wantCode: statuslist.CodeMalformed},
		{name: "fail/exp-null", payload: claims(`,"exp":null`), wantCode: statuslist.CodeMalformed},
		{name: "fail/ttl-zero", payload: claims(`,"ttl":0`), wantCode: statuslist.CodeMalformed},
		{name: "fail/ttl-negative", payload: claims(`,"ttl":-60`), wantCode: statuslist.CodeMalformed},
		{name: "fail/ttl-string", payload: claims(`,"ttl":"60"`), wantCode: statuslist.CodeMalformed},
		{name: "fail/ttl-absurd", payload: claims(`,"ttl":1e300`), wantCode: statuslist.CodeMalformed},
		{name: "fail/iss-number", payload: claims(`,"iss":1`), wantCode: statuslist.CodeMalformed},
		{name: "fail/missing-status_list", payload: `{"sub":"` + uri + `","iat":` + itoa(iat) + `}`, wantCode: statuslist.CodeMalformed},
		{name: "fail/status_list-string", payload: `{"sub":"` + uri + `","iat":` + itoa(iat) + `,"status_list":"eNrbuRgAAhcBXQ"}`, wantCode: statuslist.CodeMalformed},
		{name: "fail/bits-3", payload: `{"sub":"` + uri + `","iat":` + itoa(iat) + `,"status_list":{"bits":3,"lst":"eNrbuRgAAhcBXQ"}}`, wantCode: statuslist.CodeUnsupportedBits},
		{name: "fail/lst-padding", payload: `{"sub":"` + uri + `","iat":` + itoa(iat) + `,"status_list":{"bits":1,"lst":"eNrbuRgAAhcBXQ=="}}`, wantCode: statuslist.CodeMalformed},
		{name: "fail/lst-not-base64url", payload: `{"sub":"` + uri + `","iat":` + itoa(iat) + `,"status_list":{"bits":1,"lst":"eNrbuRgAAhcB+Q"}}`, wantCode: statuslist.CodeMalformed},
		{name: "fail/zlib-bomb", payload: `{"sub":"` + uri + `","iat":` + itoa(iat) + `,"status_list":{"bits":1,"lst":"` + bomb + `"}}`, wantCode: statuslist.CodeTooLarge},
		{name: "fail/status-list-duplicate-bits", payload: `{"sub":"` + uri + `","iat":` + itoa(iat) + `,"status_list":{"bits":1,"bits":8,"lst":"eNrbuRgAAhcBXQ"}}`, wantCode: statuslist.CodeMalformed},
	}
	pol := statuslist.Policy{URI: uri, Algorithms: []jose.Algorithm{jose.ES256}, Now: now}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			typ := tt.typ
			if typ == "" {
				typ = statuslist.TokenType
			}
			u, err := statuslist.ParseToken(signClaims(t, key, typ, []byte(tt.payload)))
			checkCode(t, err, "")
			tok, err := u.Verify(&key.PublicKey, pol)
			checkCode(t, err, tt.wantCode)
			if err == nil && (tok.Subject != uri || tok.List == nil || tok.IssuedAt.After(now)) {
				t.Fatalf("unexpected token %+v", tok)
			}
		})
	}
}

func itoa(n int64) string { return big.NewInt(n).String() }

// selfSigned returns a certificate for key, as an issuer's x5c leaf would be.
func selfSigned(t testing.TB, key *ecdsa.PrivateKey) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "hashi test status issuer"},
		NotBefore:    time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestSignVerifyRoundTrip issues a token with an x5c signer, then verifies it both with the
// x5c leaf (after "trusting" it) and with a bare public key.
func TestSignVerifyRoundTrip(t *testing.T) {
	key := newKey(t, elliptic.P256())
	leaf := selfSigned(t, key)
	signer, err := jose.NewSigner(key, jose.SignHeader{Typ: statuslist.TokenType, X5C: []*x509.Certificate{leaf}})
	if err != nil {
		t.Fatal(err)
	}
	const uri = "https://issuer.example/statuslists/1"
	l, err := statuslist.New(2, 1000)
	checkCode(t, err, "")
	checkCode(t, l.Set(3, statuslist.Invalid), "")
	checkCode(t, l.Set(999, statuslist.Suspended), "")
	iat := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	in := &statuslist.Token{
		Issuer:         "https://issuer.example",
		Subject:        uri,
		IssuedAt:       iat,
		ExpiresAt:      iat.Add(24 * time.Hour),
		TTL:            time.Hour,
		List:           l,
		AggregationURI: "https://issuer.example/statuslists",
	}
	tok, err := statuslist.Sign(signer, in)
	checkCode(t, err, "")

	u, err := statuslist.ParseToken(tok)
	checkCode(t, err, "")
	if h := u.Header(); h.Typ != statuslist.TokenType || h.Alg != "ES256" || len(h.X5C) != 1 {
		t.Fatalf("header %+v", h)
	}
	certs, err := u.Certificates()
	checkCode(t, err, "")
	if len(certs) != 1 || !certs[0].Equal(leaf) {
		t.Fatal("x5c does not hold the leaf")
	}
	pol := statuslist.Policy{URI: uri, Algorithms: []jose.Algorithm{jose.ES256}, Now: iat.Add(time.Minute)}
	for name, k := range map[string]crypto.PublicKey{"leaf": certs[0], "public-key": certs[0].PublicKey} {
		t.Run("ok/"+name, func(t *testing.T) {
			out, err := u.Verify(k, pol)
			checkCode(t, err, "")
			if out.Issuer != in.Issuer || out.Subject != uri || !out.IssuedAt.Equal(iat) || !out.ExpiresAt.Equal(in.ExpiresAt) ||
				out.TTL != time.Hour || out.AggregationURI != in.AggregationURI || out.List.Bits() != 2 || out.List.Len() != 1000 {
				t.Fatalf("round trip changed the token: %+v", out)
			}
			for ref, want := range map[int]statuslist.Status{0: statuslist.Valid, 3: statuslist.Invalid, 999: statuslist.Suspended} {
				got, err := out.Status(statuslist.Reference{Idx: ref, URI: uri})
				checkCode(t, err, "")
				if got != want {
					t.Fatalf("Status(%d) = %v, want %v", ref, got, want)
				}
			}
			_, err = out.Status(statuslist.Reference{Idx: 1000, URI: uri})
			checkCode(t, err, statuslist.CodeIndexOutOfRange)
		})
	}
	t.Run("fail/other-leaf", func(t *testing.T) {
		_, err := u.Verify(selfSigned(t, newKey(t, elliptic.P256())), pol)
		checkCode(t, err, statuslist.CodeInvalidSignature)
	})
}

func TestSign(t *testing.T) {
	key := newKey(t, elliptic.P256())
	good, err := jose.NewSigner(key, jose.SignHeader{Typ: statuslist.TokenType, Kid: "k1"})
	if err != nil {
		t.Fatal(err)
	}
	untyped, err := jose.NewSigner(key, jose.SignHeader{Kid: "k1"})
	if err != nil {
		t.Fatal(err)
	}
	wrongTyp, err := jose.NewSigner(key, jose.SignHeader{Typ: "JWT"})
	if err != nil {
		t.Fatal(err)
	}
	l, err := statuslist.New(1, 8)
	checkCode(t, err, "")
	iat := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	base := func() *statuslist.Token {
		return &statuslist.Token{Subject: "https://issuer.example/statuslists/1", IssuedAt: iat, List: l}
	}
	with := func(f func(*statuslist.Token)) *statuslist.Token { tk := base(); f(tk); return tk }
	tests := []struct {
		name     string
		signer   *jose.Signer
		tok      *statuslist.Token
		wantCode statuslist.Code
	}{
		{name: "ok/minimal", signer: good, tok: base()},
		{name: "ok/exp-and-ttl", signer: good, tok: with(func(tk *statuslist.Token) { tk.ExpiresAt = iat.Add(time.Hour); tk.TTL = 10 * time.Minute })},
		{name: "fail/nil-signer", signer: nil, tok: base(), wantCode: statuslist.CodeInvalidArgument},
		{name: "fail/nil-token", signer: good, tok: nil, wantCode: statuslist.CodeInvalidArgument},
		{name: "fail/signer-without-typ", signer: untyped, tok: base(), wantCode: statuslist.CodeInvalidArgument},
		{name: "fail/signer-wrong-typ", signer: wrongTyp, tok: base(), wantCode: statuslist.CodeInvalidArgument},
		{name: "fail/no-subject", signer: good, tok: with(func(tk *statuslist.Token) { tk.Subject = "" }), wantCode: statuslist.CodeInvalidArgument},
		{name: "fail/relative-subject", signer: good, tok: with(func(tk *statuslist.Token) { tk.Subject = "statuslists/1" }), wantCode: statuslist.CodeInvalidArgument},
		{name: "fail/zero-iat", signer: good, tok: with(func(tk *statuslist.Token) { tk.IssuedAt = time.Time{} }), wantCode: statuslist.CodeInvalidArgument},
		{name: "fail/exp-before-iat", signer: good, tok: with(func(tk *statuslist.Token) { tk.ExpiresAt = iat.Add(-time.Second) }), wantCode: statuslist.CodeInvalidArgument},
		{name: "fail/exp-equals-iat", signer: good, tok: with(func(tk *statuslist.Token) { tk.ExpiresAt = iat }), wantCode: statuslist.CodeInvalidArgument},
		{name: "fail/ttl-fraction", signer: good, tok: with(func(tk *statuslist.Token) { tk.TTL = 1500 * time.Millisecond }), wantCode: statuslist.CodeInvalidArgument},
		{name: "fail/ttl-negative", signer: good, tok: with(func(tk *statuslist.Token) { tk.TTL = -time.Second }), wantCode: statuslist.CodeInvalidArgument},
		{name: "fail/no-list", signer: good, tok: with(func(tk *statuslist.Token) { tk.List = nil }), wantCode: statuslist.CodeInvalidArgument},
		{name: "fail/relative-aggregation-uri", signer: good, tok: with(func(tk *statuslist.Token) { tk.AggregationURI = "agg" }), wantCode: statuslist.CodeInvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := statuslist.Sign(tt.signer, tt.tok)
			checkCode(t, err, tt.wantCode)
			if err != nil {
				return
			}
			u, err := statuslist.ParseToken(tok)
			checkCode(t, err, "")
			if u.Header().Kid != "k1" {
				t.Fatalf("kid = %q", u.Header().Kid)
			}
			out, err := u.Verify(&key.PublicKey, statuslist.Policy{URI: tt.tok.Subject, Algorithms: []jose.Algorithm{jose.ES256}, Now: iat})
			checkCode(t, err, "")
			if !out.ExpiresAt.Equal(tt.tok.ExpiresAt) || out.TTL != tt.tok.TTL {
				t.Fatalf("exp %v ttl %v, want %v %v", out.ExpiresAt, out.TTL, tt.tok.ExpiresAt, tt.tok.TTL)
			}
		})
	}
}

func TestParseToken(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		wantCode statuslist.Code
	}{
		{name: "ok/vector", in: vectorToken(t)},
		{name: "fail/empty", in: "", wantCode: statuslist.CodeMalformed},
		{name: "fail/two-parts", in: "a.b", wantCode: statuslist.CodeMalformed},
		{name: "fail/jwe-five-parts", in: "a.b.c.d.e", wantCode: statuslist.CodeMalformed},
		{name: "fail/header-padding", in: strings.Replace(vectorToken(t), ".", "=.", 1), wantCode: statuslist.CodeMalformed},
		{name: "fail/header-not-json", in: forge(`not json`, `{}`, nil), wantCode: statuslist.CodeMalformed},
		{name: "fail/no-alg", in: forge(`{"typ":"statuslist+jwt"}`, `{}`, nil), wantCode: statuslist.CodeMalformed},
		{name: "fail/crit", in: forge(`{"alg":"ES256","typ":"statuslist+jwt","crit":["x"],"x":1}`, `{}`, nil), wantCode: statuslist.CodeMalformed},
		{name: "fail/too-large", in: strings.Repeat("a", statuslist.MaxTokenSize+1), wantCode: statuslist.CodeTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := statuslist.ParseToken(tt.in)
			checkCode(t, err, tt.wantCode)
		})
	}
}

func TestCertificates(t *testing.T) {
	tests := []struct {
		name     string
		header   string
		wantCode statuslist.Code
	}{
		{name: "fail/no-x5c", header: `{"alg":"ES256","typ":"statuslist+jwt"}`, wantCode: statuslist.CodeInvalidCertificate},
		{name: "fail/x5c-not-base64", header: `{"alg":"ES256","typ":"statuslist+jwt","x5c":["***"]}`, wantCode: statuslist.CodeInvalidCertificate},
		{name: "fail/x5c-not-der", header: `{"alg":"ES256","typ":"statuslist+jwt","x5c":["AAAA"]}`, wantCode: statuslist.CodeInvalidCertificate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := statuslist.ParseToken(forge(tt.header, `{}`, []byte("s")))
			checkCode(t, err, "")
			_, err = u.Certificates()
			checkCode(t, err, tt.wantCode)
		})
	}
}
