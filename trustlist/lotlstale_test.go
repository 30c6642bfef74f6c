package trustlist_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/trustlist"
)

// plainCert makes a self-signed certificate (a CA when ca) valid 2020–2035.
func plainCert(t *testing.T, cn string, ca bool) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage: x509.KeyUsageDigitalSignature, BasicConstraintsValid: true, IsCA: ca}
	if ca {
		tmpl.KeyUsage |= x509.KeyUsageCertSign
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c, k
}

func operator(cc string) trustlist.Party {
	return trustlist.Party{Names: trustlist.Names{"en": "operator " + cc}, Address: trustlist.Address{Street: "1 Main St", Locality: "Town", Country: cc, URI: "https://operator.example/"}}
}

// TestStaleLOTLVouchesForNothing: a national list is authentic because the LOTL named its
// signers; once the LOTL is past its NextUpdate (and not renewed), the national list gives
// no trust, however fresh it is itself — a stale list never widens trust (trust.md, hashi's
// decisions).
func TestStaleLOTLVouchesForNothing(t *testing.T) {
	lotlCert, lotlKey := plainCert(t, "LOTL signer", false)
	nlCert, nlKey := plainCert(t, "NL TL signer", false)
	ca, _ := plainCert(t, "NL seal CA", true)
	issued := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	lotl := &trustlist.Description{Territory: "EU", Sequence: 1, Issued: issued, NextUpdate: issued.AddDate(0, 6, 0), Operator: operator("BE"),
		Pointers: []trustlist.PointerDescription{
			{Location: "https://lotl.example/lotl.xml", Territory: "EU", Type: trustlist.TSLTypeEUListOfLists, Signers: []string{pemOf(lotlCert)}},
			{Location: "https://nl.example/tl.xml", Territory: "NL", OperatorNames: trustlist.Names{"en": "operator NL"}, Signers: []string{pemOf(nlCert)}},
		}}
	lb, err := trustlist.SignXML(lotl, trustlist.ListSigner{Key: lotlKey, Certificate: lotlCert, Time: issued})
	if err != nil {
		t.Fatal(err)
	}
	policy := trustlist.Policy{ServiceTypes: []trustlist.ServiceTypeRule{{URI: trustlist.ServiceTypeCAQC, AdditionalInfo: []string{trustlist.AdditionalInfoForeSeals}}}}
	for _, tc := range []struct {
		name    string
		now     time.Time
		trusted bool
	}{
		{"lotl-fresh", issued.AddDate(0, 3, 0), true},
		{"lotl-stale", issued.AddDate(1, 0, 0), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nl := &trustlist.Description{Territory: "NL", Sequence: 1, Issued: tc.now.AddDate(0, 0, -1), NextUpdate: tc.now.AddDate(0, 6, 0), Operator: operator("NL"),
				Providers: []trustlist.ProviderDescription{{Party: operator("NL"), Services: []trustlist.ServiceDescription{{StateDescription: trustlist.StateDescription{
					Type: "CA/QC", Names: trustlist.Names{"en": "NL seal CA"}, Certificates: []string{pemOf(ca)}, Status: "granted", StatusStart: issued,
					AdditionalInformation: []string{trustlist.AdditionalInfoForeSeals}}}}}}}
			nb, err := trustlist.SignXML(nl, trustlist.ListSigner{Key: nlKey, Certificate: nlCert, Time: tc.now.AddDate(0, 0, -1)})
			if err != nil {
				t.Fatal(err)
			}
			s := newListServer(t)
			s.put("https://lotl.example/lotl.xml", lb)
			s.put("https://nl.example/tl.xml", nb)
			l, err := trustlist.NewLoader(s.client(), trustlist.WithLOTL(trustlist.LOTLConfig{URL: "https://lotl.example/lotl.xml", Signers: []*x509.Certificate{lotlCert}}))
			if err != nil {
				t.Fatal(err)
			}
			snap, err := l.Load(t.Context(), tc.now)
			if err != nil {
				t.Fatal(err)
			}
			r := snap.Lookup([]*x509.Certificate{ca}, tc.now, tc.now, policy)
			if r.TrustedNow != tc.trusted {
				t.Fatalf("trusted now %v (%s: %s), want %v", r.TrustedNow, r.Reason, r.Detail, tc.trusted)
			}
			if !tc.trusted && r.Reason != trustlist.ReasonStaleList {
				t.Fatalf("reason %s (%s), want %s naming the LOTL", r.Reason, r.Detail, trustlist.ReasonStaleList)
			}
		})
	}
}
