package pki_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"net/url"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/pki"
)

// cert makes a certificate from tmpl for a fresh key, signed by parent's key (itself when
// parent is nil).
func cert(t *testing.T, tmpl *x509.Certificate, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SerialNumber, tmpl.NotBefore, tmpl.NotAfter = big.NewInt(1), testNow, testNow.Add(time.Hour)
	if parent == nil {
		parent, parentKey = tmpl, k
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &k.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c, k
}

// TestSelfSigned: a self-signed end-entity certificate is self-signed too (crypto/x509's
// CheckSignatureFrom would not say so: it refuses a parent that is not a CA).
func TestSelfSigned(t *testing.T) {
	ca, caKey := cert(t, &x509.Certificate{Subject: pkix.Name{CommonName: "Seal CA"}, IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}, nil, nil)
	leaf, _ := cert(t, &x509.Certificate{Subject: pkix.Name{CommonName: "University"}, KeyUsage: x509.KeyUsageDigitalSignature}, ca, caKey)
	selfLeaf, _ := cert(t, &x509.Certificate{Subject: pkix.Name{CommonName: "University"}, KeyUsage: x509.KeyUsageDigitalSignature, BasicConstraintsValid: true}, nil, nil)
	sameName, _ := cert(t, &x509.Certificate{Subject: pkix.Name{CommonName: "Seal CA"}, KeyUsage: x509.KeyUsageDigitalSignature, AuthorityKeyId: ca.SubjectKeyId}, ca, caKey)
	sameNameNoAKI, _ := cert(t, &x509.Certificate{Subject: pkix.Name{CommonName: "Seal CA"}, KeyUsage: x509.KeyUsageDigitalSignature}, ca, caKey)
	for _, tc := range []struct {
		name string
		c    *x509.Certificate
		want bool
	}{
		{"ok/issued-by-a-ca", leaf, false},
		{"fail/self-signed-ca", ca, true},
		{"fail/self-signed-end-entity", selfLeaf, true},
		// Issued by a CA of the same name: its authority key identifier names the CA's key.
		{"ok/same-name-as-its-ca", sameName, false},
		// The same without one cannot be told from a self-signed certificate: refused.
		{"fail/same-name-no-authority-key-id", sameNameNoAKI, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := pki.SelfSigned(tc.c); got != tc.want {
				t.Fatalf("SelfSigned = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestNamesIssuer(t *testing.T) {
	u := func(s string) *url.URL { v, _ := url.Parse(s); return v }
	c := &x509.Certificate{URIs: []*url.URL{u("https://issuer.example/oostland")}, DNSNames: []string{"seal.oostland.example"}}
	for _, tc := range []struct {
		iss  string
		want bool
	}{
		{"https://issuer.example/oostland", true},
		{"https://issuer.example/sakuragaoka", false}, // another tenant of the same host
		{"https://seal.oostland.example/any/path", true},
		{"https://SEAL.oostland.example", true},
		{"http://seal.oostland.example", false}, // a DNS name vouches for https only
		{"https://user@seal.oostland.example", false},
		{"https://evil.example", false},
		{"", false},
	} {
		if got := pki.NamesIssuer(c, tc.iss); got != tc.want {
			t.Errorf("NamesIssuer(%q) = %v, want %v", tc.iss, got, tc.want)
		}
	}
}

// TestNameString: a name reads as pkix.Name.String does, but organizationIdentifier as text
// (pkix.Name.String gives "2.5.4.97=#13…"), escaped as RFC 4514 says.
func TestNameString(t *testing.T) {
	oid := asn1.ObjectIdentifier{2, 5, 4, 97}
	for _, tc := range []struct {
		orgID, want string
	}{
		{"NTRJP-7000012050002", "CN=Seal,O=Uni,C=JP,organizationIdentifier=NTRJP-7000012050002"},
		{"VATNL-NL1,2", `CN=Seal,O=Uni,C=JP,organizationIdentifier=VATNL-NL1\,2`},
		{"", "CN=Seal,O=Uni,C=JP"},
	} {
		name := pkix.Name{CommonName: "Seal", Organization: []string{"Uni"}, Country: []string{"JP"}}
		if tc.orgID != "" {
			name.ExtraNames = []pkix.AttributeTypeAndValue{{Type: oid, Value: tc.orgID}}
		}
		c, _ := cert(t, &x509.Certificate{Subject: name}, nil, nil)
		if got := pki.NameString(c.Subject); got != tc.want {
			t.Errorf("NameString = %q, want %q (pkix: %q)", got, tc.want, c.Subject.String())
		}
	}
}
