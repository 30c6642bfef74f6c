package sdjwt

import (
	"crypto"
	"crypto/subtle"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
)

// KBType is the "typ" of a Key Binding JWT (RFC 9901 §4.3).
const KBType = "kb+jwt"

// checkKeyBinding applies Policy.KeyBinding and verifies a presented KB-JWT (RFC 9901
// §7.3). Whether a KB-JWT is required comes from the policy, never from its presence.
func (u *Unverified) checkKeyBinding(r *run, p *Policy, v *Verified) error {
	switch p.KeyBinding {
	case KeyBindingForbidden:
		if u.kb != nil {
			return r.fail("key_binding", errorf(CodeUnexpectedKeyBinding, nil, "an SD-JWT+KB was presented where a plain SD-JWT is expected (e.g. issuance to a holder)"))
		}
		r.pass("key_binding", "not expected, not presented")
		return nil
	case KeyBindingOptional:
		if u.kb == nil {
			r.pass("key_binding", "optional, not presented")
			return nil
		}
		r.pass("key_binding", "optional, presented")
	case KeyBindingRequired:
		fallthrough
	default: // Policy.check rejects other modes; treat them as required regardless
		if u.kb == nil {
			return r.fail("key_binding", errorf(CodeKeyBindingRequired, nil, "the policy requires key binding and no KB-JWT was presented"))
		}
		r.pass("key_binding", "required, presented")
	}
	kb, err := verifyKBJWT(r, u.kb, u.presented, v.HashAlgorithm, v.Confirmation, p)
	if err != nil {
		return err
	}
	v.KeyBinding = kb
	return nil
}

// verifyKBJWT checks one KB-JWT against the holder key and the presented SD-JWT text.
func verifyKBJWT(r *run, kb *jose.JWS, presented string, hash HashAlgorithm, holder crypto.PublicKey, p *Policy) (*KeyBindingJWT, error) {
	if err := kb.CheckType(KBType); err != nil {
		return nil, r.fail("kb_typ", &Error{Code: CodeInvalidKeyBinding, Msg: "KB-JWT typ is not kb+jwt", Err: err})
	}
	r.pass("kb_typ", "")
	if holder == nil {
		return nil, r.fail("kb_signature", errorf(CodeInvalidKeyBinding, nil, "the issuer JWT has no cnf.jwk to verify the KB-JWT with"))
	}
	algs := p.KBAlgorithms
	if len(algs) == 0 {
		algs = p.Algorithms
	}
	if err := kb.Verify(holder, algs...); err != nil {
		code := CodeInvalidKeyBinding
		if jose.CodeOf(err) == jose.CodeUnsupportedAlgorithm {
			code = CodeUnsupportedAlgorithm
		}
		return nil, r.fail("kb_signature", &Error{Code: code, Msg: "KB-JWT is not signed by the cnf.jwk key with an allowed algorithm", Err: err})
	}
	r.pass("kb_signature", kb.Header.Alg)

	claims, err := decodeObject(kb.Payload, "KB-JWT payload")
	if err != nil {
		return nil, r.fail("kb_claims", &Error{Code: CodeInvalidKeyBinding, Msg: "KB-JWT payload is not a JSON object", Err: err})
	}
	out := &KeyBindingJWT{Algorithm: jose.Algorithm(kb.Header.Alg)}
	var ok bool
	if out.Nonce, ok = claims["nonce"].(string); !ok {
		return nil, r.fail("kb_claims", errorf(CodeInvalidKeyBinding, nil, "KB-JWT nonce is missing or not a string"))
	}
	if out.Audience, ok = claims["aud"].(string); !ok {
		return nil, r.fail("kb_claims", errorf(CodeInvalidKeyBinding, nil, "KB-JWT aud is missing or not a single string"))
	}
	if out.SDHash, ok = claims["sd_hash"].(string); !ok {
		return nil, r.fail("kb_claims", errorf(CodeInvalidKeyBinding, nil, "KB-JWT sd_hash is missing or not a string"))
	}
	iat, ok := claims["iat"]
	if !ok {
		return nil, r.fail("kb_claims", errorf(CodeInvalidKeyBinding, nil, "KB-JWT iat is missing"))
	}
	if out.IssuedAt, ok = toTime(iat); !ok {
		return nil, r.fail("kb_claims", errorf(CodeInvalidKeyBinding, nil, "KB-JWT iat is not a NumericDate"))
	}
	r.pass("kb_claims", "")

	// sd_hash first: once it and the signature hold, this KB-JWT is the holder's own for
	// exactly this presentation, whatever the request checks below say (a verifier may
	// then remember it against replay).
	if !hash.matches(presented, out.SDHash) {
		return nil, r.fail("kb_sd_hash", errorf(CodeSDHashMismatch, nil, "KB-JWT sd_hash does not match the presented SD-JWT"))
	}
	r.pass("kb_sd_hash", "")

	if subtle.ConstantTimeCompare([]byte(out.Nonce), []byte(p.Nonce)) != 1 {
		return nil, r.fail("kb_nonce", errorf(CodeWrongNonce, nil, "KB-JWT nonce is not the expected one"))
	}
	r.pass("kb_nonce", "")
	if out.Audience != p.Audience {
		return nil, r.fail("kb_audience", errorf(CodeWrongAudience, nil, "KB-JWT aud %q is not %q", out.Audience, p.Audience))
	}
	r.pass("kb_audience", "")

	maxAge := p.KBMaxAge
	if maxAge == 0 {
		maxAge = DefaultKBMaxAge
	}
	if out.IssuedAt.Before(p.Now.Add(-maxAge)) {
		return nil, r.fail("kb_iat", errorf(CodeStaleKeyBinding, nil, "KB-JWT issued at %s, more than %s before %s",
			out.IssuedAt.Format(time.RFC3339), maxAge, p.Now.UTC().Format(time.RFC3339)))
	}
	if out.IssuedAt.After(p.Now.Add(p.ClockSkew)) {
		return nil, r.fail("kb_iat", errorf(CodeStaleKeyBinding, nil, "KB-JWT issued at %s, in the future (now %s, skew %s)",
			out.IssuedAt.Format(time.RFC3339), p.Now.UTC().Format(time.RFC3339), p.ClockSkew))
	}
	r.pass("kb_iat", "")

	return out, nil
}
