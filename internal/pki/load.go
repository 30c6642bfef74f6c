package pki

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"

	"github.com/hashi-vc/hashi/internal/jose"
)

// PKI is a pilot PKI loaded by Load: every entity's certificate, chain and private key.
// Its String and LogValue never show keys.
type PKI struct {
	// Dir is the absolute directory the PKI was loaded from.
	Dir string
	// Manifest is the parsed pki.json.
	Manifest *Manifest

	entities []*Entity
	index    map[Ref]*Entity
}

// Entity is one loaded entity. The private key is reachable only through Signer; String
// and LogValue redact it.
type Entity struct {
	// Info is the entity's manifest entry.
	Info EntityInfo
	// Certificate is the entity's certificate (cert.pem).
	Certificate *x509.Certificate
	// Chain is the certificate followed by its intermediates, without the trust anchor
	// (chain.pem): what goes into an "x5c" header. Nil for self-signed entities.
	Chain []*x509.Certificate
	// Anchor is the trust anchor that issued Chain (ca.pem). Nil for self-signed entities,
	// which are anchors themselves.
	Anchor *x509.Certificate

	key crypto.Signer
}

// Signer returns the entity's private key (ECDSA P-256).
func (e *Entity) Signer() crypto.Signer { return e.key }

// TLSCertificate returns the certificate chain (anchor excluded) and key in the form
// crypto/tls serves them.
func (e *Entity) TLSCertificate() tls.Certificate {
	chain := e.Chain
	if chain == nil {
		chain = []*x509.Certificate{e.Certificate}
	}
	c := tls.Certificate{PrivateKey: e.key, Leaf: e.Certificate}
	for _, x := range chain {
		c.Certificate = append(c.Certificate, x.Raw)
	}
	return c
}

// String describes the entity without its key.
func (e Entity) String() string {
	return "pki.Entity{" + string(e.Info.Role) + "/" + e.Info.ID + " " + e.Info.Subject + " kid=" + e.Info.KeyID + " key=[redacted]}"
}

// GoString describes the entity for %#v without its key.
func (e Entity) GoString() string { return e.String() }

// LogValue describes the entity for slog without its key.
func (e Entity) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("role", string(e.Info.Role)),
		slog.String("id", e.Info.ID),
		slog.String("subject", e.Info.Subject),
		slog.String("kid", e.Info.KeyID),
		slog.String("key", "[redacted]"),
	)
}

// Entity returns the entity with the given role and id, or an error with CodeNotFound.
func (p *PKI) Entity(role Role, id string) (*Entity, error) {
	if e, ok := p.index[Ref{Role: role, ID: id}]; ok {
		return e, nil
	}
	return nil, errorf(CodeNotFound, nil, "no entity %s/%s", role, id)
}

// Entities returns all entities, issuers before what they issue.
func (p *PKI) Entities() []*Entity { return slices.Clone(p.entities) }

// String describes the PKI without keys.
func (p PKI) String() string {
	return "pki.PKI{dir=" + p.Dir + " entities=" + itoa(len(p.entities)) + " keys=[redacted]}"
}

// GoString describes the PKI for %#v without keys.
func (p PKI) GoString() string { return p.String() }

// LogValue describes the PKI for slog without keys.
func (p PKI) LogValue() slog.Value {
	return slog.GroupValue(slog.String("dir", p.Dir), slog.Int("entities", len(p.entities)), slog.String("keys", "[redacted]"))
}

// Load reads the PKI in dir and checks it, failing closed on anything unexpected:
//   - pki.json: as ParseManifest (strict JSON, entity list exactly as Init makes it for
//     the manifest's own Config), missing → CodeIncomplete;
//   - every file of every entity is present (CodeIncomplete) and parses (CodeCorrupt);
//   - each certificate has the manifest's SHA-256 and is described exactly by its
//     manifest entry, and has the profile of its role (subject, SANs, key usages, CA
//     constraints) for the manifest's Config;
//   - key.pem (PKCS#8), key.jwk.json and pub.jwk.json hold the certificate's P-256 key,
//     and both JWKs carry kid = the RFC 7638 thumbprint;
//   - key files are not accessible by group or others (CodeInsecurePermissions);
//   - self-signed certificates verify with their own key; chain.pem starts with the
//     certificate and, with ca.pem, links by signature to the issuer entity's certificate.
//
// Load does not check validity periods (it takes no time; Init does) or revocation.
func Load(dir string) (*PKI, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, errorf(CodeIO, err, "directory %s", dir)
	}
	b, err := readFile(abs, ManifestFile, maxManifestSize)
	if err != nil {
		return nil, err
	}
	m, err := ParseManifest(b)
	if err != nil {
		return nil, err
	}
	p := &PKI{Dir: abs, Manifest: m, index: map[Ref]*Entity{}}
	specs := plan(m.Config)
	for _, s := range specs {
		info, _ := m.Entity(s.role, s.id) // present: ParseManifest checked
		e, err := loadEntity(abs, m.Config, s, info)
		if err != nil {
			return nil, err
		}
		p.entities = append(p.entities, e)
		p.index[s.ref()] = e
	}
	for _, s := range specs {
		if s.issuer == nil {
			continue
		}
		if err := link(p.index[s.ref()], p.index[*s.issuer]); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func loadEntity(root string, cfg Config, s spec, info EntityInfo) (*Entity, error) {
	name := string(s.role) + "/" + s.id
	f := s.files()
	certs, err := readCerts(root, f.Cert, 1)
	if err != nil {
		return nil, err
	}
	cert := certs[0]
	sum := sha256.Sum256(cert.Raw)
	if hex.EncodeToString(sum[:]) != info.CertSHA256 {
		return nil, errorf(CodeCorrupt, nil, "%s: %s does not have the manifest's SHA-256", name, f.Cert)
	}
	got, err := describe(s, cert)
	if err != nil {
		return nil, err
	}
	if !sameJSON(got, info) {
		return nil, errorf(CodeCorrupt, nil, "%s: manifest entry does not describe %s", name, f.Cert)
	}
	if err := checkProfile(s.template(cfg), cert); err != nil {
		return nil, errorf(CodeCorrupt, err, "%s: %s", name, f.Cert)
	}
	e := &Entity{Info: info, Certificate: cert}
	if e.key, err = readKeys(root, f, info.KeyID, cert); err != nil {
		return nil, err
	}
	if s.issuer == nil {
		if !bytes.Equal(cert.RawIssuer, cert.RawSubject) {
			return nil, errorf(CodeCorrupt, nil, "%s: %s is not self-issued", name, f.Cert)
		}
		if err := cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature); err != nil {
			return nil, errorf(CodeCorrupt, err, "%s: %s self-signature", name, f.Cert)
		}
		return e, nil
	}
	if e.Chain, err = readCerts(root, f.Chain, maxChainLength); err != nil {
		return nil, err
	}
	if !bytes.Equal(e.Chain[0].Raw, cert.Raw) {
		return nil, errorf(CodeCorrupt, nil, "%s: %s does not start with %s", name, f.Chain, f.Cert)
	}
	anchors, err := readCerts(root, f.CA, 1)
	if err != nil {
		return nil, err
	}
	if len(anchors) != 1 {
		return nil, errorf(CodeCorrupt, nil, "%s: %s holds %d certificates, want 1", name, f.CA, len(anchors))
	}
	e.Anchor = anchors[0]
	return e, nil
}

// link checks that e's chain and anchor are its issuer's and that the signatures hold.
func link(e, issuer *Entity) error {
	name := string(e.Info.Role) + "/" + e.Info.ID
	wantAnchor, wantRest := issuer.Anchor, issuer.Chain
	if wantAnchor == nil { // the issuer is a root
		wantAnchor, wantRest = issuer.Certificate, nil
	}
	if !bytes.Equal(e.Anchor.Raw, wantAnchor.Raw) {
		return errorf(CodeCorrupt, nil, "%s: %s is not the certificate of %s/%s", name, e.Info.Files.CA, issuer.Info.Role, issuer.Info.ID)
	}
	rest := e.Chain[1:]
	if len(rest) != len(wantRest) {
		return errorf(CodeCorrupt, nil, "%s: %s has %d certificates, want %d", name, e.Info.Files.Chain, len(e.Chain), len(wantRest)+1)
	}
	for i := range rest {
		if !bytes.Equal(rest[i].Raw, wantRest[i].Raw) {
			return errorf(CodeCorrupt, nil, "%s: %s holds a foreign intermediate", name, e.Info.Files.Chain)
		}
	}
	for i, c := range e.Chain {
		next := e.Anchor
		if i+1 < len(e.Chain) {
			next = e.Chain[i+1]
		}
		if err := c.CheckSignatureFrom(next); err != nil {
			return errorf(CodeCorrupt, err, "%s: chain signature %d", name, i)
		}
	}
	return nil
}

// checkProfile compares the parts of cert that its role's profile fixes.
func checkProfile(t, cert *x509.Certificate) error {
	subj, err := asn1.Marshal(t.Subject.ToRDNSequence())
	if err != nil {
		return err
	}
	var ips []string
	for _, ip := range t.IPAddresses {
		ips = append(ips, ip.String())
	}
	var certIPs []string
	for _, ip := range cert.IPAddresses {
		certIPs = append(certIPs, ip.String())
	}
	var uris, certURIs []string
	for _, u := range t.URIs {
		uris = append(uris, u.String())
	}
	for _, u := range cert.URIs {
		certURIs = append(certURIs, u.String())
	}
	var ranges, certRanges []string
	for _, r := range t.PermittedIPRanges {
		ranges = append(ranges, r.String())
	}
	for _, r := range cert.PermittedIPRanges {
		certRanges = append(certRanges, r.String())
	}
	switch {
	case !bytes.Equal(subj, cert.RawSubject):
		return errors.New("subject differs from the configuration")
	case !slices.Equal(t.DNSNames, cert.DNSNames), !slices.Equal(ips, certIPs), !slices.Equal(uris, certURIs):
		return errors.New("subject alternative names differ from the configuration")
	case t.KeyUsage != cert.KeyUsage, !slices.Equal(t.ExtKeyUsage, cert.ExtKeyUsage),
		!slices.EqualFunc(t.UnknownExtKeyUsage, cert.UnknownExtKeyUsage, asn1.ObjectIdentifier.Equal):
		return errors.New("key usages differ from the profile")
	case !cert.BasicConstraintsValid, t.IsCA != cert.IsCA, t.IsCA && (cert.MaxPathLen != 0 || !cert.MaxPathLenZero):
		return errors.New("basic constraints differ from the profile")
	case !slices.Equal(t.PermittedDNSDomains, cert.PermittedDNSDomains), !slices.Equal(ranges, certRanges):
		return errors.New("name constraints differ from the configuration")
	case len(cert.SubjectKeyId) == 0:
		return errors.New("no subject key identifier")
	}
	if pub, ok := cert.PublicKey.(*ecdsa.PublicKey); !ok || pub.Curve != elliptic.P256() {
		return errors.New("key is not ECDSA P-256")
	}
	return nil
}

// readKeys reads key.pem, key.jwk.json and pub.jwk.json and checks they hold cert's key.
func readKeys(root string, f Files, kid string, cert *x509.Certificate) (crypto.Signer, error) {
	certPub, _ := cert.PublicKey.(*ecdsa.PublicKey) // checked by checkProfile
	b, err := readSecret(root, f.Key)
	if err != nil {
		return nil, err
	}
	block, rest, ok := nextPEM(b)
	if !ok || block == nil || block.Type != "PRIVATE KEY" || len(block.Headers) != 0 || len(bytes.TrimSpace(rest)) != 0 {
		return nil, errorf(CodeCorrupt, nil, "%s: want exactly one PRIVATE KEY PEM block", f.Key)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, errorf(CodeCorrupt, err, "%s", f.Key)
	}
	key, ok := k.(*ecdsa.PrivateKey)
	if !ok || !key.PublicKey.Equal(certPub) {
		return nil, errorf(CodeCorrupt, nil, "%s does not hold the key of %s", f.Key, f.Cert)
	}
	if b, err = readSecret(root, f.KeyJWK); err != nil {
		return nil, err
	}
	jk, err := jose.ParsePrivateJWK(b)
	if err != nil {
		return nil, errorf(CodeCorrupt, err, "%s", f.KeyJWK)
	}
	if jkey, ok := jk.(*ecdsa.PrivateKey); !ok || !jkey.Equal(key) {
		return nil, errorf(CodeCorrupt, nil, "%s does not hold the key of %s", f.KeyJWK, f.Key)
	}
	var members struct {
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(b, &members); err != nil || members.Kid != kid {
		return nil, errorf(CodeCorrupt, err, "%s: kid is not the key's thumbprint", f.KeyJWK)
	}
	if b, err = readFile(root, f.PubJWK, maxFileSize); err != nil {
		return nil, err
	}
	keys, err := jose.ParseKeys(b)
	if err != nil {
		return nil, errorf(CodeCorrupt, err, "%s", f.PubJWK)
	}
	if len(keys) != 1 || keys[0].Kid != kid || !certPub.Equal(keys[0].Key) {
		return nil, errorf(CodeCorrupt, nil, "%s does not hold the key of %s with its thumbprint as kid", f.PubJWK, f.Cert)
	}
	return key, nil
}

// readSecret reads a private-key file after checking that only its owner may use it.
func readSecret(root, rel string) ([]byte, error) {
	fi, err := os.Stat(filepath.Join(root, filepath.FromSlash(rel)))
	if err == nil && fi.Mode().Perm()&0o077 != 0 {
		return nil, errorf(CodeInsecurePermissions, nil, "%s has mode %04o; private keys must be 0600", rel, fi.Mode().Perm())
	}
	return readFile(root, rel, maxFileSize)
}

// readFile reads a regular file of at most limit bytes.
func readFile(root, rel string, limit int64) ([]byte, error) {
	name := filepath.Join(root, filepath.FromSlash(rel))
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errorf(CodeIncomplete, nil, "%s is missing in %s", rel, root)
	}
	if err != nil {
		return nil, errorf(CodeIO, err, "open %s", name)
	}
	defer func() { _ = f.Close() }()
	fi, err := f.Stat()
	if err != nil {
		return nil, errorf(CodeIO, err, "stat %s", name)
	}
	if !fi.Mode().IsRegular() {
		return nil, errorf(CodeCorrupt, nil, "%s is not a regular file", rel)
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, errorf(CodeIO, err, "read %s", name)
	}
	if int64(len(b)) > limit {
		return nil, errorf(CodeCorrupt, nil, "%s is larger than %d bytes", rel, limit)
	}
	return b, nil
}

// readCerts reads a PEM file of 1 to limit CERTIFICATE blocks and nothing else.
func readCerts(root, rel string, limit int) ([]*x509.Certificate, error) {
	b, err := readFile(root, rel, maxFileSize)
	if err != nil {
		return nil, err
	}
	var out []*x509.Certificate
	for {
		block, rest, ok := nextPEM(b)
		if !ok {
			return nil, errorf(CodeCorrupt, nil, "%s: data outside PEM blocks", rel)
		}
		if block == nil {
			break
		}
		b = rest
		if block.Type != "CERTIFICATE" || len(block.Headers) != 0 {
			return nil, errorf(CodeCorrupt, nil, "%s: unexpected PEM block %q", rel, block.Type)
		}
		if len(out) == limit {
			return nil, errorf(CodeCorrupt, nil, "%s: more than %d certificates", rel, limit)
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, errorf(CodeCorrupt, err, "%s", rel)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errorf(CodeCorrupt, nil, "%s: no certificate", rel)
	}
	return out, nil
}

func sameJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

// nextPEM decodes the next PEM block of b, which may be preceded only by white space. It
// returns a nil block at the end of b, and ok false when anything else comes first.
func nextPEM(b []byte) (block *pem.Block, rest []byte, ok bool) {
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return nil, nil, true
	}
	if !bytes.HasPrefix(b, []byte("-----BEGIN ")) {
		return nil, nil, false
	}
	block, rest = pem.Decode(b)
	return block, rest, block != nil
}
