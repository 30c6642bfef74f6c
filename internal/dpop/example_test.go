package dpop_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/hashi-vc/hashi/internal/dpop"
	"github.com/hashi-vc/hashi/internal/jose"
)

// A wallet proves possession of its key at the token endpoint and again, with the access
// token, at the credential endpoint; the issuer checks both proofs and binds the token to
// the key.
func Example() {
	walletKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	prover, _ := dpop.NewProver(walletKey)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

	// Wallet: POST /token with a DPoP header.
	tokenProof, _ := prover.Proof("POST", "https://issuer.example/token", dpop.ProofOptions{IssuedAt: now})

	// Issuer: check it, remember its jti, and issue a token bound to the key (cnf.jkt).
	p, err := dpop.VerifyHeader([]string{tokenProof},
		dpop.Request{Method: "POST", URL: "https://issuer.example/token"},
		dpop.Policy{Now: now.Add(2 * time.Second)})
	fmt.Println("token proof:", err)
	fmt.Println("remember jti for:", p.ExpiresAt.Sub(now))
	cnfJKT := p.JKT

	// Wallet: POST /credential with Authorization: DPoP <token> and a proof carrying ath.
	at := "eyJhbGciOiJFUzI1NiJ9.access-token.sig"
	credProof, _ := prover.Proof("POST", "https://issuer.example/credential",
		dpop.ProofOptions{IssuedAt: now.Add(time.Second), AccessToken: at})

	// Issuer: check the proof against the token and its binding; it wants a nonce too.
	pol := dpop.Policy{Now: now.Add(2 * time.Second), BoundJKT: cnfJKT, ExpectedNonce: "n-42"}
	req := dpop.Request{Method: "POST", URL: "https://issuer.example/credential", AccessToken: at}
	_, err = dpop.Verify(credProof, req, pol)
	fmt.Println("credential proof:", dpop.CodeOf(err))
	fmt.Println("WWW-Authenticate:", dpop.ChallengeFor(err, jose.ES256))

	// Wallet: retry with the DPoP-Nonce it was sent.
	credProof, _ = prover.Proof("POST", "https://issuer.example/credential",
		dpop.ProofOptions{IssuedAt: now.Add(2 * time.Second), AccessToken: at, Nonce: "n-42"})
	_, err = dpop.Verify(credProof, req, pol)
	fmt.Println("retry:", err)
	// Output:
	// token proof: <nil>
	// remember jti for: 5m0s
	// credential proof: nonce_required
	// WWW-Authenticate: DPoP error="use_dpop_nonce", error_description="DPoP proof rejected: nonce_required", algs="ES256"
	// retry: <nil>
}

// Verify checks the example proof of RFC 9449 §4.1 at a time near its iat.
func ExampleVerify() {
	proof := "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ.2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg"
	p, err := dpop.Verify(proof,
		dpop.Request{Method: "POST", URL: "https://server.example.com/token"},
		dpop.Policy{Now: time.Unix(1562262620, 0)})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("cnf.jkt:", p.JKT)
	fmt.Println("jti:", p.JTI)
	fmt.Println("replay key:", p.ReplayKey() != "")

	_, err = dpop.Verify(proof,
		dpop.Request{Method: "POST", URL: "https://server.example.com/token"},
		dpop.Policy{Now: time.Unix(1562262616+600, 0)})
	fmt.Println(dpop.CodeOf(err), dpop.OAuthError(err))
	// Output:
	// cnf.jkt: 0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I
	// jti: -BwC3ESc6acc2lTc
	// replay key: true
	// iat_out_of_window invalid_dpop_proof
}

func ExampleHTU() {
	htu, _ := dpop.HTU("HTTPS://Issuer.Example:443/a/../credential?x=1#top")
	fmt.Println(htu)
	// Output: https://issuer.example/credential
}

func ExampleChallenge() {
	c := dpop.Challenge{Error: dpop.OAuthInvalidToken, ErrorDescription: "Invalid DPoP key binding", Algorithms: []jose.Algorithm{jose.ES256}}
	fmt.Println(c)
	// Output: DPoP error="invalid_token", error_description="Invalid DPoP key binding", algs="ES256"
}

func ExampleAccessTokenHash() {
	fmt.Println(dpop.AccessTokenHash("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"))
	// Output: fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo
}
