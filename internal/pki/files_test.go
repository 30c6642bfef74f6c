package pki_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/pki"
)

// TestFileModes checks directories 0700, private keys 0600, the manifest and public files
// 0644, that every file the manifest names exists, and that no staging directory is left.
func TestFileModes(t *testing.T) {
	dir, m, _ := newPKI(t)
	secret := map[string]bool{}
	named := map[string]bool{pki.ManifestFile: true}
	for _, e := range m.Entities {
		secret[e.Files.Key], secret[e.Files.KeyJWK] = true, true
		for _, f := range []string{e.Files.Cert, e.Files.Chain, e.Files.CA, e.Files.Key, e.Files.KeyJWK, e.Files.PubJWK} {
			if f != "" {
				named[f] = true
			}
		}
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		switch {
		case d.IsDir():
			if fi.Mode().Perm() != 0o700 {
				t.Errorf("directory %s has mode %04o, want 0700", rel, fi.Mode().Perm())
			}
		case secret[rel]:
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("key file %s has mode %04o, want 0600", rel, fi.Mode().Perm())
			}
			delete(named, rel)
		default:
			if fi.Mode().Perm() != 0o644 {
				t.Errorf("public file %s has mode %04o, want 0644", rel, fi.Mode().Perm())
			}
			if !named[rel] {
				t.Errorf("file %s is not in the manifest", rel)
			}
			delete(named, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(named) != 0 {
		t.Errorf("manifest names missing files: %v", named)
	}
	siblings, _ := os.ReadDir(filepath.Dir(dir))
	if len(siblings) != 1 {
		t.Errorf("parent holds %d entries, want only the PKI directory (no staging leftovers)", len(siblings))
	}
}

// TestKeyFiles checks that key.pem, key.jwk.json and pub.jwk.json hold the certificate's
// key, that both JWKs carry kid = RFC 7638 thumbprint, that the manifest has no secrets,
// and that a signature with the loaded key verifies with the certificate.
func TestKeyFiles(t *testing.T) {
	dir, m, p := newPKI(t)
	manifest, err := os.ReadFile(filepath.Join(dir, pki.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range p.Entities() {
		t.Run("ok/"+string(e.Info.Role)+"-"+e.Info.ID, func(t *testing.T) {
			read := func(rel string) []byte {
				b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			certPub := e.Certificate.PublicKey.(*ecdsa.PublicKey)
			kid, err := jose.Thumbprint(certPub)
			if err != nil {
				t.Fatal(err)
			}
			if e.Info.KeyID != kid {
				t.Errorf("manifest kid %q, want thumbprint %q", e.Info.KeyID, kid)
			}
			block, _ := pem.Decode(read(e.Info.Files.Key))
			if block == nil || block.Type != "PRIVATE KEY" {
				t.Fatalf("key.pem is not a PKCS#8 PEM block")
			}
			k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			pemKey := k.(*ecdsa.PrivateKey)
			if !pemKey.PublicKey.Equal(certPub) || !pemKey.Equal(e.Signer()) {
				t.Errorf("key.pem does not hold the certificate's key")
			}
			privJWK := read(e.Info.Files.KeyJWK)
			jk, err := jose.ParsePrivateJWK(privJWK)
			if err != nil {
				t.Fatal(err)
			}
			if !jk.(*ecdsa.PrivateKey).Equal(pemKey) {
				t.Errorf("key.jwk.json does not hold key.pem's key")
			}
			var members map[string]any
			if err := json.Unmarshal(privJWK, &members); err != nil || members["kid"] != kid || members["d"] == nil {
				t.Errorf("key.jwk.json members %v, want a private JWK with kid %q", keysOf(members), kid)
			}
			keys, err := jose.ParseKeys(read(e.Info.Files.PubJWK))
			if err != nil {
				t.Fatal(err)
			}
			if len(keys) != 1 || keys[0].Kid != kid || keys[0].Alg != "ES256" || keys[0].Use != "sig" || !certPub.Equal(keys[0].Key) {
				t.Errorf("pub.jwk.json = %+v, want the certificate key with kid %q, alg ES256, use sig", keys, kid)
			}
			if _, err := jose.ParsePublicJWK(read(e.Info.Files.PubJWK)); err != nil {
				t.Errorf("pub.jwk.json is not a public JWK: %v", err)
			}
			d, _ := members["d"].(string)
			if d == "" || bytes.Contains(manifest, []byte(d)) || bytes.Contains(manifest, []byte("PRIVATE KEY")) {
				t.Errorf("manifest holds private key material")
			}
			// A JWS made with the loaded signer and the x5c chain verifies with the leaf key.
			hdr := jose.SignHeader{Typ: "JWT", Kid: kid}
			if e.Chain != nil {
				hdr.X5C = e.Chain
			}
			jws, err := jose.Sign(e.Signer(), hdr, []byte(`{"iss":"x"}`))
			if err != nil {
				t.Fatal(err)
			}
			parsed, err := jose.Parse(jws)
			if err != nil {
				t.Fatal(err)
			}
			if err := parsed.Verify(certPub, "ES256"); err != nil {
				t.Errorf("signature with the loaded key: %v", err)
			}
		})
	}
	if len(p.Entities()) != len(m.Entities) {
		t.Errorf("Load returned %d entities, manifest lists %d", len(p.Entities()), len(m.Entities))
	}
}

func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
