package trustlist

import (
	"bytes"
	"slices"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
)

// loteAlgs are the JWS algorithms VerifyLoTE accepts. RSA (RS256/PS256, which JAdES also
// allows) is not implemented by internal/jose and is reported as unsupported_algorithm.
var loteAlgs = []jose.Algorithm{jose.ES256, jose.ES384}

// loteTypes are the accepted "typ" header values besides an absent one. TS 119 602 does not
// mandate a "typ" for the JSON binding; the EU–JP PoC and the EUDI LoTE library publish and
// fetch LoTEs "as JWT" (application/jwt), so "JWT" and "application/jwt" are accepted (RFC
// 7515 comparison) and every other value is refused so that tokens of other kinds (SD-JWT
// VCs, status list tokens, ...) signed by the same key cannot pass as lists.
var loteTypes = []string{"JWT", "application/jwt"}

// VerifyLoTE verifies an ETSI TS 119 602 JSON List of Trusted Entities distributed as a
// compact JWS and returns the list parsed (with ParseLoTE) from the verified payload.
// Surrounding whitespace (a trailing newline in a file) is ignored.
//
// It checks: the size limit (MaxLoTEJWSSize); a strict compact JWS (internal/jose.Parse: no
// "crit", no unencoded payload, no duplicate header members); "alg" ES256 or ES384 (anything
// else, including none, HMAC and RSA, is unsupported_algorithm); "typ" absent, "JWT" or
// "application/jwt"; an "x5c" header whose leaf verifies the signature; the leaf equal byte
// for byte to one of opts.Signers (pinned; no path building, further x5c certificates are
// ignored) and within its validity period at opts.At; a JAdES "sigT" header, if present, is an
// RFC 3339 time; and then every check of ParseLoTE on the payload.
//
// It does NOT check: the list's freshness (NextUpdate), its sequence number against a cached
// one, the EU profile rules, JAdES beyond "sigT" (signing-certificate digests "x5t#S256",
// "sigD" detached payloads and the JSON serialization are not supported), or revocation of
// the signer.
func VerifyLoTE(compact []byte, opts VerifyOptions) (*List, error) {
	if err := checkOptions(opts); err != nil {
		return nil, err
	}
	if len(compact) > MaxLoTEJWSSize {
		return nil, errorf(CodeTooLarge, nil, "JWS is %d bytes, limit %d", len(compact), MaxLoTEJWSSize)
	}
	jws, err := jose.Parse(string(bytes.TrimSpace(compact)))
	if err != nil {
		return nil, errorf(CodeMalformed, err, "not a compact JWS")
	}
	alg := jose.Algorithm(jws.Header.Alg)
	if alg != jose.ES256 && alg != jose.ES384 {
		return nil, errorf(CodeUnsupportedAlgorithm, nil, "JWS algorithm %q (want ES256 or ES384)", jws.Header.Alg)
	}
	if typ := jws.Header.Typ; typ != "" && !slices.ContainsFunc(loteTypes, func(w string) bool { return jose.TypeEqual(typ, w) }) {
		return nil, errorf(CodeMalformed, nil, "JWS typ %q is not a LoTE (want none, JWT or application/jwt)", typ)
	}
	if len(jws.Header.X5C) == 0 {
		return nil, errorf(CodeSignatureInvalid, nil, "JWS header has no x5c signer certificate")
	}
	chain, err := jws.Header.Certificates()
	if err != nil {
		return nil, errorf(CodeSignatureInvalid, err, "x5c")
	}
	signer := chain[0]
	if err := jws.Verify(signer.PublicKey, loteAlgs...); err != nil {
		switch jose.CodeOf(err) {
		case jose.CodeUnsupportedAlgorithm:
			return nil, errorf(CodeUnsupportedAlgorithm, err, "JWS")
		default:
			return nil, errorf(CodeSignatureInvalid, err, "JWS")
		}
	}
	if err := checkSigner(signer, opts); err != nil {
		return nil, err
	}
	info := &Signature{Signer: signer, Method: string(alg)}
	var sigT string
	if ok, err := jws.Header.Member("sigT", &sigT); err != nil {
		return nil, errorf(CodeMalformed, err, "JAdES sigT")
	} else if ok {
		if info.SigningTime, err = time.Parse(time.RFC3339, sigT); err != nil {
			return nil, errorf(CodeMalformed, err, "JAdES sigT")
		}
		info.SigningTime = info.SigningTime.UTC()
	}
	l, err := ParseLoTE(jws.Payload)
	if err != nil {
		return nil, prefixed(err, "JWS payload")
	}
	l.Signature = info
	return l, nil
}
