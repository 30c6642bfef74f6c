package dpop

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
)

// Protocol names of RFC 9449.
const (
	// Type is the "typ" header of a DPoP proof (§4.2).
	Type = "dpop+jwt"
	// HeaderName is the HTTP request header that carries a proof (§4.1).
	HeaderName = "DPoP"
	// NonceHeaderName is the HTTP response header that carries a server nonce (§8, §9).
	NonceHeaderName = "DPoP-Nonce"
	// Scheme is the Authorization scheme of DPoP-bound access tokens (§7.1) and the
	// token_type of a token response that binds one (§5).
	Scheme = "DPoP"
)

// ProofOptions holds the per-request inputs of a proof.
type ProofOptions struct {
	// IssuedAt becomes "iat", in whole seconds. Required: time is an input.
	IssuedAt time.Time
	// AccessToken, when set, is the access token sent with the request; the proof then
	// carries its hash in "ath" (§4.2, §7). Leave it empty at the token endpoint.
	AccessToken string
	// Nonce, when set, is the last DPoP-Nonce the server sent; it becomes "nonce" (§8, §9).
	// It must match the nonce syntax (1*NQCHAR, §8.1).
	Nonce string
	// JTI becomes "jti". Default: 128 random bits, base64url. Set it only in tests.
	JTI string
}

// Prover makes DPoP proofs with one key. Reuse it for every request of a session: it encodes
// the protected header once. It is safe for concurrent use.
type Prover struct {
	signer *jose.Signer
	jkt    string
}

// NewProver returns a Prover for key. The algorithm follows from the key: ES256 for P-256
// (the one HAIP requires and Verify accepts by default), ES384 for P-384, EdDSA for Ed25519.
// The proofs carry "typ" dpop+jwt and the public key as "jwk".
func NewProver(key crypto.Signer) (*Prover, error) {
	if key == nil {
		return nil, errorf(CodeInvalidArgument, nil, "no signing key")
	}
	s, err := jose.NewSigner(key, jose.SignHeader{Typ: Type, JWK: key.Public()})
	if err != nil {
		return nil, errorf(CodeInvalidArgument, err, "signing key")
	}
	jkt, err := jose.Thumbprint(key.Public())
	if err != nil {
		return nil, errorf(CodeInvalidArgument, err, "signing key thumbprint")
	}
	return &Prover{signer: s, jkt: jkt}, nil
}

// JKT returns the RFC 7638 SHA-256 thumbprint of the prover's public key, base64url: the
// value of the dpop_jkt authorization request parameter (§10) and of the cnf.jkt the server
// binds tokens to (§6.1).
func (p *Prover) JKT() string { return p.jkt }

// Algorithm returns the proofs' "alg".
func (p *Prover) Algorithm() jose.Algorithm { return p.signer.Algorithm() }

// Proof returns a DPoP proof for a request with the given method (sent as is, e.g. "POST")
// and URL (sent as "htu" in the form HTU returns: without query and fragment, normalized).
func (p *Prover) Proof(method, url string, opts ProofOptions) (string, error) {
	if !isToken(method) || len(method) > maxMethodLength {
		return "", errorf(CodeInvalidArgument, nil, "method %q is not an HTTP method token", method)
	}
	htu, herr := normalizeHTU(url)
	if herr != nil {
		return "", errorf(CodeInvalidArgument, nil, "url: %s", herr.msg)
	}
	if opts.IssuedAt.IsZero() {
		return "", errorf(CodeInvalidArgument, nil, "zero IssuedAt")
	}
	if opts.Nonce != "" && (!ValidNonce(opts.Nonce) || len(opts.Nonce) > maxNonceLength) {
		return "", errorf(CodeInvalidArgument, nil, "nonce does not match 1*NQCHAR or is longer than %d bytes", maxNonceLength)
	}
	jti := opts.JTI
	if jti == "" {
		var r [jtiBytes]byte
		if _, err := rand.Read(r[:]); err != nil {
			return "", errorf(CodeInvalidArgument, err, "random jti")
		}
		jti = base64.RawURLEncoding.EncodeToString(r[:])
	} else if len(jti) > maxJTILength {
		return "", errorf(CodeInvalidArgument, nil, "jti longer than %d bytes", maxJTILength)
	}
	c := proofClaims{JTI: jti, HTM: method, HTU: htu, IAT: opts.IssuedAt.Unix(), Nonce: opts.Nonce}
	if opts.AccessToken != "" {
		c.ATH = AccessTokenHash(opts.AccessToken)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(c); err != nil {
		return "", errorf(CodeInvalidArgument, err, "encode claims")
	}
	tok, err := p.signer.Sign(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	if err != nil {
		return "", errorf(CodeInvalidArgument, err, "sign")
	}
	return tok, nil
}

type proofClaims struct {
	JTI   string `json:"jti"`
	HTM   string `json:"htm"`
	HTU   string `json:"htu"`
	IAT   int64  `json:"iat"`
	ATH   string `json:"ath,omitempty"`
	Nonce string `json:"nonce,omitempty"`
}

// NewProof returns a DPoP proof for one request, signed with key; see NewProver and
// Prover.Proof. Clients making many requests should keep a Prover.
func NewProof(key crypto.Signer, method, url string, opts ProofOptions) (string, error) {
	p, err := NewProver(key)
	if err != nil {
		return "", err
	}
	return p.Proof(method, url, opts)
}

// AccessTokenHash returns the "ath" value for an access token: base64url (no padding) of the
// SHA-256 of its ASCII bytes (§4.2).
func AccessTokenHash(accessToken string) string {
	h := sha256.Sum256([]byte(accessToken))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// ValidNonce reports whether s has the nonce syntax of §8.1 (1*NQCHAR: printable ASCII
// other than '"' and '\'). Clients check a DPoP-Nonce header with it before using the value.
func ValidNonce(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// ResponseNonce returns the nonce of a response's DPoP-Nonce header, given all its values
// (for example http.Header.Values("DPoP-Nonce")). It reports false when there is none, more
// than one (§8 forbids it) or one that does not match the nonce syntax (§8.1); a client then
// keeps the nonce it had.
func ResponseNonce(values []string) (string, bool) {
	if len(values) != 1 {
		return "", false
	}
	v := strings.Trim(values[0], " \t")
	if !ValidNonce(v) || len(v) > maxNonceLength {
		return "", false
	}
	return v, true
}

// isToken reports whether s is an RFC 9110 token (the syntax of a method name).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// String identifies the prover by its key thumbprint; it never prints key material.
func (p *Prover) String() string { return "dpop.Prover{jkt:" + p.jkt + "}" }
