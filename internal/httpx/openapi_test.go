package httpx_test

import (
	"encoding/json"
	"testing"

	"github.com/hashi-vc/hashi/internal/httpx"
)

func TestOpenAPIDocument(t *testing.T) {
	b, err := httpx.OpenAPIDocument([]byte(`{"openapi":"3.1.0","servers":[{"url":"/"}],"paths":{}}`), "https://desk.example/verifier")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		OpenAPI string `json:"openapi"`
		Servers []struct {
			URL string `json:"url"`
		} `json:"servers"`
	}
	if err := json.Unmarshal(b, &d); err != nil || d.OpenAPI != "3.1.0" || len(d.Servers) != 1 || d.Servers[0].URL != "https://desk.example/verifier" {
		t.Fatalf("%s %v", b, err)
	}
	for _, bad := range []string{`[]`, `null`, `{`} {
		if _, err := httpx.OpenAPIDocument([]byte(bad), "https://x.example"); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
