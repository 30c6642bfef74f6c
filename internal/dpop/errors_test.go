package dpop_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/hashi-vc/hashi/internal/dpop"
	"github.com/hashi-vc/hashi/internal/jose"
)

func TestOAuthError(t *testing.T) {
	tests := []struct {
		code dpop.Code
		want string
	}{
		{dpop.CodeMissing, "invalid_dpop_proof"},
		{dpop.CodeMultiple, "invalid_dpop_proof"},
		{dpop.CodeMalformed, "invalid_dpop_proof"},
		{dpop.CodeBadType, "invalid_dpop_proof"},
		{dpop.CodeBadAlgorithm, "invalid_dpop_proof"},
		{dpop.CodeBadKey, "invalid_dpop_proof"},
		{dpop.CodeBadSignature, "invalid_dpop_proof"},
		{dpop.CodeHTMMismatch, "invalid_dpop_proof"},
		{dpop.CodeHTUMismatch, "invalid_dpop_proof"},
		{dpop.CodeIATOutOfWindow, "invalid_dpop_proof"},
		{dpop.CodeATHMismatch, "invalid_dpop_proof"},
		{dpop.CodeNonceRequired, "use_dpop_nonce"},
		{dpop.CodeNonceMismatch, "use_dpop_nonce"},
		{dpop.CodeKeyMismatch, "invalid_token"},
		{dpop.CodeInvalidArgument, ""},
	}
	for _, tt := range tests {
		t.Run("ok/"+string(tt.code), func(t *testing.T) {
			err := fmt.Errorf("credential endpoint: %w", &dpop.Error{Code: tt.code, Msg: "detail"})
			if got := dpop.OAuthError(err); got != tt.want {
				t.Fatalf("OAuthError = %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("ok/foreign error", func(t *testing.T) {
		if got := dpop.OAuthError(jose.ErrInvalidSignature); got != "" {
			t.Fatalf("OAuthError = %q", got)
		}
	})
}

func TestErrorIs(t *testing.T) {
	_, err := dpop.Verify("", dpop.Request{Method: "POST", URL: tokenURL}, dpop.Policy{Now: now})
	wrapped := fmt.Errorf("token: %w", err)
	if !errors.Is(wrapped, dpop.ErrMissing) || errors.Is(wrapped, dpop.ErrMalformed) {
		t.Fatalf("errors.Is does not follow the code: %v", err)
	}
	e, ok := errors.AsType[*dpop.Error](wrapped)
	if !ok || e.Code != dpop.CodeMissing {
		t.Fatalf("AsType: %v", err)
	}
	if got := err.Error(); got != "dpop: missing: empty proof" {
		t.Fatalf("Error() = %q", got)
	}
	// A jose cause stays reachable.
	_, err = dpop.Verify("a.b", dpop.Request{Method: "POST", URL: tokenURL}, dpop.Policy{Now: now})
	if !errors.Is(err, dpop.ErrMalformed) || !errors.Is(err, jose.ErrMalformed) {
		t.Fatalf("cause lost: %v", err)
	}
}

func TestChallenge(t *testing.T) {
	tests := []struct {
		name string
		c    dpop.Challenge
		want string
	}{
		{"ok/empty", dpop.Challenge{}, "DPoP"},
		{"ok/algs only", dpop.Challenge{Algorithms: []jose.Algorithm{jose.ES256, "PS256"}}, `DPoP algs="ES256 PS256"`},
		{"ok/RFC 9449 7.1 invalid token", dpop.Challenge{Error: "invalid_token", ErrorDescription: "Invalid DPoP key binding", Algorithms: []jose.Algorithm{jose.ES256}},
			`DPoP error="invalid_token", error_description="Invalid DPoP key binding", algs="ES256"`},
		{"ok/all parameters", dpop.Challenge{Realm: `a "b" \c`, Scope: "diploma openid", Error: "use_dpop_nonce", ErrorDescription: "x", Algorithms: []jose.Algorithm{jose.ES256}},
			`DPoP realm="a \"b\" \\c", scope="diploma openid", error="use_dpop_nonce", error_description="x", algs="ES256"`},
		{"ok/unsafe characters dropped", dpop.Challenge{Error: "e\"\r\nx", ErrorDescription: "a\\b\"c\x00é", Realm: "r\n", Algorithms: []jose.Algorithm{"ES 256", "ES256"}},
			`DPoP realm="r", error="ex", error_description="abc", algs="ES256"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.String(); got != tt.want {
				t.Fatalf("String() =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestChallengeFor(t *testing.T) {
	algs := []jose.Algorithm{jose.ES256}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"ok/nonce", dpop.ErrNonceRequired, `DPoP error="use_dpop_nonce", error_description="DPoP proof rejected: nonce_required", algs="ES256"`},
		{"ok/invalid proof", &dpop.Error{Code: dpop.CodeHTUMismatch, Msg: "internal detail"}, `DPoP error="invalid_dpop_proof", error_description="DPoP proof rejected: htu_mismatch", algs="ES256"`},
		{"ok/key binding", dpop.ErrKeyMismatch, `DPoP error="invalid_token", error_description="Invalid DPoP key binding", algs="ES256"`},
		{"ok/server fault", dpop.ErrInvalidArgument, `DPoP algs="ES256"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := dpop.ChallengeFor(tt.err, algs...).String(); got != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}
