package dpop

import (
	"strings"

	"github.com/hashi-vc/hashi/internal/jose"
)

// Challenge is a WWW-Authenticate challenge of the DPoP scheme (RFC 9449 §7.1), which a
// resource such as the credential endpoint sends with 401 responses. String renders it.
type Challenge struct {
	// Realm is the optional "realm" (RFC 9110 §11.5).
	Realm string
	// Scope is the optional "scope" (RFC 6750 §3).
	Scope string
	// Error is the "error" value: OAuthError's result, or an RFC 6750 §3.1 value. Leave it
	// empty when the request carried no authentication at all (RFC 6750 §3.1).
	Error string
	// ErrorDescription is the optional "error_description", for developers. Never put
	// internal detail here; ChallengeFor uses the stable code only.
	ErrorDescription string
	// Algorithms becomes "algs": the JWS algorithms accepted for proofs. §7.1 says it
	// SHOULD be included; pass the Policy's allow-list.
	Algorithms []jose.Algorithm
}

// ChallengeFor returns the challenge for a Verify error: "error" from OAuthError, a
// description naming the stable code, and "algs" from algs. For CodeInvalidArgument and
// foreign errors, which are no client's fault, Error and ErrorDescription stay empty.
func ChallengeFor(err error, algs ...jose.Algorithm) Challenge {
	c := Challenge{Algorithms: algs}
	if c.Error = OAuthError(err); c.Error != "" {
		c.ErrorDescription = "DPoP proof rejected: " + string(CodeOf(err))
		if c.Error == OAuthInvalidToken {
			c.ErrorDescription = "Invalid DPoP key binding"
		}
	}
	return c
}

// String renders the challenge as a WWW-Authenticate field value, e.g.
// `DPoP error="use_dpop_nonce", error_description="...", algs="ES256"`. Parameters come in
// the order realm, scope, error, error_description, algs; empty ones are left out. Characters
// that RFC 6750 §3 does not allow in error, error_description and scope (controls, non-ASCII,
// '"' and '\') are dropped; in realm, '"' and '\' are escaped and controls and non-ASCII
// dropped; algorithm names that are not RFC 9110 tokens are dropped.
func (c Challenge) String() string {
	var b strings.Builder
	b.WriteString(Scheme)
	n := 0
	param := func(name, value string) {
		if value == "" {
			return
		}
		if n == 0 {
			b.WriteByte(' ')
		} else {
			b.WriteString(", ")
		}
		n++
		b.WriteString(name)
		b.WriteString(`="`)
		b.WriteString(value)
		b.WriteByte('"')
	}
	param("realm", quotedRealm(c.Realm))
	param("scope", keep6750(c.Scope))
	param("error", keep6750(c.Error))
	param("error_description", keep6750(c.ErrorDescription))
	algs := make([]string, 0, len(c.Algorithms))
	for _, a := range c.Algorithms {
		if isToken(string(a)) {
			algs = append(algs, string(a))
		}
	}
	param("algs", strings.Join(algs, " "))
	return b.String()
}

// keep6750 keeps the characters RFC 6750 §3 allows in error, error_description and scope
// values: %x20-21 / %x23-5B / %x5D-7E.
func keep6750(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return -1
		}
		return r
	}, s)
}

// quotedRealm returns the inside of an RFC 9110 quoted-string holding s, printable ASCII only.
func quotedRealm(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r >= 0x20 && r <= 0x7e:
			b.WriteRune(r)
		}
	}
	return b.String()
}
