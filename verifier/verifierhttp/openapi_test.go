package verifierhttp_test

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashi-vc/hashi/verifier/verifierhttp"
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
	if len(onEcho) != 3 || !slices.Equal(inDoc, onEcho) {
		t.Fatalf("OpenAPI paths\n%s\nEcho routes\n%s", strings.Join(inDoc, "\n"), strings.Join(onEcho, "\n"))
	}
}

// TestOpenAPICreateRequestMembers: every member the OpenAPI document gives CreateRequest is
// one ParseCreateRequest knows (never "unknown member"), and client_id_prefix is documented
// with its one accepted value.
func TestOpenAPICreateRequestMembers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var doc struct {
		Components struct {
			Schemas struct {
				CreateRequest struct {
					AdditionalProperties *bool `json:"additionalProperties"`
					Properties           map[string]struct {
						Enum []string `json:"enum"`
					} `json:"properties"`
				} `json:"CreateRequest"`
			} `json:"schemas"`
		} `json:"components"`
	}
	e.do("GET", "/verifier/openapi.json", nil, nil).json(t, &doc)
	cr := doc.Components.Schemas.CreateRequest
	if cr.AdditionalProperties == nil || *cr.AdditionalProperties || len(cr.Properties) == 0 {
		t.Fatalf("CreateRequest schema %+v", cr)
	}
	for name := range cr.Properties {
		_, err := verifierhttp.ParseCreateRequest([]byte(`{"` + name + `":0}`))
		if err == nil || strings.Contains(err.Error(), "unknown member") {
			t.Errorf("documented member %q: ParseCreateRequest says %v", name, err)
		}
	}
	if p, ok := cr.Properties["client_id_prefix"]; !ok || !slices.Equal(p.Enum, []string{"redirect_uri"}) {
		t.Fatalf("client_id_prefix documented as %+v", p)
	}
}
