package verifier_test

import (
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/dcql"
	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/statuslist"
	"github.com/hashi-vc/hashi/internal/vcjwt"
	"github.com/hashi-vc/hashi/verifier"
)

// jwtVCPresentation issues the JP diploma as jwt_vc_json (VCDM 1.1, x5c, cnf = the holder key,
// status) and presents it in a VP JWT signed by signer for aud and nonce.
func (f *pilot) jwtVCPresentation(withCnf bool, vpKey *jose.Signer, aud, nonce string, at time.Time) string {
	d := f.jpDiploma()
	vc := must1(d.record.VCDM11(academic.VCDM11Options{IssuerID: f.jpIssuer, IssuanceDate: issuedAt}))
	s := must1(jose.NewSigner(f.jpSeal.Signer(), vcjwt.IssuerHeader("", f.jpSeal.Chain)))
	opts := vcjwt.IssueOptions{IssuedAt: issuedAt, Status: &statuslist.Reference{Idx: statusIdx, URI: statusURI(f.jpIssuer)}}
	if withCnf {
		opts.Confirmation = &f.holder.PublicKey
	}
	cred := must1(vcjwt.Issue(s, vc, opts))
	if vpKey == nil {
		vpKey = must1(jose.NewSigner(f.holder, must1(vcjwt.HolderHeader(&f.holder.PublicKey))))
	}
	return must1(vcjwt.CreatePresentation(vpKey, []string{cred}, vcjwt.PresentationOptions{Audience: aud, Nonce: nonce, IssuedAt: at}))
}

func jwtVCPolicy(noBinding bool) func(*pilot) verifier.Policy {
	return func(*pilot) verifier.Policy {
		r := jpRule()
		r.Types = []string{academic.TypeUniversityDegreeCredential}
		r.RequiredClaims = []dcql.Path{{"credentialSubject", "degree"}}
		p := euDeskPolicy(presentedAt, r)
		p.Query = &dcql.Query{Credentials: []dcql.CredentialQuery{{
			ID: "diploma", Format: dcql.FormatJWTVCJSON,
			Meta: dcql.Meta{TypeValues: [][]string{{"https://www.w3.org/2018/credentials#VerifiableCredential", academic.TypeUniversityDegreeCredential}}},
		}}}
		if noBinding {
			no := false
			p.Query.Credentials[0].RequireCryptographicHolderBinding = &no
			p.Recognition.Rules[0].HolderBinding = verifier.HolderBindingNotRequiredUnsafe
		}
		return p
	}
}

func TestVerifyJWTVCJSON(t *testing.T) {
	pres := func(withCnf bool, aud, nonce string, at time.Time, otherHolder bool) func(*pilot) []byte {
		return func(f *pilot) []byte {
			var s *jose.Signer
			if otherHolder {
				k := must1(jose.ParsePrivateJWK(must1(jose.MarshalPrivateJWK(must1(sealLikeKey()), ""))))
				s = must1(jose.NewSigner(k, must1(vcjwt.HolderHeader(k.Public()))))
			}
			return vpToken("diploma", f.jwtVCPresentation(withCnf, s, aud, nonce, at))
		}
	}
	runCases(t, []verifyCase{
		{name: "ok/jp-diploma-vp-jwt", token: pres(true, euDeskClientID, testNonce, kbTime, false), policy: jwtVCPolicy(false)},
		{name: "ok/bearer-credential-binding-waived", token: pres(false, euDeskClientID, testNonce, kbTime, false), policy: jwtVCPolicy(true)},
		{name: "fail/bearer-credential", token: pres(false, euDeskClientID, testNonce, kbTime, false), policy: jwtVCPolicy(false),
			wantCode: verifier.CodeHolderBindingMissing, wantCheck: verifier.CheckHolderBinding},
		{name: "fail/vp-signed-by-another-holder", token: pres(true, euDeskClientID, testNonce, kbTime, true), policy: jwtVCPolicy(true),
			wantCode: verifier.CodeHolderBindingInvalid, wantCheck: verifier.CheckHolderBinding},
		{name: "fail/vp-nonce", token: pres(true, euDeskClientID, "other", kbTime, false), policy: jwtVCPolicy(false),
			wantCode: verifier.CodeKBNonceMismatch, wantCheck: verifier.CheckHolderBinding},
		{name: "fail/vp-audience", token: pres(true, jpDeskClientID, testNonce, kbTime, false), policy: jwtVCPolicy(false),
			wantCode: verifier.CodeKBAudienceMismatch, wantCheck: verifier.CheckHolderBinding},
		{name: "fail/vp-too-old", token: pres(true, euDeskClientID, testNonce, presentedAt.Add(-time.Hour), false), policy: jwtVCPolicy(false),
			wantCode: verifier.CodeKBTooOld, wantCheck: verifier.CheckHolderBinding},
	})
}
