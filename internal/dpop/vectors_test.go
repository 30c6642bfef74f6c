package dpop_test

import (
	"crypto/ecdsa"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/dpop"
	"github.com/hashi-vc/hashi/internal/jose"
)

// The example proofs of RFC 9449 (https://www.rfc-editor.org/rfc/rfc9449), with the RFC 8792
// line wrapping undone. All three are signed by the key in their "jwk" header, whose RFC 7638
// thumbprint the RFC gives as cnf.jkt in §6.1.
const (
	// rfcTokenProof is Figure 1 (§4.1) and Figure 4 (§5): POST https://server.example.com/token,
	// iat 1562262616.
	rfcTokenProof = "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6Ik" +
		"VDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCR" +
		"nMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JE" +
		"QSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIj" +
		"oiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwia" +
		"WF0IjoxNTYyMjYyNjE2fQ.2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg" +
		"4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg"
	// rfcRefreshProof is Figure 6 (§5): the refresh token request, iat 1562265296.
	rfcRefreshProof = "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6Ik" +
		"VDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCR" +
		"nMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JE" +
		"QSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIj" +
		"oiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwia" +
		"WF0IjoxNTYyMjY1Mjk2fQ.pAqut2IRDm_De6PR93SYmGBPXpwrAk90e8cP2hjiaG5Qs" +
		"GSuKDYW7_X620BxqhvYC8ynrrvZLTk41mSRroapUA"
	// rfcResourceProof is Figure 12 (§7.1): GET https://resource.example.org/protectedresource
	// with access token rfcAccessToken, iat 1562262618, ath.
	rfcResourceProof = "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6Ik" +
		"VDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCR" +
		"nMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JE" +
		"QSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiJlMWozVl9iS2ljOC1MQUVCIiwiaHRtIj" +
		"oiR0VUIiwiaHR1IjoiaHR0cHM6Ly9yZXNvdXJjZS5leGFtcGxlLm9yZy9wcm90ZWN0Z" +
		"WRyZXNvdXJjZSIsImlhdCI6MTU2MjI2MjYxOCwiYXRoIjoiZlVIeU8ycjJaM0RaNTNF" +
		"c05yV0JiMHhXWG9hTnk1OUlpS0NBcWtzbVFFbyJ9.2oW9RP35yRqzhrtNP86L-Ey71E" +
		"OptxRimPPToA1plemAgR6pxHF8y6-yqyVnmcw6Fy1dqd-jfxSYoMxhAJpLjA"
	rfcAccessToken = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"
	// rfcJKT is cnf.jkt of Figure 7 (§6.1), the thumbprint of the examples' key.
	rfcJKT = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
	// rfcATH is the ath of Figure 13 (§7.1).
	rfcATH = "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"
)

func TestRFC9449Vectors(t *testing.T) {
	tests := []struct {
		name     string
		proof    string
		req      dpop.Request
		pol      dpop.Policy
		wantJTI  string
		wantIAT  int64
		wantCode dpop.Code
	}{
		{
			name:    "ok/token request",
			proof:   rfcTokenProof,
			req:     dpop.Request{Method: "POST", URL: "https://server.example.com/token"},
			pol:     dpop.Policy{Now: time.Unix(1562262616+30, 0)},
			wantJTI: "-BwC3ESc6acc2lTc", wantIAT: 1562262616,
		},
		{
			name:    "ok/token request, normalized request URL with query",
			proof:   rfcTokenProof,
			req:     dpop.Request{Method: "POST", URL: "HTTPS://Server.Example.com:443/token?x=1"},
			pol:     dpop.Policy{Now: time.Unix(1562262616, 0)},
			wantJTI: "-BwC3ESc6acc2lTc", wantIAT: 1562262616,
		},
		{
			name:    "ok/refresh request bound to the refresh token's key",
			proof:   rfcRefreshProof,
			req:     dpop.Request{Method: "POST", URL: "https://server.example.com/token"},
			pol:     dpop.Policy{Now: time.Unix(1562265296, 0), BoundJKT: rfcJKT},
			wantJTI: "-BwC3ESc6acc2lTc", wantIAT: 1562265296,
		},
		{
			name:    "ok/resource request with access token",
			proof:   rfcResourceProof,
			req:     dpop.Request{Method: "GET", URL: "https://resource.example.org/protectedresource", AccessToken: rfcAccessToken},
			pol:     dpop.Policy{Now: time.Unix(1562262618, 0), BoundJKT: rfcJKT},
			wantJTI: "e1j3V_bKic8-LAEB", wantIAT: 1562262618,
		},
		{
			name:     "fail/token request too old",
			proof:    rfcTokenProof,
			req:      dpop.Request{Method: "POST", URL: "https://server.example.com/token"},
			pol:      dpop.Policy{Now: time.Unix(1562262616+300, 0)},
			wantCode: dpop.CodeIATOutOfWindow,
		},
		{
			name:     "fail/token request in the future",
			proof:    rfcTokenProof,
			req:      dpop.Request{Method: "POST", URL: "https://server.example.com/token"},
			pol:      dpop.Policy{Now: time.Unix(1562262616-61, 0)},
			wantCode: dpop.CodeIATOutOfWindow,
		},
		{
			name:     "fail/resource proof presented with another token",
			proof:    rfcResourceProof,
			req:      dpop.Request{Method: "GET", URL: "https://resource.example.org/protectedresource", AccessToken: rfcAccessToken + "x"},
			pol:      dpop.Policy{Now: time.Unix(1562262618, 0), BoundJKT: rfcJKT},
			wantCode: dpop.CodeATHMismatch,
		},
		{
			name:     "fail/resource proof presented without a token",
			proof:    rfcResourceProof,
			req:      dpop.Request{Method: "GET", URL: "https://resource.example.org/protectedresource"},
			pol:      dpop.Policy{Now: time.Unix(1562262618, 0)},
			wantCode: dpop.CodeATHMismatch,
		},
		{
			name:     "fail/token proof at the resource",
			proof:    rfcTokenProof,
			req:      dpop.Request{Method: "POST", URL: "https://resource.example.org/protectedresource"},
			pol:      dpop.Policy{Now: time.Unix(1562262616, 0)},
			wantCode: dpop.CodeHTUMismatch,
		},
		{
			name:     "fail/token proof bound to another key",
			proof:    rfcTokenProof,
			req:      dpop.Request{Method: "POST", URL: "https://server.example.com/token"},
			pol:      dpop.Policy{Now: time.Unix(1562262616, 0), BoundJKT: "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"},
			wantCode: dpop.CodeKeyMismatch,
		},
		{
			name:     "fail/ES256 not allowed",
			proof:    rfcTokenProof,
			req:      dpop.Request{Method: "POST", URL: "https://server.example.com/token"},
			pol:      dpop.Policy{Now: time.Unix(1562262616, 0), Algorithms: []jose.Algorithm{jose.EdDSA}},
			wantCode: dpop.CodeBadAlgorithm,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := dpop.Verify(tt.proof, tt.req, tt.pol)
			wantCode(t, err, tt.wantCode)
			if err != nil {
				return
			}
			if p.JKT != rfcJKT || p.JTI != tt.wantJTI || p.IssuedAt.Unix() != tt.wantIAT ||
				p.Algorithm != jose.ES256 || !p.ExpiresAt.Equal(time.Unix(tt.wantIAT+300, 0)) {
				t.Fatalf("proof = %+v", p)
			}
			if _, ok := p.Key.(*ecdsa.PublicKey); !ok {
				t.Fatalf("key is %T", p.Key)
			}
		})
	}
}

func TestRFC9449AccessTokenHash(t *testing.T) {
	if got := dpop.AccessTokenHash(rfcAccessToken); got != rfcATH {
		t.Fatalf("AccessTokenHash = %q, want %q (RFC 9449 Figure 13)", got, rfcATH)
	}
}
