package verifier_test

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/dcql"
	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/sdjwt"
	"github.com/hashi-vc/hashi/trustlist"
	"github.com/hashi-vc/hashi/verifier"
)

var kbTime = presentedAt.Add(-time.Minute)

// euPres is the default presentation: the EU diploma shown to the JP desk.
func euPres(f *pilot, mod func(*diploma)) string {
	d := f.euDiploma()
	if mod != nil {
		mod(&d)
	}
	return f.present(f.issue(d), share, jpDeskClientID, testNonce, kbTime)
}

func defaultStatus(f *pilot, now time.Time) *memStatus {
	ms := &memStatus{}
	ms.set(statusURI(f.euIssuer), statusToken(f.euSeal, statusURI(f.euIssuer), now))
	ms.set(statusURI(f.jpIssuer), statusToken(f.jpSeal, statusURI(f.jpIssuer), now))
	return ms
}

type verifyCase struct {
	name      string
	token     func(f *pilot) []byte
	policy    func(f *pilot) verifier.Policy // default: the JP desk at presentedAt
	opts      []verifier.Option
	status    func(f *pilot) *memStatus // default: both universities' lists
	wantCode  verifier.Code             // "" means accepted
	wantCheck string                    // the failing check (credential or response level)
}

func runCases(t *testing.T, cases []verifyCase) {
	t.Helper()
	f := getPilot()
	set := f.trustSet(granted(), granted())
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ms := defaultStatus(f, presentedAt)
			if tc.status != nil {
				ms = tc.status(f)
			}
			v, err := verifier.New(set, ms, tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			p := jpDeskPolicy(presentedAt)
			if tc.policy != nil {
				p = tc.policy(f)
			}
			res, err := v.Verify(t.Context(), tc.token(f), p)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			assertResult(t, res, tc.wantCode, tc.wantCheck)
		})
	}
}

func assertResult(t *testing.T, res *verifier.Result, wantCode verifier.Code, wantCheck string) {
	t.Helper()
	if wantCode == "" {
		if res.Verdict != verifier.VerdictAccepted || res.Reason != "" || res.Err() != nil {
			t.Fatalf("want accepted, got %s %s: %v\n%s", res.Verdict, res.Reason, res.Err(), dump(res))
		}
		for _, cr := range res.Credentials {
			for _, c := range cr.Checks {
				if !c.OK {
					t.Fatalf("accepted result has failed check %+v", c)
				}
			}
		}
		return
	}
	if res.Verdict != verifier.VerdictRejected || res.Reason != wantCode {
		t.Fatalf("want rejected %s, got %s %q\n%s", wantCode, res.Verdict, res.Reason, dump(res))
	}
	if !errors.Is(res.Err(), &verifier.Error{Code: wantCode}) {
		t.Fatalf("Err() = %v, not %s", res.Err(), wantCode)
	}
	if wantCheck == "" {
		return
	}
	var checks []verifier.Check
	checks = append(checks, res.Checks...)
	for _, cr := range res.Credentials {
		checks = append(checks, cr.Checks...)
	}
	for _, c := range checks {
		if c.Name == wantCheck && !c.OK && c.Code == wantCode {
			return
		}
	}
	t.Fatalf("no failed check %s with code %s\n%s", wantCheck, wantCode, dump(res))
}

func dump(res *verifier.Result) string {
	var b strings.Builder
	for _, c := range res.Checks {
		b.WriteString("  [response] " + c.Name + " ok=" + map[bool]string{true: "yes", false: "no"}[c.OK] + " " + string(c.Code) + " " + c.Detail + "\n")
	}
	for _, cr := range res.Credentials {
		for _, c := range cr.Checks {
			b.WriteString("  [" + cr.QueryID + "] " + c.Name + " ok=" + map[bool]string{true: "yes", false: "no"}[c.OK] + " " + string(c.Code) + " " + c.Detail + "\n")
		}
	}
	return b.String()
}

func TestVerify(t *testing.T) {
	tok := func(mod func(*diploma)) func(f *pilot) []byte {
		return func(f *pilot) []byte { return vpToken("diploma", euPres(f, mod)) }
	}
	raw := func(s string) func(*pilot) []byte { return func(*pilot) []byte { return []byte(s) } }
	withRule := func(mod func(*verifier.Rule)) func(f *pilot) verifier.Policy {
		return func(*pilot) verifier.Policy {
			r := euRule()
			mod(&r)
			return jpDeskPolicy(presentedAt, r)
		}
	}
	cases := []verifyCase{
		{name: "ok/eu-diploma-at-jp-desk", token: tok(nil)},
		{name: "ok/jp-diploma-at-eu-desk", token: func(f *pilot) []byte {
			return vpToken("diploma", f.present(f.issue(f.jpDiploma()), share, euDeskClientID, testNonce, kbTime))
		}, policy: func(*pilot) verifier.Policy { return euDeskPolicy(presentedAt) }},
		{name: "ok/holder-binding-waived-by-query-and-rule", token: func(f *pilot) []byte {
			return vpToken("diploma", must1(sdjwt.Select(f.issue(f.euDiploma()), share)))
		}, policy: func(*pilot) verifier.Policy {
			r := euRule()
			r.HolderBinding = verifier.HolderBindingNotRequiredUnsafe
			p := jpDeskPolicy(presentedAt, r)
			no := false
			p.Query.Credentials[0].RequireCryptographicHolderBinding = &no
			return p
		}},
		{name: "ok/vp-token-with-json-escapes", token: func(f *pilot) []byte {
			return []byte("{ \"dipl\\u006fma\" : [ \"" + strings.ReplaceAll(euPres(f, nil), ".", `\u002e`) + "\" ] }\n")
		}},
		{name: "ok/trust-cache", token: tok(nil), opts: []verifier.Option{verifier.WithTrustCacheTTL(time.Minute)}},
		{name: "ok/iat-within-clock-skew", token: tok(func(d *diploma) { d.iat = presentedAt.Add(30 * time.Second) }), opts: []verifier.Option{verifier.WithClockSkew(time.Minute)}},
		{name: "ok/exp-in-the-future", token: tok(func(d *diploma) { d.exp = presentedAt.AddDate(1, 0, 0) })},

		// The response.
		{name: "fail/vp-token-not-json", token: raw("eyJhbGciOi..."), wantCode: verifier.CodeMalformedVPToken, wantCheck: verifier.CheckVPToken},
		{name: "fail/vp-token-duplicate-key", token: raw(`{"diploma":["a"],"diploma":["b"]}`), wantCode: verifier.CodeMalformedVPToken, wantCheck: verifier.CheckVPToken},
		{name: "fail/vp-token-unknown-id", token: func(f *pilot) []byte { return vpToken("other", euPres(f, nil)) }, wantCode: verifier.CodeMalformedVPToken, wantCheck: verifier.CheckVPToken},
		{name: "fail/vp-token-two-presentations", token: func(f *pilot) []byte { p := euPres(f, nil); return vpToken("diploma", p, p) }, wantCode: verifier.CodeMalformedVPToken, wantCheck: verifier.CheckVPToken},
		{name: "fail/vp-token-empty-array", token: raw(`{"diploma":[]}`), wantCode: verifier.CodeMalformedVPToken, wantCheck: verifier.CheckVPToken},
		{name: "fail/vp-token-too-large", token: func(*pilot) []byte {
			return []byte(`{"diploma":["` + strings.Repeat("a", verifier.MaxVPTokenSize) + `"]}`)
		}, wantCode: verifier.CodeMalformedVPToken, wantCheck: verifier.CheckVPToken},
		{name: "fail/vp-token-too-many-presentations", token: func(*pilot) []byte {
			return vpToken("diploma", make([]string, verifier.MaxPresentations+1)...)
		}, policy: func(*pilot) verifier.Policy {
			p := jpDeskPolicy(presentedAt)
			p.Query.Credentials[0].Multiple = true
			return p
		}, wantCode: verifier.CodeMalformedVPToken, wantCheck: verifier.CheckVPToken},
		{name: "fail/vp-token-trailing-data", token: raw(`{"diploma":["a"]} {}`), wantCode: verifier.CodeMalformedVPToken, wantCheck: verifier.CheckVPToken},
		{name: "fail/vp-token-invalid-utf8", token: raw("{\"diploma\":[\"a\xff\"]}"), wantCode: verifier.CodeMalformedVPToken, wantCheck: verifier.CheckVPToken},
		{name: "fail/vp-token-not-strings", token: raw(`{"diploma":[{"a":1}]}`), wantCode: verifier.CodeMalformedVPToken, wantCheck: verifier.CheckVPToken},

		// Format and parse.
		{name: "fail/unsupported-format", token: tok(nil), policy: func(*pilot) verifier.Policy {
			p := jpDeskPolicy(presentedAt)
			p.Query = &dcql.Query{Credentials: []dcql.CredentialQuery{{ID: "diploma", Format: dcql.FormatMSOMdoc, Meta: dcql.Meta{DoctypeValue: "org.iso.18013.5.1.mDL"}}}}
			return p
		}, wantCode: verifier.CodeUnsupportedFormat, wantCheck: verifier.CheckFormat},
		{name: "fail/garbage-presentation", token: raw(`{"diploma":["not-an-sd-jwt"]}`), wantCode: verifier.CodeMalformedCredential, wantCheck: verifier.CheckParse},

		// Issuer signature.
		{name: "fail/signature", token: func(f *pilot) []byte {
			p := euPres(f, nil)
			parts := strings.SplitN(p, ".", 3)
			sig := []byte(parts[2][:10])
			if sig[3] == 'A' { // change one base64url character of the signature
				sig[3] = 'B'
			} else {
				sig[3] = 'A'
			}
			return vpToken("diploma", parts[0]+"."+parts[1]+"."+string(sig)+parts[2][10:])
		}, wantCode: verifier.CodeSignatureInvalid, wantCheck: verifier.CheckSignature},
		{name: "fail/algorithm-not-allowed", token: tok(nil), opts: []verifier.Option{verifier.WithAlgorithms(jose.ES384)}, wantCode: verifier.CodeUnsupportedAlgorithm, wantCheck: verifier.CheckSignature},

		// Disclosures.
		{name: "fail/unreferenced-disclosure", token: func(f *pilot) []byte {
			p := euPres(f, nil)
			i := strings.LastIndex(p, "~")
			extra := base64.RawURLEncoding.EncodeToString([]byte(`["c2FsdHNhbHRzYWx0","nickname","Joe"]`))
			return vpToken("diploma", p[:i+1]+extra+p[i:])
		}, wantCode: verifier.CodeDisclosureInvalid, wantCheck: verifier.CheckDisclosures},

		// Validity.
		{name: "fail/expired", token: tok(func(d *diploma) { d.exp = presentedAt.Add(-time.Second) }), wantCode: verifier.CodeExpired, wantCheck: verifier.CheckValidity},
		{name: "fail/not-yet-valid", token: tok(func(d *diploma) { d.iat = presentedAt.Add(time.Hour) }), wantCode: verifier.CodeNotYetValid, wantCheck: verifier.CheckValidity},

		// Holder binding.
		{name: "fail/no-key-binding", token: func(f *pilot) []byte {
			return vpToken("diploma", must1(sdjwt.Select(f.issue(f.euDiploma()), share)))
		}, wantCode: verifier.CodeHolderBindingMissing, wantCheck: verifier.CheckHolderBinding},
		{name: "fail/no-key-binding-waived-by-rule-only", token: func(f *pilot) []byte {
			return vpToken("diploma", must1(sdjwt.Select(f.issue(f.euDiploma()), share)))
		}, policy: withRule(func(r *verifier.Rule) { r.HolderBinding = verifier.HolderBindingNotRequiredUnsafe }),
			wantCode: verifier.CodeHolderBindingMissing, wantCheck: verifier.CheckHolderBinding},
		{name: "fail/kb-nonce", token: func(f *pilot) []byte {
			return vpToken("diploma", f.present(f.issue(f.euDiploma()), share, jpDeskClientID, "another-nonce", kbTime))
		}, wantCode: verifier.CodeKBNonceMismatch, wantCheck: verifier.CheckHolderBinding},
		{name: "fail/kb-audience-without-prefix", token: func(f *pilot) []byte {
			return vpToken("diploma", f.present(f.issue(f.euDiploma()), share, "jp-desk.localhost", testNonce, kbTime))
		}, wantCode: verifier.CodeKBAudienceMismatch, wantCheck: verifier.CheckHolderBinding},
		{name: "fail/kb-too-old", token: func(f *pilot) []byte {
			return vpToken("diploma", f.present(f.issue(f.euDiploma()), share, jpDeskClientID, testNonce, presentedAt.Add(-6*time.Minute)))
		}, wantCode: verifier.CodeKBTooOld, wantCheck: verifier.CheckHolderBinding},
		{name: "fail/kb-sd-hash", token: func(f *pilot) []byte {
			cred := f.issue(f.euDiploma())
			a := f.present(cred, share, jpDeskClientID, testNonce, kbTime)
			b := f.present(cred, share[:2], jpDeskClientID, testNonce, kbTime)
			// a's disclosures with b's KB-JWT
			return vpToken("diploma", a[:strings.LastIndex(a, "~")+1]+b[strings.LastIndex(b, "~")+1:])
		}, wantCode: verifier.CodeKBSDHashMismatch, wantCheck: verifier.CheckHolderBinding},
		{name: "fail/kb-signed-by-another-key", token: func(f *pilot) []byte {
			sd := must1(sdjwt.Select(f.issue(f.euDiploma()), share))
			other := must1(sealLikeKey())
			payload := must1(json.Marshal(map[string]any{"nonce": testNonce, "aud": jpDeskClientID, "iat": kbTime.Unix(), "sd_hash": sdjwt.SHA256.Digest(sd)}))
			return vpToken("diploma", sd+must1(jose.Sign(other, jose.SignHeader{Typ: sdjwt.KBType}, payload)))
		}, wantCode: verifier.CodeHolderBindingInvalid, wantCheck: verifier.CheckHolderBinding},

		// Chain.
		{name: "fail/self-signed-leaf", token: func(f *pilot) []byte {
			c, k := sealLike(f.euIssuer, "NL", x509.KeyUsageDigitalSignature, nil, nil)
			return tok(func(d *diploma) { d.key, d.x5c = k, []*x509.Certificate{c} })(f)
		}, wantCode: verifier.CodeChainInvalid, wantCheck: verifier.CheckChain},
		{name: "fail/tls-certificate-of-a-listed-ca", token: func(f *pilot) []byte {
			u := must1(url.Parse(f.euIssuer))
			c, k := newCert(&x509.Certificate{
				Subject: pkix.Name{Country: []string{"NL"}, Organization: []string{"Oostland University"}, CommonName: "www.oostland.example"},
				URIs:    []*url.URL{u}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
				BasicConstraintsValid: true,
			}, f.euSealCA.Certificate, f.euSealCA.Signer())
			return tok(func(d *diploma) { d.key, d.x5c = k, []*x509.Certificate{c} })(f)
		}, wantCode: verifier.CodeChainInvalid, wantCheck: verifier.CheckChain},
		{name: "fail/leaf-without-digital-signature", token: func(f *pilot) []byte {
			c, k := sealLike(f.euIssuer, "NL", x509.KeyUsageKeyAgreement, f.euSealCA.Certificate, f.euSealCA.Signer())
			return tok(func(d *diploma) { d.key, d.x5c = k, []*x509.Certificate{c} })(f)
		}, wantCode: verifier.CodeChainInvalid, wantCheck: verifier.CheckChain},

		// Trust and recognition.
		{name: "fail/issuer-not-trusted", token: func(f *pilot) []byte {
			ca, caKey := caCert("Stranger CA", "NL")
			c, k := sealLike(f.euIssuer, "NL", x509.KeyUsageDigitalSignature, ca, caKey)
			return tok(func(d *diploma) { d.key, d.x5c = k, []*x509.Certificate{c} })(f)
		}, wantCode: verifier.CodeIssuerNotTrusted, wantCheck: verifier.CheckTrust},
		{name: "fail/wrong-service-type", token: tok(nil), policy: withRule(func(r *verifier.Rule) {
			r.Trust.ServiceTypes = []trustlist.ServiceTypeRule{{URI: trustlist.ServiceTypeEAAQ}}
		}), wantCode: verifier.CodeIssuerNotTrusted, wantCheck: verifier.CheckTrust},
		{name: "fail/recognition-jurisdiction", token: tok(nil), policy: func(*pilot) verifier.Policy { return jpDeskPolicy(presentedAt, jpRule()) },
			wantCode: verifier.CodeRecognitionJurisdiction, wantCheck: verifier.CheckTrust},
		{name: "fail/recognition-type", token: tok(nil), policy: withRule(func(r *verifier.Rule) { r.Types = []string{academic.VCTLearningCredential} }),
			wantCode: verifier.CodeRecognitionType, wantCheck: verifier.CheckTrust},
		{name: "fail/zero-recognition", token: tok(nil), policy: func(*pilot) verifier.Policy {
			p := jpDeskPolicy(presentedAt)
			p.Recognition = verifier.Recognition{}
			return p
		}, wantCode: verifier.CodeRecognitionType, wantCheck: verifier.CheckTrust},

		// iss.
		{name: "fail/iss-not-in-certificate", token: tok(func(d *diploma) { d.iss = "https://oostland.example/issuer" }), wantCode: verifier.CodeIssMismatch, wantCheck: verifier.CheckIss},
		{name: "fail/iss-not-in-certificate-direct-listing-needs-direct-trust", token: tok(func(d *diploma) { d.iss = "https://oostland.example/issuer" }),
			policy: withRule(func(r *verifier.Rule) { r.IssuerMatch = verifier.IssuerMatchDirectListingUnsafe }), wantCode: verifier.CodeIssMismatch, wantCheck: verifier.CheckIss},

		// Type.
		{name: "fail/unknown-vct", token: tok(func(d *diploma) { d.vct = "urn:example:unknown:1" }), policy: func(*pilot) verifier.Policy {
			r := euRule()
			r.Types = []string{"urn:example:unknown:1"}
			p := jpDeskPolicy(presentedAt, r)
			p.Query = diplomaQuery("urn:example:unknown:1")
			return p
		}, wantCode: verifier.CodeUnknownVCT, wantCheck: verifier.CheckType},
		{name: "fail/sd-always-claim-plain", token: tok(func(d *diploma) { d.plain = []string{"family_name"} }), wantCode: verifier.CodeTypeMetadata, wantCheck: verifier.CheckType},

		// Status.
		{name: "fail/status-revoked", token: tok(func(d *diploma) { d.statusIdx = statusRevokedIdx }), wantCode: verifier.CodeStatusRevoked, wantCheck: verifier.CheckStatus},
		{name: "fail/status-suspended", token: tok(func(d *diploma) { d.statusIdx = statusSuspendedIdx }), wantCode: verifier.CodeStatusSuspended, wantCheck: verifier.CheckStatus},
		{name: "fail/status-missing", token: tok(func(d *diploma) { d.statusIdx = -1 }), wantCode: verifier.CodeStatusMissing, wantCheck: verifier.CheckStatus},
		{name: "fail/status-unavailable", token: tok(nil), status: func(*pilot) *memStatus { return &memStatus{} }, wantCode: verifier.CodeStatusUnavailable, wantCheck: verifier.CheckStatus},
		{name: "fail/status-index-out-of-range", token: tok(func(d *diploma) { d.statusIdx = 4096 }), wantCode: verifier.CodeStatusInvalid, wantCheck: verifier.CheckStatus},
		{name: "fail/status-signed-by-another-issuer", token: tok(nil), status: func(f *pilot) *memStatus {
			ms := &memStatus{}
			ms.set(statusURI(f.euIssuer), statusToken(f.jpSeal, statusURI(f.euIssuer), presentedAt))
			return ms
		}, wantCode: verifier.CodeStatusInvalid, wantCheck: verifier.CheckStatus},
		{name: "fail/status-sub-mismatch", token: tok(nil), status: func(f *pilot) *memStatus {
			ms := &memStatus{}
			ms.set(statusURI(f.euIssuer), statusToken(f.euSeal, f.euIssuer+"/status/2", presentedAt))
			return ms
		}, wantCode: verifier.CodeStatusInvalid, wantCheck: verifier.CheckStatus},
		{name: "fail/status-token-expired", token: tok(nil), status: func(f *pilot) *memStatus {
			ms := &memStatus{}
			ms.set(statusURI(f.euIssuer), statusToken(f.euSeal, statusURI(f.euIssuer), presentedAt.Add(-48*time.Hour)))
			return ms
		}, wantCode: verifier.CodeStatusInvalid, wantCheck: verifier.CheckStatus},

		// Recognition policy.
		{name: "fail/level-not-recognised", token: tok(nil), policy: withRule(func(r *verifier.Rule) { r.EQFLevels = []int{8} }), wantCode: verifier.CodeRecognitionLevel, wantCheck: verifier.CheckLevel},
		{name: "fail/level-not-disclosed", token: func(f *pilot) []byte {
			return vpToken("diploma", f.present(f.issue(f.euDiploma()), []sdjwt.Path{{"degree", "title"}}, jpDeskClientID, testNonce, kbTime))
		}, policy: func(*pilot) verifier.Policy {
			p := jpDeskPolicy(presentedAt)
			p.Query.Credentials[0].Claims = p.Query.Credentials[0].Claims[:1]
			return p
		}, wantCode: verifier.CodeRecognitionLevel, wantCheck: verifier.CheckLevel},
		{name: "fail/missing-required-claim", token: tok(nil), policy: withRule(func(r *verifier.Rule) {
			r.RequiredClaims = append(r.RequiredClaims, dcql.Path{"degree", "field"})
		}), wantCode: verifier.CodeMissingClaim, wantCheck: verifier.CheckClaims},

		// DCQL.
		{name: "fail/query-claim-not-disclosed", token: tok(nil), policy: func(*pilot) verifier.Policy {
			p := jpDeskPolicy(presentedAt)
			p.Query.Credentials[0].Claims = append(p.Query.Credentials[0].Claims, dcql.ClaimsQuery{Path: dcql.Path{"birthdate"}})
			return p
		}, wantCode: verifier.CodeQueryUnsatisfied, wantCheck: verifier.CheckQuery},
		{name: "fail/query-vct-mismatch", token: tok(nil), policy: func(*pilot) verifier.Policy {
			p := jpDeskPolicy(presentedAt)
			p.Query = diplomaQuery(academic.VCTLearningCredential)
			return p
		}, wantCode: verifier.CodeQueryUnsatisfied, wantCheck: verifier.CheckQuery},
	}
	runCases(t, cases)
}

func TestVerifyPolicyErrors(t *testing.T) {
	f := getPilot()
	v := must1(verifier.New(f.trustSet(granted(), granted()), &memStatus{}))
	tok := vpToken("diploma", "x")
	for _, tc := range []struct {
		name string
		mod  func(*verifier.Policy)
	}{
		{"fail/zero-now", func(p *verifier.Policy) { p.Now = time.Time{} }},
		{"fail/no-client-id", func(p *verifier.Policy) { p.ClientID = "" }},
		{"fail/no-nonce", func(p *verifier.Policy) { p.Nonce = "" }},
		{"fail/nil-query", func(p *verifier.Policy) { p.Query = nil }},
		{"fail/invalid-query", func(p *verifier.Policy) { p.Query = &dcql.Query{} }},
		{"fail/rule-without-types", func(p *verifier.Policy) { p.Recognition.Rules[0].Types = nil }},
		{"fail/rule-without-jurisdictions", func(p *verifier.Policy) { p.Recognition.Rules[0].Jurisdictions = nil }},
		{"fail/rule-without-service-types", func(p *verifier.Policy) { p.Recognition.Rules[0].Trust.ServiceTypes = nil }},
		{"fail/rule-without-levels", func(p *verifier.Policy) { p.Recognition.Rules[0].EQFLevels = nil }},
		{"fail/rule-level-out-of-range", func(p *verifier.Policy) { p.Recognition.Rules[0].EQFLevels = []int{9} }},
		{"fail/rule-jurisdiction-lower-case", func(p *verifier.Policy) { p.Recognition.Rules[0].Jurisdictions = []string{"jp"} }},
		{"fail/rule-jurisdiction-alpha-3", func(p *verifier.Policy) { p.Recognition.Rules[0].Jurisdictions = []string{"JPN"} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := jpDeskPolicy(presentedAt)
			tc.mod(&p)
			res, err := v.Verify(t.Context(), tok, p)
			if res != nil || !errors.Is(err, verifier.ErrInvalidPolicy) {
				t.Fatalf("got %v, %v; want ErrInvalidPolicy", res, err)
			}
		})
	}
}

func TestNewOptions(t *testing.T) {
	set := must1(trustlist.NewSet())
	for _, tc := range []struct {
		name string
		opt  verifier.Option
		ok   bool
	}{
		{"ok/algorithms", verifier.WithAlgorithms(jose.ES256, jose.ES384, jose.EdDSA), true},
		{"ok/skew", verifier.WithClockSkew(time.Minute), true},
		{"ok/kb-max-age", verifier.WithKBMaxAge(10 * time.Minute), true},
		{"ok/cache-max", verifier.WithStatusCacheMax(1), true},
		{"ok/trust-cache", verifier.WithTrustCacheTTL(time.Minute), true},
		{"fail/no-algorithms", verifier.WithAlgorithms(), false},
		{"fail/hmac", verifier.WithAlgorithms("HS256"), false},
		{"fail/none", verifier.WithAlgorithms("none"), false},
		{"fail/skew-too-large", verifier.WithClockSkew(time.Hour), false},
		{"fail/negative-skew", verifier.WithClockSkew(-time.Second), false},
		{"fail/kb-max-age-zero", verifier.WithKBMaxAge(0), false},
		{"fail/cache-max-zero", verifier.WithStatusCacheMax(0), false},
		{"fail/trust-cache-too-long", verifier.WithTrustCacheTTL(time.Hour), false},
		{"fail/nil-option", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := verifier.New(set, &memStatus{}, tc.opt)
			if (err == nil) != tc.ok || (err != nil && verifier.CodeOf(err) != verifier.CodeInvalidPolicy) {
				t.Fatalf("New: %v", err)
			}
		})
	}
	if _, err := verifier.New(nil, &memStatus{}); !errors.Is(err, verifier.ErrInvalidPolicy) {
		t.Fatalf("nil trust: %v", err)
	}
	if _, err := verifier.New(set, nil); !errors.Is(err, verifier.ErrInvalidPolicy) {
		t.Fatalf("nil status: %v", err)
	}
}

// TestStatusCache checks that a verified status list token is fetched once and served from the
// cache until its ttl, then fetched again.
func TestStatusCache(t *testing.T) {
	f := getPilot()
	ms := defaultStatus(f, presentedAt)
	v := must1(verifier.New(f.trustSet(granted(), granted()), ms))
	cred := f.issue(f.euDiploma())
	verify := func(now time.Time) {
		t.Helper()
		tok := vpToken("diploma", f.present(cred, share, jpDeskClientID, testNonce, now.Add(-time.Minute)))
		res := must1(v.Verify(context.Background(), tok, jpDeskPolicy(now)))
		assertResult(t, res, "", "")
	}
	verify(presentedAt)
	verify(presentedAt.Add(10 * time.Minute))
	if n := ms.fetches.Load(); n != 1 {
		t.Fatalf("fetches within ttl = %d, want 1", n)
	}
	// The token has iat = presentedAt-10m and ttl 1h: it must be fetched again from presentedAt on.
	verify(presentedAt.Add(2 * time.Hour))
	if n := ms.fetches.Load(); n != 2 {
		t.Fatalf("fetches after ttl = %d, want 2", n)
	}
}

// TestResultContent checks what an accepted result says about the EU diploma at the JP desk.
func TestResultContent(t *testing.T) {
	f := getPilot()
	v := must1(verifier.New(f.trustSet(granted(), granted()), defaultStatus(f, presentedAt)))
	res := must1(v.Verify(t.Context(), vpToken("diploma", euPres(f, nil)), jpDeskPolicy(presentedAt)))
	assertResult(t, res, "", "")
	if len(res.Credentials) != 1 {
		t.Fatalf("credentials: %d", len(res.Credentials))
	}
	cr := res.Credentials[0]
	want := []string{verifier.CheckFormat, verifier.CheckParse, verifier.CheckSignature, verifier.CheckDisclosures, verifier.CheckValidity,
		verifier.CheckHolderBinding, verifier.CheckChain, verifier.CheckTrust, verifier.CheckIss, verifier.CheckType, verifier.CheckStatus,
		verifier.CheckQualification, verifier.CheckLevel, verifier.CheckClaims, verifier.CheckQuery}
	var got []string
	for _, c := range cr.Checks {
		got = append(got, c.Name)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("checks = %v\nwant     %v", got, want)
	}
	if cr.Issuer.NameEN != "Oostland University" || cr.Issuer.Country != "NL" || cr.Issuer.ID != f.euIssuer || cr.Rule != euRule().Name {
		t.Fatalf("issuer = %+v, rule %q", cr.Issuer, cr.Rule)
	}
	if !strings.HasPrefix(cr.TrustPath, euLabel) || !strings.Contains(cr.TrustPath, "Oostland University") || !cr.TrustedAtIssuance || !cr.TrustedNow {
		t.Fatalf("trust path %q at issuance %v now %v", cr.TrustPath, cr.TrustedAtIssuance, cr.TrustedNow)
	}
	if cr.Status != "VALID" || !cr.HolderBound || cr.Type != academic.VCTHashiDiploma || !cr.IssuedAt.Equal(issuedAt) {
		t.Fatalf("status %q bound %v type %q iat %v", cr.Status, cr.HolderBound, cr.Type, cr.IssuedAt)
	}
	q := cr.Qualification
	if q == nil || q.EQFLevel != 7 || q.ISCED == "" || q.LevelBasis == "" || q.TitleLang != "nl" || q.Credits == nil || q.Credits.Framework != "ects" || q.Credits.ECTS != 120 {
		t.Fatalf("qualification = %+v", q)
	}
	if q.DeskJurisdiction != "JP" || !strings.Contains(q.DeskView, "修士") || q.Comparability != academic.ComparabilityNote {
		t.Fatalf("desk view = %q (%q)", q.DeskView, q.Comparability)
	}
	if _, ok := cr.Claims["family_name"]; !ok {
		t.Fatalf("claims lack the disclosed family_name: %v", cr.Claims)
	}
	if _, ok := cr.Claims["birthdate"]; ok {
		t.Fatal("claims hold the undisclosed birthdate")
	}
}

// TestVerifyTwoCredentials presents both universities' diplomas in one vp_token to a desk that
// recognises both jurisdictions: each credential is judged on its own, and one rejected
// credential rejects the response while the other stays accepted.
func TestVerifyTwoCredentials(t *testing.T) {
	f := getPilot()
	set := f.trustSet(granted(), granted())
	q := &dcql.Query{Credentials: []dcql.CredentialQuery{
		{ID: "eu", Format: dcql.FormatSDJWTVC, Meta: dcql.Meta{VCTValues: []string{academic.VCTHashiDiploma}}, Claims: []dcql.ClaimsQuery{{Path: dcql.Path{"degree", "title"}}}},
		{ID: "jp", Format: dcql.FormatSDJWTVC, Meta: dcql.Meta{VCTValues: []string{academic.VCTHashiDiploma}}, Claims: []dcql.ClaimsQuery{{Path: dcql.Path{"degree", "title"}}}},
	}}
	p := jpDeskPolicy(presentedAt, euRule(), jpRule())
	p.Query = q
	for _, tc := range []struct {
		name     string
		jpIdx    int
		wantCode verifier.Code
	}{
		{"ok/both", statusIdx, ""},
		{"fail/jp-revoked", statusRevokedIdx, verifier.CodeStatusRevoked},
	} {
		t.Run(tc.name, func(t *testing.T) {
			jp := f.jpDiploma()
			jp.statusIdx = tc.jpIdx
			tok := must1(json.Marshal(map[string][]string{
				"eu": {f.present(f.issue(f.euDiploma()), share, jpDeskClientID, testNonce, kbTime)},
				"jp": {f.present(f.issue(jp), share, jpDeskClientID, testNonce, kbTime)},
			}))
			v := must1(verifier.New(set, defaultStatus(f, presentedAt)))
			res := must1(v.Verify(t.Context(), tok, p))
			assertResult(t, res, tc.wantCode, verifier.CheckStatus)
			if len(res.Credentials) != 2 || res.Credentials[0].QueryID != "eu" || res.Credentials[1].QueryID != "jp" {
				t.Fatalf("credentials: %+v", res.Credentials)
			}
			if !res.Credentials[0].Accepted || res.Credentials[0].Issuer.Country != "NL" || res.Credentials[1].Issuer.Country != "JP" {
				t.Fatalf("eu accepted %v; countries %s %s", res.Credentials[0].Accepted, res.Credentials[0].Issuer.Country, res.Credentials[1].Issuer.Country)
			}
			if res.Credentials[1].Accepted != (tc.wantCode == "") {
				t.Fatalf("jp accepted = %v", res.Credentials[1].Accepted)
			}
		})
	}
}

// TestStatusCacheBound checks that WithStatusCacheMax bounds the cache: with room for one token,
// two lists used in turn are fetched every time; with room for two, once each.
func TestStatusCacheBound(t *testing.T) {
	f := getPilot()
	set := f.trustSet(granted(), granted())
	euTok := vpToken("diploma", euPres(f, nil))
	jpTok := vpToken("diploma", f.present(f.issue(f.jpDiploma()), share, jpDeskClientID, testNonce, kbTime))
	p := jpDeskPolicy(presentedAt, euRule(), jpRule())
	for _, tc := range []struct {
		max, wantFetches int
	}{{1, 6}, {2, 2}} {
		ms := defaultStatus(f, presentedAt)
		v := must1(verifier.New(set, ms, verifier.WithStatusCacheMax(tc.max)))
		for range 3 {
			for _, tok := range [][]byte{euTok, jpTok} {
				assertResult(t, must1(v.Verify(t.Context(), tok, p)), "", "")
			}
		}
		if n := ms.fetches.Load(); n != int64(tc.wantFetches) {
			t.Fatalf("max %d: %d fetches, want %d", tc.max, n, tc.wantFetches)
		}
	}
}

// TestUnrequestedClaims: disclosures the query did not ask for are listed (and named in the
// query check), not rejected; what lies on the way to or inside a requested claim is not.
func TestUnrequestedClaims(t *testing.T) {
	f := getPilot()
	v := must1(verifier.New(f.trustSet(granted(), granted()), defaultStatus(f, presentedAt)))
	p := jpDeskPolicy(presentedAt)
	cred := f.issue(f.euDiploma())
	for _, tc := range []struct {
		name  string
		paths []sdjwt.Path
		want  []string
	}{
		{"only-requested", []sdjwt.Path{{"degree", "title"}, {"degree", "level"}}, nil},
		{"extra", []sdjwt.Path{{"degree", "title"}, {"degree", "level"}, {"birthdate"}, {"family_name"}}, []string{`["family_name"]`, `["birthdate"]`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := must1(v.Verify(t.Context(), vpToken("diploma", f.present(cred, tc.paths, jpDeskClientID, testNonce, kbTime)), p))
			if len(res.Credentials) != 1 {
				t.Fatalf("credentials %d", len(res.Credentials))
			}
			cr := res.Credentials[0]
			got := slices.Clone(cr.Unrequested)
			slices.Sort(got)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("unrequested %v, want %v (verdict %s %s)", cr.Unrequested, tc.want, res.Verdict, res.Reason)
			}
			for _, c := range cr.Checks {
				if c.Name == verifier.CheckQuery && c.OK != true {
					t.Fatalf("query check failed: %+v", c)
				}
				if c.Name == verifier.CheckQuery && len(want) > 0 && !strings.Contains(c.Detail, "also disclosed, not requested: ") {
					t.Fatalf("query check does not name the extra claims: %q", c.Detail)
				}
			}
		})
	}
}

// TestDiscardedPresentation: OpenID4VP 1.0 §8.6 — a presentation that fails its checks is
// discarded (and reported), and the response stands when the rest satisfies the query; a
// key binding made for another request rejects the whole response (§14.1.2).
func TestDiscardedPresentation(t *testing.T) {
	t.Parallel()
	f := getPilot()
	v := must1(verifier.New(f.trustSet(granted(), granted()), defaultStatus(f, presentedAt)))
	policy := func() verifier.Policy {
		p := jpDeskPolicy(presentedAt)
		p.Query.Credentials[0].Multiple = true
		return p
	}
	good := euPres(f, nil)
	tests := []struct {
		name        string
		token       []byte
		wantVerdict verifier.Verdict
		wantReason  verifier.Code
		wantBad     verifier.Code // the second presentation's reason
	}{
		{"ok/expired-one-discarded", vpToken("diploma", good, euPres(f, func(d *diploma) { d.exp = presentedAt.Add(-time.Second) })),
			verifier.VerdictAccepted, "", verifier.CodeExpired},
		{"fail/all-discarded", vpToken("diploma", euPres(f, func(d *diploma) { d.exp = presentedAt.Add(-time.Second) })),
			verifier.VerdictRejected, verifier.CodeExpired, ""},
		{"fail/kb-for-another-request", vpToken("diploma", good, f.present(f.issue(f.euDiploma()), share, jpDeskClientID, "another-nonce", kbTime)),
			verifier.VerdictRejected, verifier.CodeKBNonceMismatch, verifier.CodeKBNonceMismatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := must1(v.Verify(t.Context(), tc.token, policy()))
			if res.Verdict != tc.wantVerdict || res.Reason != tc.wantReason {
				t.Fatalf("verdict %s (%s), want %s (%s)", res.Verdict, res.Reason, tc.wantVerdict, tc.wantReason)
			}
			if tc.wantBad != "" {
				if len(res.Credentials) != 2 || !res.Credentials[0].Accepted || res.Credentials[1].Accepted || res.Credentials[1].Reason != tc.wantBad {
					t.Fatalf("credentials %+v", res.Credentials)
				}
				// An accepted answer gives no claims of what it set aside.
				if set := res.Credentials[1]; res.Verdict == verifier.VerdictAccepted && (set.Claims != nil || set.Qualification != nil) {
					t.Fatalf("set-aside credential keeps its claims: %+v", set)
				}
			}
		})
	}
}
