package verifierhttp_test

import (
	"fmt"

	"github.com/hashi-vc/hashi/internal/httpx"
	"github.com/hashi-vc/hashi/verifier"
	"github.com/hashi-vc/hashi/verifier/verifierhttp"
)

// ErrorMapper turns flow errors into OpenID4VP / RFC 6749 error responses; a server error
// carries no description.
func ExampleErrorMapper() {
	for _, err := range []error{
		&verifier.Error{Code: verifier.CodeRequestExpired, Msg: "the request has expired"},
		&verifier.Error{Code: verifier.CodeRequestNotFound, Msg: "no request has this id"},
		&verifier.Error{Code: verifier.CodeInvalidRequestURIMethod, Msg: "this request_uri is fetched with GET"},
		&verifier.Error{Code: verifier.CodeServerError, Msg: "store: disk full"},
	} {
		status, body, _ := verifierhttp.ErrorMapper(err)
		res := body.(httpx.ErrorResponse)
		fmt.Printf("%d %s %q\n", status, res.Error, res.ErrorDescription)
	}
	// Output:
	// 400 invalid_request "the request has expired"
	// 404 invalid_request "no request has this id"
	// 400 invalid_request_uri_method "this request_uri is fetched with GET"
	// 500 server_error ""
}
