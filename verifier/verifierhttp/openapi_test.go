package verifierhttp_test

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestOpenAPICoversAPIRoutes: every API route registered on Echo is in the served OpenAPI
// document with its method, and the document names no other.
func TestOpenAPICoversAPIRoutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.do("GET", "/verifier/openapi.json", nil, nil)
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("openapi.json: %d %v", r.status, r.header)
	}
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Servers []struct{ URL string }    `json:"servers"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	r.json(t, &doc)
	if doc.OpenAPI != "3.1.0" || len(doc.Servers) != 1 || doc.Servers[0].URL != deskBase {
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
		if !strings.HasPrefix(rt.Path, "/verifier/api/") {
			continue
		}
		onEcho = append(onEcho, rt.Method+" "+param.ReplaceAllString(strings.TrimPrefix(rt.Path, "/verifier"), "{$1}"))
	}
	slices.Sort(inDoc)
	slices.Sort(onEcho)
	if len(onEcho) != 2 || !slices.Equal(inDoc, onEcho) {
		t.Fatalf("OpenAPI paths\n%s\nEcho routes\n%s", strings.Join(inDoc, "\n"), strings.Join(onEcho, "\n"))
	}
}
