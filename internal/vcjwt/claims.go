package vcjwt

import (
	"bytes"
	"crypto"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
)

// ContextV1 is the first @context item of every VCDM 1.1 credential and presentation.
const ContextV1 = "https://www.w3.org/2018/credentials/v1"

// The base types of VCDM 1.1.
const (
	TypeVerifiableCredential   = "VerifiableCredential"
	TypeVerifiablePresentation = "VerifiablePresentation"
)

// maxNumericDate is 9999-12-31T23:59:59Z, the last second xsd:dateTime and RFC 3339 spell
// with four year digits.
const maxNumericDate = 253402300799

// decodeObject checks b strictly (jose.CheckJSON: no duplicate members, valid UTF-8, bounded
// depth) and decodes it as a JSON object. Numbers stay json.Number so nothing is rounded.
func decodeObject(b []byte) (map[string]any, error) {
	if err := jose.CheckJSON(b); err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errorf(CodeMalformed, nil, "payload is not a JSON object")
	}
	return m, nil
}

// stringMember returns m[name] when it is a non-empty string. present is true when the member
// exists at all; a present member that is not a non-empty string fails with invalid_claim.
func stringMember(m map[string]any, name, claim string) (s string, present bool, err *Error) {
	v, ok := m[name]
	if !ok {
		return "", false, nil
	}
	s, isStr := v.(string)
	if !isStr || s == "" {
		return "", true, claimErrorf(CodeInvalidClaim, claim, "%s is not a non-empty string", claim)
	}
	if len(s) > maxClaimString {
		return "", true, claimErrorf(CodeInvalidClaim, claim, "%s is longer than %d bytes", claim, maxClaimString)
	}
	return s, true, nil
}

// numericDate returns claim name as an RFC 7519 NumericDate, truncated to the second.
func numericDate(m map[string]any, name string) (t time.Time, present bool, err *Error) {
	v, ok := m[name]
	if !ok {
		return time.Time{}, false, nil
	}
	n, isNum := v.(json.Number)
	if !isNum {
		return time.Time{}, true, claimErrorf(CodeInvalidClaim, name, "%s is not a NumericDate", name)
	}
	f, perr := strconv.ParseFloat(string(n), 64)
	if perr != nil || math.IsNaN(f) || f < 0 || f > maxNumericDate {
		return time.Time{}, true, claimErrorf(CodeInvalidClaim, name, "%s is not a NumericDate between 0 and year 9999", name)
	}
	return time.Unix(int64(math.Floor(f)), 0).UTC(), true, nil
}

// dateTime returns the credential property name as an xsd:dateTime with a time zone
// (RFC 3339), the form VCDM 1.1 gives issuanceDate and expirationDate.
func dateTime(m map[string]any, name string) (t time.Time, present bool, err *Error) {
	s, present, err := stringMember(m, name, "vc."+name)
	if !present || err != nil {
		return time.Time{}, present, err
	}
	t, perr := time.Parse(time.RFC3339Nano, s)
	if perr != nil || t.Year() < 1 || t.Unix() < 0 || t.Unix() > maxNumericDate {
		return time.Time{}, true, claimErrorf(CodeInvalidClaim, "vc."+name, "vc.%s %q is not an RFC 3339 date-time with a time zone", name, s)
	}
	return t.UTC(), true, nil
}

// stringSet reads a JSON-LD value that may be one string or an array of strings.
func stringSet(v any) ([]string, bool) {
	switch x := v.(type) {
	case string:
		return []string{x}, x != ""
	case []any:
		if len(x) == 0 {
			return nil, false
		}
		out := make([]string, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok || s == "" {
				return nil, false
			}
			out[i] = s
		}
		return out, true
	}
	return nil, false
}

// vcView is what a "vc" claim says, checked for shape.
type vcView struct {
	vc      map[string]any
	types   []string
	subject map[string]any

	issuer, subjectID, id          string
	hasIssuer, hasSubjectID, hasID bool

	issuanceDate, expirationDate       time.Time
	hasIssuanceDate, hasExpirationDate bool
}

// viewVC checks that v is a VCDM 1.1 credential object: @context starting with ContextV1,
// type including "VerifiableCredential", credentialSubject an object; and that the optional
// properties hashi maps onto JWT claims (issuer, id, issuanceDate, expirationDate,
// credentialSubject.id) have the right JSON types and formats. issuer and issuanceDate may be
// absent here, since iss and nbf can carry them.
func viewVC(v any) (*vcView, *Error) {
	vc, ok := v.(map[string]any)
	if !ok {
		return nil, claimErrorf(CodeNotAVC, "vc", `"vc" is not a JSON object`)
	}
	ctx, ok := stringSet(vc["@context"])
	if !ok || ctx[0] != ContextV1 {
		return nil, claimErrorf(CodeNotAVC, "vc.@context", "vc.@context does not start with %q", ContextV1)
	}
	types, ok := stringSet(vc["type"])
	if !ok || !slices.Contains(types, TypeVerifiableCredential) {
		return nil, claimErrorf(CodeNotAVC, "vc.type", "vc.type does not include %q", TypeVerifiableCredential)
	}
	subject, ok := vc["credentialSubject"].(map[string]any)
	if !ok {
		// VCDM 1.1 allows an array of subjects; hashi's credentials have exactly one, and
		// sub/credentialSubject.id cannot be mapped for several.
		return nil, claimErrorf(CodeNotAVC, "vc.credentialSubject", "vc.credentialSubject is not a single JSON object")
	}
	w := &vcView{vc: vc, types: types, subject: subject}
	var err *Error
	if w.subjectID, w.hasSubjectID, err = stringMember(subject, "id", "vc.credentialSubject.id"); err != nil {
		return nil, err
	}
	if w.id, w.hasID, err = stringMember(vc, "id", "vc.id"); err != nil {
		return nil, err
	}
	if iss, ok := vc["issuer"]; ok {
		w.hasIssuer = true
		switch x := iss.(type) {
		case string:
			w.issuer = x
		case map[string]any:
			w.issuer, _ = x["id"].(string)
		}
		if w.issuer == "" {
			return nil, claimErrorf(CodeInvalidClaim, "vc.issuer", "vc.issuer is neither a URI nor an object with an id")
		}
	}
	if w.issuanceDate, w.hasIssuanceDate, err = dateTime(vc, "issuanceDate"); err != nil {
		return nil, err
	}
	if w.expirationDate, w.hasExpirationDate, err = dateTime(vc, "expirationDate"); err != nil {
		return nil, err
	}
	return w, nil
}

// foreignVCClaims are top-level claims that belong to other token kinds hashi handles
// (RFC 8725 §3.12): a jwt_vc_json credential carrying any of them is refused rather than
// guessed at. "vct" (SD-JWT VC), "vp" (VP JWT), "status_list" (Status List Token),
// "sd_hash" (KB-JWT), "@context"/"credentialSubject" (a VCDM 2.0 vc+jwt payload),
// "htm"/"htu" (DPoP proof), "response_type" (request object).
var foreignVCClaims = []string{"vct", "vp", "status_list", "sd_hash", "@context", "credentialSubject", "htm", "htu", "response_type"}

// foreignVPClaims are the same for a VP JWT, with "vc" in place of "vp".
var foreignVPClaims = []string{"vct", "vc", "status_list", "sd_hash", "@context", "credentialSubject", "htm", "htu", "response_type"}

// sdMembers are the SD-JWT members (RFC 9901 §4.2) refused at any depth.
var sdMembers = []string{"_sd", "_sd_alg", "..."}

// exclusive reports the first sign that claims also satisfy another token kind's rules.
func exclusive(claims map[string]any, foreign []string, proofLike bool) *Error {
	for _, name := range foreign {
		if _, ok := claims[name]; ok {
			return claimErrorf(CodeAmbiguousToken, name, "claim %q belongs to another token kind", name)
		}
	}
	if proofLike {
		_, hasNonce := claims["nonce"]
		_, hasAud := claims["aud"]
		if hasNonce && hasAud {
			return claimErrorf(CodeAmbiguousToken, "nonce", `"nonce" with "aud" makes a credential look like a proof or presentation`)
		}
	}
	if path := findSD(claims, ""); path != "" {
		return claimErrorf(CodeAmbiguousToken, path, "SD-JWT member at %s: selective disclosure is not part of jwt_vc_json", path)
	}
	return nil
}

// findSD returns the path of the first SD-JWT member in v, or "". JSON depth is bounded by
// jose.CheckJSON, so the recursion is too.
func findSD(v any, path string) string {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys) // deterministic reports
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if slices.Contains(sdMembers, k) {
				return p
			}
			if f := findSD(x[k], p); f != "" {
				return f
			}
		}
	case []any:
		for i, e := range x {
			if f := findSD(e, path+"["+strconv.Itoa(i)+"]"); f != "" {
				return f
			}
		}
	}
	return ""
}

// registered is the outcome of the claim consistency rules.
type registered struct {
	issuer, subject, id          string
	issuanceDate, expirationDate time.Time
	issuedAt                     time.Time
	nbfName, expName             string // which of the pair dated the credential, for reports
}

// consistent applies hashi's rules between the registered claims and the vc properties
// (VCDM 1.1 §6.3.1), pair by pair: iss/issuer, sub/credentialSubject.id, jti/id,
// nbf/issuanceDate, exp/expirationDate.
//
//   - Both present: they must agree (issuer: string or issuer.id; dates: the same second).
//   - Only the claim: accepted; VCDM 1.1 decoding inserts it into the credential.
//   - Only the property: refused, since VCDM 1.1 says the claim MUST represent it.
//   - Neither: allowed for sub (bearer credential), jti and exp; refused for iss and nbf,
//     because VCDM 1.1 requires issuer and issuanceDate.
func consistent(claims map[string]any, w *vcView) (*registered, *Error) {
	var r registered
	strPair := func(claim, prop, propVal string, hasProp bool) (string, *Error) {
		v, has, err := stringMember(claims, claim, claim)
		if err != nil {
			return "", err
		}
		switch {
		case has && hasProp && v != propVal:
			return "", claimErrorf(CodeClaimMismatch, claim, "%s %q differs from %s %q", claim, v, prop, propVal)
		case !has && hasProp:
			return "", claimErrorf(CodeClaimMismatch, claim, "%s is missing but %s is present", claim, prop)
		case has:
			return v, nil
		}
		return "", nil
	}
	datePair := func(claim, prop string, propVal time.Time, hasProp bool) (time.Time, string, *Error) {
		v, has, err := numericDate(claims, claim)
		if err != nil {
			return time.Time{}, "", err
		}
		switch {
		case has && hasProp && v.Unix() != propVal.Unix():
			return time.Time{}, "", claimErrorf(CodeClaimMismatch, claim, "%s %s differs from %s %s", claim, v.Format(time.RFC3339), prop, propVal.Format(time.RFC3339))
		case !has && hasProp:
			return time.Time{}, "", claimErrorf(CodeClaimMismatch, claim, "%s is missing but %s is present", claim, prop)
		case has:
			return v, claim, nil
		}
		return time.Time{}, "", nil
	}
	var err *Error
	if r.issuer, err = strPair("iss", "vc.issuer", w.issuer, w.hasIssuer); err != nil {
		return nil, err
	}
	if r.issuer == "" {
		return nil, claimErrorf(CodeNotAVC, "iss", "neither iss nor vc.issuer names the issuer")
	}
	if r.subject, err = strPair("sub", "vc.credentialSubject.id", w.subjectID, w.hasSubjectID); err != nil {
		return nil, err
	}
	if r.id, err = strPair("jti", "vc.id", w.id, w.hasID); err != nil {
		return nil, err
	}
	if r.issuanceDate, r.nbfName, err = datePair("nbf", "vc.issuanceDate", w.issuanceDate, w.hasIssuanceDate); err != nil {
		return nil, err
	}
	if r.nbfName == "" {
		return nil, claimErrorf(CodeNotAVC, "nbf", "neither nbf nor vc.issuanceDate dates the credential")
	}
	if r.expirationDate, r.expName, err = datePair("exp", "vc.expirationDate", w.expirationDate, w.hasExpirationDate); err != nil {
		return nil, err
	}
	if r.issuedAt, _, err = numericDate(claims, "iat"); err != nil {
		return nil, err
	}
	if r.expName != "" && !r.expirationDate.After(r.issuanceDate) {
		return nil, claimErrorf(CodeInvalidClaim, "exp", "exp %s is not after nbf %s", r.expirationDate.Format(time.RFC3339), r.issuanceDate.Format(time.RFC3339))
	}
	return &r, nil
}

// merge returns the VCDM 1.1 decoding of the token (§6.3.1): the vc object with the
// registered claims inserted where the property is absent. Where both are present they were
// checked to agree, so the vc form is kept (e.g. an issuer object with a name).
func merge(w *vcView, r *registered) map[string]any {
	cred := make(map[string]any, len(w.vc)+4)
	for k, v := range w.vc {
		cred[k] = v
	}
	if !w.hasIssuer {
		cred["issuer"] = r.issuer
	}
	if !w.hasID && r.id != "" {
		cred["id"] = r.id
	}
	if !w.hasIssuanceDate {
		cred["issuanceDate"] = r.issuanceDate.Format(time.RFC3339)
	}
	if !w.hasExpirationDate && r.expName != "" {
		cred["expirationDate"] = r.expirationDate.Format(time.RFC3339)
	}
	if !w.hasSubjectID && r.subject != "" {
		subj := make(map[string]any, len(w.subject)+1)
		for k, v := range w.subject {
			subj[k] = v
		}
		subj["id"] = r.subject
		cred["credentialSubject"] = subj
	}
	return cred
}

// holderKey returns the key the credential binds its holder to: cnf.jwk (RFC 7800) if
// present, else the subject's did:jwk. When both are present they must be the same key.
// A credential with neither is a bearer credential (nil key).
func holderKey(claims map[string]any, subject string) (crypto.PublicKey, string, *Error) {
	var cnfKey, didKey crypto.PublicKey
	if c, ok := claims["cnf"]; ok {
		cnf, ok := c.(map[string]any)
		if !ok {
			return nil, "", claimErrorf(CodeInvalidClaim, "cnf", "cnf is not a JSON object")
		}
		j, ok := cnf["jwk"].(map[string]any)
		if !ok {
			return nil, "", claimErrorf(CodeInvalidClaim, "cnf", "cnf has no jwk object (hashi supports only cnf.jwk)")
		}
		k, err := jose.PublicKeyFromMap(j)
		if err != nil {
			return nil, "", &Error{Code: CodeInvalidClaim, Claim: "cnf", Msg: "cnf.jwk is not a usable public JWK", Err: err}
		}
		cnfKey = k
	}
	if strings.HasPrefix(subject, DIDJWKPrefix) {
		k, err := ParseDIDJWK(subject)
		if err != nil {
			return nil, "", &Error{Code: CodeInvalidClaim, Claim: "sub", Msg: "subject did:jwk does not decode", Err: err}
		}
		didKey = k
	}
	switch {
	case cnfKey != nil && didKey != nil:
		if !keyEqual(cnfKey, didKey) {
			return nil, "", claimErrorf(CodeClaimMismatch, "cnf", "cnf.jwk and the subject did:jwk are different keys")
		}
		return cnfKey, "cnf.jwk", nil
	case cnfKey != nil:
		return cnfKey, "cnf.jwk", nil
	case didKey != nil:
		return didKey, "did:jwk", nil
	}
	return nil, "", nil
}

func keyEqual(a, b crypto.PublicKey) bool {
	k, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && b != nil && k.Equal(b)
}
