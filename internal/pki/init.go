package pki

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
)

// File and directory modes.
const (
	dirMode    = 0o700
	secretMode = 0o600
	publicMode = 0o644
)

// Init makes the pilot PKI for cfg under dir, or returns the one already there.
//
// When dir is missing or empty, Init validates cfg, generates every key and certificate
// (validity starting at now minus five minutes; CAs ten years, trusted-list signers five,
// other certificates two and never beyond their issuer), writes them into a staging
// directory beside dir and renames it to dir, so dir never holds half a PKI. Directories
// are mode 0700, private keys (key.pem, key.jwk.json) 0600.
//
// When dir already holds a PKI, Init loads and checks it like Load and returns its
// manifest unchanged, provided it was made for an identical cfg (else CodeMismatch) and
// every certificate is valid at now (else CodeExpired). A directory with files but no
// pki.json, or with missing or damaged files, is an error (CodeIncomplete, CodeCorrupt)
// naming what is wrong; Init never overwrites or deletes existing files.
//
// Init does not publish anything, sign trusted lists, or make CRLs or OCSP responders:
// pilot certificates are withdrawn by removing their CA from a trusted list.
func Init(dir string, cfg Config, now time.Time) (*Manifest, error) {
	if dir == "" {
		return nil, errorf(CodeInvalid, nil, "empty directory name")
	}
	if now.IsZero() {
		return nil, errorf(CodeInvalid, nil, "zero time")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, errorf(CodeIO, err, "directory %s", dir)
	}
	m, found, err := reuse(abs, cfg, now)
	if err != nil || found {
		return m, err
	}
	parent := filepath.Dir(abs)
	if err := os.MkdirAll(parent, dirMode); err != nil {
		return nil, errorf(CodeIO, err, "create %s", parent)
	}
	stage, err := os.MkdirTemp(parent, "."+filepath.Base(abs)+".tmp-")
	if err != nil {
		return nil, errorf(CodeIO, err, "create staging directory in %s", parent)
	}
	committed := false
	defer func() {
		if !committed {
			_ = os.RemoveAll(stage)
		}
	}()
	if err := os.Chmod(stage, dirMode); err != nil {
		return nil, errorf(CodeIO, err, "chmod %s", stage)
	}
	m, err = generate(stage, cfg, now)
	if err != nil {
		return nil, err
	}
	// An empty dir is replaced; os.Remove refuses a non-empty one, and Rename then fails.
	if fi, err := os.Lstat(abs); err == nil && fi.IsDir() {
		_ = os.Remove(abs)
	}
	if err := os.Rename(stage, abs); err != nil {
		// Another Init may have finished first; use its PKI if it is the same.
		if m2, found, err2 := reuse(abs, cfg, now); err2 == nil && found {
			return m2, nil
		}
		return nil, errorf(CodeIO, err, "move %s to %s", stage, abs)
	}
	committed = true
	syncDir(parent)
	return m, nil
}

// reuse reports whether dir already holds a PKI for cfg and returns its manifest.
func reuse(dir string, cfg Config, now time.Time) (*Manifest, bool, error) {
	fi, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, errorf(CodeIO, err, "stat %s", dir)
	}
	if !fi.IsDir() {
		return nil, false, errorf(CodeIO, nil, "%s is not a directory", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, false, errorf(CodeIO, err, "read %s", dir)
	}
	if len(entries) == 0 {
		return nil, false, nil
	}
	if _, err := os.Lstat(filepath.Join(dir, ManifestFile)); errors.Is(err, fs.ErrNotExist) {
		return nil, false, errorf(CodeIncomplete, nil,
			"%s is not empty but has no %s (an interrupted run or another directory); remove it or choose another", dir, ManifestFile)
	}
	p, err := Load(dir)
	if err != nil {
		return nil, false, err
	}
	if diff := configDiff(p.Manifest.Config, cfg); diff != "" {
		return nil, false, errorf(CodeMismatch, nil,
			"%s was generated for a different configuration (%s differ); remove it to generate a new PKI", dir, diff)
	}
	for _, e := range p.entities {
		c := e.Certificate
		if now.Before(c.NotBefore) || now.After(c.NotAfter) {
			return nil, false, errorf(CodeExpired, nil, "%s/%s: certificate valid from %s to %s, not at %s; remove %s to generate a new PKI",
				e.Info.Role, e.Info.ID, c.NotBefore.Format(time.RFC3339), c.NotAfter.Format(time.RFC3339), now.UTC().Format(time.RFC3339), dir)
		}
	}
	return p.Manifest, true, nil
}

// configDiff names the parts of two configurations that differ, comparing their JSON.
func configDiff(a, b Config) string {
	var diff []string
	part := func(name string, x, y any) {
		bx, _ := json.Marshal(x)
		by, _ := json.Marshal(y)
		if !bytes.Equal(bx, by) {
			diff = append(diff, name)
		}
	}
	part("jurisdictions", a.Jurisdictions, b.Jurisdictions)
	part("universities", a.Universities, b.Universities)
	part("verifiers", a.Verifiers, b.Verifiers)
	part("tls_hosts", a.TLSHosts, b.TLSHosts)
	return strings.Join(diff, ", ")
}

// issued is what generate keeps of an entity to issue or chain from it.
type issued struct {
	cert   *x509.Certificate
	key    crypto.Signer
	chain  []*x509.Certificate // cert and intermediates, anchor excluded (empty for a root)
	anchor *x509.Certificate
}

func generate(root string, cfg Config, now time.Time) (*Manifest, error) {
	m := &Manifest{Version: ManifestVersion, Created: now.UTC().Truncate(time.Second), Config: cfg}
	made := map[Ref]*issued{}
	for _, s := range plan(cfg) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, errorf(CodeIO, err, "generate key for %s/%s", s.role, s.id)
		}
		t := s.template(cfg)
		t.SerialNumber = serialNumber()
		ski, err := subjectKeyID(key.Public())
		if err != nil {
			return nil, err
		}
		t.SubjectKeyId = ski
		var parent *issued
		if s.issuer != nil {
			parent = made[*s.issuer]
			t.NotBefore, t.NotAfter = s.validity(now, parent.cert.NotAfter)
		} else {
			t.NotBefore, t.NotAfter = s.validity(now, time.Time{})
		}
		parentCert, parentKey := t, crypto.Signer(key)
		if parent != nil {
			parentCert, parentKey = parent.cert, parent.key
		}
		der, err := x509.CreateCertificate(rand.Reader, t, parentCert, key.Public(), parentKey)
		if err != nil {
			return nil, errorf(CodeInvalid, err, "create certificate %s/%s", s.role, s.id)
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, errorf(CodeCorrupt, err, "parse new certificate %s/%s", s.role, s.id)
		}
		it := &issued{cert: cert, key: key, anchor: cert}
		if parent != nil {
			it.chain = append([]*x509.Certificate{cert}, parent.chain...)
			it.anchor = parent.anchor
		}
		made[s.ref()] = it
		info, err := describe(s, cert)
		if err != nil {
			return nil, err
		}
		if err := writeEntity(root, s, it, info.KeyID); err != nil {
			return nil, err
		}
		m.Entities = append(m.Entities, info)
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, errorf(CodeInvalid, err, "encode %s", ManifestFile)
	}
	if err := writeFile(filepath.Join(root, ManifestFile), append(b, '\n'), publicMode); err != nil {
		return nil, err
	}
	syncDir(root)
	return m, nil
}

// serialNumber returns a random positive 128-bit serial number (RFC 5280 §4.1.2.2 allows
// up to 20 octets; CA/Browser Forum asks for at least 64 random bits).
func serialNumber() *big.Int {
	for {
		n := new(big.Int).SetBytes(randomBytes(16))
		if n.Sign() > 0 {
			return n
		}
	}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never returns an error (Go 1.24+)
	return b
}

// subjectKeyID derives a key identifier per RFC 7093 §2 method 1: the leftmost 160 bits of
// the SHA-256 of the subjectPublicKey bit string.
func subjectKeyID(pub crypto.PublicKey) ([]byte, error) {
	spki, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, errorf(CodeInvalid, err, "marshal public key")
	}
	var info struct {
		Algorithm asn1.RawValue
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(spki, &info); err != nil {
		return nil, errorf(CodeInvalid, err, "parse public key")
	}
	h := sha256.Sum256(info.PublicKey.Bytes)
	return h[:20], nil
}

// describe builds the manifest entry of a certificate.
func describe(s spec, cert *x509.Certificate) (EntityInfo, error) {
	kid, err := jose.Thumbprint(cert.PublicKey)
	if err != nil {
		return EntityInfo{}, errorf(CodeCorrupt, err, "%s/%s: thumbprint", s.role, s.id)
	}
	sum := sha256.Sum256(cert.Raw)
	info := EntityInfo{
		Role:           s.role,
		Jurisdiction:   s.jurisdiction,
		ID:             s.id,
		Dir:            s.dir,
		IssuedBy:       s.issuer,
		Subject:        formatName(cert.Subject.Names),
		Issuer:         formatName(cert.Issuer.Names),
		SerialNumber:   cert.SerialNumber.Text(16),
		NotBefore:      cert.NotBefore.UTC(),
		NotAfter:       cert.NotAfter.UTC(),
		DNSNames:       cert.DNSNames,
		CertSHA256:     hex.EncodeToString(sum[:]),
		X509Hash:       base64.RawURLEncoding.EncodeToString(sum[:]),
		KeyID:          kid,
		SubjectKeyID:   hex.EncodeToString(cert.SubjectKeyId),
		AuthorityKeyID: hex.EncodeToString(cert.AuthorityKeyId),
		Files:          s.files(),
	}
	info.OrganizationIdentifier, _ = OrganizationIdentifier(cert)
	for _, ip := range cert.IPAddresses {
		info.IPAddresses = append(info.IPAddresses, ip.String())
	}
	for _, u := range cert.URIs {
		info.URIs = append(info.URIs, u.String())
	}
	return info, nil
}

// OrganizationIdentifier returns the subject's organizationIdentifier (2.5.4.97) attribute
// of cert, if it has one.
func OrganizationIdentifier(cert *x509.Certificate) (string, bool) {
	for _, a := range cert.Subject.Names {
		if a.Type.Equal(oidOrganizationIdentifier) {
			s, ok := a.Value.(string)
			return s, ok
		}
	}
	return "", false
}

func writeEntity(root string, s spec, it *issued, kid string) error {
	dir := filepath.Join(root, filepath.FromSlash(s.dir))
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return errorf(CodeIO, err, "create %s", dir)
	}
	f := s.files()
	p := func(rel string) string { return filepath.Join(root, filepath.FromSlash(rel)) }
	if err := writeFile(p(f.Cert), encodeCerts(it.cert), publicMode); err != nil {
		return err
	}
	if s.issuer != nil {
		if err := writeFile(p(f.Chain), encodeCerts(it.chain...), publicMode); err != nil {
			return err
		}
		if err := writeFile(p(f.CA), encodeCerts(it.anchor), publicMode); err != nil {
			return err
		}
	}
	der, err := x509.MarshalPKCS8PrivateKey(it.key)
	if err != nil {
		return errorf(CodeInvalid, err, "%s/%s: encode key", s.role, s.id)
	}
	if err := writeFile(p(f.Key), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), secretMode); err != nil {
		return err
	}
	priv, err := jose.MarshalPrivateJWK(it.key, kid)
	if err != nil {
		return errorf(CodeInvalid, err, "%s/%s: private JWK", s.role, s.id)
	}
	if err := writeFile(p(f.KeyJWK), append(priv, '\n'), secretMode); err != nil {
		return err
	}
	pub, err := publicJWK(it.key.Public(), kid)
	if err != nil {
		return errorf(CodeInvalid, err, "%s/%s: public JWK", s.role, s.id)
	}
	return writeFile(p(f.PubJWK), append(pub, '\n'), publicMode)
}

// publicJWK is the public JWK with kid, "alg": "ES256" and "use": "sig".
func publicJWK(pub crypto.PublicKey, kid string) ([]byte, error) {
	m, err := jose.PublicJWK(pub)
	if err != nil {
		return nil, err
	}
	alg, err := jose.AlgorithmFor(pub)
	if err != nil {
		return nil, err
	}
	m["kid"] = kid
	m["alg"] = string(alg)
	m["use"] = "sig"
	return json.Marshal(m)
}

func encodeCerts(certs ...*x509.Certificate) []byte {
	var b bytes.Buffer
	for _, c := range certs {
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return b.Bytes()
}

// writeFile creates name (never replacing a file), writes b and syncs it.
func writeFile(name string, b []byte, mode os.FileMode) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return errorf(CodeIO, err, "create %s", name)
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return errorf(CodeIO, err, "write %s", name)
	}
	return nil
}

// syncDir flushes a directory's entries to disk; failure is not fatal (some file systems
// do not support it), the files themselves were synced.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
