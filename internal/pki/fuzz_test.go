package pki_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hashi-vc/hashi/internal/pki"
)

// FuzzParseManifest checks that ParseManifest never panics, that every error carries a
// Code, and that an accepted manifest is consistent with its own Config.
func FuzzParseManifest(f *testing.F) {
	dir := filepath.Join(f.TempDir(), "pki")
	if _, err := pki.Init(dir, pki.DefaultConfig(""), testNow); err != nil {
		f.Fatal(err)
	}
	seed, err := os.ReadFile(filepath.Join(dir, pki.ManifestFile))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"version":1,"config":{"jurisdictions":[]},"entities":[]}`))
	f.Add([]byte(`{"version":1,"version":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := pki.ParseManifest(b)
		if err != nil {
			if pki.CodeOf(err) == "" {
				t.Fatalf("error without code: %v", err)
			}
			return
		}
		if err := m.Config.Validate(); err != nil {
			t.Fatalf("accepted a manifest with an invalid config: %v", err)
		}
		for _, e := range m.Entities {
			if _, ok := m.Entity(e.Role, e.ID); !ok {
				t.Fatalf("entity %s/%s not found by Entity", e.Role, e.ID)
			}
		}
	})
}
