package trustlist_test

import (
	"crypto"
	"crypto/elliptic"
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/trustlist"
)

func TestVerifyXMLAlgorithms(t *testing.T) {
	rsaKey := genRSA(t)
	at := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	base := minimalList("", "")
	type algCase struct {
		name    string
		signer  *testSigner
		rootURI string
		mutate  func(string) string
		want    trustlist.Code
		pin     *x509.Certificate // accepted signer; the signer's own certificate when nil
	}
	tests := []algCase{
		{"ok/rsa-sha256", newTestSigner(t, rsaKey, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", crypto.SHA256, false), "", nil, "", nil},
		{"ok/rsa-sha384", newTestSigner(t, rsaKey, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384", crypto.SHA384, false), "", nil, "", nil},
		{"ok/rsa-sha512-root-id", newTestSigner(t, rsaKey, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512", crypto.SHA512, false), "#tl", nil, "", nil},
		{"ok/rsa-pss-sha256", newTestSigner(t, rsaKey, "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1", crypto.SHA256, true), "", nil, "", nil},
		{"ok/ecdsa-p256", newTestSigner(t, genEC(t, elliptic.P256()), "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256", crypto.SHA256, false), "", nil, "", nil},
		{"ok/ecdsa-p384", newTestSigner(t, genEC(t, elliptic.P384()), "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384", crypto.SHA384, false), "", nil, "", nil},
		{"fail/rsa-sha1", newTestSigner(t, rsaKey, "http://www.w3.org/2000/09/xmldsig#rsa-sha1", crypto.SHA1, false), "", nil, trustlist.CodeUnsupportedAlgorithm, nil},
		{"fail/method-key-mismatch", newTestSigner(t, genEC(t, elliptic.P256()), "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", crypto.SHA256, false), "", nil, trustlist.CodeSignatureInvalid, nil},
		{"fail/signed-properties-tampered", newTestSigner(t, rsaKey, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", crypto.SHA256, false), "",
			func(s string) string {
				return strings.Replace(s, "2026-01-01T00:00:00Z</xades:SigningTime>", "2026-01-02T00:00:00Z</xades:SigningTime>", 1)
			}, trustlist.CodeDigestMismatch, nil},
		{"fail/signature-value-tampered", newTestSigner(t, rsaKey, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", crypto.SHA256, false), "",
			func(s string) string {
				i := strings.Index(s, "<ds:SignatureValue>") + len("<ds:SignatureValue>")
				c := "A"
				if s[i] == 'A' {
					c = "B"
				}
				return s[:i] + c + s[i+1:]
			}, trustlist.CodeSignatureInvalid, nil},
		{"fail/content-tampered", newTestSigner(t, rsaKey, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", crypto.SHA256, false), "",
			func(s string) string { return strings.Replace(s, ">7<", ">8<", 1) }, trustlist.CodeDigestMismatch, nil},
		{"ok/comment-added-is-ignored-by-c14n", newTestSigner(t, rsaKey, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", crypto.SHA256, false), "",
			func(s string) string {
				return strings.Replace(s, "<SchemeTerritory>", "<!-- c --><SchemeTerritory>", 1)
			}, "", nil},
		{"fail/signed-properties-reference-removed", newTestSigner(t, rsaKey, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", crypto.SHA256, false), "",
			func(s string) string {
				i := strings.Index(s, `<ds:Reference Type=`)
				j := strings.Index(s[i:], "</ds:Reference>") + i + len("</ds:Reference>")
				return s[:i] + s[j:]
			}, trustlist.CodeSignatureInvalid, nil},
	}
	// A signer whose signed SigningCertificateV2 names another certificate, and one whose
	// signed properties carry both SigningCertificate and SigningCertificateV2.
	other := newTestSigner(t, genRSA(t), "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", crypto.SHA256, false)
	misnamed := newTestSigner(t, rsaKey, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", crypto.SHA256, false)
	misnamed.named = other.cert
	both := newTestSigner(t, rsaKey, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", crypto.SHA256, false)
	both.bothSigningCertificates = true
	tests = append(tests,
		algCase{name: "fail/signing-certificate-names-another-cert", signer: misnamed, want: trustlist.CodeSignatureInvalid},
		algCase{name: "fail/signing-certificate-v1-and-v2", signer: both, want: trustlist.CodeSignatureInvalid},
		algCase{name: "fail/signed-by-other-key-than-pinned", signer: other, pin: misnamed.cert, want: trustlist.CodeUntrustedSigner},
	)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := base
			if tc.rootURI != "" {
				in = withID(in, tc.rootURI[1:])
			}
			signed := string(tc.signer.sign(t, in, tc.rootURI))
			if tc.mutate != nil {
				signed = tc.mutate(signed)
			}
			pin := tc.pin
			if pin == nil {
				pin = tc.signer.cert
			}
			l, err := trustlist.VerifyXML([]byte(signed), trustlist.VerifyOptions{Signers: []*x509.Certificate{pin}, At: at})
			if got := trustlist.CodeOf(err); got != tc.want {
				t.Fatalf("code = %q (%v), want %q", got, err, tc.want)
			}
			if tc.want == "" && (l.SequenceNumber != 7 || l.Territory != "JP" || !l.Signature.SigningTime.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) || l.Signature.Method == "") {
				t.Fatalf("unexpected list %+v", l)
			}
		})
	}
}
