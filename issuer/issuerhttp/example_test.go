package issuerhttp_test

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/hashi-vc/hashi/issuer"
	"github.com/hashi-vc/hashi/issuer/issuerhttp"
)

// ExampleErrorMapper shows how an issuer error becomes the wire error: status, body and
// extra headers.
func ExampleErrorMapper() {
	status, body, ok := issuerhttp.ErrorMapper(fmt.Errorf("credential: %w", &issuer.Error{Code: issuer.CodeInvalidNonce, Description: "c_nonce is unknown"}))
	b, _ := json.Marshal(body)
	fmt.Println(status, ok, string(b))

	status, body, _ = issuerhttp.ErrorMapper(issuer.ErrUnauthorized)
	fmt.Println(status, body.(issuerhttp.ErrorResponse).Header.Get("WWW-Authenticate"))

	_, _, ok = issuerhttp.ErrorMapper(http.ErrBodyNotAllowed)
	fmt.Println(ok)
	// Output:
	// 400 true {"error":"invalid_nonce","error_description":"c_nonce is unknown"}
	// 401 Bearer realm="registrar"
	// false
}
