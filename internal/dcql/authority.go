package dcql

import (
	"crypto/x509"
	"encoding/base64"
)

// AKIValue returns the trusted_authorities value of type "aki" for a certificate key
// identifier: base64url without padding (OpenID4VP 1.0 §6.1.1.1). A verifier passes the
// SubjectKeyId of each CA it accepts as issuer of the issuers' certificates.
func AKIValue(keyID []byte) string { return base64.RawURLEncoding.EncodeToString(keyID) }

// AuthorityKeyIDs returns the AuthorityKeyIdentifier KeyIdentifiers of the certificates of
// chain that have one, for Credential.AuthorityKeyIDs.
func AuthorityKeyIDs(chain []*x509.Certificate) [][]byte {
	var out [][]byte
	for _, c := range chain {
		if c != nil && len(c.AuthorityKeyId) > 0 {
			out = append(out, c.AuthorityKeyId)
		}
	}
	return out
}
