package dpop

import (
	"crypto"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
)

// Request describes the HTTP request a proof arrived with.
type Request struct {
	// Method is the request method, compared with "htm" exactly (case-sensitive), e.g. "POST".
	Method string
	// URL is the request's target URI as the client addressed it, e.g.
	// "https://issuer.example/credential". Build it from the service's configured public
	// base URL and the request path, not from the Host or X-Forwarded-* headers. Query and
	// fragment are ignored; it is normalized as HTU describes.
	URL string
	// AccessToken is the access token presented with the request (Authorization: DPoP
	// <token>), or "" when there is none (token, PAR and nonce endpoints). When set, the
	// proof must carry its hash in "ath" and Policy.BoundJKT is required; when empty, a
	// proof carrying "ath" is rejected (§7: a proof meant for use with an access token must
	// not be usable without one).
	AccessToken string
}

// Policy holds what the server expects of a proof on one request. The zero Policy is
// invalid (Now is required); unset durations and algorithms take the documented defaults.
type Policy struct {
	// Now is the verification time. Required.
	Now time.Time
	// Algorithms is the allow-list for "alg" (dpop_signing_alg_values_supported). Only
	// jose.ES256, jose.ES384 and jose.EdDSA may be listed. Default: ES256 only (HAIP).
	Algorithms []jose.Algorithm
	// MaxAge is how old "iat" may be: a proof is accepted while Now < iat+MaxAge.
	// Default: 5m. At most 1h.
	MaxAge time.Duration
	// ClockSkew is how far "iat" may lie in the future. Default: 1m. At most 5m.
	ClockSkew time.Duration
	// ExpectedNonce, when set, is the nonce the server gave this client in DPoP-Nonce; the
	// proof's "nonce" must equal it (§4.3 check 10, §11.3).
	ExpectedNonce string
	// AcceptNonce, when set, decides whether a proof's "nonce" is one the server issued and
	// still accepts (servers keep a window of recent nonces, §8). Set at most one of
	// ExpectedNonce and AcceptNonce; with either, a proof without "nonce" is rejected with
	// CodeNonceRequired.
	AcceptNonce func(nonce string) bool
	// BoundJKT, when set, is the RFC 7638 thumbprint the token at hand is bound to: cnf.jkt
	// of the access token (§6), the key a refresh token is bound to (§5), or dpop_jkt of the
	// authorization request (§10). The proof key's thumbprint must equal it. Required when
	// Request.AccessToken is set.
	BoundJKT string
}

// ReplayWindow returns how long, from Now, a server must remember the jti of a proof it
// accepts under p: MaxAge + ClockSkew (the latest iat it accepts is Now+ClockSkew, and such
// a proof stays acceptable until iat+MaxAge). Proof.ExpiresAt gives the exact time for one
// proof; prefer it.
func (p Policy) ReplayWindow() time.Duration {
	r, err := p.resolve()
	if err != nil {
		return 0
	}
	return r.MaxAge + r.ClockSkew
}

// resolve checks p and fills in defaults.
func (p Policy) resolve() (Policy, error) {
	if p.Now.IsZero() {
		return p, errorf(CodeInvalidArgument, nil, "zero Policy.Now")
	}
	if len(p.Algorithms) == 0 {
		p.Algorithms = []jose.Algorithm{jose.ES256}
	}
	for _, a := range p.Algorithms {
		switch a {
		case jose.ES256, jose.ES384, jose.EdDSA:
		default:
			return p, errorf(CodeInvalidArgument, nil, "algorithm %q is not supported for DPoP proofs", a)
		}
	}
	switch {
	case p.MaxAge == 0:
		p.MaxAge = defaultMaxAge
	case p.MaxAge < 0 || p.MaxAge > maxMaxAge:
		return p, errorf(CodeInvalidArgument, nil, "Policy.MaxAge %v is outside (0, %v]", p.MaxAge, maxMaxAge)
	}
	switch {
	case p.ClockSkew == 0:
		p.ClockSkew = defaultClockSkew
	case p.ClockSkew < 0 || p.ClockSkew > maxClockSkew:
		return p, errorf(CodeInvalidArgument, nil, "Policy.ClockSkew %v is outside (0, %v]", p.ClockSkew, maxClockSkew)
	}
	if p.ExpectedNonce != "" && p.AcceptNonce != nil {
		return p, errorf(CodeInvalidArgument, nil, "both Policy.ExpectedNonce and Policy.AcceptNonce are set")
	}
	return p, nil
}

// Proof is a verified DPoP proof.
type Proof struct {
	// JKT is the RFC 7638 SHA-256 thumbprint of the proof key, base64url: the cnf.jkt to bind
	// an issued access token to (§6.1).
	JKT string
	// JTI is the proof's "jti".
	JTI string
	// IssuedAt is the proof's "iat" (millisecond precision).
	IssuedAt time.Time
	// ExpiresAt is IssuedAt + Policy.MaxAge: the proof is acceptable until then, so its jti
	// must be remembered until then (see ReplayKey). It is always after Policy.Now.
	ExpiresAt time.Time
	// Nonce is the proof's "nonce", or "".
	Nonce string
	// Algorithm is the proof's "alg".
	Algorithm jose.Algorithm
	// Key is the proof's public key (from "jwk").
	Key crypto.PublicKey
}

// ReplayKey returns the value under which a server records this proof in its single-use
// store: base64url(SHA-256(JKT, JTI)), 43 characters whatever the jti's length (§11.1: store
// only a hash of large jti values). Keying by key and jti (not by URI) is stricter than
// §11.1 asks: a client never reuses a jti. For example, with internal/sqldb:
//
//	err := singleUse.Remember(ctx, "issuer.dpop_jti", proof.ReplayKey(), proof.ExpiresAt, now)
//	// errors.Is(err, sqldb.ErrConflict): a replay; reject with invalid_dpop_proof.
func (p *Proof) ReplayKey() string {
	h := sha256.New()
	h.Write([]byte("dpop-jti\x00"))
	h.Write([]byte(p.JKT))
	h.Write([]byte{0})
	h.Write([]byte(p.JTI))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

// VerifyHeader verifies the DPoP header of a request, given all its values (for example
// http.Header.Values("DPoP")): it rejects no value or an empty one with CodeMissing, and
// more than one value, or one holding a comma (several fields joined by a proxy), with
// CodeMultiple (§4.3 checks 1, 2). Surrounding spaces and tabs are ignored. It then calls
// Verify.
func VerifyHeader(values []string, req Request, p Policy) (*Proof, error) {
	switch len(values) {
	case 0:
		return nil, errorf(CodeMissing, nil, "no DPoP header")
	case 1:
	default:
		return nil, errorf(CodeMultiple, nil, "%d DPoP header fields", len(values))
	}
	v := strings.Trim(values[0], " \t")
	if strings.IndexByte(v, ',') >= 0 {
		return nil, errorf(CodeMultiple, nil, "DPoP header holds several values")
	}
	return Verify(v, req, p)
}

// Verify checks a DPoP proof (RFC 9449 §4.3) for req under p and returns it. It checks:
//
//   - the proof is one compact JWS of at most MaxProofSize bytes, parsed strictly by
//     jose.Parse (no "crit", no duplicate members, valid UTF-8);
//   - "typ" is dpop+jwt, compared as RFC 7515 §4.1.9 says (case-insensitively, with an
//     optional "application/" prefix);
//   - "alg" is in Policy.Algorithms (never "none" or an HMAC);
//   - "jwk" is present, holds no private key members, is a supported public key (a P-256
//     point on the curve for ES256) and fits "alg";
//   - the signature verifies with that key, over the exact bytes received;
//   - the claims are a JSON object with string "jti" (1 to 128 bytes), "htm" and "htu",
//     and a numeric "iat"; "nonce" and "ath", when present, are strings;
//   - "htm" equals Request.Method exactly;
//   - "htu" equals Request.URL after normalizing both with HTU (query and fragment ignored);
//   - Now-MaxAge < iat <= Now+ClockSkew;
//   - with Request.AccessToken, "ath" is its hash; without it, "ath" is absent;
//   - with Policy.BoundJKT, the key's thumbprint equals it;
//   - with Policy.ExpectedNonce or AcceptNonce, "nonce" is present and accepted. The nonce
//     is checked last, so CodeNonceRequired and CodeNonceMismatch mean that the proof is
//     otherwise valid and a retry with the nonce will pass.
//
// WARNING: Verify does not detect replays; the caller must. For each proof it accepts, it
// must record Proof.ReplayKey in a single-use store shared by all replicas until
// Proof.ExpiresAt, atomically, and reject the request if the key is already live (see
// ReplayKey). Nor does Verify check the access token itself, decide whether DPoP is required
// (a request with Authorization: Bearer for a DPoP-bound token must be rejected by the
// caller, §7.2), issue nonces, or bind "htu" to anything but Request.URL. Claims other than
// the above, and header members other than typ, alg and jwk (kid, x5c), are ignored.
func Verify(proof string, req Request, p Policy) (*Proof, error) {
	pol, err := p.resolve()
	if err != nil {
		return nil, err
	}
	if !isToken(req.Method) || len(req.Method) > maxMethodLength {
		return nil, errorf(CodeInvalidArgument, nil, "Request.Method %q is not an HTTP method token", req.Method)
	}
	wantHTU, herr := normalizeHTU(req.URL)
	if herr != nil {
		return nil, errorf(CodeInvalidArgument, nil, "Request.URL: %s", herr.msg)
	}
	if req.AccessToken != "" && pol.BoundJKT == "" {
		return nil, errorf(CodeInvalidArgument, nil, "Request.AccessToken without Policy.BoundJKT")
	}

	if proof == "" {
		return nil, errorf(CodeMissing, nil, "empty proof")
	}
	if len(proof) > MaxProofSize {
		return nil, errorf(CodeMalformed, nil, "proof is %d bytes, more than %d", len(proof), MaxProofSize)
	}
	jws, err := jose.Parse(proof)
	if err != nil {
		return nil, errorf(CodeMalformed, err, "not a compact JWS")
	}
	if err := jws.CheckType(Type); err != nil {
		return nil, errorf(CodeBadType, err, "typ")
	}
	alg := jose.Algorithm(jws.Header.Alg)
	if !slices.Contains(pol.Algorithms, alg) {
		return nil, errorf(CodeBadAlgorithm, nil, "alg %q is not allowed (allowed: %v)", jws.Header.Alg, pol.Algorithms)
	}
	key, err := headerKey(jws.Header.JWK)
	if err != nil {
		return nil, err
	}
	if err := jws.Verify(key, alg); err != nil {
		switch jose.CodeOf(err) {
		case jose.CodeInvalidSignature:
			return nil, errorf(CodeBadSignature, err, "signature")
		case jose.CodeUnsupportedAlgorithm:
			return nil, errorf(CodeBadAlgorithm, err, "alg")
		default:
			return nil, errorf(CodeBadKey, err, "jwk does not fit alg %s", alg)
		}
	}

	c, err := parseClaims(jws.Payload)
	if err != nil {
		return nil, err
	}
	if c.htm != req.Method {
		return nil, errorf(CodeHTMMismatch, nil, "htm %q, request method %q", c.htm, req.Method)
	}
	gotHTU, herr := normalizeHTU(c.htu)
	if herr != nil {
		return nil, errorf(CodeHTUMismatch, nil, "htu: %s", herr.msg)
	}
	if gotHTU != wantHTU {
		return nil, errorf(CodeHTUMismatch, nil, "htu %q, request URI %q", gotHTU, wantHTU)
	}
	if !c.iat.After(pol.Now.Add(-pol.MaxAge)) {
		return nil, errorf(CodeIATOutOfWindow, nil, "iat %s is more than %v before %s", c.iat.UTC().Format(time.RFC3339), pol.MaxAge, pol.Now.UTC().Format(time.RFC3339))
	}
	if c.iat.After(pol.Now.Add(pol.ClockSkew)) {
		return nil, errorf(CodeIATOutOfWindow, nil, "iat %s is more than %v after %s", c.iat.UTC().Format(time.RFC3339), pol.ClockSkew, pol.Now.UTC().Format(time.RFC3339))
	}
	switch {
	case req.AccessToken != "" && !c.hasATH:
		return nil, errorf(CodeATHMismatch, nil, "no ath although an access token was presented")
	case req.AccessToken != "" && !equal(c.ath, AccessTokenHash(req.AccessToken)):
		return nil, errorf(CodeATHMismatch, nil, "ath is not the hash of the presented access token")
	case req.AccessToken == "" && c.hasATH:
		return nil, errorf(CodeATHMismatch, nil, "ath present although no access token was presented")
	}
	jkt, err := jose.Thumbprint(key)
	if err != nil {
		return nil, errorf(CodeBadKey, err, "thumbprint")
	}
	if pol.BoundJKT != "" && !equal(jkt, pol.BoundJKT) {
		return nil, errorf(CodeKeyMismatch, nil, "proof key is not the key the token is bound to")
	}
	if pol.ExpectedNonce != "" || pol.AcceptNonce != nil {
		if !c.hasNonce {
			return nil, errorf(CodeNonceRequired, nil, "no nonce")
		}
		if pol.ExpectedNonce != "" && !equal(c.nonce, pol.ExpectedNonce) {
			return nil, errorf(CodeNonceMismatch, nil, "nonce is not the expected one")
		}
		if pol.AcceptNonce != nil && !pol.AcceptNonce(c.nonce) {
			return nil, errorf(CodeNonceMismatch, nil, "nonce is not accepted")
		}
	}
	return &Proof{
		JKT:       jkt,
		JTI:       c.jti,
		IssuedAt:  c.iat,
		ExpiresAt: c.iat.Add(pol.MaxAge),
		Nonce:     c.nonce,
		Algorithm: alg,
		Key:       key,
	}, nil
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// privateMembers are the JWK members that carry private or symmetric key material (RFC 7518
// §6.2.2, §6.3.2, §6.4.1; RFC 8037 §2).
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// headerKey decodes the "jwk" header into a public key.
func headerKey(raw json.RawMessage) (crypto.PublicKey, error) {
	if len(raw) == 0 {
		return nil, errorf(CodeBadKey, nil, "no jwk header")
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, errorf(CodeBadKey, err, "jwk is not a JSON object")
	}
	for _, name := range privateMembers {
		if _, ok := m[name]; ok {
			return nil, errorf(CodeBadKey, nil, "jwk holds private key member %q", name)
		}
	}
	key, err := jose.PublicKeyFromMap(m)
	if err != nil {
		return nil, errorf(CodeBadKey, err, "jwk")
	}
	return key, nil
}

type claims struct {
	jti, htm, htu    string
	iat              time.Time
	nonce, ath       string
	hasNonce, hasATH bool
}

// parseClaims decodes the payload into exact, case-sensitive members (encoding/json would
// match struct fields case-insensitively, letting "JTI" stand in for "jti").
func parseClaims(payload []byte) (*claims, error) {
	var m map[string]json.RawMessage
	if err := jose.DecodeJSON(payload, &m); err != nil || m == nil {
		return nil, errorf(CodeMalformed, err, "claims are not a JSON object")
	}
	var c claims
	var ok bool
	var err error
	for _, r := range []struct {
		name     string
		dst      *string
		present  *bool
		required bool
	}{
		{"jti", &c.jti, nil, true},
		{"htm", &c.htm, nil, true},
		{"htu", &c.htu, nil, true},
		{"nonce", &c.nonce, &c.hasNonce, false},
		{"ath", &c.ath, &c.hasATH, false},
	} {
		raw, present := m[r.name]
		if !present {
			if r.required {
				return nil, errorf(CodeMalformed, nil, "missing claim %q", r.name)
			}
			continue
		}
		if *r.dst, ok = decodeString(raw); !ok {
			return nil, errorf(CodeMalformed, nil, "claim %q is not a string", r.name)
		}
		if r.required && *r.dst == "" {
			return nil, errorf(CodeMalformed, nil, "claim %q is empty", r.name)
		}
		if r.present != nil {
			*r.present = true
		}
	}
	if len(c.jti) > maxJTILength {
		return nil, errorf(CodeMalformed, nil, "jti is longer than %d bytes", maxJTILength)
	}
	raw, present := m["iat"]
	if !present {
		return nil, errorf(CodeMalformed, nil, `missing claim "iat"`)
	}
	if c.iat, err = numericDate(raw); err != nil {
		return nil, err
	}
	return &c, nil
}

func decodeString(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

// numericDate decodes a JSON number of seconds since the epoch (RFC 7519 §2), to millisecond
// precision, rounding down.
func numericDate(raw json.RawMessage) (time.Time, error) {
	if len(raw) == 0 || !(raw[0] == '-' || '0' <= raw[0] && raw[0] <= '9') {
		return time.Time{}, errorf(CodeMalformed, nil, `claim "iat" is not a number`)
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		// Only a magnitude beyond float64 gets here (the JSON was checked): out of any window.
		return time.Time{}, errorf(CodeIATOutOfWindow, nil, `claim "iat" is out of range`)
	}
	if f < 0 || f > maxNumericDate {
		return time.Time{}, errorf(CodeIATOutOfWindow, nil, `claim "iat" %s is out of range`, raw)
	}
	return time.UnixMilli(int64(math.Floor(f * 1000))), nil
}
