package pki_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/pki"
)

// TestInitReuse shows that a second Init on a complete PKI returns the same manifest and
// changes no file, even much later (within validity).
func TestInitReuse(t *testing.T) {
	dir, m1, _ := newPKI(t)
	before := treeDigest(t, dir)
	for _, at := range []time.Time{testNow, testNow.Add(time.Hour), testNow.AddDate(1, 11, 0)} {
		m2, err := pki.Init(dir, pki.DefaultConfig(""), at)
		if err != nil {
			t.Fatalf("second Init at %s: %v", at, err)
		}
		a, _ := json.Marshal(m1)
		b, _ := json.Marshal(m2)
		if !bytes.Equal(a, b) {
			t.Fatalf("second Init returned another manifest")
		}
	}
	if treeDigest(t, dir) != before {
		t.Fatalf("second Init changed the directory")
	}
}

// TestInitFresh covers Init on an absent or empty directory and bad arguments.
func TestInitFresh(t *testing.T) {
	bad := pki.DefaultConfig("")
	bad.Universities[0].OrganizationIdentifier = "NTRJP-1234567890123"
	tests := []struct {
		name     string
		prepare  func(t *testing.T, dir string)
		dir      func(dir string) string
		cfg      pki.Config
		now      time.Time
		wantCode pki.Code
	}{
		{name: "ok/absent", cfg: pki.DefaultConfig("")},
		{name: "ok/absent-parents", cfg: pki.DefaultConfig(""), dir: func(d string) string { return filepath.Join(d, "a", "b") }},
		{name: "ok/empty-dir", cfg: pki.DefaultConfig(""), prepare: func(t *testing.T, dir string) { mkdir(t, dir) }},
		{name: "ok/no-tls-hosts", cfg: func() pki.Config { c := pki.DefaultConfig(""); c.TLSHosts = nil; return c }()},
		{name: "ok/http-loopback-issuer", cfg: pki.DefaultConfig("http://localhost:8080/issuer/")},
		{name: "fail/zero-time", cfg: pki.DefaultConfig(""), now: time.Time{}, wantCode: pki.CodeInvalid},
		{name: "fail/empty-dir-name", cfg: pki.DefaultConfig(""), dir: func(string) string { return "" }, wantCode: pki.CodeInvalid},
		{name: "fail/invalid-config", cfg: bad, wantCode: pki.CodeInvalid},
		{name: "fail/zero-config", cfg: pki.Config{}, wantCode: pki.CodeInvalid},
		{name: "fail/dir-is-a-file", cfg: pki.DefaultConfig(""), wantCode: pki.CodeIO,
			prepare: func(t *testing.T, dir string) { writeFile(t, dir, "not a directory") }},
		{name: "fail/foreign-files", cfg: pki.DefaultConfig(""), wantCode: pki.CodeIncomplete,
			prepare: func(t *testing.T, dir string) { mkdir(t, dir); writeFile(t, filepath.Join(dir, "notes.txt"), "x") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			base := t.TempDir()
			dir := filepath.Join(base, "pki")
			if tt.dir != nil {
				dir = tt.dir(base)
			}
			if tt.prepare != nil {
				tt.prepare(t, dir)
			}
			now := tt.now
			if now.IsZero() && !strings.Contains(tt.name, "zero-time") {
				now = testNow
			}
			before := treeDigest(t, base)
			m, err := pki.Init(dir, tt.cfg, now)
			assertCode(t, err, tt.wantCode)
			if tt.wantCode != "" {
				if treeDigest(t, base) != before {
					t.Fatalf("failed Init changed %s", base)
				}
				return
			}
			p, err := pki.Load(dir)
			if err != nil {
				t.Fatalf("Load after Init: %v", err)
			}
			if len(p.Entities()) != len(m.Entities) || len(m.Entities) == 0 {
				t.Fatalf("Load has %d entities, Init made %d", len(p.Entities()), len(m.Entities))
			}
		})
	}
}

// TestInitExisting damages a generated PKI in one way per case and checks that Init and
// Load refuse it with the right code, naming the problem, and leave every file as it was.
func TestInitExisting(t *testing.T) {
	const seal = "eu/universities/oostland/"
	tests := []struct {
		name     string
		mutate   func(t *testing.T, dir string)
		cfg      func() pki.Config
		now      time.Time
		wantCode pki.Code // from Init
		loadCode pki.Code // from Load; "" means Load succeeds
		wantMsg  string
	}{
		{name: "ok/unchanged"},
		{name: "fail/missing-key", mutate: remove(seal + "key.pem"), wantCode: pki.CodeIncomplete, loadCode: pki.CodeIncomplete, wantMsg: seal + "key.pem"},
		{name: "fail/missing-private-jwk", mutate: remove("jp/tl-signer/key.jwk.json"), wantCode: pki.CodeIncomplete, loadCode: pki.CodeIncomplete, wantMsg: "jp/tl-signer/key.jwk.json"},
		{name: "fail/missing-chain", mutate: remove("tls/hosts/localhost/chain.pem"), wantCode: pki.CodeIncomplete, loadCode: pki.CodeIncomplete, wantMsg: "tls/hosts/localhost/chain.pem"},
		{name: "fail/missing-ca-dir", mutate: remove("jp/access-ca"), wantCode: pki.CodeIncomplete, loadCode: pki.CodeIncomplete, wantMsg: "jp/access-ca/cert.pem"},
		{name: "fail/missing-manifest", mutate: remove(pki.ManifestFile), wantCode: pki.CodeIncomplete, loadCode: pki.CodeIncomplete, wantMsg: pki.ManifestFile},
		{name: "fail/garbage-cert", mutate: overwrite(seal+"cert.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), wantCode: pki.CodeCorrupt, loadCode: pki.CodeCorrupt, wantMsg: seal + "cert.pem"},
		{name: "fail/text-before-pem", mutate: prepend(seal+"chain.pem", "junk\n"), wantCode: pki.CodeCorrupt, loadCode: pki.CodeCorrupt, wantMsg: seal + "chain.pem"},
		{name: "fail/cert-of-other-entity", mutate: copyFile("jp/universities/sakuragaoka/cert.pem", seal+"cert.pem"), wantCode: pki.CodeCorrupt, loadCode: pki.CodeCorrupt},
		{name: "fail/key-of-other-entity", mutate: copyFile("jp/universities/sakuragaoka/key.pem", seal+"key.pem"), wantCode: pki.CodeCorrupt, loadCode: pki.CodeCorrupt, wantMsg: seal + "key.pem"},
		{name: "fail/private-jwk-of-other-entity", mutate: copyFile("eu/seal-ca/key.jwk.json", seal+"key.jwk.json"), wantCode: pki.CodeCorrupt, loadCode: pki.CodeCorrupt, wantMsg: seal + "key.jwk.json"},
		{name: "fail/public-jwk-of-other-entity", mutate: copyFile("eu/seal-ca/pub.jwk.json", seal+"pub.jwk.json"), wantCode: pki.CodeCorrupt, loadCode: pki.CodeCorrupt, wantMsg: seal + "pub.jwk.json"},
		{name: "fail/public-jwk-without-kid", mutate: editJSON(seal+"pub.jwk.json", func(m map[string]any) { delete(m, "kid") }), wantCode: pki.CodeCorrupt, loadCode: pki.CodeCorrupt},
		{name: "fail/private-jwk-wrong-kid", mutate: editJSON(seal+"key.jwk.json", func(m map[string]any) { m["kid"] = "x" }), wantCode: pki.CodeCorrupt, loadCode: pki.CodeCorrupt},
		{name: "fail/chain-includes-anchor", mutate: appendFile(seal+"ca.pem", seal+"chain.pem"), wantCode: pki.CodeCorrupt, loadCode: pki.CodeCorrupt, wantMsg: seal + "chain.pem"},
		{name: "fail/foreign-anchor", mutate: copyFile("jp/seal-ca/cert.pem", seal+"ca.pem"), wantCode: pki.CodeCorrupt, loadCode: pki.CodeCorrupt, wantMsg: seal + "ca.pem"},
		{name: "fail/key-readable-by-others", mutate: chmod(seal+"key.pem", 0o644), wantCode: pki.CodeInsecurePermissions, loadCode: pki.CodeInsecurePermissions, wantMsg: seal + "key.pem"},
		{name: "fail/jwk-readable-by-group", mutate: chmod("eu/tl-signer/key.jwk.json", 0o640), wantCode: pki.CodeInsecurePermissions, loadCode: pki.CodeInsecurePermissions},
		{name: "fail/manifest-entity-missing", mutate: editManifest(func(m map[string]any) {
			es := m["entities"].([]any)
			m["entities"] = es[:len(es)-1]
		}), wantCode: pki.CodeIncomplete, loadCode: pki.CodeIncomplete, wantMsg: "tls/localhost"},
		{name: "fail/manifest-unknown-member", mutate: editManifest(func(m map[string]any) { m["extra"] = true }), wantCode: pki.CodeCorrupt, loadCode: pki.CodeCorrupt},
		{name: "fail/manifest-duplicate-member", mutate: prepend(pki.ManifestFile, `{"version":1,`+"\n"), wantCode: pki.CodeCorrupt, loadCode: pki.CodeCorrupt},
		{name: "fail/manifest-wrong-version", mutate: editManifest(func(m map[string]any) { m["version"] = 2 }), wantCode: pki.CodeCorrupt, loadCode: pki.CodeCorrupt},
		{name: "fail/manifest-path-escape", mutate: editManifest(func(m map[string]any) {
			m["entities"].([]any)[0].(map[string]any)["files"].(map[string]any)["key"] = "../../etc/passwd"
		}), wantCode: pki.CodeCorrupt, loadCode: pki.CodeCorrupt},
		{name: "fail/manifest-fingerprint", mutate: editManifest(func(m map[string]any) {
			m["entities"].([]any)[0].(map[string]any)["cert_sha256"] = strings.Repeat("0", 64)
		}), wantCode: pki.CodeCorrupt, loadCode: pki.CodeCorrupt},
		{name: "fail/manifest-subject-edited", mutate: editManifest(func(m map[string]any) {
			m["entities"].([]any)[0].(map[string]any)["subject"] = "CN=someone else"
		}), wantCode: pki.CodeCorrupt, loadCode: pki.CodeCorrupt},
		{name: "fail/manifest-config-edited", mutate: editManifest(func(m map[string]any) {
			u := m["config"].(map[string]any)["universities"].([]any)[0].(map[string]any)
			u["issuer_url"] = "https://elsewhere.example/issuer/oostland"
		}), cfg: func() pki.Config {
			c := pki.DefaultConfig("")
			c.Universities[0].IssuerURL = "https://elsewhere.example/issuer/oostland"
			return c
		}, wantCode: pki.CodeCorrupt, loadCode: pki.CodeCorrupt, wantMsg: "seal/oostland"},
		{name: "fail/other-config", cfg: func() pki.Config { return pki.DefaultConfig("https://issuer.example") },
			wantCode: pki.CodeMismatch, wantMsg: "universities"},
		{name: "fail/extra-university", cfg: func() pki.Config {
			c := pki.DefaultConfig("")
			u := c.Universities[0]
			u.ID, u.IssuerURL = "westland", "https://127.0.0.1:8443/issuer/westland"
			c.Universities = append(c.Universities, u)
			return c
		}, wantCode: pki.CodeMismatch},
		{name: "fail/expired", now: testNow.AddDate(2, 0, 1), wantCode: pki.CodeExpired, wantMsg: "seal/oostland"},
		{name: "fail/clock-before-issue", now: testNow.Add(-time.Hour), wantCode: pki.CodeExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir, _, _ := newPKI(t)
			if tt.mutate != nil {
				tt.mutate(t, dir)
			}
			cfg := pki.DefaultConfig("")
			if tt.cfg != nil {
				cfg = tt.cfg()
			}
			now := tt.now
			if now.IsZero() {
				now = testNow
			}
			before := treeDigest(t, filepath.Dir(dir))
			_, err := pki.Init(dir, cfg, now)
			assertCode(t, err, tt.wantCode)
			if err != nil && !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not name %q", err, tt.wantMsg)
			}
			if treeDigest(t, filepath.Dir(dir)) != before {
				t.Fatalf("Init changed the directory")
			}
			_, err = pki.Load(dir)
			assertCode(t, err, tt.loadCode)
		})
	}
}

// TestEntityLookupAndRedaction checks Entity lookups and that no way of printing or
// logging a PKI or entity shows key material.
func TestEntityLookupAndRedaction(t *testing.T) {
	dir, _, p := newPKI(t)
	_, err := p.Entity(pki.RoleSeal, "westland")
	assertCode(t, err, pki.CodeNotFound)
	_, err = p.Entity(pki.RoleAccess, "oostland") // right id, wrong role
	assertCode(t, err, pki.CodeNotFound)

	e := entity(t, p, pki.RoleSeal, "sakuragaoka")
	jwk, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(e.Info.Files.KeyJWK)))
	if err != nil {
		t.Fatal(err)
	}
	var members struct {
		D string `json:"d"`
	}
	if err := json.Unmarshal(jwk, &members); err != nil || members.D == "" {
		t.Fatalf("private JWK: %v", err)
	}
	var logged bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logged, nil))
	logger.Info("loaded", "entity", e, "pki", p)
	outputs := map[string]string{
		"entity %v":        fmt.Sprintf("%v", e),
		"entity %+v":       fmt.Sprintf("%+v", e),
		"entity %s":        fmt.Sprint(e),
		"pki %v":           fmt.Sprintf("%v", p),
		"pki %+v":          fmt.Sprintf("%+v", p),
		"entity value %+v": fmt.Sprintf("%+v", *e),
		"pki value %#v":    fmt.Sprintf("%#v", *p),
		"entity %#v":       fmt.Sprintf("%#v", e),
		"slog":             logged.String(),
	}
	for name, out := range outputs {
		if strings.Contains(out, members.D) || !strings.Contains(out, "redacted") {
			t.Errorf("%s shows key material or lacks [redacted]: %s", name, out)
		}
	}
	if !strings.Contains(logged.String(), `"id":"sakuragaoka"`) {
		t.Errorf("slog output lacks the entity id: %s", logged.String())
	}
	if b, err := json.Marshal(e); err != nil || bytes.Contains(b, []byte(members.D)) {
		t.Errorf("JSON of an entity shows key material (err %v)", err)
	}
}

func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func path(dir, rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }

func remove(rel string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		if err := os.RemoveAll(path(dir, rel)); err != nil {
			t.Fatal(err)
		}
	}
}

// replace writes content to an existing file, keeping its mode.
func replace(t *testing.T, name string, content []byte) {
	t.Helper()
	fi, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, content, fi.Mode().Perm()); err != nil {
		t.Fatal(err)
	}
}

func overwrite(rel, content string) func(*testing.T, string) {
	return func(t *testing.T, dir string) { replace(t, path(dir, rel), []byte(content)) }
}

func prepend(rel, prefix string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		b, err := os.ReadFile(path(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		replace(t, path(dir, rel), append([]byte(prefix), b...))
	}
}

func copyFile(from, to string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		b, err := os.ReadFile(path(dir, from))
		if err != nil {
			t.Fatal(err)
		}
		replace(t, path(dir, to), b)
	}
}

func appendFile(from, to string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		a, err := os.ReadFile(path(dir, to))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path(dir, from))
		if err != nil {
			t.Fatal(err)
		}
		replace(t, path(dir, to), append(a, b...))
	}
}

func chmod(rel string, mode os.FileMode) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		if err := os.Chmod(path(dir, rel), mode); err != nil {
			t.Fatal(err)
		}
	}
}

func editJSON(rel string, edit func(map[string]any)) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		b, err := os.ReadFile(path(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		edit(m)
		out, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		replace(t, path(dir, rel), out)
	}
}

func editManifest(edit func(map[string]any)) func(*testing.T, string) {
	return editJSON(pki.ManifestFile, edit)
}
