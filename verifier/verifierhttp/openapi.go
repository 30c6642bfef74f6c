package verifierhttp

import _ "embed"

// openAPIJSON is the OpenAPI 3.1 document of the desk API, served at
// GET {prefix}/openapi.json with "servers" set to the desk's BaseURL.
//
//go:embed openapi.json
var openAPIJSON []byte
