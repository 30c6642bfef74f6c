package statuslist

import (
	"crypto"
	"crypto/x509"
	"encoding/json"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
)

// TokenType is the JWS "typ" of a Status List Token (draft-ietf-oauth-status-list-20 §5.1).
// Signers passed to Sign must be built with jose.SignHeader{Typ: TokenType}.
const TokenType = "statuslist+jwt"

// MediaType is the HTTP media type of a Status List Token in JWT format (§8.1).
const MediaType = "application/statuslist+jwt"

// Token is the content of a Status List Token in JWT format (§5.1). Verify returns one whose
// fields were read from a verified token; Sign takes one to issue.
type Token struct {
	// Issuer is the optional "iss" claim; empty when absent.
	Issuer string
	// Subject is "sub": the URI of the Status List Token, equal to the Referenced Token's
	// status_list.uri. Required.
	Subject string
	// IssuedAt is "iat". Required.
	IssuedAt time.Time
	// ExpiresAt is "exp"; the zero time when absent (RECOMMENDED by the spec).
	ExpiresAt time.Time
	// TTL is "ttl", how long the token may be cached before a fresh copy should be fetched;
	// zero when absent (RECOMMENDED by the spec). Sign requires whole seconds.
	TTL time.Duration
	// List is the decoded "status_list". Required.
	List *List
	// AggregationURI is status_list.aggregation_uri; empty when absent.
	AggregationURI string
}

// claimsOut is the JWT Claims Set Sign writes.
type claimsOut struct {
	Iss        string     `json:"iss,omitempty"`
	Sub        string     `json:"sub"`
	Iat        int64      `json:"iat"`
	Exp        int64      `json:"exp,omitempty"`
	TTL        int64      `json:"ttl,omitempty"`
	StatusList StatusList `json:"status_list"`
}

// Sign issues t as a Status List Token with s, which must have been built with
// jose.SignHeader{Typ: TokenType} and carries the issuer's kid or x5c. It requires an
// absolute-URI Subject, a non-zero IssuedAt, an ExpiresAt (if set) after IssuedAt, a TTL (if
// set) of whole positive seconds and a List; iat and exp are written as whole seconds. It
// fails with CodeInvalidArgument otherwise, and when s does not produce typ statuslist+jwt.
func Sign(s *jose.Signer, t *Token) (string, error) {
	if s == nil || t == nil {
		return "", errorf(CodeInvalidArgument, nil, "no signer or token")
	}
	if h := s.Header(); !jose.TypeEqual(h.Typ, TokenType) {
		return "", errorf(CodeInvalidArgument, nil, "signer must be built with typ %q, has %q", TokenType, h.Typ)
	}
	if !absoluteURI(t.Subject) {
		return "", errorf(CodeInvalidArgument, nil, "subject %q is not an absolute URI", t.Subject)
	}
	if !inNumericDateRange(t.IssuedAt) {
		return "", errorf(CodeInvalidArgument, nil, "issued-at time is zero or out of range")
	}
	c := claimsOut{Iss: t.Issuer, Sub: t.Subject, Iat: t.IssuedAt.Unix()}
	if !t.ExpiresAt.IsZero() {
		if !inNumericDateRange(t.ExpiresAt) || t.ExpiresAt.Unix() <= c.Iat {
			return "", errorf(CodeInvalidArgument, nil, "expiry must lie after the issued-at time")
		}
		c.Exp = t.ExpiresAt.Unix()
	}
	if t.TTL != 0 {
		if t.TTL < time.Second || t.TTL%time.Second != 0 || t.TTL > maxTTLSeconds*time.Second {
			return "", errorf(CodeInvalidArgument, nil, "ttl %v is not a positive whole number of seconds", t.TTL)
		}
		c.TTL = int64(t.TTL / time.Second)
	}
	if t.List == nil {
		return "", errorf(CodeInvalidArgument, nil, "no status list")
	}
	sl, err := t.List.Encode()
	if err != nil {
		return "", err
	}
	if t.AggregationURI != "" {
		if !absoluteURI(t.AggregationURI) {
			return "", errorf(CodeInvalidArgument, nil, "aggregation URI is not an absolute URI")
		}
		sl.AggregationURI = t.AggregationURI
	}
	c.StatusList = sl
	payload, err := json.Marshal(c)
	if err != nil {
		return "", errorf(CodeInvalidArgument, err, "encode claims")
	}
	tok, err := s.Sign(payload)
	if err != nil {
		return "", fromJOSE(err, "sign")
	}
	if len(tok) > MaxTokenSize {
		return "", errorf(CodeTooLarge, nil, "token is %d bytes, more than %d", len(tok), MaxTokenSize)
	}
	return tok, nil
}

func inNumericDateRange(t time.Time) bool {
	return !t.IsZero() && t.Unix() >= 0 && t.Unix() <= maxNumericDate
}

// Policy holds the per-request expectations for Verify. Every field without a stated default
// is required: a zero Policy rejects every token.
type Policy struct {
	// URI is the status_list.uri of the Referenced Token; the token's sub must equal it byte
	// for byte.
	URI string
	// Algorithms is the JWS alg allow-list, e.g. []jose.Algorithm{jose.ES256}. "none" and
	// HMAC algorithms are refused even if listed.
	Algorithms []jose.Algorithm
	// Now is the validation time. A zero Now is an error, not "now".
	Now time.Time
	// ClockSkew is how far iat and nbf may lie after Now. Default: 0; at most 5 minutes.
	// exp is compared with Now without skew.
	ClockSkew time.Duration
}

func (p Policy) check() error {
	switch {
	case p.Now.IsZero():
		return errorf(CodeInvalidArgument, nil, "policy has no validation time")
	case !absoluteURI(p.URI):
		return errorf(CodeInvalidArgument, nil, "policy URI %q is not an absolute URI", p.URI)
	case len(p.Algorithms) == 0:
		return errorf(CodeInvalidArgument, nil, "policy allows no algorithms")
	case p.ClockSkew < 0 || p.ClockSkew > maxClockSkew:
		return errorf(CodeInvalidArgument, nil, "clock skew %v is outside [0, %v]", p.ClockSkew, maxClockSkew)
	}
	return nil
}

// UnverifiedToken is a parsed Status List Token whose signature and claims have not been
// checked. Only its header may be inspected, to choose the verification key.
type UnverifiedToken struct {
	jws *jose.JWS
}

// ParseToken decodes a compact Status List Token without verifying it: at most MaxTokenSize
// bytes, three base64url parts, a JSON protected header with "alg" and without "crit". It
// checks neither "typ", nor the signature, nor any claim: call Verify.
func ParseToken(compact string) (*UnverifiedToken, error) {
	if len(compact) > MaxTokenSize {
		return nil, errorf(CodeTooLarge, nil, "token is %d bytes, more than %d", len(compact), MaxTokenSize)
	}
	j, err := jose.Parse(compact)
	if err != nil {
		return nil, fromJOSE(err, "parse token")
	}
	return &UnverifiedToken{jws: j}, nil
}

// Header returns the token's protected header, unverified.
func (u *UnverifiedToken) Header() jose.Header {
	h := u.jws.Header
	h.X5C = append([]string(nil), h.X5C...)
	return h
}

// Certificates decodes the x5c header, leaf first, for the caller's trust decision. It checks
// the encoding and the chain length only, not whether the chain is trusted, and fails with
// CodeInvalidCertificate when x5c is absent or undecodable. After deciding to trust the chain,
// pass the leaf (or its public key) to Verify.
func (u *UnverifiedToken) Certificates() ([]*x509.Certificate, error) {
	certs, err := u.jws.Header.Certificates()
	if err != nil {
		return nil, fromJOSE(err, "x5c")
	}
	return certs, nil
}

// Verify checks the token against key and p and returns its content. key is a
// crypto.PublicKey, or an *x509.Certificate whose public key is used (for example the x5c
// leaf after the caller has decided to trust its chain).
//
// Specifications: draft-ietf-oauth-status-list-20 §5.1
// (https://www.ietf.org/archive/id/draft-ietf-oauth-status-list-20.html#section-5.1) and
// §8.3 (https://www.ietf.org/archive/id/draft-ietf-oauth-status-list-20.html#section-8.3);
// RFC 7519 §7.2; RFC 8725 §3.1, §3.7 and §3.11 (https://www.rfc-editor.org/rfc/rfc8725).
//
// Verify checks, in this order:
//   - p is usable: non-zero Now, absolute URI, non-empty Algorithms, ClockSkew in range;
//   - "typ" is statuslist+jwt (RFC 7515 comparison);
//   - "alg" is in p.Algorithms (never none or HMAC), key fits it, the signature verifies;
//   - the claims are one JSON object without duplicate members; "sub" is a string, "iat" a
//     NumericDate, "status_list" present; "exp" and "nbf" are NumericDates and "iss" a string
//     when present; "ttl", when present, is a positive number;
//   - "sub" equals p.URI byte for byte (CodeSubjectMismatch);
//   - "iat" and "nbf" are not after p.Now+p.ClockSkew (CodeIssuedInFuture);
//   - "exp", when present, is after p.Now (CodeExpired);
//   - "status_list" is well formed and decodes within the limits (see Decode).
//
// Verify does NOT check: whether key is trusted (x5c chains, trusted lists, delegated-signer
// EKUs are the caller's decision), the relation of "iss" to the Referenced Token's issuer,
// freshness beyond exp (use CacheFor and the caller's own bounds on ttl), historical
// resolution (whether iat..exp covers a requested time), or the Referenced Token itself; it
// never fetches anything.
func (u *UnverifiedToken) Verify(key crypto.PublicKey, p Policy) (*Token, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	if c, ok := key.(*x509.Certificate); ok {
		if c == nil {
			return nil, errorf(CodeInvalidArgument, nil, "no verification key")
		}
		key = c.PublicKey
	}
	if key == nil {
		return nil, errorf(CodeInvalidArgument, nil, "no verification key")
	}
	if err := u.jws.CheckType(TokenType); err != nil {
		return nil, fromJOSE(err, "typ")
	}
	if err := u.jws.Verify(key, p.Algorithms...); err != nil {
		return nil, fromJOSE(err, "signature")
	}
	return verifyClaims(u.jws.Payload, p)
}

func verifyClaims(payload []byte, p Policy) (*Token, error) {
	if err := jose.CheckJSON(payload); err != nil {
		return nil, fromJOSE(err, "claims")
	}
	m, ok := jsonObject(payload)
	if !ok {
		return nil, errorf(CodeMalformed, nil, "claims are not a JSON object")
	}
	t := &Token{}
	rawSub, present := m["sub"]
	if !present {
		return nil, errorf(CodeMalformed, nil, `missing "sub"`)
	}
	if t.Subject, ok = jsonString(rawSub); !ok {
		return nil, errorf(CodeMalformed, nil, `"sub" is not a string`)
	}
	rawIat, present := m["iat"]
	if !present {
		return nil, errorf(CodeMalformed, nil, `missing "iat"`)
	}
	if t.IssuedAt, ok = numericDate(rawIat); !ok {
		return nil, errorf(CodeMalformed, nil, `"iat" is not a NumericDate`)
	}
	if raw, present := m["exp"]; present {
		if t.ExpiresAt, ok = numericDate(raw); !ok {
			return nil, errorf(CodeMalformed, nil, `"exp" is not a NumericDate`)
		}
	}
	var nbf time.Time
	if raw, present := m["nbf"]; present {
		if nbf, ok = numericDate(raw); !ok {
			return nil, errorf(CodeMalformed, nil, `"nbf" is not a NumericDate`)
		}
	}
	if raw, present := m["ttl"]; present {
		secs, ok := jsonSeconds(raw, maxTTLSeconds)
		if !ok || secs <= 0 {
			return nil, errorf(CodeMalformed, nil, `"ttl" is not a positive number of seconds`)
		}
		t.TTL = time.Duration(secs * float64(time.Second))
		if t.TTL <= 0 {
			return nil, errorf(CodeMalformed, nil, `"ttl" is not a positive number of seconds`)
		}
	}
	if raw, present := m["iss"]; present {
		if t.Issuer, ok = jsonString(raw); !ok {
			return nil, errorf(CodeMalformed, nil, `"iss" is not a string`)
		}
	}
	rawList, present := m["status_list"]
	if !present {
		return nil, errorf(CodeMalformed, nil, `missing "status_list"`)
	}
	sl, err := parseStatusList(rawList)
	if err != nil {
		return nil, err
	}

	if t.Subject != p.URI {
		return nil, errorf(CodeSubjectMismatch, nil, "sub %q is not the referenced uri %q", t.Subject, p.URI)
	}
	latest := p.Now.Add(p.ClockSkew)
	if t.IssuedAt.After(latest) {
		return nil, errorf(CodeIssuedInFuture, nil, "iat %s is after %s", t.IssuedAt.Format(time.RFC3339), latest.Format(time.RFC3339))
	}
	if !nbf.IsZero() && nbf.After(latest) {
		return nil, errorf(CodeIssuedInFuture, nil, "nbf %s is after %s", nbf.Format(time.RFC3339), latest.Format(time.RFC3339))
	}
	if !t.ExpiresAt.IsZero() && !p.Now.Before(t.ExpiresAt) {
		return nil, errorf(CodeExpired, nil, "exp %s is not after %s", t.ExpiresAt.Format(time.RFC3339), p.Now.Format(time.RFC3339))
	}

	if t.List, err = Decode(sl); err != nil {
		return nil, err
	}
	t.AggregationURI = sl.AggregationURI
	return t, nil
}

// CacheFor returns how long after now the token may be served from a cache: until the
// earlier of exp and iat+ttl (the "check for updates at iat + ttl" policy of §13.7), never
// negative. ok is false when the token has neither exp nor ttl; the caller then falls back to
// its own bound (HTTP caching headers, a configured maximum). Callers that prefer "fetch time
// + ttl" compute it from TTL. Callers should also clamp the result to their own bounds
// (§11.5).
func (t *Token) CacheFor(now time.Time) (d time.Duration, ok bool) {
	var until time.Time
	if t.TTL > 0 {
		until = t.IssuedAt.Add(t.TTL)
	}
	if !t.ExpiresAt.IsZero() && (until.IsZero() || t.ExpiresAt.Before(until)) {
		until = t.ExpiresAt
	}
	if until.IsZero() {
		return 0, false
	}
	return max(until.Sub(now), 0), true
}
