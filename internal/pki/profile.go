package pki

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"net"
	"net/url"
	"path"
	"time"
)

// Certificate profile constants.
var (
	// oidTSLSigning is id-tsl-kp-tslSigning (ETSI TS 119 612 Annex C / §5.7.1): the extended
	// key usage of trusted-list signer certificates.
	oidTSLSigning = asn1.ObjectIdentifier{0, 4, 0, 2231, 3, 0}
	// oidOrganizationIdentifier is X.520 organizationIdentifier (2.5.4.97), carrying the
	// ETSI EN 319 412-1 §5.1.4 semantics identifier.
	oidOrganizationIdentifier = asn1.ObjectIdentifier{2, 5, 4, 97}
)

// Validity periods. NotBefore is backdated by backdate to tolerate clock skew; an issued
// certificate never outlives its issuer.
const (
	backdate        = 5 * time.Minute
	caYears         = 10 // seal, access and TLS CAs
	signerYears     = 5  // trusted-list and LOTL signers
	leafYears       = 2  // seal, access and TLS certificates
	lotlCountry     = "EU"
	tlsCAOrg        = "hashi demo"
	tlsCACommonName = "hashi Demo TLS CA"
)

// spec is one entity Init makes for a Config.
type spec struct {
	role         Role
	jurisdiction string
	id           string
	dir          string // relative, '/'-separated
	issuer       *Ref   // nil: self-signed

	j *Jurisdiction
	u *University
	v *Verifier
	h *TLSHost
}

func (s spec) ref() Ref { return Ref{Role: s.role, ID: s.id} }

// files returns the file layout of the entity.
func (s spec) files() Files {
	f := Files{
		Cert:   path.Join(s.dir, "cert.pem"),
		Key:    path.Join(s.dir, "key.pem"),
		KeyJWK: path.Join(s.dir, "key.jwk.json"),
		PubJWK: path.Join(s.dir, "pub.jwk.json"),
	}
	if s.issuer != nil {
		f.Chain = path.Join(s.dir, "chain.pem")
		f.CA = path.Join(s.dir, "ca.pem")
	}
	return f
}

// plan lists the entities of a valid Config, issuers before what they issue:
//
//	<j>/lotl-signer  <j>/tl-signer  <j>/seal-ca  <j>/access-ca      per jurisdiction
//	tls/ca                                                          when there are TLS hosts
//	<j>/universities/<id>  <j>/verifiers/<id>  tls/hosts/<id>
func plan(cfg Config) []spec {
	var out []spec
	for i := range cfg.Jurisdictions {
		j := &cfg.Jurisdictions[i]
		if j.LOTLOperator != "" {
			out = append(out, spec{role: RoleLOTLSigner, jurisdiction: j.ID, id: j.ID, dir: j.ID + "/lotl-signer", j: j})
		}
		out = append(out,
			spec{role: RoleTLSigner, jurisdiction: j.ID, id: j.ID, dir: j.ID + "/tl-signer", j: j},
			spec{role: RoleSealCA, jurisdiction: j.ID, id: j.ID, dir: j.ID + "/seal-ca", j: j},
			spec{role: RoleAccessCA, jurisdiction: j.ID, id: j.ID, dir: j.ID + "/access-ca", j: j},
		)
	}
	if len(cfg.TLSHosts) > 0 {
		out = append(out, spec{role: RoleTLSCA, id: TLSCAID, dir: reservedTLSDir + "/ca"})
	}
	for i := range cfg.Universities {
		u := &cfg.Universities[i]
		out = append(out, spec{role: RoleSeal, jurisdiction: u.Jurisdiction, id: u.ID,
			dir: u.Jurisdiction + "/universities/" + u.ID, issuer: &Ref{Role: RoleSealCA, ID: u.Jurisdiction}, u: u})
	}
	for i := range cfg.Verifiers {
		v := &cfg.Verifiers[i]
		out = append(out, spec{role: RoleAccess, jurisdiction: v.Jurisdiction, id: v.ID,
			dir: v.Jurisdiction + "/verifiers/" + v.ID, issuer: &Ref{Role: RoleAccessCA, ID: v.Jurisdiction}, v: v})
	}
	for i := range cfg.TLSHosts {
		h := &cfg.TLSHosts[i]
		out = append(out, spec{role: RoleTLS, id: h.ID,
			dir: reservedTLSDir + "/hosts/" + h.ID, issuer: &Ref{Role: RoleTLSCA, ID: TLSCAID}, h: h})
	}
	return out
}

func attr(t asn1.ObjectIdentifier, v string) pkix.AttributeTypeAndValue {
	return pkix.AttributeTypeAndValue{Type: t, Value: v}
}

func orDefault(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

// template returns the certificate profile of s, without serial number, validity and key
// identifiers (Init adds them) — everything Load compares against the certificate.
func (s spec) template(cfg Config) *x509.Certificate {
	t := &x509.Certificate{BasicConstraintsValid: true}
	switch s.role {
	case RoleLOTLSigner, RoleTLSigner:
		if s.role == RoleLOTLSigner {
			t.Subject = pkix.Name{Country: []string{lotlCountry}, Organization: []string{s.j.LOTLOperator},
				CommonName: "Pilot EU LOTL Signer"}
		} else {
			t.Subject = pkix.Name{Country: []string{s.j.Country}, Organization: []string{s.j.SchemeOperator},
				CommonName: "Pilot " + s.j.Country + " Trusted List Signer"}
		}
		t.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
		t.UnknownExtKeyUsage = []asn1.ObjectIdentifier{oidTSLSigning}
	case RoleSealCA, RoleAccessCA:
		cn := "Pilot " + s.j.Country + " Seal CA"
		if s.role == RoleAccessCA {
			cn = "Pilot " + s.j.Country + " Relying Party Access CA"
		}
		t.Subject = pkix.Name{Country: []string{s.j.Country}, Organization: []string{s.j.TrustServiceProvider}, CommonName: cn}
		caProfile(t)
	case RoleTLSCA:
		t.Subject = pkix.Name{Organization: []string{tlsCAOrg}, CommonName: tlsCACommonName}
		caProfile(t)
		// Name constraints keep the demo CA from vouching for any other host, should someone
		// add it to a browser's trust store.
		t.PermittedDNSDomainsCritical = true
		seen := map[string]bool{}
		for _, h := range cfg.TLSHosts {
			for _, d := range h.DNSNames {
				if !seen[d] {
					seen[d] = true
					t.PermittedDNSDomains = append(t.PermittedDNSDomains, d)
				}
			}
			for _, a := range h.IPAddresses {
				if !seen[a.String()] {
					seen[a.String()] = true
					t.PermittedIPRanges = append(t.PermittedIPRanges, &net.IPNet{
						IP: net.IP(a.AsSlice()), Mask: net.CIDRMask(a.BitLen(), a.BitLen())})
				}
			}
		}
	case RoleSeal:
		u := s.u
		t.Subject = pkix.Name{Country: []string{u.Country}, Organization: []string{orDefault(u.LegalName, u.Name.EN)},
			CommonName: u.Name.EN,
			ExtraNames: []pkix.AttributeTypeAndValue{attr(oidOrganizationIdentifier, u.OrganizationIdentifier)}}
		t.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
		iss, _ := url.Parse(u.IssuerURL) // checked by Config.Validate
		t.URIs = []*url.URL{iss}
	case RoleAccess:
		v := s.v
		t.Subject = pkix.Name{Country: []string{v.Country}, Organization: []string{orDefault(v.LegalName, v.Name.EN)},
			CommonName: v.DNSName}
		if v.OrganizationIdentifier != "" {
			t.Subject.ExtraNames = []pkix.AttributeTypeAndValue{attr(oidOrganizationIdentifier, v.OrganizationIdentifier)}
		}
		t.KeyUsage = x509.KeyUsageDigitalSignature
		t.DNSNames = []string{v.DNSName}
	case RoleTLS:
		h := s.h
		t.DNSNames = append([]string(nil), h.DNSNames...)
		for _, a := range h.IPAddresses {
			t.IPAddresses = append(t.IPAddresses, net.IP(a.AsSlice()))
		}
		cn := ""
		if len(h.DNSNames) > 0 {
			cn = h.DNSNames[0]
		} else {
			cn = h.IPAddresses[0].String()
		}
		t.Subject = pkix.Name{CommonName: cn}
		t.KeyUsage = x509.KeyUsageDigitalSignature
		t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	return t
}

func caProfile(t *x509.Certificate) {
	t.IsCA = true
	t.MaxPathLen = 0
	t.MaxPathLenZero = true
	t.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
}

// validity returns NotBefore and NotAfter for s at now; issuerNotAfter caps issued
// certificates.
func (s spec) validity(now time.Time, issuerNotAfter time.Time) (time.Time, time.Time) {
	now = now.UTC().Truncate(time.Second)
	nb := now.Add(-backdate)
	var na time.Time
	switch s.role {
	case RoleSealCA, RoleAccessCA, RoleTLSCA:
		na = now.AddDate(caYears, 0, 0)
	case RoleLOTLSigner, RoleTLSigner:
		na = now.AddDate(signerYears, 0, 0)
	default:
		na = now.AddDate(leafYears, 0, 0)
	}
	if s.issuer != nil && na.After(issuerNotAfter) {
		na = issuerNotAfter
	}
	return nb, na
}
