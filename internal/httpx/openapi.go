package httpx

import (
	"encoding/json"
	"fmt"
)

// OpenAPIDocument returns the OpenAPI document doc with its "servers" naming base, the URL
// the service was configured with, so that tools and readers see the real address.
func OpenAPIDocument(doc []byte, base string) ([]byte, error) {
	var d map[string]any
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, fmt.Errorf("httpx: OpenAPI document: %w", err)
	}
	if d == nil {
		return nil, fmt.Errorf("httpx: OpenAPI document is not a JSON object")
	}
	d["servers"] = []any{map[string]any{"url": base}}
	return json.Marshal(d)
}
