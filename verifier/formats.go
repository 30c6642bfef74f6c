package verifier

import (
	"context"
	"crypto"
	"fmt"
	"math"
	"slices"

	"github.com/hashi-vc/hashi/internal/sdjwt"
	"github.com/hashi-vc/hashi/internal/statuslist"
	"github.com/hashi-vc/hashi/internal/vcjwt"
)

// sdCheck maps an internal/sdjwt check name onto this package's check name.
func sdCheck(name string) string {
	switch name {
	case "signature", "issuer_key", "sd_alg":
		return CheckSignature
	case "disclosures", "disclosures_referenced", "sd_forbidden_claims":
		return CheckDisclosures
	case "validity_period":
		return CheckValidity
	case "cnf", "key_binding", "kb_typ", "kb_signature", "kb_claims", "kb_nonce", "kb_audience", "kb_iat", "kb_sd_hash":
		return CheckHolderBinding
	case "iss", "vct", "status":
		return "" // the claims' form: reported only when it fails
	default: // typ
		return CheckParse
	}
}

// sdCode maps an internal/sdjwt error code onto this package's code.
func sdCode(c sdjwt.Code, check string) Code {
	switch c {
	case sdjwt.CodeUnsupportedAlgorithm:
		return CodeUnsupportedAlgorithm
	case sdjwt.CodeInvalidSignature, sdjwt.CodeUnknownIssuerKey:
		return CodeSignatureInvalid
	case sdjwt.CodeInvalidCertificate:
		return CodeChainInvalid
	case sdjwt.CodeExpired:
		return CodeExpired
	case sdjwt.CodeNotYetValid:
		return CodeNotYetValid
	case sdjwt.CodeInvalidDisclosure, sdjwt.CodeDuplicateDigest, sdjwt.CodeUnreferencedDisclosure,
		sdjwt.CodeClaimClash, sdjwt.CodeForbiddenSDClaim:
		return CodeDisclosureInvalid
	case sdjwt.CodeKeyBindingRequired:
		return CodeHolderBindingMissing
	case sdjwt.CodeUnexpectedKeyBinding, sdjwt.CodeInvalidKeyBinding:
		return CodeHolderBindingInvalid
	case sdjwt.CodeWrongNonce:
		return CodeKBNonceMismatch
	case sdjwt.CodeWrongAudience:
		return CodeKBAudienceMismatch
	case sdjwt.CodeStaleKeyBinding:
		return CodeKBTooOld
	case sdjwt.CodeSDHashMismatch:
		return CodeKBSDHashMismatch
	case sdjwt.CodeKeyMismatch:
		if check == CheckHolderBinding {
			return CodeHolderBindingInvalid
		}
		return CodeSignatureInvalid
	default:
		return CodeMalformedCredential
	}
}

// addSDChecks copies internal/sdjwt's checks into cr under this package's names: one entry per
// name for the checks that passed, and the failing one with its code.
func addSDChecks(cr *CredentialResult, checks []sdjwt.Check) {
	for _, c := range checks {
		name := sdCheck(c.Name)
		if c.OK {
			if name == "" {
				continue
			}
			if n := len(cr.Checks); n > 0 && cr.Checks[n-1].Name == name && cr.Checks[n-1].OK {
				if c.Detail != "" {
					if cr.Checks[n-1].Detail != "" {
						cr.Checks[n-1].Detail += "; "
					}
					cr.Checks[n-1].Detail += c.Detail
				}
				continue
			}
			cr.pass(name, c.Detail)
			continue
		}
		if name == "" {
			name = CheckParse
		}
		cr.fail(name, sdCode(c.Code, name), c.Name+": "+c.Detail)
	}
}

func (v *Verifier) verifySDJWT(ctx context.Context, raw string, p *Policy, cr *CredentialResult) *verified {
	u, err := sdjwt.ParseUnverified(raw)
	if err != nil {
		cr.fail(CheckParse, CodeMalformedCredential, err.Error())
		return nil
	}
	cr.pass(CheckParse, fmt.Sprintf("SD-JWT with %d disclosure(s), key binding JWT %s", len(u.Disclosures()), map[bool]string{true: "present", false: "absent"}[u.HasKeyBinding()]))
	cred, err := u.VerifyVC(ctx, sdjwt.VCPolicy{
		Policy: sdjwt.Policy{
			Algorithms: v.cfg.algorithms, KeyBinding: sdjwt.KeyBindingOptional,
			Nonce: p.Nonce, Audience: p.ClientID, KBMaxAge: v.cfg.kbMaxAge, ClockSkew: v.cfg.skew, Now: p.Now,
		},
		KeySources: []sdjwt.KeySource{sdjwt.KeySourceX5C},
	})
	if err != nil {
		e, ok := err.(*sdjwt.Error) //nolint:errorlint // VerifyVC returns *Error unwrapped; its Checks are needed
		if !ok || len(e.Checks) == 0 || e.Checks[len(e.Checks)-1].OK {
			code := sdjwt.CodeOf(err)
			cr.fail(CheckSignature, sdCode(code, CheckSignature), err.Error())
			return nil
		}
		cr.replayable = sdReplayable(e.Checks, u.HasKeyBinding())
		addSDChecks(cr, e.Checks)
		return nil
	}
	cr.replayable = sdReplayable(cred.Checks, u.HasKeyBinding())
	addSDChecks(cr, cred.Checks)
	if cred.KeyBinding == nil {
		// No KB-JWT was presented: whether that is acceptable is decided once the rule is known.
		cr.Checks = slices.DeleteFunc(cr.Checks, func(c Check) bool { return c.Name == CheckHolderBinding && c.OK })
	}
	if len(cred.X5C) == 0 {
		cr.fail(CheckSignature, CodeSignatureInvalid, "no x5c certificate chain")
		return nil
	}
	vd := &verified{vct: cred.VCT, iss: cred.Issuer, chain: cred.X5C, claims: cred.Claims, expires: cred.ExpiresAt, issued: cred.IssuedAt}
	if vd.issued.IsZero() {
		vd.issued = cred.NotBefore
	}
	if cred.Status != nil {
		if cred.Status.Index > math.MaxInt32 {
			vd.statusErr = fmt.Sprintf("status index %d is out of range", cred.Status.Index)
		} else {
			vd.status = &statuslist.Reference{Idx: int(cred.Status.Index), URI: cred.Status.URI}
		}
	}
	vd.holderBound = cred.KeyBinding != nil
	for _, d := range cred.Disclosures {
		vd.disclosed = append(vd.disclosed, d.Path)
	}
	return vd
}

// vcCode maps an internal/vcjwt error code onto this package's code; inCredential says whether
// the failure is the embedded credential's (else the VP JWT's, i.e. the holder's).
func vcCode(c vcjwt.Code, inCredential bool) Code {
	switch c {
	case vcjwt.CodeUnsupportedAlgorithm:
		return CodeUnsupportedAlgorithm
	case vcjwt.CodeUnknownKey, vcjwt.CodeInvalidSignature:
		if inCredential {
			return CodeSignatureInvalid
		}
		return CodeHolderBindingInvalid
	case vcjwt.CodeInvalidCertificate:
		return CodeChainInvalid
	case vcjwt.CodeExpired:
		if inCredential {
			return CodeExpired
		}
		return CodeKBTooOld
	case vcjwt.CodeNotYetValid:
		if inCredential {
			return CodeNotYetValid
		}
		return CodeKBTooOld
	case vcjwt.CodeWrongAudience:
		return CodeKBAudienceMismatch
	case vcjwt.CodeWrongNonce:
		return CodeKBNonceMismatch
	case vcjwt.CodeHolderBinding, vcjwt.CodeInvalidDID:
		return CodeHolderBindingInvalid
	default:
		return CodeMalformedCredential
	}
}

func vcCheck(name string, inCredential bool) string {
	switch name {
	case vcjwt.CheckAlgorithm, vcjwt.CheckKey, vcjwt.CheckSignature:
		if inCredential {
			return CheckSignature
		}
		return CheckHolderBinding
	case vcjwt.CheckValidity:
		if inCredential {
			return CheckValidity
		}
		return CheckHolderBinding
	case vcjwt.CheckAudience, vcjwt.CheckNonce, vcjwt.CheckHolderBound, vcjwt.CheckHolderKey:
		return CheckHolderBinding
	default:
		return CheckParse
	}
}

func (v *Verifier) verifyJWTVC(raw string, p *Policy, cr *CredentialResult) *verified {
	pres, err := vcjwt.VerifyPresentation(raw, vcjwt.PresentationPolicy{
		Now: p.Now, Audience: p.ClientID, Nonce: p.Nonce, Algorithms: v.cfg.algorithms,
		ClockSkew: v.cfg.skew, MaxAge: v.cfg.kbMaxAge,
		Credential: vcjwt.Policy{Algorithms: v.cfg.algorithms, AllowX5C: true},
		// Holder binding is judged below, after the rule is known: a wrong binding always fails,
		// a missing one fails unless both the query and the rule waive it.
		SkipHolderBindingUnsafe: true,
	})
	if err != nil {
		e, ok := err.(*vcjwt.Error) //nolint:errorlint // VerifyPresentation returns *Error unwrapped; its Checks are needed
		if !ok || len(e.Checks) == 0 {
			cr.fail(CheckParse, vcCode(vcjwt.CodeOf(err), false), err.Error())
			return nil
		}
		last := e.Checks[len(e.Checks)-1]
		in := last.Name == vcjwt.CheckCredential
		cr.fail(vcCheck(last.Name, in), vcCode(e.Code, in), last.Name+": "+err.Error())
		return nil
	}
	if len(pres.Credentials) != 1 {
		cr.fail(CheckParse, CodeMalformedCredential, fmt.Sprintf("the VP JWT holds %d credentials; hashi reads one per presentation", len(pres.Credentials)))
		return nil
	}
	c := pres.Credentials[0]
	cr.replayable = true // the VP JWT and the credential in it verified
	cr.pass(CheckParse, "VP JWT with one VCDM 1.1 credential")
	cr.pass(CheckSignature, fmt.Sprintf("%s, key from the x5c leaf", c.Algorithm))
	cr.pass(CheckValidity, "issuance date, iat and expiration valid now")
	if len(c.Chain) == 0 {
		cr.fail(CheckSignature, CodeSignatureInvalid, "the credential was not verified with an x5c certificate")
		return nil
	}
	vd := &verified{types: c.Types, iss: c.Issuer, chain: c.Chain, claims: c.Credential, issued: c.IssuanceDate, expires: c.ExpirationDate, status: c.Status, vcdm: true}
	switch {
	case c.HolderKey == nil:
	case keysEqual(c.HolderKey, pres.HolderKey):
		vd.holderBound = true
		cr.pass(CheckHolderBinding, "VP JWT signed by the credential's holder key; nonce, aud and iat match")
	default:
		cr.fail(CheckHolderBinding, CodeHolderBindingInvalid, "the VP JWT is not signed by the credential's holder key")
	}
	if !vd.holderBound {
		// Anyone holding a copy can wrap it in a VP JWT of their own: the credential itself
		// is what replay protection must remember (see replayText).
		vd.replay = "credential:" + signedPart(c.Raw)
	}
	return vd
}

// sdReplayable reports whether an SD-JWT presentation's replay text (see replayText) is
// genuine, from internal/sdjwt's checks: with a KB-JWT, its signature and sd_hash verified
// (it is then the holder's own proof for this very presentation, even if it was made for
// another request); without one, the issuer's signature verified.
func sdReplayable(checks []sdjwt.Check, kb bool) bool {
	var sig, kbSig, kbHash bool
	for _, c := range checks {
		switch {
		case !c.OK:
		case c.Name == "signature":
			sig = true
		case c.Name == "kb_signature":
			kbSig = true
		case c.Name == "kb_sd_hash":
			kbHash = true
		}
	}
	if kb {
		return kbSig && kbHash
	}
	return sig
}

func keysEqual(a, b crypto.PublicKey) bool {
	k, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && b != nil && k.Equal(b)
}
