package hashi_test

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// The import rules of architecture.md ("Import directions"), enforced. A failure here means a
// package reached for something its layer must not know about.

const module = "github.com/hashi-vc/hashi"

type pkg struct {
	ImportPath string
	Name       string
	Doc        string
	Imports    []string
	Deps       []string
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", "./...")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		t.Fatal("go list found no packages")
	}
	return pkgs
}

func rel(path string) string { return strings.TrimPrefix(strings.TrimPrefix(path, module), "/") }

// room returns the service a package belongs to ("issuer", "wallet", "verifier") or "".
func room(path string) string {
	r := rel(path)
	for _, s := range []string{"issuer", "wallet", "verifier"} {
		if r == s || strings.HasPrefix(r, s+"/") {
			return s
		}
	}
	return ""
}

// core reports whether a package is core: domain logic that must stay free of HTTP
// frameworks, SQL and test code. Edges (*http, *store, cmd) and the plumbing packages
// internal/sqldb (SQL), internal/httpx and internal/webui (Echo) are not core.
func core(path string) bool {
	r := rel(path)
	switch {
	case strings.HasPrefix(r, "cmd/"), strings.HasSuffix(r, "http"), strings.HasSuffix(r, "store"),
		strings.HasSuffix(r, "test"), strings.Contains(r, "/testutil"),
		r == "internal/sqldb", r == "internal/httpx", r == "internal/webui", r == "":
		return false
	}
	return true
}

var forbiddenInCore = []string{
	"github.com/labstack/echo",
	"database/sql",
	"modernc.org/sqlite",
	"github.com/jackc/pgx",
	"github.com/pressly/goose",
	"testing",
}

func TestImportDirections(t *testing.T) {
	pkgs := listPackages(t)
	for _, p := range pkgs {
		for _, d := range p.Deps {
			if core(p.ImportPath) {
				for _, f := range forbiddenInCore {
					if d == f || strings.HasPrefix(d, f+"/") {
						t.Errorf("core package %s depends on %s", rel(p.ImportPath), d)
					}
				}
			}
			// jwx may be reached only through internal/jose (directly or through packages that
			// use it); a third-party library that pulls jwx in by another path is refused.
			if strings.HasPrefix(d, "github.com/lestrrat-go/jwx") && rel(p.ImportPath) != "internal/jose" && !dependsOn(p, "internal/jose") {
				t.Errorf("%s reaches jwx without going through internal/jose", rel(p.ImportPath))
			}
			if !strings.HasPrefix(d, module) {
				continue
			}
			from, to := room(p.ImportPath), room(d)
			if to != "" && from != to && !strings.HasPrefix(rel(p.ImportPath), "cmd/") {
				t.Errorf("%s imports %s: service rooms never import each other, and shared code lives in internal/ or trustlist", rel(p.ImportPath), rel(d))
			}
			// Inside a room everything points down: the domain package never imports its edges.
			if from != "" && rel(p.ImportPath) == from && to == from && d != p.ImportPath {
				t.Errorf("domain package %s imports its edge %s", from, rel(d))
			}
		}
		for _, imp := range p.Imports {
			if strings.HasPrefix(imp, "github.com/lestrrat-go/jwx") && rel(p.ImportPath) != "internal/jose" {
				t.Errorf("%s imports %s: only internal/jose may import jwx", rel(p.ImportPath), imp)
			}
		}
	}
}

func dependsOn(p pkg, r string) bool {
	for _, d := range p.Deps {
		if d == module+"/"+r {
			return true
		}
	}
	return false
}

func TestPackagesAreDocumented(t *testing.T) {
	for _, p := range listPackages(t) {
		if p.Name == "main" || p.ImportPath == module {
			continue
		}
		if p.Doc == "" {
			t.Errorf("package %s has no package comment (doc.go)", rel(p.ImportPath))
		}
	}
}

// TestRulesCanFail keeps the classification above honest: the rules must see core packages.
func TestRulesCanFail(t *testing.T) {
	for _, r := range []string{"internal/jose", "internal/sdjwt", "issuer", "trustlist"} {
		if !core(module + "/" + r) {
			t.Errorf("%s should count as core", r)
		}
	}
	for _, r := range []string{"issuer/issuerhttp", "issuer/issuerstore", "internal/sqldb", "cmd/hashi"} {
		if core(module + "/" + r) {
			t.Errorf("%s should not count as core", r)
		}
	}
	if room(module+"/verifier/verifierhttp") != "verifier" || room(module+"/internal/jose") != "" {
		t.Error("room classification is wrong")
	}
}

// TestBinaryHasNoTestCode: the binary links neither package testing nor a test-support
// package of this module (sqldbtest, webuitest, wallettest, …), which are for tests only.
func TestBinaryHasNoTestCode(t *testing.T) {
	found := false
	for _, p := range listPackages(t) {
		if p.Name != "main" {
			continue
		}
		found = true
		for _, d := range p.Deps {
			if d == "testing" || strings.HasPrefix(d, module+"/") && strings.HasSuffix(d, "test") {
				t.Errorf("%s links %s", rel(p.ImportPath), d)
			}
		}
	}
	if !found {
		t.Fatal("no main package found")
	}
}
