package pki_test

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/hashi-vc/hashi/internal/pki"
)

// ExampleInit makes the fictional EU–Japan pilot PKI, then loads a university's seal
// certificate, its x5c chain and its signer.
func ExampleInit() {
	tmp, err := os.MkdirTemp("", "pki-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	dir := filepath.Join(tmp, "pki")
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

	m, err := pki.Init(dir, pki.DefaultConfig("https://issuer.example"), now)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range m.Entities {
		fmt.Printf("%-11s %-11s %s\n", e.Role, e.ID, e.Dir)
	}

	p, err := pki.Load(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	seal, err := p.Entity(pki.RoleSeal, "sakuragaoka")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(seal.Info.Subject)
	fmt.Println(seal.Certificate.URIs[0], seal.Certificate.NotAfter.Format(time.DateOnly))
	fmt.Println(len(seal.Chain), "certificate in x5c; anchor:", seal.Anchor.Subject.CommonName)
	fmt.Println(seal.Signer() != nil)

	// A second Init with the same configuration reuses the directory.
	again, err := pki.Init(dir, pki.DefaultConfig("https://issuer.example"), now.Add(24*time.Hour))
	fmt.Println(err == nil && again.Entities[0].CertSHA256 == m.Entities[0].CertSHA256)
	// Output:
	// lotl-signer eu          eu/lotl-signer
	// tl-signer   eu          eu/tl-signer
	// seal-ca     eu          eu/seal-ca
	// access-ca   eu          eu/access-ca
	// tl-signer   jp          jp/tl-signer
	// seal-ca     jp          jp/seal-ca
	// access-ca   jp          jp/access-ca
	// tls-ca      demo        tls/ca
	// seal        oostland    eu/universities/oostland
	// seal        sakuragaoka jp/universities/sakuragaoka
	// access      eu-desk     eu/verifiers/eu-desk
	// access      jp-desk     jp/verifiers/jp-desk
	// tls         localhost   tls/hosts/localhost
	// organizationIdentifier=NTRJP-8999900000001,CN=Sakuragaoka University,O=桜ヶ丘大学,C=JP
	// https://issuer.example/sakuragaoka 2028-03-01
	// 1 certificate in x5c; anchor: Pilot JP Seal CA
	// true
	// true
}

// ExampleConfig_Validate shows a configuration error and its stable code.
func ExampleConfig_Validate() {
	cfg := pki.DefaultConfig("")
	cfg.Universities[1].OrganizationIdentifier = "NTRJP-1234567890123" // wrong check digit
	err := cfg.Validate()
	fmt.Println(pki.CodeOf(err))
	fmt.Println(err)
	// Output:
	// invalid
	// pki: config: universities[1].organization_identifier: "NTRJP-1234567890123": a 法人番号 has 13 digits with a valid check digit
}
