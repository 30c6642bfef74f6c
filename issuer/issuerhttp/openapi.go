package issuerhttp

import _ "embed"

// openAPIJSON is the OpenAPI 3.1 document of the registrar API, served at
// GET {prefix}/openapi.json with "servers" set to the issuer's BaseURL.
//
//go:embed openapi.json
var openAPIJSON []byte
