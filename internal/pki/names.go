package pki

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
)

// SelfSigned reports whether the certificate is its own issuer: the same issuer and subject
// name, and either a signature that verifies with its own key or no authority key
// identifier other than its own. (crypto/x509's CheckSignatureFrom refuses any parent that
// is not a CA, so it misses a self-signed end-entity certificate.)
func SelfSigned(cert *x509.Certificate) bool {
	if !bytes.Equal(cert.RawIssuer, cert.RawSubject) {
		return false
	}
	return len(cert.AuthorityKeyId) == 0 || bytes.Equal(cert.AuthorityKeyId, cert.SubjectKeyId) ||
		cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature) == nil
}

// NamesIssuer reports whether the certificate names the credential issuer iss (SD-JWT VC:
// the issuer is the subject of the end-entity certificate): a URI SAN equal to iss, or, for
// an https iss, a dNSName SAN equal to its host.
func NamesIssuer(cert *x509.Certificate, iss string) bool {
	for _, u := range cert.URIs {
		if u.String() == iss {
			return true
		}
	}
	u, err := url.Parse(iss)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		return false
	}
	host := u.Hostname()
	for _, d := range cert.DNSNames {
		if strings.EqualFold(d, host) {
			return true
		}
	}
	return false
}

// attributeNames are the RFC 4514 short names used in manifest subjects.
var attributeNames = map[string]string{
	"2.5.4.3":  "CN",
	"2.5.4.6":  "C",
	"2.5.4.7":  "L",
	"2.5.4.8":  "ST",
	"2.5.4.10": "O",
	"2.5.4.11": "OU",
	"2.5.4.5":  "serialNumber",
	"2.5.4.97": "organizationIdentifier",
}

// NameString renders a certificate name for people: pkix.Name.String, except that
// organizationIdentifier (2.5.4.97, e.g. NTRJP-…, the identifier EU and Japanese seals
// carry), which that prints as an OID and hex-encoded DER, reads as its name and text.
func NameString(n pkix.Name) string {
	s := n.String()
	for _, a := range n.Names {
		v, ok := a.Value.(string)
		if !ok || !a.Type.Equal(oidOrganizationIdentifier) {
			continue
		}
		der, err := asn1.Marshal(v) // what pkix.Name.String hex-encodes
		if err != nil {
			continue
		}
		s = strings.Replace(s, a.Type.String()+"=#"+hex.EncodeToString(der), "organizationIdentifier="+escapeValue(v), 1)
	}
	return s
}

// formatName renders parsed name attributes (in certificate order) as an RFC 4514 string
// (most specific first), with readable names for organizationIdentifier.
func formatName(names []pkix.AttributeTypeAndValue) string {
	parts := make([]string, 0, len(names))
	for i := len(names) - 1; i >= 0; i-- {
		a := names[i]
		t, ok := attributeNames[a.Type.String()]
		if !ok {
			t = a.Type.String()
		}
		parts = append(parts, t+"="+escapeValue(fmt.Sprint(a.Value)))
	}
	return strings.Join(parts, ",")
}

// escapeValue escapes an attribute value per RFC 4514 §2.4.
func escapeValue(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == ',' || r == '+' || r == '"' || r == '\\' || r == '<' || r == '>' || r == ';' || r == '=':
			b.WriteByte('\\')
		case i == 0 && (r == ' ' || r == '#'):
			b.WriteByte('\\')
		case i == len(s)-1 && r == ' ':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
