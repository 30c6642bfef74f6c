package trustlist_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"time"

	"github.com/hashi-vc/hashi/trustlist"
)

// exampleCert issues a certificate for cn signed by parent (self-signed when parent is nil).
func exampleCert(cn string, isCA bool, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC),
		IsCA: isCA, BasicConstraintsValid: isCA, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
	if err != nil {
		panic(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	return c, key
}

// ExampleSet_Lookup anchors a credential issuer's chain in a CA listed by a (verified) JP pilot
// list whose service was granted from 2026-01-01 and withdrawn on 2026-06-01.
func ExampleSet_Lookup() {
	root, rootKey := exampleCert("Pilot Root CA", true, nil, nil)
	leaf, _ := exampleCert("Osaka University diploma seal", false, root, rootKey)
	day := func(m time.Month) time.Time { return time.Date(2026, m, 1, 0, 0, 0, 0, time.UTC) }

	// In production the list comes from VerifyLoTE or VerifyXML.
	list := &trustlist.List{
		Territory: "JP", IssueDate: day(1), NextUpdate: day(12), Signature: &trustlist.Signature{},
		Providers: []trustlist.Provider{{
			Names: []trustlist.LangString{{Lang: "ja", Value: "大阪大学"}, {Lang: "en", Value: "Osaka University"}},
			Services: []trustlist.Service{{
				ServiceState: trustlist.ServiceState{
					Type: jpEAAIssuance, Names: []trustlist.LangString{{Lang: "en", Value: "Diploma issuance"}},
					Status: trustlist.StatusWithdrawn, StatusStart: day(6),
					Identity: trustlist.DigitalIdentity{Certificates: []*x509.Certificate{root}},
				},
				History: []trustlist.ServiceState{{Type: jpEAAIssuance, Status: trustlist.StatusGranted, StatusStart: day(1)}},
			}},
		}},
	}
	set, err := trustlist.NewSet(trustlist.Labeled{Label: "JP pilot LoTE", List: list})
	if err != nil {
		panic(err)
	}
	policy := trustlist.Policy{ServiceTypes: []trustlist.ServiceTypeRule{{URI: jpEAAIssuance}}}

	r := set.Lookup([]*x509.Certificate{leaf}, day(3), day(9), policy)
	fmt.Println(r.Match, r.TrustedAtIssuance, r.TrustedNow, r.Reason)
	fmt.Println(r.Path)

	r = set.Lookup([]*x509.Certificate{leaf}, day(3), day(12), policy)
	fmt.Println(r.Reason)
	// Output:
	// ca true false withdrawn_since
	// JP pilot LoTE → JP → 大阪大学 [ja] / Osaka University [en] → Diploma issuance [en] → CN=Pilot Root CA
	// stale_list
}
