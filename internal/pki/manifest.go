package pki

import (
	"bytes"
	"encoding/json"
	"slices"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
)

// ManifestFile is the name of the manifest at the top of a PKI directory.
const ManifestFile = "pki.json"

// ManifestVersion is the manifest format written by Init and the only one Load accepts.
const ManifestVersion = 1

// Role says what an entity's certificate is for.
type Role string

// The roles of the pilot PKI. Entity ids are the jurisdiction id for signers and CAs,
// TLSCAID for the demo TLS CA, and the configured id for universities, verifiers and hosts.
const (
	// RoleLOTLSigner: self-signed signer of the pilot list of trusted lists (EU LOTL
	// stand-in); EKU id-tsl-kp-tslSigning, keyUsage digitalSignature+nonRepudiation.
	RoleLOTLSigner Role = "lotl-signer"
	// RoleTLSigner: self-signed trusted-list (or LoTE) signer of a scheme operator; same
	// profile as RoleLOTLSigner.
	RoleTLSigner Role = "tl-signer"
	// RoleSealCA: root CA issuing university seal certificates; the certificate a trusted
	// list publishes as the service's digital identity.
	RoleSealCA Role = "seal-ca"
	// RoleAccessCA: root CA issuing relying-party access certificates (a WRPAC provider).
	RoleAccessCA Role = "access-ca"
	// RoleTLSCA: root CA of the demo TLS certificates, name-constrained to the hosts.
	RoleTLSCA Role = "tls-ca"
	// RoleSeal: a university's seal certificate (signs SD-JWT VCs, status lists).
	RoleSeal Role = "seal"
	// RoleAccess: a verifier's access certificate (signs OpenID4VP request objects).
	RoleAccess Role = "access"
	// RoleTLS: a demo host's TLS server certificate.
	RoleTLS Role = "tls"
)

// TLSCAID is the entity id of the demo TLS CA.
const TLSCAID = "demo"

// Ref names an entity by role and id.
type Ref struct {
	Role Role   `json:"role"`
	ID   string `json:"id"`
}

// Manifest describes a PKI directory; it holds no secrets. It is written to ManifestFile.
type Manifest struct {
	Version  int          `json:"version"`
	Created  time.Time    `json:"created"`
	Config   Config       `json:"config"`
	Entities []EntityInfo `json:"entities"`
}

// Files are the paths of an entity's files, relative to the PKI directory, with '/'.
// Chain and CA are empty for self-signed entities.
type Files struct {
	Cert   string `json:"cert"`            // the certificate (PEM)
	Chain  string `json:"chain,omitempty"` // certificate and intermediates, without the anchor (PEM)
	CA     string `json:"ca,omitempty"`    // the trust anchor that issued the chain (PEM)
	Key    string `json:"key"`             // PKCS#8 private key (PEM), mode 0600
	KeyJWK string `json:"key_jwk"`         // private JWK with kid, mode 0600
	PubJWK string `json:"pub_jwk"`         // public JWK with kid, alg ES256, use sig
}

// EntityInfo is the manifest entry of one entity.
type EntityInfo struct {
	Role         Role   `json:"role"`
	Jurisdiction string `json:"jurisdiction,omitempty"` // empty for the demo TLS CA and hosts
	ID           string `json:"id"`
	Dir          string `json:"dir"`                 // entity directory, relative, with '/'
	IssuedBy     *Ref   `json:"issued_by,omitempty"` // nil when self-signed

	Subject                string    `json:"subject"`       // RFC 4514 string
	Issuer                 string    `json:"issuer"`        // RFC 4514 string
	SerialNumber           string    `json:"serial_number"` // lower-case hex
	NotBefore              time.Time `json:"not_before"`
	NotAfter               time.Time `json:"not_after"`
	OrganizationIdentifier string    `json:"organization_identifier,omitempty"`
	DNSNames               []string  `json:"dns_names,omitempty"`
	IPAddresses            []string  `json:"ip_addresses,omitempty"`
	URIs                   []string  `json:"uris,omitempty"`

	// CertSHA256 is the lower-case hex SHA-256 of the certificate's DER.
	CertSHA256 string `json:"cert_sha256"`
	// X509Hash is base64url(SHA-256(DER)), the OpenID4VP "x509_hash" client id value.
	X509Hash string `json:"x509_hash"`
	// KeyID is the RFC 7638 JWK thumbprint of the public key, the "kid" of both JWK files.
	KeyID string `json:"kid"`
	// SubjectKeyID and AuthorityKeyID are lower-case hex; AuthorityKeyID is empty when
	// self-signed.
	SubjectKeyID   string `json:"subject_key_id"`
	AuthorityKeyID string `json:"authority_key_id,omitempty"`

	Files Files `json:"files"`
}

// Ref returns the entity's role and id.
func (e EntityInfo) Ref() Ref { return Ref{Role: e.Role, ID: e.ID} }

// Entity returns the manifest entry with the given role and id.
func (m *Manifest) Entity(role Role, id string) (EntityInfo, bool) {
	for _, e := range m.Entities {
		if e.Role == role && e.ID == id {
			return e, true
		}
	}
	return EntityInfo{}, false
}

// ParseManifest decodes a pki.json strictly (size limit, no duplicate or unknown members)
// and checks it against its own Config: the version, Config.Validate, and that the entity
// list is exactly the one Init makes for that Config (same roles, ids, directories, file
// names and issuers). It does not read the files the manifest names; Load does.
func ParseManifest(b []byte) (*Manifest, error) {
	if len(b) > maxManifestSize {
		return nil, errorf(CodeCorrupt, nil, "%s larger than %d bytes", ManifestFile, maxManifestSize)
	}
	if err := jose.CheckJSON(b); err != nil {
		return nil, errorf(CodeCorrupt, err, "%s", ManifestFile)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, errorf(CodeCorrupt, err, "%s", ManifestFile)
	}
	if m.Version != ManifestVersion {
		return nil, errorf(CodeCorrupt, nil, "%s: version %d, want %d", ManifestFile, m.Version, ManifestVersion)
	}
	if err := m.Config.Validate(); err != nil {
		return nil, errorf(CodeCorrupt, err, "%s: config", ManifestFile)
	}
	want := plan(m.Config)
	got := make(map[Ref]EntityInfo, len(m.Entities))
	for _, e := range m.Entities {
		if _, dup := got[e.Ref()]; dup {
			return nil, errorf(CodeCorrupt, nil, "%s: entity %s/%s listed twice", ManifestFile, e.Role, e.ID)
		}
		got[e.Ref()] = e
	}
	for _, s := range want {
		e, ok := got[s.ref()]
		if !ok {
			return nil, errorf(CodeIncomplete, nil, "%s: entity %s/%s is missing", ManifestFile, s.role, s.id)
		}
		if e.Jurisdiction != s.jurisdiction || e.Dir != s.dir || e.Files != s.files() || !equalRef(e.IssuedBy, s.issuer) {
			return nil, errorf(CodeCorrupt, nil, "%s: entity %s/%s does not have the expected layout", ManifestFile, s.role, s.id)
		}
		delete(got, s.ref())
	}
	if len(got) > 0 {
		extra := make([]string, 0, len(got))
		for r := range got {
			extra = append(extra, string(r.Role)+"/"+r.ID)
		}
		slices.Sort(extra)
		return nil, errorf(CodeCorrupt, nil, "%s: unexpected entity %s", ManifestFile, extra[0])
	}
	return &m, nil
}

func equalRef(a, b *Ref) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
