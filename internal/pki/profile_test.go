package pki_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/asn1"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/pki"
)

var oidTSLSigning = asn1.ObjectIdentifier{0, 4, 0, 2231, 3, 0}

// TestInitProfiles checks every certificate of the default pilot PKI against its role's
// profile: subject, SANs, key usages, basic constraints, key identifiers, validity.
func TestInitProfiles(t *testing.T) {
	_, m, p := newPKI(t)
	const (
		dsCC = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
		ca   = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	)
	tests := []struct {
		name       string
		role       pki.Role
		id         string
		issuer     *pki.Ref
		subject    string
		orgID      string
		ku         x509.KeyUsage
		eku        []x509.ExtKeyUsage
		tslSigning bool
		isCA       bool
		dns, ips   []string
		uris       []string
		notAfter   time.Time
	}{
		{name: "ok/lotl-signer", role: pki.RoleLOTLSigner, id: "eu", ku: dsCC, tslSigning: true,
			subject:  "CN=Pilot EU LOTL Signer,O=hashi Pilot LOTL Scheme Operator EU,C=EU",
			notAfter: testNow.AddDate(5, 0, 0)},
		{name: "ok/tl-signer-nl", role: pki.RoleTLSigner, id: "eu", ku: dsCC, tslSigning: true,
			subject:  "CN=Pilot NL Trusted List Signer,O=hashi Pilot Trusted List Scheme Operator NL,C=NL",
			notAfter: testNow.AddDate(5, 0, 0)},
		{name: "ok/tl-signer-jp", role: pki.RoleTLSigner, id: "jp", ku: dsCC, tslSigning: true,
			subject:  "CN=Pilot JP Trusted List Signer,O=hashi Pilot Trusted List Scheme Operator JP,C=JP",
			notAfter: testNow.AddDate(5, 0, 0)},
		{name: "ok/seal-ca-nl", role: pki.RoleSealCA, id: "eu", ku: ca, isCA: true,
			subject: "CN=Pilot NL Seal CA,O=hashi Pilot Trust Services NL,C=NL", notAfter: testNow.AddDate(10, 0, 0)},
		{name: "ok/access-ca-nl", role: pki.RoleAccessCA, id: "eu", ku: ca, isCA: true,
			subject: "CN=Pilot NL Relying Party Access CA,O=hashi Pilot Trust Services NL,C=NL", notAfter: testNow.AddDate(10, 0, 0)},
		{name: "ok/seal-ca-jp", role: pki.RoleSealCA, id: "jp", ku: ca, isCA: true,
			subject: "CN=Pilot JP Seal CA,O=hashi Pilot Trust Services JP,C=JP", notAfter: testNow.AddDate(10, 0, 0)},
		{name: "ok/access-ca-jp", role: pki.RoleAccessCA, id: "jp", ku: ca, isCA: true,
			subject: "CN=Pilot JP Relying Party Access CA,O=hashi Pilot Trust Services JP,C=JP", notAfter: testNow.AddDate(10, 0, 0)},
		{name: "ok/tls-ca", role: pki.RoleTLSCA, id: pki.TLSCAID, ku: ca, isCA: true,
			subject: "CN=hashi Demo TLS CA,O=hashi demo", notAfter: testNow.AddDate(10, 0, 0)},
		{name: "ok/seal-oostland", role: pki.RoleSeal, id: "oostland", ku: dsCC,
			issuer:   &pki.Ref{Role: pki.RoleSealCA, ID: "eu"},
			subject:  "organizationIdentifier=NTRNL-99000001,CN=Universiteit Oostland,O=Universiteit Oostland,C=NL",
			orgID:    "NTRNL-99000001",
			uris:     []string{"https://127.0.0.1:8443/issuer/oostland"},
			notAfter: testNow.AddDate(2, 0, 0)},
		{name: "ok/seal-sakuragaoka", role: pki.RoleSeal, id: "sakuragaoka", ku: dsCC,
			issuer:   &pki.Ref{Role: pki.RoleSealCA, ID: "jp"},
			subject:  "organizationIdentifier=NTRJP-8999900000001,CN=Sakuragaoka University,O=桜ヶ丘大学,C=JP",
			orgID:    "NTRJP-8999900000001",
			uris:     []string{"https://127.0.0.1:8443/issuer/sakuragaoka"},
			notAfter: testNow.AddDate(2, 0, 0)},
		{name: "ok/access-eu-desk", role: pki.RoleAccess, id: "eu-desk", ku: x509.KeyUsageDigitalSignature,
			issuer:   &pki.Ref{Role: pki.RoleAccessCA, ID: "eu"},
			subject:  "CN=eu-desk.localhost,O=Pilot Admissions Desk NL,C=NL",
			dns:      []string{"eu-desk.localhost"},
			notAfter: testNow.AddDate(2, 0, 0)},
		{name: "ok/access-jp-desk", role: pki.RoleAccess, id: "jp-desk", ku: x509.KeyUsageDigitalSignature,
			issuer:   &pki.Ref{Role: pki.RoleAccessCA, ID: "jp"},
			subject:  "CN=jp-desk.localhost,O=Pilot Recruitment Desk JP,C=JP",
			dns:      []string{"jp-desk.localhost"},
			notAfter: testNow.AddDate(2, 0, 0)},
		{name: "ok/tls-localhost", role: pki.RoleTLS, id: "localhost", ku: x509.KeyUsageDigitalSignature,
			eku:      []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			issuer:   &pki.Ref{Role: pki.RoleTLSCA, ID: pki.TLSCAID},
			subject:  "CN=localhost",
			dns:      []string{"localhost", "eu-desk.localhost", "jp-desk.localhost"},
			ips:      []string{"127.0.0.1", "::1"},
			notAfter: testNow.AddDate(2, 0, 0)},
	}
	if len(tests) != len(m.Entities) {
		t.Fatalf("table covers %d entities, manifest has %d", len(tests), len(m.Entities))
	}
	serials := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := entity(t, p, tt.role, tt.id)
			c := e.Certificate
			if e.Info.Subject != tt.subject {
				t.Errorf("manifest subject %q, want %q", e.Info.Subject, tt.subject)
			}
			if got, _ := pki.OrganizationIdentifier(c); got != tt.orgID || e.Info.OrganizationIdentifier != tt.orgID {
				t.Errorf("organizationIdentifier %q (manifest %q), want %q", got, e.Info.OrganizationIdentifier, tt.orgID)
			}
			if c.KeyUsage != tt.ku {
				t.Errorf("keyUsage %b, want %b", c.KeyUsage, tt.ku)
			}
			if !slices.Equal(c.ExtKeyUsage, tt.eku) {
				t.Errorf("extKeyUsage %v, want %v", c.ExtKeyUsage, tt.eku)
			}
			hasTSL := slices.ContainsFunc(c.UnknownExtKeyUsage, oidTSLSigning.Equal)
			if hasTSL != tt.tslSigning || len(c.UnknownExtKeyUsage) > 1 {
				t.Errorf("unknown EKUs %v, want id-tsl-kp-tslSigning %v", c.UnknownExtKeyUsage, tt.tslSigning)
			}
			if !c.BasicConstraintsValid || c.IsCA != tt.isCA {
				t.Errorf("basicConstraints valid=%v CA=%v, want CA=%v", c.BasicConstraintsValid, c.IsCA, tt.isCA)
			}
			if tt.isCA && (c.MaxPathLen != 0 || !c.MaxPathLenZero) {
				t.Errorf("CA pathlen %d (zero=%v), want 0", c.MaxPathLen, c.MaxPathLenZero)
			}
			if !slices.Equal(c.DNSNames, tt.dns) || !slices.Equal(e.Info.DNSNames, tt.dns) {
				t.Errorf("dNSName SANs %v (manifest %v), want %v", c.DNSNames, e.Info.DNSNames, tt.dns)
			}
			var ips, uris []string
			for _, ip := range c.IPAddresses {
				ips = append(ips, ip.String())
			}
			for _, u := range c.URIs {
				uris = append(uris, u.String())
			}
			if !slices.Equal(ips, tt.ips) || !slices.Equal(e.Info.IPAddresses, tt.ips) {
				t.Errorf("iPAddress SANs %v, want %v", ips, tt.ips)
			}
			if !slices.Equal(uris, tt.uris) || !slices.Equal(e.Info.URIs, tt.uris) {
				t.Errorf("URI SANs %v, want %v", uris, tt.uris)
			}
			if len(c.SubjectKeyId) != 20 {
				t.Errorf("subject key identifier %x, want 20 bytes", c.SubjectKeyId)
			}
			pub, ok := c.PublicKey.(*ecdsa.PublicKey)
			if !ok || pub.Curve != elliptic.P256() || c.SignatureAlgorithm != x509.ECDSAWithSHA256 {
				t.Errorf("key %T / signature %v, want ECDSA P-256 with SHA-256", c.PublicKey, c.SignatureAlgorithm)
			}
			if !c.NotBefore.Equal(testNow.Add(-5*time.Minute)) || !c.NotAfter.Equal(tt.notAfter) {
				t.Errorf("validity %s – %s, want %s – %s", c.NotBefore, c.NotAfter, testNow.Add(-5*time.Minute), tt.notAfter)
			}
			if c.SerialNumber.Sign() <= 0 || c.SerialNumber.BitLen() > 128 || c.SerialNumber.BitLen() < 64 {
				t.Errorf("serial %x is not a positive random 128-bit number", c.SerialNumber)
			}
			if serials[c.SerialNumber.String()] {
				t.Errorf("serial %x repeated", c.SerialNumber)
			}
			serials[c.SerialNumber.String()] = true
			if e.Info.SerialNumber != c.SerialNumber.Text(16) || new(big.Int).Cmp(c.SerialNumber) == 0 {
				t.Errorf("manifest serial %q", e.Info.SerialNumber)
			}

			selfIssued := string(c.RawIssuer) == string(c.RawSubject)
			if tt.issuer == nil {
				if !selfIssued || len(c.AuthorityKeyId) != 0 || e.Chain != nil || e.Anchor != nil || e.Info.IssuedBy != nil {
					t.Errorf("want a self-signed certificate without AKI, chain or anchor")
				}
				if err := c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature); err != nil {
					t.Errorf("self-signature: %v", err)
				}
				return
			}
			// Issued: not self-signed, AKI = issuer's SKI, chain without the anchor.
			iss := entity(t, p, tt.issuer.Role, tt.issuer.ID)
			if e.Info.IssuedBy == nil || *e.Info.IssuedBy != *tt.issuer {
				t.Errorf("manifest issued_by %v, want %v", e.Info.IssuedBy, tt.issuer)
			}
			if selfIssued || c.CheckSignatureFrom(c) == nil {
				t.Errorf("leaf is self-signed")
			}
			if string(c.AuthorityKeyId) != string(iss.Certificate.SubjectKeyId) {
				t.Errorf("AKI %x, want issuer SKI %x", c.AuthorityKeyId, iss.Certificate.SubjectKeyId)
			}
			if err := c.CheckSignatureFrom(iss.Certificate); err != nil {
				t.Errorf("signature by issuer: %v", err)
			}
			if !iss.Certificate.Equal(e.Anchor) {
				t.Errorf("anchor is not the issuer's certificate")
			}
			if c.NotAfter.After(iss.Certificate.NotAfter) {
				t.Errorf("leaf outlives its issuer")
			}
			if len(e.Chain) != 1 || !e.Chain[0].Equal(c) {
				t.Errorf("chain has %d certificates, want the leaf alone", len(e.Chain))
			}
			for _, x := range e.Chain {
				if x.Equal(e.Anchor) || string(x.RawIssuer) == string(x.RawSubject) {
					t.Errorf("chain includes the anchor or a self-issued certificate")
				}
			}
		})
	}
}
