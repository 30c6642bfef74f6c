package issuerhttp

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hashi-vc/hashi/issuer"
)

func TestErrorMapper(t *testing.T) {
	nonce := &issuer.Error{Code: issuer.CodeUseDPoPNonce, Description: "DPoP proof: nonce_required", DPoPNonce: "n-123"}
	badProof := &issuer.Error{Code: issuer.CodeInvalidDPoPProof, Description: "DPoP proof: bad_signature"}
	for _, tc := range []struct {
		name   string
		err    error
		status int
		code   string
		desc   string
		header map[string]string
	}{
		{"fail/token-use-dpop-nonce", tokenEndpoint(nonce), 400, "use_dpop_nonce", nonce.Description, map[string]string{"DPoP-Nonce": "n-123", "WWW-Authenticate": ""}},
		{"fail/token-invalid-dpop-proof", tokenEndpoint(badProof), 400, "invalid_dpop_proof", badProof.Description, map[string]string{"WWW-Authenticate": ""}},
		{"fail/token-invalid-client", tokenEndpoint(&issuer.Error{Code: issuer.CodeInvalidClient}), 401, "invalid_client", "", nil},
		{"fail/resource-use-dpop-nonce", resource(issuer.Authorization{Scheme: "DPoP"}, nonce), 401, "use_dpop_nonce", nonce.Description,
			map[string]string{"DPoP-Nonce": "n-123", "WWW-Authenticate": `DPoP error="use_dpop_nonce", error_description="DPoP proof: nonce_required", algs="ES256"`}},
		{"fail/resource-invalid-dpop-proof", resource(issuer.Authorization{Scheme: "DPoP"}, badProof), 401, "invalid_dpop_proof", badProof.Description,
			map[string]string{"WWW-Authenticate": `DPoP error="invalid_dpop_proof", error_description="DPoP proof: bad_signature", algs="ES256"`}},
		// RFC 6749 §5.2 / RFC 6750 §3: no '"' or '\' in error_description, in the body or the header.
		{"fail/resource-bearer-quote-dropped", resource(issuer.Authorization{Scheme: "Bearer"}, &issuer.Error{Code: issuer.CodeInvalidToken, Description: `bad "token" \ here`}), 401, "invalid_token", `bad token  here`,
			map[string]string{"WWW-Authenticate": `Bearer error="invalid_token", error_description="bad token  here"`}},
		{"fail/insufficient-scope-bearer", resource(issuer.Authorization{Scheme: "Bearer"}, &issuer.Error{Code: issuer.CodeInsufficientScope, Description: "no"}), 403, "insufficient_scope", "no",
			map[string]string{"WWW-Authenticate": `Bearer error="insufficient_scope", error_description="no"`}},
		{"fail/insufficient-scope-dpop", resource(issuer.Authorization{Scheme: "DPoP"}, &issuer.Error{Code: issuer.CodeInsufficientScope, Description: "no"}), 403, "insufficient_scope", "no",
			map[string]string{"WWW-Authenticate": `DPoP error="insufficient_scope", error_description="no", algs="ES256"`}},
		{"fail/resource-invalid-proof-is-400", resource(issuer.Authorization{Scheme: "DPoP"}, issuer.ErrInvalidProof), 400, "invalid_proof", "", map[string]string{"WWW-Authenticate": ""}},
		{"fail/internal-detail-hidden", fmt.Errorf("x: %w", &issuer.Error{Code: issuer.CodeInternal, Description: "store: dial 10.0.0.7"}), 500, "server_error", "", nil},
		{"fail/busy", &issuer.Error{Code: issuer.CodeUnavailable, Description: "store busy"}, 503, "temporarily_unavailable", "the service is busy; retry", nil},
		{"fail/not-found", issuer.ErrNotFound, 404, "not_found", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body, ok := ErrorMapper(tc.err)
			if !ok || status != tc.status {
				t.Fatalf("status %d ok %v", status, ok)
			}
			r := body.(ErrorResponse)
			if r.Error != tc.code || r.ErrorDescription != tc.desc {
				t.Fatalf("body %+v", r)
			}
			for k, want := range tc.header {
				if got := strings.Join(r.Header.Values(k), "|"); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
		})
	}
	if _, _, ok := ErrorMapper(errors.New("other")); ok {
		t.Fatal("claimed a foreign error")
	}
	if _, _, ok := ErrorMapper(&http.MaxBytesError{Limit: 1}); ok {
		t.Fatal("claimed a body-limit error")
	}
}
