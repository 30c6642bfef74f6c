package dpop_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/dpop"
	"github.com/hashi-vc/hashi/internal/jose"
)

func TestVerify(t *testing.T) {
	key := newKey(t)
	other := newKey(t)
	key384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	jkt := thumbprint(t, &key.PublicKey)
	tokenReq := dpop.Request{Method: "POST", URL: tokenURL}
	credReq := dpop.Request{Method: "POST", URL: credentialURL, AccessToken: accessToken}
	credClaims := func(c map[string]any) {
		c["htu"] = credentialURL
		c["ath"] = dpop.AccessTokenHash(accessToken)
	}
	bound := func(p *dpop.Policy) { p.BoundJKT = jkt }

	tests := []struct {
		name  string
		key   *ecdsa.PrivateKey                 // signing key; default key
		hdr   func(h map[string]any)            // edits the header
		cl    func(c map[string]any)            // edits the claims
		raw   func(good string) string          // replaces the whole proof
		req   *dpop.Request                     // default tokenReq
		pol   func(p *dpop.Policy)              // edits Policy{Now: now}
		check func(t *testing.T, p *dpop.Proof) // extra checks on success
		want  dpop.Code
	}{
		{name: "ok/minimal"},
		{name: "ok/typ with application/ prefix", hdr: func(h map[string]any) { h["typ"] = "application/dpop+jwt" }},
		{name: "ok/typ in capitals", hdr: func(h map[string]any) { h["typ"] = "DPoP+JWT" }},
		{name: "ok/kid header and extra claims ignored", hdr: func(h map[string]any) { h["kid"] = "k1" },
			cl: func(c map[string]any) { c["aud"] = "x"; c["exp"] = 1 }},
		{name: "ok/iat one second inside MaxAge", cl: func(c map[string]any) { c["iat"] = now.Add(-5*time.Minute + time.Second).Unix() },
			check: func(t *testing.T, p *dpop.Proof) {
				if !p.ExpiresAt.Equal(now.Add(time.Second)) {
					t.Fatalf("ExpiresAt = %v", p.ExpiresAt)
				}
			}},
		{name: "ok/iat at ClockSkew", cl: func(c map[string]any) { c["iat"] = now.Add(time.Minute).Unix() }},
		{name: "ok/iat with fraction", cl: func(c map[string]any) { c["iat"] = float64(now.Unix()) + 0.25 },
			check: func(t *testing.T, p *dpop.Proof) {
				if !p.IssuedAt.Equal(now.Add(250 * time.Millisecond)) {
					t.Fatalf("IssuedAt = %v", p.IssuedAt)
				}
			}},
		{name: "ok/longer MaxAge", cl: func(c map[string]any) { c["iat"] = now.Add(-50 * time.Minute).Unix() },
			pol: func(p *dpop.Policy) { p.MaxAge = time.Hour }},
		{name: "ok/htu normalized", cl: func(c map[string]any) { c["htu"] = "HTTPS://Issuer.EXAMPLE:443/./token?q=1#f" }},
		{name: "ok/request URL with query", req: &dpop.Request{Method: "POST", URL: tokenURL + "?a=b"}},
		{name: "ok/expected nonce", cl: func(c map[string]any) { c["nonce"] = "n-1" },
			pol: func(p *dpop.Policy) { p.ExpectedNonce = "n-1" },
			check: func(t *testing.T, p *dpop.Proof) {
				if p.Nonce != "n-1" {
					t.Fatalf("Nonce = %q", p.Nonce)
				}
			}},
		{name: "ok/accepted nonce", cl: func(c map[string]any) { c["nonce"] = "n-2" },
			pol: func(p *dpop.Policy) { p.AcceptNonce = func(n string) bool { return n == "n-2" } }},
		{name: "ok/unrequested nonce passes", cl: func(c map[string]any) { c["nonce"] = "stale" }},
		{name: "ok/access token", cl: credClaims, req: &credReq, pol: bound},
		{name: "ok/bound at token endpoint (dpop_jkt)", pol: bound},
		{name: "ok/ES384 when allowed", key: key384,
			hdr: func(h map[string]any) { h["alg"] = "ES384"; h["jwk"] = publicJWK(t, &key384.PublicKey) },
			pol: func(p *dpop.Policy) { p.Algorithms = []jose.Algorithm{jose.ES256, jose.ES384} },
			check: func(t *testing.T, p *dpop.Proof) {
				if p.Algorithm != jose.ES384 || p.JKT != thumbprint(t, &key384.PublicKey) {
					t.Fatalf("proof = %+v", p)
				}
			}},

		// §4.3 check 2: one well-formed JWT.
		{name: "fail/empty", raw: func(string) string { return "" }, want: dpop.CodeMissing},
		{name: "fail/too large", raw: func(g string) string { return g + strings.Repeat("A", dpop.MaxProofSize) }, want: dpop.CodeMalformed},
		{name: "fail/not a JWS", raw: func(string) string { return "not-a-jwt" }, want: dpop.CodeMalformed},
		{name: "fail/JWE shape", raw: func(string) string { return "a.b.c.d.e" }, want: dpop.CodeMalformed},
		{name: "fail/padded signature", raw: func(g string) string { return g + "=" }, want: dpop.CodeMalformed},
		{name: "fail/duplicate header member", raw: func(string) string {
			h := `{"typ":"dpop+jwt","typ":"JWT","alg":"ES256","jwk":` + mustJSON(t, publicJWK(t, &key.PublicKey)) + `}`
			return handSign(t, key, b64.EncodeToString([]byte(h))+"."+b64.EncodeToString([]byte(mustJSON(t, goodClaims()))))
		}, want: dpop.CodeMalformed},
		{name: "fail/crit header", hdr: func(h map[string]any) { h["crit"] = []string{"x"}; h["x"] = 1 }, want: dpop.CodeMalformed},
		// §4.3 check 4.
		{name: "fail/no typ", hdr: func(h map[string]any) { delete(h, "typ") }, want: dpop.CodeBadType},
		{name: "fail/typ JWT", hdr: func(h map[string]any) { h["typ"] = "JWT" }, want: dpop.CodeBadType},
		{name: "fail/typ of an OpenID4VCI proof", hdr: func(h map[string]any) { h["typ"] = "openid4vci-proof+jwt" }, want: dpop.CodeBadType},
		// §4.3 check 5.
		{name: "fail/alg none", raw: func(string) string {
			h, _ := json.Marshal(map[string]any{"typ": "dpop+jwt", "alg": "none", "jwk": publicJWK(t, &key.PublicKey)})
			c, _ := json.Marshal(goodClaims())
			return b64.EncodeToString(h) + "." + b64.EncodeToString(c) + "."
		}, want: dpop.CodeBadAlgorithm},
		{name: "fail/alg HS256", hdr: func(h map[string]any) { h["alg"] = "HS256" }, want: dpop.CodeBadAlgorithm},
		{name: "fail/alg ES384 not in default", key: key384,
			hdr:  func(h map[string]any) { h["alg"] = "ES384"; h["jwk"] = publicJWK(t, &key384.PublicKey) },
			want: dpop.CodeBadAlgorithm},
		{name: "fail/alg RS256", hdr: func(h map[string]any) { h["alg"] = "RS256" }, want: dpop.CodeBadAlgorithm},
		// §4.3 checks 6 and 7.
		{name: "fail/no jwk", hdr: func(h map[string]any) { delete(h, "jwk") }, want: dpop.CodeBadKey},
		{name: "fail/jwk with private d", hdr: func(h map[string]any) {
			j := publicJWK(t, &key.PublicKey)
			d := make([]byte, 32)
			key.D.FillBytes(d) //nolint:staticcheck // the test needs the raw scalar for a private JWK
			j["d"] = b64.EncodeToString(d)
			h["jwk"] = j
		}, want: dpop.CodeBadKey},
		{name: "fail/symmetric jwk", hdr: func(h map[string]any) { h["jwk"] = map[string]any{"kty": "oct", "k": "c2VjcmV0"} }, want: dpop.CodeBadKey},
		{name: "fail/jwk point not on the curve", hdr: func(h map[string]any) {
			j := publicJWK(t, &key.PublicKey)
			j["y"] = j["x"]
			h["jwk"] = j
		}, want: dpop.CodeBadKey},
		{name: "fail/ES256 with a P-384 jwk", key: key384,
			hdr:  func(h map[string]any) { h["jwk"] = publicJWK(t, &key384.PublicKey) },
			pol:  func(p *dpop.Policy) { p.Algorithms = []jose.Algorithm{jose.ES256, jose.ES384} },
			want: dpop.CodeBadKey},
		{name: "fail/jwk of another key", hdr: func(h map[string]any) { h["jwk"] = publicJWK(t, &other.PublicKey) }, want: dpop.CodeBadSignature},
		{name: "fail/signature altered", raw: func(g string) string {
			// Another base64url letter inside the signature (not its last one, whose low
			// bits carry no data), so the text still decodes and only the signature is wrong.
			b := []byte(g)
			i := strings.LastIndexByte(g, '.') + 5
			if b[i] == 'A' {
				b[i] = 'B'
			} else {
				b[i] = 'A'
			}
			return string(b)
		}, want: dpop.CodeBadSignature},
		{name: "fail/claims swapped after signing", raw: func(g string) string {
			parts := strings.Split(g, ".")
			c := goodClaims()
			c["htm"] = "GET"
			cb, _ := json.Marshal(c)
			return parts[0] + "." + b64.EncodeToString(cb) + "." + parts[2]
		}, want: dpop.CodeBadSignature},
		// §4.3 check 3.
		{name: "fail/no jti", cl: func(c map[string]any) { delete(c, "jti") }, want: dpop.CodeMalformed},
		{name: "fail/empty jti", cl: func(c map[string]any) { c["jti"] = "" }, want: dpop.CodeMalformed},
		{name: "fail/jti too long", cl: func(c map[string]any) { c["jti"] = strings.Repeat("j", 129) }, want: dpop.CodeMalformed},
		{name: "fail/jti number", cl: func(c map[string]any) { c["jti"] = 7 }, want: dpop.CodeMalformed},
		{name: "fail/no htm", cl: func(c map[string]any) { delete(c, "htm") }, want: dpop.CodeMalformed},
		{name: "fail/no htu", cl: func(c map[string]any) { delete(c, "htu") }, want: dpop.CodeMalformed},
		{name: "fail/htu null", cl: func(c map[string]any) { c["htu"] = nil }, want: dpop.CodeMalformed},
		{name: "fail/no iat", cl: func(c map[string]any) { delete(c, "iat") }, want: dpop.CodeMalformed},
		{name: "fail/iat string", cl: func(c map[string]any) { c["iat"] = "1772366400" }, want: dpop.CodeMalformed},
		{name: "fail/nonce not a string", cl: func(c map[string]any) { c["nonce"] = 1 }, want: dpop.CodeMalformed},
		{name: "fail/ath not a string", cl: func(c map[string]any) { c["ath"] = true }, want: dpop.CodeMalformed},
		{name: "fail/claims are an array", raw: func(string) string {
			return handSign(t, key, encHeader(t, goodHeader(t, key))+"."+b64.EncodeToString([]byte(`["jti"]`)))
		}, want: dpop.CodeMalformed},
		{name: "fail/duplicate claim", raw: func(string) string {
			c := `{"jti":"a","htm":"POST","htm":"GET","htu":"` + tokenURL + `","iat":` + jsonInt(now.Unix()) + `}`
			return handSign(t, key, encHeader(t, goodHeader(t, key))+"."+b64.EncodeToString([]byte(c)))
		}, want: dpop.CodeMalformed},
		{name: "fail/claim names differ in case only", raw: func(string) string {
			c := `{"JTI":"a","htm":"POST","htu":"` + tokenURL + `","iat":` + jsonInt(now.Unix()) + `}`
			return handSign(t, key, encHeader(t, goodHeader(t, key))+"."+b64.EncodeToString([]byte(c)))
		}, want: dpop.CodeMalformed},
		// §4.3 check 8.
		{name: "fail/htm other method", cl: func(c map[string]any) { c["htm"] = "GET" }, want: dpop.CodeHTMMismatch},
		{name: "fail/htm lower case", cl: func(c map[string]any) { c["htm"] = "post" }, want: dpop.CodeHTMMismatch},
		// §4.3 check 9.
		{name: "fail/htu other path", cl: func(c map[string]any) { c["htu"] = credentialURL }, want: dpop.CodeHTUMismatch},
		{name: "fail/htu path case", cl: func(c map[string]any) { c["htu"] = "https://issuer.example/Token" }, want: dpop.CodeHTUMismatch},
		{name: "fail/htu http", cl: func(c map[string]any) { c["htu"] = "http://issuer.example/token" }, want: dpop.CodeHTUMismatch},
		{name: "fail/htu other port", cl: func(c map[string]any) { c["htu"] = "https://issuer.example:8443/token" }, want: dpop.CodeHTUMismatch},
		{name: "fail/htu other host", cl: func(c map[string]any) { c["htu"] = "https://evil.example/token" }, want: dpop.CodeHTUMismatch},
		{name: "fail/htu trailing slash", cl: func(c map[string]any) { c["htu"] = tokenURL + "/" }, want: dpop.CodeHTUMismatch},
		{name: "fail/htu relative", cl: func(c map[string]any) { c["htu"] = "/token" }, want: dpop.CodeHTUMismatch},
		{name: "fail/htu with userinfo", cl: func(c map[string]any) { c["htu"] = "https://u@issuer.example/token" }, want: dpop.CodeHTUMismatch},
		// §4.3 check 11.
		{name: "fail/iat exactly MaxAge old", cl: func(c map[string]any) { c["iat"] = now.Add(-5 * time.Minute).Unix() }, want: dpop.CodeIATOutOfWindow},
		{name: "fail/iat past ClockSkew", cl: func(c map[string]any) { c["iat"] = now.Add(time.Minute + time.Second).Unix() }, want: dpop.CodeIATOutOfWindow},
		{name: "fail/iat older than a shorter MaxAge", cl: func(c map[string]any) { c["iat"] = now.Add(-31 * time.Second).Unix() },
			pol: func(p *dpop.Policy) { p.MaxAge = 30 * time.Second }, want: dpop.CodeIATOutOfWindow},
		{name: "fail/iat negative", cl: func(c map[string]any) { c["iat"] = -1 }, want: dpop.CodeIATOutOfWindow},
		{name: "fail/iat huge", cl: func(c map[string]any) { c["iat"] = 1e300 }, want: dpop.CodeIATOutOfWindow},
		// §4.3 check 12 and §7.
		{name: "fail/ath without access token", cl: func(c map[string]any) { c["ath"] = dpop.AccessTokenHash(accessToken) }, want: dpop.CodeATHMismatch},
		{name: "fail/no ath with access token", cl: func(c map[string]any) { c["htu"] = credentialURL }, req: &credReq, pol: bound, want: dpop.CodeATHMismatch},
		{name: "fail/ath of another token", cl: func(c map[string]any) { credClaims(c); c["ath"] = dpop.AccessTokenHash("other") },
			req: &credReq, pol: bound, want: dpop.CodeATHMismatch},
		{name: "fail/token bound to another key", cl: credClaims, req: &credReq,
			pol: func(p *dpop.Policy) { p.BoundJKT = thumbprint(t, &other.PublicKey) }, want: dpop.CodeKeyMismatch},
		// §4.3 check 10, §8.
		{name: "fail/nonce missing", pol: func(p *dpop.Policy) { p.ExpectedNonce = "n-1" }, want: dpop.CodeNonceRequired},
		{name: "fail/nonce other", cl: func(c map[string]any) { c["nonce"] = "n-0" },
			pol: func(p *dpop.Policy) { p.ExpectedNonce = "n-1" }, want: dpop.CodeNonceMismatch},
		{name: "fail/nonce not accepted", cl: func(c map[string]any) { c["nonce"] = "n-0" },
			pol: func(p *dpop.Policy) { p.AcceptNonce = func(string) bool { return false } }, want: dpop.CodeNonceMismatch},
		{name: "fail/nonce missing with AcceptNonce", pol: func(p *dpop.Policy) { p.AcceptNonce = func(string) bool { return true } }, want: dpop.CodeNonceRequired},
		{name: "fail/nonce checked after the rest", cl: func(c map[string]any) { c["htm"] = "GET" },
			pol: func(p *dpop.Policy) { p.ExpectedNonce = "n-1" }, want: dpop.CodeHTMMismatch},

		// Caller errors.
		{name: "fail/zero Now", pol: func(p *dpop.Policy) { p.Now = time.Time{} }, want: dpop.CodeInvalidArgument},
		{name: "fail/HS256 in policy", pol: func(p *dpop.Policy) { p.Algorithms = []jose.Algorithm{"HS256"} }, want: dpop.CodeInvalidArgument},
		{name: "fail/none in policy", pol: func(p *dpop.Policy) { p.Algorithms = []jose.Algorithm{"none"} }, want: dpop.CodeInvalidArgument},
		{name: "fail/negative MaxAge", pol: func(p *dpop.Policy) { p.MaxAge = -time.Second }, want: dpop.CodeInvalidArgument},
		{name: "fail/MaxAge too long", pol: func(p *dpop.Policy) { p.MaxAge = 2 * time.Hour }, want: dpop.CodeInvalidArgument},
		{name: "fail/ClockSkew too long", pol: func(p *dpop.Policy) { p.ClockSkew = time.Hour }, want: dpop.CodeInvalidArgument},
		{name: "fail/both nonce checks", pol: func(p *dpop.Policy) {
			p.ExpectedNonce = "n"
			p.AcceptNonce = func(string) bool { return true }
		}, want: dpop.CodeInvalidArgument},
		{name: "fail/access token without BoundJKT", cl: credClaims, req: &credReq, want: dpop.CodeInvalidArgument},
		{name: "fail/no method", req: &dpop.Request{URL: tokenURL}, want: dpop.CodeInvalidArgument},
		{name: "fail/relative request URL", req: &dpop.Request{Method: "POST", URL: "/token"}, want: dpop.CodeInvalidArgument},
		{name: "fail/ftp request URL", req: &dpop.Request{Method: "POST", URL: "ftp://issuer.example/token"}, want: dpop.CodeInvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := key
			if tt.key != nil {
				k = tt.key
			}
			h, c := goodHeader(t, k), goodClaims()
			if tt.hdr != nil {
				tt.hdr(h)
			}
			if tt.cl != nil {
				tt.cl(c)
			}
			proof := handProof(t, k, h, c)
			if tt.raw != nil {
				proof = tt.raw(proof)
			}
			req := tokenReq
			if tt.req != nil {
				req = *tt.req
			}
			pol := dpop.Policy{Now: now}
			if tt.pol != nil {
				tt.pol(&pol)
			}
			p, err := dpop.Verify(proof, req, pol)
			wantCode(t, err, tt.want)
			if err != nil {
				if p != nil {
					t.Fatal("proof returned with an error")
				}
				return
			}
			if tt.key == nil && (p.JKT != jkt || p.Algorithm != jose.ES256 || !p.Key.(*ecdsa.PublicKey).Equal(&key.PublicKey)) {
				t.Fatalf("proof = %+v", p)
			}
			if p.JTI != "jti-1" || !p.ExpiresAt.After(now) || !p.ExpiresAt.Equal(p.IssuedAt.Add(pol.ReplayWindow()-time.Minute)) {
				t.Fatalf("proof = %+v", p)
			}
			if tt.check != nil {
				tt.check(t, p)
			}
		})
	}
}

func encHeader(t testing.TB, h map[string]any) string {
	t.Helper()
	b, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	return b64.EncodeToString(b)
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestVerifyHeader(t *testing.T) {
	key := newKey(t)
	good := handProof(t, key, goodHeader(t, key), goodClaims())
	tests := []struct {
		name   string
		values []string
		want   dpop.Code
	}{
		{"ok/one value", []string{good}, ""},
		{"ok/surrounding whitespace", []string{" \t" + good + " "}, ""},
		{"fail/no header", nil, dpop.CodeMissing},
		{"fail/empty value", []string{""}, dpop.CodeMissing},
		{"fail/two fields", []string{good, good}, dpop.CodeMultiple},
		{"fail/two values joined by a proxy", []string{good + ", " + good}, dpop.CodeMultiple},
		{"fail/bearer-style value", []string{"DPoP " + good}, dpop.CodeMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := dpop.VerifyHeader(tt.values, dpop.Request{Method: "POST", URL: tokenURL}, dpop.Policy{Now: now})
			wantCode(t, err, tt.want)
		})
	}
}

func TestReplayKey(t *testing.T) {
	key := newKey(t)
	pol := dpop.Policy{Now: now}
	req := dpop.Request{Method: "POST", URL: tokenURL}
	verify := func(jti string, k *ecdsa.PrivateKey) *dpop.Proof {
		t.Helper()
		c := goodClaims()
		c["jti"] = jti
		p, err := dpop.Verify(handProof(t, k, goodHeader(t, k), c), req, pol)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	a1, a2 := verify("a", key), verify("a", key)
	b := verify("b", key)
	other := verify("a", newKey(t))
	if a1.ReplayKey() != a2.ReplayKey() {
		t.Fatal("same key and jti give different replay keys")
	}
	if a1.ReplayKey() == b.ReplayKey() || a1.ReplayKey() == other.ReplayKey() {
		t.Fatal("replay keys collide")
	}
	if n := len(verify(strings.Repeat("j", 128), key).ReplayKey()); n != 43 {
		t.Fatalf("replay key has %d characters", n)
	}
}

func TestPolicyReplayWindow(t *testing.T) {
	tests := []struct {
		name string
		pol  dpop.Policy
		want time.Duration
	}{
		{"ok/defaults", dpop.Policy{Now: now}, 6 * time.Minute},
		{"ok/set", dpop.Policy{Now: now, MaxAge: time.Minute, ClockSkew: 10 * time.Second}, 70 * time.Second},
		{"fail/invalid policy", dpop.Policy{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.pol.ReplayWindow(); got != tt.want {
				t.Fatalf("ReplayWindow = %v, want %v", got, tt.want)
			}
		})
	}
}
