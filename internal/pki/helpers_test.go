package pki_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/pki"
)

// testNow is the fixed time of the tests.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// sharedDir holds the default pilot PKI made once by TestMain; tests never change it and
// work on copies (generating keys is cheap, syncing ~80 files to disk per test is not).
var sharedDir string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "pki-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	sharedDir = filepath.Join(tmp, "pki")
	if _, err := pki.Init(sharedDir, pki.DefaultConfig(""), testNow); err != nil {
		fmt.Fprintln(os.Stderr, "Init:", err)
		return 1
	}
	return m.Run()
}

// newPKI copies the shared PKI into a fresh directory (parent/pki, parent otherwise
// empty), checks that it is the one Init made, and loads it.
func newPKI(t *testing.T) (string, *pki.Manifest, *pki.PKI) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "pki")
	if err := os.CopyFS(dir, os.DirFS(sharedDir)); err != nil {
		t.Fatalf("copy PKI: %v", err)
	}
	// CopyFS creates directories 0777 &^ umask and files 0666 or 0777; restore the modes.
	err := filepath.WalkDir(sharedDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(sharedDir, p)
		return os.Chmod(filepath.Join(dir, rel), fi.Mode().Perm())
	})
	if err != nil {
		t.Fatalf("copy PKI modes: %v", err)
	}
	if treeDigest(t, dir) != treeDigest(t, sharedDir) {
		t.Fatalf("copy of the shared PKI differs")
	}
	m, err := pki.Init(dir, pki.DefaultConfig(""), testNow)
	if err != nil {
		t.Fatalf("Init on the copy: %v", err)
	}
	p, err := pki.Load(dir)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return dir, m, p
}

func entity(t *testing.T, p *pki.PKI, role pki.Role, id string) *pki.Entity {
	t.Helper()
	e, err := p.Entity(role, id)
	if err != nil {
		t.Fatalf("Entity(%s, %s): %v", role, id, err)
	}
	return e
}

// treeDigest summarises every path, mode and content under dir, so a test can show that a
// failed Init left a directory untouched.
func treeDigest(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		line := rel + " " + fi.Mode().String()
		if d.Type().IsRegular() {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			line += " " + hex.EncodeToString(sum[:])
		}
		lines = append(lines, line)
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("walk %s: %v", dir, err)
	}
	sort.Strings(lines)
	h := sha256.New()
	for _, l := range lines {
		h.Write([]byte(l + "\n"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func assertCode(t *testing.T, err error, want pki.Code) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("got no error, want code %q", want)
	}
	if got := pki.CodeOf(err); got != want {
		t.Fatalf("got code %q (%v), want %q", got, err, want)
	}
	if !errors.Is(err, &pki.Error{Code: want}) {
		t.Fatalf("errors.Is(err, sentinel %q) is false", want)
	}
}
