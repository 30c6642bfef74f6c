package jose_test

import (
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
	"errors"
	"fmt"
	"io"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/hashi-vc/hashi/internal/jose"
)

var enc = base64.RawURLEncoding

func mustKey(t testing.TB, c elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// forge builds a compact JWS with an arbitrary header and a signature made by sign.
func forge(header string, payload string, sign func(input []byte) []byte) string {
	in := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))
	return in + "." + enc.EncodeToString(sign([]byte(in)))
}

func TestSignVerify(t *testing.T) {
	p256 := mustKey(t, elliptic.P256())
	p384 := mustKey(t, elliptic.P384())
	other := mustKey(t, elliptic.P256())
	_, edPriv, _ := ed25519.GenerateKey(rand.Reader)

	tok256, err := jose.Sign(p256, jose.SignHeader{Typ: "kb+jwt"}, []byte(`{"a":1}`))
	if err != nil {
		t.Fatal(err)
	}
	tok384, _ := jose.Sign(p384, jose.SignHeader{}, []byte(`{"a":1}`))
	tokEd, _ := jose.Sign(edPriv, jose.SignHeader{}, []byte(`{"a":1}`))

	pubDER, _ := x509.MarshalPKIXPublicKey(&p256.PublicKey)
	hs := func(in []byte) []byte { m := hmac.New(sha256.New, pubDER); m.Write(in); return m.Sum(nil) }
	parts := strings.Split(tok256, ".")
	tampered := parts[0] + "." + enc.EncodeToString([]byte(`{"a":2}`)) + "." + parts[2]

	tests := []struct {
		name  string
		tok   string
		key   crypto.PublicKey
		algs  []jose.Algorithm
		wantC jose.Code
	}{
		{"ok/ES256", tok256, &p256.PublicKey, []jose.Algorithm{jose.ES256}, ""},
		{"ok/ES384", tok384, &p384.PublicKey, []jose.Algorithm{jose.ES256, jose.ES384}, ""},
		{"ok/EdDSA", tokEd, edPriv.Public(), []jose.Algorithm{jose.EdDSA}, ""},
		{"fail/alg not in allow-list", tok384, &p384.PublicKey, []jose.Algorithm{jose.ES256}, jose.CodeUnsupportedAlgorithm},
		{"fail/empty allow-list", tok256, &p256.PublicKey, nil, jose.CodeUnsupportedAlgorithm},
		{"fail/wrong key", tok256, &other.PublicKey, []jose.Algorithm{jose.ES256}, jose.CodeInvalidSignature},
		{"fail/tampered payload", tampered, &p256.PublicKey, []jose.Algorithm{jose.ES256}, jose.CodeInvalidSignature},
		{"fail/curve mismatch", tok256, &p384.PublicKey, []jose.Algorithm{jose.ES256}, jose.CodeKeyMismatch},
		{"fail/key family mismatch", tokEd, &p256.PublicKey, []jose.Algorithm{jose.EdDSA}, jose.CodeKeyMismatch},
		{"fail/alg none", forge(`{"alg":"none"}`, `{}`, func([]byte) []byte { return nil }), &p256.PublicKey,
			[]jose.Algorithm{jose.ES256, "none"}, jose.CodeUnsupportedAlgorithm},
		{"fail/HS256 with public key as secret", forge(`{"alg":"HS256"}`, `{}`, hs), &p256.PublicKey,
			[]jose.Algorithm{jose.ES256, "HS256"}, jose.CodeUnsupportedAlgorithm},
		{"fail/RS256 not implemented", forge(`{"alg":"RS256"}`, `{}`, func([]byte) []byte { return []byte{1} }), &p256.PublicKey,
			[]jose.Algorithm{"RS256"}, jose.CodeUnsupportedAlgorithm},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			j, err := jose.Parse(tc.tok)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			err = j.Verify(tc.key, tc.algs...)
			if got := jose.CodeOf(err); got != tc.wantC {
				t.Fatalf("Verify code = %q (%v), want %q", got, err, tc.wantC)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	k := mustKey(t, elliptic.P256())
	good, _ := jose.Sign(k, jose.SignHeader{Typ: "JWT"}, []byte(`{}`))
	p := strings.Split(good, ".")
	h := func(s string) string { return enc.EncodeToString([]byte(s)) }
	tests := []struct{ name, tok string }{
		{"fail/empty", ""},
		{"fail/one part", "abc"},
		{"fail/two parts", "abc.def"},
		{"fail/JWE five parts", "a.b.c.d.e"},
		{"fail/padding", p[0] + "=." + p[1] + "." + p[2]},
		{"fail/standard base64 chars", strings.Replace(p[0], "e", "+", 1) + "." + p[1] + "." + p[2]},
		{"fail/empty header", "." + p[1] + "." + p[2]},
		{"fail/header not object", h(`["alg"]`) + "." + p[1] + "." + p[2]},
		{"fail/header no alg", h(`{"typ":"JWT"}`) + "." + p[1] + "." + p[2]},
		{"fail/header alg not string", h(`{"alg":1}`) + "." + p[1] + "." + p[2]},
		{"fail/duplicate alg", h(`{"alg":"none","alg":"ES256"}`) + "." + p[1] + "." + p[2]},
		{"fail/crit", h(`{"alg":"ES256","crit":["exp"],"exp":1}`) + "." + p[1] + "." + p[2]},
		{"fail/b64 false", h(`{"alg":"ES256","b64":false}`) + "." + p[1] + "." + p[2]},
		{"fail/typ not string", h(`{"alg":"ES256","typ":1}`) + "." + p[1] + "." + p[2]},
		{"fail/x5c not array", h(`{"alg":"ES256","x5c":"MIIB"}`) + "." + p[1] + "." + p[2]},
		{"fail/x5c element not string", h(`{"alg":"ES256","x5c":["MIIB",1]}`) + "." + p[1] + "." + p[2]},
		{"fail/x5c null", h(`{"alg":"ES256","x5c":null}`) + "." + p[1] + "." + p[2]},
		{"fail/jwk not object", h(`{"alg":"ES256","jwk":"k"}`) + "." + p[1] + "." + p[2]},
		{"fail/invalid UTF-8 in header", h("{\"alg\":\"ES256\",\"typ\":\"\xff\"}") + "." + p[1] + "." + p[2]},
		{"fail/too large", strings.Repeat("a", jose.MaxCompactSize+1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := jose.Parse(tc.tok)
			if !errors.Is(err, jose.ErrMalformed) {
				t.Fatalf("Parse = %v, want ErrMalformed", err)
			}
		})
	}
}

func TestParseHeaderDecoding(t *testing.T) {
	h := func(s string) string { return enc.EncodeToString([]byte(s)) }
	j, err := jose.Parse(h(`{"alg":"\u0045S256","typ":"kb\u002bjwt","kid":"k\"1","x5c":["MIIB","\u0041"],"jwk":{"kty":"EC"},"x":[1]}`) + ".e30.AAAA")
	if err != nil {
		t.Fatal(err)
	}
	got := j.Header
	if got.Alg != "ES256" || got.Typ != "kb+jwt" || got.Kid != `k"1` || !slices.Equal(got.X5C, []string{"MIIB", "A"}) || string(got.JWK) != `{"kty":"EC"}` {
		t.Errorf("header = %+v", got)
	}
	// Header parameter names are case-sensitive (RFC 7515 §4): "KID" is not "kid", "ALG" not "alg".
	if j, err := jose.Parse(h(`{"alg":"ES256","KID":"x","Typ":"JWT"}`) + ".e30.AAAA"); err != nil || j.Header.Kid != "" || j.Header.Typ != "" {
		t.Errorf("case-folded member names were read: %+v, %v", j, err)
	}
	if _, err := jose.Parse(h(`{"ALG":"ES256"}`) + ".e30.AAAA"); !errors.Is(err, jose.ErrMalformed) {
		t.Errorf("ALG taken for alg: %v", err)
	}
	if j, err := jose.Parse(h(`{"alg":"ES256","x5c":[]}`) + ".e30.AAAA"); err != nil || j.Header.X5C == nil || len(j.Header.X5C) != 0 {
		t.Errorf("empty x5c: %+v, %v", j, err)
	}
}

func TestCheckType(t *testing.T) {
	tests := []struct {
		got, want string
		ok        bool
	}{
		{"dc+sd-jwt", "dc+sd-jwt", true},
		{"application/dc+sd-jwt", "dc+sd-jwt", true},
		{"DC+SD-JWT", "dc+sd-jwt", true},
		{"vc+sd-jwt", "dc+sd-jwt", false},
		{"", "kb+jwt", false},
		{"JWT", "kb+jwt", false},
	}
	k := mustKey(t, elliptic.P256())
	for _, tc := range tests {
		tok, _ := jose.Sign(k, jose.SignHeader{Typ: tc.got}, []byte(`{}`))
		j, err := jose.Parse(tok)
		if err != nil {
			t.Fatal(err)
		}
		err = j.CheckType(tc.want)
		if (err == nil) != tc.ok {
			t.Errorf("typ %q want %q: err = %v", tc.got, tc.want, err)
		}
		if err != nil && !errors.Is(err, jose.ErrWrongType) {
			t.Errorf("typ %q: err %v is not ErrWrongType", tc.got, err)
		}
	}
}

func selfSigned(t *testing.T, k *ecdsa.PrivateKey) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<31, 0),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c
}

func TestX5C(t *testing.T) {
	k := mustKey(t, elliptic.P256())
	cert := selfSigned(t, k)
	tok, err := jose.Sign(k, jose.SignHeader{Typ: "dc+sd-jwt", X5C: []*x509.Certificate{cert}}, []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	j, _ := jose.Parse(tok)
	certs, err := j.Header.Certificates()
	if err != nil || len(certs) != 1 || !certs[0].Equal(cert) {
		t.Fatalf("Certificates = %v, %v", certs, err)
	}
	if err := j.Verify(certs[0].PublicKey, jose.ES256); err != nil {
		t.Fatal(err)
	}

	other := mustKey(t, elliptic.P256())
	if _, err := jose.Sign(other, jose.SignHeader{X5C: []*x509.Certificate{cert}}, nil); !errors.Is(err, jose.ErrKeyMismatch) {
		t.Errorf("signing with a key that is not the x5c leaf's: %v", err)
	}
	for name, x5c := range map[string][]string{
		"fail/empty":        {},
		"fail/base64url":    {enc.EncodeToString(cert.Raw)},
		"fail/not DER":      {base64.StdEncoding.EncodeToString([]byte("certificate"))},
		"fail/too many":     make([]string, jose.MaxChainLength+1),
		"fail/empty string": {""},
	} {
		if _, err := jose.ParseX5C(x5c); !errors.Is(err, jose.ErrInvalidCertificate) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestJWK(t *testing.T) {
	// OpenID4VCI 1.0 examples/issuer_jwks.json: its kid is the RFC 7638 thumbprint URN of the key.
	const vciKey = `{"kty":"EC","crv":"P-256","alg":"ES256","x":"_LC1FTUl0MltKAOQzXNsofVMpWFV2obLGrNCat_CQ-g","y":"kBjoyjNuMVAOq--qVUgylDoLKuMdk4imS-Kk5ahuYIU"}`
	pub, err := jose.ParsePublicJWK([]byte(vciKey))
	if err != nil {
		t.Fatal(err)
	}
	uri, err := jose.ThumbprintURI(pub)
	if err != nil {
		t.Fatal(err)
	}
	if want := "urn:ietf:params:oauth:jwk-thumbprint:sha-256:mlUpog7vEewFBem6Ul09c2dtTwc8dFzVpIDX3sqGWW0"; uri != want {
		t.Errorf("ThumbprintURI = %s, want %s", uri, want)
	}

	k := mustKey(t, elliptic.P256())
	priv, err := jose.MarshalPrivateJWK(k, "k1")
	if err != nil {
		t.Fatal(err)
	}
	back, err := jose.ParsePrivateJWK(priv)
	if err != nil || !back.(*ecdsa.PrivateKey).Equal(k) {
		t.Fatalf("private round trip: %v", err)
	}
	if _, err := jose.ParsePublicJWK(priv); !errors.Is(err, jose.ErrKeyMismatch) {
		t.Errorf("private JWK accepted as public: %v", err)
	}
	_, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	edJWK, err := jose.MarshalPrivateJWK(edPriv, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jose.ParsePublicJWK(edJWK); !errors.Is(err, jose.ErrKeyMismatch) || !strings.Contains(err.Error(), "private") {
		t.Errorf("private Ed25519 JWK accepted as public: %v", err)
	}
	pubJSON, _ := jose.MarshalPublicJWK(&k.PublicKey, "k1")
	if strings.Contains(string(pubJSON), `"d"`) {
		t.Errorf("public JWK leaks d: %s", pubJSON)
	}
	m, _ := jose.PublicJWK(k)
	if m["kty"] != "EC" || m["crv"] != "P-256" || m["d"] != nil {
		t.Errorf("PublicJWK = %v", m)
	}
	fromMap, err := jose.PublicKeyFromMap(m)
	if err != nil || !fromMap.(*ecdsa.PublicKey).Equal(&k.PublicKey) {
		t.Errorf("PublicKeyFromMap: %v", err)
	}

	for name, in := range map[string]string{
		"fail/oct":           `{"kty":"oct","k":"c2VjcmV0"}`,
		"fail/duplicate x":   `{"kty":"EC","crv":"P-256","x":"_LC1FTUl0MltKAOQzXNsofVMpWFV2obLGrNCat_CQ-g","x":"AA","y":"kBjoyjNuMVAOq--qVUgylDoLKuMdk4imS-Kk5ahuYIU"}`,
		"fail/not on curve":  `{"kty":"EC","crv":"P-256","x":"_LC1FTUl0MltKAOQzXNsofVMpWFV2obLGrNCat_CQ-g","y":"_LC1FTUl0MltKAOQzXNsofVMpWFV2obLGrNCat_CQ-g"}`,
		"fail/not JSON":      `kty`,
		"fail/unknown curve": `{"kty":"EC","crv":"P-999","x":"AA","y":"AA"}`,
	} {
		if _, err := jose.ParsePublicJWK([]byte(in)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}

	set := `{"keys":[{"kty":"oct","k":"c2VjcmV0"},` + strings.TrimSuffix(vciKey, "}") + `,"kid":"a"}]}`
	keys, err := jose.ParseKeys([]byte(set))
	if err != nil || len(keys) != 1 || keys[0].Kid != "a" || keys[0].Alg != "ES256" {
		t.Fatalf("ParseKeys(set) = %+v, %v", keys, err)
	}
	keys, err = jose.ParseKeys([]byte(`{"jwks":` + set + `}`))
	if err != nil || len(keys) != 1 || keys[0].Kid != "a" {
		t.Fatalf("ParseKeys(jwks wrapper) = %+v, %v", keys, err)
	}
	keys, err = jose.ParseKeys([]byte(vciKey))
	if err != nil || len(keys) != 1 {
		t.Fatalf("ParseKeys(single) = %+v, %v", keys, err)
	}
}

func TestJWE(t *testing.T) {
	k := mustKey(t, elliptic.P256())
	other := mustKey(t, elliptic.P256())
	msg := []byte(`{"vp_token":{"diploma":["x"]},"state":"s"}`)
	for _, e := range []jose.ContentEncryption{jose.A128GCM, jose.A256GCM} {
		c, err := jose.EncryptECDHES(msg, &k.PublicKey, e, "enc-1")
		if err != nil {
			t.Fatal(err)
		}
		got, h, err := jose.DecryptECDHES(c, k, jose.A128GCM, jose.A256GCM)
		if err != nil || string(got) != string(msg) {
			t.Fatalf("%s: decrypt = %q, %v", e, got, err)
		}
		if h.Alg != "ECDH-ES" || h.Enc != string(e) || h.Kid != "enc-1" {
			t.Errorf("%s: header = %+v", e, h)
		}
		if _, _, err := jose.DecryptECDHES(c, other, jose.A128GCM, jose.A256GCM); !errors.Is(err, jose.ErrDecryptionFailed) {
			t.Errorf("%s: decrypt with another key: %v", e, err)
		}
		if _, _, err := jose.DecryptECDHES(c, k); !errors.Is(err, jose.ErrUnsupportedAlgorithm) {
			t.Errorf("%s: enc not allowed: %v", e, err)
		}
		parts := strings.Split(c, ".")
		ct, _ := enc.DecodeString(parts[3])
		ct[0] ^= 1
		parts[3] = enc.EncodeToString(ct)
		if _, _, err := jose.DecryptECDHES(strings.Join(parts, "."), k, e); !errors.Is(err, jose.ErrDecryptionFailed) {
			t.Errorf("%s: tampered ciphertext: %v", e, err)
		}
	}

	// An ephemeral key off the curve (invalid-curve attack, RFC 8725 §3.4) must not decrypt.
	c, _ := jose.EncryptECDHES(msg, &k.PublicKey, jose.A128GCM, "")
	parts := strings.Split(c, ".")
	hdr, _ := enc.DecodeString(parts[0])
	var m map[string]any
	_ = json.Unmarshal(hdr, &m)
	epk := m["epk"].(map[string]any)
	epk["y"] = epk["x"]
	hdr, _ = json.Marshal(m)
	parts[0] = enc.EncodeToString(hdr)
	if _, _, err := jose.DecryptECDHES(strings.Join(parts, "."), k, jose.A128GCM); err == nil {
		t.Error("off-curve epk accepted")
	}

	for name, h := range map[string]string{
		"fail/key wrapping": `{"alg":"ECDH-ES+A128KW","enc":"A128GCM"}`,
		"fail/RSA":          `{"alg":"RSA-OAEP","enc":"A128GCM"}`,
		"fail/zip":          `{"alg":"ECDH-ES","enc":"A128GCM","zip":"DEF"}`,
		"fail/CBC":          `{"alg":"ECDH-ES","enc":"A128CBC-HS256"}`,
	} {
		tok := enc.EncodeToString([]byte(h)) + "..iv.ct.tag"
		if _, _, err := jose.DecryptECDHES(tok, k, jose.A128GCM); !errors.Is(err, jose.ErrUnsupportedAlgorithm) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := jose.EncryptECDHES(msg, &mustKey(t, elliptic.P384()).PublicKey, jose.A128GCM, ""); !errors.Is(err, jose.ErrKeyMismatch) {
		t.Errorf("P-384 recipient: %v", err)
	}
}

func TestCheckJSON(t *testing.T) {
	ok := []string{`{}`, `[]`, `"x"`, `0`, `-1.5e+10`, `true`, `null`, ` {"a":[1,{"b":"\u00e9\n"}],"c":"日本"} `,
		`{"a":1,"b":{"a":2}}`, `{"\u0061":1,"b":2}`}
	for _, in := range ok {
		if err := jose.CheckJSON([]byte(in)); err != nil {
			t.Errorf("CheckJSON(%s) = %v", in, err)
		}
	}
	bad := []string{``, `{`, `{"a":1,"a":2}`, `{"a":1,"\u0061":2}`, `{"a":{"b":1,"b":1}}`, `[1,]`, `{"a" 1}`,
		`01`, `1.`, `"` + "\xff" + `"`, `"a` + "\n" + `"`, `{} {}`, `tru`, `"\x"`, `"\u12g4"`,
		strings.Repeat("[", jose.MaxJSONDepth+2) + strings.Repeat("]", jose.MaxJSONDepth+2)}
	for _, in := range bad {
		if err := jose.CheckJSON([]byte(in)); !errors.Is(err, jose.ErrMalformed) {
			t.Errorf("CheckJSON(%q) = %v, want ErrMalformed", in, err)
		}
	}
}

// kmsSigner hides the private key behind crypto.Signer, as an HSM or KMS would.
type kmsSigner struct{ k crypto.Signer }

func (s kmsSigner) Public() crypto.PublicKey { return s.k.Public() }
func (s kmsSigner) Sign(r io.Reader, d []byte, o crypto.SignerOpts) ([]byte, error) {
	return s.k.Sign(r, d, o)
}

// TestCrossCheckJWX checks our signatures with jwx and jwx's with ours, for every algorithm
// and both key shapes: an independent implementation agrees on the wire format.
func TestCrossCheckJWX(t *testing.T) {
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	keys := map[string]crypto.Signer{
		"ES256": mustKey(t, elliptic.P256()), "ES384": mustKey(t, elliptic.P384()), "EdDSA": ed,
		"ES256/kms": kmsSigner{mustKey(t, elliptic.P256())}, "ES384/kms": kmsSigner{mustKey(t, elliptic.P384())},
	}
	algs := map[string]jwa.SignatureAlgorithm{"ES256": jwa.ES256, "ES384": jwa.ES384, "EdDSA": jwa.EdDSA}
	for name, key := range keys {
		alg, _ := jose.AlgorithmFor(key.Public())
		for i := range 50 { // enough signatures to hit r or s with leading zero bytes now and then
			payload := []byte(fmt.Sprintf(`{"n":%d}`, i))
			ours, err := jose.Sign(key, jose.SignHeader{Typ: "JWT"}, payload)
			if err != nil {
				t.Fatalf("%s: Sign: %v", name, err)
			}
			if _, err := jws.Verify([]byte(ours), jws.WithKey(algs[string(alg)], key.Public())); err != nil {
				t.Fatalf("%s: jwx rejects our signature: %v", name, err)
			}
			var raw any = key
			if k, ok := key.(kmsSigner); ok {
				raw = k.k
			}
			theirs, err := jws.Sign(payload, jws.WithKey(algs[string(alg)], raw))
			if err != nil {
				t.Fatal(err)
			}
			j, err := jose.Parse(string(theirs))
			if err != nil {
				t.Fatal(err)
			}
			if err := j.Verify(key.Public(), alg); err != nil {
				t.Fatalf("%s: we reject jwx's signature: %v", name, err)
			}
		}
	}
}

func TestSignerHeader(t *testing.T) {
	k := mustKey(t, elliptic.P256())
	s, err := jose.NewSigner(k, jose.SignHeader{Typ: "JWT", Kid: "k1", Extra: map[string]any{"cty": "vc"}})
	if err != nil {
		t.Fatal(err)
	}
	h := s.Header()
	var cty string
	if ok, err := h.Member("cty", &cty); h.Alg != "ES256" || h.Typ != "JWT" || h.Kid != "k1" || !ok || err != nil || cty != "vc" {
		t.Errorf("Header() = %+v (cty %q)", h, cty)
	}
	tok, _ := s.Sign([]byte(`{}`))
	j, _ := jose.Parse(tok)
	if string(j.Header.Raw()) != string(h.Raw()) {
		t.Errorf("signed header %s, Header() says %s", j.Header.Raw(), h.Raw())
	}
	if _, err := jose.NewSigner(k, jose.SignHeader{Extra: map[string]any{"zip": "DEF", "b64x": 1}}); err != nil {
		t.Errorf("harmless extra members refused: %v", err)
	}
}

// TestIsPublicECJWK: the validate-only EC check agrees with the full decoder.
func TestIsPublicECJWK(t *testing.T) {
	jwkOf := func(k crypto.Signer) map[string]any {
		m, err := jose.PublicJWK(k)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	p256, p384 := jwkOf(mustKey(t, elliptic.P256())), jwkOf(mustKey(t, elliptic.P384()))
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	with := func(m map[string]any, k string, v any) map[string]any {
		c := map[string]any{}
		for a, b := range m {
			c[a] = b
		}
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	tests := []struct {
		name string
		m    map[string]any
		want bool
	}{
		{"ok/P-256", p256, true},
		{"ok/P-384", p384, true},
		{"fail/off curve", with(p256, "y", p256["x"]), false},
		{"fail/private", with(p256, "d", p256["x"]), false},
		{"fail/short x", with(p256, "x", "AAAA"), false},
		{"fail/padded x", with(p256, "x", p256["x"].(string)[:42]+"="), false},
		{"fail/P-521", with(p256, "crv", "P-521"), false},
		{"fail/no kty", with(p256, "kty", nil), false},
		{"fail/OKP", jwkOf(ed), false},
	}
	for _, tc := range tests {
		if got := jose.IsPublicECJWK(tc.m); got != tc.want {
			t.Errorf("%s: IsPublicECJWK = %v, want %v", tc.name, got, tc.want)
		}
		// Whatever the fast check accepts, the full decoder accepts too.
		if _, err := jose.PublicKeyFromMap(tc.m); tc.want && err != nil {
			t.Errorf("%s: PublicKeyFromMap rejects what IsPublicECJWK accepts: %v", tc.name, err)
		}
	}
}
