package issuerhttp_test

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashi-vc/hashi/internal/sqldb/sqldbtest"
)

// TestOpenAPICoversAdminRoutes checks that every registrar route registered on Echo is in
// the served OpenAPI document with its method, and that the document names no other.
func TestOpenAPICoversAdminRoutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sqldbtest.Open(t, sqldbtest.SQLiteDSN(t)))
	r := e.do("GET", "/issuer/openapi.json", nil, nil)
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("openapi.json: %d %v", r.status, r.header)
	}
	var doc struct {
		OpenAPI string                            `json:"openapi"`
		Servers []struct{ URL string }            `json:"servers"`
		Paths   map[string]map[string]interface{} `json:"paths"`
	}
	r.json(t, &doc)
	if doc.OpenAPI != "3.1.0" || len(doc.Servers) != 1 || doc.Servers[0].URL != base {
		t.Fatalf("openapi %q servers %+v", doc.OpenAPI, doc.Servers)
	}
	var inDoc []string
	for p, ops := range doc.Paths {
		for m := range ops {
			inDoc = append(inDoc, strings.ToUpper(m)+" "+p)
		}
	}
	param := regexp.MustCompile(`:([a-z_]+)`)
	var onEcho []string
	for _, rt := range e.echo.Routes() {
		if !strings.Contains(rt.Path, "/admin") {
			continue
		}
		p := param.ReplaceAllString(strings.TrimPrefix(rt.Path, "/issuer"), "{$1}")
		onEcho = append(onEcho, rt.Method+" "+p)
	}
	slices.Sort(inDoc)
	slices.Sort(onEcho)
	if len(onEcho) < 10 || !slices.Equal(inDoc, onEcho) {
		t.Fatalf("OpenAPI paths\n%s\nEcho routes\n%s", strings.Join(inDoc, "\n"), strings.Join(onEcho, "\n"))
	}
}
